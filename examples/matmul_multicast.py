"""Reuse and multicast: C = A @ B split in blocks over a 2-D grid of cores. Along k, in blocks: the cores of column 0
read their rows of A from DRAM and multicast them along their row of cores; the cores of row 0 read their columns of
B and multicast them down their column. Every core then multiplies what it was given. Semaphores pace the senders:
each receiver says when its circular buffer has room, the sender waits for all of them, writes the block into every
receiver's L1 at once, and sets their semaphore to VALID. DRAM is read once per row or column, not once per core.
`python matmul_multicast.py 2048` runs a larger one."""
import tensix as tt
from tensix.examples.matmul_single_core import check, inputs

# The multicast protocol both operand kernels use, shared as C++ source. Runtime args from `first`: sender?, the
# rectangle (x0, y0, x1, y1) of receivers in NoC coordinates, their count, the sender's NoC (x, y). Semaphore `sem`
# counts receivers with room (on the sender); `sem + 1` says the block has landed (on each receiver).
MCAST = r"""
#include "dataflow_api.h"

template <typename ReadBlock>
void fill_block(uint32_t first, uint32_t sem, uint32_t cb, uint32_t pages, ReadBlock read_block) {
    uint32_t sender = get_arg_val<uint32_t>(first), x0 = get_arg_val<uint32_t>(first + 1), y0 = get_arg_val<uint32_t>(first + 2);
    uint32_t x1 = get_arg_val<uint32_t>(first + 3), y1 = get_arg_val<uint32_t>(first + 4), n_dests = get_arg_val<uint32_t>(first + 5);
    uint32_t sender_x = get_arg_val<uint32_t>(first + 6), sender_y = get_arg_val<uint32_t>(first + 7);
    volatile tt_l1_ptr uint32_t* ready = (volatile tt_l1_ptr uint32_t*)get_semaphore(sem);
    volatile tt_l1_ptr uint32_t* valid = (volatile tt_l1_ptr uint32_t*)get_semaphore(sem + 1);
    cb_reserve_back(cb, pages);
    uint32_t l1 = get_write_ptr(cb);
    if (sender) {
        read_block(l1);
        noc_async_read_barrier();
        if (n_dests) {
            noc_semaphore_wait(ready, n_dests);  // every receiver has room
            noc_semaphore_set(ready, 0);
            noc_async_write_multicast(l1, get_noc_multicast_addr(x0, y0, x1, y1, l1), pages * get_tile_size(cb), n_dests);
            noc_semaphore_set(valid, 1);         // then tell them, with one more multicast, that it landed
            noc_semaphore_set_multicast(get_semaphore(sem + 1), get_noc_multicast_addr(x0, y0, x1, y1, get_semaphore(sem + 1)), n_dests);
        }
    } else {
        noc_semaphore_set(valid, 0);
        noc_semaphore_inc(get_noc_addr(sender_x, sender_y, get_semaphore(sem)), 1);
        noc_semaphore_wait(valid, 1);
    }
    cb_push_back(cb, pages);
}
"""

# A block of A: its rows of tiles (per_core_M) by in0_block_w tiles of k. NCRISC; NoC 1 reads A, multicasts along rows.
IN0 = MCAST + r"""
void kernel_main() {
    uint32_t a_addr = get_arg_val<uint32_t>(0), Kt = get_arg_val<uint32_t>(1), first_row = get_arg_val<uint32_t>(2);
    constexpr uint32_t M = get_compile_time_arg_val(0), BW = get_compile_time_arg_val(1), cb = tt::CB::c_in0;
    const uint32_t tile = get_tile_size(cb);
    const InterleavedAddrGenFast<true> a = {a_addr, tile, get_dataformat(cb)};
    for (uint32_t kb = 0; kb < Kt / BW; kb++)
        fill_block(3, 0, cb, M * BW, [&](uint32_t l1) {
            for (uint32_t m = 0; m < M; m++)
                for (uint32_t k = 0; k < BW; k++) noc_async_read_tile((first_row + m) * Kt + kb * BW + k, a, l1 + (m * BW + k) * tile);
        });
}
"""

# The same for B down the columns (BRISC, NoC 0), then the writer's part: the core's output tiles to DRAM.
IN1 = MCAST + r"""
void kernel_main() {
    uint32_t b_addr = get_arg_val<uint32_t>(0), Kt = get_arg_val<uint32_t>(1), first_col = get_arg_val<uint32_t>(2);
    uint32_t c_addr = get_arg_val<uint32_t>(11), first_row = get_arg_val<uint32_t>(12), Nt = get_arg_val<uint32_t>(13);
    constexpr uint32_t M = get_compile_time_arg_val(0), BW = get_compile_time_arg_val(1), N = get_compile_time_arg_val(2);
    constexpr uint32_t cb = tt::CB::c_in1, cb_out = tt::CB::c_out0;
    const uint32_t tile = get_tile_size(cb);
    const InterleavedAddrGenFast<true> b = {b_addr, tile, get_dataformat(cb)};
    for (uint32_t kb = 0; kb < Kt / BW; kb++)
        fill_block(3, 2, cb, BW * N, [&](uint32_t l1) {
            for (uint32_t k = 0; k < BW; k++)
                for (uint32_t n = 0; n < N; n++) noc_async_read_tile((kb * BW + k) * Nt + first_col + n, b, l1 + (k * N + n) * tile);
        });
    constexpr uint32_t SH = get_compile_time_arg_val(4), SW = get_compile_time_arg_val(5);
    const InterleavedAddrGenFast<true> c = {c_addr, get_tile_size(cb_out), get_dataformat(cb_out)};
    for (uint32_t sm = 0; sm < M / SH; sm++)  // output tiles arrive a sub-block at a time
        for (uint32_t sn = 0; sn < N / SW; sn++) {
            cb_wait_front(cb_out, SH * SW);
            for (uint32_t i = 0; i < SH * SW; i++)
                noc_async_write_tile((first_row + sm * SH + i / SW) * Nt + first_col + sn * SW + i % SW, c,
                                     get_read_ptr(cb_out) + i * get_tile_size(cb_out));
            noc_async_write_barrier();
            cb_pop_front(cb_out, SH * SW);
        }
}
"""

# The output block is worked in sub-blocks of SH x SW tiles, each small enough for half the destination register.
# Between k blocks a sub-block's partial sums wait in an intermediate circular buffer, then come back to accumulate.
COMPUTE = r"""
#include "compute_kernel_api/matmul.h"

namespace NAMESPACE {
void MAIN {
    constexpr uint32_t M = get_compile_time_arg_val(0), BW = get_compile_time_arg_val(1), N = get_compile_time_arg_val(2);
    constexpr uint32_t K_BLOCKS = get_compile_time_arg_val(3), SH = get_compile_time_arg_val(4), SW = get_compile_time_arg_val(5);
    constexpr uint32_t in0 = tt::CB::c_in0, in1 = tt::CB::c_in1, out = tt::CB::c_out0, partials = tt::CB::c_intermed0;
    mm_init(in0, in1, out);
    for (uint32_t kb = 0; kb < K_BLOCKS; kb++) {
        bool last = kb == K_BLOCKS - 1;
        cb_wait_front(in0, M * BW);
        cb_wait_front(in1, BW * N);
        for (uint32_t sm = 0; sm < M / SH; sm++)
            for (uint32_t sn = 0; sn < N / SW; sn++) {
                tile_regs_acquire();
                if (kb > 0) {  // bring back this sub-block's partial sums
                    copy_tile_to_dst_init_short(partials);
                    cb_wait_front(partials, SH * SW);
                    for (uint32_t i = 0; i < SH * SW; i++) copy_tile(partials, i, i);
                    cb_pop_front(partials, SH * SW);
                    mm_init_short(in0, in1);
                }
                for (uint32_t k = 0; k < BW; k++)
                    for (uint32_t h = 0; h < SH; h++)
                        for (uint32_t w = 0; w < SW; w++)
                            matmul_tiles(in0, in1, (sm * SH + h) * BW + k, k * N + sn * SW + w, h * SW + w, false);
                tile_regs_commit();
                uint32_t to = last ? out : partials;
                cb_reserve_back(to, SH * SW);
                tile_regs_wait();
                for (uint32_t i = 0; i < SH * SW; i++) pack_tile(i, to);
                tile_regs_release();
                cb_push_back(to, SH * SW);
            }
        cb_pop_front(in0, M * BW);
        cb_pop_front(in1, BW * N);
    }
}
}  // namespace NAMESPACE
"""


def l1_pages(M, N, block_w, k_blocks, sh, sw):
    """Tiles of L1 the circular buffers take: operand blocks (double-buffered when k comes in several blocks),
    output sub-blocks, and the partial sums."""
    return (M * block_w + block_w * N) * min(2, k_blocks) + 2 * sh * sw + M * N


def run_matmul(dev, a, b, grid, block_w=None, fidelity="HiFi4"):
    """block_w: tiles of k per block; by default the widest that fits in L1 (fewer blocks: fewer handshakes and
    fewer partial sums spilled to L1 and back)."""
    (m, k), n = a.shape, b.shape[1]
    cols, rows = grid
    Mt, Kt, Nt = m // 32, k // 32, n // 32
    M, N = Mt // rows, Nt // cols
    sw = max(w for w in range(1, min(N, 8) + 1) if N % w == 0)  # sub-blocks of at most 8 tiles: half the register
    sh = max(h for h in range(1, 8 // sw + 1) if M % h == 0)
    room = (dev.chip.l1_size - dev.chip.l1_unreserved_base) // 2048
    block_w = block_w or max(w for w in range(1, Kt + 1) if Kt % w == 0 and l1_pages(M, N, w, Kt // w, sh, sw) <= room)
    if M * rows != Mt or N * cols != Nt or Kt % block_w:
        raise ValueError(f"{m}x{k}x{n} does not split into {cols}x{rows} blocks with k blocks of {block_w}")
    ta, tb = dev.buffer(a, fmt=tt.bfloat16, tilize=True), dev.buffer(b, fmt=tt.bfloat16, tilize=True)
    tc = dev.buffer(m * n * 2, page=2048)
    xy = dev.chip.noc_xy

    def in0_args(core):  # row y: core (0, y) sends to (1..cols-1, y)
        x, y = core
        (x0, y0), (x1, y1) = xy((min(1, cols - 1), y)), xy((cols - 1, y))
        return [ta.addr, Kt, y * M, x == 0, x0, y0, x1, y1, cols - 1 if x == 0 else 0, *xy((0, y))]

    def in1_args(core):  # column x: core (x, 0) sends to (x, 1..rows-1)
        x, y = core
        (x0, y0), (x1, y1) = xy((x, min(1, rows - 1))), xy((x, rows - 1))
        return [tb.addr, Kt, x * N, y == 0, x0, y0, x1, y1, rows - 1 if y == 0 else 0, *xy((x, 0)), tc.addr, y * M, Nt]

    ct = [M, block_w, N, Kt // block_w, sh, sw]
    prog = tt.Program(dev, tt.CoreRange((0, 0), (cols - 1, rows - 1)),
                      reader=tt.Kernel(IN0, "in0_mcast", compile_args=ct), writer=tt.Kernel(IN1, "in1_mcast_writer", compile_args=ct),
                      compute=tt.Kernel(COMPUTE, "bmm_block", compile_args=ct, math_fidelity=fidelity),
                      reader_args=in0_args, writer_args=in1_args, semaphores=[0, 0, 0, 0],
                      cbs=[tt.CB(0, tt.bfloat16, M * block_w * min(2, Kt // block_w)),
                           tt.CB(1, tt.bfloat16, block_w * N * min(2, Kt // block_w)), tt.CB(16, tt.bfloat16, sh * sw * 2),
                           tt.CB(24, tt.bfloat16, M * N)])
    run = dev.run(prog)
    c = tc.read(tt.bfloat16, untilize=(m, n))
    for buf in (ta, tb, tc): buf.free()
    return c, run


def main(dev=None, size=1024, grid=(8, 8), fidelity="HiFi4"):
    dev = dev or tt.Device()
    a, b = inputs(size, size, size, seed=2)
    c, run = run_matmul(dev, a, b, grid, fidelity=fidelity)
    return check(c, a, b, fidelity)[0], run


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", nargs="?", type=int, default=1024, help="M = K = N, a multiple of 256 (8x8 cores of 32x32 "
                    "tiles); default 1024")
    size = ap.parse_args().size
    ok, run = main(size=size)
    print(f"matmul_multicast {size}x{size}x{size} on 8x8 cores: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e3:.3f} ms on the chip)")
