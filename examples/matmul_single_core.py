"""tt-metal's matmul_single_core: C = A @ B, 640 x 640 x 640 in bfloat16, on one core. The reader streams, for each
output tile, the row of A tiles and the column of B tiles along k; the compute kernel accumulates matmul_tiles into
the destination register; the writer stores each finished tile. The kernels take a range of output tiles, so
matmul_multi_core runs them unchanged on every core."""
import numpy as np
import tensix as tt
from tensix import reference

READER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t a_addr = get_arg_val<uint32_t>(0), b_addr = get_arg_val<uint32_t>(1);
    uint32_t Kt = get_arg_val<uint32_t>(2), Nt = get_arg_val<uint32_t>(3);
    uint32_t first = get_arg_val<uint32_t>(4), n_tiles = get_arg_val<uint32_t>(5);  // output tiles, row-major
    constexpr uint32_t cb_a = tt::CB::c_in0, cb_b = tt::CB::c_in1;
    const InterleavedAddrGenFast<true> a = {a_addr, get_tile_size(cb_a), get_dataformat(cb_a)};
    const InterleavedAddrGenFast<true> b = {b_addr, get_tile_size(cb_b), get_dataformat(cb_b)};
    for (uint32_t i = first; i < first + n_tiles; i++) {
        uint32_t mt = i / Nt, nt = i % Nt;
        for (uint32_t kt = 0; kt < Kt; kt++) {
                cb_reserve_back(cb_a, 1);
                noc_async_read_tile(mt * Kt + kt, a, get_write_ptr(cb_a));
                cb_reserve_back(cb_b, 1);
                noc_async_read_tile(kt * Nt + nt, b, get_write_ptr(cb_b));
                noc_async_read_barrier();
                cb_push_back(cb_a, 1);
                cb_push_back(cb_b, 1);
        }
    }
}
"""

COMPUTE = r"""
#include "compute_kernel_api/matmul.h"

namespace NAMESPACE {
void MAIN {
    uint32_t n_tiles = get_arg_val<uint32_t>(0), Kt = get_arg_val<uint32_t>(1);
    mm_init(tt::CB::c_in0, tt::CB::c_in1, tt::CB::c_out0);
    for (uint32_t i = 0; i < n_tiles; i++) {
            acquire_dst(tt::DstMode::Full);
            for (uint32_t kt = 0; kt < Kt; kt++) {
                cb_wait_front(tt::CB::c_in0, 1);
                cb_wait_front(tt::CB::c_in1, 1);
                matmul_tiles(tt::CB::c_in0, tt::CB::c_in1, 0, 0, 0, false);
                cb_pop_front(tt::CB::c_in0, 1);
                cb_pop_front(tt::CB::c_in1, 1);
            }
            cb_reserve_back(tt::CB::c_out0, 1);
            pack_tile(0, tt::CB::c_out0);
            cb_push_back(tt::CB::c_out0, 1);
            release_dst(tt::DstMode::Full);
        }
}
}  // namespace NAMESPACE
"""

WRITER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t c_addr = get_arg_val<uint32_t>(0), first = get_arg_val<uint32_t>(1), n_tiles = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb = tt::CB::c_out0;
    const InterleavedAddrGenFast<true> c = {c_addr, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t i = first; i < first + n_tiles; i++) {
        cb_wait_front(cb, 1);
        noc_async_write_tile(i, c, get_read_ptr(cb));
        noc_async_write_barrier();
        cb_pop_front(cb, 1);
    }
}
"""

CBS = [tt.CB(0, tt.bfloat16, 2), tt.CB(1, tt.bfloat16, 2), tt.CB(16, tt.bfloat16, 2)]


def inputs(m, k, n, seed=0):
    rng = np.random.default_rng(seed)
    return tt.round_bfloat16(rng.uniform(-1, 1, (m, k))), tt.round_bfloat16(rng.uniform(-1, 1, (k, n)))


def check(c, a, b, fidelity="HiFi4"):
    """True when c is what the chip computes: the chip-faithful reference to within one bfloat16 step (numpy sums
    the 32 products of a tile in another order), and how far both are from float64."""
    want = reference.matmul(a, b, fidelity)
    exact = a.astype(np.float64) @ b
    ok = np.allclose(c, want, rtol=2 ** -7, atol=2 ** -7 * np.abs(exact).max() / 8)
    return ok, float(np.abs(c - exact).max()), float(np.abs(exact).max())


def run_matmul(dev, a, b, cores, fidelity="HiFi4"):
    """C = a @ b with the output tiles split evenly over `cores` (the first cores take one more when it does not divide)."""
    (m, k), n = a.shape, b.shape[1]
    ta, tb = dev.buffer(a, fmt=tt.bfloat16, tilize=True), dev.buffer(b, fmt=tt.bfloat16, tilize=True)
    tc = dev.buffer(m * n * 2, page=2048)
    Kt, Nt, tiles = k // 32, n // 32, (m // 32) * (n // 32)
    cores = tt.program.cores_of(cores)
    q, r = divmod(tiles, len(cores))
    span = {c: (i * q + min(i, r), q + (i < r)) for i, c in enumerate(cores)}
    prog = tt.Program(dev, cores, reader=tt.Kernel(READER, "reader_bmm"), writer=tt.Kernel(WRITER, "writer_bmm"),
                      compute=tt.Kernel(COMPUTE, "bmm", math_fidelity=fidelity),
                      reader_args=lambda c: [ta.addr, tb.addr, Kt, Nt, *span[c]], compute_args=lambda c: [span[c][1], Kt],
                      writer_args=lambda c: [tc.addr, *span[c]], cbs=CBS)
    run = dev.run(prog)
    c = tc.read(tt.bfloat16, untilize=(m, n))
    for buf in (ta, tb, tc): buf.free()
    return c, run


def main(dev=None, m=640, k=640, n=640, fidelity="HiFi4"):
    dev = dev or tt.Device()
    a, b = inputs(m, k, n)
    c, run = run_matmul(dev, a, b, (0, 0), fidelity)
    return check(c, a, b, fidelity)[0], run


if __name__ == "__main__":
    ok, run = main()
    print(f"matmul_single_core 640x640x640: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e3:.2f} ms on the chip)")
