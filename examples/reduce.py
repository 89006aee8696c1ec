"""Reductions: row sums, column maxima and a scaled total of a bfloat16 tensor, with reduce_tile against a scaler
tile that the reader makes in L1. Each output tile carries its result in column 0 (rows), row 0 (columns) or [0][0]."""
import numpy as np
import tensix as tt
from tensix import reference

READER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), Ht = get_arg_val<uint32_t>(1), Wt = get_arg_val<uint32_t>(2);
    uint32_t scaler_bits = get_arg_val<uint32_t>(3), by_cols = get_arg_val<uint32_t>(4);
    constexpr uint32_t cb = tt::CB::c_in0, cb_scaler = tt::CB::c_in2;
    cb_reserve_back(cb_scaler, 1);  // the scaler tile: every value the same bfloat16
    volatile tt_l1_ptr uint16_t* s = (volatile tt_l1_ptr uint16_t*)get_write_ptr(cb_scaler);
    for (int i = 0; i < 1024; i++) s[i] = scaler_bits >> 16;
    cb_push_back(cb_scaler, 1);
    const InterleavedAddrGenFast<true> a = {src, get_tile_size(cb), get_dataformat(cb)};
    uint32_t outer = by_cols ? Wt : Ht, inner = by_cols ? Ht : Wt;
    for (uint32_t o = 0; o < outer; o++)
        for (uint32_t i = 0; i < inner; i++) {
            cb_reserve_back(cb, 1);
            noc_async_read_tile(by_cols ? i * Wt + o : o * Wt + i, a, get_write_ptr(cb));
            noc_async_read_barrier();
            cb_push_back(cb, 1);
        }
}
"""

COMPUTE = r"""
#include "compute_kernel_api/reduce.h"

namespace NAMESPACE {
void MAIN {
    uint32_t outer = get_arg_val<uint32_t>(0), inner = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb = tt::CB::c_in0, cb_scaler = tt::CB::c_in2, cb_out = tt::CB::c_out0;
    reduce_init<true>(cb, cb_scaler, cb_out);
    cb_wait_front(cb_scaler, 1);
    for (uint32_t o = 0; o < outer; o++) {
        acquire_dst(tt::DstMode::Half);
        for (uint32_t i = 0; i < inner; i++) {
            cb_wait_front(cb, 1);
            reduce_tile(cb, cb_scaler, 0, 0, 0);  // REDUCE_OP over REDUCE_DIM, accumulating into dst 0
            cb_pop_front(cb, 1);
        }
        cb_reserve_back(cb_out, 1);
        pack_tile(0, cb_out);
        cb_push_back(cb_out, 1);
        release_dst(tt::DstMode::Half);
    }
}
}  // namespace NAMESPACE
"""

WRITER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t dst = get_arg_val<uint32_t>(0), n = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb = tt::CB::c_out0;
    const InterleavedAddrGenFast<true> d = {dst, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(cb, 1);
        noc_async_write_tile(i, d, get_read_ptr(cb));
        noc_async_write_barrier();
        cb_pop_front(cb, 1);
    }
}
"""

DIMS = {"row": "REDUCE_ROW", "col": "REDUCE_COL", "scalar": "REDUCE_SCALAR"}
POOLS = {"sum": "SUM", "max": "MAX"}


def run_reduce(dev, x, pool, dim, scaler=1.0):
    """Returns the reduced values (per row, per column, or one) and the run."""
    H, W = x.shape
    Ht, Wt = H // 32, W // 32
    src = dev.buffer(tt.tilize(x), fmt=tt.bfloat16)
    by_cols = dim == "col"
    outer, inner = (Wt, Ht) if by_cols else (1, Ht * Wt) if dim == "scalar" else (Ht, Wt)
    out = dev.buffer(outer * 2048, page=2048)
    compute = tt.Kernel(COMPUTE, f"reduce_{pool}_{dim}", defines={"REDUCE_OP": f"PoolType::{POOLS[pool]}", "REDUCE_DIM": f"ReduceDim::{DIMS[dim]}"})
    prog = tt.Program(dev, (0, 0), reader=tt.Kernel(READER, "reader_reduce"), compute=compute, writer=tt.Kernel(WRITER, "writer_reduce"),
                      reader_args=[src.addr, Ht, Wt, int(np.float32(scaler).view(np.uint32)), by_cols],
                      compute_args=[outer, inner], writer_args=[out.addr, outer],
                      cbs=[tt.CB(0, tt.bfloat16, 2), tt.CB(2, tt.bfloat16, 1), tt.CB(16, tt.bfloat16, 2)])
    run = dev.run(prog)
    tiles = out.read(tt.bfloat16).reshape(outer, 32, 32)  # tile layout, but row 0 and column 0 sit in faces 0..2
    rm = np.stack([tt.untilize(t, 32, 32) for t in tiles])
    src.free(); out.free()
    if dim == "row": return rm[:, :, 0].reshape(-1), run
    if dim == "col": return rm[:, 0, :].reshape(-1), run
    return rm[0, 0, 0], run


def main(dev=None):
    dev = dev or tt.Device()
    x = tt.round_bfloat16(np.random.default_rng(4).uniform(-1, 1, (128, 256)))
    ok, last = True, None
    # a mean over everything: the scalar reduction applies its scaler twice, so it gets the square root of 1 / n
    for pool, dim, scaler in [("sum", "row", 1.0), ("max", "col", 1.0), ("sum", "scalar", 1 / 8), ("max", "row", 1.0)]:
        got, last = run_reduce(dev, x, pool, dim, scaler)
        want = reference.reduce(x, pool, dim, scaler)
        ok &= bool(np.allclose(got, want, rtol=2 ** -7, atol=2 ** -6))
    return ok, last


if __name__ == "__main__":
    ok, run = main()
    print(f"reduce: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles for the last, {run.seconds * 1e6:.1f} us on the chip)")
