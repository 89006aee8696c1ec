// Tiles to rows: `block` tiles become `block` pages holding 32 rows of block x 32 values.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
// The unpacker stays in its untilize mode until untilize_uninit; 2024's untilize_init configures the hardware too.
ALWI void untilize_init(uint32_t icb, uint32_t ocb = 16) {
    tensix_init(TX_INIT_UNTILIZE, TX_INIT_HW | TX_ANY, "untilize_init", TX_CB_UNKNOWN, TX_CB_KEEP, TX_CB_UNKNOWN);
}
ALWI void untilize_init_short(uint32_t icb) { tensix_init(TX_INIT_UNTILIZE, TX_ANY, "untilize_init_short"); }
ALWI void untilize_uninit(uint32_t icb = 0) { tensix_init(TX_UNINIT_TILIZE, 0, "untilize_uninit"); }
template <int N = 1>
ALWI void untilize_block(uint32_t icb, uint32_t block, uint32_t ocb) {
    tensix_need(TX_INIT_UNTILIZE, TX_ANY, "untilize_block", "untilize_init_short", icb, TX_CB_KEEP, ocb);
    tensix_api->tilize(icb, block, ocb, 1);
}
}  // namespace ckernel
