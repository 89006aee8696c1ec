// Set-up for unary (SFPU) kernels: copy a tile into the register, apply the op there, pack it out.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
// The whole set-up for these buffers, with the unpacker and math engine left in copy_tile's mode.
ALWI void unary_op_init_common(uint32_t icb, uint32_t ocb = 16) { tensix_init(TX_INIT_COPY, TX_INIT_HW | TX_ANY, "unary_op_init_common", icb, icb, ocb); }
ALWI void init_sfpu(uint32_t icb, uint32_t ocb = 16) { tensix_init(TX_INIT_COPY, TX_INIT_HW | TX_ANY, "init_sfpu", icb, icb, ocb); }
}  // namespace ckernel
