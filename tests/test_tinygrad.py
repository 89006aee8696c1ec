"""tinygrad on the TT device: op cases checked against numpy in float32 (the chip default here keeps float32 in its
destination register), and the kernels' split into reader, compute and writer."""
import json
import numpy as np
import pytest

tinygrad = pytest.importorskip("tinygrad")
import tensix.tinygrad  # noqa: F401  registers device TT
from tinygrad import Tensor, dtypes
from tinygrad.helpers import DEV, Context
from tensix.tinygrad import device as ttdev

rng = np.random.default_rng(0)
DEV.value = "TT"  # the default device too: tinygrad stages host data through it (and may have no CPU compiler here)


def tt(x): return Tensor(x, device="TT")


def close(got, want, rtol=1e-5, atol=1e-6): np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def test_device_is_found_by_name():
    from tinygrad import Device
    assert type(Device["TT"]).__name__ == "TTDevice"


def test_elementwise_chain():
    a, b = rng.standard_normal((45, 65)).astype(np.float32), rng.standard_normal((45, 65)).astype(np.float32)
    got = ((tt(a) + tt(b)) * tt(a) - tt(b) / 3.0).numpy()
    close(got, (a + b) * a - b / np.float32(3.0))


def test_unary_ops():
    a = rng.uniform(0.1, 4.0, (33, 70)).astype(np.float32)
    close(tt(a).sqrt().numpy(), np.sqrt(a))
    close(tt(a).exp().numpy(), np.exp(a), rtol=1e-5)
    close(tt(a).log().numpy(), np.log(a), rtol=1e-5, atol=1e-5)
    close(tt(a).reciprocal().numpy(), 1 / a)
    close(tt(a - 2).relu().numpy(), np.maximum(a - 2, 0))
    close(tt(a).sin().numpy(), np.sin(a), atol=1e-5)


def test_compare_and_where():
    a, b = rng.standard_normal((40, 40)).astype(np.float32), rng.standard_normal((40, 40)).astype(np.float32)
    np.testing.assert_array_equal((tt(a) < tt(b)).numpy(), a < b)
    np.testing.assert_array_equal((tt(a) == tt(a)).numpy(), np.ones_like(a, bool))
    close((tt(a) > 0).where(tt(a), tt(b)).numpy(), np.where(a > 0, a, b))


def test_int_arithmetic():
    a = rng.integers(-1000, 1000, (50, 20)).astype(np.int32)
    b = rng.integers(1, 50, (50, 20)).astype(np.int32)
    np.testing.assert_array_equal((tt(a) + tt(b) * 3).numpy(), a + b * 3)
    np.testing.assert_array_equal((tt(a) // tt(b)).numpy(), a // b)  # tinygrad's floor division, built from C's
    np.testing.assert_array_equal((tt(a) & tt(b)).numpy(), a & b)


def test_int32_keeps_all_32_bits():
    """int32 and uint32 over their whole range (above 2^24, negative, uint32 above 2^31): the integer ops run on the
    register's 32-bit words, so tinygrad's results match numpy's integer arithmetic exactly."""
    a, b = (rng.integers(-2 ** 31, 2 ** 31, (40, 40), dtype=np.int64).astype(np.int32) for _ in range(2))
    d = b | 1
    with np.errstate(over="ignore"):
        for got, want in [(tt(a) | tt(b), a | b), (tt(a) ^ tt(b), a ^ b), (tt(a) + tt(b), a + b), (tt(a) * tt(b), a * b),
                          (tt(a) << 3, a << 3), (tt(a) >> 5, a >> 5), (tt(a) < tt(b), a < b), (tt(a) == tt(a + 1), a == a + 1),
                          (tt(a).maximum(tt(b)), np.maximum(a, b)), (tt(a) // tt(d), a // d), (tt(a) % tt(d), a % d)]:
            np.testing.assert_array_equal(got.numpy(), want)
    u = rng.integers(0, 2 ** 32, (40, 40), dtype=np.uint64).astype(np.uint32)
    np.testing.assert_array_equal((tt(u) >> 7).numpy(), u >> 7)
    np.testing.assert_array_equal((tt(u) + tt(u)).numpy(), u + u)


def test_reduce():
    a = rng.standard_normal((70, 130)).astype(np.float32)
    close(tt(a).sum(1).numpy(), a.sum(1), rtol=1e-5, atol=1e-5)
    close(tt(a).sum(0).numpy(), a.sum(0), rtol=1e-5, atol=1e-5)
    close(tt(a).max(1).numpy(), a.max(1))
    close(tt(a).sum().numpy(), a.sum(), rtol=1e-5, atol=1e-3)  # 9100 terms summed in order, as tinygrad does


def sources(f):
    """Runs f; the sources of each kernel it rendered (tinygrad renders a kernel once per process; here, not in its
    worker processes, which compile several kernels at once)."""
    from tensix.tinygrad.renderer import TTRenderer
    render, out = TTRenderer.render, []
    try:
        TTRenderer.render = lambda self, uops: out.append(render(self, uops)) or out[-1]
        with Context(PARALLEL=0): f()
    finally:
        TTRenderer.render = render
    return [json.loads(k) for k in out]


def paths(f):
    """Runs f; the (math, fallbacks) of each kernel it rendered."""
    return [(k["math"], k["fallbacks"]) for k in sources(f)]


def fpu_close(got, a, b):
    """The math engine takes matmul operands as bfloat16; the renderer splits each float32 operand in three bfloat16
    parts and sums the six products that reach 2^-16, so the result is float32's: within float32 rounding of the sum
    of |a||b| (three passes left 2^-16 of it, which tinygrad's own gemm test refuses)."""
    bound = 2.0 ** -20 * (np.abs(a).astype(np.float64) @ np.abs(b))
    assert got.shape == bound.shape and np.all(np.abs(got - a.astype(np.float64) @ b) <= bound)


def test_matmul():
    a, b = rng.standard_normal((70, 50)).astype(np.float32), rng.standard_normal((50, 90)).astype(np.float32)
    got = []
    assert paths(lambda: got.append((tt(a) @ tt(b)).numpy())) == [("matmul", 0)]  # matmul_tiles, no gathered loads
    fpu_close(got[0], a, b)
    with pytest.raises(AssertionError): fpu_close(got[0] * np.float32(1 + 2 ** -16), a, b)  # the bound is tight enough to fail


@pytest.mark.parametrize("m,k,n", [(32, 32, 32), (33, 65, 31), (1, 40, 70), (64, 7, 96), (320, 40, 330)])
def test_matmul_tiles_at_edges(m, k, n):
    """Blocks that pass the matrices' edges (zeros in the reader), one row, a k shorter than a tile, and more output
    tiles than cores (a core keeps B for a column of output tiles, then moves to the next)."""
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    got = []
    assert paths(lambda: got.append((tt(a) @ tt(b)).numpy())) == [("matmul", 0)]
    fpu_close(got[0], a, b)


@pytest.mark.parametrize("shape,mcast,senders", [((310, 300, 275), [5, 5], False), ((2, 100, 170, 290), [5, 4], True), ((150, 200, 260), None, False)])
def test_matmul_in_blocks(shape, mcast, senders, monkeypatch):
    """A core computes a block of output tiles, reading each k-step's A and B strips once for the whole block and
    keeping its partial sums in L1 between k-steps: here blocks of 2x2 tiles that pass the output's edges (10x9 tiles
    on a 8x9 grid), k-steps past k's end (300 = 9.4 tiles in steps of 4), and a batch of them. With multicast (a grid
    of 5x5 and 5x4 cores), the first core of a row reads A's strips and multicasts them along the row, the first of a
    column B's down the column (the race detector, on by default, would flag an unsynchronized one); without, every
    core reads its own. With senders, a spare column of cores reads and splits A's strips and a spare row B's, and
    multicasts the parts: the block's cores only multiply. The packer writes the output as rows of the block, which the
    writer moves in long runs."""
    from tensix.tinygrad import reduce_loop
    monkeypatch.setattr(reduce_loop, "MCAST", mcast is not None)
    monkeypatch.setattr(reduce_loop, "SENDERS", senders)
    *batch, m, k, n = shape
    a, b = rng.standard_normal((*batch, m, k)).astype(np.float32), rng.standard_normal((*batch, k, n)).astype(np.float32)
    got = []
    kernels = sources(lambda: got.append((tt(a) @ tt(b)).numpy()))
    assert len(kernels) == 1 and kernels[0]["math"] == "matmul" and kernels[0]["blocks"] and kernels[0]["fallbacks"] == 0
    assert kernels[0]["mcast"] == mcast and ("noc_async_write_multicast" in kernels[0]["reader"]) == (mcast is not None)
    assert kernels[0]["senders"] == senders and ("role_" in kernels[0]["compute"]) == senders
    assert "pack_untilize_dst" in kernels[0]["compute"]  # the output leaves as rows of the block (the last one cut at n)
    for i in np.ndindex(*batch): fpu_close(got[0][i], a[i], b[i])


@pytest.mark.parametrize("m,k,n,blocked", [(40, 70, 50, False), (300, 96, 290, True)])
def test_matmul_of_infinities(m, k, n, blocked):
    """inf and NaN operands give inf and NaN exactly where numpy's float32 does: inf x b is inf whatever b's split
    parts are (b exact in bfloat16 has middle and low parts 0, and inf x 0 would be NaN), inf x 0 and inf - inf are
    NaN, a product past float32's range is inf; every other element stays float32's. In blocks, and one tile at a time (a
    transposed A: gathered, then the same matmul_tiles)."""
    a, b = rng.standard_normal((m, k)).astype(np.float32), rng.standard_normal((k, n)).astype(np.float32)
    a[1, 3], a[2, 5], a[3, 3], a[3, 5], a[4, 9] = np.inf, -np.inf, np.inf, np.inf, np.nan
    b[3, :7] = [1.5, 0, -2, 0.25, 0, 3, -1]  # exact in bfloat16: parts 0 beside the high one
    b[5, 1] = 0
    a[7, 11], b[11, :], b[11, 8] = 3e38, 0.5, 4  # a product past float32's range (by less than 2^8: see the README)
    b[5, 2] = np.float32(-b[3, 2] * 0.5)  # row 3: inf * b[3, 2] + inf * b[5, 2], of opposite signs: NaN
    got = []
    at = np.ascontiguousarray(a.T)
    kernels = sources(lambda: got.append(((tt(a) if blocked else tt(at).T) @ tt(b)).numpy()))
    assert [k_["math"] for k_ in kernels] == ["matmul"] and bool(kernels[0]["blocks"]) == blocked
    with np.errstate(invalid="ignore", over="ignore"): want = (a.astype(np.float64) @ b).astype(np.float32)
    assert np.isinf(want).sum() > 50 and np.isnan(want).sum() > 50  # the cases above, along whole rows
    np.testing.assert_array_equal(np.isnan(got[0]), np.isnan(want))
    np.testing.assert_array_equal(got[0][np.isinf(want)], want[np.isinf(want)])
    fine = np.isfinite(want).all(1)
    fpu_close(got[0][fine], a[fine], b)


def test_matmul_transposed_and_batched():
    """A transposed operand is gathered (counted as fallback) but still multiplied by matmul_tiles; a batch of
    matrices is a batch of output tiles."""
    a, b = rng.standard_normal((40, 36)).astype(np.float32), rng.standard_normal((40, 50)).astype(np.float32)
    got = []
    assert paths(lambda: got.append((tt(a).T @ tt(b)).numpy())) == [("matmul", 1)]
    fpu_close(got[0], a.T, b)
    x, y = rng.standard_normal((3, 20, 45)).astype(np.float32), rng.standard_normal((3, 45, 33)).astype(np.float32)
    got = (tt(x) @ tt(y)).numpy()
    for i in range(3): fpu_close(got[i], x[i], y[i])


def test_beam_keeps_the_matmul_on_tiles():
    """BEAM=2 times its candidates on the simulated clock; those that would gather are refused, so what it picks still
    runs on matmul_tiles (tinygrad takes a candidate even when none beats the kernel it started from). A LOCAL on the
    high part of m renders too, as a global dimension of its own: a sum loop on tiles, slower, not picked."""
    a, b = rng.standard_normal((40, 64)).astype(np.float32), rng.standard_normal((64, 48)).astype(np.float32)
    got = []
    with Context(BEAM=2, IGNORE_BEAM_CACHE=1):
        kernels = paths(lambda: got.append((tt(a) @ tt(b)).numpy()))
    # the candidates rendered (none if tinygrad cached the search), and the kernel run
    assert kernels and all(f == 0 for _, f in kernels) and kernels[-1] == ("matmul", 0) and kernels.count(("matmul", 0)) > len(kernels) // 2
    fpu_close(got[0], a, b)



def test_beam_timing_runs_are_whole_kernels():
    """BEAM times a candidate on a smaller global size and multiplies its time by how much smaller; the device runs the
    whole kernel and returns its time divided by that, so BEAM's estimate is the kernel's own simulated time (a shrunk
    run's launch, multiplied, would favour candidates BEAM did not shrink)."""
    from types import SimpleNamespace
    from tinygrad import Device
    a = rng.standard_normal((256, 1024)).astype(np.float32)
    src = sources(lambda: (tt(a) * 3).realize())[-1]
    g = src["global"]  # tinygrad splits the 262144 lanes in two dimensions (each at most 65535)
    assert g[1] % 4 == 0 and g[0] * g[1] == 256 * 1024
    prg = ttdev.TTProgram(Device["TT"], SimpleNamespace(lib=json.dumps(src).encode()))
    x, out = tt(a).realize(), tt(np.zeros_like(a)).realize()
    bufs = [out.uop.buffer._buf, x.uop.buffer._buf]
    full = prg(*bufs, global_size=tuple(g), wait=True)
    assert prg(*bufs, global_size=(g[0], g[1] // 4, 1), wait=True) * 4 == pytest.approx(full, rel=1e-9)
    np.testing.assert_array_equal(out.numpy(), a * np.float32(3))  # and the whole output was written

@pytest.mark.parametrize("op", ["sum", "max"])
def test_beam_groups_are_reduces_split_over_cores(op):
    """tinygrad's GROUP / GROUPTOP opts (a reduce split over G local threads, combined through shared memory) render as
    the chip's k split: G cores a tile, the partial tiles folded in the tile's first core's L1. Each candidate BEAM
    builds from one is a different kernel (G parts) that computes the same result; the one it picks too. A LOCAL opt
    without shared memory renders the kernel it started from (one global dimension of the threads)."""
    from types import SimpleNamespace
    from tinygrad import Device
    a = rng.standard_normal((64, 512)).astype(np.float32)  # 2 output tiles of 16 k-blocks: on its own, 2 parts a tile
    want, check = (np.exp(a.astype(np.float64)).sum(1), lambda got: close(got, want, rtol=2e-6)) if op == "sum" else \
        (a.max(1), lambda got: np.testing.assert_array_equal(got, want))  # a max is exact whatever the parts
    got = []
    with Context(BEAM=2, IGNORE_BEAM_CACHE=1):
        srcs = sources(lambda: got.append((tt(a).exp().sum(1) if op == "sum" else tt(a).max(1)).numpy()))
    check(got[0])
    parts = {k["split"][0]: k for k in srcs if k["name"] == "test" and k["split"]}
    assert {4, 8, 16} <= set(parts) and srcs[-1]["split"] and srcs[-1]["split"][0] in parts  # GROUP 4, 8, 16 and GROUPTOP 16
    # a LOCAL opt only groups threads (no shared memory): one global dimension again, launched as global x local
    grouped = [k for k in srcs if k["name"] == "test" and k["locals"]]
    assert grouped and all(k["split"][0] == 2 for k in grouped)  # the parts it takes on its own
    x = tt(a).realize()
    for src in [*parts.values(), grouped[0]]:
        out, size, local = tt(np.zeros(64, np.float32)).realize(), list(src["global"]), [1, 1, 1]
        for g, l, n in src["locals"]: size[g], local[l] = size[g] // n, local[l] * n
        ttdev.TTProgram(Device["TT"], SimpleNamespace(lib=json.dumps(src).encode()))(
            out.uop.buffer._buf, x.uop.buffer._buf, global_size=tuple(size), local_size=tuple(local), wait=True)
        check(out.numpy())


def test_sum_on_reduce_tile():
    """A sum over a contiguous axis goes through reduce_tile, its float32 operand split in three bfloat16 parts, so the
    result is float32's (tinygrad's CPU backend sums in float32 too)."""
    a = rng.standard_normal((71, 133)).astype(np.float32)  # shapes no other test uses: tinygrad would reuse that kernel
    got = []
    assert paths(lambda: got.append(tt(a).sum(1).numpy())) == [("sum", 0)]
    close(got[0], a.astype(np.float64).sum(1), rtol=1e-6, atol=4e-6)
    x = rng.standard_normal((3, 5, 300)).astype(np.float32) + 2
    close((tt(x).sum(2)).numpy(), x.astype(np.float64).sum(2), rtol=2e-6)
    # infinities: the high part is inf, and inf - inf must not leave a NaN rest (tinygrad's scatter(reduce="add") of inf)
    y = rng.standard_normal((37, 70)).astype(np.float32)
    y[1, 5], y[2, 3], y[3, 4:6], y[4, 7] = np.inf, -np.inf, [np.inf, -np.inf], np.nan
    got = []
    assert paths(lambda: got.append(tt(y).sum(1).numpy())) == [("sum", 0)]
    with np.errstate(invalid="ignore"): want = y.astype(np.float64).sum(1)  # inf + -inf is NaN, as intended
    assert np.array_equal(np.isnan(got[0]), np.isnan(want)) and np.array_equal(got[0][1:3], want[1:3])
    close(got[0][5:], want[5:], rtol=1e-6, atol=4e-6)



def test_max_and_min_on_tiles_are_exact():
    """A max over a contiguous axis: binary_max_tile across the k-blocks, then sfpu_reduce over each row, both at the
    register's float32 width, so the result equals numpy's bit for bit (reduce_tile's bfloat16 operands would not).
    Values differ only in their low bits; lanes past the edge (k = 77) are -inf, so an all-negative row still wins."""
    a = (-1 - rng.integers(0, 1 << 16, (40, 77)) * 2.0 ** -23).astype(np.float32)
    got = []
    assert paths(lambda: got.append(tt(a).max(1).numpy())) == [("max", 0)]
    assert np.array_equal(got[0], a.max(1))
    b = (rng.integers(0, 1 << 16, (33, 96)) * 2.0 ** -20 - 1).astype(np.float32)
    b[3, :] = -np.inf
    got = []
    assert paths(lambda: got.append(tt(b).min(1).numpy())) == [("max", 0)]  # tinygrad's min: -max(-x), k in whole blocks
    assert np.array_equal(got[0], b.min(1))
    c = rng.standard_normal((50, 512)).astype(np.float32)  # rows of 8 k-blocks read at once
    assert np.array_equal(tt(c).max(1).numpy(), c.max(1))



def test_reductions_split_over_cores():
    """Two output tiles on a 72-core chip: each tile's 64 k-blocks go to 8 cores in parts; each part's partial tile is
    written into the tile's first core's L1 and counted on a semaphore, and that core folds them in (max exactly)."""
    a = rng.standard_normal((64, 2048)).astype(np.float32)
    got = []
    srcs = sources(lambda: got.append(tt(a).max(1).numpy()))
    assert srcs[0]["split"][0] == 8 and np.array_equal(got[0], a.max(1))
    got = []
    srcs = sources(lambda: got.append((tt(a) - tt(a[:, :1])).exp().sum(1).numpy()))  # a row broadcast before the loop too
    assert srcs[0]["split"][0] == 8 and (srcs[0]["math"], srcs[0]["fallbacks"]) == ("sum", 0)
    close(got[0], np.exp(a.astype(np.float64) - a[:, :1]).sum(1), rtol=2e-6)

def test_matmul_gradients_sum_once_and_move_in_runs():
    """out.sum()'s gradients of a @ b are sums tinygrad renders with an output dimension the sum ignores: ones @ b.T is
    b's row sums along every row, a.T @ ones a's column sums along every column (a transposed operand). Each sum is
    done once and stored along that dimension; a's columns are read as rows and turned by transpose_wh_tile."""
    a, b = rng.standard_normal((40, 70)).astype(np.float32), rng.standard_normal((70, 50)).astype(np.float32)
    x, y, got = tt(a), tt(b), []
    def grads():
        gx, gy = (x @ y).sum().gradient(x, y)
        got.extend([gx.numpy(), gy.numpy()])
    srcs = sources(grads)
    sums = [k for k in srcs if k["math"] == "sum"]
    assert len(sums) == 2 and all(k["fallbacks"] == 0 and k["tiles"] == 3 for k in sums)  # 70 rows: 3 tiles, not 120 or 150
    close(got[0], np.broadcast_to(b.astype(np.float64).sum(1), (40, 70)), rtol=1e-6, atol=4e-6)
    close(got[1], np.broadcast_to(a.astype(np.float64).sum(0)[:, None], (70, 50)), rtol=1e-6, atol=4e-6)
    c = rng.standard_normal((300, 45)).astype(np.float32)  # a column's max and sum: transposed, k past the last block
    got = []
    assert paths(lambda: got.extend([tt(c).max(0).numpy(), tt(c).sum(0).numpy()])) == [("max", 0), ("sum", 0)]
    assert np.array_equal(got[0], c.max(0))
    close(got[1], c.astype(np.float64).sum(0), rtol=1e-6, atol=1e-5)


def test_reductions_of_expressions_past_the_last_k_block():
    """k = 77: an expression of the loaded tiles would turn their padding (-inf for a max, 0 for a sum) into values
    (-inf * -inf = inf, 2^0 = 1); the last k-block is masked back to the padding, so these stay on tiles."""
    d = rng.standard_normal((20, 77)).astype(np.float32)
    got = []
    assert paths(lambda: got.append((tt(d) * tt(d)).max(1).numpy())) == [("max", 0)]
    assert np.array_equal(got[0], (d * d).max(1))
    got = []
    assert paths(lambda: got.append(tt(d).exp2().sum(1).numpy())) == [("sum", 0)]
    close(got[0], np.exp2(d.astype(np.float64)).sum(1), rtol=2e-6)

def test_bias_relu_after_matmul():
    """What follows the loop (a bias load, relu) works per lane on the output tile."""
    a, w, bias = (rng.standard_normal(s).astype(np.float32) for s in [(20, 64), (64, 48), (48,)])
    got = []
    assert paths(lambda: got.append((tt(a) @ tt(w) + tt(bias)).relu().numpy()))[0][0] == "matmul"
    want = np.maximum(a.astype(np.float64) @ w + bias, 0)
    assert np.all(np.abs(got[0] - want) <= 2.0 ** -20 * (np.abs(a).astype(np.float64) @ np.abs(w)) + 1e-6)


def conv2d_ref(x, w, stride=1, padding=0, dilation=1, groups=1):
    """A convolution as its definition has it (torch's and tinygrad's conv2d: cross-correlation, zero padding), in
    float64, and the same sum of |x| |w| (the bound of float32's split on the FPU, see fpu_close)."""
    (n, c, h, wd), (co, cg, kh, kw) = x.shape, w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1, (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out, mag = np.zeros((n, co, oh, ow)), np.zeros((n, co, oh, ow))
    for o in range(co):
        g = o // (co // groups)
        for ci in range(cg):
            for i in range(kh):
                for j in range(kw):
                    win = xp[:, g * cg + ci, i * dilation:i * dilation + stride * (oh - 1) + 1:stride, j * dilation:j * dilation + stride * (ow - 1) + 1:stride]
                    out[:, o] += win * w[o, ci, i, j]
                    mag[:, o] += np.abs(win * w[o, ci, i, j])
    return out, mag


@pytest.mark.parametrize("xs,ws,kw", [((2, 3, 11, 9), (5, 3, 3, 3), dict(padding=1)),
                                      ((1, 4, 13, 12), (6, 4, 3, 3), dict(stride=2, padding=2, dilation=2)),
                                      ((2, 4, 9, 10), (6, 2, 3, 2), dict(groups=2))])
def test_conv2d_as_matmul_tiles(xs, ws, kw):
    """A convolution's three reduce loops (input channels, kernel rows, kernel columns) run as one loop of k = C x KH x
    KW on matmul_tiles (im2col): the reader computes each lane's input element from the load's index (zero where the
    padding's gate is closed), the weights move as rows. With padding, with stride and dilation, with groups."""
    x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
    got, before = [], dict(ttdev.STATS)
    kernels = sources(lambda: got.append(tt(x).conv2d(tt(w), **kw).numpy()))
    assert [(k["math"], k["im2col"]) for k in kernels] == [("matmul", 3)]
    assert ttdev.STATS["im2col_kernels"] - before["im2col_kernels"] == 1 and ttdev.STATS["loop_kernels"] - before["loop_kernels"] == 1
    want, mag = conv2d_ref(x, w, **kw)
    assert got[0].shape == want.shape and np.all(np.abs(got[0] - want) <= 2.0 ** -20 * mag + 1e-7)
    with pytest.raises(AssertionError): assert np.all(np.abs(got[0] * np.float32(1 + 2 ** -14) - want) <= 2.0 ** -20 * mag + 1e-7)


def test_causal_attention():
    """A causal mask computed from the output's indices (lanes past a 16x16 output are padding) added after a batched
    matmul, a softmax, and the weights times v on matmul_tiles."""
    q, k, v = (rng.standard_normal((3, 16, 40)).astype(np.float32) for _ in range(3))
    got = tt(q).scaled_dot_product_attention(tt(k), tt(v), is_causal=True).numpy()
    s = q.astype(np.float64) @ k.transpose(0, 2, 1) / np.sqrt(40) + np.where(np.tril(np.ones((16, 16), bool)), 0, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    close(got, (e / e.sum(-1, keepdims=True)) @ v, rtol=1e-5, atol=1e-5)


def test_softmax():
    """Its max and its sum run on tiles; the last kernel reads max[row] and sum[row] once per row (a broadcast along
    the row, not a gather)."""
    a = rng.standard_normal((30, 100)).astype(np.float32) * 3
    e = np.exp(a - a.max(1, keepdims=True))
    got = []
    assert paths(lambda: got.append(tt(a).softmax(1).numpy())) == [("max", 0), ("sum", 0), ("sfpu", 0)]
    close(got[0], e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)


def test_gather():
    a = rng.standard_normal((20, 30)).astype(np.float32)
    idx = rng.integers(0, 30, (20, 7)).astype(np.int32)
    close(tt(a).gather(1, tt(idx)).numpy(), np.take_along_axis(a, idx, 1))


def test_permute_and_pad():
    a = rng.standard_normal((5, 6, 7)).astype(np.float32)
    close(tt(a).permute(2, 0, 1).contiguous().numpy(), a.transpose(2, 0, 1))
    close(tt(a).pad(((1, 0), (0, 2), (3, 1))).numpy(), np.pad(a, ((1, 0), (0, 2), (3, 1))))


def test_kernels_are_split_into_reader_compute_writer():
    sources = []
    from tensix.tinygrad.renderer import TTRenderer
    render = TTRenderer.render
    try:
        TTRenderer.render = lambda self, uops: sources.append(render(self, uops)) or sources[-1]
        a = rng.standard_normal(3000).astype(np.float32)
        close((tt(a) * 2 + 1).exp2().numpy(), np.exp2(a * 2 + 1), rtol=1e-5)
    finally:
        TTRenderer.render = render
    k = json.loads(sources[-1])
    assert "noc_async_read" in k["reader"] and "noc_async_write" in k["writer"]
    assert "exp2_tile" in k["compute"] and "noc_async" not in k["compute"]  # the arithmetic is on the math engine
    assert "exp2" not in k["reader"] and "exp2" not in k["writer"]
    assert k["fallbacks"] == 0  # contiguous: whole runs, no gathering


def test_timing_is_the_simulated_clock_and_deterministic():
    from tinygrad.engine.realize import get_runtime
    a = tt(rng.standard_normal((64, 64)).astype(np.float32)).realize()
    before = dict(ttdev.STATS)
    (a + 1).realize()
    cycles = ttdev.STATS["cycles"] - before["cycles"]
    before = dict(ttdev.STATS)
    (a + 1).realize()
    assert cycles > 0 and ttdev.STATS["cycles"] - before["cycles"] == cycles


def test_what_the_renderer_cannot_do_is_a_named_error():
    from tensix.tinygrad.renderer import Unsupported
    with Context(NOOPT=0, BEAM=0):  # hand-coded opts give a matmul local dimensions and 16 accumulator tiles
        with pytest.raises(Exception, match="TT kernel r_"):
            a = tt(np.ones((64, 64), np.float32))
            (a @ a).realize()


def test_pow_gradient_spills_tiles_live_across_the_reduce_loop():
    # the gradient of x ** y summed over a broadcast axis keeps more tiles alive across its loop than the register's 8:
    # those made before the loop are parked in a spill buffer before it and copied back at the top of each iteration
    x = rng.uniform(0.5, 2, (4, 1)).astype(np.float32)
    y = rng.uniform(-2, 2, (4, 5)).astype(np.float32)
    tx, ty = tt(x), tt(y)
    gx, gy = (tx ** ty).sum().gradient(tx, ty)
    close(gx.numpy(), (y * x ** (y - 1)).sum(1, keepdims=True), rtol=1e-5, atol=1e-5)
    close(gy.numpy(), np.log(x) * x ** y, rtol=1e-5, atol=1e-6)


def test_index_arithmetic_in_float_runs_on_the_data_movement_cores():
    # nearest-neighbour interpolation scales output indices by a float ratio and truncates: index arithmetic in float32
    a = rng.standard_normal((2, 3, 13, 10)).astype(np.float32)
    rows, cols = (np.arange(9) * np.float32(13 / 9)).astype(np.int32), (np.arange(11) * np.float32(10 / 11)).astype(np.int32)
    close(tt(a).interpolate(size=(9, 11), mode="nearest").numpy(), a[:, :, rows][:, :, :, cols])


def test_narrow_integers_wrap_as_c_does():
    a = np.array([0, 1, 200, 255, 100, 17], np.uint8)
    b = np.array([1, 2, 100, 3, 200, 250], np.uint8)
    np.testing.assert_array_equal((tt(a) - tt(b)).numpy(), a - b)
    np.testing.assert_array_equal((tt(a) * tt(b)).numpy(), a * b)
    np.testing.assert_array_equal((tt(a) + tt(b)).cast(dtypes.int8).cast(dtypes.int32).numpy(), (a + b).astype(np.int8))
    f = np.array([-3.7, 300.2, 65535.9, -1.5], np.float32)
    np.testing.assert_array_equal(tt(f).cast(dtypes.int16).cast(dtypes.int32).numpy(), f.astype(np.int32).astype(np.int16))


def test_int8_and_int16_buffers():
    """No tile format holds int8 or int16: the reader sign-extends their elements to int32 in L1 and the writer narrows
    them back, so they load, compute, store and bitcast as numpy's do."""
    a = np.array([-128, -1, 0, 1, 127, -77, 5], np.int8)
    h = np.array([-32768, -1, 0, 1, 32767, -1234, 99], np.int16)
    np.testing.assert_array_equal(tt(a).numpy(), a)
    np.testing.assert_array_equal((tt(a) * 3 + 1).numpy(), a * np.int8(3) + np.int8(1))
    np.testing.assert_array_equal((tt(h) * 2).numpy(), h * np.int16(2))
    np.testing.assert_array_equal(tt(a).cast(dtypes.float32).numpy(), a.astype(np.float32))
    np.testing.assert_array_equal(tt(a).bitcast(dtypes.uint8).numpy(), a.view(np.uint8))
    np.testing.assert_array_equal(tt(a.view(np.uint8)).bitcast(dtypes.int8).numpy(), a)
    np.testing.assert_array_equal(tt(h).bitcast(dtypes.float16).numpy().view(np.uint16), h.view(np.uint16))
    assert tt(h).sum().item() == h.astype(np.int64).sum() and tt(a).max().item() == 127
    x, y = rng.integers(-128, 128, (20, 40)).astype(np.int8), rng.integers(-128, 128, (40, 9)).astype(np.int8)  # reduce loops' operands
    np.testing.assert_array_equal((tt(x).float() @ tt(y).float()).numpy(), x.astype(np.float32) @ y.astype(np.float32))
    np.testing.assert_array_equal(tt(x).min(1).numpy(), x.min(1))


def test_the_renderers_circular_buffers_are_distinct():
    """Every circular buffer the rendered kernels use has an index of its own, below tt-metal's 32."""
    from tensix.tinygrad import reduce_loop as rl, renderer as r
    used = [*r.IN_CB.values(), *r.OUT_CB.values(), r.STAGE_CB, *r.SPILL_CBS, rl.ROWS_CB,
            *rl.RM_CB, *rl.MM_CB, *rl.SPLIT_CB, rl.SCALER_CB]
    for only_in_one_kind in ([*r.BITCAST_CB], [rl.PART_CB, rl.READ_STAGE_CB]):  # blocked matmuls have no bitcast
        assert len(set(used + only_in_one_kind)) == len(used + only_in_one_kind) and max(used + only_in_one_kind) < 32


GRAYSKULL = r"""
import numpy as np, tensix.tinygrad
from tinygrad import Tensor
rng = np.random.default_rng(1)
a, b = rng.standard_normal((64, 96)).astype(np.float32), rng.standard_normal((96, 40)).astype(np.float32)
t = lambda x: Tensor(x, device="TT")
for got, want, scale in [((t(a) @ t(b)).numpy(), a @ b, np.abs(a) @ np.abs(b)), (t(a).sum(1).numpy(), a.sum(1), np.abs(a).sum(1)),
                         ((t(a) * 3.7).numpy(), a * np.float32(3.7), np.abs(a * 3.7))]:
    print(float((np.abs(got - want) / scale).max()))
try: print((t(np.arange(1000, dtype=np.int32)) + 1).numpy()[-1])
except Exception as e: print(type(e).__name__, e)
"""


def test_grayskull_computes_in_bfloat16_and_refuses_wide_integers():
    # Grayskull's destination register holds bfloat16: float32 work rounds to bfloat16 operands and sums (error a few
    # of bfloat16's 2^-9 half-steps of the operands' magnitude), and an int32 add, which would round above 256, is refused
    import os, subprocess, sys
    r = subprocess.run([sys.executable, "-c", GRAYSKULL], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "TENSIX_DEVICE": "e150", "DEV": "TT"})
    lines = r.stdout.split("\n")
    assert r.returncode == 0, r.stderr
    assert all(0 < float(x) < 2 ** -6 for x in lines[:3]), lines
    assert lines[3].startswith("Unsupported") and "Grayskull" in lines[3], lines[3]


def test_bitcast_moves_the_words_unchanged():
    """BITCAST packs a register tile in one format and copies it back in another through one shared circular buffer;
    integer constants beyond 2^24 are whole 32-bit words (tinygrad's random numbers or 0x3F800000 into their mantissas)."""
    f = np.array([1.5, -2.0, 3e-3, 1e30, 0, -0.0, 1e-45, np.inf, np.nan, -7], np.float32)
    u = np.array([0x3F800000, 0xBF800000, 0x7F7FFFFF, 1, 0x12345678, 0xFFFFFFFF, 0, 5, 0x80000000, 0x7FC00001], np.uint32)
    np.testing.assert_array_equal(tt(f).bitcast(dtypes.uint32).numpy(), f.view(np.uint32))
    np.testing.assert_array_equal(tt(f).bitcast(dtypes.int32).numpy(), f.view(np.int32))
    np.testing.assert_array_equal(tt(u).bitcast(dtypes.float32).numpy().view(np.uint32), u)
    np.testing.assert_array_equal(((tt(u) >> 9) | 0x3F800000).bitcast(dtypes.float32).numpy(), ((u >> 9) | 0x3F800000).view(np.float32))
    h = np.array([1.5, -2.0, 65504, 6e-8, 0], np.float16)
    np.testing.assert_array_equal(tt(h).bitcast(dtypes.uint16).numpy(), h.view(np.uint16))
    # a shape-changing bitcast passes through four formats in one kernel (int32 -> uint32 -> uint16 -> bfloat16, float16)
    w = np.array([0x3F80BF80, 0x12345678, -1, 0x7F7F0000], np.int32)
    np.testing.assert_array_equal(tt(w).bitcast(dtypes.bfloat16).bitcast(dtypes.uint16).numpy(), w.view(np.uint16))
    w = np.array([0x3C00BC00, 0x12345678, 0x7BFF0001], np.int32)  # float16 halves that are numbers (a NaN's payload is the register's)
    np.testing.assert_array_equal(tt(w).bitcast(dtypes.float16).numpy().view(np.uint16), w.view(np.uint16))


def test_fancy_indexing_pops_an_outer_loops_tile_before_the_inner_loop():
    """x[a, ..., e] sums one-hot masks over two nested reduce loops; the inner loop's RANGE lists the outer one, which
    is no use of the outer loop's index tile: the compute kernel pops that tile before the inner loop opens."""
    x = rng.standard_normal((2, 5, 6, 5, 3, 4)).astype(np.float32)
    a, e = np.array([-1, 0], np.int32).reshape(2, 1, 1, 1, 1, 1), rng.integers(-4, 4, (1, 1, 1, 1, 6, 1)).astype(np.int32)
    close(tt(x)[tt(a), ..., tt(e)].numpy(), x[a, ..., e])


def test_gated_load_whose_other_value_is_computed():
    """cat and reflect padding load `gate ? x[i] : (computed value)`: the reader fills the closed lanes with 0 and the
    compute kernel picks the other value there with where_tile."""
    a, b = rng.standard_normal((64, 48)).astype(np.float32), rng.standard_normal((64, 16)).astype(np.float32)
    close(tt(a).cat(tt(b), dim=1).sum(axis=1).numpy(), np.concatenate([a, b], 1).sum(1), rtol=1e-5, atol=1e-5)
    x = rng.standard_normal((1, 1, 5, 5)).astype(np.float32)
    close(tt(x).pad((0, 2, 3, 2), mode="reflect").numpy(), np.pad(x, ((0, 0), (0, 0), (3, 2), (0, 2)), mode="reflect"))
    close(tt(x).pad((3, 11, 0, 30), mode="replicate").numpy(), np.pad(x, ((0, 0), (0, 0), (0, 30), (3, 11)), mode="edge"))


def test_index_the_compute_kernel_computes_is_handed_to_the_data_movement_cores():
    """masked_select gathers at a running count the compute kernel accumulates in its register, and nonzero stores where
    such a count says: the compute kernel packs those values into a circular buffer the reader or writer reads."""
    x = rng.uniform(-1.5, 1.5, (32, 10)).astype(np.float32)
    close(tt(x).masked_select(tt(x) > 0.5).numpy(), x[x > 0.5])
    np.testing.assert_array_equal(tt(np.array([1, 0, 2, 0, 3], np.int32)).nonzero(size=5, fill_value=-1).numpy(), [[0], [2], [4], [-1], [-1]])
    np.testing.assert_array_equal(tt(np.array([[1, 0], [0, 2]], np.int32)).nonzero(size=2).numpy(), [[0, 0], [1, 1]])


def test_cast_to_half_rounds():
    """A cast to float16 rounds the register tile to half (packed to a float16 buffer and copied back), so a half matmul
    is the float32 sum of products of half operands, rounded once, as tinygrad's CPU backend and torch compute it."""
    x, y = rng.uniform(-1.5, 1.5, (64, 64)).astype(np.float32), rng.uniform(-1.5, 1.5, (64, 64)).astype(np.float32)
    want = (x.astype(np.float16).astype(np.float64) @ y.astype(np.float16).astype(np.float64)).astype(np.float16)
    got = (tt(x).half() @ tt(y).half()).numpy()
    assert got.dtype == np.float16
    close(got.astype(np.float32), want.astype(np.float32), rtol=2 ** -10, atol=2 ** -12)
    np.testing.assert_array_equal((tt(x).half() * 3).numpy(), (x.astype(np.float16).astype(np.float32) * 3).astype(np.float16))


def test_bfloat16_arithmetic_rounds_each_result():
    """tinygrad hands bfloat16 ops typed bfloat16; the register computes in float32, so each result is rounded to
    bfloat16 (as tinygrad's own bfloat16 and torch's are), not just when stored."""
    def bf16(x):  # float32 -> bfloat16 -> float32, rounded to nearest even
        u = np.asarray(x, np.float32).view(np.uint32)
        return ((u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(np.float32)
    data = [326.0, 339.0, 10603200512.0]  # tinygrad's test_dtype: their square roots are not bfloat16 numbers
    np.testing.assert_array_equal(Tensor(data, dtype=dtypes.bfloat16, device="TT").sqrt().numpy(), bf16(np.sqrt(bf16(data))))
    a, b = bf16(rng.standard_normal(300)), bf16(rng.standard_normal(300))
    x, y = (Tensor(v, device="TT").cast(dtypes.bfloat16) for v in (a, b))
    np.testing.assert_array_equal((x * y + x).cast(dtypes.float32).numpy(), bf16(bf16(a * b) + a))


def test_index_by_a_bound_variable():
    """A kernel with a symbolic variable (its PARAM lists an empty STACK): x[Tensor(v.bind(12))] is row 12, as in
    tinygrad's test_arange test_index_variable."""
    from tinygrad import Variable
    x = rng.standard_normal((64, 32)).astype(np.float32)
    with Context(NOOPT=1):
        np.testing.assert_array_equal(tt(x)[Tensor(Variable("v", 0, 63).bind(12), device="TT")].numpy(), x[12])


def test_local_dimensions_of_hand_coded_opts():
    """tinygrad's hand-coded opts (NOOPT=0) add up to three LOCAL dimensions: a gather of 64 images gets locals of 32
    and 4 (which a local maximum of 1 merged into one index, taken apart with >> and &), an embedding's 3 columns a
    local of 3 with no global dimension left beside it (which a local maximum of 1 cannot fit). A thread is a tile lane
    either way: each local goes back into its global dimension, or becomes a global dimension of its own."""
    from tinygrad import Device
    Device["TT"]  # (its creation turns the hand-coded opts off unless NOOPT is in the environment)
    x, s = rng.integers(0, 256, (256, 28, 28), dtype=np.uint8), rng.integers(0, 256, 64).astype(np.int32)
    w, i = rng.standard_normal((10, 3)).astype(np.float32), np.array([1, 2, 3, 4], np.int32)
    got = []
    with Context(NOOPT=0): srcs = sources(lambda: got.extend([tt(x)[tt(s)].numpy(), tt(w)[tt(i)].numpy()]))
    assert [len(k["locals"]) for k in srcs] == [2, 1]
    np.testing.assert_array_equal(got[0], x[s])
    np.testing.assert_array_equal(got[1], w[i])


def test_loop_bound_computed_from_variables():
    """A sum over a symbolic slice loops var * 3 times (tinygrad's test_symbolic_ops test_mean): the bound is arithmetic
    on the kernel's variables, the same for every lane."""
    from tinygrad import Variable
    a = rng.standard_normal((10, 3)).astype(np.float32)
    got = tt(a)[:Variable("i", 1, 10).bind(4)].sum().numpy()
    close(got, a[:4].astype(np.float64).sum(), rtol=1e-6)


def test_scatter_reads_its_index_list_once(monkeypatch):
    """setitem by an index tensor (t[:, ind] = v) stores through a gate each lane computes from the index list, whose
    elements are the same for every lane: the writer reads each once, before its tiles (it read 64 bytes per lane per
    element: tinygrad's test_setitem_advanced_indexing moved 77 MB of DRAM per 0.5 MB of its int32 tensor)."""
    import tensix
    runs, run = [], tensix.Device.run
    monkeypatch.setattr(tensix.Device, "run", lambda self, *a, **k: runs.append(run(self, *a, **k)) or runs[-1])
    n = np.zeros((8, 20, 64), np.int32)
    ind, v = np.array([5, 3, 7, 8], np.int32), np.arange(8 * 4 * 64, dtype=np.int32).reshape(8, 4, 64)
    t = tt(n).contiguous()
    t[:, tt(ind)] = tt(v)
    n[:, ind] = v
    np.testing.assert_array_equal(t.numpy(), n)
    # the reader reads v once per entry of the list (tinygrad picks among the candidates with a where): 4 x 40 KB
    assert max(sum(b for b, _ in r.stats.banks) for r in runs) < 6 * n.nbytes


def test_integer_negation_and_spills_keep_all_32_bits():
    """An int32 or uint32 negation is negative_tile_int32 on the register's words (the float negation rounds beyond
    2^24); tinygrad's int64, which it emulates in pairs of uint32 words, needs more than the register's 8 tiles for a
    remainder, and its spilled tiles keep their words (a float32 spill buffer took 0xFFFFFFFF's value: 2^32)."""
    x = np.array([16777217, -2**31 + 5, 3, 0, -1], np.int32)
    np.testing.assert_array_equal((-tt(x)).numpy(), -x)
    np.testing.assert_array_equal((-Tensor(x.view(np.uint32), device="TT")).numpy(), -x.view(np.uint32))
    a, b = np.array([-1, -7, 7, 5, -2**40], np.int64), np.array([2, 3, -3, 2, 3], np.int64)
    np.testing.assert_array_equal((tt(a) % tt(b)).numpy(), a % b)



def test_spills_keep_each_tiles_format():
    """A kernel with more integer and float tiles alive than the register holds parks each in a buffer of its own
    format: int32 words past 2^24 come back whole (a Float32 spill buffer shared with the floats rounded them)."""
    n = (rng.integers(2**23, 2**29, (40, 50)) * 2 + 1).astype(np.int32)  # odd, past 2^24: float32 cannot hold them
    x = rng.integers(-8, 9, (40, 50)).astype(np.float32)  # small integers: every float sum and product exact

    def f(m, t, xor, where):  # 12 of each kind made early, used again in the opposite order at the end
        ints, floats = [xor(m, k * 0x01010101 + 1) for k in range(12)], [t * (k + 1) + 0.5 for k in range(12)]
        acc_i, acc_f = m, t
        for k in range(12): acc_i, acc_f = xor(acc_i, ints[k]), acc_f + floats[k]
        for k in reversed(range(12)): acc_i = where(floats[k] < acc_f - k, xor(acc_i, ints[k]), acc_i + 1)
        return acc_i
    np.testing.assert_array_equal(f(tt(n), tt(x), lambda a, b: a ^ b, lambda c, a, b: c.where(a, b)).numpy(),
                                  f(n, x, np.bitwise_xor, np.where))


def test_int64_floor_division():
    """tinygrad emulates int64 in pairs of uint32 words; its division is 64 steps of long division whose 64 quotient
    bits all stay alive to the end: they are parked as bool tiles in a UInt8 buffer, a quarter of a Float32 one's L1
    (65 KiB; parked in one Int32 buffer with the integer tiles, 122 pages of 4 KiB, it stopped at "more than 64 loaded
    tiles alive")."""
    a = np.array([7, -7, 2**40 + 5, -(2**40) - 3, 0, 1, -1, 2**62 + 12345, -(2**63), 2**63 - 1], np.int64)
    np.testing.assert_array_equal((Tensor(a, dtype=dtypes.int64, device="TT") // 3).numpy(), a // 3)

# What each tile op needs configured before it on silicon: the unit whose mode it needs, and the init calls that set
# it (their arguments as the op's where they name circular buffers). From tt-metal's tt_metal/include/compute_kernel_api:
# tile_move_copy.h (copy_tile after copy_tile_to_dst_init_short / copy_tile_init), transpose_wh.h, matmul.h (mm_init,
# mm_init_short), reduce.h (reduce_init; reduce_uninit restores the unpacker and the packer's edge mask), tilize.h
# (tilize_init; tilize_uninit "before re-initializing for another operation"), pack_untilize.h (pack_untilize_dst_init_short; pack_untilize_uninit); the packer is in
# its tile mode after compute_kernel_hw_startup (compute_kernel_hw_startup.h) and the uninits. The SFPU: each op's
# *_tile_init is due since any other SFPU op's init (eltwise_unary/*.h, eltwise_binary_sfpu.h, binary_max_min.h,
# binary_comp.h, add_int_sfpu.h, mul_int_sfpu.h, binary_bitwise_sfpu.h, binary_shift.h, div_int32_floor.h, fmod_int32.h,
# copy_dest_values.h, compute_kernel_api.h's sfpu_reduce).
FPU_RULES = {"copy_tile": lambda a, t: {f"copy_tile_to_dst_init_short({a[0]})", f"copy_tile_init({a[0]})"},
             "transpose_wh_tile": lambda a, t: {f"transpose_wh_init_short({a[0]})"},
             "matmul_tiles": lambda a, t: {f"mm_init_short({a[0]}, {a[1]})"},
             "reduce_tile": lambda a, t: {f"reduce_init{t}({a[0]}, {a[1]}, 16)"},
             "tilize_block": lambda a, t: {f"tilize_init({a[0]}, {a[1]}, {a[2]})"}}
FPU_INITS = ("copy_tile_to_dst_init_short", "copy_tile_init", "transpose_wh_init_short", "mm_init_short", "reduce_init",
             "reduce_uninit", "tilize_init", "tilize_uninit")
PACK_INITS = ("reduce_init", "reduce_uninit", "pack_untilize_dst_init_short", "pack_untilize_uninit")
SFPU_INIT = {"binop_with_scalar_tile_init": ["add_unary_tile", "sub_unary_tile", "mul_unary_tile", "div_unary_tile"],
             "binary_bitwise_tile_init": ["bitwise_and_binary_tile", "bitwise_or_binary_tile", "bitwise_xor_binary_tile"],
             "binary_shift_tile_init": ["binary_left_shift_tile", "binary_right_shift_tile", "binary_logical_right_shift_tile"],
             "eqz_tile_init": ["eqz_tile_int32"], "nez_tile_init": ["nez_tile_int32"], "fill_tile_init": ["fill_tile", "fill_tile_int"],
             **{f"{op}_init": [op] for op in ("exp2_tile", "log_tile", "sin_tile", "sqrt_tile", "recip_tile", "negative_tile",
                                              "trunc_tile", "isinf_tile", "where_tile", "add_binary_tile", "sub_binary_tile",
                                              "mul_binary_tile", "div_binary_tile", "binary_max_tile", "lt_binary_tile",
                                              "eq_binary_tile", "ne_binary_tile", "add_int_tile", "sub_int_tile", "mul_int_tile",
                                              "lt_int_tile", "binary_max_int32_tile", "binary_max_uint32_tile",
                                              "div_int32_trunc_tile", "fmod_int32_tile", "copy_dest_values", "sfpu_reduce")}}
SFPU_OP = {op: init for init, ops in SFPU_INIT.items() for op in ops}
# The data formats: the unpacker's srcA and srcB and the packer stay configured for the buffers compute_kernel_hw_startup
# or the last reconfig_data_format_srca / _srcb / pack_reconfig_data_format named (compute_kernel_hw_startup.h: "If the
# operands for the next operation require a different data format than what was configured here, you must call one of
# the reconfig_data_format functions"; tile_move_copy.h's init "does not reconfigure the unpacker data types"). A
# matmul unpacks in0 to srcB and in1 to srcA (matmul.h's llk_unpack_AB_matmul); tilize_block packs into its output.
# (Any other buffer counts as another format here.) Operand positions: (srcA, srcB, packer).
FORMAT_ARGS = {"copy_tile": (0, None, None), "transpose_wh_tile": (0, None, None), "tilize_block": (0, None, 2),
               "reduce_tile": (0, 1, None), "matmul_tiles": (1, 0, None), "pack_tile": (None, None, 1), "pack_untilize_dst": (None, None, 0)}


def check_inits(src):
    """Every tile op of a compute kernel, on every path through it (each loop run 0, 1 or 2 times, each branch taken
    or not), runs after the init its unit needs and no other init of that unit since, with its buffers' formats
    configured."""
    import re
    body = src[re.search(r"void MAIN\s*\{", src).end():]
    calls = re.findall(r"([A-Za-z_]\w*)\s*(<[^()]*>)?\s*\(", body)
    assert calls[0][0] == "compute_kernel_hw_startup", "the kernel must start with compute_kernel_hw_startup"
    def parse(i):  # [(text) or (header, [body], [else body] or None)], the index after the closing brace
        out = []
        while True:
            while i < len(body) and body[i].isspace(): i += 1
            if i >= len(body) or body[i] == "}": return out, i + 1
            j, depth = i, 0
            while not (depth == 0 and body[j] in ";{"): depth += (body[j] == "(") - (body[j] == ")"); j += 1
            if body[j] == ";": out.append(body[i:j]); i = j + 1; continue
            inner, k = parse(j + 1)
            m = re.match(r"\s*else\s*\{", body[k:])
            other = None
            if m: other, k = parse(k + m.end())
            out.append((body[i:j], inner, other)); i = k
    def run(stmts, states):
        for s in stmts:
            if isinstance(s, tuple):
                header, inner, other = s
                if header.strip().startswith("for"):
                    once = run(inner, states)
                    states = states | once | run(inner, once)
                elif header.strip().startswith("if"): states = run(inner, states) | (run(other, states) if other is not None else states)
                else: states = run(inner, states)
                continue
            if (g := re.match(r"\s*if\s*\((?:[^()]|\([^()]*\))*\)", s)):
                states = states | run([s[g.end():]], states); continue
            m = re.match(r"\s*([A-Za-z_]\w*)\s*(<[^()]*>)?\s*\((.*)\)\s*$", s, re.S)
            if not m: continue
            name, targs, args = m.group(1), m.group(2) or "", [x.strip() for x in m.group(3).split(",")]
            call = f"{name}{targs}({m.group(3)})"
            for fpu, pack, sfpu, *fmt in states:
                for unit, i in enumerate(FORMAT_ARGS.get(name, (None,) * 3)):
                    if i is not None: assert fmt[unit] == args[i], f"{call} with the {('srcA', 'srcB', 'packer')[unit]} format of buffer {fmt[unit]}"
                if name in FPU_RULES: assert fpu in FPU_RULES[name](args, targs), f"{call} after {fpu}"
                if name == "pack_tile": assert pack is None and not fpu.startswith("reduce_init"), f"{call} after {pack or fpu}"
                if name == "pack_untilize_dst": assert pack == f"pack_untilize_dst_init_short{targs}({args[0]})", f"{call} after {pack}"
                if name in SFPU_OP: assert sfpu == SFPU_OP[name], f"{call} after {sfpu}"
                if name.endswith("_tile") and name not in FPU_RULES and name != "pack_tile": assert name in SFPU_OP, f"no rule for {name}"
                if name in FPU_INITS and not name.endswith("_uninit"):  # tilize.h, reduce.h: uninit before another init
                    assert not fpu.startswith(("tilize_init", "reduce_init")), f"{call} after {fpu} without its uninit"
            new = set()
            for fpu, pack, sfpu, *fmt in states:
                if name == "compute_kernel_hw_startup": fmt = [args[0], args[1], args[2]] if len(args) == 3 else [args[0], args[0], args[1]]
                for unit, f in enumerate(("reconfig_data_format_srca", "reconfig_data_format_srcb", "pack_reconfig_data_format")):
                    if name == f: fmt[unit] = args[-1]
                if name in FPU_INITS: fpu = call
                if name in PACK_INITS: pack = call if name.endswith("_init_short") or name == "reduce_init" else None
                if name.endswith("_init") and name not in FPU_INITS and name not in PACK_INITS or name.startswith("sfpu_reduce_init"):
                    sfpu = name if name != "sfpu_reduce_init" else "sfpu_reduce_init"
                new.add((fpu, pack, sfpu, *fmt))
            states = new
        return states
    run(parse(0)[0], {("", None, "", None, None, None)})


def test_compute_kernels_call_each_init_their_tile_ops_need():
    """The renderer's compute kernels run unchanged on the chip only with tt-metal's inits (the simulator's are no-ops):
    each tile op after the init of its mode since the last change. Also that an init is not before every call: the
    element-wise kernel's copy and a max's binary_max_tile inits are out of their loops."""
    a, b = rng.standard_normal((40, 70)).astype(np.float32), rng.standard_normal((70, 50)).astype(np.float32)
    i = rng.integers(-100, 100, (40, 70)).astype(np.int32)
    kernels = sources(lambda: [(tt(a) * 2).exp().numpy(), tt(a).sum(1).numpy(), tt(a).max(1).numpy(), (tt(a) @ tt(b)).numpy(),
                               tt(a).sum(0).numpy(), tt(a).cast(dtypes.int32).numpy(), tt(a).cast(dtypes.bool).numpy(),
                               tt(a).half().numpy(), ((tt(i) // 7) ^ tt(i)).numpy(), tt(a).log().sqrt().reciprocal().sin().numpy()])
    assert {k["math"] for k in kernels} == {"sfpu", "sum", "max", "matmul"}
    for k in kernels:
        try: check_inits(k["compute"])
        except AssertionError as e: raise AssertionError(f"kernel {k['name']}: {e}\n{k['compute']}") from None
    exp = next(k["compute"] for k in kernels if "exp2_tile" in k["compute"])
    assert exp.index("copy_tile_to_dst_init_short") < exp.index("for (") and exp.count("copy_tile_to_dst_init_short") == 1
    mx = next(k["compute"] for k in kernels if k["math"] == "max")
    assert mx.index("binary_max_tile_init") < mx.index("for (int32_t kb")
    # and the checker catches a missing one
    with pytest.raises(AssertionError, match="exp2_tile"): check_inits(exp.replace("exp2_tile_init();", ""))
    with pytest.raises(AssertionError, match="srcA format"): check_inits(exp.replace("copy_tile(0, 0, 0)", "copy_tile(1, 0, 0)").replace(
        "copy_tile_to_dst_init_short(0)", "copy_tile_to_dst_init_short(1)"))
    with pytest.raises(AssertionError, match="reduce_init"): check_inits(next(k["compute"] for k in kernels if k["math"] == "sum").replace("reduce_uninit();", ""))


def test_jit_runs_again_after_freeing_its_intermediates():
    """A JIT's free_intermediates frees the arena its intermediates are views of; the views keep their old buffer, and
    the next call reallocates the arena: the allocator hands the freed buffer back, as tinygrad's GPU backends do
    (tinygrad's test_jit TestJitFree.test_free_intermediates)."""
    from tinygrad import TinyJit
    ext = tt(np.array([1, 24, 23, 45, 1], np.int32))
    @TinyJit
    def f(x):
        t1 = (x * 2).contiguous().realize()
        return ((t1 + ext).contiguous().realize().sum()).contiguous().realize()
    for i in range(3): assert f(tt(np.array([i, 1, 2, 3, 4], np.int32))).item() == 114 + 2 * i
    f.captured.free_intermediates()
    assert f(tt(np.array([11, 1, 2, 3, 4], np.int32))).item() == 136
