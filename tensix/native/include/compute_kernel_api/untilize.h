// Tiles to rows: `block` tiles become `block` pages holding 32 rows of block x 32 values.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
ALWI void untilize_init(uint32_t icb, uint32_t ocb = 16) {}
ALWI void untilize_init_short(uint32_t icb) {}
ALWI void untilize_uninit(uint32_t icb = 0) {}
template <int N = 1>
ALWI void untilize_block(uint32_t icb, uint32_t block, uint32_t ocb) { tensix_api->tilize(icb, block, ocb, 1); }
}  // namespace ckernel
