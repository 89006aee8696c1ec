// where_tile(cond, if_true, if_false, odst): in eltwise_unary/sfpu.h with the other SFPU ops.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
