"""Today's tt-metal programming examples, run unchanged from a checkout and checked against numpy.

    python bench/today_examples.py PATH [--device n150]

PATH is a tt-metal checkout (2025-26). Each program takes its kernel sources from PATH's tt_metal/programming_examples
(and two of ttnn's binary compute kernels), as they are, and builds the program as the example's host code does (its buffers, circular buffers, runtime args and
the compile-time args TensorAccessorArgs(buffer) gives); the output is compared with numpy computing the way the chip
does. Prints PASS/FAIL, the simulated cycles and the wall time of each, and the machine's load.
"""
import argparse, os, sys, time
from pathlib import Path
import numpy as np
import tensix as tt
from tensix import reference

EX = "tt_metal/programming_examples"


def kernel(root, rel, name, **kw):
    return tt.Kernel((root / EX / rel).read_text(), name, **kw)


def args_of(*bufs): return [a for b in bufs for a in tt.TensorAccessorArgs(b).get_compile_time_args()]


def bf16_buffer(dev, x): return dev.buffer(tt.tilize(x), fmt=tt.bfloat16, page=tt.bfloat16.tile_bytes)


def eltwise_sfpu(dev, root, rng):
    x = rng.uniform(-4, 4, (64, 256)).astype(np.float32)
    src = bf16_buffer(dev, x)
    dst = dev.buffer(src.size, page=src.page)
    n = src.pages
    prog = tt.Program(dev, (0, 0), reader=kernel(root, "eltwise_sfpu/kernels/dataflow/read_tile.cpp", "read_tile", compile_args=args_of(src)),
                      writer=kernel(root, "eltwise_sfpu/kernels/dataflow/write_tile.cpp", "write_tile", compile_args=args_of(dst)),
                      compute=kernel(root, "eltwise_sfpu/kernels/compute/eltwise_sfpu.cpp", "eltwise_sfpu"),
                      reader_args=[src.addr, n], writer_args=[dst.addr, n], compute_args=[n], cbs=[tt.CB(0), tt.CB(16)])
    run = dev.run(prog)
    got = tt.untilize(dst.read(tt.bfloat16), 64, 256)
    want = tt.round_bfloat16(np.exp(tt.round_bfloat16(x).astype(np.float64)))
    return np.allclose(got, want, rtol=2 ** -7, atol=0), run


def eltwise_binary(dev, root, rng):
    a, b = (rng.standard_normal((64, 256)).astype(np.float32) for _ in range(2))
    A, B = bf16_buffer(dev, a), bf16_buffer(dev, b)
    C = dev.buffer(A.size, page=A.page)
    n = A.pages
    prog = tt.Program(dev, (0, 0), reader=kernel(root, "eltwise_binary/kernels/dataflow/read_tiles.cpp", "read_tiles", compile_args=args_of(A, B)),
                      writer=kernel(root, "eltwise_binary/kernels/dataflow/write_tile.cpp", "write_tile", compile_args=args_of(C)),
                      compute=kernel(root, "eltwise_binary/kernels/compute/tiles_add.cpp", "tiles_add"),
                      reader_args=[A.addr, B.addr, n], writer_args=[C.addr, n], compute_args=[n], cbs=[tt.CB(0), tt.CB(1), tt.CB(16)])
    run = dev.run(prog)
    got = tt.untilize(C.read(tt.bfloat16), 64, 256)
    return np.array_equal(got, tt.round_bfloat16(tt.round_bfloat16(a) + tt.round_bfloat16(b))), run


def matmul_single_core(dev, root, rng, M=256, K=320, N=192):
    a, b = rng.standard_normal((M, K)).astype(np.float32), rng.standard_normal((K, N)).astype(np.float32)
    A, B = bf16_buffer(dev, a), bf16_buffer(dev, b)
    C = dev.buffer(M * N * 2, page=tt.bfloat16.tile_bytes)
    Mt, Kt, Nt = M // 32, K // 32, N // 32
    d = "matmul/matmul_single_core/kernels"
    prog = tt.Program(dev, (0, 0), reader=kernel(root, f"{d}/dataflow/reader_single_core_mm.cpp", "reader_single_core_mm", compile_args=args_of(A, B)),
                      writer=kernel(root, f"{d}/dataflow/writer_single_core_mm.cpp", "writer_single_core_mm", compile_args=args_of(C)),
                      compute=kernel(root, f"{d}/compute/mm.cpp", "mm", compile_args=[Mt, Kt, Nt], math_fidelity="HiFi4"),
                      reader_args=[A.addr, B.addr, Mt, Kt, Nt], writer_args=[C.addr, Mt, Nt], cbs=[tt.CB(0), tt.CB(1), tt.CB(16)])
    run = dev.run(prog)
    got = tt.untilize(C.read(tt.bfloat16), M, N)
    return reference.matmul_matches(got, a, b), run


def matmul_multi_core(dev, root, rng, M=512, K=256, N=512):
    a, b = rng.standard_normal((M, K)).astype(np.float32), rng.standard_normal((K, N)).astype(np.float32)
    A, B = bf16_buffer(dev, a), bf16_buffer(dev, b)
    C = dev.buffer(M * N * 2, page=tt.bfloat16.tile_bytes)
    Mt, Kt, Nt = M // 32, K // 32, N // 32
    cols, rows = dev.chip.grid
    cores = [(x, y) for y in range(rows) for x in range(cols)]
    per = -(-Mt * Nt // len(cores))  # output tiles per core, as split_work_to_cores gives them (the remainder on fewer cores)
    share = {c: (i * per, max(0, min(per, Mt * Nt - i * per))) for i, c in enumerate(cores)}
    d = "matmul/matmul_multi_core/kernels"
    prog = tt.Program(dev, cores,
                      reader=kernel(root, f"{d}/dataflow/reader_mm_output_tiles_partitioned.cpp", "reader_mm", compile_args=args_of(A, B)),
                      writer=kernel(root, f"{d}/dataflow/writer_unary_interleaved_start_id.cpp", "writer_unary", compile_args=args_of(C)),
                      compute=kernel(root, f"{d}/compute/mm.cpp", "mm"),
                      reader_args=lambda c: [A.addr, B.addr, Mt, Kt, Nt, *share[c]], compute_args=lambda c: [share[c][1], Kt],
                      writer_args=lambda c: [C.addr, share[c][1], share[c][0]], cbs=[tt.CB(0), tt.CB(1), tt.CB(16)])
    run = dev.run(prog)
    got = tt.untilize(C.read(tt.bfloat16), M, N)
    return reference.matmul_matches(got, a, b), run


# ttnn's compute kernels come with their op's readers and writers; these two, written here, feed them (tiles in order,
# CBs 0 and 1 in, 2 out) so that the compute kernel itself runs unchanged.
TTNN_READER = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    uint32_t a = get_arg_val<uint32_t>(0), b = get_arg_val<uint32_t>(1), n = get_arg_val<uint32_t>(2);
    constexpr auto a_args = TensorAccessorArgs<0>();
    constexpr auto b_args = TensorAccessorArgs<a_args.next_compile_time_args_offset()>();
    const auto sa = TensorAccessor(a_args, a), sb = TensorAccessor(b_args, b);
    for (uint32_t i = 0; i < n; i++) {
        cb_reserve_back(0, 1); cb_reserve_back(1, 1);
        noc_async_read_page(i, sa, get_write_ptr(0));
        noc_async_read_page(i, sb, get_write_ptr(1));
        noc_async_read_barrier();
        cb_push_back(0, 1); cb_push_back(1, 1);
    }
}"""
TTNN_WRITER = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    uint32_t c = get_arg_val<uint32_t>(0), n = get_arg_val<uint32_t>(1);
    constexpr auto c_args = TensorAccessorArgs<0>();
    const auto sc = TensorAccessor(c_args, c);
    for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(2, 1);
        noc_async_write_page(i, sc, get_read_ptr(2));
        noc_async_write_barrier();
        cb_pop_front(2, 1);
    }
}"""
TTNN_BINARY = "ttnn/cpp/ttnn/operations/eltwise/binary/device/kernels/compute"


def ttnn_program(dev, root, src, a, b, fmt, block, defines, **compute):
    A, B = (dev.buffer(tt.tilize(x), fmt=fmt, page=fmt.tile_bytes) for x in (a, b))
    C = dev.buffer(A.size, page=fmt.tile_bytes)
    n = A.pages
    prog = tt.Program(dev, (0, 0), reader=tt.Kernel(TTNN_READER, "reader", compile_args=args_of(A, B)),
                      writer=tt.Kernel(TTNN_WRITER, "writer", compile_args=args_of(C)),
                      compute=tt.Kernel((root / TTNN_BINARY / src).read_text(), src, defines=defines, **compute),
                      reader_args=[A.addr, B.addr, n], writer_args=[C.addr, n], compute_args=[n // block, block],
                      cbs=[tt.CB(0, fmt, 2 * block), tt.CB(1, fmt, 2 * block), tt.CB(2, fmt, 2 * block)])
    run = dev.run(prog)
    return tt.untilize(C.read(fmt), *a.shape), run


def ttnn_binary_relu(dev, root, rng):
    """ttnn's eltwise_binary_kernel.cpp as ttnn builds mul + relu: ELTWISE_OP and a fused SFPU_OP_CHAIN_0."""
    a, b = (rng.standard_normal((64, 256)).astype(np.float32) for _ in range(2))
    got, run = ttnn_program(dev, root, "eltwise_binary_kernel.cpp", a, b, tt.bfloat16, 4,
                            {"ELTWISE_OP": "mul_tiles", "ELTWISE_OP_TYPE": "EltwiseBinaryType::ELWMUL",
                             "SFPU_OP_CHAIN_0": "relu_tile_init(); relu_tile(i);"})
    return np.array_equal(got, np.maximum(tt.round_bfloat16(reference.multiply(a, b)), 0)), run


def ttnn_binary_sfpu_div_fp32(dev, root, rng):
    """ttnn's eltwise_binary_sfpu_kernel.cpp as ttnn builds float32 division: BINOP_INIT and BINARY_SFPU_OP, a float32
    register and both inputs unpacked straight to it."""
    a, b = (rng.standard_normal((64, 256)).astype(np.float32) for _ in range(2))
    fp32 = tt.UnpackToDestMode.UnpackToDestFp32
    got, run = ttnn_program(dev, root, "eltwise_binary_sfpu_kernel.cpp", a, b, tt.float32, 2,
                            {"BINOP_INIT": "div_binary_tile_init();", "BINARY_SFPU_OP": "div_binary_tile(i * 2, i * 2 + 1, i * 2);"},
                            fp32_dest_acc_en=True, unpack_to_dest_mode={0: fp32, 1: fp32})
    return np.array_equal(got, a / b), run


PROGRAMS = [eltwise_sfpu, eltwise_binary, matmul_single_core, matmul_multi_core, ttnn_binary_relu, ttnn_binary_sfpu_div_fp32]


def run_programs(programs, what, argv=None):
    """Runs each program(dev, checkout, rng) -> (matches numpy?, run) and prints a line per program; the exit code."""
    p = argparse.ArgumentParser(description=what)
    p.add_argument("path", type=Path)
    p.add_argument("--device", default="n150")
    p.add_argument("-k", default="", help="only the programs whose name contains this")
    args = p.parse_args(argv)
    dev = tt.Device(args.device, echo=False)
    print(f"{what} from {args.path} on a simulated {dev.chip.name}; load {os.getloadavg()[0]:.2f}")
    failed = 0
    programs = [f for f in programs if args.k in f.__name__]
    for prog in programs:
        t0 = time.perf_counter()
        try:
            ok, run = prog(dev, args.path, np.random.default_rng(0))
            detail = f"{run.cycles:>9} cycles"
        except (tt.TensixError, OSError) as e:
            ok, detail = False, f"{type(e).__name__}: {str(e)[:600]}"
        failed += not ok
        print(f"  {prog.__name__:<26} {'PASS' if ok else 'FAIL'} {detail}  {(time.perf_counter() - t0) * 1e3:7.0f} ms wall")
    dev.close()
    print(f"{len(programs) - failed} of {len(programs)} match numpy")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(run_programs(PROGRAMS, "today's programming examples"))
