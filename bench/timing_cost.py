"""What the NoC timing model costs (issue 9's goal: under 2x): the engine's CPU time for the same run with the calendars
(the default) and with TENSIX_TIMING=simple (nothing shared), side by side in one process, medians; and each run's
simulated cycles in both modes, so a change to the calendars that moves a figure shows here.

    python bench/timing_cost.py
"""
import numpy as np
import tensix as tt
from tensix.examples import dram_copy_all_cores, matmul_multi_core, matmul_multicast
from eltwise_add import EltwiseAdd
from measure import engine_cpu_seconds, load, usage


def main(repeat=5):
    devs = {mode: tt.Device(echo=False, timing=mode) for mode in ("simple", "calendar")}
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal((4096, 4096)).astype(np.float32) for _ in range(2))
    adds = {mode: EltwiseAdd(dev, 4096, 4096) for mode, dev in devs.items()}
    cases = {
        "element-wise add 4096^2 (108 cores)": lambda dev, mode: (adds[mode](x, y), dev.last_run)[1],
        "matmul_multi_core 1024^3": lambda dev, mode: matmul_multi_core.main(dev)[1],
        "matmul_multicast 1024^3": lambda dev, mode: matmul_multicast.main(dev)[1],
        "dram_copy_all_cores 16 MiB": lambda dev, mode: dram_copy_all_cores.main(dev)[1],
    }
    for name, case in cases.items():
        cpu, cycles = {m: [] for m in devs}, {}
        for m, dev in devs.items(): case(dev, m)  # warm-up: kernels compiled, buffers placed
        for _ in range(repeat):
            for m, dev in devs.items():  # alternating: a change in load hits both modes
                e0 = engine_cpu_seconds(dev)
                run = case(dev, m)
                cpu[m].append(engine_cpu_seconds(dev) - e0)
                cycles[m] = run.cycles
        s, c = (np.median(cpu[m]) for m in ("simple", "calendar"))
        print(f"{name} ({load()}): engine CPU calendar {c * 1e3:.0f} ms, simple {s * 1e3:.0f} ms = {c / s:.2f}x; "
              f"cycles calendar {cycles['calendar']:,}, simple {cycles['simple']:,}")
    for dev in devs.values(): dev.close()


if __name__ == "__main__":
    usage(__doc__)
    main()
