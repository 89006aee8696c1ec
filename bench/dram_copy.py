"""Simulation speed on data movement: the dram_copy_all_cores example (every core of the grid, readers and writers on
both NoCs) against numpy copying the same bytes, run side by side.

    python bench/dram_copy.py [MiB]
"""
import sys, time
import numpy as np
import tensix as tt
from tensix.examples import dram_copy_all_cores


def main(mib=64):
    dev = tt.Device(echo=False)
    dram_copy_all_cores.main(dev, mib=1)  # compile once
    t0 = time.perf_counter()
    ok, run = dram_copy_all_cores.main(dev, mib=mib)
    sim = time.perf_counter() - t0
    data = np.random.default_rng(1).integers(0, 2**32, mib << 18, dtype=np.uint32)
    t0 = time.perf_counter()
    out = data.copy(); data.copy(); np.array_equal(out, data)  # the example writes, copies and checks
    base = time.perf_counter() - t0
    print(f"dram_copy_all_cores, {mib} MiB over {dev.chip.num_cores} cores: {'PASS' if ok else 'FAIL'}; simulated in "
          f"{sim * 1e3:.0f} ms (numpy copying the same: {base * 1e3:.1f} ms, ratio {sim / base:.0f}x); "
          f"{run.cycles} chip cycles = {run.seconds * 1e6:.0f} us on the chip (no NoC or DRAM contention modelled yet)")
    dev.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 64)
