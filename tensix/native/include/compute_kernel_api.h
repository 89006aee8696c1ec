// tt-metal's compute kernel API: a compute kernel includes this and the compute_kernel_api/*.h it uses.
#pragma once
#include "compute_kernel_api/common.h"
#include "compute_kernel_api/eltwise_unary/sfpu.h"
