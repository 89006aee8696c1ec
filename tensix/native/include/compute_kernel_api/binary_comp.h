// Comparisons between register tiles (eq/ne/lt/gt/le/ge_binary_tile): in eltwise_unary/sfpu.h.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
