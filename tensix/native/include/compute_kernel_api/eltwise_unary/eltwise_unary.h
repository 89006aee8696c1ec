// Set-up for unary (SFPU) kernels: copy a tile into the register, apply the op there, pack it out.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
ALWI void unary_op_init_common(uint32_t icb, uint32_t ocb = 16) {}
ALWI void init_sfpu(uint32_t icb, uint32_t ocb = 16) {}
}  // namespace ckernel
