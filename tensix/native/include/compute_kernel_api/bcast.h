// Element-wise ops where the second tile is broadcast: ROW repeats its row 0 down every row, COL repeats its column 0
// across every column, SCALAR repeats its element [0][0].
#pragma once
#include "compute_kernel_api/eltwise_binary.h"

namespace ckernel {
constexpr uint32_t tensix_bcast(BroadcastType b) { return b == ROW ? TX_BCAST_ROW : b == COL ? TX_BCAST_COL : b == SCALAR ? TX_BCAST_SCALAR : TX_BCAST_NONE; }

// The short inits by op and broadcast (rows, columns, scalar), as the checker names them.
constexpr const char* tensix_bcast_init[3][3] = {
    {"add_bcast_rows_init_short", "add_bcast_cols_init_short", "add_bcast_scalar_init_short"},
    {"sub_bcast_rows_init_short", "sub_bcast_cols_init_short", "sub_tiles_bcast_scalar_init_short"},
    {"mul_bcast_rows_init_short", "mul_bcast_cols_init_short", "mul_tiles_bcast_scalar_init_short"}};
template <EltwiseBinaryType tBcastOp, BroadcastType tBcastDim>  // the whole set-up: the formats too, for these buffers
ALWI void init_bcast(uint32_t icb0, uint32_t icb1, uint32_t ocb = 16) {
    tensix_init(TX_INIT_BINARY, TX_INIT_HW | tensix_binary_mode(tBcastOp, tensix_bcast(tBcastDim)), "init_bcast", TX_CB_UNKNOWN,
                TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
template <EltwiseBinaryType tBcastOp, BroadcastType tBcastDim>
ALWI void any_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    static_assert(tBcastOp == ELWADD || tBcastOp == ELWSUB || tBcastOp == ELWMUL, "broadcast ops are add, sub and mul");
    constexpr uint32_t mode = tensix_binary_mode(tBcastOp, tensix_bcast(tBcastDim));
    const char* fix = tBcastDim == NONE ? "init_bcast" : tensix_bcast_init[mode & 0xf][((mode >> 4) + 2) % 3];
    tensix_need(TX_INIT_BINARY, mode, "a broadcast tile op (*_tiles_bcast)", fix, icb0, icb1);
    tensix_api->binary(tensix_binary_mode(tBcastOp), tensix_bcast(tBcastDim), icb0, icb1, itile0, itile1, idst, 0);
}
template <BroadcastType tBcastDim>
ALWI void add_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { any_tiles_bcast<ELWADD, tBcastDim>(icb0, icb1, itile0, itile1, idst); }
template <BroadcastType tBcastDim>
ALWI void sub_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { any_tiles_bcast<ELWSUB, tBcastDim>(icb0, icb1, itile0, itile1, idst); }
template <BroadcastType tBcastDim>
ALWI void mul_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { any_tiles_bcast<ELWMUL, tBcastDim>(icb0, icb1, itile0, itile1, idst); }

#define TENSIX_BCAST_INIT(name, op, bcast) \
    ALWI void name(uint32_t icb0 = 0, uint32_t icb1 = 1) { tensix_init(TX_INIT_BINARY, op | bcast << 4, #name); }
TENSIX_BCAST_INIT(add_bcast_rows_init_short, TX_ADD, TX_BCAST_ROW)
TENSIX_BCAST_INIT(add_bcast_cols_init_short, TX_ADD, TX_BCAST_COL)
TENSIX_BCAST_INIT(add_bcast_scalar_init_short, TX_ADD, TX_BCAST_SCALAR)
TENSIX_BCAST_INIT(sub_bcast_cols_init_short, TX_SUB, TX_BCAST_COL)
TENSIX_BCAST_INIT(sub_bcast_rows_init_short, TX_SUB, TX_BCAST_ROW)
TENSIX_BCAST_INIT(sub_tiles_bcast_scalar_init_short, TX_SUB, TX_BCAST_SCALAR)
TENSIX_BCAST_INIT(mul_bcast_cols_init_short, TX_MUL, TX_BCAST_COL)
TENSIX_BCAST_INIT(mul_bcast_rows_init_short, TX_MUL, TX_BCAST_ROW)
TENSIX_BCAST_INIT(mul_tiles_bcast_scalar_init_short, TX_MUL, TX_BCAST_SCALAR)
#undef TENSIX_BCAST_INIT
ALWI void add_bcast_rows_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = 0) {  // today's name
    tensix_init(TX_INIT_BINARY, TX_ADD | TX_BCAST_ROW << 4, "add_bcast_rows_init", TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
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
