// Rows to tiles: `block` pages of a circular buffer holding 32 rows of block x 32 values become `block` tiles.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
// The unpacker stays in its tilize mode until tilize_uninit ("before re-initializing for another operation"); 2024's
// tilize_init configures the hardware too (for formats the checker then does not follow).
ALWI void tilize_init(uint32_t icb, uint32_t block, uint32_t ocb = 16) {
    tensix_init(TX_INIT_TILIZE, TX_INIT_HW | TX_ANY, "tilize_init", TX_CB_UNKNOWN, TX_CB_KEEP, TX_CB_UNKNOWN);
}
ALWI void tilize_init_short(uint32_t icb, uint32_t block, uint32_t ocb = 16) { tensix_init(TX_INIT_TILIZE, TX_ANY, "tilize_init_short"); }
ALWI void tilize_init_short_with_dt(uint32_t old_icb, uint32_t new_icb, uint32_t block, uint32_t ocb = 16) {
    tensix_init(TX_INIT_TILIZE, TX_ANY, "tilize_init_short_with_dt", new_icb);
}
ALWI void tilize_uninit(uint32_t icb = 0, uint32_t ocb = 16) { tensix_init(TX_UNINIT_TILIZE, 0, "tilize_uninit"); }
ALWI void tilize_uninit_with_dt(uint32_t old_icb = 0, uint32_t new_icb = 1) { tensix_init(TX_UNINIT_TILIZE, 0, "tilize_uninit_with_dt", new_icb); }
ALWI void tilize_block(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t input_tile_index = 0, uint32_t output_tile_index = 0) {
    tensix_need(TX_INIT_TILIZE, TX_ANY, "tilize_block", "tilize_init_short", icb, TX_CB_KEEP, ocb);
    if (input_tile_index || output_tile_index) tensix_api->fail("tilize_block: tile indices other than 0 are not modelled");
    tensix_api->tilize(icb, block, ocb, 0);
}
// Today's fast tilize (Wormhole: through the register, a unit of two tiles at a time) gives the same tiles faster.
ALWI void fast_tilize_init(uint32_t icb, uint32_t full_dim, uint32_t ocb, uint32_t call_line = 0) {
    tensix_init(TX_INIT_TILIZE, TX_ANY, "fast_tilize_init", TX_CB_UNKNOWN, TX_CB_KEEP, TX_CB_UNKNOWN);
}
ALWI void fast_tilize_init_with_dt(uint32_t icb, uint32_t full_dim, uint32_t ocb) {
    tensix_init(TX_INIT_TILIZE, TX_ANY, "fast_tilize_init_with_dt", TX_CB_UNKNOWN, TX_CB_KEEP, TX_CB_UNKNOWN);
}
ALWI void fast_tilize_uninit(uint32_t icb, uint32_t ocb) { tensix_init(TX_UNINIT_TILIZE, 0, "fast_tilize_uninit"); }
ALWI void fast_tilize_block(uint32_t icb, uint32_t block, uint32_t ocb, uint32_t input_tile_index = 0, uint32_t output_tile_index = 0) {
    tilize_block(icb, block, ocb, input_tile_index, output_tile_index);
}
// 2024's max pool: tilize on the unpacker straight into source register A, for reduce_tile_math (reduce.h). The init
// sets how many rows of each face later unpacks take (the pool window's size).
ALWI void tilizeA_B_reduce_init(uint32_t icb0, uint32_t icb1_scaler, uint32_t block, uint32_t ocb = 16, uint32_t num_faces = 4,
                                uint32_t face_r_dim = 16) {
    tensix_init(TX_INIT_UNKNOWN, TX_INIT_HW | TX_ANY, "tilizeA_B_reduce_init", TX_CB_UNKNOWN, TX_CB_UNKNOWN, TX_CB_UNKNOWN);
    tensix_api->tilize_ab(icb0, icb1_scaler, 0, 0, num_faces, face_r_dim);
}
ALWI void tilizeA_B_init_unpack(uint32_t icb0, uint32_t icb1, uint32_t block) { tensix_init(TX_INIT_UNKNOWN, TX_ANY, "tilizeA_B_init_unpack"); }
ALWI void unpack_tilizeA_B_block(uint32_t icb0, uint32_t icb1, uint32_t block, uint32_t tile_idx_b, uint32_t num_faces = 4) {
    tensix_api->tilize_ab(icb0, icb1, block, tile_idx_b, num_faces, 0);
}
}  // namespace ckernel
