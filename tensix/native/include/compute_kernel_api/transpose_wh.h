// Transpose a tile (rows become columns) on its way into the destination register.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
ALWI void transpose_wh_init(uint32_t icb, uint32_t ocb = 16) {}
ALWI void transpose_wh_init_short(uint32_t icb) {}
ALWI void transpose_wh_tile(uint32_t icb, uint32_t itile, uint32_t idst) { tensix_api->transpose(icb, itile, idst); }
}  // namespace ckernel
