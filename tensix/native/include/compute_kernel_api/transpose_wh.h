// Transpose a tile (rows become columns) on its way into the destination register.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
ALWI void transpose_wh_init(uint32_t icb, uint32_t ocb = 16) {
    tensix_init(TX_INIT_TRANSPOSE, TX_INIT_HW | TX_ANY, "transpose_wh_init", TX_CB_UNKNOWN, TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
ALWI void transpose_wh_init_short(uint32_t icb) { tensix_init(TX_INIT_TRANSPOSE, TX_ANY, "transpose_wh_init_short"); }
ALWI void transpose_wh_tile(uint32_t icb, uint32_t itile, uint32_t idst) {
    tensix_need(TX_INIT_TRANSPOSE, TX_ANY, "transpose_wh_tile", "transpose_wh_init_short", icb);
    tensix_api->transpose(icb, itile, idst);
}
}  // namespace ckernel
