"""Several nested reduce loops as one, so that a convolution runs as matmul_tiles (im2col).

tinygrad renders a convolution's reduce as one loop per reduced axis (input channels, kernel rows, kernel columns:
`r_16_32_29_31_16_5_5`), each loop's index arithmetic between its RANGE and the next, one END after another.
Nothing happens between those loops but index arithmetic, so they are one loop of k = C x KH x KW steps whose
indices are k's digits: c = k / (KH KW), kh = k / KW % KH, kw = k % KW. Made one loop, the kernel is
`acc += a[.., k] * b[k, ..]` again, a matmul of the weights (rows along k, in memory in runs) by the input's windows,
im2col: for each 32-row block of k and each output tile the reader computes the window elements' addresses from the
loads' own index expressions (the digits of k and the output's indices), reads them into L1 (gated lanes, the
padding, as the load's other value, 0) and the compute kernel tilizes them and calls matmul_tiles, as for any matmul
(reduce_loop.py). Nothing here knows what a convolution is: any perfectly nested reduce loops whose product is a
multiply-accumulate of two loads take it."""
import math
from tinygrad.uop.ops import AxisType, Ops, UOp
from .data_movement import const_of

PURE = {Ops.CONST, Ops.CAST, Ops.ADD, Ops.MUL, Ops.SUB, Ops.NEG, Ops.CDIV, Ops.CMOD, Ops.SHL, Ops.SHR, Ops.AND, Ops.OR, Ops.XOR,
        Ops.MAX, Ops.CMPLT, Ops.CMPNE, Ops.CMPEQ, Ops.WHERE, Ops.INDEX, Ops.LOAD}  # what may sit between two of the loops


def flatten(uops):
    """The kernel's UOps with its nested reduce loops made one loop over all of k, and how many loops that was (1:
    the UOps unchanged: fewer than two loops, or loops that are not perfectly nested, with constant bounds)."""
    ranges = [u for u in uops if u.op is Ops.RANGE]
    if len(ranges) < 2 or any(r.arg[-1] is not AxisType.REDUCE or const_of(r.src[0]) is None for r in ranges): return uops, 1
    at = {u: i for i, u in enumerate(uops)}
    ends = [next((i for i, u in enumerate(uops) if u.op is Ops.END and u.src[-1] is r), None) for r in ranges]
    # one inside the other, the ENDs innermost first and back to back, and only index arithmetic (and loads, which
    # read the same whichever loop they sit in) between the RANGEs
    if None in ends or any(ends[i] != ends[-1] + len(ranges) - 1 - i for i in range(len(ranges))) or \
            any(ranges[i] not in ranges[i + 1].src for i in range(len(ranges) - 1)) or \
            any(uops[j].op not in PURE for i in range(len(ranges) - 1) for j in range(at[ranges[i]] + 1, at[ranges[i + 1]])):
        return uops, 1
    sizes = [int(const_of(r.src[0])) for r in ranges]
    r0, inner = ranges[0], set(ranges[1:])
    k = UOp(Ops.RANGE, r0.dtype, (UOp.const(math.prod(sizes), r0.dtype),), r0.arg)
    c = lambda v: UOp.const(v, r0.dtype)
    new = {}
    for i, r in enumerate(ranges):  # loop i's index: digit i of k
        x = UOp(Ops.CDIV, r.dtype, (k, c(math.prod(sizes[i + 1:])))) if i < len(ranges) - 1 else k
        new[r] = UOp(Ops.CMOD, r.dtype, (x, c(sizes[i]))) if i else x
    out, seen = [], set(uops)
    def place(x):  # x after its sources, each once
        if x in seen: return
        seen.add(x)
        for s in x.src: place(s)
        out.append(x)
    for u in uops:
        if u is r0:
            for r in ranges: place(new[r])
            continue
        if u in inner: continue
        if u.op is Ops.END and u.src[-1] in inner:  # an inner loop's END: what ends there is the outer END's value
            new[u] = new.get(u.src[0], u.src[0]); continue
        if u.op in (Ops.END, Ops.AFTER): src = tuple(k if s is r0 else new.get(s, s) for s in u.src if s not in inner)
        else: src = tuple(new.get(s, s) for s in u.src)
        if src != u.src: new[u] = u.replace(src=src)
        out.append(new.get(u, u))
    return out, len(ranges)
