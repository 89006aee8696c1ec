// Integer and other SFPU binaries this header holds in tt-metal are not modelled yet; the header exists so that a
// kernel including it for other ops compiles, and a call to one of its ops fails to compile, naming the op.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
