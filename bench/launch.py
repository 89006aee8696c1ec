"""How fast tensix is to use: a fresh process creating a Device and running add_13_7 (once compiled), the cost of a
run in a loop, and whether a second process compiles anything. Each figure prints beside a baseline measured in the
same process, so the ratio holds on any machine.

    python bench/launch.py
"""
import subprocess, sys, time
import numpy as np
import tensix as tt
from tensix import build
from tensix.examples import add_13_7

FRESH = """
import time; t0 = time.perf_counter()
import numpy as np, tensix as tt
from tensix.examples import add_13_7
t1 = time.perf_counter(); dev = tt.Device(); ok, run = add_13_7.main(dev); t2 = time.perf_counter()
assert ok; print(t1 - t0, t2 - t1)
"""


def timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def cache_files(): return sorted(p for p in build.cache_dir().rglob("*") if p.is_file())


def main():
    add_13_7.main()  # compile everything once
    before = cache_files()
    times = [subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, check=True).stdout.split() for _ in range(5)]
    imports, runs = (sorted(float(t[i]) for t in times)[2] for i in (0, 1))
    baseline = sorted(timed(lambda: subprocess.run([sys.executable, "-c", "import numpy"], check=True)) for _ in range(5))[2]
    compiled = [p for p in cache_files() if p not in before]
    print(f"fresh process: import tensix {imports * 1e3:.0f} ms; Device() + add_13_7 {runs * 1e3:.1f} ms (median of 5)")
    print(f"  baseline: a whole process that only imports numpy takes {baseline * 1e3:.0f} ms")
    print(f"  files the second and later processes compiled: {len(compiled)}")

    dev = tt.Device(echo=False)
    a, b, c = dev.buffer(np.full(1024, 13, np.uint32)), dev.buffer(np.full(1024, 7, np.uint32)), dev.buffer(4096)
    prog = tt.Program(dev, (0, 0), writer=add_13_7.KERNEL, writer_args=[dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr])
    dev.run(prog)
    n = 1000
    t0 = time.perf_counter()
    for _ in range(n): dev.run(prog)
    per_run = (time.perf_counter() - t0) / n
    x, y = np.full(1024, 13, np.uint32), np.full(1024, 7, np.uint32)
    t0 = time.perf_counter()
    for _ in range(n): np.add(x, y)
    per_add = (time.perf_counter() - t0) / n
    print(f"a run of add_13_7 in a loop: {per_run * 1e6:.0f} us (numpy's add of the same arrays: {per_add * 1e6:.2f} us, "
          f"ratio {per_run / per_add:.0f}x); the chip would take {dev.run(prog).seconds * 1e6:.2f} us")
    dev.close()


if __name__ == "__main__":
    main()
