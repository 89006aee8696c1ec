"""What every benchmark here prints: wall time and CPU time (this process and the engine process together; CPU time
far above wall time means threads spin), medians over interleaved runs, and the machine's load while they ran."""
import os, time
import numpy as np


def cpu_seconds(dev=None):
    """CPU time of this process, plus the engine process behind `dev` if it runs."""
    t = time.process_time()
    engine = dev.sim.engine if dev is not None and dev.sim.engine is not None else None
    if engine is not None and engine.poll() is None:
        for task in os.listdir(f"/proc/{engine.pid}/task"):  # each thread's time on a CPU, in ns
            try:
                with open(f"/proc/{engine.pid}/task/{task}/schedstat") as f: t += int(f.read().split()[0]) / 1e9
            except OSError:
                pass  # the thread ended
    return t


def load():
    """The 1-minute load average and the processors this process may use: 'load 3.1 on 2 CPUs'."""
    return f"load {os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} CPUs"


def interleaved(cases, repeat=5, dev=None):
    """Run each case of {name: f} in turn, `repeat` rounds (so a change in load hits all of them alike); returns
    {name: (median wall s, median CPU s)}. The first call of each is a warm-up, not counted."""
    for f in cases.values(): f()
    walls = {k: [] for k in cases}
    cpus = {k: [] for k in cases}
    for _ in range(repeat):
        for name, f in cases.items():
            c0, t0 = cpu_seconds(dev), time.perf_counter()
            f()
            walls[name].append(time.perf_counter() - t0)
            cpus[name].append(cpu_seconds(dev) - c0)
    return {k: (float(np.median(walls[k])), float(np.median(cpus[k]))) for k in cases}


def ms(wall_cpu):
    wall, cpu = wall_cpu
    return f"{wall * 1e3:.1f} ms (CPU {cpu * 1e3:.0f} ms)"
