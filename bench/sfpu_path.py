"""Wall and engine CPU time of SFPU work between register tiles: a float32 chain and an int32 chain over 4096 tiles.

    python bench/sfpu_path.py            # this tree
    PYTHONPATH=/other/tree python bench/sfpu_path.py   # another tree, to compare (run them interleaved)

Each case: two tiles copied into a 32-bit register, five SFPU ops between them, one tile packed (the test suite's
today's-dialect reader and writer, tests/test_today_api.py). Prints medians of 5 runs after a warm-up (the engine's
CPU is the figure to compare: the wall includes the host's conversions), and the load.
"""
import os, sys, time
from pathlib import Path
import numpy as np
import tensix as tt
from measure import engine_cpu_seconds, usage

sys.path.insert(0, str(Path(tt.__file__).resolve().parent.parent / "tests"))
from test_today_api import PAIR, F32, int_mode, run_today  # noqa: E402

CASES = {"float32": ("add_binary_tile(0, 1, 2); mul_binary_tile(2, 0, 2); exp_tile(2); sub_binary_tile(2, 1, 2); "
                     "binary_max_tile(2, 0, 2);", np.float32, F32),
         "int32": ("add_int_tile<DataFormat::Int32>(0, 1, 2); bitwise_xor_binary_tile<DataFormat::Int32>(2, 0, 2); "
                   "mul_int_tile<DataFormat::Int32>(2, 1, 2); binary_right_shift_tile<DataFormat::Int32>(2, 1, 2); "
                   "binary_max_int32_tile(2, 0, 2);", np.int32, int_mode(tt.int32))}


def main():
    dev = tt.Device("n150", echo=False)
    rng = np.random.default_rng(0)
    print(f"{Path(tt.__file__).resolve().parent.parent}; load {os.getloadavg()[0]:.1f}")
    for name, (body, dtype, mode) in CASES.items():
        a, b = (rng.integers(0, 31, (2048, 2048)).astype(dtype) for _ in range(2))
        try:
            run_today(dev, PAIR % body, [a, b], **mode)  # compiles and warms up
        except tt.CompileError:
            print(f"  {name:8} does not compile in this tree")
            continue
        walls, engine = [], []
        for _ in range(5):
            t0, e0 = time.perf_counter(), engine_cpu_seconds(dev)
            run_today(dev, PAIR % body, [a, b], **mode)
            walls.append(time.perf_counter() - t0)
            engine.append(engine_cpu_seconds(dev) - e0)
        print(f"  {name:8} 4096 tiles, 5 SFPU ops each: median wall {np.median(walls) * 1e3:.0f} ms, "
              f"engine CPU {np.median(engine) * 1e3:.0f} ms")
    dev.close()


if __name__ == "__main__":
    usage(__doc__)
    main()
