// Untilize on the packer: block_ct_dim tiles in, the same data as rows out.
#pragma once
#include "compute_kernel_api/untilize.h"

namespace ckernel {
template <uint32_t block_ct_dim = 8>
ALWI void pack_untilize_init(uint32_t icb, uint32_t ocb) {}
template <uint32_t block_ct_dim = 8>
ALWI void pack_untilize_init_short(uint32_t icb, uint32_t ocb) {}
ALWI void pack_untilize_uninit(uint32_t ocb = 16) {}
template <uint32_t block_ct_dim = 8>
ALWI void pack_untilize_block(uint32_t icb, uint32_t block_rt_dim, uint32_t ocb) {
    for (uint32_t r = 0; r < block_rt_dim; r++) tensix_api->tilize(icb, block_ct_dim, ocb, 1);
}
// Untilize from the register: block_rt_dim x block_ct_dim register tiles go out as rows into the pages reserved in ocb,
// which hold rows full_ct_dim tiles wide; this block lands at column block block_c_index (the fused matmul's
// reblock_and_untilize packs each subblock of a row of subblocks this way, then pushes the whole row).
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim>
ALWI void pack_untilize_dst_init_short(uint32_t ocb, uint32_t face_r_dim = 16, uint32_t num_faces = 4) {}
template <uint32_t block_ct_dim = 8, uint32_t full_ct_dim = block_ct_dim>
ALWI void pack_untilize_dst(uint32_t ocb, uint32_t block_rt_dim = 1, uint32_t block_c_index = 0, uint32_t face_r_dim = 16, uint32_t num_faces = 4) {
    if (face_r_dim != 16 || num_faces != 4) {  // part of each tile (2024's max pool: one row): one row of tiles only
        if (block_rt_dim != 1 || block_c_index != 0 || full_ct_dim != block_ct_dim)
            tensix_api->fail("pack_untilize_dst: part of a tile (face_r_dim < 16 or num_faces < 4) is modelled for one whole row of tiles");
        tensix_api->pack_untilize_faces(0, block_ct_dim, ocb, face_r_dim, num_faces);
        return;
    }
    tensix_api->pack_untilize(0, block_ct_dim, full_ct_dim, block_c_index, block_rt_dim, ocb);
}
}  // namespace ckernel
