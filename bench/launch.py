"""How fast tensix is to use: what `import tensix` adds to `import numpy` in a fresh process, a fresh process creating a
Device and running add_13_7 (once compiled), the cost of a run in a loop (with and without the host and the engine
spinning briefly for each other, beside numpy's add of the same arrays, interleaved), and whether a second process
compiles anything.

    python bench/launch.py
"""
import os, subprocess, sys, time
import numpy as np
import tensix as tt
from tensix.examples import add_13_7
from measure import cpu_seconds, load, usage

FRESH = """
import time; t0, c0 = time.perf_counter(), time.process_time()
import numpy as np
t1, c1 = time.perf_counter(), time.process_time()
import tensix as tt
from tensix.examples import add_13_7
t2, c2 = time.perf_counter(), time.process_time()
compiled = []
import tensix.build as build
build._compile = lambda *a, _compile=build._compile, **k: (compiled.append(a), _compile(*a, **k))[1]
dev = tt.Device(); ok, run = add_13_7.main(dev); t3 = time.perf_counter()
assert ok; print(t1 - t0, c1 - c0, t2 - t1, c2 - c1, t3 - t2, len(compiled))
"""


def main(n=2000):
    add_13_7.main()  # compile everything once
    # as an installed package runs: from bytecode (PYTHONDONTWRITEBYTECODE would compile every module at every start)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = [subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, check=True, env=env).stdout.split()
             for _ in range(8)][1:]  # the first writes the bytecode
    np_wall, np_cpu, tt_wall, tt_cpu, run_s, compiled = (float(np.median([float(t[i]) for t in times])) for i in range(6))
    print(f"fresh process ({load()}): import numpy {np_wall * 1e3:.0f} ms (CPU {np_cpu * 1e3:.0f} ms), then import tensix "
          f"{tt_wall * 1e3:.0f} ms more (CPU {tt_cpu * 1e3:.0f} ms); Device() + add_13_7 {run_s * 1e3:.1f} ms (medians of 7); "
          f"kernels or engines a second process compiled: {compiled:.0f}")

    devs = {}
    for spin in ("", "0"):  # the default (host and engine spin briefly for each other), and with spinning off
        os.environ["TENSIX_SPIN_US"] = spin
        dev = tt.Device(echo=False)
        a, b, c = dev.buffer(np.full(1024, 13, np.uint32)), dev.buffer(np.full(1024, 7, np.uint32)), dev.buffer(4096)
        prog = tt.Program(dev, (0, 0), writer=add_13_7.KERNEL, writer_args=[dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr])
        dev.run(prog)
        devs["default" if not spin else "TENSIX_SPIN_US=0"] = dev, prog
    os.environ.pop("TENSIX_SPIN_US")
    x, y = np.full(1024, 13, np.uint32), np.full(1024, 7, np.uint32)
    runs, adds = {k: [] for k in devs}, []
    for _ in range(5):  # rounds of n runs on each device, then n adds: a change in load hits all of them
        for k, (dev, prog) in devs.items():
            c0, t0 = cpu_seconds(dev), time.perf_counter()
            for _ in range(n): dev.run(prog)
            runs[k].append(((time.perf_counter() - t0) / n, (cpu_seconds(dev) - c0) / n))
        t0 = time.perf_counter()
        for _ in range(n): np.add(x, y)
        adds.append((time.perf_counter() - t0) / n)
    (wall, cpu), (wall0, cpu0) = (np.median(runs[k], axis=0) for k in devs)
    dev, prog = devs["default"]
    print(f"a run of add_13_7 in a loop ({load()}, medians of 5 rounds of {n}): {wall * 1e6:.0f} us wall, {cpu * 1e6:.0f} us "
          f"CPU (this process and the engine); with TENSIX_SPIN_US=0 {wall0 * 1e6:.0f} us wall, {cpu0 * 1e6:.0f} us CPU; "
          f"numpy's add of the same arrays {np.median(adds) * 1e6:.2f} us; the chip would take {dev.run(prog).seconds * 1e6:.2f} us")
    for dev, _ in devs.values(): dev.close()


if __name__ == "__main__":
    usage(__doc__)
    main()
