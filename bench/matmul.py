"""Simulation speed on math: a 1024 x 1024 x 1024 bfloat16 matmul over the grid (matmul_multicast on 8 x 8 cores and
matmul_multi_core on all 108), against numpy doing the same float32 matmul, run side by side in this process. The
engine runs kernels on one processor core (a helper thread takes half the tile products and large copies), so numpy
limited to one thread (timed in a child process, since a BLAS fixes its thread count when it loads) is printed too.

    python bench/matmul.py [size]
"""
import os, subprocess, sys, time
import tensix as tt
from tensix.examples import matmul_multi_core, matmul_multicast
from tensix.examples.matmul_single_core import inputs


def best(f, n=3):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


ONE_THREAD = """
import time, numpy as np
from tensix.examples.matmul_single_core import inputs
a, b = inputs({size}, {size}, {size})
times = []
for _ in range(5):
    t0 = time.perf_counter()
    a @ b
    times.append(time.perf_counter() - t0)
print(min(times))
"""


def one_thread_numpy(size):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    times = [float(subprocess.run([sys.executable, "-c", ONE_THREAD.format(size=size)], env=env, capture_output=True, text=True,
                                  check=True).stdout) for _ in range(3)]
    return min(times)


def main(size=1024):
    dev = tt.Device(echo=False)
    a, b = inputs(size, size, size)
    cols, rows = dev.chip.grid
    runs = {"matmul_multicast (8x8 cores)": lambda: matmul_multicast.run_matmul(dev, a, b, (8, 8)),
            "matmul_multi_core (all cores)": lambda: matmul_multi_core.run_matmul(dev, a, b, tt.CoreRange((0, 0), (cols - 1, rows - 1)))}
    base = best(lambda: a @ b)
    one = one_thread_numpy(size)
    print(f"numpy float32 {size}^3 matmul: {base * 1e3:.1f} ms ({os.cpu_count()} processor cores), {one * 1e3:.1f} ms on one")
    for name, f in runs.items():
        f()  # compile
        t = best(f, 2)
        cycles = f()[1].cycles
        print(f"{name}: {t * 1e3:.0f} ms simulated, {t / base:.1f}x numpy, {t / one:.1f}x numpy on one core; "
              f"{cycles} cycles = {cycles / dev.chip.clock_hz * 1e3:.3f} ms on the chip")
    dev.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1024)
