// tt-metal's comparisons with zero (eqz/nez/ltz/gtz/lez/gez_tile and their int32 forms): in sfpu.h.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
