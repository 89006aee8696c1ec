// Reduce a tile over rows (result in column 0), columns (row 0) or both ([0][0]), scaled by the first value of a
// scaler tile, accumulating into the destination tile. The op and dimension come as template args or as the
// REDUCE_OP / REDUCE_DIM defines.
#pragma once
#include "compute_kernel_api/common.h"

#ifndef REDUCE_OP
#define REDUCE_OP PoolType(0xff)  // none: reduce_tile then needs the op as a template argument (checked below)
#endif
#ifndef REDUCE_DIM
#define REDUCE_DIM ReduceDim(0xff)
#endif

namespace ckernel {
uint32_t tensix_reduce_min_is_not_modelled();  // never defined: a reduce with PoolType::MIN fails to build
constexpr uint32_t tensix_pool(PoolType p) {
    return p == MIN ? tensix_reduce_min_is_not_modelled() : p == MAX ? TX_POOL_MAX : p == AVG ? TX_POOL_AVG : TX_POOL_SUM;
}
constexpr uint32_t tensix_dim(ReduceDim d) { return d == REDUCE_COL ? TX_REDUCE_COL : d == REDUCE_SCALAR ? TX_REDUCE_SCALAR : TX_REDUCE_ROW; }

// The checker's reduce mode: pool | dimension << 4 (0xf: not known here). The inits set the unpacker and math engine
// for the reduce and (but the _no_pack and _math ones) the packer's edge mask, which stays until reduce_uninit (2024:
// reduce_revert_delta) clears it; 2024's full reduce_init configures the hardware for its buffers too.
constexpr uint32_t tensix_reduce_mode(PoolType p, ReduceDim d) {
    return (p == PoolType(0xff) || p == MIN ? 0xf : tensix_pool(p)) | (d == ReduceDim(0xff) ? 0xf : tensix_dim(d)) << 4;
}
ALWI void tensix_reduce_init(const char* call, uint32_t mode, int32_t icb = TX_CB_KEEP, int32_t icb_scaler = TX_CB_KEEP, int32_t ocb = TX_CB_KEEP) {
    tensix_init(TX_INIT_REDUCE, mode, call, icb, icb_scaler, ocb);
}
template <bool at_start = true, PoolType reduce_type = REDUCE_OP, ReduceDim reduce_dim = REDUCE_DIM>
ALWI void reduce_init(uint32_t icb, uint32_t icb_scaler, uint32_t ocb = 16) {
    tensix_reduce_init("reduce_init", TX_INIT_HW | TX_INIT_PACK_MASK | tensix_reduce_mode(reduce_type, reduce_dim), icb, icb_scaler, ocb);
}
// Today's: the op and dimension lead the template arguments.
template <PoolType reduce_type, ReduceDim reduce_dim, bool enforce_fp32_accumulation = false>
ALWI void reduce_init(uint32_t icb, uint32_t icb_scaler, uint32_t ocb = 16, uint32_t call_line = 0) {
    tensix_reduce_init("reduce_init", TX_INIT_PACK_MASK | tensix_reduce_mode(reduce_type, reduce_dim), TX_CB_UNKNOWN, TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
ALWI void reduce_uninit() { tensix_init(TX_UNINIT_REDUCE, 0, "reduce_uninit"); }
template <bool enforce_fp32_accumulation = false>
ALWI void reduce_uninit(uint32_t icb = 0) { reduce_uninit(); }
template <bool at_start>
ALWI void reduce_init(PoolType reduce_op, ReduceDim dim, uint32_t icb, uint32_t icb_scaler, uint32_t ocb = 16) {
    tensix_reduce_init("reduce_init", TX_INIT_HW | TX_INIT_PACK_MASK | tensix_reduce_mode(reduce_op, dim), icb, icb_scaler, ocb);
}
template <bool at_start = true, PoolType reduce_type = REDUCE_OP, ReduceDim reduce_dim = REDUCE_DIM>
ALWI void reduce_init_delta(uint32_t ocb = 16, uint32_t icb0 = 0, uint32_t icb1 = 1) {
    tensix_reduce_init("reduce_init_delta", TX_INIT_PACK_MASK | tensix_reduce_mode(reduce_type, reduce_dim));
}
template <bool at_start>
ALWI void reduce_init_delta(PoolType reduce_op, ReduceDim dim, uint32_t ocb = 16) {
    tensix_reduce_init("reduce_init_delta", TX_INIT_PACK_MASK | tensix_reduce_mode(reduce_op, dim));
}
ALWI void reduce_init_short(uint32_t icb, uint32_t icb_scaler, uint32_t ocb = 16) {
    tensix_reduce_init("reduce_init_short", TX_INIT_PACK_MASK | tensix_reduce_mode(REDUCE_OP, REDUCE_DIM));
}
ALWI void reduce_init_delta_no_pack(uint32_t icb0 = 0, uint32_t icb1 = 1) {  // 2024's: unpacker and math only
    tensix_reduce_init("reduce_init_delta_no_pack", tensix_reduce_mode(REDUCE_OP, REDUCE_DIM));
}
ALWI void reduce_init_delta_math() { tensix_init(TX_INIT_UNKNOWN, TX_ANY, "reduce_init_delta_math"); }  // math only: half a mode
ALWI void reduce_revert_delta(uint32_t ocb = 16) { tensix_init(TX_UNINIT_REDUCE, 0, "reduce_revert_delta"); }
ALWI void reduce_revert_delta(ReduceDim dim, uint32_t ocb = 16) { reduce_revert_delta(ocb); }

template <PoolType reduce_type = REDUCE_OP, ReduceDim reduce_dim = REDUCE_DIM, bool enforce_fp32_accumulation = false>
ALWI void reduce_tile(uint32_t icb, uint32_t icb_scaler, uint32_t itile, uint32_t itile_scaler, uint32_t idst) {
    static_assert(reduce_type != PoolType(0xff) && reduce_dim != ReduceDim(0xff),
                  "reduce_tile needs REDUCE_OP and REDUCE_DIM defined (PoolType::SUM, ReduceDim::REDUCE_ROW, ...) or given as template arguments");
    tensix_need(TX_INIT_REDUCE, tensix_reduce_mode(reduce_type, reduce_dim), "reduce_tile", "reduce_init of its op and dimension", icb, icb_scaler);
    tensix_api->reduce(tensix_pool(reduce_type), tensix_dim(reduce_dim), icb, icb_scaler, itile, itile_scaler, idst);
}
ALWI void reduce_tile(PoolType reduce_op, ReduceDim dim, uint32_t icb, uint32_t icb_scaler, uint32_t itile, uint32_t itile_scaler,
                      uint32_t idst) {
    tensix_need(TX_INIT_REDUCE, tensix_reduce_mode(reduce_op, dim), "reduce_tile", "reduce_init of its op and dimension", icb, icb_scaler);
    tensix_api->reduce(tensix_pool(reduce_op), tensix_dim(dim), icb, icb_scaler, itile, itile_scaler, idst);
}
// 2024's: reduce the next tile unpack_tilizeA_B_block put in source register A (num_faces of it) into register tile idst.
template <PoolType reduce_type = REDUCE_OP, ReduceDim reduce_dim = REDUCE_DIM>
ALWI void reduce_tile_math(uint32_t idst, uint32_t num_faces = 4) {
    static_assert(reduce_type != PoolType(0xff) && reduce_dim != ReduceDim(0xff), "reduce_tile_math needs REDUCE_OP and REDUCE_DIM defined");
    tensix_api->reduce_math(tensix_pool(reduce_type), tensix_dim(reduce_dim), idst, num_faces);
}
}  // namespace ckernel
