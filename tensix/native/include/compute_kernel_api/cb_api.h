// copy_tile and friends live in common.h; tt-metal kernels include them from here.
#pragma once
#include "compute_kernel_api/common.h"

