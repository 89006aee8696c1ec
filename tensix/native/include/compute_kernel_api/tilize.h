// Rows to tiles: `block` pages of a circular buffer holding 32 rows of block x 32 values become `block` tiles.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
ALWI void tilize_init(uint32_t icb, uint32_t block, uint32_t ocb = 16) {}
ALWI void tilize_init_short(uint32_t icb, uint32_t block, uint32_t ocb = 16) {}
ALWI void tilize_init_short_with_dt(uint32_t old_icb, uint32_t new_icb, uint32_t block, uint32_t ocb = 16) {}
ALWI void tilize_uninit(uint32_t icb = 0, uint32_t ocb = 16) {}
ALWI void tilize_uninit_with_dt(uint32_t old_icb = 0, uint32_t new_icb = 1) {}
ALWI void tilize_block(uint32_t icb, uint32_t block, uint32_t ocb) { tensix_api->tilize(icb, block, ocb, 0); }
}  // namespace ckernel
