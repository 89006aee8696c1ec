"""numpy references that compute the way the chip does: operands in bfloat16, multiplies at a math fidelity, the
destination register rounding each partial sum (bfloat16 on Grayskull). Tests and examples check results against
these, and against float64 for how far the chip's numbers stray."""
import numpy as np
from .formats import round_bfloat16

FIDELITY_PASSES = {"LoFi": 1, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}


def _bits(x): return np.ascontiguousarray(x, np.float32).view(np.uint32)


def hi_srca(x):
    """srcA's top 5 significand bits: the part of it one multiplier pass sees."""
    return (_bits(x) & np.uint32(~(0x7 << 16) & 0xFFFFFFFF)).view(np.float32)


def hi_srcb(x):
    """srcB's top 7 significand bits."""
    return (_bits(x) & np.uint32(~(0x1 << 16) & 0xFFFFFFFF)).view(np.float32)


def multiply(a, b, fidelity="HiFi4"):
    """Element-wise a (srcA) x b (srcB), both bfloat16, at a math fidelity, in float32."""
    a, b = round_bfloat16(a), round_bfloat16(b)
    p = FIDELITY_PASSES[fidelity]
    if p == 1: return hi_srca(a) * hi_srcb(b)
    if p == 2: return a * hi_srcb(b)
    if p == 3: return a * hi_srcb(b) + hi_srca(a) * (b - hi_srcb(b))
    return a * b


def matmul(a, b, fidelity="HiFi4", fp32_dest=False):
    """a @ b as a kernel that accumulates tile by tile along k in the destination register computes it.
    in0 (a) is the chip's srcB operand, in1 (b) its srcA."""
    a, b = round_bfloat16(a), round_bfloat16(b)
    p = FIDELITY_PASSES[fidelity]
    left = a if p >= 4 else hi_srcb(a)
    right = hi_srca(b) if p == 1 else b
    acc = np.zeros((a.shape[0], b.shape[1]), np.float32)
    for k in range(0, a.shape[1], 32):
        part = left[:, k:k + 32] @ right[k:k + 32]
        if p == 3: part = part + (a[:, k:k + 32] - hi_srcb(a[:, k:k + 32])) @ hi_srca(b[k:k + 32])
        acc = acc + part
        if not fp32_dest: acc = round_bfloat16(acc)
    return acc


def matmul_matches(got, a, b, fidelity="HiFi4", fp32_dest=False):
    """Whether got (packed to bfloat16) is matmul(a, b) with each tile's 32 products summed in k order in float32.
    numpy's BLAS sums them in an order of its own (it differs by CPU), which rounds the other way in a few elements
    of a large matmul: those few are summed again here in k order."""
    want = round_bfloat16(matmul(a, b, fidelity, fp32_dest))
    i, j = np.nonzero(got != want)
    p = FIDELITY_PASSES[fidelity]
    if p == 3 or len(i) > max(64, 1e-3 * got.size): return len(i) == 0
    a, b = round_bfloat16(a), round_bfloat16(b)
    left, right = (a if p >= 4 else hi_srcb(a))[i], (hi_srca(b) if p == 1 else b)[:, j]
    acc = np.zeros(len(i), np.float32)
    for k0 in range(0, a.shape[1], 32):
        part = np.zeros(len(i), np.float32)
        for k in range(k0, k0 + 32): part += left[:, k] * right[k]
        acc = acc + part if fp32_dest else round_bfloat16(acc + part)
    return np.array_equal(got[i, j], round_bfloat16(acc))


def reduce(x, pool="sum", dim="row", scaler=1.0, fp32_dest=False):
    """A reduction as reduce_tile does it, tile by tile along the reduced dimension: each tile's values times the
    scaler are summed (or maxed) in float32, then added to the destination, which rounds. Returns one value per row
    (dim="row"), per column ("col") or one value ("scalar")."""
    x = round_bfloat16(x)
    s = round_bfloat16(np.float32(scaler))  # for dim="scalar" the chip applies it twice: pass the square root
    r = (lambda v: v) if fp32_dest else round_bfloat16
    prod = multiply(x, np.full_like(x, s)) if scaler != 1.0 else x
    if dim == "col": return reduce(prod.T, pool, "row", 1.0, fp32_dest)
    tiles = [prod[:, k:k + 32] for k in range(0, x.shape[1], 32)]
    if dim == "scalar":  # per tile: each row reduced, then the rows, the scaler applied at both steps
        rows = [prod[i:i + 32] for i in range(0, x.shape[0], 32)]
        tiles = [t[:, k:k + 32] for t in rows for k in range(0, x.shape[1], 32)]
        acc = np.float32(-np.inf if pool == "max" else 0)
        for t in tiles:
            per_row = round_bfloat16(t.max(axis=1) if pool == "max" else t.sum(axis=1, dtype=np.float32))
            if scaler != 1.0: per_row = multiply(per_row, np.full_like(per_row, s))
            acc = r(np.maximum(acc, per_row.max()) if pool == "max" else acc + per_row.sum(dtype=np.float32))
        return acc
    acc = np.full(x.shape[0], -np.inf if pool == "max" else 0, np.float32)
    for t in tiles: acc = r(np.maximum(acc, t.max(axis=1)) if pool == "max" else acc + t.sum(axis=1, dtype=np.float32))
    return acc


def gelu(x):
    """GELU as tt-metal's exact mode defines it: x/2 (1 + erf(x / sqrt 2)), in float64."""
    import math
    x = np.asarray(x, np.float64)
    return 0.5 * x * (1 + np.vectorize(math.erf, otypes=[np.float64])(x / math.sqrt(2)))


def linear(a, b, bias, activation=None, fidelity="HiFi4", l1_acc_block=None):
    """The fused matmul: a @ b accumulated as matmul() does (partial sums leave and re-enter the register as bfloat16,
    which changes nothing), plus the bias row broadcast down (add_tiles_bcast_rows: bfloat16 operands, the sum rounded
    by the register), then the activation on that and rounded again. With `l1_acc_block` (tiles of k per block, a
    PACKER_L1_ACC build) each block's sum starts from zero in the register and the packer adds it to the bfloat16
    partial sums in L1."""
    if l1_acc_block:
        step = 32 * l1_acc_block
        acc = np.zeros((a.shape[0], b.shape[1]), np.float32)
        for k in range(0, a.shape[1], step): acc = round_bfloat16(acc + matmul(a[:, k:k + step], b[k:k + step], fidelity))
    else:
        acc = matmul(a, b, fidelity)
    x = round_bfloat16(acc + round_bfloat16(np.asarray(bias, np.float32))[None, :])
    if activation == "gelu": x = round_bfloat16(gelu(x).astype(np.float32))
    return x


def layernorm(x, gamma, beta, eps=1e-5):
    """Layer normalization over the last dimension as a layernorm kernel computes it, each step through a bfloat16
    circular buffer: the mean and variance as row reductions with the scaler 1/W (reduce()), x - mean and the
    squares rounded, 1/sqrt(var + eps) rounded after each of the add, the sqrt and the recip, then * gamma + beta."""
    x = round_bfloat16(x)
    s = 1.0 / x.shape[-1]
    mean = reduce(x, "sum", "row", s)
    xmm = round_bfloat16(x - mean[:, None])
    var = reduce(round_bfloat16(multiply(xmm, xmm)), "sum", "row", s)
    rstd = round_bfloat16(1 / round_bfloat16(np.sqrt(round_bfloat16(var + round_bfloat16(np.float32(eps))))))
    norm = round_bfloat16(multiply(xmm, rstd[:, None]))
    return round_bfloat16(round_bfloat16(multiply(norm, np.asarray(gamma, np.float32)[None, :])) + round_bfloat16(beta)[None, :])


def truncate_bfloat16(x):
    """x stored into a bfloat16 destination register by the SFPU: the low 16 bits dropped (SFPSTORE truncates)."""
    return (_bits(x) & np.uint32(0xFFFF0000)).view(np.float32)


def round_tf32(x):
    """x on its way into srcA or srcB beside a float32 destination register (Wormhole, Blackhole): TF32, 10 bits of
    significand, to nearest even."""
    u = _bits(x).astype(np.uint64)
    r = ((u + 0xFFF + ((u >> 13) & 1)) & 0xFFFFE000).astype(np.uint32)
    return np.where(np.isnan(x), np.float32(np.nan), r.view(np.float32))
