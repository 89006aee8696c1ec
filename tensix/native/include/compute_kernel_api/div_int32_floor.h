// tt-metal's header of this name holds SFPU binaries between register tiles; tensix keeps them all in
// eltwise_unary/sfpu.h.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
