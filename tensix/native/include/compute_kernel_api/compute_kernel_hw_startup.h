// compute_kernel_hw_startup lives in common.h, which every compute kernel has.
#pragma once
#include "compute_kernel_api/common.h"
