"""How far the default calendars are from the strictly time-ordered reference (TENSIX_TIMING=ordered), in simulated
cycles, for every example of `tensix demo` at its demo size and the bench workloads; and the engine CPU of each mode.

    python bench/timing_gap.py [name ...]
"""
import importlib, sys, time
import numpy as np
import tensix as tt
from tensix.cli import EXAMPLES
from eltwise_add import EltwiseAdd
from measure import engine_cpu_seconds, load, usage


def cases():
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal((4096, 4096)).astype(np.float32) for _ in range(2))
    adds = {}
    def add(dev):
        if dev not in adds: adds[dev] = EltwiseAdd(dev, 4096, 4096)
        adds[dev](x, y)
        return dev.last_run
    got = {name: (lambda dev, name=name: importlib.import_module(f"tensix.examples.{name}").main(dev)[1]) for name in EXAMPLES}
    got["element-wise add 4096^2"] = add
    return got


def main(names):
    devs = {m: tt.Device(echo=False, timing=m) for m in ("calendar", "ordered")}
    print(f"# {load()}")
    print("| workload | calendar | ordered | difference | engine CPU calendar, ordered (ms) |")
    print("|---|---|---|---|---|")
    for name, case in cases().items():
        if names and name not in names: continue
        cyc, cpu = {}, {}
        for m, d in devs.items():
            e0 = engine_cpu_seconds(d)
            cyc[m] = case(d).cycles
            cpu[m] = engine_cpu_seconds(d) - e0
        diff = (cyc["calendar"] - cyc["ordered"]) / cyc["ordered"]
        print(f"| {name} | {cyc['calendar']:,} | {cyc['ordered']:,} | {100 * diff:+.1f}% | {cpu['calendar'] * 1e3:.0f}, {cpu['ordered'] * 1e3:.0f} |", flush=True)
    for d in devs.values(): d.close()


if __name__ == "__main__":
    usage(__doc__)
    main(sys.argv[1:])
