"""tinygrad on the TT device: for a matmul, an element-wise chain, a reduction and a softmax, how many kernels ran their
reduce loop on the math engine's tile ops (matmul_tiles, reduce_tile) and how many took the fallback path (elements
gathered or scattered one by one by the data-movement cores) with their share of the simulated cycles; the simulated
chip time, TFLOPS and GB/s beside the hand-written examples' (same simulated chip); the wall time beside tinygrad's CPU
backend in the same process. Each case runs without search, then with BEAM=2 (tuned on the simulated clock).

    python bench/tinygrad.py [matmul size, default 1024] [--no-beam] [--no-examples]
"""
import os, sys, time
from measure import usage  # before the next line takes bench/ off the path
sys.path.remove(os.path.dirname(os.path.abspath(__file__)))  # this file's name would hide the tinygrad package
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples"))
import numpy as np
import tensix as tt
import tensix.tinygrad  # noqa: F401
from tinygrad import Tensor
from tinygrad.helpers import Context
from tensix.tinygrad import device as ttdev


def cases(n):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)
    v = rng.standard_normal((1024, 1024)).astype(np.float32)
    # (inputs, function, flops, bytes a kernel must move at least, tolerance against the CPU backend)
    return {
        f"matmul {n}^3": ((a, b), lambda x, y: x @ y, 2 * n ** 3, 3 * n * n * 4, 2 ** -15 * np.sqrt(n) * 4),
        "element-wise 1M (x*y+1).exp2()": ((v, v), lambda x, y: (x * y + 1).exp2(), 3 * v.size, 3 * v.nbytes, 1e-4),
        "reduction 1024x1024 sum(1)": ((v,), lambda x: x.sum(1), v.size, v.nbytes + 4096, 1e-4),
        "softmax 256x1024": ((v[:256],), lambda x: x.softmax(1), 5 * v[:256].size, 2 * v[:256].nbytes, 1e-4),
    }


def run(device, inputs, f):
    ts = [Tensor(x, device=device).realize() for x in inputs]
    t0 = time.perf_counter()
    out = f(*ts).realize()
    return time.perf_counter() - t0, out.numpy()


def examples(n):
    """The hand-written examples' simulated figures on the same chip: (name, TFLOPS or None, GB/s)."""
    import matmul_multicast, reduce, softmax
    dev = ttdev.tt_device()
    _, r = matmul_multicast.main(dev, n)
    yield f"matmul_multicast {n}^3, 8x8 cores, bfloat16, HiFi4", 2 * n ** 3 / r.seconds / 1e12, 3 * n * n * 2 / r.seconds / 1e9
    x = tt.round_bfloat16(np.random.default_rng(0).standard_normal((1024, 1024)))
    _, r = reduce.run_reduce(dev, x, "sum", "row")
    yield "reduce.py sum of rows 1024x1024, one core, bfloat16", None, x.size * 2 / r.seconds / 1e9
    _, r = softmax.run_softmax(dev, x[:256])
    yield "softmax.py 256x1024, one core, bfloat16", None, 2 * 256 * 1024 * 2 / r.seconds / 1e9


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1024
    print(f"load: {os.getloadavg()[0]:.2f}; chip {ttdev.chip_name()}")
    print(f"{'case':<34}{'BEAM':>5}{'kernels':>8}{'on tiles':>9}{'fallback':>9}{'fb cycles':>10}{'chip us':>10}{'TFLOPS':>8}"
          f"{'GB/s':>7}{'TT wall':>9}{'CPU wall':>9}")
    for name, (inputs, f, flops, nbytes, tol) in cases(n).items():
        cpu_wall, want = min(run("CPU", inputs, f) for _ in range(3))
        for beam in (0,) if "--no-beam" in sys.argv else (0, 2):
            with Context(BEAM=beam):
                run("TT", inputs, f)  # compile once (and search, with BEAM)
                before = dict(ttdev.STATS)
                wall, got = run("TT", inputs, f)
            d = {k: ttdev.STATS[k] - before[k] for k in before}
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=tol)
            secs = d["cycles"] / ttdev.tt_device().chip.clock_hz
            print(f"{name:<34}{beam:>5}{d['kernels']:>8}{d['loop_kernels']:>9}{d['fallback_kernels']:>9}"
                  f"{d['fallback_cycles'] / max(d['cycles'], 1):>10.0%}{secs * 1e6:>10.1f}{flops / secs / 1e12:>8.3f}"
                  f"{nbytes / secs / 1e9:>7.1f}{wall:>9.3f}{cpu_wall:>9.4f}")
    print("'on tiles': kernels whose reduce loop ran as matmul_tiles, reduce_tile or binary_max_tile + sfpu_reduce; 'fallback': kernels with gathered "
          "loads or scattered stores, and their share of the chip's cycles")
    if "--no-examples" not in sys.argv:
        for name, tflops, gbs in examples(n):
            print(f"hand-written: {name:<52} TFLOPS {tflops or 0:8.3f}  GB/s {gbs:7.1f}")


if __name__ == "__main__":
    usage(__doc__)
    main()
