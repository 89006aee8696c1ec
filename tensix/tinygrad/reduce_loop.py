"""A tinygrad reduce loop the math engine does on whole tiles: `acc += a[m, k] * b[k, n]` as matmul_tiles over k-blocks
of 32, and `acc += a[m, k]` as reduce_tile over rows.

Why not a tinygrad TensorCore: a TensorCore entry describes the warp as threads x elements per thread, and tinygrad
builds it from local dimensions and upcasts. Here a tinygrad thread is a lane of a tile; a 32x32x32 entry would need
1024 local threads (10 local axes, which every other kernel would then be offered too) and per-thread vectors of 32
A and B elements that tinygrad devectorizes into 64 scalar loads per lane. Recognizing the reduce loop that tinygrad
emits without opts is smaller and sees the same thing: which loads are A and B, their strides, and the output.

Here a kernel's tiles are 32x32 blocks of its output (lane (i, j) of output tile (tm, tn) is element
(tm*32+i, tn*32+j), lanes in the tile's face order, as tiles sit in L1), so every load and store outside the loop keeps
its per-lane meaning. Inside the loop the reader builds, per k-block, the A tile (lane (i, j) = a[m, kb*32+j]) and the
B tile (lane (i, j) = b[kb*32+i, n]), zeros where the block passes the edge. A sum has only A; its result is column 0.

Precision: the FPU takes matmul and reduce operands as bfloat16. float32 operands are split into three bfloat16 parts,
24 bits in all: the packer rounds the register tile to bfloat16 (the high part), which is unpacked back and subtracted
on the SFPU, leaving the rest exactly in the float32 register; that again for the middle part, and the rest is the low
part. A matmul sums the six products of parts whose weights reach 2^-16 (hi*hi, hi*mid, mid*hi, hi*lo, mid*mid, lo*hi) into
the float32 register, which keeps each product to float32's precision (three passes, hi*hi + hi*mid + mid*hi, left
2^-16 of |a||b|: tinygrad's 256^3 gemm test failed at that); a sum reduces the three parts. TT_BF16_MATMUL=1 does one pass on the operands as the FPU rounds them.
Infinities: where the high part is inf the rest is 0, not inf - inf; a matmul's products of the high part with the other
operand's smaller parts take a copy of it with its infinities as 0 (inf times those parts, 0 or of either sign, would
be NaN), so only hi*hi meets them, as numpy's float32 does.
Fewer passes on wider operands would not do: with fp32_dest_acc_en tt-metal unpacks float32 tiles to srcA/srcB as TF32
(jit_build genfiles: unpack_conditional_dst_format), and at HiFi4 the multiplier takes 11 bits of srcB and 10 of srcA (the
ISA's fidelity phases), but the unpacker truncates float32 to TF32: two parts (bfloat16 high, TF32 rest) and four
products leave up to 2^-17 of |a||b|, which fails tinygrad's 64^3 gemm test (atol 1e-6) where rounding would pass."""
import math, random, struct
from tinygrad.dtype import AddrSpace, dtypes
from tinygrad.helpers import getenv
from tinygrad.uop.ops import AxisType, Ops, UOp, exec_alu
from . import fp32_register

RM_CB = (14, 15)     # the A rows of C k-blocks and the B rows of one, as the reader reads them (float32 rows)
MM_CB = (26, 27)     # those tilized: the A and B tiles of a k-block
ROWS_CB = 13         # a sum's loaded rows, tilized
SPLIT_CB = (28, 29)  # their high and low parts, packed by the compute kernel for the FPU
SCALER_CB = 30       # reduce_tile's scaler (a tile of ones), then the mask of the last k-block's lanes: the reader writes them once
PART_CB = 25         # a matmul block's partial sums between k-steps (float32 tiles)
READ_STAGE_CB = 31   # where the writer stages its reads of B (the reader's staging area is its own)
SPLIT_OUT_CB, SPLIT_IN_CB = MM_CB  # a split loop's partial tile out of a core, and the partials its tile's first core receives
OUT_ROWS_CB = 16     # the renderer's float32 output buffer: a blocked matmul's rows of output go out through it
BLOCK = getenv("TT_MATMUL_BLOCK", 4)      # a core's block of output tiles is at most BLOCK x BLOCK
BLOCK_K = getenv("TT_MATMUL_BLOCK_K", 0)  # tiles of k a k-step reads of each operand; 0: as many as L1 holds
OTHER_CBS = 128 << 10  # L1 left for the kernel's other circular buffers (loads, outputs, staging) beside a block's
SPLIT_K = getenv("TT_SPLIT_K", 72)        # at most this many cores share a sum's or max's output tile (1: no split)
MCAST = getenv("TT_MATMUL_MCAST", 1)      # 0: every core reads its own strips from DRAM
SENDERS = getenv("TT_MATMUL_SENDERS", 1)  # 0: every core of a block splits the float32 strips it multiplies
# k-steps at least, with senders: a sender splits the next k-step while the cores multiply this one, but the first one's
# split is a wait before any product, and each k-step costs each output tile a register acquire and its partial sums
SENDER_STEPS = getenv("TT_MATMUL_SENDER_STEPS", 2)
SPLIT = not getenv("TT_BF16_MATMUL", 0) and fp32_register()  # parts of float32 need a float32 register
PARTS = 4  # a matmul operand's pages in SPLIT_CB: the high part, the high part with its infinities as 0, the middle, the low
PASSES = ((3, 1), (2, 2), (1, 3), (2, 1), (1, 2), (0, 0))  # the parts' products down to 2^-16 of the whole, smallest first
SCALAR_OPS = {Ops.ADD: "add_unary_tile", Ops.SUB: "sub_unary_tile", Ops.MUL: "mul_unary_tile", Ops.FDIV: "div_unary_tile"}
IM2COL = "im2col"  # an operand's "stride" along a variable its index uses other than affinely
FACES = "int32_t ti = (int32_t)(lane / 512u * 16u + lane % 256u / 16u), tj = (int32_t)(lane / 256u % 2u * 16u + lane % 16u);"


# An operand strip shared by a row or column of cores (examples/matmul_multicast.py's protocol): the sender waits until
# every receiver has room (semaphore `sem` counts them), writes the strip into all their L1s at once, then sets their
# semaphore `sem + 1` with one more multicast; a receiver clears that one, tells the sender it has room, and waits.
SHARE = r"""
struct Share { uint32_t sender, x0, y0, x1, y1, n, sx, sy, sem; };
static Share share_args(uint32_t first, uint32_t sem) {
    Share s;
    uint32_t* f = &s.sender;
    for (uint32_t i = 0; i < 8; i++) f[i] = get_arg_val<uint32_t>(first + i);
    s.sem = sem;
    return s;
}
static void share(const Share& s, uint32_t l1, uint32_t bytes) {
    volatile tt_l1_ptr uint32_t* ready = (volatile tt_l1_ptr uint32_t*)get_semaphore(s.sem);
    volatile tt_l1_ptr uint32_t* valid = (volatile tt_l1_ptr uint32_t*)get_semaphore(s.sem + 1);
    if (s.sender) {
        if (!s.n) return;
        noc_semaphore_wait(ready, s.n);
        noc_semaphore_set(ready, 0);
        noc_async_write_multicast(l1, get_noc_multicast_addr(s.x0, s.y0, s.x1, s.y1, l1), bytes, s.n);
        noc_semaphore_set(valid, 1);
        noc_semaphore_set_multicast(get_semaphore(s.sem + 1), get_noc_multicast_addr(s.x0, s.y0, s.x1, s.y1, get_semaphore(s.sem + 1)), s.n);
    } else {
        noc_semaphore_set(valid, 0);
        noc_semaphore_inc(get_noc_addr(s.sx, s.sy, get_semaphore(s.sem)), 1);
        noc_semaphore_wait(valid, 1);
    }
}
"""


def _root(u):
    while u.op is Ops.AFTER: u = u.src[0]
    return u


def _const(u):
    while u.op is Ops.CAST: u = u.src[0]
    return u.arg if u.op is Ops.CONST else None


def evaluate(idx, env):
    """An index's value with the variables in env at the given values (ValueError: it uses what is not arithmetic)."""
    memo = {}
    def go(u):
        if u in env: return env[u]
        if (v := _const(u)) is not None: return v
        if u not in memo:
            if u.op not in (Ops.ADD, Ops.MUL, Ops.SHL, Ops.SHR, Ops.CDIV, Ops.CMOD, Ops.CAST, Ops.SUB, Ops.NEG, Ops.AND, Ops.MAX):
                raise ValueError(u.op)
            memo[u] = exec_alu(u.op, u.dtype, [go(s) for s in u.src])
        return memo[u]
    return go(idx)


def affine(idx, variables):
    """{variable: integer coefficient} and the constant, if the index is affine in the variables (checked at random
    points inside their ranges), else None."""
    ev = lambda env: evaluate(idx, env)
    try:
        zero = {v: 0 for v in variables}
        base = ev(zero)
        coef = {v: ev({**zero, v: 1}) - base for v in variables if variables[v] > 1}
        rng = random.Random(0)
        for _ in range(12):
            env = {v: rng.randrange(n) for v, n in variables.items()}
            if ev(env) != base + sum(c * env[v] for v, c in coef.items()): return None
        env = {v: n - 1 for v, n in variables.items()}
        if ev(env) != base + sum(c * env[v] for v, c in coef.items()): return None
        return coef, base
    except Exception:
        return None


class ReduceLoop:
    """Found in a kernel's UOps, or None (then the kernel takes the per-lane path)."""

    @staticmethod
    def find(uops):
        ranges = [u for u in uops if u.op is Ops.RANGE]
        if len(ranges) != 1 or ranges[0].arg[-1] is not AxisType.REDUCE or _const(ranges[0].src[0]) is None: return None
        if any(u.op in (Ops.IF, Ops.STACK, Ops.WMMA, Ops.BITCAST) for u in uops): return None
        r = ranges[0]
        start = uops.index(r)
        end = next(i for i, u in enumerate(uops) if u.op is Ops.END and r in u.src)
        body = uops[start + 1:end]
        stores = [u for u in body if u.op is Ops.STORE]
        if len(stores) != 1: return None
        acc_store = stores[0]
        acc = _root(acc_store.src[0].src[0])
        if acc.op is not Ops.BUFFER or acc.arg.addrspace != AddrSpace.REG or acc.dtype != dtypes.float32: return None
        add = acc_store.src[1]
        if add.op not in (Ops.ADD, Ops.MAX): return None
        acc_load = next((s for s in add.src if s.op is Ops.LOAD and _root(s.src[0].src[0]) is acc), None)
        if acc_load is None: return None
        x = add.src[1] if add.src[0] is acc_load else add.src[0]
        loads = [u for u in body if u.op is Ops.LOAD and u is not acc_load]
        if any(_root(l.src[0].src[0]).op is not Ops.PARAM for l in loads): return None
        specials = sorted((u for u in uops if u.op is Ops.SPECIAL), key=lambda s: s.arg)
        sizes = {s: _const(s.src[0]) for s in specials}
        if None in sizes.values(): return None
        K = int(_const(r.src[0]))
        loop = ReduceLoop(r, uops[end], acc, acc_store, add, x, sizes, K, _broadcast(uops, sizes))
        # lanes past the last k: a loaded tile holds the reader's padding there (0 for a sum, -infinity for a max); an
        # expression of loads is masked to it on the last k-block (mask())
        mask = bool(K % 32) and x.op is not Ops.LOAD
        if add.op is Ops.MAX:
            loop.kind, loop.mask = "max", mask
            return loop
        chains = [_chain(s) for s in x.src] if x.op is Ops.MUL else [None]
        if None not in chains and len(loads) == 2 and {c[0] for c in chains} == set(loads) and \
                all(_operand(l) and l.dtype == dtypes.float32 for l in loads) and (SPLIT or not any(c[1] for c in chains)) and \
                sum(bool(c[1]) for c in chains) < 2 and not any(c[1] and len(c[0].src) > 1 for c in chains):
            # an operand's index: affine in the output's indices and k (its strides), or any other function of them
            # (a convolution's window, im2col), each lane's address computed by the reader. One of them may be a load
            # with ops by constants (its lanes past k's end become f(0), so the other's must stay 0 there)
            maps = [_uses(c[0], {**sizes, r: K}) for c in chains]
            if maps[1].get(r) == 1 and maps[0].get(r) != 1: chains, maps = chains[::-1], maps[::-1]  # A the one whose rows run along k
            loop.ops = [c[1] for c in chains]
            if all(m.get(r) for m in maps) and loop.as_matmul([c[0] for c in chains], *maps):
                loop.digits = _digits(uops, sizes, (loop.m, loop.n))
                return loop
        loop.mask = mask
        return loop

    def __init__(self, r, end, acc, acc_store, add, x, sizes, K, bcast=()):
        self.r, self.end, self.acc, self.acc_store, self.add, self.x, self.sizes, self.K = r, end, acc, acc_store, add, x, sizes, K
        self.kind, self.loads, self.n, self.RC, self.mask, self.S, self.digits, self.ops = "sum", [], None, 1, False, 1, {}, [[], []]
        # output dimensions only the stores' addresses use: each sum is done once, and the writer stores it along them
        self.bcast = list(bcast)
        own = [s for s in sizes if s not in self.bcast]
        self.m = max(own, key=lambda s: sizes[s]) if own else None  # the output's rows; the rest go along the tiles
        self._shape()

    def as_matmul(self, loads, ca, cb):
        """Takes the loop as a matmul if one load's lanes walk m and k and the other's k and n; else False."""
        ms = [s for s in self.sizes if ca.get(s) and not cb.get(s)]
        ns = [s for s in self.sizes if cb.get(s) and not ca.get(s)]
        if (len(ms) > 1 or len(ns) > 1) and all(isinstance(v, int) for v in (*ca.values(), *cb.values())): return False
        # (an output of size 1 along m or n has no index.) Operands whose index is not affine (im2col) may use more than
        # one output dimension each (a convolution's input: its batch and the output's pixels): the largest is m or n,
        # the others a batch of output tiles
        self.kind, self.loads, self.bcast = "matmul", loads, []
        self.m = max(ms, key=lambda s: self.sizes[s]) if ms else None
        self.n = max(ns, key=lambda s: self.sizes[s]) if ns else None
        # A's elements along a tile row must be k, B's along a column k: both as they come
        self.runs = [ca[self.r] == 1, cb.get(self.n) == 1]
        self._shape()
        return True

    def _shape(self):
        self.batch = [s for s in self.sizes if s is not self.m and s is not self.n and s not in self.bcast]
        self.M = self.sizes[self.m] if self.m is not None else 1
        self.N = self.sizes[self.n] if self.n is not None else 1
        self.TM, self.TN = -(-self.M // 32), -(-self.N // 32)
        self.tiles = self.TM * self.TN * math.prod(self.sizes[s] for s in self.batch)
        self.KB = -(-self.K // 32)
        self.C = next(c for c in (8, 4, 2, 1) if self.KB % c == 0)  # k-blocks of A a reader's rows span
        # a core's output tiles go down a column (m fastest), so consecutive tiles share B: its split tiles for the whole
        # k stay in L1 (PARTS x 2 KiB per k-block) while the column lasts, read and split once per column
        self.cache_b = self.kind == "matmul" and SPLIT and self.KB <= 32
        self.new_column = f"(t == t0 || t % {self.TM}u == 0)"
        self.blocked = self.untilize = self.senders = False  # the renderer decides (Kernel.__init__) and calls plan()

    def plan(self, chip):
        """Blocks of BM x BN output tiles, so that each operand tile read serves a row or column of the block (tt-metal's
        bmm_large_block): as small as lets the blocks cover the grid's cores, at most BLOCK a side (2 BLOCK with senders).
        The k loop goes in k-steps of BW tiles; a block's partial sums wait in L1 between them."""
        self.blocked, self.cache_b = True, False
        # when the blocks of one matrix fit the grid, core (x, y) takes block (y, x) of each matrix of the batch: the cores
        # of a row share A's strips, those of a column B's, each read from DRAM once by the row's or column's first core.
        # With float32's split, a column and a row of cores to spare: core (NBN, y) reads and splits the strips of A for
        # row y of blocks, core (x, NBM) those of B for column x, and multicasts their bfloat16 parts (each along its own
        # row or column of links), so no core repeats a split and the block's cores only multiply
        for self.senders in ((True, False) if SPLIT and SENDERS and MCAST else (False,)):
            gx, gy = chip.grid[0] - self.senders, chip.grid[1] - self.senders
            cap = 2 * BLOCK if self.senders else BLOCK  # (fewer cores: larger blocks)
            self.BM, self.BN = min(cap, -(-self.TM // max(gy, 1))), min(cap, -(-self.TN // max(gx, 1)))
            self.NBM, self.NBN = -(-self.TM // self.BM), -(-self.TN // self.BN)
            self.mcast = (self.NBN, self.NBM) if self.NBM <= gy and self.NBN <= gx and MCAST else None
            if self.mcast or not self.senders: break
        # as few k-steps as L1 holds (fewer partial sums to and from L1, fewer register acquires), of equal length; with
        # senders at least SENDER_STEPS, so that the senders split the next one while the cores multiply this one
        room, first = chip.l1_size - chip.l1_unreserved_base - OTHER_CBS, min(SENDER_STEPS, self.KB) if self.senders else 1
        self.BW = min(BLOCK_K, self.KB) if BLOCK_K else \
            next(w for w in (-(-self.KB // g) for g in range(first, self.KB + 1)) if w == 1 or self._l1_bytes(w) <= room)
        self.G = -(-self.KB // self.BW)
        self.blocks = math.prod(self.sizes[s] for s in self.batch) * self.NBM * self.NBN
        # block blk: tiles (bm0 + i_, bn0 + j_) of batch bb_; a core does blocks t0, t0 + t1, ... (runtime args 0, 1)
        self.block_head = (f"for (uint32_t blk = t0; blk < {self.blocks}u; blk += t1) {{ uint32_t bm0 = blk % {self.NBM}u * {self.BM}u, "
                           f"bn0 = blk / {self.NBM}u % {self.NBN}u * {self.BN}u, bb_ = blk / {self.NBM * self.NBN}u; (void)bb_;")
        self.rows_head = f"for (uint32_t i_ = 0; i_ < {self.BM}u; i_++) {{ if (bm0 + i_ >= {self.TM}u) continue;"
        self.tiles_head = (f"for (uint32_t i_ = 0; i_ < {self.BM}u; i_++) for (uint32_t j_ = 0; j_ < {self.BN}u; j_++) {{ "
                           f"if (bm0 + i_ >= {self.TM}u || bn0 + j_ >= {self.TN}u) continue; "
                           f"uint32_t t = (bb_ * {self.TN}u + bn0 + j_) * {self.TM}u + bm0 + i_; (void)t;")

    def row_run(self, idx):
        """Whether a load in a sum's loop moves in runs along the tile's rows (k consecutive in memory)."""
        found = affine(idx, {**self.sizes, self.r: self.K})
        return found is not None and found[0].get(self.r) == 1

    def column_run(self, idx):
        """Whether a load in a sum's loop moves in runs down the tile's columns (the output's rows consecutive in memory,
        k strided: a transposed operand, as a's gradient of a matmul sums a[k, m] over k): the reader reads each k as a
        row of 32 m's, and the compute kernel turns the tilized tile with transpose_wh_tile."""
        found = affine(idx, {**self.sizes, self.r: self.K})
        return found is not None and self.m is not None and found[0].get(self.m) == 1 and bool(found[0].get(self.r))

    def dims(self, block=None):
        """C for lane `lane` of tile `t`: its row ti and column tj in the tile (or in the rows of a matmul's A or B
        block), and the global indices g<d> it stands for. A blocked matmul's A rows are strip s_ of its block's rows,
        BW tiles of k wide; its B rows and its output rows ("c", row i_ of the block) BN tiles of n wide."""
        w = (self.BW if block == "a" else self.BN) if self.blocked and block in ("a", "b", "c") else self.C if block == "a" else \
            self.RC if block == "rows" else 1
        rows = f"int32_t ti = (int32_t)(lane / {32 * w}u), tj = (int32_t)(lane % {32 * w}u);"
        if block == "columns": rows = "int32_t ti = (int32_t)(lane % 32u), tj = (int32_t)(lane / 32u);"  # row tj holds k = kb * 32 + tj
        at = (f"uint32_t tm_ = bm0{' + s_' if block == 'a' else ' + i_' if block == 'c' else ''}, tn_ = bn0, tb_ = bb_;" if self.blocked and block in ("a", "b", "c") else
              f"uint32_t tm_ = t % {self.TM}u, tn_ = t / {self.TM}u % {self.TN}u, tb_ = t / {self.TN * self.TM}u;")
        out = [rows if block and self.kind == "matmul" or block in ("rows", "columns") else FACES, at + " (void)tn_; (void)tb_;"]
        for s, at in ((self.m, "tm_ * 32 + ti"), (self.n, "tn_ * 32 + tj")):
            if s is None: continue
            out.append(f"int32_t g{s.arg[-1]} = (int32_t){at};")
            if s in self.digits:  # its low digit first (a lane past the end stays past it)
                a, b = self.digits[s], self.sizes[s] // self.digits[s]
                out.append(f"if (g{s.arg[-1]} < {self.sizes[s]}) g{s.arg[-1]} = g{s.arg[-1]} % {b} * {a} + g{s.arg[-1]} / {b};")
        for s in reversed(self.batch):
            out.append(f"int32_t g{s.arg[-1]} = (int32_t)(tb_ % {self.sizes[s]}u); tb_ /= {self.sizes[s]}u;")
        return " ".join(out)

    def valid(self, which, names):
        """C condition for a lane that holds an element: `out` lanes of a store inside the output (a sum's only in
        column 0), `in` of a load outside the loop, `a`/`b` lanes of the k-block's A or B tile inside its operand."""
        inside = lambda s: [f"g{s.arg[-1]} < {self.sizes[s]}"] if s is not None else []
        rk = f"{names[self.r]} < {self.K}"
        if which == "in": conds = inside(self.m) + inside(self.n)  # a load outside the loop: a sum's rows are alike
        elif which in ("out", "c"): conds = inside(self.m) + (inside(self.n) if self.n is not None else ["tj == 0"])
        elif which in ("a", "rows", "columns"): conds = inside(self.m) + [rk]
        else: conds = [rk] + inside(self.n)
        return " && ".join(conds) or "true"

    def block_index(self, which, names):
        """The C line that puts lane (ti, tj) of k-block kb at its k: along a row of A, down a column of B."""
        return f"int32_t {names[self.r]} = kb * 32 + {'ti' if which == 'b' else 'tj'};"

    def contiguous(self, coef):
        """Whether an access outside the loop moves in runs along the tile's rows (16 lanes of a face row), or is a sum's
        output column (one element a row: the reduce leaves one value per row), or a store of it along a dimension it
        is broadcast over that is consecutive in memory (the writer copies it along a row in L1)."""
        if self.kind == "matmul": return coef.get(self.n) == 1 if self.n is not None else coef.get(self.m) in (1, None)
        return self.m is None or coef.get(self.m) in (1, None) or any(coef.get(s) == 1 for s in self.bcast)

    # ---- the compute kernel's part
    @staticmethod
    def split(a, t, out, base=0, zero=None, c=None):
        """Register tile a (float32) as bfloat16 parts into bfloat16 circular buffer `out`, whose front holds `base`
        pages before them (see the module's note); a, t and c are overwritten. With register tile `zero` (all 0), a lane
        whose high part is infinite keeps no rest (inf - inf would make the rest, and so the sum of the parts, NaN):
        pages high, middle, low. With register tile c as well (a matmul's operand, PARTS pages), the second page is the
        high part with its infinities as 0: the products with the other operand's smaller parts take it, since inf times
        those (0, or of either sign) would add NaN where inf x high gives numpy's inf; the smaller parts are finite."""
        pack = lambda r: f"cb_reserve_back({out}, 1); pack_tile({r}, {out}); cb_push_back({out}, 1);"
        # the packer rounds a to bfloat16: the high part; unpacked, it leaves the rest exactly in a
        high = f"{pack(a)} cb_wait_front({out}, {base} + 1); copy_tile({out}, {base}, {t}); sub_binary_tile({a}, {t});"
        if zero is not None and c is None: high += f" isinf_tile({t}); where_tile({t}, {zero}, {a}, {a});"
        if c is not None: high += (f" copy_dest_values({t}, {c}); isinf_tile({c}); where_tile({c}, {zero}, {a}, {a}); "
                                   f"where_tile({c}, {zero}, {t}, {t}); {pack(t)}")
        mid = 2 if c is not None else 1  # the rest is finite from here: the middle part cannot round to inf
        return [high, f"{pack(a)} cb_wait_front({out}, {base} + {mid + 1}); copy_tile({out}, {base} + {mid}, {t}); sub_binary_tile({a}, {t});",
                f"{pack(a)} cb_wait_front({out}, {base} + {mid + 2});"]

    def reduce(self, d, acc, take, give):
        """A sum's step: the k-block's tile of terms in register tile d (overwritten) reduced over rows into acc. A max's:
        acc, lane by lane, the largest so far (exact in any register; sfpu_reduce takes it over the rows after the loop)."""
        pre = []
        if self.mask:  # the last k-block's lanes past k: the padding, whatever the expression made of it
            m, p = take(), take()
            pre = [f"if (kb == {self.KB - 1}) {{ copy_tile({SCALER_CB}, {int(self.kind == 'sum')}, {m}); "
                   f"fill_tile({p}, {'0xff800000u' if self.kind == 'max' else '0u'}); where_tile({m}, {d}, {p}, {d}); }}"]
            give(m); give(p)
        if self.kind == "max": return pre + [f"binary_max_tile({acc}, {d}, {acc});"]
        red = "reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>"
        if not SPLIT: return pre + [f"cb_reserve_back({SPLIT_CB[0]}, 1); pack_tile({d}, {SPLIT_CB[0]}); cb_push_back({SPLIT_CB[0]}, 1); "
                              f"cb_wait_front({SPLIT_CB[0]}, 1); {red}({SPLIT_CB[0]}, {SCALER_CB}, 0, 0, {acc}); cb_pop_front({SPLIT_CB[0]}, 1);"]
        t, z = take(), take()
        lines = [f"fill_tile({z}, 0u);"] + self.split(d, t, SPLIT_CB[0], zero=z)  # a sum of terms that reach inf is inf, as tinygrad's CPU gives
        give(t); give(z)
        return pre + lines + [" ".join(f"{red}({SPLIT_CB[0]}, {SCALER_CB}, {k}, 0, {acc});" for k in (2, 1, 0)) + f" cb_pop_front({SPLIT_CB[0]}, 3);"]

    def compute(self, acc, take, give):
        """A matmul's k-block loop in the compute kernel, accumulating into register tile `acc`: the rows the reader
        read are tilized on the unpacker (C k-blocks of A at once), each tile split in two, and three matmul_tiles."""
        C, (ra, rb), (ta, tb) = self.C, RM_CB, MM_CB
        lines = [f"for (int32_t kb = 0; kb < {self.KB}; kb++) {{",
                 f"    if (kb % {C} == 0) {{ cb_wait_front({ra}, {C}); cb_reserve_back({ta}, {C}); tilize_block({ra}, {C}, {ta}); "
                 f"cb_push_back({ta}, {C}); cb_pop_front({ra}, {C}); }}",
                 f"    cb_wait_front({rb}, 1); cb_reserve_back({tb}, 1); tilize_block({rb}, 1, {tb}); cb_push_back({tb}, 1); cb_pop_front({rb}, 1);"]
        if SPLIT:
            a, t, c, z = take(), take(), take(), take()
            (sa, sb), P = SPLIT_CB, PARTS
            b0 = f"{P} * kb + " if self.cache_b else ""
            b_lines = lines[-1:] + [f"    cb_wait_front({tb}, 1); copy_tile({tb}, 0, {a}); cb_pop_front({tb}, 1);{self.apply(1, a)}"] + \
                ["    " + x for x in self.split(a, t, sb, f"{P} * kb" if self.cache_b else 0, z, c)]
            if self.cache_b:  # a new column: the last one's B parts go, this one's come
                b_lines = [f"    if ({self.new_column}) {{", f"    if (kb == 0 && t != t0) cb_pop_front({sb}, {P * self.KB});"] + \
                    b_lines[:-1] + [b_lines[-1].replace(f"cb_wait_front({sb}, {P} * kb + {P});", ""), "    }", f"    cb_wait_front({sb}, {P} * kb + {P});"]
            lines[-1:] = b_lines
            lines.append(f"    cb_wait_front({ta}, 1); copy_tile({ta}, 0, {a}); cb_pop_front({ta}, 1);{self.apply(0, a)}")
            lines += ["    " + x for x in self.split(a, t, sa, 0, z, c)]
            for d in (a, t, c, z): give(d)
            lines.insert(0, f"fill_tile({z}, 0u);")  # the 0 the splits put where an operand is infinite, once for the tile
            lines.append("    " + " ".join(f"matmul_tiles({sa}, {sb}, {i}, {b0}{j}, {acc});" for i, j in PASSES))
            lines.append(f"    cb_pop_front({sa}, {P});" + ("" if self.cache_b else f" cb_pop_front({sb}, {P});"))
        else:
            lines.append(f"    cb_wait_front({ta}, 1); cb_wait_front({tb}, 1); matmul_tiles({ta}, {tb}, 0, 0, {acc}); "
                         f"cb_pop_front({ta}, 1); cb_pop_front({tb}, 1);")
        return lines + ["}"]

    def compute_blocked(self, pre, post, acc, role_arg):
        """A blocked matmul's compute kernel: per k-step, the A strips and B strips the data-movement cores read are
        tilized and split once, then every output tile of the block takes its 6 x BW products (its partial sums come
        back from L1 after the first k-step). `pre` starts a tile's accumulator, `post` is the kernel's code after the
        loop, on the finished tile. With senders, runtime arg `role_arg` says whether this core splits (1: A's strips, 2:
        B's; its data-movement cores multicast them) or multiplies the parts its data-movement cores receive (0)."""
        (ra, rb), (ta, tb), (sa, sb) = RM_CB, MM_CB, SPLIT_CB if SPLIT else MM_CB
        BM, BN, BW, parts = self.BM, self.BN, self.BW, PARTS if SPLIT else 1
        def operand(rows, tiled, split, n, base):  # one strip of n tiles: tilized, then (float32) each split in three
            out = [f"cb_wait_front({rows}, {n}); cb_reserve_back({tiled}, {n}); tilize_block({rows}, {n}, {tiled}); cb_push_back({tiled}, {n}); cb_pop_front({rows}, {n});"]
            if SPLIT: out += [f"for (uint32_t x_ = 0; x_ < {n}u; x_++) {{", f"    cb_wait_front({tiled}, 1); copy_tile({tiled}, 0, 0); cb_pop_front({tiled}, 1);{self.apply(rows == rb, 0)}",
                              *("    " + x for x in self.split(0, 1, split, f"({base} + x_) * {PARTS}", 2, 3)), "}"]
            return out
        mm = [f"matmul_tiles({sa}, {sb}, (i_ * {BW}u + k_) * {parts}u + {i}, (k_ * {BN}u + j_) * {parts}u + {j}, {acc});" for i, j in (PASSES if SPLIT else [(0, 0)])]
        a = [f"for (uint32_t s_ = 0; s_ < {BM}u; s_++) {{", *operand(ra, ta, sa, BW, f"s_ * {BW}u"), "}"]
        b = [f"for (uint32_t s_ = 0; s_ < {BW}u; s_++) {{", *operand(rb, tb, sb, BN, f"s_ * {BN}u"), "}"]
        fill = ["fill_tile(2, 0u);"] if SPLIT else []  # the 0 the k-step's splits put where an operand is infinite
        if self.senders:
            split, a, b = [f"for (uint32_t blk = 0; blk < {self.blocks}u; blk += t1) for (uint32_t g = 0; g < {self.G}u; g++) {{",
                           "acquire_dst(tt::DstMode::Full);", *fill, "if (role_ & 1) {", *a, "}", "if (role_ & 2) {", *b, "}",
                           "release_dst(tt::DstMode::Full);", "}"], [], []
        body = [self.block_head, f"for (uint32_t g = 0; g < {self.G}u; g++) {{",
                *(["acquire_dst(tt::DstMode::Full);", *fill, *a, *b, "release_dst(tt::DstMode::Full);"] if a else []),
                f"cb_wait_front({sa}, {parts * BM * BW}); cb_wait_front({sb}, {parts * BW * BN});",
                self.tiles_head, "acquire_dst(tt::DstMode::Full);", "if (g == 0) {", *pre,
                f"}} else {{ cb_wait_front({PART_CB}, 1); copy_tile({PART_CB}, 0, {acc}); cb_pop_front({PART_CB}, 1); }}",
                f"for (uint32_t k_ = 0; k_ < {BW}u; k_++) {{ {' '.join(mm)} }}",
                f"if (g + 1 < {self.G}u) {{ cb_reserve_back({PART_CB}, 1); pack_tile({acc}, {PART_CB}); cb_push_back({PART_CB}, 1); }} else {{",
                *post, "}", "release_dst(tt::DstMode::Full);", "}",
                f"cb_pop_front({sa}, {parts * BM * BW}); cb_pop_front({sb}, {parts * BW * BN});", "}", "}"]
        if self.senders: body = [f"uint32_t role_ = get_arg_val<uint32_t>({role_arg});", "if (role_) {", *split, "} else {", *body, "}"]
        return body

    def apply(self, which, d):
        """The ops by constants on operand `which` (0: A, 1: B), on its tile in register tile d, before the split."""
        bits = lambda v: f"{struct.unpack('<I', struct.pack('<f', float(v)))[0]}u"
        return "".join(f" negative_tile({d});" if op is Ops.NEG else f" {SCALAR_OPS[op]}({d}, {bits(v)});" for op, v in self.ops[which])

    def shared_parts(self, a):
        """With senders, a k-step's parts after its strips (the reader's A, the writer's B): the sender multicasts what its
        compute kernel split (and lets its pages go once the NoC has read them), a block's core receives them; then
        only the block's cores go on to the output."""
        cb, n = SPLIT_CB[not a], PARTS * self.BW * (self.BM if a else self.BN)
        return [f"cb_wait_front({cb}, {n}); share(sh, get_read_ptr({cb}), {n * 2048}u); noc_async_write_barrier(); cb_pop_front({cb}, {n});",
                f"}} else {{ cb_reserve_back({cb}, {n}); share(sh, get_write_ptr({cb}), {n * 2048}u); cb_push_back({cb}, {n}); }}",
                "if (sh.sender) continue;"]

    def _l1_bytes(self, BW):
        self.BW = BW
        return sum(n * (2048 if cb in SPLIT_CB else 4096) for cb, n in self.cbs().items())

    def cbs(self):
        """{circular buffer: pages} this loop needs beside the kernel's own."""
        if self.blocked:
            parts = PARTS if SPLIT else 1
            return {RM_CB[0]: 2 * self.BW, RM_CB[1]: 2 * self.BN, MM_CB[0]: max(2, self.BW, parts * self.BM * self.BW * (not SPLIT)),
                    MM_CB[1]: max(2, self.BN, parts * self.BW * self.BN * (not SPLIT)), PART_CB: self.BM * self.BN, READ_STAGE_CB: 8,
                    **({OUT_ROWS_CB: 2 * self.BN} if self.untilize else {}),
                    **({SPLIT_CB[0]: PARTS * self.BM * self.BW, SPLIT_CB[1]: PARTS * self.BW * self.BN} if SPLIT else {})}
        if self.kind == "matmul":
            return {RM_CB[0]: 2 * self.C, RM_CB[1]: 2, MM_CB[0]: max(2, self.C), MM_CB[1]: 2, **({SPLIT_CB[0]: PARTS, SPLIT_CB[1]: PARTS * self.KB if self.cache_b else PARTS} if SPLIT else {})}
        scaler = {SCALER_CB: self._scalers()} if self._scalers() else {}
        if self.S > 1: scaler |= {SPLIT_OUT_CB: 1, SPLIT_IN_CB: self.S - 1}
        return {SPLIT_CB[0]: 3, RM_CB[0]: 2 * self.RC, **scaler} if self.kind == "sum" else {RM_CB[0]: 2 * self.RC, **scaler}

    def _scalers(self): return (self.kind == "sum") + self.mask if self.kind in ("sum", "max") else 0

    def reader_prologue(self):
        out = []
        if self.kind == "sum": out.append(f"    cb_reserve_back({SCALER_CB}, 1); for (uint32_t i = 0; i < 1024; i++) "
                                          f"((float*)get_write_ptr({SCALER_CB}))[i] = 1.0f; cb_push_back({SCALER_CB}, 1);")
        if self.mask: out.append(f"    cb_reserve_back({SCALER_CB}, 1); for (uint32_t lane = 0; lane < 1024; lane++) {{ {FACES} "
                                 f"((float*)get_write_ptr({SCALER_CB}))[lane] = tj < {self.K % 32} ? 1.0f : 0.0f; (void)ti; }} cb_push_back({SCALER_CB}, 1);")
        return out

    def after_loop(self, acc):
        """After the loop, in the compute kernel: a max's lanes reduced over each row into column 0, at full width."""
        if self.kind != "max": return []
        fmt = "DataFormat::Float32" if fp32_register() else "DataFormat::Float16_b"
        return [f"sfpu_reduce<PoolType::MAX, {fmt}, ReduceDim::REDUCE_ROW>({acc});"]

    def split_k(self, cores, parts=None):
        """A sum or max with fewer output tiles than the grid has cores: each tile's k-blocks in S parts on S cores (one
        part a core), the partial tiles sent to the tile's first core, which combines them and does the rest. `parts`:
        tinygrad's GROUP / GROUPTOP asked for that many (see ungroup), each a whole number of the reader's rows."""
        if parts:
            if self.kind not in ("sum", "max") or self.KB % parts or parts * self.tiles > cores:
                raise ValueError(f"{parts} parts of {self.KB} k-blocks for each of {self.tiles} tiles on {cores} cores")
            self.S, self.RC = parts, next(c for c in (8, 4, 2, 1) if c <= self.RC and self.KB // parts % c == 0)
            return
        # parts start on a group of RC k-blocks (the reader's rows; shorter rows for more parts measured slower)
        if self.kind in ("sum", "max") and 2 * self.tiles <= cores: self.S = min(cores // self.tiles, self.KB // self.RC, SPLIT_K)

    def kb_loop(self):
        """The C loop over this core's k-blocks."""
        return "for (int32_t kb = (int32_t)kb0_; kb < (int32_t)kb1_; kb++) {" if self.S > 1 else f"for (int32_t kb = 0; kb < {self.KB}; kb++) {{"

    def split_args(self, first):
        """The C lines that read a split loop's args (after the kernel's own): this core's part, its k-blocks, the NoC
        coordinates of the tile's first core."""
        if self.S == 1: return []
        return [f"    uint32_t part_ = get_arg_val<uint32_t>({first}), kb0_ = get_arg_val<uint32_t>({first + 1}), kb1_ = get_arg_val<uint32_t>({first + 2});",
                f"    uint32_t ox_ = get_arg_val<uint32_t>({first + 3}), oy_ = get_arg_val<uint32_t>({first + 4}); (void)part_; (void)kb0_; (void)kb1_; (void)ox_; (void)oy_;"]

    def combine(self, which, acc=None, tmp=None):
        """After the loop: a part's partial tile goes to the tile's first core (compute packs it, the writer writes it
        into that core's SPLIT_IN_CB slot and counts it on semaphore 0); the first core's reader waits for all of them,
        its compute folds them into acc. What follows (to the tile's end) is the first core's only: an open `{`."""
        n = self.S - 1
        if which == "compute":
            op = "binary_max_tile" if self.kind == "max" else "add_binary_tile"
            return [f"if (part_ != 0) {{ cb_reserve_back({SPLIT_OUT_CB}, 1); pack_tile({acc}, {SPLIT_OUT_CB}); cb_push_back({SPLIT_OUT_CB}, 1); }} else {{",
                    f"cb_wait_front({SPLIT_IN_CB}, {n}); for (uint32_t p_ = 0; p_ < {n}u; p_++) {{ copy_tile({SPLIT_IN_CB}, p_, {tmp}); "
                    f"{op}({acc}, {tmp}, {acc}); }} cb_pop_front({SPLIT_IN_CB}, {n});"]
        if which == "reader":
            return [f"if (part_ == 0) {{ cb_reserve_back({SPLIT_IN_CB}, {n}); volatile tt_l1_ptr uint32_t* got = (volatile tt_l1_ptr uint32_t*)get_semaphore(0); "
                    f"noc_semaphore_wait(got, {n}); noc_semaphore_set(got, 0); cb_push_back({SPLIT_IN_CB}, {n});"]
        return [f"if (part_ != 0) {{ cb_wait_front({SPLIT_OUT_CB}, 1); noc_async_write(get_read_ptr({SPLIT_OUT_CB}), "
                f"get_noc_addr(ox_, oy_, get_write_ptr({SPLIT_IN_CB}) + (part_ - 1) * 4096u), 4096); noc_async_write_barrier(); "
                f"noc_semaphore_inc(get_noc_addr(ox_, oy_, get_semaphore(0)), 1); cb_pop_front({SPLIT_OUT_CB}, 1); }} else {{"]

    def pad(self):
        """What the reader puts in a loaded tile's lanes past the operand's edge."""
        return "-__builtin_inff()" if self.kind == "max" else "0"

    def compute_epilogue(self):
        return [f"    if (t1 > t0) cb_pop_front({SPLIT_CB[1]}, {PARTS * self.KB});"] if self.kind == "matmul" and self.cache_b else []

    def compute_prologue(self):
        return [f"    cb_wait_front({SCALER_CB}, {self._scalers()});"] if self._scalers() else []


def _digits(uops, sizes, specials):
    """{special: a} for each of the output's rows or columns that tinygrad merged from two dimensions (g = hi * a + lo,
    its index arithmetic takes g / a and g % a) with the high one consecutive in the output (a convolution's pixels:
    g = x * OH + y, stored at y * OW + x): its lanes take the high digit fastest, so that they move in runs."""
    store = next((u for u in uops if u.op is Ops.STORE and _root(u.src[0].src[0]).op is Ops.PARAM), None)
    if store is None: return {}
    out = {}
    for s in specials:
        divisors = {_const(u.src[1]) for u in uops if u.op is Ops.CDIV and u.src[0] is s}
        for a in sorted(d for d in divisors if d and 1 < d < sizes[s] and sizes[s] % d == 0):
            try:
                zero = {v: 0 for v in sizes}
                at = [evaluate(store.src[0].src[1], {**zero, s: g}) for g in (0, 1, a)]
            except Exception: continue
            if abs(at[2] - at[0]) < abs(at[1] - at[0]): out[s] = a; break
    return out


def _chain(u):
    """(load, [(op, constant)], innermost first) if u is a load with element-wise ops by constants applied to it (the
    scale and offset of tinygrad's lazy uniform init, fused into the kernel that uses the weights); else None."""
    ops = []
    while u.op is not Ops.LOAD:
        if u.op is Ops.NEG: ops.append((Ops.NEG, None)); u = u.src[0]; continue
        if u.op not in SCALAR_OPS or len(u.src) != 2: return None
        a, b = u.src
        if _const(b) is not None and _const(a) is None: ops.append((u.op, _const(b))); u = a
        elif _const(a) is not None and u.op in (Ops.ADD, Ops.MUL): ops.append((u.op, _const(a))); u = b
        elif _const(a) is not None and u.op is Ops.SUB: ops += [(Ops.ADD, _const(a)), (Ops.NEG, None)]; u = b  # c - x = -x + c
        else: return None
    return u, ops[::-1]


def _operand(load):
    """Whether a load can be a matmul operand: an index, and at most a gate whose closed lanes read 0 (a convolution's
    padding), which the reader writes where the gate is closed."""
    if len(load.src[0].src) != 2: return False
    return len(load.src) == 1 or len(load.src) == 3 and _const(load.src[1]) == 0


def _uses(load, variables):
    """{variable: stride} of a load's index if it is affine in the variables and ungated; else {variable: IM2COL} for
    each variable its index or gate depends on (the reader computes such a load's addresses lane by lane)."""
    found = affine(load.src[0].src[1], variables) if len(load.src) == 1 else None
    if found is not None: return found[0]
    seen, stack = set(), list(load.src[0].src[1:]) + list(load.src[2:])
    while stack:
        u = stack.pop()
        if u in seen: continue
        seen.add(u); stack.extend(u.src)
    return {v: IM2COL for v in variables if v in seen and variables[v] > 1}


def _broadcast(uops, sizes):
    """The global dimensions (SPECIALs) that only the addresses of unconditional stores to global buffers use: the
    kernel's value is the same all along them (ones @ b.T's rows in a matmul's gradient)."""
    users = {}
    for u in uops:
        for s in u.src: users.setdefault(s, []).append(u)
    def address_only(u, seen):
        if u in seen: return True
        seen.add(u)
        for x in users.get(u, []):
            if x.op is Ops.INDEX:
                if x.src[1] is not u or len(x.src) != 2 or _root(x.src[0]).op is not Ops.PARAM or \
                        any(y.op is not Ops.STORE or y.src[0] is not x or len(y.src) != 2 for y in users.get(x, [])): return False
            elif x.op not in (Ops.ADD, Ops.MUL, Ops.SHL, Ops.SHR, Ops.CDIV, Ops.CMOD, Ops.SUB, Ops.CAST) or not dtypes.is_int(x.dtype) or \
                    not address_only(x, seen): return False
        return True
    return [s for s in sizes if users.get(s) and address_only(s, set())]


def ungroup(uops):
    """tinygrad's GROUP / GROUPTOP opt splits a reduce over G local threads: each sums its share of k, stores it in
    shared memory, and after a barrier thread 0 sums the G partial sums and stores the result. The chip's version of
    that is split_k: G cores each reduce their part of a tile's k-blocks and send the partial tile into the tile's
    first core's L1 (the shared memory), where a semaphore (the barrier) lets it fold them in. Returns the kernel's UOps
    with the two loops made one over all of k (lidx and the loop index as the part and the place in it) and G; or the
    UOps and None for a kernel without a group. Raises ValueError for any other use of shared memory."""
    local = [u for u in uops if u.op is Ops.BUFFER and u.arg.addrspace == AddrSpace.LOCAL]
    if not local: return uops, None
    acc_of = lambda u: _root(u.src[0].src[0]) if u.op in (Ops.LOAD, Ops.STORE) and u.src[0].op is Ops.INDEX else None
    puts = [u for u in uops if u.op is Ops.STORE and acc_of(u) in local]
    ranges = [u for u in uops if u.op is Ops.RANGE]
    ifs = [u for u in uops if u.op is Ops.IF]
    if len(local) != 1 or len(puts) != 1 or puts[0].src[0].src[1].op is not Ops.SPECIAL or len(ranges) != 2 or len(ifs) != 1 or \
            any(u.op is Ops.BARRIER for u in uops[:uops.index(ranges[0])]):
        raise ValueError("shared memory other than one group of a reduce")
    # (a local dimension of tinygrad's LOCAL opt beside the group's stays for renderer.unlocal)
    lbuf, put, l, (r, r2), gate = local[0], puts[0], puts[0].src[0].src[1], ranges, ifs[0]
    G, KR = _const(l.src[0]), _const(r.src[0])
    if G is None or KR is None or _const(r2.src[0]) != G or gate.src[0].op is not Ops.CMPEQ or gate.src[0].src[0] is not l:
        raise ValueError("a group whose parts are not one loop's")
    # the parts' partial sums: stored to shared memory from a register after the first loop, combined by the second with
    # the first's op; the combined value (loaded after the second loop) becomes the first's
    part = put.src[1]
    accs = [u for u in uops if u.op is Ops.STORE and acc_of(u) is not None and acc_of(u).op is Ops.BUFFER
            and acc_of(u).arg.addrspace == AddrSpace.REG and u.src[1].op in (Ops.ADD, Ops.MAX)]
    if len(accs) != 2 or accs[0].src[1].op is not accs[1].src[1].op or acc_of(part) is not acc_of(accs[0]): raise ValueError("a group's combine")
    acc2 = acc_of(accs[1])
    whole = next((u for u in uops[uops.index(accs[1]):] if u.op is Ops.LOAD and acc_of(u) is acc2), None)
    if whole is None: raise ValueError("a group's combine")
    # which of k's parts lidx is: the high one (GROUPTOP, k = lidx * KR + r) or the low one (GROUP, k = r * G + lidx)
    specials = {s: _const(s.src[0]) for s in uops if s.op is Ops.SPECIAL}
    maps = [affine(u.src[0].src[1], {**specials, r: KR}) for u in uops if u.op is Ops.LOAD and _root(u.src[0].src[0]).op is Ops.PARAM
            and uops.index(r) < uops.index(u) < uops.index(put)]
    if not maps or None in maps: raise ValueError("a group over loads whose index is not affine")
    top = {m[0].get(l, 0) == m[0].get(r, 0) * KR for m in maps}
    if top != {True} and {m[0].get(r, 0) == m[0].get(l, 0) * G for m in maps} != {True}: raise ValueError("a group whose parts are not runs of k")
    k = UOp(Ops.RANGE, r.dtype, (UOp.const(G * KR, r.dtype),), r.arg)
    c = lambda v: UOp.const(v, r.dtype)
    new = {r: UOp(Ops.CMOD if top == {True} else Ops.CDIV, r.dtype, (k, c(KR if top == {True} else G))),
           l: UOp(Ops.CDIV if top == {True} else Ops.CMOD, l.dtype, (k, c(KR if top == {True} else G)))}
    gone, out, wait = {lbuf, acc2, r2, gate, gate.src[0]}, [], []
    for u in uops:
        if u is r: out += [*(x for x in (k.src[0], new[r].src[1]) if x not in uops), k, new[r], new[l], *wait]; continue  # what used lidx before the loop comes after it now
        if u is l: continue
        if u is whole: new[u] = new.get(part, part); continue
        if u in gone or any(s in gone for s in u.src) or u.op in (Ops.ENDIF, Ops.BARRIER):
            gone.add(u); continue
        if any(s in new for s in u.src):  # the loop itself where a loop is meant (END, AFTER), else the index in it
            new[u] = u.replace(src=tuple(k if s is r and u.op in (Ops.END, Ops.AFTER) else new.get(s, s) for s in u.src))
        (wait if uops.index(u) < uops.index(r) and u in new else out).append(new.get(u, u))
    return out, G
