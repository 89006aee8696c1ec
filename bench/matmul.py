"""Simulation speed on math: an n x n x n bfloat16 matmul over the grid (matmul_multicast on 8 x 8 cores, and
matmul_multi_core on all 108 for 1024), against numpy's float32 matmul of the same matrices, interleaved in one
process as in a real session (numpy prepares data and checks results). Then the same pinned to one CPU (numpy's BLAS
then has one thread, and the engine no helper), in a child process.

    python bench/matmul.py [n ...]          # default 1024; e.g. 1024 2048 4096
    python bench/matmul.py --one-cpu 1024    # only the pinned run
    python bench/matmul.py --busy 1024 2048  # beside a busy neighbour (a process spinning), the engine's threads
                                             # against one (TENSIX_THREADS=1), in alternated processes
    python bench/matmul.py --twin 1024       # the same beside a copy of itself (two sessions at once)
    python bench/matmul.py --busy --rounds=16 1024  # more rounds (default 5): a round's processes swing far
"""
import os, re, statistics, subprocess, sys
if __name__ == "__main__" and "--one-cpu" in sys.argv:  # before numpy loads: its BLAS counts the CPUs then
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import tensix as tt
from tensix.examples import matmul_multi_core, matmul_multicast
from tensix.examples.matmul_single_core import inputs
from measure import interleaved, load, ms, usage


def run(n, repeat):
    dev = tt.Device(echo=False)
    a, b = inputs(n, n, n)
    cols, rows = dev.chip.grid
    cases = {"numpy float32": lambda: a @ b, "matmul_multicast 8x8": lambda: matmul_multicast.run_matmul(dev, a, b, (8, 8))}
    if n == 1024:
        grid = tt.CoreRange((0, 0), (cols - 1, rows - 1))
        cases["matmul_multi_core 108 cores"] = lambda: matmul_multi_core.run_matmul(dev, a, b, grid)
    r = interleaved(cases, repeat=repeat, dev=dev)
    base = r["numpy float32"][0]
    pinned = " (pinned to one CPU)" if len(os.sched_getaffinity(0)) == 1 else ""
    threads = f", TENSIX_THREADS={os.environ['TENSIX_THREADS']}" if "TENSIX_THREADS" in os.environ else ""
    print(f"matmul {n}^3{pinned}{threads}, {load()}, medians of {repeat}: " +
          "; ".join(f"{k} {ms(v)}" + (f" = {v[0] / base:.1f}x numpy" if k != "numpy float32" else "") for k, v in r.items()))
    dev.close()


def main(sizes, one_cpu):
    for n in sizes: run(n, 5 if n <= 2048 else 3)
    if not one_cpu:
        subprocess.run([sys.executable, __file__, "--one-cpu", str(sizes[0])], check=True)


def beside_busy(sizes, twin=False, rounds=5):
    """Whether the engine's threads cost time when a neighbour keeps a CPU busy (the goal: never slower than one
    thread): each round runs a process with the engine's default threads and one with TENSIX_THREADS=1 (each first in
    turn, as the load drifts), beside a spinning process, or with `twin` beside a copy of itself (two sessions at once,
    where each engine's helpers take turns on the other's processor); the ratios of their matmul_multicast walls come
    at the end. Single rounds swing far both ways (four threads want two CPUs: the neighbour, numpy's spinning BLAS
    thread and the engine's two), so read the median."""
    neighbour = None if twin else subprocess.Popen([sys.executable, "-c", "while True: pass"])
    print("beside a copy of itself, both started at once" if twin else
          f"beside a busy neighbour (process {neighbour.pid}, spinning; the load shown is the last minute's average)")
    walls = {}  # (n, threads): matmul_multicast's median wall ms of each round (with `twin`, the mean of both copies)
    try:
        for r in range(rounds):
            for threads in ("all", "1")[::1 if r % 2 == 0 else -1]:
                env = {k: v for k, v in os.environ.items() if k != "TENSIX_THREADS"}
                if threads != "all": env["TENSIX_THREADS"] = threads
                copies = [subprocess.Popen([sys.executable, __file__, "--alone", *map(str, sizes)], env=env,
                                           stdout=subprocess.PIPE, text=True) for _ in range(2 if twin else 1)]
                outs = [c.communicate()[0] for c in copies]
                if any(c.returncode for c in copies): sys.exit("a run failed")
                print("".join(outs), end="", flush=True)
                for n in sizes:
                    got = [float(w) for out in outs for m, w in re.findall(r"matmul (\d+)\^3.*?matmul_multicast 8x8 ([\d.]+) ms", out) if int(m) == n]
                    walls.setdefault((n, threads), []).append(statistics.mean(got))
    finally:
        if neighbour: neighbour.kill()
    for n in sizes:
        ratios = [a / b for a, b in zip(walls[n, "all"], walls[n, "1"])]
        print(f"{'beside a copy of itself' if twin else 'beside a busy neighbour'}, matmul_multicast {n}^3 with the "
              "engine's threads / with one: " + ", ".join(f"{r:.2f}" for r in ratios) + f" (median {statistics.median(ratios):.2f}); "
              f"median walls {statistics.median(walls[n, 'all']):.1f} ms and {statistics.median(walls[n, '1']):.1f} ms")


if __name__ == "__main__":
    usage(__doc__)
    flags = {a.split("=")[0]: a.partition("=")[2] for a in sys.argv[1:] if a.startswith("--")}
    sizes = [int(a) for a in sys.argv[1:] if not a.startswith("--")] or [1024]
    if flags.keys() & {"--busy", "--twin"}: beside_busy(sizes, "--twin" in flags, int(flags.get("--rounds") or 5))
    else: main(sizes, bool(flags.keys() & {"--one-cpu", "--alone"}))
