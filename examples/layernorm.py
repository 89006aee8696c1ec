"""Layer normalization over the last dimension, y = (x - mean) / sqrt(var + eps) * gamma + beta, as tt-metal's 2024
layernorm op computes it on the chip: each core takes blocks of 32 rows (Wt tiles wide). Per block: the mean is a
row reduction with the scaler 1/W, x - mean a column broadcast, the variance another reduction of the squares,
1/sqrt(var + eps) the SFPU's sqrt and recip (compute_kernel_api/layernorm.h) on a scalar broadcast, then the column
broadcast multiply and gamma and beta as row broadcasts. Every intermediate goes through a circular buffer in
bfloat16, as it does on the chip, and the reference (reference.layernorm) rounds where the chip rounds."""
import numpy as np
import tensix as tt
from tensix import reference

READER = r"""
#include "dataflow_api.h"
#include "tt_eager/tt_dnn/kernels/dataflow/generate_reduce_scaler.hpp"

void kernel_main() {
    uint32_t x_addr = get_arg_val<uint32_t>(0), gamma_addr = get_arg_val<uint32_t>(1), beta_addr = get_arg_val<uint32_t>(2);
    uint32_t first = get_arg_val<uint32_t>(3), blocks = get_arg_val<uint32_t>(4);
    uint32_t scaler = get_arg_val<uint32_t>(5), eps = get_arg_val<uint32_t>(6);
    constexpr uint32_t Wt = get_compile_time_arg_val(0);
    constexpr uint32_t cb_x = tt::CB::c_in0, cb_scaler = tt::CB::c_in1, cb_eps = tt::CB::c_in2;
    constexpr uint32_t cb_gamma = tt::CB::c_in5, cb_beta = tt::CB::c_in6;
    generate_reduce_scaler(cb_scaler, scaler);  // 1/W
    cb_reserve_back(cb_eps, 1);                 // eps, for a scalar broadcast
    volatile tt_l1_ptr uint16_t* e = (volatile tt_l1_ptr uint16_t*)get_write_ptr(cb_eps);
    for (uint32_t i = 0; i < 1024; i++) e[i] = eps >> 16;
    cb_push_back(cb_eps, 1);
    const uint32_t tile = get_tile_size(cb_x);
    const DataFormat fmt = get_dataformat(cb_x);
    const InterleavedAddrGenFast<true> x = {x_addr, tile, fmt}, gamma = {gamma_addr, tile, fmt}, beta = {beta_addr, tile, fmt};
    for (uint32_t g = 0; g < 2; g++) {   // gamma, then beta: one row of tiles, their values in row 0
        uint32_t cb = g == 0 ? cb_gamma : cb_beta;
        cb_reserve_back(cb, Wt);
        for (uint32_t t = 0; t < Wt; t++) noc_async_read_tile(t, g == 0 ? gamma : beta, get_write_ptr(cb) + t * tile);
        noc_async_read_barrier();
        cb_push_back(cb, Wt);
    }
    for (uint32_t b = 0; b < blocks; b++) {
        cb_reserve_back(cb_x, Wt);
        for (uint32_t t = 0; t < Wt; t++) noc_async_read_tile((first + b) * Wt + t, x, get_write_ptr(cb_x) + t * tile);
        noc_async_read_barrier();
        cb_push_back(cb_x, Wt);
    }
}
"""

WRITER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t y_addr = get_arg_val<uint32_t>(0), first = get_arg_val<uint32_t>(1), blocks = get_arg_val<uint32_t>(2);
    constexpr uint32_t Wt = get_compile_time_arg_val(0), cb = tt::CB::c_out0;
    const InterleavedAddrGenFast<true> y = {y_addr, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t i = 0; i < blocks * Wt; i++) {
        cb_wait_front(cb, 1);
        noc_async_write_tile(first * Wt + i, y, get_read_ptr(cb));
        noc_async_write_barrier();
        cb_pop_front(cb, 1);
    }
}
"""

COMPUTE = r"""
#include "compute_kernel_api/reduce.h"
#include "compute_kernel_api/bcast.h"
#include "compute_kernel_api/eltwise_binary.h"
#include "compute_kernel_api/layernorm.h"

namespace NAMESPACE {
// One tile: run `op` into register tile 0 and pack it to `out`.
template <typename Op>
FORCE_INLINE void to_cb(uint32_t out, Op op) {
    tile_regs_acquire();
    op();
    tile_regs_commit();
    cb_reserve_back(out, 1);
    tile_regs_wait();
    pack_tile(0, out);
    tile_regs_release();
    cb_push_back(out, 1);
}

void MAIN {
    uint32_t blocks = get_arg_val<uint32_t>(0);
    constexpr uint32_t Wt = get_compile_time_arg_val(0);
    constexpr uint32_t cb_x = tt::CB::c_in0, cb_scaler = tt::CB::c_in1, cb_eps = tt::CB::c_in2;
    constexpr uint32_t cb_gamma = tt::CB::c_in5, cb_beta = tt::CB::c_in6, cb_out = tt::CB::c_out0;
    constexpr uint32_t cb_xmm = tt::CB::c_intermed0, cb_mean = tt::CB::c_intermed1, cb_sq = tt::CB::c_intermed2;
    constexpr uint32_t cb_var = tt::CB::c_intermed3, cb_rstd = tt::CB::c_intermed4, cb_norm = tt::CB::c_intermed5;
    constexpr uint32_t cb_scaled = tt::CB::c_intermed6;
    binary_op_init_common(cb_x, cb_x, cb_out);
    cb_wait_front(cb_scaler, 1); cb_wait_front(cb_eps, 1); cb_wait_front(cb_gamma, Wt); cb_wait_front(cb_beta, Wt);
    for (uint32_t b = 0; b < blocks; b++) {
        cb_wait_front(cb_x, Wt);
        reduce_init_delta<false>();                                       // E[x] = sum(x) / W, per row
        to_cb(cb_mean, [&] { for (uint32_t t = 0; t < Wt; t++) reduce_tile(cb_x, cb_scaler, t, 0, 0); });
        reduce_revert_delta();
        cb_wait_front(cb_mean, 1);
        sub_bcast_cols_init_short();                                      // x - E[x]
        for (uint32_t t = 0; t < Wt; t++) to_cb(cb_xmm, [&] { sub_tiles_bcast_cols(cb_x, cb_mean, t, 0, 0); });
        cb_pop_front(cb_mean, 1);
        cb_pop_front(cb_x, Wt);
        cb_wait_front(cb_xmm, Wt);
        mul_tiles_init();                                                 // (x - E[x])^2
        for (uint32_t t = 0; t < Wt; t++) to_cb(cb_sq, [&] { mul_tiles(cb_xmm, cb_xmm, t, t, 0); });
        cb_wait_front(cb_sq, Wt);
        reduce_init_delta<false>();                                       // Var[x]
        to_cb(cb_var, [&] { for (uint32_t t = 0; t < Wt; t++) reduce_tile(cb_sq, cb_scaler, t, 0, 0); });
        reduce_revert_delta();
        cb_pop_front(cb_sq, Wt);
        cb_wait_front(cb_var, 1);
        add_bcast_scalar_init_short();                                    // 1 / sqrt(Var[x] + eps)
        to_cb(cb_rstd, [&] {
            add_tiles_bcast_scalar(cb_var, cb_eps, 0, 0, 0);
            sqrt_tile_init(); sqrt_tile(0);
            recip_tile_init(); recip_tile(0);
        });
        cb_pop_front(cb_var, 1);
        cb_wait_front(cb_rstd, 1);
        mul_bcast_cols_init_short();                                      // (x - E[x]) / sqrt(...)
        for (uint32_t t = 0; t < Wt; t++) to_cb(cb_norm, [&] { mul_tiles_bcast_cols(cb_xmm, cb_rstd, t, 0, 0); });
        cb_pop_front(cb_rstd, 1);
        cb_pop_front(cb_xmm, Wt);
        cb_wait_front(cb_norm, Wt);
        mul_bcast_rows_init_short();                                      // * gamma
        for (uint32_t t = 0; t < Wt; t++) to_cb(cb_scaled, [&] { mul_tiles_bcast_rows(cb_norm, cb_gamma, t, t, 0); });
        cb_pop_front(cb_norm, Wt);
        cb_wait_front(cb_scaled, Wt);
        add_bcast_rows_init_short();                                      // + beta
        for (uint32_t t = 0; t < Wt; t++) to_cb(cb_out, [&] { add_tiles_bcast_rows(cb_scaled, cb_beta, t, t, 0); });
        cb_pop_front(cb_scaled, Wt);
    }
}
}  // namespace NAMESPACE
"""

# What tt-metal's layernorm host defines for its reductions.
REDUCE = {"REDUCE_OP": "PoolType::SUM", "REDUCE_DIM": "ReduceDim::REDUCE_ROW"}


def bf16_bits(v): return int(tt.formats.bfloat16_bits(np.float32(v))) << 16


def run_layernorm(dev, x, gamma, beta, eps=1e-5, cores=tt.CoreRange((0, 0), (3, 1))):
    rows, cols = x.shape
    Ht, Wt = rows // 32, cols // 32
    cores = tt.program.cores_of(cores)[:Ht]
    per, extra = divmod(Ht, len(cores))
    first = {c: i * per + min(i, extra) for i, c in enumerate(cores)}
    count = {c: per + (i < extra) for i, c in enumerate(cores)}
    row0 = lambda v: np.vstack([np.asarray(v, np.float32)[None, :], np.zeros((31, cols), np.float32)])
    tx = dev.buffer(tt.tilize(x, tt.bfloat16), fmt=tt.bfloat16)
    tg = dev.buffer(tt.tilize(row0(gamma), tt.bfloat16), fmt=tt.bfloat16)
    tb = dev.buffer(tt.tilize(row0(beta), tt.bfloat16), fmt=tt.bfloat16)
    ty = dev.buffer(rows * cols * 2, page=2048)
    ct = [Wt]
    cbs = [tt.CB(0, pages=Wt), tt.CB(1, pages=1), tt.CB(2, pages=1), tt.CB(5, pages=Wt), tt.CB(6, pages=Wt),
           tt.CB(16, pages=2), tt.CB(24, pages=Wt), tt.CB(25, pages=1), tt.CB(26, pages=Wt), tt.CB(27, pages=1),
           tt.CB(28, pages=1), tt.CB(29, pages=Wt), tt.CB(30, pages=Wt)]
    prog = tt.Program(dev, cores, reader=tt.Kernel(READER, "reader_layernorm", compile_args=ct),
                      writer=tt.Kernel(WRITER, "writer_layernorm", compile_args=ct),
                      compute=tt.Kernel(COMPUTE, "layernorm", compile_args=ct, defines=REDUCE),
                      reader_args=lambda c: [tx.addr, tg.addr, tb.addr, first[c], count[c], bf16_bits(1 / cols), bf16_bits(eps)],
                      writer_args=lambda c: [ty.addr, first[c], count[c]], compute_args=lambda c: [count[c]], cbs=cbs)
    run = dev.run(prog)
    y = tt.untilize(ty.read(tt.bfloat16.dtype), rows, cols, np.float32)
    for buf in (tx, tg, tb, ty): buf.free()
    return y, run


def main(dev=None, rows=256, cols=512):
    dev = dev or tt.Device()
    rng = np.random.default_rng(9)
    x = tt.round_bfloat16(rng.normal(0.5, 2.0, (rows, cols)))
    gamma, beta = tt.round_bfloat16(rng.uniform(0.5, 1.5, cols)), tt.round_bfloat16(rng.uniform(-1, 1, cols))
    y, run = run_layernorm(dev, x, gamma, beta)
    want = reference.layernorm(x, gamma, beta, 1e-5)
    return bool(np.allclose(y, want, rtol=2 ** -7, atol=2 ** -7)), run


if __name__ == "__main__":
    ok, run = main()
    print(f"layernorm 256x512: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles)")
