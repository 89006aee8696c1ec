"""What the sandbox costs: the same work on a Device with the engine's seccomp filter on and one with it off,
interleaved round by round so that a change in load hits both alike. Starting an engine (the filter is installed
then), add_13_7 run in a loop (the run's cost is mostly system calls on the pipes, each now checked by the filter),
and a 1024^3 matmul over 8x8 cores.

    python bench/sandbox.py [runs in a loop, default 1000]
"""
import sys, time
import numpy as np
import tensix as tt
from tensix.examples import add_13_7, matmul_multicast
from measure import cpu_seconds, load, usage


def main(n=1000, rounds=5):
    devs = {"on": tt.Device(echo=False, sandbox=True), "off": tt.Device(echo=False, sandbox=False)}
    progs, a_b = {}, matmul_multicast.inputs(1024, 1024, 1024, seed=2)
    for name, dev in devs.items():
        a, b, c = dev.buffer(np.full(1024, 13, np.uint32)), dev.buffer(np.full(1024, 7, np.uint32)), dev.buffer(4096)
        progs[name] = tt.Program(dev, (0, 0), writer=add_13_7.KERNEL, writer_args=[dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr])
        dev.run(progs[name])
        matmul_multicast.run_matmul(dev, *a_b, (8, 8))  # warm: compiled, operands cached
    assert devs["on"].sim.sandboxed and not devs["off"].sim.sandboxed, devs["on"].sim.unsandboxed_why
    got = {(what, name): [] for what in ("start", "run", "matmul") for name in devs}
    for _ in range(rounds):
        for name, dev in devs.items():
            t0 = time.perf_counter()
            dev.reset(); dev.run(progs[name])  # a fresh engine: start, filter, first run
            got["start", name].append((time.perf_counter() - t0, 0))
            c0, t0 = cpu_seconds(dev), time.perf_counter()
            for _ in range(n): dev.run(progs[name])
            got["run", name].append(((time.perf_counter() - t0) / n, (cpu_seconds(dev) - c0) / n))
            c0, t0 = cpu_seconds(dev), time.perf_counter()
            c, run = matmul_multicast.run_matmul(dev, *a_b, (8, 8))
            got["matmul", name].append((time.perf_counter() - t0, cpu_seconds(dev) - c0))
    med = {k: np.median(np.array(v), axis=0) for k, v in got.items()}
    print(f"sandbox on vs off, medians of {rounds} interleaved rounds ({load()}):")
    print(f"  engine start + first run: {med['start', 'on'][0] * 1e3:.1f} ms vs {med['start', 'off'][0] * 1e3:.1f} ms")
    print(f"  add_13_7 run in a loop:   {med['run', 'on'][0] * 1e6:.1f} us (CPU {med['run', 'on'][1] * 1e6:.1f}) vs "
          f"{med['run', 'off'][0] * 1e6:.1f} us (CPU {med['run', 'off'][1] * 1e6:.1f}) a run")
    print(f"  1024^3 matmul, 8x8 cores: {med['matmul', 'on'][0] * 1e3:.1f} ms (CPU {med['matmul', 'on'][1] * 1e3:.0f}) vs "
          f"{med['matmul', 'off'][0] * 1e3:.1f} ms (CPU {med['matmul', 'off'][1] * 1e3:.0f})")


if __name__ == "__main__":
    usage(__doc__)
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
