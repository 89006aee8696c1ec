"""Simulation speed on math: an n x n x n bfloat16 matmul over the grid (matmul_multicast on 8 x 8 cores, and
matmul_multi_core on all 108 for 1024), against numpy's float32 matmul of the same matrices, interleaved in one
process as in a real session (numpy prepares data and checks results). Then the same pinned to one CPU (numpy's BLAS
then has one thread, and the engine no helper), in a child process.

    python bench/matmul.py [n ...]          # default 1024; e.g. 1024 2048 4096
    python bench/matmul.py --one-cpu 1024    # only the pinned run
"""
import os, subprocess, sys
if __name__ == "__main__" and "--one-cpu" in sys.argv:  # before numpy loads: its BLAS counts the CPUs then
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import tensix as tt
from tensix.examples import matmul_multi_core, matmul_multicast
from tensix.examples.matmul_single_core import inputs
from measure import interleaved, load, ms


def run(n, repeat):
    dev = tt.Device(echo=False)
    a, b = inputs(n, n, n)
    cols, rows = dev.chip.grid
    cases = {"numpy float32": lambda: a @ b, "matmul_multicast 8x8": lambda: matmul_multicast.run_matmul(dev, a, b, (8, 8))}
    if n == 1024:
        grid = tt.CoreRange((0, 0), (cols - 1, rows - 1))
        cases["matmul_multi_core 108 cores"] = lambda: matmul_multi_core.run_matmul(dev, a, b, grid)
    r = interleaved(cases, repeat=repeat, dev=dev)
    base = r["numpy float32"][0]
    pinned = " (pinned to one CPU)" if len(os.sched_getaffinity(0)) == 1 else ""
    print(f"matmul {n}^3{pinned}, {load()}, medians of {repeat}: " +
          "; ".join(f"{k} {ms(v)}" + (f" = {v[0] / base:.1f}x numpy" if k != "numpy float32" else "") for k, v in r.items()))
    dev.close()


def main(sizes, one_cpu):
    for n in sizes: run(n, 5 if n <= 2048 else 3)
    if not one_cpu:
        subprocess.run([sys.executable, __file__, "--one-cpu", str(sizes[0])], check=True)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--one-cpu"]
    main([int(a) for a in args] or [1024], "--one-cpu" in sys.argv)
