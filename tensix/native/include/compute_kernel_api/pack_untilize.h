// Untilize on the packer: block_ct_dim tiles in, the same data as rows out.
#pragma once
#include "compute_kernel_api/untilize.h"

namespace ckernel {
// full_ct_dim (today's): the output rows are full_ct_dim tiles wide, and this block of block_ct_dim tiles goes to
// column block block_c_index of them (ttnn's untilize helpers untilize a wide row in blocks the register holds).
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim>
// (the unpacker's and math engine's side: a copy the checker does not follow; the packer untilizes until
// pack_untilize_uninit)
ALWI void pack_untilize_init(uint32_t icb, uint32_t ocb, uint32_t call_line = 0) {
    tensix_init(TX_INIT_UNKNOWN, TX_INIT_HW | TX_ANY, "pack_untilize_init", TX_CB_UNKNOWN, TX_CB_KEEP, TX_CB_UNKNOWN);
    tensix_init(TX_INIT_PACK_UNTILIZE, 0, "pack_untilize_init");
}
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim>
ALWI void pack_untilize_init_short(uint32_t icb, uint32_t ocb) {
    tensix_init(TX_INIT_UNKNOWN, TX_ANY, "pack_untilize_init_short");
    tensix_init(TX_INIT_PACK_UNTILIZE, 0, "pack_untilize_init_short");
}
ALWI void pack_untilize_uninit(uint32_t ocb = 16) { tensix_init(TX_UNINIT_PACK_UNTILIZE, 0, "pack_untilize_uninit"); }
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim>
ALWI void pack_untilize_block(uint32_t icb, uint32_t block_rt_dim, uint32_t ocb, uint32_t block_c_index = 0) {
    tensix_need(TX_INIT_PACK_UNTILIZE, 0, "pack_untilize_block", "pack_untilize_init_short", icb, TX_CB_KEEP, ocb);
    if (full_ct_dim == block_ct_dim && block_c_index == 0)
        for (uint32_t r = 0; r < block_rt_dim; r++) tensix_api->tilize(icb, block_ct_dim, ocb, 1);
    else tensix_api->untilize_rows(icb, block_ct_dim, full_ct_dim, block_c_index, block_rt_dim, ocb);
}
// Untilize from the register: block_rt_dim x block_ct_dim register tiles go out as rows into the pages reserved in ocb,
// which hold rows full_ct_dim tiles wide; this block lands at column block block_c_index (the fused matmul's
// reblock_and_untilize packs each subblock of a row of subblocks this way, then pushes the whole row).
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim>
ALWI void pack_untilize_dst_init_short(uint32_t ocb, uint32_t face_r_dim = 16, uint32_t num_faces = 4) {
    tensix_init(TX_INIT_PACK_UNTILIZE, 0, "pack_untilize_dst_init_short");
}
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim>
ALWI void pack_untilize_dst(uint32_t ocb, uint32_t block_rt_dim = 1, uint32_t block_c_index = 0, uint32_t face_r_dim = 16, uint32_t num_faces = 4) {
    tensix_need(TX_INIT_PACK_UNTILIZE, 0, "pack_untilize_dst", "pack_untilize_dst_init_short", TX_CB_KEEP, TX_CB_KEEP, ocb);
    if (face_r_dim != 16 || num_faces != 4) {  // part of each tile (2024's max pool: one row): one row of tiles only
        if (block_rt_dim != 1 || block_c_index != 0 || full_ct_dim != block_ct_dim)
            tensix_api->fail("pack_untilize_dst: part of a tile (face_r_dim < 16 or num_faces < 4) is modelled for one whole row of tiles");
        tensix_api->pack_untilize_faces(0, block_ct_dim, ocb, face_r_dim, num_faces);
        return;
    }
    tensix_api->pack_untilize(0, block_ct_dim, full_ct_dim, block_c_index, block_rt_dim, ocb);
}
// Today's names for those two (pack_untilize_dest_init, pack_untilize_dest); narrow rows, diagonal packing, dense
// two-face tiles and destination offsets are not modelled: a kernel that asks for them stops, naming the call.
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool narrow_row = false, uint32_t row_num_datums = 32,
          bool dense = false>
ALWI void pack_untilize_dest_init(uint32_t ocb, uint32_t face_r_dim = 16, uint32_t num_faces = 4, uint32_t call_line = 0) {
    static_assert(!narrow_row && !dense, "pack_untilize_dest_init: narrow rows and dense tiles are not modelled by tensix");
    tensix_init(TX_INIT_PACK_UNTILIZE, 0, "pack_untilize_dest_init", TX_CB_KEEP, TX_CB_KEEP, TX_CB_UNKNOWN);
}
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim, bool diagonal = false, bool narrow_row = false,
          uint32_t row_num_datums = 32, uint32_t tile_dst_ct_offset = 0, bool dense = false>
ALWI void pack_untilize_dest(uint32_t ocb, uint32_t block_rt_dim = 1, uint32_t block_c_index = 0, uint32_t face_r_dim = 16,
                             uint32_t num_faces = 4, uint32_t tile_dst_rt_offset = 0) {
    static_assert(!diagonal && !narrow_row && !dense && tile_dst_ct_offset == 0,
                  "pack_untilize_dest: diagonal packing, narrow rows, dense tiles and register offsets are not modelled by tensix");
    if (tile_dst_rt_offset) tensix_api->fail("pack_untilize_dest: a register offset (tile_dst_rt_offset) is not modelled");
    pack_untilize_dst<block_ct_dim, full_ct_dim>(ocb, block_rt_dim, block_c_index, face_r_dim, num_faces);
}
}  // namespace ckernel
