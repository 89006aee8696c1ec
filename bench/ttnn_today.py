"""Today's tt-metal kernels that go through ttnn's kernel_lib helpers, run unchanged and checked against numpy.

    python bench/ttnn_today.py PATH [--device n150]

PATH is a folder shaped like a tt-metal checkout (2025-26) holding the kernel sources and the user-library headers
they include (`ttnn/cpp/ttnn/kernel_lib/...`), as they are in tenstorrent/tt-metal; it serves as the include
directory, as tt-metal's build uses its checkout. The kernel API itself (`api/...`) is tensix's. Each program is built
as its host code does (buffers, circular buffers, compile-time and runtime args, core ranges), mirrored in Python.
Prints PASS/FAIL, the simulated cycles and the wall time of each, and the machine's load.
"""
import argparse, os, sys, time
from pathlib import Path
import numpy as np
import tensix as tt
from tensix import reference
from today_examples import run_programs, ttnn_binary_relu, ttnn_binary_sfpu_div_fp32, ttnn_program  # ttnn's binary kernels, run the same way

EX = "tt_metal/programming_examples/matmul/matmul_common/kernels"


# the include directories tt-metal's build gives a kernel beside the kernel API's (bench/compat.py's USER_INCLUDES)
def source(root, rel, name, **kw):
    return tt.Kernel((root / rel).read_text(), name, includes=[str(root / d) for d in ("", "ttnn", "ttnn/cpp", "tt_metal/api")], **kw)


def args_of(*bufs): return [a for b in bufs for a in tt.TensorAccessorArgs(b).get_compile_time_args()]


def bf16_buffer(dev, x): return dev.buffer(tt.tilize(x), fmt=tt.bfloat16, page=tt.bfloat16.tile_bytes)


def prime_factors(n):
    out, i = [], 2
    while i * i <= n:
        if n % i: i += 1
        else: n //= i; out.append(i)
    return out + ([n] if n > 1 else [])


def possible_products(factors):
    products = []
    for f in factors:
        products += [p for p in [f] + [f * q for q in products] if p not in products]
    return sorted(set(products)) or [1]


SUBBLOCK_HW = [(4, 2), (2, 4), (8, 1), (1, 8), (7, 1), (1, 7), (3, 2), (2, 3), (6, 1), (1, 6), (5, 1), (1, 5), (2, 2), (4, 1),
               (1, 4), (3, 1), (1, 3), (2, 1), (1, 2), (1, 1)]


def large_matmul_params(Mt, Nt, cores_y, cores_x, in0_block_w):
    """bmm_op_utils::get_large_matmul_params, for shapes whose prime factors fit the grid (its last branch)."""
    assert all(f <= cores_x for f in prime_factors(Nt)) and all(f <= cores_y for f in prime_factors(Mt))
    max_dim = lambda d: max(0, (400 - 2 * in0_block_w * d) // (2 * in0_block_w + d))
    for npc in possible_products(prime_factors(Nt)):
        mpc = 1
        for m in possible_products(prime_factors(Mt)):
            if m <= max_dim(npc): mpc = m
        if Mt // mpc > cores_y or Nt // npc > cores_x: continue
        for h, w in SUBBLOCK_HW:
            if mpc % h == 0 and npc % w == 0: return mpc, npc, h, w
    raise ValueError("no block shape")


def matmul_multicore_reuse(dev, root, rng, M=640, K=640, N=640):
    """tt_metal/programming_examples/matmul/matmul_multicore_reuse: each core reads a block of rows of A and of columns
    of B once per K-block and computes a per_core_M x per_core_N output block in subblocks (compute:
    bmm_large_block_zm.cpp through kernel_lib's matmul_block; partial sums spilled to c_24, which shares c_16's buffer)."""
    a, b = rng.standard_normal((M, K)).astype(np.float32), rng.standard_normal((K, N)).astype(np.float32)
    A, B = bf16_buffer(dev, a), bf16_buffer(dev, b)
    C = dev.buffer(M * N * 2, page=tt.bfloat16.tile_bytes)
    Mt, Kt, Nt = M // 32, K // 32, N // 32
    cols, rows = dev.chip.grid
    in0_block_w = 2
    pcm, pcn, sbh, sbw = large_matmul_params(Mt, Nt, rows, cols, in0_block_w)
    num_blocks = Kt // in0_block_w
    compute_args = [in0_block_w, pcm // sbh, sbh * in0_block_w * (pcm // sbh), sbh * in0_block_w, pcn // sbw,
                    sbw * in0_block_w * (pcn // sbw), pcn, num_blocks, sbh, sbw, sbh * sbw, 1]
    blocks_y, blocks_x = Mt // pcm, Nt // pcn
    cores = [(i % cols, i // cols) for i in range(blocks_y * blocks_x)]  # num_cores_to_corerangeset, row-wise
    block_of = {c: divmod(i, blocks_x) for i, c in enumerate(cores)}  # (output_idx_y, output_idx_x)
    reader_args = lambda c: [A.addr, Kt * pcm * block_of[c][0], 1, Kt, in0_block_w, in0_block_w, pcm, in0_block_w * pcm,
                             B.addr, pcn * block_of[c][1], 1, Nt, in0_block_w * Nt, pcn, in0_block_w, pcn * in0_block_w,
                             num_blocks, Mt * Kt, Kt * Nt, 1, 0]
    writer_args = lambda c: [C.addr, block_of[c][1] * pcn + block_of[c][0] * pcm * Nt, 1, Nt, sbw, sbh * Nt, sbw, sbh,
                             sbw * sbh, pcn // sbw, pcm // sbh, Mt * Nt, 1]
    prog = tt.Program(dev, cores, reader=source(root, f"{EX}/dataflow/reader_bmm_tile_layout.cpp", "reader_bmm_tile_layout", compile_args=args_of(A, B)),
                      writer=source(root, f"{EX}/dataflow/writer_bmm_tile_layout.cpp", "writer_bmm_tile_layout", compile_args=args_of(C)),
                      compute=source(root, f"{EX}/compute/bmm_large_block_zm.cpp", "bmm_large_block_zm", compile_args=compute_args,
                                     math_fidelity="HiFi4"),
                      reader_args=reader_args, writer_args=writer_args,
                      cbs=[tt.CB(0, pages=2 * pcm * in0_block_w), tt.CB(1, pages=2 * pcn * in0_block_w),
                           tt.CB((16, 24), fmt=(tt.bfloat16, tt.bfloat16), pages=pcm * pcn)])
    run = dev.run(prog)
    got = tt.untilize(C.read(tt.bfloat16), M, N)
    return reference.matmul_matches(got, a, b), run


def matmul_multicore_reuse_mcast(dev, root, rng, M=2048, K=512, N=1024):
    """tt_metal/programming_examples/matmul/matmul_multicore_reuse_mcast (its CI shape): the left column reads blocks of
    A and multicasts them along its row, the top row reads blocks of B and multicasts them down its column, each signalled
    by semaphores; four reader kernels on four core ranges, the writer on NoC 1 in the left column, the same compute."""
    a, b = rng.standard_normal((M, K)).astype(np.float32), rng.standard_normal((K, N)).astype(np.float32)
    A, B = bf16_buffer(dev, a), bf16_buffer(dev, b)
    C = dev.buffer(M * N * 2, page=tt.bfloat16.tile_bytes)
    Mt, Kt, Nt = M // 32, K // 32, N // 32
    grid_x, grid_y = dev.chip.grid
    in0_block_w = 2
    pcm, pcn, sbh, sbw = large_matmul_params(Mt, Nt, grid_y, grid_x, in0_block_w)
    num_blocks = Kt // in0_block_w
    compute_args = [in0_block_w, pcm // sbh, sbh * in0_block_w * (pcm // sbh), sbh * in0_block_w, pcn // sbw,
                    sbw * in0_block_w * (pcn // sbw), pcn, num_blocks, sbh, sbw, sbh * sbw, 1]
    cols, rows = Nt // pcn, Mt // pcm  # bmm_op_utils::get_core_range
    R = lambda x0, y0, x1, y1: tt.CoreRange((x0, y0), (x1, y1))
    all_cores = R(0, 0, cols - 1, rows - 1)
    prog = tt.Program(dev)
    for cb in (tt.CB(0, pages=2 * pcm * in0_block_w), tt.CB(1, pages=2 * pcn * in0_block_w),
               tt.CB((16, 24), fmt=(tt.bfloat16, tt.bfloat16), pages=pcm * pcn)):
        prog.cb(all_cores, cb)
    # CreateSemaphore gives an id; the kernels turn it into the address with get_semaphore(id)
    sem_id = lambda addr: (addr - dev.chip.semaphore_base) // dev.chip.semaphore_stride
    in0_sender_sem, in0_receiver_sem, in1_sender_sem, in1_receiver_sem = (sem_id(prog.semaphore(all_cores, 0)) for _ in range(4))
    xy = dev.chip.noc_xy

    def reader_args(c):
        x, y = c
        left, left1, right = xy((0, y)), xy((1, y)), xy((cols - 1, y))
        top, top1, bottom = xy((x, 0)), xy((x, 1)), xy((x, rows - 1))
        return [A.addr, Kt * pcm * y, 1, Kt, in0_block_w, in0_block_w, pcm, in0_block_w * pcm,
                B.addr, pcn * x, 1, Nt, in0_block_w * Nt, pcn, in0_block_w, pcn * in0_block_w, num_blocks,
                *right, *left1, cols - 1, *left, in0_sender_sem, in0_receiver_sem,
                *bottom, *top1, rows - 1, *top, in1_sender_sem, in1_receiver_sem, Mt * Kt, Kt * Nt, 1, 0]

    writer_args = lambda c: [C.addr, c[0] * pcn + c[1] * pcm * Nt, 1, Nt, sbw, sbh * Nt, sbw, sbh, sbw * sbh, pcn // sbw,
                             pcm // sbh, Mt * Nt, 1]
    reader_ct, writer_ct = args_of(A, B), args_of(C)
    for name, cores, noc in [("in0_sender_in1_sender", [R(0, 0, 0, 0)], 0), ("in0_sender_in1_receiver", [R(0, 1, 0, rows - 1)] if rows > 1 else [], 0),
                             ("in0_receiver_in1_sender", [R(1, 0, cols - 1, 0)] if cols > 1 else [], 1),
                             ("in0_receiver_in1_receiver", [R(1, 1, cols - 1, rows - 1)] if rows > 1 and cols > 1 else [], 1)]:
        if cores:
            prog.kernel(cores, "reader", source(root, f"{EX}/dataflow/reader_bmm_tile_layout_{name}.cpp", name, compile_args=reader_ct, noc=noc), reader_args)
    writer = f"{EX}/dataflow/writer_bmm_tile_layout.cpp"
    if cols > 1: prog.kernel(R(1, 0, cols - 1, rows - 1), "writer", source(root, writer, "writer_noc0", compile_args=writer_ct, noc=0), writer_args)
    prog.kernel(R(0, 0, 0, rows - 1), "writer", source(root, writer, "writer_noc1", compile_args=writer_ct, noc=1), writer_args)
    prog.kernel(all_cores, "compute", source(root, f"{EX}/compute/bmm_large_block_zm.cpp", "bmm_large_block_zm", compile_args=compute_args,
                                             math_fidelity="HiFi4"))
    run = dev.run(prog)
    got = tt.untilize(C.read(tt.bfloat16), M, N)
    return reference.matmul_matches(got, a, b), run


REDUCE = "ttnn/cpp/ttnn/operations/reduction/generic/device/kernels/compute"
UNARY_WRITER = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels/dataflow/writer_unary_interleaved_start_id.cpp"
def bf16_accumulated(tile_sums):
    """What a bfloat16 register holds after adding these per-tile sums one call at a time (each rounded to bfloat16)."""
    acc = np.zeros(tile_sums.shape[1:], np.float32)
    for s in tile_sums: acc = tt.round_bfloat16(acc + s.astype(np.float32))
    return acc


def ttnn_reduce(dev, root, rng, dim, H=128, W=256):
    """ttnn's reduce.cpp along w (REDUCE_ROW) or h (REDUCE_COL) with SUM, on one core as ttnn's multi-core w and h factories
    build it: their readers (reduce_universal_start_id; transpose_wh_universal_input_cols_partitioned, w chunked by
    DEST_AUTO_LIMIT), which write the scaler tile through kernel_lib's prepare_reduce_scaler, and
    writer_unary_interleaved_start_id. Along w kernel_lib reduces through the matmul (at HiFi4, a scaler whose column 0
    is ones); along h with reduce_tile. Sums in a bfloat16 register."""
    x = rng.standard_normal((H, W)).astype(np.float32)
    X = bf16_buffer(dev, x)
    Ht, Wt = H // 32, W // 32
    n_out = Ht if dim == "ROW" else Wt
    out = dev.buffer(n_out * tt.bfloat16.tile_bytes, page=tt.bfloat16.tile_bytes)
    defines = {"REDUCE_OP": "ckernel::PoolType::SUM", "REDUCE_DIM": f"ckernel::ReduceDim::REDUCE_{dim}"}  # reduce_op_utils::get_defines
    one = int(np.float32(1).view(np.uint32))
    if dim == "ROW":
        reader = source(root, f"{REDUCE}/../dataflow/reader_unary_reduce_universal_start_id.cpp", "reader_reduce",
                        compile_args=[one, *args_of(X)], defines=defines)
        reader_args = [X.addr, Ht * Wt, 0]
    else:
        reader = source(root, f"{REDUCE}/../dataflow/reader_unary_transpose_wh_universal_input_cols_partitioned.cpp", "reader_reduce_h",
                        compile_args=[Ht, Wt, Ht * Wt, one, 0, *args_of(X)],
                        defines={**defines, "ENABLE_FP32_DEST_ACC": "0", "DST_SYNC_FULL": "0"})
        reader_args = [X.addr, 0, 0, Wt]
    prog = tt.Program(dev, (0, 0), reader=reader,
                      writer=source(root, UNARY_WRITER, "writer_unary_interleaved_start_id", compile_args=[3, *args_of(out)]),
                      compute=source(root, f"{REDUCE}/reduce.cpp", "reduce", compile_args=[Ht, Wt, 1], defines=defines),
                      reader_args=reader_args, writer_args=[out.addr, n_out, 0], cbs=[tt.CB(0), tt.CB(2), tt.CB(3)])
    run = dev.run(prog)
    if dim == "ROW":  # x times Wt scaler tiles stacked: column 0 of each output tile holds the row sums, the rest zeros
        ones = np.zeros((W, 32), np.float32)
        ones[:, 0] = 1
        return reference.matmul_matches(tt.untilize(out.read(tt.bfloat16), H, 32), x, ones), run
    got = tt.untilize(out.read(tt.bfloat16), 32, W)[0]
    want = bf16_accumulated(tt.round_bfloat16(x).astype(np.float64).reshape(Ht, 32, W).sum(1))
    # each tile's sum is exact before its rounding here; the chip's order within a tile may move it by one step
    return np.allclose(got, want, rtol=2 ** -7, atol=2 ** -6), run


def ttnn_reduce_w(dev, root, rng): return ttnn_reduce(dev, root, rng, "ROW")
def ttnn_reduce_h(dev, root, rng): return ttnn_reduce(dev, root, rng, "COL")


def ttnn_binary_sfpu_int32(dev, root, rng):
    """ttnn's eltwise_binary_sfpu_kernel.cpp on int32 tensors with values over the whole range, as ttnn builds its integer
    ops (an *_INIT define and BINARY_SFPU_OP, a 32-bit register, both inputs unpacked straight to it): or, add,
    arithmetic right shift and remainder, each exact against numpy's int32 arithmetic (tt-metal's rules for shift
    amounts and signs)."""
    a = rng.integers(-2 ** 31, 2 ** 31, (64, 128), dtype=np.int64).astype(np.int32)
    b = rng.integers(-2 ** 31, 2 ** 31, (64, 128), dtype=np.int64).astype(np.int32)
    s = rng.integers(0, 32, (64, 128)).astype(np.int32)
    d = np.where(b == 0, 7, b)
    fp32 = tt.UnpackToDestMode.UnpackToDestFp32
    ok, run = True, None
    with np.errstate(over="ignore"):
        cases = [("BITWISE_INIT", "binary_bitwise_tile_init();", "bitwise_or_binary_tile<DataFormat::Int32>", a, b, a | b),
                 ("ADD_INT_INIT", "add_int_tile_init();", "add_int_tile<DataFormat::Int32>", a, b, a + b),
                 ("SHIFT_INIT", "binary_shift_tile_init();", "binary_right_shift_tile<DataFormat::Int32>", a, s, a >> s),
                 ("BINOP_INIT", "remainder_int32_tile_init();", "remainder_int32_tile", a, d, np.mod(a, d))]
    for init, init_call, op, x, y, want in cases:
        got, run = ttnn_program(dev, root, "eltwise_binary_sfpu_kernel.cpp", x, y, tt.int32, 2,
                                {init: init_call, "BINARY_SFPU_OP": f"{op}(i * 2, i * 2 + 1, i * 2);"},
                                fp32_dest_acc_en=True, unpack_to_dest_mode={0: fp32, 1: fp32})
        ok &= bool(np.array_equal(got, want))
    return ok, run


def ttnn_bmm(dev, root, rng, M=192, K=256, N=160):
    """ttnn's matmul compute kernel bmm.cpp (through kernel_lib's matmul_tile; its circular buffers by name, as named
    compile-time args), fed by the matmul_single_core example's reader and writer, which stream tiles in its order."""
    a, b = rng.standard_normal((M, K)).astype(np.float32), rng.standard_normal((K, N)).astype(np.float32)
    A, B = bf16_buffer(dev, a), bf16_buffer(dev, b)
    C = dev.buffer(M * N * 2, page=tt.bfloat16.tile_bytes)
    Mt, Kt, Nt = M // 32, K // 32, N // 32
    d = "tt_metal/programming_examples/matmul/matmul_single_core/kernels/dataflow"
    prog = tt.Program(dev, (0, 0), reader=source(root, f"{d}/reader_single_core_mm.cpp", "reader_single_core_mm", compile_args=args_of(A, B)),
                      writer=source(root, f"{d}/writer_single_core_mm.cpp", "writer_single_core_mm", compile_args=args_of(C)),
                      compute=source(root, "ttnn/cpp/ttnn/operations/matmul/device/kernels/compute/bmm.cpp", "bmm",
                                     compile_args=[1, Mt, Kt, Nt], named_args={"cb_in0": 0, "cb_in1": 1, "cb_out": 16}),
                      reader_args=[A.addr, B.addr, Mt, Kt, Nt], writer_args=[C.addr, Mt, Nt], cbs=[tt.CB(0), tt.CB(1), tt.CB(16)])
    run = dev.run(prog)
    got = tt.untilize(C.read(tt.bfloat16), M, N)
    return reference.matmul_matches(got, a, b), run


UNARY = "ttnn/cpp/ttnn/operations/eltwise/unary/device/kernels"
# ttnn's unary ops as its op utils write them: the op's include switch, and SFPU_OP_CHAIN_0 as an init and a call
UNARY_OPS = {"exp": ("SFPU_OP_EXP_INCLUDE", "exp_tile_init<1u>();", "exp_tile<1u>(0);", np.exp),
             "sqrt": ("SFPU_OP_SQRT_INCLUDE", "sqrt_tile_init();", "sqrt_tile(0);", lambda x: np.sqrt(np.abs(x))),
             "sigmoid": ("SFPU_OP_SIGMOID_INCLUDE", "sigmoid_tile_init();", "sigmoid_tile(0);", lambda x: 1 / (1 + np.exp(-x)))}


def ttnn_unary(dev, root, rng, H=64, W=256):
    """ttnn's unary compute kernel eltwise_sfpu.cpp (its api/compute version), with ttnn's
    reader_unary_interleaved_start_id.cpp (2025's experimental::Noc) and writer_unary_interleaved_start_id.cpp: exp,
    sqrt and sigmoid, each within the bfloat16 register's rounding of the exact result."""
    ok, run = True, None
    for name, (include, init, call, f) in UNARY_OPS.items():
        x = rng.uniform(-3, 3, (H, W)).astype(np.float32)
        if name == "sqrt": x = np.abs(x)
        X = bf16_buffer(dev, x)
        Y = dev.buffer(X.size, page=X.page)
        n = X.pages
        prog = tt.Program(dev, (0, 0),
                          reader=source(root, f"{UNARY}/dataflow/reader_unary_interleaved_start_id.cpp", "reader_unary", compile_args=args_of(X)),
                          writer=source(root, UNARY_WRITER, "writer_unary", compile_args=[2, *args_of(Y)]),
                          compute=source(root, f"{UNARY}/compute/eltwise_sfpu.cpp", "eltwise_sfpu",
                                         defines={include: "1", "SFPU_OP_CHAIN_0": "SFPU_OP_CHAIN_0_INIT_0 SFPU_OP_CHAIN_0_FUNC_0",
                                                  "SFPU_OP_CHAIN_0_INIT_0": init, "SFPU_OP_CHAIN_0_FUNC_0": call}),
                          reader_args=[X.addr, n, 0], writer_args=[Y.addr, n, 0], compute_args=[n], cbs=[tt.CB(0), tt.CB(2)])
        run = dev.run(prog)
        got = tt.untilize(Y.read(tt.bfloat16), H, W)
        want = f(tt.round_bfloat16(x).astype(np.float64))
        ok &= bool(np.allclose(got, want, rtol=2 ** -7, atol=1e-6))
    return ok, run


MM = "ttnn/cpp/ttnn/operations/matmul/device/kernels"


def ttnn_matmul_reuse(dev, root, rng, M=512, K=512, N=1024):
    """ttnn's MatmulMultiCoreReuseProgramFactory: per-core blocks of 16 x 16 output tiles (in0_block_w 2, subblocks 4 x 2)
    on as many cores as blocks, ttnn's reader_bmm_tile_layout.cpp and writer_bmm_tile_layout.cpp (a DataflowBuffer and
    Noc::async_write), compute bmm_large_block_zm.cpp through kernel_lib/matmul/matmul.hpp (partials spilled to c_24,
    which shares c_16's buffer, and reloaded through a DataflowBuffer)."""
    a, b = rng.standard_normal((M, K)).astype(np.float32), rng.standard_normal((K, N)).astype(np.float32)
    A, B = bf16_buffer(dev, a), bf16_buffer(dev, b)
    C = dev.buffer(M * N * 2, page=tt.bfloat16.tile_bytes)
    Mt, Kt, Nt = M // 32, K // 32, N // 32
    in0_block_w, sbh, sbw, pcm, pcn = 2, 4, 2, 16, 16
    num_blocks = Kt // in0_block_w
    compute_args = [in0_block_w, pcm // sbh, sbh * in0_block_w * (pcm // sbh), sbh * in0_block_w, pcn // sbw,
                    sbw * in0_block_w * (pcn // sbw), pcn, num_blocks, sbh, sbw, sbh * sbw, 1]
    blocks_y, blocks_x = Mt // pcm, Nt // pcn
    cols = dev.chip.grid[0]
    cores = [(i % cols, i // cols) for i in range(blocks_y * blocks_x)]
    block_of = {c: divmod(i, blocks_x) for i, c in enumerate(cores)}
    reader_args = lambda c: [A.addr, Kt * pcm * block_of[c][0], 1, Kt, in0_block_w, in0_block_w, pcm, in0_block_w * pcm,
                             B.addr, pcn * block_of[c][1], 1, Nt, in0_block_w * Nt, pcn, in0_block_w, pcn * in0_block_w,
                             num_blocks, Mt * Kt, Kt * Nt, 1, 0]
    writer_args = lambda c: [C.addr, block_of[c][1] * pcn + block_of[c][0] * pcm * Nt, 1, Nt, sbw, sbh * Nt, sbw, sbh,
                             sbw * sbh, pcn // sbw, pcm // sbh, Mt * Nt, 1]
    names = {"cb_in0": 0, "cb_in1": 1, "cb_out": 16, "cb_intermed0": 24}
    prog = tt.Program(dev, cores, reader=source(root, f"{MM}/dataflow/reader_bmm_tile_layout.cpp", "reader_bmm_tile_layout", compile_args=args_of(A, B),
                                    named_args={"cb_in0": 0, "cb_in1": 1}),
                      writer=source(root, f"{MM}/dataflow/writer_bmm_tile_layout.cpp", "writer_bmm_tile_layout", compile_args=args_of(C),
                                    named_args={"cb_out": 16}),
                      compute=source(root, f"{MM}/compute/bmm_large_block_zm.cpp", "bmm_large_block_zm", compile_args=compute_args,
                                     named_args=names, math_fidelity="HiFi4"),
                      reader_args=reader_args, writer_args=writer_args,
                      cbs=[tt.CB(0, pages=2 * pcm * in0_block_w), tt.CB(1, pages=2 * pcn * in0_block_w),
                           tt.CB((16, 24), fmt=(tt.bfloat16, tt.bfloat16), pages=pcm * pcn)])
    run = dev.run(prog)
    got = tt.untilize(C.read(tt.bfloat16), M, N)
    return reference.matmul_matches(got, a, b), run


PROGRAMS = [matmul_multicore_reuse, matmul_multicore_reuse_mcast, ttnn_reduce_w, ttnn_reduce_h, ttnn_binary_relu,
            ttnn_binary_sfpu_div_fp32, ttnn_binary_sfpu_int32, ttnn_bmm, ttnn_unary,
            ttnn_matmul_reuse]


if __name__ == "__main__":
    sys.exit(run_programs(PROGRAMS, "today's ttnn-helper kernels"))
