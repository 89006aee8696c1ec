"""The matmul every large tt-metal matmul is: C = gelu(A @ W + bias) over a 2-D grid of cores, the weights in bfp8_b,
placed as tt-metal places it. Core (x, y) computes one block of C. Along k, in blocks, the cores of column 0 read
their rows of A and multicast them along their row; the cores of row 0 read their columns of W (and once, their bias
tiles) and multicast them down their column. So four data-movement kernels, each on its own cores (the in0 sender on
column 0, the in0 receiver on the other columns, the in1 sender and writer on row 0, the in1 receiver and writer on
the other rows), one compute kernel on all of them, circular buffers and semaphores on all of them.

The compute kernel is 2024's fused one in shape: partial sums spill between k blocks into c_intermed0 and come back
with copy_block_matmul_partials; after the last block the bias row is added with add_tiles_bcast_rows and GELU runs
on the SFPU from the host's SFPU_OP_*_ACTIVATION defines; c_intermed0 and c_out0 are two indices over one buffer (a
sub-block of partial sums is popped before its result is packed over it), which is what lets large blocks fit L1.
`python matmul_bias_gelu.py 2048` runs a larger one."""
import math
import numpy as np
import tensix as tt
from tensix import reference

# Share a block from the sender core to the receivers' L1 (the same address on every core, as the circular buffers
# are placed alike). Semaphores, by address (as tt-metal's CreateSemaphore gives them): `ready` on the sender counts
# receivers with room; `valid` on each receiver says the block has landed. Runtime args from `first`: the receivers'
# rectangle (x0, y0, x1, y1) in NoC coordinates, their count, the sender's NoC (x, y), then ready's and valid's address.
SHARE = r"""
#include "dataflow_api.h"

template <bool SENDER, typename ReadBlock>
void share_block(uint32_t cb, uint32_t pages, uint32_t first, ReadBlock read_block) {
    uint32_t x0 = get_arg_val<uint32_t>(first), y0 = get_arg_val<uint32_t>(first + 1);
    uint32_t x1 = get_arg_val<uint32_t>(first + 2), y1 = get_arg_val<uint32_t>(first + 3), n_dests = get_arg_val<uint32_t>(first + 4);
    uint32_t sender_x = get_arg_val<uint32_t>(first + 5), sender_y = get_arg_val<uint32_t>(first + 6);
    uint32_t ready_addr = get_arg_val<uint32_t>(first + 7), valid_addr = get_arg_val<uint32_t>(first + 8);
    volatile tt_l1_ptr uint32_t* ready = (volatile tt_l1_ptr uint32_t*)ready_addr;
    volatile tt_l1_ptr uint32_t* valid = (volatile tt_l1_ptr uint32_t*)valid_addr;
    cb_reserve_back(cb, pages);
    uint32_t l1 = get_write_ptr(cb);
    if constexpr (SENDER) {
        read_block(l1);
        noc_async_read_barrier();
        if (n_dests) {
            noc_semaphore_wait(ready, n_dests);  // every receiver has room
            noc_semaphore_set(ready, INVALID);
            noc_async_write_multicast(l1, get_noc_multicast_addr(x0, y0, x1, y1, l1), pages * get_tile_size(cb), n_dests);
            noc_semaphore_set(valid, VALID);     // then the flag, on the same path after the data
            noc_semaphore_set_multicast(valid_addr, get_noc_multicast_addr(x0, y0, x1, y1, valid_addr), n_dests);
        }
    } else {
        noc_semaphore_set(valid, INVALID);
        noc_semaphore_inc(get_noc_addr(sender_x, sender_y, ready_addr), 1);
        noc_semaphore_wait(valid, VALID);
    }
    cb_push_back(cb, pages);
}
"""

# in0: blocks of A, M rows of tiles by BW tiles of k (NCRISC, NoC 1). Compile-time arg 6 says sender or receiver.
IN0 = SHARE + r"""
void kernel_main() {
    constexpr uint32_t M = get_compile_time_arg_val(0), BW = get_compile_time_arg_val(1), K_BLOCKS = get_compile_time_arg_val(3);
    constexpr bool SENDER = get_compile_time_arg_val(6);
    uint32_t a_addr = get_arg_val<uint32_t>(0), Kt = get_arg_val<uint32_t>(1), first_row = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb = tt::CB::c_in0;
    const uint32_t tile = get_tile_size(cb);
    const InterleavedAddrGenFast<true> a = {a_addr, tile, get_dataformat(cb)};
    for (uint32_t kb = 0; kb < K_BLOCKS; kb++)
        share_block<SENDER>(cb, M * BW, 3, [&](uint32_t l1) {
            for (uint32_t m = 0; m < M; m++)
                for (uint32_t k = 0; k < BW; k++) noc_async_read_tile((first_row + m) * Kt + kb * BW + k, a, l1 + (m * BW + k) * tile);
        });
}
"""

# in1: the bias tiles once, then blocks of W, BW tiles of k by N columns of tiles, in bfp8_b (BRISC, NoC 0); then the
# writer's part: the core's output tiles to DRAM, a sub-block at a time.
IN1 = SHARE + r"""
void kernel_main() {
    constexpr uint32_t M = get_compile_time_arg_val(0), BW = get_compile_time_arg_val(1), N = get_compile_time_arg_val(2);
    constexpr uint32_t K_BLOCKS = get_compile_time_arg_val(3), SH = get_compile_time_arg_val(4), SW = get_compile_time_arg_val(5);
    constexpr bool SENDER = get_compile_time_arg_val(6);
    uint32_t w_addr = get_arg_val<uint32_t>(0), Kt = get_arg_val<uint32_t>(1), first_col = get_arg_val<uint32_t>(2);
    uint32_t bias_addr = get_arg_val<uint32_t>(12), c_addr = get_arg_val<uint32_t>(13), first_row = get_arg_val<uint32_t>(14);
    uint32_t Nt = get_arg_val<uint32_t>(15);
    constexpr uint32_t cb_w = tt::CB::c_in1, cb_bias = tt::CB::c_in3, cb_out = tt::CB::c_out0;
    const InterleavedAddrGenFast<true> bias = {bias_addr, get_tile_size(cb_bias), get_dataformat(cb_bias)};
    share_block<SENDER>(cb_bias, N, 3, [&](uint32_t l1) {
        for (uint32_t n = 0; n < N; n++) noc_async_read_tile(first_col + n, bias, l1 + n * get_tile_size(cb_bias));
    });
    const uint32_t tile = get_tile_size(cb_w);
    const InterleavedAddrGenFast<true> w = {w_addr, tile, get_dataformat(cb_w)};
    for (uint32_t kb = 0; kb < K_BLOCKS; kb++)
        share_block<SENDER>(cb_w, BW * N, 3, [&](uint32_t l1) {
            for (uint32_t k = 0; k < BW; k++)
                for (uint32_t n = 0; n < N; n++) noc_async_read_tile((kb * BW + k) * Nt + first_col + n, w, l1 + (k * N + n) * tile);
        });
    const InterleavedAddrGenFast<true> c = {c_addr, get_tile_size(cb_out), get_dataformat(cb_out)};
    for (uint32_t sm = 0; sm < M / SH; sm++)
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

COMPUTE = r"""
#include "mod_div_lib.h"
#include "compute_kernel_api/tile_move_copy.h"
#include "compute_kernel_api/matmul.h"
#include "compute_kernel_api/bcast.h"
#include "compute_kernel_api/eltwise_unary/sfpu_split_includes.h"

namespace NAMESPACE {
// A sub-block's partial sums back into the register, then the unpacker set for the matmul again.
FORCE_INLINE void reload_partials(uint32_t in0, uint32_t in1, uint32_t partials, uint32_t tiles, uint32_t sw, uint32_t sh, uint32_t bw) {
    copy_tile_to_dst_init_short_with_dt(in1, partials);
    cb_wait_front(partials, tiles);
    tile_regs_acquire();
    copy_block_matmul_partials(partials, 0, 0, tiles);
    cb_pop_front(partials, tiles);
    mm_block_init_short_with_dt(in0, in1, partials, false, sw, sh, bw);
}

void MAIN {
    constexpr uint32_t M = get_compile_time_arg_val(0), BW = get_compile_time_arg_val(1), N = get_compile_time_arg_val(2);
    constexpr uint32_t K_BLOCKS = get_compile_time_arg_val(3), SH = get_compile_time_arg_val(4), SW = get_compile_time_arg_val(5);
    constexpr uint32_t SUB = SH * SW;
    constexpr uint32_t in0 = tt::CB::c_in0, in1 = tt::CB::c_in1, bias = tt::CB::c_in3;
    constexpr uint32_t out = tt::CB::c_out0, partials = tt::CB::c_intermed0;  // one buffer, two indices
#ifdef SFPU_OP_INIT_ACTIVATION
    SFPU_OP_INIT_ACTIVATION
#endif
    mm_block_init(in0, in1, partials, false, SW, SH, BW);
    for (uint32_t kb = 0; kb < K_BLOCKS; kb++) {
        cb_wait_front(in0, M * BW);
        cb_wait_front(in1, BW * N);
        for (uint32_t sm = 0; sm < M / SH; sm++)
            for (uint32_t sn = 0; sn < N / SW; sn++) {
                if (kb > 0) reload_partials(in0, in1, partials, SUB, SW, SH, BW);
                else tile_regs_acquire();
                for (uint32_t k = 0; k < BW; k++)  // SH x SW tiles of the register, one step of k each
                    matmul_block(in0, in1, sm * SH * BW + k, k * N + sn * SW, 0, false, SW, SH, BW);
                tile_regs_commit();
                cb_reserve_back(partials, SUB);
                tile_regs_wait();
                matmul_pack_tile(0, partials, SUB);
                tile_regs_release();
                cb_push_back(partials, SUB);
            }
        cb_pop_front(in0, M * BW);
        cb_pop_front(in1, BW * N);
    }
    // Bias and activation, sub-block by sub-block, from the partial sums into the output over the same L1.
    unpack_reconfig_data_format(in1, partials, in0, bias);
    add_bcast_rows_init_short();
    cb_wait_front(bias, N);
    for (uint32_t sm = 0; sm < M / SH; sm++)
        for (uint32_t sn = 0; sn < N / SW; sn++) {
            cb_wait_front(partials, SUB);
            tile_regs_acquire();
            for (uint32_t h = 0, i = 0; h < SH; h++)
                for (uint32_t w = 0; w < SW; w++, i++) add_tiles_bcast_rows(partials, bias, i, sn * SW + w, i);
            cb_pop_front(partials, SUB);
#ifdef SFPU_OP_INIT_ACTIVATION
            for (uint32_t i = 0; i < SUB; i++) { SFPU_OP_FUNC_ACTIVATION }
#endif
            tile_regs_commit();
            cb_reserve_back(out, SUB);
            tile_regs_wait();
            for (uint32_t i = 0; i < SUB; i++) pack_tile(i, out);
            tile_regs_release();
            cb_push_back(out, SUB);
        }
    cb_pop_front(bias, N);
}
}  // namespace NAMESPACE
"""

# What tt-metal's host defines for a GELU activation fused into the matmul (eltwise_unary_op.cpp's op_init_and_name,
# with the exact, not the approximate, GELU).
GELU = {"SFPU_OP_INIT_ACTIVATION": "gelu_tile_init(0u);", "SFPU_OP_FUNC_ACTIVATION": "gelu_tile(i, 0u);"}


def l1_bytes(M, N, bw, k_blocks):
    """L1 the circular buffers take: the operand blocks (double-buffered when k comes in several blocks), the bias
    tiles, and the output, which the partial sums share."""
    twice = min(2, k_blocks)
    return M * bw * 2048 * twice + bw * N * tt.bfp8_b.tile_bytes * twice + N * 2048 + M * N * 2048


def run_linear(dev, a, w, bias, grid, block_w=None, fidelity="HiFi4"):
    """gelu(a @ w + bias) on a grid (cols, rows) of cores; w goes to the device in bfp8_b."""
    (m, k), n = a.shape, w.shape[1]
    cols, rows = grid
    Mt, Kt, Nt = m // 32, k // 32, n // 32
    M, N = Mt // rows, Nt // cols
    sw = max(v for v in range(1, min(N, 8) + 1) if N % v == 0)  # sub-blocks of at most 8 tiles: half the register
    sh = max(v for v in range(1, 8 // sw + 1) if M % v == 0)
    room = dev.chip.l1_size - dev.chip.l1_unreserved_base
    block_w = block_w or max(v for v in range(1, Kt + 1) if Kt % v == 0 and l1_bytes(M, N, v, Kt // v) <= room)
    if M * rows != Mt or N * cols != Nt or Kt % block_w:
        raise ValueError(f"{m}x{k}x{n} does not split into {cols}x{rows} blocks with k blocks of {block_w}")
    bias_rows = np.zeros((32, n), np.float32)
    bias_rows[0] = bias  # a bias tile holds its row in row 0, as tt-metal pads a [1, n] bias
    ta = dev.buffer(tt.tilize(a, tt.bfloat16), fmt=tt.bfloat16)
    tw = dev.buffer(tt.tilize(w), fmt=tt.bfp8_b)
    tb = dev.buffer(tt.tilize(bias_rows, tt.bfloat16), fmt=tt.bfloat16)
    tc = dev.buffer(m * n * 2, page=2048)
    xy = dev.chip.noc_xy
    ct = [M, block_w, N, Kt // block_w, sh, sw]
    every = tt.CoreRange((0, 0), (cols - 1, rows - 1))
    prog = tt.Program(dev)
    in0_ready, in0_valid, in1_ready, in1_valid = (prog.semaphore(every, 0) for _ in range(4))

    def in0_args(core):  # row y: core (0, y) sends to (1..cols-1, y)
        x, y = core
        (x0, y0), (x1, y1) = xy((min(1, cols - 1), y)), xy((cols - 1, y))
        return [ta.addr, Kt, y * M, x0, y0, x1, y1, cols - 1 if x == 0 else 0, *xy((0, y)), in0_ready, in0_valid]

    def in1_args(core):  # column x: core (x, 0) sends to (x, 1..rows-1)
        x, y = core
        (x0, y0), (x1, y1) = xy((x, min(1, rows - 1))), xy((x, rows - 1))
        return [tw.addr, Kt, x * N, x0, y0, x1, y1, rows - 1 if y == 0 else 0, *xy((x, 0)), in1_ready, in1_valid,
                tb.addr, tc.addr, y * M, Nt]

    prog.kernel(tt.CoreRange((0, 0), (0, rows - 1)), "reader", tt.Kernel(IN0, "in0_sender", compile_args=ct + [1]), in0_args)
    if cols > 1: prog.kernel(tt.CoreRange((1, 0), (cols - 1, rows - 1)), "reader", tt.Kernel(IN0, "in0_receiver", compile_args=ct + [0]), in0_args)
    prog.kernel(tt.CoreRange((0, 0), (cols - 1, 0)), "writer", tt.Kernel(IN1, "in1_sender_writer", compile_args=ct + [1]), in1_args)
    if rows > 1: prog.kernel(tt.CoreRange((0, 1), (cols - 1, rows - 1)), "writer", tt.Kernel(IN1, "in1_receiver_writer", compile_args=ct + [0]), in1_args)
    prog.kernel(every, "compute", tt.Kernel(COMPUTE, "bmm_large_block_zm_fused_bias_activation", compile_args=ct,
                                            defines=GELU, math_fidelity=fidelity))
    twice = min(2, Kt // block_w)
    prog.cb(every, tt.CB(0, tt.bfloat16, M * block_w * twice))
    prog.cb(every, tt.CB(1, tt.bfp8_b, block_w * N * twice))
    prog.cb(every, tt.CB(3, tt.bfloat16, N))
    prog.cb(every, tt.CB((16, 24), (tt.bfloat16, tt.bfloat16), M * N))  # c_out0 and c_intermed0 share one buffer
    run = dev.run(prog)
    c = tt.untilize(tc.read(tt.bfloat16.dtype), m, n, np.float32)
    for buf in (ta, tw, tb, tc): buf.free()
    return c, run


def inputs(m, k, n, seed=3):
    rng = np.random.default_rng(seed)
    a = tt.round_bfloat16(rng.uniform(-1, 1, (m, k)))
    w = rng.uniform(-1, 1, (k, n)).astype(np.float32) / math.sqrt(k / 3)  # a unit-variance output before the bias
    bias = tt.round_bfloat16(rng.uniform(-1, 1, n))
    return a, w, bias


def check(c, a, w, bias, fidelity="HiFi4", l1_acc_block=None):
    """True when c is what the chip computes (reference.linear on the weights as bfp8_b holds them) to within one
    bfloat16 step, and how far c is from float64 on the unquantized weights."""
    wq = tt.untilize(tt.bfp8_b.decode(tt.bfp8_b.encode(tt.tilize(w))), *w.shape)
    want = reference.linear(a, wq, bias, "gelu", fidelity, l1_acc_block)
    exact = reference.gelu(a.astype(np.float64) @ w + bias)
    ok = np.allclose(c, want, rtol=2 ** -7, atol=2 ** -7 * np.abs(want).max() / 8)
    return ok, float(np.abs(c - exact).max())


def main(dev=None, size=1024, grid=(8, 8), fidelity="HiFi4"):
    dev = dev or tt.Device()
    a, w, bias = inputs(size, size, size)
    c, run = run_linear(dev, a, w, bias, grid, fidelity=fidelity)
    return check(c, a, w, bias, fidelity)[0], run


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", nargs="?", type=int, default=1024, help="M = K = N, a multiple of 256 (8x8 cores of 32x32 "
                    "tiles); default 1024")
    size = ap.parse_args().size
    ok, run = main(size=size)
    print(f"matmul_bias_gelu {size}^3, bfp8_b weights, on 8x8 cores: {'PASS' if ok else 'FAIL'} "
          f"({run.cycles} cycles, {run.seconds * 1e3:.3f} ms on the chip)")
