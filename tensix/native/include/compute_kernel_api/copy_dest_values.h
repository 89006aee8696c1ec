// copy_dest_values(in, out): in eltwise_unary/sfpu.h.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
