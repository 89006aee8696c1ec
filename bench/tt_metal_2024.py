"""Run tt-metal's own March 2024 kernels unchanged, read from a checkout: the 2D multicast matmul with fused bias and
GELU that every large tt_eager matmul is (bmm_op_multi_core_reuse_mcast_2d_optimized.cpp and its five kernel files),
with its host code mirrored in tensix's Python API: the same kernels on the same core ranges (including the
"split half" NoC setup), the same compile-time and runtime args, the same circular buffers (c_out0 and c_intermed0
sharing one buffer) and semaphores, the weights in bfp8_b. The result is checked against reference.linear and timed.
Then tt_eager's single-core tilize and untilize ops, its multi-core layernorm and moreh softmax (along w, with the
padding of the last tile masked), their kernels unchanged too.

    python bench/tt_metal_2024.py PATH [SIZE] [COLS ROWS]      # PATH: a tt-metal checkout of March 2024
"""
import sys, time
from pathlib import Path
import numpy as np
import tensix as tt
from tensix import reference
from tensix.examples.matmul_bias_gelu import check, inputs
from measure import usage

KERNELS = "tt_eager/tt_dnn/op_library/bmm/kernels"


def run(dev, root, a, w, bias, grid, in0_block_w=2, out_subblock=(2, 2), packer_l1_acc=False):
    (m, k), n = a.shape, w.shape[1]
    cols, rows = grid
    M, K, N = m // 32, k // 32, n // 32                  # in tiles, as the host code counts
    per_core_M, per_core_N = M // rows, N // cols
    out_subblock_h, out_subblock_w = out_subblock
    B, num_blocks = 1, K // in0_block_w
    src = lambda name: (root / KERNELS / name).read_text()
    ta = dev.buffer(tt.tilize(a, tt.bfloat16), fmt=tt.bfloat16)
    tw = dev.buffer(tt.tilize(w), fmt=tt.bfp8_b)
    bias_rows = np.zeros((32, n), np.float32)
    bias_rows[0] = bias                                    # the bias tensor is [1, 1, 32, n], its row in row 0
    tb = dev.buffer(tt.tilize(bias_rows, tt.bfloat16), fmt=tt.bfloat16)
    tc = dev.buffer(m * n * 2, page=2048)

    prog = tt.Program(dev)
    R = lambda x0, y0, x1, y1: tt.CoreRange((x0, y0), (x1, y1))
    all_cores = R(0, 0, cols - 1, rows - 1)
    left_column, top_row = R(0, 0, 0, rows - 1), R(0, 0, cols - 1, 0)
    in0_sender, in1_sender = left_column, top_row
    in0_sender_in1_receiver = [R(0, 1, 0, rows - 1)] if rows > 1 else []
    in0_receiver_in1_sender = [R(1, 0, cols - 1, 0)] if cols > 1 else []
    in0_end, in1_end = rows - 1, cols - 1
    gs = dev.chip.arch == "grayskull"  # GetPreferredNOCForDRAMWrite/Read: Grayskull NoC 0/1, Wormhole NoC 1/0
    in0_noc, in1_noc, in0_split_noc, in1_split_noc = (0, 1, 1, 0) if gs else (1, 0, 0, 1)
    split_half = cols > 2
    half_core = cols // 2 if split_half else cols - 1
    left_half = [R(1, 1, half_core, rows - 1)] if rows > 1 and half_core >= 1 else []
    right_half = [R(half_core + 1, 1, cols - 1, rows - 1)] if split_half and rows > 1 else []

    in0_mcast_sender_semaphore, in0_mcast_receiver_semaphore, in1_mcast_sender_semaphore, in1_mcast_receiver_semaphore = (
        prog.semaphore(all_cores, 0) for _ in range(4))   # INVALID
    in0_num_subblocks = per_core_M // out_subblock_h
    in0_block_num_tiles = out_subblock_h * in0_block_w * in0_num_subblocks
    in0_sender_ct = [1, 1, K, in0_block_w, in0_block_w, per_core_M, in0_block_num_tiles, num_blocks,
                     in0_mcast_sender_semaphore, in0_mcast_receiver_semaphore, in1_end, in1_end, M * K, B]
    in1_sender_writer_ct = [1, 1, 1, N, in0_block_w * N, per_core_N, in0_block_w, per_core_N * in0_block_w, num_blocks,
                            in1_mcast_sender_semaphore, in1_mcast_receiver_semaphore, in0_end, in0_end, K * N, B, 0,
                            1, N, out_subblock_w, out_subblock_h * N, out_subblock_w, out_subblock_h,
                            out_subblock_w * out_subblock_h, M * N, 1, 1]   # + bias: in3_is_dram, 1
    in0_receiver_ct = [in0_block_w * per_core_M, num_blocks, in0_mcast_sender_semaphore, in0_mcast_receiver_semaphore, B]
    in1_receiver_writer_ct = [1, per_core_N * in0_block_w, num_blocks, in1_mcast_sender_semaphore, in1_mcast_receiver_semaphore,
                              B, 1, N, out_subblock_w, out_subblock_h * N, out_subblock_w, out_subblock_h,
                              out_subblock_w * out_subblock_h, M * N, per_core_N]  # + bias: per_core_N
    bias_defines = {"FUSE_BIAS": "1"}
    # eltwise_unary_op_utils::get_defines(GELU, param 1 (approximate), "ACTIVATION", "i"), as the host writes them
    mm_defines = {"FUSE_BIAS": "1", "SFPU_OP_INIT_ACTIVATION": "gelu_tile_init({1});",
                  "SFPU_OP_FUNC_ACTIVATION": "gelu_tile(i, 1u);", "SFPU_OP_GELU_INCLUDE": "1",
                  **({"PACKER_L1_ACC": "1"} if packer_l1_acc else {})}

    xy = dev.chip.noc_xy
    in0_args, in1_args = {}, {}
    for y in range(rows):
        for x in range(cols):
            core = (x, y)
            in0_idx, in1_idx = y, x
            in0_mcast_sender, in1_mcast_sender = xy((0, y)), xy((x, 0))
            in0_mcast_start, in0_mcast_end = xy((min(1, cols - 1), y)), xy((cols - 1, y))   # as for in0 on NoC 0
            in1_mcast_start, in1_mcast_end = xy((x, rows - 1)), xy((x, min(1, rows - 1)))   # as for in1 on NoC 1
            if in0_noc == 1: in0_mcast_start, in0_mcast_end = in0_mcast_end, in0_mcast_start
            if in1_noc == 0: in1_mcast_start, in1_mcast_end = in1_mcast_end, in1_mcast_start
            out_start = in1_idx * per_core_N + in0_idx * per_core_M * N
            padding = [per_core_M // out_subblock_h, out_subblock_h, 0, per_core_N // out_subblock_w, out_subblock_w, 0, 0]
            if in1_idx == 0:
                in0_args[core] = [ta.addr, K * per_core_M * in0_idx, *in0_mcast_start, *in0_mcast_end, per_core_M]
            else:
                in0_args[core] = [*in0_mcast_sender]
            if in0_idx == 0:
                in1_args[core] = [tw.addr, per_core_N * in1_idx, *in1_mcast_start, *in1_mcast_end, tc.addr, out_start,
                                  per_core_N, *padding, tb.addr, per_core_N * in1_idx]
            else:
                in1_args[core] = [*in1_mcast_sender, tc.addr, out_start, *padding]

    K_ = lambda name, ct, noc, defines=None: tt.Kernel(src(f"dataflow/{name}.cpp"), name, compile_args=ct, noc=noc,
                                                       defines=defines or {}, includes=[root])
    prog.kernel(in0_sender, "reader", K_("reader_bmm_tile_layout_in0_sender_padding", in0_sender_ct, in0_noc), in0_args)
    prog.kernel(in1_sender, "writer", K_("reader_bmm_tile_layout_in1_sender_writer_padding", in1_sender_writer_ct, in1_noc, bias_defines), in1_args)
    if in0_sender_in1_receiver + left_half:
        prog.kernel(in0_sender_in1_receiver + left_half, "writer",
                    K_("reader_bmm_tile_layout_in1_receiver_writer_padding", in1_receiver_writer_ct, in1_noc, bias_defines), in1_args)
    if in0_receiver_in1_sender + left_half:
        prog.kernel(in0_receiver_in1_sender + left_half, "reader", K_("reader_bmm_tile_layout_in0_receiver", in0_receiver_ct, in0_noc), in0_args)
    if right_half:
        prog.kernel(right_half, "writer", K_("reader_bmm_tile_layout_in1_receiver_writer_padding", in1_receiver_writer_ct,
                                             in1_split_noc, bias_defines), in1_args)
        prog.kernel(right_half, "reader", K_("reader_bmm_tile_layout_in0_receiver", in0_receiver_ct, in0_split_noc), in0_args)
    in1_num_subblocks = per_core_N // out_subblock_w
    compute_ct = [in0_block_w, in0_num_subblocks, in0_block_num_tiles, out_subblock_h * in0_block_w, in1_num_subblocks,
                  out_subblock_w * in0_block_w * in1_num_subblocks, out_subblock_w * in1_num_subblocks, num_blocks,
                  out_subblock_h, out_subblock_w, out_subblock_h * out_subblock_w, B, per_core_M * per_core_N, 0]
    prog.kernel(all_cores, "compute", tt.Kernel(src("compute/bmm_large_block_zm_fused_bias_activation.cpp"),
                                                "bmm_large_block_zm_fused_bias_activation", compile_args=compute_ct,
                                                defines=mm_defines, math_fidelity="HiFi4", includes=[root]))
    twice = 2 if B * num_blocks > 1 else 1
    prog.cb(all_cores, tt.CB(0, tt.bfloat16, per_core_M * in0_block_w * twice))
    prog.cb(all_cores, tt.CB(1, tt.bfp8_b, per_core_N * in0_block_w * twice))
    prog.cb(all_cores, tt.CB((16, 24), (tt.bfloat16, tt.bfloat16), per_core_M * per_core_N))  # output and interm0 share
    prog.cb(all_cores, tt.CB(3, tt.bfloat16, per_core_N))
    t0 = time.perf_counter()
    result = dev.run(prog)
    wall = time.perf_counter() - t0
    c = tt.untilize(tc.read(tt.bfloat16.dtype), m, n, np.float32)
    for buf in (ta, tw, tb, tc): buf.free()
    return c, result, wall


def tilize_untilize(dev, root, rows, cols):
    """tt_eager's tilize_single_core and untilize_single_core: a row-major tensor (one row per page) to tiles with
    reader_unary_stick_layout_split_rows_interleaved + compute/tilize.cpp + writer_unary_interleaved_start_id, and
    back with reader_unary_interleaved_start_id + pack_untilize.cpp (untilize.cpp past 8 tiles a row) +
    writer_unary_stick_layout_split_rows_interleaved, host args as those op factories compute them."""
    x = tt.round_bfloat16(np.random.default_rng(1).standard_normal((rows, cols)))
    stick_size, Wt, num_tiles = cols * 2, cols // 32, rows * cols // 1024
    pow2 = stick_size >= 32 and stick_size & (stick_size - 1) == 0
    log2 = stick_size.bit_length() - 1 if pow2 else 0
    block_width_size = Wt * 32 * 2                      # num_tiles_per_block = a whole row of tiles (it fits L1)
    sticks = dev.buffer(x.astype(tt.bfloat16.dtype), page=stick_size)
    tiles = dev.buffer(num_tiles * 2048, page=2048)
    back = dev.buffer(rows * cols * 2, page=stick_size)
    k = lambda path, **kw: tt.Kernel((root / path).read_text(), Path(path).stem, includes=[root], **kw)
    split_rows = [num_tiles * 1024 // cols, stick_size, Wt, block_width_size, 1, 0, 0, 0]  # num_sticks .. leftover, start 0
    cbs = [tt.CB(0, tt.bfloat16, Wt), tt.CB(16, tt.bfloat16, Wt)]
    dev.run(tt.Program(dev, (0, 0), cbs=cbs,
                       reader=k("tt_eager/tt_dnn/op_library/tilize/kernels/dataflow/reader_unary_stick_layout_split_rows_interleaved.cpp",
                                compile_args=[1, int(pow2), log2]),
                       reader_args=[sticks.addr, *split_rows],
                       compute=k("tt_eager/tt_dnn/kernels/compute/tilize.cpp", compile_args=[num_tiles // Wt, Wt]),
                       writer=k("tt_eager/tt_dnn/kernels/dataflow/writer_unary_interleaved_start_id.cpp", compile_args=[16, 1]),
                       writer_args=[tiles.addr, num_tiles, 0]))
    untilize = "pack_untilize" if Wt <= 8 else "untilize"
    dev.run(tt.Program(dev, (0, 0), cbs=cbs,
                       reader=k("tt_eager/tt_dnn/kernels/dataflow/reader_unary_interleaved_start_id.cpp", compile_args=[1]),
                       reader_args=[tiles.addr, num_tiles, 0],
                       compute=k(f"tt_eager/tt_dnn/op_library/untilize/kernels/compute/{untilize}.cpp", compile_args=[num_tiles // Wt, Wt]),
                       writer=k("tt_eager/tt_dnn/op_library/untilize/kernels/dataflow/writer_unary_stick_layout_split_rows_interleaved.cpp",
                                compile_args=[1, int(pow2), log2]),
                       writer_args=[back.addr, *split_rows]))
    ok = np.array_equal(tiles.read(tt.bfloat16), tt.tilize(x)) and np.array_equal(back.read(tt.bfloat16).reshape(rows, cols), x)
    for b in (sticks, tiles, back): b.free()
    print(f"tt-metal 2024 tilize + {untilize}, single core, unchanged, {rows}x{cols} bfloat16: {'PASS' if ok else 'FAIL'}")
    return ok


def find_max_divisor(val, start):
    """tt_eager's work_split.hpp: the largest divisor of val up to start, skipping 7 and 5."""
    return next((d for d in range(start, 0, -1) if d not in (7, 5) and val % d == 0), 1)


def layernorm(dev, root, rows, cols, cores=8, eps=1e-5):
    """tt_eager's layernorm_multi_core with gamma and beta (tiled, their row in row 0 of a 32-row tile row):
    reader_unary_interleaved_ln + layernorm.cpp + writer_unary_interleaved_start_id_blocked, every circular buffer
    and arg as that factory makes them, rows of tiles split over `cores` cores as split_work_to_cores does."""
    rng = np.random.default_rng(2)
    x = tt.round_bfloat16(rng.normal(0.5, 2.0, (rows, cols)))
    gamma, beta = tt.round_bfloat16(rng.uniform(0.5, 1.5, cols)), tt.round_bfloat16(rng.uniform(-1, 1, cols))
    Wt, tile_rows = cols // 32, rows // 32
    block_size = find_max_divisor(Wt, 8)
    WtB = -(-Wt // block_size) * block_size
    row0 = lambda v: np.vstack([np.asarray(v, np.float32)[None, :], np.zeros((31, cols), np.float32)])
    ta = dev.buffer(tt.tilize(x, tt.bfloat16), fmt=tt.bfloat16)
    tg, tb = (dev.buffer(tt.tilize(row0(v), tt.bfloat16), fmt=tt.bfloat16) for v in (gamma, beta))
    ty = dev.buffer(rows * cols * 2, page=2048)
    k = lambda path, **kw: tt.Kernel((root / "tt_eager/tt_dnn/op_library/layernorm/kernels" / path).read_text(), Path(path).stem,
                                     includes=[root], **kw)
    used = [(i % 12, i // 12) for i in range(min(cores, tile_rows))]
    per, extra = divmod(tile_rows, len(used))
    count = {c: per + (i < extra) for i, c in enumerate(used)}
    first = {c: sum(count[d] for d in used[:i]) for i, c in enumerate(used)}
    winv = int(tt.formats.bfloat16_bits(np.float32(1 / cols)))
    eps_bits = int(np.float32(eps).view(np.uint32))
    prog = tt.Program(dev)
    prog.kernel(used, "reader", k("dataflow/reader_unary_interleaved_ln.cpp", compile_args=[1, 0, 1, 1, block_size, 0, 0],
                                  defines={"FUSE_GAMMA": "1", "FUSE_BETA": "1"}),
                lambda c: [ta.addr, count[c], Wt, first[c] * Wt, winv << 16 | winv, eps_bits, tg.addr, tb.addr, 0])
    prog.kernel(used, "writer", k("dataflow/writer_unary_interleaved_start_id_blocked.cpp", compile_args=[1, block_size]),
                lambda c: [ty.addr, count[c] * Wt, first[c] * Wt])
    prog.kernel(used, "compute", k("compute/layernorm.cpp", compile_args=[Wt, block_size, 1, 1, 0]), lambda c: [count[c]])
    for index, tiles in ((0, WtB), (16, 2 * block_size), (25, 2), (2, 2), (3, 2), (26, 2), (24, WtB), (27, WtB), (28, 8),
                         (29, 2 * block_size), (5, WtB), (6, WtB)):
        prog.cb(used, tt.CB(index, tt.bfloat16, tiles))
    dev.run(prog)
    y = tt.untilize(ty.read(tt.bfloat16.dtype), rows, cols, np.float32)
    exact = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps) * gamma + beta
    err = float(np.abs(y - exact).max())
    ok = np.array_equal(y, reference.layernorm(x, gamma, beta, eps))  # bit for bit: bfloat16 rounded where the chip rounds
    for b in (ta, tg, tb, ty): b.free()
    print(f"tt-metal 2024 layernorm (gamma, beta) on {len(used)} cores, unchanged, {rows}x{cols} bfloat16: "
          f"{'PASS' if ok else 'FAIL'} (bit-identical to reference.layernorm: {ok}; max |y - float64| {err:.3g}, |y| up to "
          f"{np.abs(exact).max():.3g})")
    return ok


def moreh_softmax_w(dev, root, rows, width, cores=4):
    """tt_eager's moreh_softmax_w_small: softmax over rows whose last tile is partly padding, which the kernels mask
    (generate_mask_w in the reader, mask_tile in moreh_softmax_w.cpp). The padding holds 100s, which a missing mask
    would let dominate every row."""
    Wt = -(-width // 32)
    x = np.full((rows, Wt * 32), 100.0, np.float32)
    x[:, :width] = tt.round_bfloat16(np.random.default_rng(3).normal(0, 2, (rows, width)))
    tx = dev.buffer(tt.tilize(x, tt.bfloat16), fmt=tt.bfloat16)
    ty = dev.buffer(x.size * 2, page=2048)
    k = lambda name, **kw: tt.Kernel((root / "tt_eager/tt_dnn/op_library/moreh_softmax/kernels" / name).read_text(),
                                     name[:-4], includes=[root], **kw)
    used = [(0, y) for y in range(min(cores, rows // 32))]  # core = {i / core_h, i % core_h}: down the first column
    per, extra = divmod(rows // 32, len(used))
    count = {c: per + (i < extra) for i, c in enumerate(used)}
    offset = {c: sum(count[d] for d in used[:i]) * Wt for i, c in enumerate(used)}
    mask_w = width % 32 or 32
    prog = tt.Program(dev)
    for index, tiles in ((0, 2), (1, 1), (16, 2), (24, Wt), (25, 1), (2, 1)):
        prog.cb(used, tt.CB(index, tt.bfloat16, tiles))
    prog.kernel(used, "reader", k("reader_moreh_softmax_w.cpp", compile_args=[1]),
                lambda c: [tx.addr, count[c], offset[c], Wt, int(np.float32(1).view(np.uint32)), mask_w])
    prog.kernel(used, "writer", k("writer_moreh_softmax_w.cpp", compile_args=[1]), lambda c: [ty.addr, count[c], offset[c], Wt])
    for n in sorted(set(count.values())):  # core groups by their row count, the count a compile-time arg
        prog.kernel([c for c in used if count[c] == n], "compute",
                    k("moreh_softmax_w.cpp", compile_args=[n, Wt], defines={"SOFTMAX": "1"}))
    dev.run(prog)
    y = tt.untilize(ty.read(tt.bfloat16.dtype), rows, Wt * 32, np.float32)[:, :width]
    e = np.exp(x[:, :width].astype(np.float64) - x[:, :width].max(1, keepdims=True))
    want = e / e.sum(1, keepdims=True)
    err = float(np.abs(y - want).max() / want.max())
    ok = err < 0.02  # exp, the sum, its reciprocal and the product, each rounded to bfloat16
    for b in (tx, ty): b.free()
    print(f"tt-metal 2024 moreh_softmax_w (small), unchanged, {rows}x{width} (masked to {Wt * 32}) on {len(used)} cores: "
          f"{'PASS' if ok else 'FAIL'} (max error {err:.3g} of the largest value)")
    return ok


def main(argv):
    if not argv: sys.exit("usage: python bench/tt_metal_2024.py PATH [SIZE] [COLS ROWS]   # PATH: a tt-metal checkout of March 2024 (--help: more)")
    root = Path(argv[0])
    size = int(argv[1]) if len(argv) > 1 else 1024
    grid = (int(argv[2]), int(argv[3])) if len(argv) > 3 else (8, 8)
    dev = tt.Device(echo=False)
    a, w, bias = inputs(size, size, size)
    run(dev, root, a, w, bias, grid)  # the first run compiles
    c, result, wall = run(dev, root, a, w, bias, grid)
    ok, err = check(c, a, w, bias)
    print(f"tt-metal 2024 bmm_large_block_zm_fused_bias_activation + 2D multicast kernels, unchanged, {size}^3, "
          f"bfp8_b weights, GELU, {grid[0]}x{grid[1]} cores: {'PASS' if ok else 'FAIL'} (max |c - float64| {err:.3g}; "
          f"{result.cycles} cycles = {result.seconds * 1e3:.3f} ms on the chip; {wall * 1e3:.0f} ms wall)")
    with tt.Device("n150", echo=False) as wh:  # Wormhole's NoC choices, and partial sums accumulated by the packer in L1
        c_wh, result_wh, _ = run(wh, root, a, w, bias, grid, packer_l1_acc=True)
        ok_wh, err_wh = check(c_wh, a, w, bias, l1_acc_block=2)  # in0_block_w
    print(f"  the same on a simulated n150 with PACKER_L1_ACC: {'PASS' if ok_wh else 'FAIL'} (max |c - float64| {err_wh:.3g}; "
          f"{result_wh.cycles} cycles)")
    ok = tilize_untilize(dev, root, 128, 256) & tilize_untilize(dev, root, 64, 96 * 4) & layernorm(dev, root, 256, 512) & moreh_softmax_w(dev, root, 128, 200) & ok & ok_wh
    return 0 if ok else 1


if __name__ == "__main__":
    usage(__doc__)
    sys.exit(main(sys.argv[1:]))
