// binary_max_tile / binary_min_tile (idst0, idst1, odst): in eltwise_unary/sfpu.h with the other SFPU binaries.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
