"""tinygrad on the TT device: for a matmul, an element-wise chain, a reduction and a softmax, the share of kernels and
of simulated cycles that took the fallback path (elements gathered or scattered one by one by the data-movement
cores), the simulated chip time, TFLOPS and GB/s, and the wall time beside tinygrad's CPU backend on the same process.

    python bench/tinygrad.py [matmul size, default 128]        BEAM=2 python bench/tinygrad.py   (tuned on the chip's clock)

The matmul is small because it still runs as one lane per output with its operands gathered element by element: a
1024^3 matmul is out of reach until matmul goes through a tensor core onto matmul_tiles (see the README).
"""
import os, sys, time
sys.path.remove(os.path.dirname(os.path.abspath(__file__)))  # this file's name would hide the tinygrad package
import numpy as np
import tensix.tinygrad  # noqa: F401
from tinygrad import Tensor
from tinygrad.helpers import Context, GlobalCounters
from tensix.tinygrad import device as ttdev


def cases(n):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)
    v = rng.standard_normal((1024, 1024)).astype(np.float32)
    return {
        f"matmul {n}^3": ((a, b), lambda x, y: x @ y, 2 * n ** 3, 3 * n * n * 4),
        "element-wise 1M (x*y+1).exp2()": ((v, v), lambda x, y: (x * y + 1).exp2(), 3 * v.size, 3 * v.nbytes),
        "reduction 1024x1024 sum(1)": ((v,), lambda x: x.sum(1), v.size, v.nbytes + 4096),
        "softmax 256x1024": ((v[:256],), lambda x: x.softmax(1), 5 * v[:256].size, 2 * v[:256].nbytes),
    }


def run(device, inputs, f):
    ts = [Tensor(x, device=device).realize() for x in inputs]
    t0 = time.perf_counter()
    out = f(*ts).realize()
    return time.perf_counter() - t0, out.numpy()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 128
    print(f"load: {os.getloadavg()[0]:.2f}; BEAM={os.environ.get('BEAM', '0')}; chip {ttdev.chip_name()}")
    print(f"{'case':<34}{'kernels':>8}{'fallback':>9}{'fb cycles':>10}{'chip us':>10}{'TFLOPS':>8}{'GB/s':>7}{'TT wall':>9}{'CPU wall':>9}")
    for name, (inputs, f, flops, nbytes) in cases(n).items():
        run("TT", inputs, f)  # compile once (and search, with BEAM)
        before = dict(ttdev.STATS)
        wall, got = run("TT", inputs, f)
        d = {k: ttdev.STATS[k] - before[k] for k in before}
        cpu_wall, want = run("CPU", inputs, f)
        run("CPU", inputs, f)
        cpu_wall = min(cpu_wall, run("CPU", inputs, f)[0])
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
        secs = d["cycles"] / ttdev.tt_device().chip.clock_hz
        print(f"{name:<34}{d['kernels']:>8}{d['fallback_kernels']:>9}{d['fallback_cycles'] / max(d['cycles'], 1):>10.0%}"
              f"{secs * 1e6:>10.1f}{flops / secs / 1e12:>8.3f}{nbytes / secs / 1e9:>7.1f}{wall:>9.3f}{cpu_wall:>9.4f}")


if __name__ == "__main__":
    main()
