// tt-metal's compute_kernel_api/softmax.h: the SFPU ops a softmax needs, all in sfpu.h here.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
