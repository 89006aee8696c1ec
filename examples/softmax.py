"""A row-wise softmax, the first program built from several kernels a model uses: per row of tiles, reduce max,
subtract it (broadcast over columns), exp, reduce sum, recip, multiply (broadcast). The reader also makes the
scaler tile the reductions need; intermediate results stay in circular buffers in L1."""
import numpy as np
import tensix as tt
from tensix import reference
from tensix.examples.eltwise_sfpu import WRITER

READER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), n_tiles = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb = tt::CB::c_in0, cb_scaler = tt::CB::c_in2;
    cb_reserve_back(cb_scaler, 1);
    volatile tt_l1_ptr uint32_t* s = (volatile tt_l1_ptr uint32_t*)get_write_ptr(cb_scaler);
    for (int i = 0; i < 512; i++) s[i] = 0x3F803F80;  // two bfloat16 ones per word
    cb_push_back(cb_scaler, 1);
    const InterleavedAddrGenFast<true> a = {src, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t i = 0; i < n_tiles; i++) {
        cb_reserve_back(cb, 1);
        noc_async_read_tile(i, a, get_write_ptr(cb));
        noc_async_read_barrier();
        cb_push_back(cb, 1);
    }
}
"""

COMPUTE = r"""
#include "compute_kernel_api/eltwise_binary.h"
#include "compute_kernel_api/bcast.h"
#include "compute_kernel_api/reduce.h"
#include "compute_kernel_api/eltwise_unary/exp.h"
#include "compute_kernel_api/eltwise_unary/recip.h"

namespace NAMESPACE {
void MAIN {
    uint32_t Ht = get_arg_val<uint32_t>(0), Wt = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb_in = tt::CB::c_in0, cb_scaler = tt::CB::c_in2, cb_out = tt::CB::c_out0;
    constexpr uint32_t cb_max = tt::CB::c_intermed0, cb_exp = tt::CB::c_intermed1, cb_recip = tt::CB::c_intermed2;
    binary_op_init_common(cb_in, cb_scaler, cb_out);
    cb_wait_front(cb_scaler, 1);
    for (uint32_t h = 0; h < Ht; h++) {
        cb_wait_front(cb_in, Wt);
        acquire_dst(tt::DstMode::Half);                       // the row's maximum
        reduce_init_delta<false, PoolType::MAX, ReduceDim::REDUCE_ROW>();
        for (uint32_t w = 0; w < Wt; w++) reduce_tile<PoolType::MAX, ReduceDim::REDUCE_ROW>(cb_in, cb_scaler, w, 0, 0);
        reduce_revert_delta();
        cb_reserve_back(cb_max, 1);
        pack_tile(0, cb_max);
        cb_push_back(cb_max, 1);
        release_dst(tt::DstMode::Half);

        cb_wait_front(cb_max, 1);                              // exp(x - max)
        sub_bcast_cols_init_short();
        exp_tile_init();
        for (uint32_t w = 0; w < Wt; w++) {
            acquire_dst(tt::DstMode::Half);
            sub_tiles_bcast_cols(cb_in, cb_max, w, 0, 0);
            exp_tile(0);
            cb_reserve_back(cb_exp, 1);
            pack_tile(0, cb_exp);
            cb_push_back(cb_exp, 1);
            release_dst(tt::DstMode::Half);
        }
        cb_pop_front(cb_max, 1);
        cb_pop_front(cb_in, Wt);

        cb_wait_front(cb_exp, Wt);                             // 1 / sum
        acquire_dst(tt::DstMode::Half);
        reduce_init_delta<false, PoolType::SUM, ReduceDim::REDUCE_ROW>();
        for (uint32_t w = 0; w < Wt; w++) reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_exp, cb_scaler, w, 0, 0);
        reduce_revert_delta();
        recip_tile_init();
        recip_tile(0);
        cb_reserve_back(cb_recip, 1);
        pack_tile(0, cb_recip);
        cb_push_back(cb_recip, 1);
        release_dst(tt::DstMode::Half);

        cb_wait_front(cb_recip, 1);                            // exp(x - max) / sum
        mul_bcast_cols_init_short();
        for (uint32_t w = 0; w < Wt; w++) {
            acquire_dst(tt::DstMode::Half);
            mul_tiles_bcast_cols(cb_exp, cb_recip, w, 0, 0);
            cb_reserve_back(cb_out, 1);
            pack_tile(0, cb_out);
            cb_push_back(cb_out, 1);
            release_dst(tt::DstMode::Half);
        }
        cb_pop_front(cb_recip, 1);
        cb_pop_front(cb_exp, Wt);
    }
}
}  // namespace NAMESPACE
"""


def chip_softmax(x):
    """The same steps in numpy, each rounded to bfloat16 where the chip rounds."""
    r = tt.round_bfloat16
    m = reference.reduce(x, "max", "row")[:, None]
    e = r(np.exp(r(x - m)))
    s = r(1 / reference.reduce(e, "sum", "row"))[:, None]
    return r(reference.multiply(e, np.broadcast_to(s, e.shape)))


def run_softmax(dev, x):
    H, W = x.shape
    src = dev.buffer(tt.tilize(x), fmt=tt.bfloat16)
    dst = dev.buffer(src.size, page=2048)
    Wt = W // 32
    page = lambda i, n: tt.CB(i, tt.bfloat16, n)  # noqa: E731
    prog = tt.Program(dev, (0, 0), reader=tt.Kernel(READER, "reader_softmax"), compute=tt.Kernel(COMPUTE, "softmax"),
                      writer=tt.Kernel(WRITER, "writer_unary"), reader_args=[src.addr, src.pages], compute_args=[H // 32, Wt],
                      writer_args=[dst.addr, dst.pages],
                      cbs=[page(0, Wt), page(2, 1), page(16, 2), page(24, 1), page(25, Wt), page(26, 1)])
    run = dev.run(prog)
    y = tt.untilize(dst.read(tt.bfloat16), H, W)
    src.free(); dst.free()
    return y, run


def main(dev=None):
    dev = dev or tt.Device()
    x = tt.round_bfloat16(np.random.default_rng(6).standard_normal((64, 256)) * 3)
    y, run = run_softmax(dev, x)
    exact = np.exp(x - x.max(axis=1, keepdims=True))
    exact /= exact.sum(axis=1, keepdims=True)
    ok = np.allclose(y, chip_softmax(x), rtol=2 ** -7, atol=2 ** -12) and np.allclose(y, exact, rtol=2 ** -5, atol=2 ** -10)
    return ok, run


if __name__ == "__main__":
    ok, run = main()
    print(f"softmax: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e6:.1f} us on the chip)")
