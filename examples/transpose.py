"""Transpose a bfloat16 tensor: the reader fetches tiles in the order of the output (column of tiles by column),
the compute kernel transposes each tile on its way into the destination register, the writer stores them in order."""
import numpy as np
import tensix as tt
from tensix.examples.eltwise_sfpu import WRITER

READER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), Ht = get_arg_val<uint32_t>(1), Wt = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb = tt::CB::c_in0;
    const InterleavedAddrGenFast<true> a = {src, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t w = 0; w < Wt; w++)
        for (uint32_t h = 0; h < Ht; h++) {
            cb_reserve_back(cb, 1);
            noc_async_read_tile(h * Wt + w, a, get_write_ptr(cb));
            noc_async_read_barrier();
            cb_push_back(cb, 1);
        }
}
"""

COMPUTE = r"""
#include "compute_kernel_api/transpose_wh.h"

namespace NAMESPACE {
void MAIN {
    uint32_t n = get_arg_val<uint32_t>(0);
    transpose_wh_init(tt::CB::c_in0, tt::CB::c_out0);
    for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(tt::CB::c_in0, 1);
        tile_regs_acquire();
        transpose_wh_tile(tt::CB::c_in0, 0, 0);
        tile_regs_commit();
        cb_reserve_back(tt::CB::c_out0, 1);
        tile_regs_wait();
        pack_tile(0, tt::CB::c_out0);
        tile_regs_release();
        cb_push_back(tt::CB::c_out0, 1);
        cb_pop_front(tt::CB::c_in0, 1);
    }
}
}  // namespace NAMESPACE
"""


def main(dev=None, shape=(96, 160)):
    dev = dev or tt.Device()
    x = tt.round_bfloat16(np.random.default_rng(5).standard_normal(shape))
    H, W = shape
    src = dev.buffer(tt.tilize(x), fmt=tt.bfloat16)
    dst = dev.buffer(src.size, page=2048)
    n = src.pages
    prog = tt.Program(dev, (0, 0), reader=tt.Kernel(READER, "reader_transpose"), compute=tt.Kernel(COMPUTE, "transpose_wh"),
                      writer=tt.Kernel(WRITER, "writer_unary"), reader_args=[src.addr, H // 32, W // 32], compute_args=[n],
                      writer_args=[dst.addr, n], cbs=[tt.CB(0, tt.bfloat16, 2), tt.CB(16, tt.bfloat16, 2)])
    run = dev.run(prog)
    ok = np.array_equal(tt.untilize(dst.read(tt.bfloat16), W, H), x.T)
    src.free(); dst.free()
    return ok, run


if __name__ == "__main__":
    ok, run = main()
    print(f"transpose: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e6:.1f} us on the chip)")
