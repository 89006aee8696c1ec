"""What every benchmark here prints: wall time and CPU time (this process and the engine process; CPU time far above
wall time means threads spin), medians over interleaved runs, and the machine's load while they ran.

numpy's BLAS (OpenBLAS) keeps its threads spinning for about 0.1 s after each matmul, waiting for the next one: the
CPU they burn while tensix runs right after is numpy's, not tensix's, and is shown apart ("BLAS threads spinning").
tensix's own threads in this process (the host library's conversions) live only for the call, so the threads alive
before and after a call are numpy's and those that came and went are tensix's."""
import os, platform, sys, threading, time
import numpy as np


def usage(doc):
    """-h or --help: print the script's docstring (what it measures, how to run it) and stop, before any work."""
    if {"-h", "--help"} & set(sys.argv[1:]):
        print(doc.strip())
        sys.exit(0)


def thread_cpu_seconds(pid):
    """{thread id: CPU seconds} of the process `pid`'s threads."""
    got = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f: got[task] = int(f.read().split()[0]) / 1e9  # ns on a CPU
        except OSError:
            pass  # the thread ended
    return got


def engine_cpu_seconds(dev):
    """CPU time of the engine process behind `dev` (all its threads), 0 if none runs."""
    engine = dev.sim.engine if dev is not None else None
    if engine is None or engine.poll() is not None: return 0.0
    return sum(thread_cpu_seconds(engine.pid).values())


def cpu_seconds(dev=None):
    """CPU time of this process (numpy's BLAS threads included) plus the engine process behind `dev`."""
    return time.process_time() + engine_cpu_seconds(dev)


def cpus(n):
    return f"{n} CPU{'s' * (n != 1)}"


def load():
    """The 1-minute load average, the processors this process may use and the widest vector unit the engine's math
    takes (its figures depend on it): 'load 3.1 on 2 CPUs with AVX2'."""
    return f"load {os.getloadavg()[0]:.1f} on {cpus(len(os.sched_getaffinity(0)))} with {vectors()}"


def vectors():
    """AVX512_BF16 (tile products by VDPBF16PS), AVX-512, AVX2 or the machine's name when it has none of them."""
    try:
        flags = next((line.split() for line in open("/proc/cpuinfo") if line.startswith("flags")), [])
    except OSError:
        flags = []
    for flag, name in (("avx512_bf16", "AVX512_BF16"), ("avx512f", "AVX-512"), ("avx2", "AVX2")):
        if flag in flags: return name
    return platform.machine()


def interleaved(cases, repeat=5, dev=None):
    """Run each case of {name: f} in turn, `repeat` rounds (so a change in load hits all of them alike); returns
    {name: (median wall s, median CPU s, median engine CPU s, median CPU s of this process's other threads while the
    engine ran)}. A case that runs the engine counts this thread and the engine; one that does not (numpy) counts the
    whole process. The first call of each is a warm-up, not counted."""
    for f in cases.values(): f()
    got = {k: [] for k in cases}
    for _ in range(repeat):
        for name, f in cases.items():
            threads, me = thread_cpu_seconds(os.getpid()), str(threading.get_native_id())
            c0, h0, e0, t0 = time.process_time(), time.thread_time(), engine_cpu_seconds(dev), time.perf_counter()
            f()
            t1 = time.perf_counter()
            e, here = engine_cpu_seconds(dev) - e0, time.thread_time() - h0
            after = thread_cpu_seconds(os.getpid())
            blas = sum(after[t] - threads[t] for t in threads.keys() & after.keys() if t != me)  # alive throughout
            came_and_went = max(0.0, time.process_time() - c0 - here - blas)
            got[name].append((t1 - t0, here + came_and_went + e, e, blas) if e > 5e-4 else
                             (t1 - t0, here + came_and_went + blas + e, e, 0.0))
    return {k: tuple(float(v) for v in np.median(np.array(got[k]), axis=0)) for k in cases}


def ms(r):
    """'12.3 ms (CPU 20 ms, engine 15 ms)' from what interleaved() gives, and what other threads spun meanwhile."""
    wall, cpu, engine, others = r
    return (f"{wall * 1e3:.1f} ms (CPU {cpu * 1e3:.0f} ms" + (f", engine {engine * 1e3:.0f} ms" if engine >= 5e-4 else "") +
            (f"; numpy's BLAS threads spinning meanwhile {others * 1e3:.0f} ms" if others >= 1e-3 else "") + ")")
