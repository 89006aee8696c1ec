"""Simulation speed on data movement: the dram_copy_all_cores example (every core of the grid, readers and writers on
both NoCs: random data made, written, copied, read back and checked) against numpy doing the same with arrays (make,
copy twice, compare), interleaved in this process.

    python bench/dram_copy.py [MiB]
"""
import sys
import numpy as np
import tensix as tt
from tensix.examples import dram_copy_all_cores
from measure import interleaved, load, ms, usage


def main(mib=64):
    dev = tt.Device(echo=False)
    last = {}

    def simulate():
        last["ok"], last["run"] = dram_copy_all_cores.main(dev, mib=mib)

    def numpy_copy():
        data = np.random.default_rng(1).integers(0, 2**32, mib << 18, dtype=np.uint32)
        out = data.copy(); data.copy(); np.array_equal(out, data)

    r = interleaved({"numpy": numpy_copy, "tensix": simulate}, repeat=3, dev=dev)
    run = last["run"]
    print(f"dram_copy_all_cores, {mib} MiB over {dev.chip.num_cores} cores ({load()}): {'PASS' if last['ok'] else 'FAIL'}; "
          f"tensix {ms(r['tensix'])}, numpy {ms(r['numpy'])}, ratio {r['tensix'][0] / r['numpy'][0]:.1f}x; "
          f"{run.cycles} chip cycles = {run.seconds * 1e6:.0f} us on the chip")
    dev.close()


if __name__ == "__main__":
    usage(__doc__)
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 64)
