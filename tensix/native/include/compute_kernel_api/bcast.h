// Element-wise ops where the second tile is broadcast: ROW repeats its row 0 down every row, COL repeats its column 0
// across every column, SCALAR repeats its element [0][0].
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
constexpr uint32_t tensix_bcast(BroadcastType b) { return b == ROW ? TX_BCAST_ROW : b == COL ? TX_BCAST_COL : b == SCALAR ? TX_BCAST_SCALAR : TX_BCAST_NONE; }
constexpr uint32_t tensix_binop(EltwiseBinaryType t) { return t == ELWSUB ? TX_SUB : t == ELWMUL ? TX_MUL : TX_ADD; }

template <EltwiseBinaryType tBcastOp, BroadcastType tBcastDim>
ALWI void init_bcast(uint32_t icb0, uint32_t icb1, uint32_t ocb = 16) {}
template <EltwiseBinaryType tBcastOp, BroadcastType tBcastDim>
ALWI void any_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    static_assert(tBcastOp == ELWADD || tBcastOp == ELWSUB || tBcastOp == ELWMUL, "broadcast ops are add, sub and mul");
    tensix_api->binary(tensix_binop(tBcastOp), tensix_bcast(tBcastDim), icb0, icb1, itile0, itile1, idst, 0);
}
template <BroadcastType tBcastDim>
ALWI void add_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { any_tiles_bcast<ELWADD, tBcastDim>(icb0, icb1, itile0, itile1, idst); }
template <BroadcastType tBcastDim>
ALWI void sub_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { any_tiles_bcast<ELWSUB, tBcastDim>(icb0, icb1, itile0, itile1, idst); }
template <BroadcastType tBcastDim>
ALWI void mul_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { any_tiles_bcast<ELWMUL, tBcastDim>(icb0, icb1, itile0, itile1, idst); }

ALWI void add_bcast_rows_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void add_bcast_rows_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = 0) {}  // today's name
ALWI void add_bcast_cols_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void add_bcast_scalar_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void sub_bcast_cols_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void sub_bcast_rows_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void sub_tiles_bcast_scalar_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void mul_bcast_cols_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void mul_bcast_rows_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void mul_tiles_bcast_scalar_init_short(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void add_tiles_bcast_rows(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { add_tiles_bcast<ROW>(icb0, icb1, itile0, itile1, idst); }
ALWI void add_tiles_bcast_cols(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { add_tiles_bcast<COL>(icb0, icb1, itile0, itile1, idst); }
ALWI void add_tiles_bcast_scalar(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { add_tiles_bcast<SCALAR>(icb0, icb1, itile0, itile1, idst); }
ALWI void sub_tiles_bcast_cols(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { sub_tiles_bcast<COL>(icb0, icb1, itile0, itile1, idst); }
ALWI void sub_tiles_bcast_rows(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { sub_tiles_bcast<ROW>(icb0, icb1, itile0, itile1, idst); }
ALWI void sub_tiles_bcast_scalar(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { sub_tiles_bcast<SCALAR>(icb0, icb1, itile0, itile1, idst); }
ALWI void mul_tiles_bcast_cols(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { mul_tiles_bcast<COL>(icb0, icb1, itile0, itile1, idst); }
ALWI void mul_tiles_bcast_rows(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { mul_tiles_bcast<ROW>(icb0, icb1, itile0, itile1, idst); }
ALWI void mul_tiles_bcast_scalar(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { mul_tiles_bcast<SCALAR>(icb0, icb1, itile0, itile1, idst); }
}  // namespace ckernel
