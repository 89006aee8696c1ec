// Tile matrix multiply on the FPU: dst[idst] += in0 tile x in1 tile, at the kernel's math fidelity.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
// The matmul unpacks in1 to srcA and in0 to srcB (tt-metal's llk_unpack_AB_matmul); its full inits configure the
// hardware for those formats.
ALWI void tensix_mm_init(const char* call, uint32_t hw, int32_t srca, int32_t srcb, int32_t pack = TX_CB_KEEP) {
    tensix_api->matmul_fidelity(MATH_FIDELITY);
    tensix_init(TX_INIT_MATMUL, hw | TX_ANY, call, srca, srcb, pack);
}
ALWI void mm_init(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t out_cb_id = 16, const uint32_t transpose = 0) {
    tensix_mm_init("mm_init", TX_INIT_HW, in1_cb_id, in0_cb_id, out_cb_id);
}
ALWI void mm_init_short(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, const uint32_t transpose = 0) {
    tensix_mm_init("mm_init_short", 0, TX_CB_KEEP, TX_CB_KEEP);
}
ALWI void mm_init_short_with_dt(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t c_in_old_srca = 2, const uint32_t transpose = 0) {
    tensix_mm_init("mm_init_short_with_dt", 0, in1_cb_id, TX_CB_KEEP);
}
// Today's names: matmul_init / matmul_block_init (the output buffer went to compute_kernel_hw_startup), matmul_tile.
ALWI void matmul_init(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0, uint32_t call_line = 0) {
    tensix_mm_init("matmul_init", 0, TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
ALWI void matmul_block_init(uint32_t in0_cb_id, uint32_t in1_cb_id, const uint32_t transpose = 0, uint32_t ct_dim = 1, uint32_t rt_dim = 1,
                            uint32_t kt_dim = 1, uint32_t call_line = 0) { tensix_mm_init("matmul_block_init", 0, TX_CB_UNKNOWN, TX_CB_UNKNOWN); }
ALWI void matmul_tile(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index, uint32_t idst,
                      const uint32_t transpose = 0) {
    tensix_need(TX_INIT_MATMUL, TX_ANY, "matmul_tile", "matmul_init", in1_cb_id, in0_cb_id);
    tensix_api->matmul(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose);
}
ALWI void matmul_tiles(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index, uint32_t idst,
                       const uint32_t transpose = 0) {
    tensix_need(TX_INIT_MATMUL, TX_ANY, "matmul_tiles", "mm_init_short", in1_cb_id, in0_cb_id);
    tensix_api->matmul(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose);
}
ALWI void mm_block_init(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t out_cb_id = 16, const uint32_t transpose = 0,
                        uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1) {
    tensix_mm_init("mm_block_init", TX_INIT_HW, in1_cb_id, in0_cb_id, out_cb_id);
}
ALWI void mm_block_init_short(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, const uint32_t transpose = 0, uint32_t ct_dim = 1,
                              uint32_t rt_dim = 1, uint32_t kt_dim = 1) { tensix_mm_init("mm_block_init_short", 0, TX_CB_KEEP, TX_CB_KEEP); }
ALWI void mm_block_init_short_with_dt(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t old_in1_cb_id = 2, const uint32_t transpose = 0,
                                      uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1) {
    tensix_mm_init("mm_block_init_short_with_dt", 0, in1_cb_id, TX_CB_KEEP);
}
// One step along k for a block of rt_dim x ct_dim output tiles: in0 holds rows of kt_dim tiles, in1 rows of ct_dim tiles.
ALWI void matmul_block(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index, uint32_t idst,
                       const uint32_t transpose, uint32_t ct_dim, uint32_t rt_dim, uint32_t kt_dim) {
    tensix_need(TX_INIT_MATMUL, TX_ANY, "matmul_block", "mm_block_init_short", in1_cb_id, in0_cb_id);
    for (uint32_t r = 0; r < rt_dim; r++)
        for (uint32_t c = 0; c < ct_dim; c++)
            tensix_api->matmul(in0_cb_id, in1_cb_id, in0_tile_index + r * kt_dim, in1_tile_index + c, idst + r * ct_dim + c, transpose);
}

// The LLK calls under those, which kernels (ttnn's kernel_lib reduce) also make directly: the init sets the fidelity
// (the template's, not the kernel's); the unpack call names the operand tiles, the math call multiplies them into the
// register (MM_THROTTLE only slows the chip's math down: its effect is timing).
#ifndef MM_THROTTLE
#define MM_THROTTLE 0
#endif
#define MM_THROTTLE_MAX 5
template <auto math_fidelity = MATH_FIDELITY, int throttle = 0, auto... more>
ALWI void llk_math_matmul_init(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t transpose = 0, uint32_t ct_dim = 1,
                               uint32_t rt_dim = 1, uint32_t kt_dim = 1) {
    tensix_api->matmul_fidelity((uint32_t)math_fidelity);
    tensix_init(TX_INIT_UNKNOWN, TX_ANY, "llk_math_matmul_init");  // half a mode: the checker does not follow it
}
ALWI void llk_unpack_AB_matmul_init(uint32_t in0_cb_id = 0, uint32_t in1_cb_id = 1, uint32_t transpose = 0, uint32_t ct_dim = 1,
                                    uint32_t rt_dim = 1, uint32_t kt_dim = 1) { tensix_init(TX_INIT_UNKNOWN, TX_ANY, "llk_unpack_AB_matmul_init"); }
struct TensixUnpackedMatmul { uint32_t cb0, cb1, t0, t1, kt_dim; };
inline TensixUnpackedMatmul tensix_unpacked_matmul;
ALWI void llk_unpack_AB_matmul(uint32_t in0_cb_id, uint32_t in1_cb_id, uint32_t in0_tile_index, uint32_t in1_tile_index,
                               uint32_t ct_dim = 1, uint32_t rt_dim = 1, uint32_t kt_dim = 1) {
    tensix_unpacked_matmul = {in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, kt_dim};
}
template <auto math_fidelity = MATH_FIDELITY, int throttle = 0, auto... more>
ALWI void llk_math_matmul(uint32_t idst, uint32_t ct_dim = 1, uint32_t rt_dim = 1) {
    tensix_api->matmul_fidelity((uint32_t)math_fidelity);
    const TensixUnpackedMatmul& u = tensix_unpacked_matmul;
    for (uint32_t r = 0; r < rt_dim; r++)
        for (uint32_t c = 0; c < ct_dim; c++) tensix_api->matmul(u.cb0, u.cb1, u.t0 + r * u.kt_dim, u.t1 + c, idst + r * ct_dim + c, 0);
}
}  // namespace ckernel
