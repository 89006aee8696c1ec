// Tile matrix multiply on the FPU: dst[idst] += in0 tile x in1 tile, at the kernel's math fidelity.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
ALWI void mm_init(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t out_cb_id = 16, const uint32_t transpose = 0) {}
ALWI void mm_init_short(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, const uint32_t transpose = 0) {}
ALWI void mm_init_short_with_dt(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t c_in_old_srca = 2, const uint32_t transpose = 0) {}
// Today's names: matmul_init / matmul_block_init (the output buffer went to compute_kernel_hw_startup), matmul_tile.
ALWI void matmul_init(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0, uint32_t call_line = 0) {}
ALWI void matmul_block_init(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0, uint32_t ct_dim = 1, uint32_t rt_dim = 1,
                            uint32_t kt_dim = 1, uint32_t call_line = 0) {}
ALWI void matmul_tile(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index, uint32_t idst,
                      const uint32_t transpose = 0) {
    tensix_api->matmul(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose);
}
ALWI void matmul_tiles(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index, uint32_t idst,
                       const uint32_t transpose = 0) {
    tensix_api->matmul(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose);
}
ALWI void mm_block_init(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t out_cb_id = 16, const uint32_t transpose = 0,
                        uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1) {}
ALWI void mm_block_init_short(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, const uint32_t transpose = 0, uint32_t ct_dim = 1,
                              uint32_t rt_dim = 1, uint32_t kt_dim = 1) {}
ALWI void mm_block_init_short_with_dt(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t old_in1_cb_id = 2, const uint32_t transpose = 0,
                                      uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1) {}
// One step along k for a block of rt_dim x ct_dim output tiles: in0 holds rows of kt_dim tiles, in1 rows of ct_dim tiles.
ALWI void matmul_block(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index, uint32_t idst,
                       const uint32_t transpose, uint32_t ct_dim, uint32_t rt_dim, uint32_t kt_dim) {
    for (uint32_t r = 0; r < rt_dim; r++)
        for (uint32_t c = 0; c < ct_dim; c++)
            tensix_api->matmul(in0_cb_id, in1_cb_id, in0_tile_index + r * kt_dim, in1_tile_index + c, idst + r * ct_dim + c, transpose);
}
}  // namespace ckernel
