// The blank compute kernel's header: the entry point alone.
#pragma once
#include "compute_kernel_api/common.h"
