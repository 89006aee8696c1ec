// What 2024's layernorm kernels include: the SFPU ops (sqrt, recip) they use.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
