// tt-metal pulls SFPU headers in by SFPU_OP_*_INCLUDE defines; here one header holds every op.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
