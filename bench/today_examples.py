"""Today's tt-metal programming examples, run unchanged from a checkout and checked against numpy.

    python bench/today_examples.py PATH [--device n150]

PATH is a tt-metal checkout (2025-26). Each program takes its kernel sources from PATH's tt_metal/programming_examples,
as they are, and builds the program as the example's host code does (its buffers, circular buffers, runtime args and
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
                      writer=kernel(root, "eltwise_sfpu/kernels/dataflow/write_tile.cpp", "write_tile"),
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
    prog = tt.Program(dev, (0, 0), reader=kernel(root, "eltwise_binary/kernels/dataflow/read_tiles.cpp", "read_tiles"),
                      writer=kernel(root, "eltwise_binary/kernels/dataflow/write_tile.cpp", "write_tile"),
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
    return np.array_equal(got, tt.round_bfloat16(reference.matmul(a, b))), run


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
    return np.array_equal(got, tt.round_bfloat16(reference.matmul(a, b))), run


PROGRAMS = [eltwise_sfpu, eltwise_binary, matmul_single_core, matmul_multi_core]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", type=Path)
    p.add_argument("--device", default="n150")
    args = p.parse_args(argv)
    dev = tt.Device(args.device, echo=False)
    print(f"today's programming examples from {args.path} on a simulated {dev.chip.name}; load {os.getloadavg()[0]:.2f}")
    failed = 0
    for prog in PROGRAMS:
        t0 = time.perf_counter()
        try:
            ok, run = prog(dev, args.path, np.random.default_rng(0))
            detail = f"{run.cycles:>9} cycles"
        except (tt.TensixError, OSError) as e:
            ok, detail = False, f"{type(e).__name__}: {str(e)[:300]}"
        failed += not ok
        print(f"  {prog.__name__:<20} {'PASS' if ok else 'FAIL'} {detail}  {(time.perf_counter() - t0) * 1e3:7.0f} ms wall")
    dev.close()
    print(f"{len(PROGRAMS) - failed} of {len(PROGRAMS)} match numpy")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
