// tt-metal's compute_kernel_api/eltwise_unary/activations.h: the SFPU ops are all in sfpu.h.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
