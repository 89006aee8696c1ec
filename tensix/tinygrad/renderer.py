"""tinygrad's UOps -> a reader, a compute and a writer kernel joined by circular buffers.

tinygrad hands a kernel as a list of UOps written for one thread; its global dimensions enumerate the threads. Here a
thread is a lane of a 32x32 tile: 1024 threads make a tile, and the tiles are spread over the cores of the grid. Each
UOp lands on the processor that does that kind of work on the chip:
- index arithmetic (integer and boolean UOps on thread and loop indices) runs on the data-movement cores, per lane;
- loads become the reader's NoC reads, which build a tile of the loaded values in a circular buffer;
- the arithmetic on loaded values runs in the compute kernel on whole tiles in the destination register (SFPU ops);
- stores become the writer's NoC writes of a packed tile's lanes.
All three kernels walk the same loop nest, so the reader pushes and the writer pops tiles in the order the compute
kernel consumes and produces them. A load or store whose lanes are one contiguous run of memory moves as whole runs
(the tile path); any other index pattern is gathered or scattered element by element by the data-movement cores (the
fallback path, counted; data_movement.py). The arithmetic is on the math engine either way."""
import json, math, struct
from tinygrad.dtype import AddrSpace, dtypes
from tinygrad.helpers import ansistrip, getenv
from tinygrad.renderer import Renderer
from tinygrad.uop.ops import GroupOp, Ops, UOp
from . import chip_name, fp32_register
from .inits import add_inits
from .im2col import flatten
from .reduce_loop import READ_STAGE_CB, ROWS_CB, RM_CB, SHARE, ReduceLoop, affine, ungroup
from .data_movement import (CTYPE, FED_CB, FORMAT, GATHER, IN_CB, OUT_CB, PAGE, READ_RUN, SCATTER, STAGE_CB, TILE_BYTES,
                            WIDE, DataMovement, Unsupported, const_of, root)

GROUP_ALU = GroupOp.ALU | {Ops.CAST, Ops.BITCAST}
IM2COL = getenv("TT_IM2COL", 1)  # 0: a convolution's reduce loops stay loops (each product's operands gathered lane by lane)

DST_TILES = 8   # register tiles with a float32 destination register held whole (acquire_dst full)
UNSIGNED_OF = {dtypes.int8: dtypes.uint8, dtypes.int16: dtypes.uint16}
# Where the compute kernel parks tiles when its register is full: a buffer per loop depth (so a tile parked for a whole
# loop never blocks the pops of the loop's own) and per tile format (each tile keeps its own words: _spill_cb), taken
# from these indices in the order a kernel needs them (13 is the reduce loops' ROWS_CB); bitcasts beyond BITCAST_CB's
# three take the pool's last indices
SPILL_CBS = tuple(range(7, 13))
BITCAST_CB = (23, 25, 31)  # up to three formats, one allocation per tile size: packed as one, copied back as another (or the same: rounded)
PARKED_L1 = 512 * 1024  # bytes of L1 a kernel's loaded and spilled tiles may take at once (a Wormhole core has 1.4 MiB)

NARROW = (dtypes.uint8, dtypes.int8, dtypes.uint16, dtypes.int16)  # integers the register wraps to their width itself
C_BINARY = {Ops.ADD: "+", Ops.SUB: "-", Ops.MUL: "*", Ops.CDIV: "/", Ops.CMOD: "%", Ops.SHL: "<<", Ops.SHR: ">>", Ops.AND: "&",
            Ops.OR: "|", Ops.XOR: "^", Ops.CMPLT: "<", Ops.CMPNE: "!=", Ops.CMPEQ: "=="}
# the SFPU ops between two register tiles (the result replaces the first), and single-tile ops
SFPU_BINARY = {Ops.ADD: "add_binary_tile", Ops.SUB: "sub_binary_tile", Ops.MUL: "mul_binary_tile", Ops.FDIV: "div_binary_tile",
               Ops.MAX: "max_tile", Ops.CMPLT: "lt_binary_tile", Ops.CMPEQ: "eq_binary_tile", Ops.CMPNE: "ne_binary_tile"}
# the same between integer tiles, on the register's 32-bit words: (signed, unsigned); <F> becomes the DataFormat
SFPU_INT = {Ops.ADD: "add_int_tile<F>", Ops.SUB: "sub_int_tile<F>", Ops.MUL: "mul_int_tile<F>", Ops.CMPLT: "lt_int_tile<F>",
            Ops.MAX: ("binary_max_int32_tile", "binary_max_uint32_tile"), Ops.AND: "bitwise_and_binary_tile<F>",
            Ops.OR: "bitwise_or_binary_tile<F>", Ops.XOR: "bitwise_xor_binary_tile<F>", Ops.SHL: "binary_left_shift_tile<F>",
            Ops.SHR: ("binary_right_shift_tile<F>", "binary_logical_right_shift_tile<F>"), Ops.CDIV: "div_int32_trunc_tile",
            Ops.CMOD: "fmod_int32_tile", Ops.CMPEQ: "bitwise_xor_binary_tile<F>", Ops.CMPNE: "bitwise_xor_binary_tile<F>"}
INT_AFTER = {Ops.CMPEQ: "eqz_tile_int32", Ops.CMPNE: "nez_tile_int32"}  # equality: the xor of the words, against zero
SFPU_SCALAR = {Ops.ADD: "add_unary_tile", Ops.SUB: "sub_unary_tile", Ops.MUL: "mul_unary_tile", Ops.FDIV: "div_unary_tile"}
SFPU_UNARY = {Ops.NEG: ["negative_tile({d})"], Ops.RECIPROCAL: ["recip_tile({d})"], Ops.SQRT: ["sqrt_tile({d})"],
              Ops.EXP2: ["exp2_tile({d})"], Ops.SIN: ["sin_tile({d})"], Ops.TRUNC: ["trunc_tile({d})"],
              Ops.LOG2: ["log_tile({d})", f"mul_unary_tile({{d}}, {struct.unpack('<I', struct.pack('<f', 1 / math.log(2)))[0]}u)"]}


ROUNDED = (Ops.ADD, Ops.SUB, Ops.MUL, Ops.FDIV, Ops.RECIPROCAL, Ops.SQRT, Ops.EXP2, Ops.LOG2, Ops.SIN)  # inexact ops


def c_float(v) -> str:
    v = float(v)
    if math.isnan(v): return "__builtin_nanf(\"\")"
    if math.isinf(v): return "__builtin_inff()" if v > 0 else "(-__builtin_inff())"
    return repr(v) + "f"  # a float literal: float arithmetic in C stays float32, as tinygrad's


def fbits(v) -> str: return f"{struct.unpack('<I', struct.pack('<f', float(v)))[0]}u"


def fill(d, v, dt) -> str:
    """A register tile of constant v: an integer beyond float32's 24 exact bits as its 32-bit word, else the value."""
    if dtypes.is_int(dt) and abs(int(v)) >= 1 << 24: return f"fill_tile_int<DataFormat::Int32>({d}, {int(v) & 0xFFFFFFFF}u);"
    return f"fill_tile({d}, {fbits(v)});"


def unlocal(uops):
    """tinygrad's LOCAL opt splits a global dimension g into (g // n, g % n) as a global and a local index: workgroups of
    n threads. Without shared memory that only groups threads, and a thread is a tile's lane either way, so the two go
    back to one global dimension of their product (tinygrad launches them as global and local sizes: the device
    multiplies them back, Kernel.locals); a local that took a whole dimension becomes a global dimension of its own.
    BEAM so gets the kernel it started from among its candidates (it never times the start itself). Returns the UOps
    and [(global, local, n)]: global dimension g grows n times, from local l."""
    lids = [u for u in uops if u.op is Ops.SPECIAL and u.arg.startswith("l")]
    if not lids: return uops, []
    sizes = {u: const_of(u.src[0]) for u in uops if u.op is Ops.SPECIAL}
    if None in sizes.values(): raise Unsupported("a local dimension beside a symbolic one")
    store = next((u for u in uops if u.op is Ops.STORE and root(u.src[0].src[0]).op is Ops.PARAM), None)
    found = affine(store.src[0].src[1], sizes) if store is not None else None
    if found is None: raise Unsupported("a local dimension whose threads the output does not take in order")
    coef, new, pairs = found[0], {}, []
    gids = {g: n for g, n in sizes.items() if g.arg.startswith("g")}
    spare = sorted({0, 1, 2} - {int(g.arg[-1]) for g in gids})
    for l in lids:
        gs = [g for g in gids if coef.get(l) and coef.get(g) == coef[l] * sizes[l]]
        if len(gs) > 1 or gs and gs[0] in new or not gs and not spare: raise Unsupported(f"local dimension {l.arg} (a lane is a tile lane)")
        if not gs:  # the whole dimension: a global one where tinygrad launches none
            new[l] = UOp(Ops.SPECIAL, l.dtype, l.src, f"gidx{(g := spare.pop(0))}")
            pairs.append((g, int(l.arg[-1]), sizes[l]))
            continue
        g, n = gs[0], UOp.const(sizes[l], dtypes.int)
        merged = UOp(Ops.SPECIAL, g.dtype, (UOp.const(gids[g] * sizes[l], dtypes.int),), g.arg)
        new[g], new[l] = UOp(Ops.CDIV, g.dtype, (merged, n)), UOp(Ops.CMOD, l.dtype, (merged, n))
        pairs.append((int(g.arg[-1]), int(l.arg[-1]), sizes[l]))
    out, placed = [], set()
    def place(u):  # u with its sources before it (a global's merged dimension may come after its local)
        if u in placed: return
        placed.add(u)
        for s in u.src: place(s)
        out.append(u)
    for u in uops:
        if u not in new and any(s in new for s in u.src): new[u] = u.replace(src=tuple(new.get(s, s) for s in u.src))
        place(new.get(u, u))
    return out, pairs


class Kernel(DataMovement):
    """One tinygrad kernel, split. `reader`, `compute` and `writer` are the three sources."""

    def __init__(self, uops: list, name: str):
        try: uops, self.group = ungroup(uops)  # tinygrad's GROUP / GROUPTOP: a reduce split over cores (reduce_loop.ungroup)
        except ValueError as e: raise Unsupported(str(e)) from None
        uops, self.locals = unlocal(uops)
        uops, self.im2col, loop = self._flatten(uops)
        self.uops, self.name = uops, name
        self.params = sorted({u.arg.slot: u for u in uops if u.op is Ops.PARAM and u.arg.addrspace != AddrSpace.ALU}.values(),
                             key=lambda u: u.arg.slot)
        self.vars = sorted({u.arg.slot: u for u in uops if u.op is Ops.PARAM and u.arg.addrspace == AddrSpace.ALU}.values(),
                           key=lambda u: u.arg.slot)
        self.buf_index = {u: i for i, u in enumerate(self.params)}
        self.kind = {}  # uop -> "idx" (per lane, on the data-movement cores) or "val" (a tile, in the compute kernel)
        for u in uops: self.kind[u] = self._classify(u)
        self.lane_order = self._order()
        if loop is None:  # a reduce loop the math engine does on whole tiles (matmul, sum); a convolution's came along
            try: loop = ReduceLoop.find(self.uops)
            except LookupError: pass
        self.loop = loop
        # the tiles the compute kernel works on: what the stores write, and everything that value is made of; and the
        # values the compute kernel hands back to the reader because a load's index needs them (see _feeds)
        self.fed = []
        while True:
            self.on_tiles, stack = set(), [u.src[1] for u in uops if u.op is Ops.STORE] + self.fed
            while stack:
                u = stack.pop()
                if u in self.on_tiles or self.kind.get(u) != "val": continue
                self.on_tiles.add(u)
                if u.op is not Ops.LOAD: stack.extend(u.src)
                elif self._picked(u): stack.extend(self._picked(u))
            if (fed := self._feeds()) == self.fed: break
            self.fed = fed
        # index values the arithmetic needs: the reader builds a tile of them
        self.idx_tiles = [u for u in uops if self.kind[u] == "idx" and any(
            (c in self.on_tiles and (c.op is not Ops.LOAD or u in self._picked(c))) or (c.op is Ops.STORE and c.src[1] is u)
            for c in self._users(u))]
        if not fp32_register():  # Grayskull: integers wider than bfloat16's 8-bit mantissa would round, silently
            wide = [u for u in self.on_tiles | set(self.idx_tiles) if u.dtype in (dtypes.int32, dtypes.uint32, dtypes.int16, dtypes.uint16)
                    and (u in self.on_tiles or any(c.op is Ops.STORE for c in self._users(u)))]
            if wide: raise Unsupported(f"{wide[0].dtype} values in the math engine: Grayskull's destination register holds "
                                       "bfloat16 (exact integers only up to 256); a Wormhole or Blackhole chip (TENSIX_DEVICE=n150) holds 32 bits")
        self.bitcasts = []  # the formats the compute kernel's bitcasts pass through, one circular buffer index each:
        # BITCAST_CB's, then SPILL_CBS' last ones the spills leave (a shape-changing bitcast such as int32 -> bfloat16
        # passes through four formats)
        self.bitcast_cbs = [*BITCAST_CB]
        self.spill_cbs = {}  # (loop depth, tile format) -> its spill buffer's index
        self.accesses = []  # (kind, uop, contiguous?) per global load and store, for the path report
        # a matmul whose operands move in runs and whose tiles need nothing before the loop: by blocks of output tiles
        loop = self.loop
        # (a blocked matmul's PART_CB and READ_STAGE_CB share indices with BITCAST_CB: no bitcast or rounding cast in such a kernel)
        if loop and loop.kind == "matmul" and (all(loop.runs) or self.im2col > 1) and not any(u.op is Ops.BITCAST or u.op is Ops.CAST and u.dtype in
                                                                          (dtypes.float16, dtypes.bfloat16) or u.op in ROUNDED and u.dtype == dtypes.bfloat16 for u in uops) and not any(
                self.uops.index(u) < self.uops.index(loop.r) for u in self.on_tiles | set(self.idx_tiles)):
            import tensix as tt
            # one float32 output: the packer writes it as rows of the block (pack_untilize_dst), so the writer's runs
            # are rows BN tiles long, not a face's 16 values
            stores = [u for u in uops if u.op is Ops.STORE and root(u.src[0].src[0]).op is Ops.PARAM]
            loop.untilize = len(stores) == 1 and root(stores[0].src[0].src[0]).dtype == dtypes.float32 == stores[0].src[1].dtype
            loop.plan(tt.CHIPS[chip_name()])
        if loop:  # a sum's or max's one load along k moves as rows of C k-blocks (runs of C x 128 bytes: the NoC's packets
            # reach its link rate from 1 KiB); two such loads would interleave their tiles in one circular buffer, so then one
            # (a transposed operand's tiles are row-major blocks one above the other: one k-block at a time)
            loop.RC = loop.C if [r for r in map(self._rows, uops) if r] == ["rows"] else 1
            if not loop.blocked:
                import tensix as tt
                try: loop.split_k(math.prod(tt.CHIPS[chip_name()].grid), self.group)
                except ValueError as e: raise Unsupported(str(e)) from None
        if self.group and not (loop and loop.S == self.group): raise Unsupported("a group of a loop that is not a sum or max on tiles")
        loops_at = lambda u: {r for r in uops if r.op is Ops.RANGE and uops.index(r) < uops.index(u) < uops.index(
            next(e for e in uops if e.op is Ops.END and r in e.src))}
        if any(loops_at(u) != loops_at(self.fed_last[u]) or u.dtype not in FORMAT or any(FORMAT.get(x.dtype) != FORMAT[u.dtype] for x in self.fed
               if self.fed_side[x] == self.fed_side[u]) for u in self.fed) or \
                self.fed and loop and loop.kind == "matmul":
            raise Unsupported("a load whose index the compute kernel computes in another loop or format, or beside a matmul")
        self.hoisted, self._inv = {}, {}  # per side, the lane-invariant statements (uop -> C), before the tile loop
        self.stored = {root(u.src[0].src[0]) for u in uops if u.op is Ops.STORE}
        self.reader, self.writer = self._data_movement("reader"), self._data_movement("writer")
        self.compute = self._compute()
        self.fallbacks = sum(1 for _, _, contiguous in self.accesses if not contiguous)

    @staticmethod
    def _flatten(uops):
        """Nested reduce loops whose product is a multiply-accumulate of two loads (a convolution's channels, kernel
        rows and columns) as one loop over all of k, a matmul on tiles (im2col.py); other kernels keep their loops.
        Returns the UOps, how many loops became one, and the matmul's loop if they did."""
        flat, n = flatten(uops)
        if n == 1 or not IM2COL: return uops, 1, None
        try: loop = ReduceLoop.find(flat)
        except LookupError: loop = None
        return (flat, n, loop) if loop and loop.kind == "matmul" else (uops, 1, None)

    # ---- which processor does what
    def _users(self, u):
        if not hasattr(self, "_user_map"):
            self._user_map = {}
            for x in self.uops:
                for s in x.src: self._user_map.setdefault(s, []).append(x)
        return self._user_map.get(u, [])

    def _lane_ok(self, u):
        """Whether the data-movement cores can compute u for one lane: index arithmetic (float32 too: interpolate scales
        indices), and the loads and arithmetic of data-dependent indices (a gather's index tensor), and values the
        compute kernel hands them (self.fed)."""
        if const_of(u) is not None or self.kind.get(u) == "idx" or u in self.fed: return True
        if u.op is Ops.LOAD:
            return root(u.src[0].src[0]).op is Ops.PARAM and all(self._lane_ok(x) for x in self._access(u)[1:] if x is not None)
        return u.op in GROUP_ALU and u.dtype in CTYPE and all(self._lane_ok(x) for x in u.src)

    def _feeds(self):
        """The values a load's or store's index or gate needs that the data-movement cores cannot compute (a gather whose
        index the compute kernel accumulated in its register, as a cumulative sum does; a store gated by one): the
        compute kernel packs each tile of them into FED_CB[side] and the reader or writer reads its lanes there. Notes
        per value its side and the last access that reads it (which pops it)."""
        fed, self.fed_last, self.fed_side, memo = set(), {}, {}, {}
        def computable(u):
            if u not in memo:
                if const_of(u) is not None or self.kind.get(u) == "idx" or u in fed: memo[u] = True
                elif u.op is Ops.LOAD:
                    memo[u] = root(u.src[0].src[0]).op is Ops.PARAM and all(computable(x) for x in self._access(u)[1:] if x is not None)
                else: memo[u] = u.op in GROUP_ALU and u.dtype in CTYPE and all(computable(x) for x in u.src)
            return memo[u]
        def walk(u, top, side):
            if computable(u): return
            if u.op is Ops.LOAD and root(u.src[0].src[0]).op is Ops.PARAM:
                for x in self._access(u)[1:]:
                    if x is not None: walk(x, top, side)
            elif self.kind.get(u) == "val":
                if self.fed_side.get(u, side) != side: raise Unsupported("a value the reader and the writer both need from the compute kernel")
                fed.add(u); memo.clear()
                self.fed_last[u], self.fed_side[u] = top, side
        gates = []
        for u in self.uops:
            if u.op is Ops.IF: gates.append(u.src[0])
            elif u.op is Ops.ENDIF: gates.pop()
            elif u.op is Ops.LOAD and u in self.on_tiles and root(u.src[0].src[0]).op is Ops.PARAM:
                for x in [*self._access(u)[1:3], *gates]:
                    if x is not None: walk(x, u, "reader")
            elif u.op is Ops.STORE and root(u.src[0].src[0]).op is Ops.PARAM:
                for x in [*self._access(u)[1:3], *gates]:
                    if x is not None: walk(x, u, "writer")
        return sorted(fed, key=self.uops.index)

    def _picked(self, u):
        """(gate, other value) of a global load whose value where the gate is closed is computed, not a constant: the
        reader fills those lanes with 0 and the compute kernel picks the other value there (where_tile); else ()."""
        if u.op is not Ops.LOAD or root(u.src[0].src[0]).op is not Ops.PARAM: return ()
        _, _, gate, alt = self._access(u)
        return (gate, alt) if gate is not None and alt is not None and const_of(alt) is None else ()

    @staticmethod
    def _access(u):
        """(buffer, index, gate, other value) of a global load or store."""
        index = u.src[0]
        gate = index.src[2] if len(index.src) > 2 else u.src[2] if len(u.src) > 2 else None
        return root(index.src[0]), index.src[1], gate, (u.src[1] if u.op is Ops.LOAD and len(u.src) > 1 else None)

    def _classify(self, u):
        if u.op in (Ops.CONST,): return "const"
        if const_of(u) is not None: return "const"
        if u.op is Ops.SPECIAL and not u.arg.startswith("g"): raise Unsupported(f"local dimension {u.arg} (a lane is a tile lane)")
        if u.op in (Ops.SPECIAL, Ops.RANGE): return "idx"
        if u.op is Ops.PARAM: return "idx" if u.arg.addrspace == AddrSpace.ALU else "buf"
        if u.op in (Ops.BUFFER, Ops.AFTER, Ops.INDEX, Ops.STORE, Ops.END, Ops.SINK, Ops.GROUP, Ops.NOOP, Ops.IF, Ops.ENDIF, Ops.BARRIER):
            return "ctrl"
        if u.op is Ops.LOAD: return "val"
        if u.op is Ops.STACK and u.dtype == dtypes.void and not u.src: return "ctrl"  # a variable's PARAM lists an empty one
        if u.op in (Ops.STACK, Ops.SHRINK, Ops.WMMA, Ops.CUSTOM, Ops.CUSTOMI): raise Unsupported(f"{u.op} in a TT kernel")
        srcs = [self.kind[s] for s in u.src]
        if u.dtype in (dtypes.float32, dtypes.float16, dtypes.bfloat16, dtypes.float64) or "val" in srcs: return "val"
        return "idx"

    # ---- index arithmetic as C, per lane
    def _c(self, u, names):
        if (v := const_of(u)) is not None:
            return ("true" if v else "false") if u.dtype == dtypes.bool else f"({int(v)})" if dtypes.is_int(u.dtype) else c_float(v)
        return names[u]

    def _c_stmt(self, u, names):
        a = [self._c(s, names) for s in u.src]
        t = CTYPE.get(u.dtype)
        if t is None: raise Unsupported(f"index arithmetic in {u.dtype}")
        if u.op in C_BINARY: e = f"({a[0]} {C_BINARY[u.op]} {a[1]})"
        elif u.op is Ops.FDIV: e = f"({a[0]} / {a[1]})"
        elif u.op is Ops.RECIPROCAL: e = f"(1.0f / {a[0]})"
        elif u.op is Ops.MAX: e = f"({a[0]} > {a[1]} ? {a[0]} : {a[1]})"
        elif u.op is Ops.WHERE: e = f"({a[0]} ? {a[1]} : {a[2]})"
        elif u.op is Ops.NEG: e = f"(-{a[0]})"
        elif u.op is Ops.CAST: e = f"(({t}){a[0]})"
        elif u.op is Ops.BITCAST: e = f"__builtin_bit_cast({t}, {a[0]})"
        else: raise Unsupported(f"index op {u.op}")
        return f"{t} v{self.uops.index(u)} = {e};"

    def _invariant(self, u):
        """Whether u is the same for every lane and loop step: arithmetic on constants, variables and loads at such an
        index from a buffer the kernel does not store to (a scatter's index list: setitem's t[:, ind] = v)."""
        if u not in self._inv:
            if const_of(u) is not None or u in self.vars: self._inv[u] = True
            elif u.op is Ops.LOAD:
                buf, idx, gate, alt = self._access(u)
                self._inv[u] = buf.op is Ops.PARAM and buf not in self.stored and all(x is None or self._invariant(x) for x in (idx, gate, alt))
            else: self._inv[u] = u.op in GROUP_ALU and u not in self.fed and all(self._invariant(x) for x in u.src)
        return self._inv[u]

    def _lane_code(self, targets, names):
        """C statements computing `targets` for one lane, in program order (loads among them read one element)."""
        need, stack = set(), list(targets)
        while stack:
            u = stack.pop()
            if u in need or const_of(u) is not None or u.op in (Ops.RANGE, Ops.PARAM): continue
            if not self._lane_ok(u): raise Unsupported(f"an index computed from {u.op} on loaded values")
            need.add(u)
            if u in self.fed: continue
            stack.extend(x for x in self._access(u)[1:] if x is not None) if u.op is Ops.LOAD else stack.extend(u.src)
        out, once = [], self.hoisted.setdefault(self.side, {})
        for u in self.uops:
            if u not in need or u in once: continue
            if u.op is Ops.SPECIAL: out.append(f"int32_t v{self.uops.index(u)} = g{u.arg[-1]};")
            elif u in self.fed:  # the compute kernel's tile of it, waiting in FED_CB (see _feeds)
                k = self.fed_here.index(u) - self.fed_front
                self.fed_wait = max(self.fed_wait, k + 1)
                t = CTYPE[u.dtype]
                out.append(f"{t} v{self.uops.index(u)} = (({t}*)(fed_l1 + {k * TILE_BYTES[FORMAT[u.dtype]]}u))[lane];")
            elif u.op is Ops.LOAD:
                buf, idx, gate, alt = self._access(u)
                t, b = CTYPE.get(u.dtype) or "float", self.buf_index[buf]
                read = f"read_elem<{t}>(buf{b}, off{b} + (uint32_t){self._c(idx, names)} * {u.dtype.itemsize}u, run.stage + STAGE)"
                other = self._c(alt, names) if alt is not None and const_of(alt) is None else self._alt(const_of(alt) or 0 if alt is not None else 0, u.dtype)
                if gate is not None: read = f"({self._c(gate, names)} ? {read} : ({t}){other})"
                out.append(f"{t} v{self.uops.index(u)} = {read};")
            else: out.append(self._c_stmt(u, names))
            if self._invariant(u): once[u] = out.pop()  # the same for every lane: computed (read) once, before the tiles
        return out

    def _order(self):
        """tinygrad's global dimensions, fastest first: by their stride in the first store's index (tinygrad puts the
        innermost dimension first, gidx0, unless it split a dimension too large for one, whose inner part comes last)."""
        specials = {int(u.arg[-1]): u for u in self.uops if u.op is Ops.SPECIAL}
        order = sorted(specials, reverse=True)
        store = next((u for u in self.uops if u.op is Ops.STORE and root(u.src[0].src[0]).op is Ops.PARAM), None)
        sizes = {u: const_of(u.src[0]) for u in specials.values()}
        if store is None or None in sizes.values(): return order
        found = affine(store.src[0].src[1], sizes)
        if found is None: return order
        return sorted(order, key=lambda d: (abs(found[0].get(specials[d], 0)) or math.inf, -d))

    @staticmethod
    def _alt(v, dt):
        if dt == dtypes.bool: return "true" if v else "false"
        return c_float(v) if dtypes.is_float(dt) else str(int(v))

    def _global_size(self):
        """The global size the kernel was rendered for (gidx0, 1, 2), or None if one is symbolic."""
        sizes = {int(u.arg[-1]): const_of(u.src[0]) for u in self.uops if u.op is Ops.SPECIAL}
        return None if None in sizes.values() else [int(sizes.get(i, 1)) for i in range(3)]

    # ---- the arithmetic, on tiles in the destination register
    def _compute(self):
        """The arithmetic. A loaded tile stays in its circular buffer until a use copies it into the register (so a
        kernel's loads do not crowd the register's 8 tiles), unless it must outlive a loop boundary: then it is
        copied into a register tile at once. A tile is popped when it and every tile before it are used up."""
        uops = self._sunk()
        pos = {u: i for i, u in enumerate(uops)}
        tiles = [u for u in uops if u in self.on_tiles or u in self.idx_tiles]
        regs = [u for u in uops if u.op is Ops.BUFFER and u.arg.addrspace == AddrSpace.REG]
        last = {}
        for i, u in enumerate(uops):
            # ordering (a RANGE lists the loops around it), and the data-movement cores' index work: not uses of a tile
            if u.op in (Ops.END, Ops.AFTER, Ops.RANGE) or u.op is Ops.INDEX and root(u.src[0]).op is Ops.PARAM: continue
            if self.kind.get(u) in ("idx", "val") and u not in self.on_tiles and u not in self.idx_tiles: continue
            for x in u.src:
                if x in pos: last[x] = max(last.get(x, -1), i)
        bounds = [i for i, u in enumerate(uops) if u.op in (Ops.RANGE, Ops.END)]
        crosses = lambda x: any(pos[x] < b < last.get(x, -1) for b in bounds)
        # a tile in the register lives until its last use; a use inside a loop it was made outside of keeps it to the loop's end
        ends = {u.src[1] if len(u.src) > 1 else u.src[0]: i for i, u in enumerate(uops) if u.op is Ops.END}
        for r, e in ends.items():
            if r not in pos: continue
            for x, l in list(last.items()):
                if pos[x] < pos[r] < l <= e: last[x] = e
        slot, free, lines, depth = {}, list(range(DST_TILES)), [], 2
        reg_base, pinned, freed = {}, set(), set()
        queue, in_cb, depth_of = {}, {}, {}  # circular buffer -> [[uop, used up]]; uop -> its circular buffer
        loops, around = [], {}  # the RANGEs open at this point; a RANGE -> lines to put before and after its `for`
        def emit(line): lines.append("    " * depth + line)
        now = [0, set()]  # the UOp being done, and its operands
        def take(what):
            if not free: spill(what)
            return free.pop(0)
        def park(x, cb):
            queue.setdefault(cb, []).append([x, False])
            depth_of[cb] = max(depth_of.get(cb, 0), len(queue[cb]))
            in_cb[x] = cb
            return len(queue[cb]) - 1
        def spill(what):
            """Out of register tiles: the tile used furthest ahead is packed into a spill circular buffer and copied
            back when needed (as tt-metal kernels use their intermediate buffers). A tile made before a loop it is
            used in is packed before that loop and copied back at the top of each iteration, so its register tile is
            free from here to the end of every iteration."""
            i = now[0]
            alive = [x for x in slot if x not in freed and slot[x] not in pinned and x not in now[1] and last.get(x, -1) > i
                     and all(slot.get(o) != slot[x] for o in slot if o is not x and o not in freed)]
            if not alive: raise Unsupported(f"kernel needs more than {DST_TILES} destination-register tiles at {what}")
            x = max(alive, key=lambda x: last[x])
            crossed = [r for r in loops if pos[r] > pos[x]]
            d, level = slot.pop(x), len(loops) - len(crossed)
            cb = self._spill_cb(level, x.dtype)
            if not crossed: emit(f"cb_reserve_back({cb}, 1); pack_tile({d}, {cb}); cb_push_back({cb}, 1);")
            k = park(x, cb)
            if crossed:
                around[crossed[0]][0].append(f"cb_reserve_back({cb}, 1); pack_tile({d}, {cb}); cb_push_back({cb}, 1);")
                for r in crossed: around[r][1].append(f"cb_wait_front({cb}, {k + 1}); copy_tile({cb}, {k}, {d});")
            free.append(d)
        def dies(x, i): return x in slot and slot[x] not in pinned and last.get(x, -1) <= i
        def from_cb(x, d):
            cb = in_cb[x]
            k = [e[0] for e in queue[cb]].index(x)
            emit(f"cb_wait_front({cb}, {k + 1}); {'transpose_wh_tile' if self._rows(x) == 'columns' else 'copy_tile'}({cb}, {k}, {d});")
        def new_tile(x, what):  # a fresh register tile holding x's value
            d = take(what)
            if x in slot: emit(f"copy_dest_values({slot[x]}, {d});")
            elif x in in_cb: from_cb(x, d)
            elif (v := const_of(x)) is not None: emit(fill(d, v, x.dtype))
            else: raise Unsupported(f"no tile for {x.op}")
            return d
        def tile_of(x, i, temps):
            if x in slot: return slot[x]
            d = new_tile(x, "an operand"); temps.append(d)
            return d
        skip = None
        for i, u in enumerate(uops):
            now[0], now[1] = i, set(u.src)
            if skip is not None:
                if u is skip: skip = None
                continue
            if u.op is Ops.RANGE and self.loop and u is self.loop.r and self.loop.kind == "matmul":  # matmul_tiles over the k-blocks
                skip = self.loop.end
                if self.loop.blocked:
                    self.loop_at = (len(lines), reg_base[self.loop.acc][0])
                    continue
                for line in self.loop.compute(reg_base[self.loop.acc][0], lambda: take("a matmul"), free.append): emit(line)
                continue
            if self.loop and u is self.loop.acc_store: pass  # reduce_tile accumulated it
            elif u.op is Ops.RANGE:
                around[u] = ([], [])
                lines.append((u, 0, depth))
                if self.loop and u is self.loop.r: emit(self.loop.kb_loop())  # a sum: its terms tile by tile, reduce_tile of each
                else: emit(f"for (int32_t r{i} = 0; r{i} < {self._bound(u)}; r{i}++) {{")
                depth += 1
                lines.append((u, 1, depth))
                loops.append(u)
            elif u.op is Ops.END:
                depth -= 1; emit("}"); loops.pop()
                if self.loop and self.loop.r in u.src:
                    acc = reg_base[self.loop.acc][0]
                    if self.loop.S > 1:
                        tmp = take("a partial tile")
                        for x in self.loop.combine("compute", acc, tmp): emit(x)
                        free.append(tmp)
                    for x in self.loop.after_loop(acc): emit(x)
            elif u.op is Ops.BUFFER and u in regs:
                n = const_of(u.src[0]) if u.src else u.arg.size
                if n is None: raise Unsupported("a register array of unknown size")
                reg_base[u] = [take("a register array") for _ in range(int(n))]
                pinned.update(reg_base[u])
            elif u.op is Ops.STORE and root(u.src[0].src[0]) in reg_base:
                k = const_of(u.src[0].src[1])
                if k is None: raise Unsupported("a register array indexed by a variable")
                target = reg_base[root(u.src[0].src[0])][int(k)]
                x = u.src[1]
                if x in slot: emit(f"copy_dest_values({slot[x]}, {target});")
                elif x in in_cb: from_cb(x, target)
                else: emit(fill(target, const_of(x), x.dtype))
            elif u.op is Ops.LOAD and root(u.src[0].src[0]) in reg_base:
                k = const_of(u.src[0].src[1])
                if k is None: raise Unsupported("a register array indexed by a variable")
                slot[u] = reg_base[root(u.src[0].src[0])][int(k)]
            elif u.op is Ops.STORE and root(u.src[0].src[0]).op is Ops.PARAM:
                temps = []
                d = tile_of(u.src[1], i, temps)
                cb = OUT_CB[FORMAT[self._tile_dtype(root(u.src[0].src[0]).dtype)]]
                if self.loop and self.loop.untilize:  # into column j_ of the block's row; the row goes when its last tile is in
                    L = self.loop
                    emit((f"copy_dest_values({d}, 0); " if d != 0 else "") + f"cb_reserve_back({cb}, {L.BN}); pack_untilize_dst<1, {L.BN}>({cb}, 1, j_); "
                         f"if (j_ + 1 == {L.BN}u || bn0 + j_ + 1 == {L.TN}u) cb_push_back({cb}, {L.BN});")
                else: emit(f"cb_reserve_back({cb}, 1); pack_tile({d}, {cb}); cb_push_back({cb}, 1);")
                free.extend(temps)
            if u in tiles and u.op is not Ops.STORE:
                if u.op is Ops.LOAD and u in self.on_tiles and root(u.src[0].src[0]).op is Ops.PARAM or u in self.idx_tiles:
                    cb = IN_CB[FORMAT[dtypes.int32]] if u in self.idx_tiles else IN_CB[FORMAT[self._tile_dtype(root(u.src[0].src[0]).dtype)]]
                    if self._rows(u):  # the compute kernel makes this tile: a circular buffer of its own (one producer each)
                        cb = ROWS_CB
                        RC = self.loop.RC  # RC k-blocks' rows at once, their tiles used one per k-block
                        emit((f"if (kb % {RC} == 0) " if RC > 1 else "") + f"{{ cb_wait_front({RM_CB[0]}, {RC}); cb_reserve_back({cb}, {RC}); "
                             f"tilize_block({RM_CB[0]}, {RC}, {cb}); cb_push_back({cb}, {RC}); cb_pop_front({RM_CB[0]}, {RC}); }}")
                    park(u, cb)
                    if crosses(u) or self._picked(u):  # it must outlive a loop boundary, or take its other value: into the register now
                        slot[u] = d = take("a load")
                        from_cb(u, d)
                        queue[in_cb.pop(u)][-1][1] = True
                        if self._picked(u):
                            temps = []
                            c, alt = (tile_of(x, i, temps) for x in self._picked(u))
                            fmt = ("<DataFormat::UInt32>" if dtypes.is_unsigned(u.dtype) else "<DataFormat::Int32>") if dtypes.is_int(u.dtype) else ""
                            emit(f"where_tile{fmt}({c}, {d}, {alt}, {d});")
                            free.extend(temps)
                elif self.loop and u is self.loop.add:
                    x, acc = self.loop.x, reg_base[self.loop.acc][0]
                    d = slot[x] if dies(x, i) else new_tile(x, "a sum")
                    for line in self.loop.reduce(d, acc, lambda: take("a sum"), free.append): emit(line)
                    if slot.get(x) != d: free.append(d)
                    slot[u] = acc
                elif u.op is not Ops.LOAD or root(u.src[0].src[0]).op is Ops.PARAM:
                    self._alu(u, i, slot, take, free, dies, tile_of, new_tile, emit)
            if u in self.fed:  # to the reader, for a load's index
                temps = []
                cb = FED_CB[self.fed_side[u]]
                emit(f"cb_reserve_back({cb}, 1); pack_tile({tile_of(u, i, temps)}, {cb}); cb_push_back({cb}, 1);")
                free.extend(temps)
                if u in slot and slot[u] not in pinned and last.get(u, -1) <= i and slot[u] not in free: freed.add(u); free.append(slot[u])
            # free what died here, and pop the used-up tiles at the front of each circular buffer
            for x in u.src:
                if x in slot and x not in freed and slot[x] not in pinned and last.get(x, -1) <= i:
                    freed.add(x)
                    if slot[x] not in free and all(slot.get(o) != slot[x] for o in slot if o not in freed): free.append(slot[x])
            for cb, q in queue.items():
                for e in q:
                    if not e[1] and last.get(e[0], -1) <= i and e[0] is not u: e[1] = True
                n = 0
                while n < len(q) and q[n][1]: n += 1
                if n:
                    emit(" ".join([f"cb_pop_front({cb}, 1);"] * n))  # one page at a time: any number of pages wraps evenly
                    del q[:n]
        lines = [x for l in lines for x in ([l] if isinstance(l, str) else ["    " * l[2] + y for y in around[l[0]][l[1]]])]
        if self.loop and self.loop.S > 1: lines.append("    }")  # the tile's first core's part (combine())
        fmt = {cb: f for f, cb in IN_CB.items()} | {cb: f for (_, f), cb in self.spill_cbs.items()}
        if (parked := sum(n * TILE_BYTES[fmt.get(cb, 0)] for cb, n in depth_of.items())) > PARKED_L1:
            raise Unsupported(f"{parked // 1024} KiB of loaded and spilled tiles alive at once (at most {PARKED_L1 // 1024} KiB of L1)")
        self.cb_pages = {cb: max(2, n) for cb, n in depth_of.items()} | (self.loop.cbs() if self.loop else {}) | \
            {cb: max(2, sum(self.fed_side[u] == side for u in self.fed)) for side, cb in FED_CB.items() if side in self.fed_side.values()}
        if ROWS_CB in self.cb_pages: self.cb_pages[ROWS_CB] = max(self.cb_pages[ROWS_CB], self.loop.RC)
        return lines

    def _sunk(self):
        """The UOps with each computed tile moved down to just before its first use (within its loop body), so that
        fewer register tiles are alive at once than in tinygrad's order, which computes early."""
        pos = {u: i for i, u in enumerate(self.uops)}
        first = {}
        for i, u in enumerate(self.uops):
            for x in u.src: first.setdefault(x, i)
        bounds = [i for i, u in enumerate(self.uops) if u.op in (Ops.RANGE, Ops.END)]
        sinkable = {u for u in self.on_tiles if u.op is not Ops.LOAD and u not in self.idx_tiles and u not in self.fed and u in first
                    and not any(pos[u] < b < first[u] for b in bounds)}
        need = {}  # register tiles a subtree needs (Sethi-Ullman): the larger operand goes first
        def regs(u):
            if u not in need:
                ks = sorted((regs(x) for x in u.src if x in sinkable), reverse=True)
                need[u] = max([1] + [k + i for i, k in enumerate(ks)])
            return need[u]
        order, placed = [], set()
        def place(u):
            if u in placed: return
            placed.add(u)
            for x in sorted((x for x in u.src if x in sinkable), key=regs, reverse=True): place(x)
            order.append(u)
        for u in self.uops:
            if u not in sinkable: place(u)
        return order

    def _rows(self, u):
        """Whether u is a float32 load in a sum's loop that the reader reads as rows: "rows" if its lanes walk k along
        memory, "columns" if they walk the output's rows (a transposed operand: the compute kernel transposes it), else
        False."""
        if not self.loop or self.loop.kind not in ("sum", "max") or u.op is not Ops.LOAD or u in self.idx_tiles: return False
        if not self.uops.index(self.loop.r) < self.uops.index(u) < self.uops.index(self.loop.end): return False
        buf, idx, gate, _ = self._access(u)
        if buf.op is not Ops.PARAM or buf.dtype != dtypes.float32 or gate is not None: return False
        return "rows" if self.loop.row_run(idx) else "columns" if self.loop.column_run(idx) else False

    def _bound(self, r):
        """A loop's bound as C: a constant, or arithmetic on the kernel's variables (a[:i].sum() loops i * 3 times)."""
        def c(u):
            if (v := const_of(u)) is not None: return f"({int(v)})"
            if u in self.vars: return f"var{self.vars.index(u)}"
            if u.op is Ops.CAST and dtypes.is_int(u.dtype): return c(u.src[0])
            if u.op in C_BINARY and len(u.src) == 2: return f"({c(u.src[0])} {C_BINARY[u.op]} {c(u.src[1])})"
            if u.op is Ops.MAX: return f"({c(u.src[0])} > {c(u.src[1])} ? {c(u.src[0])} : {c(u.src[1])})"
            raise Unsupported("a loop bound computed per lane")
        return c(r.src[0])

    def _alu(self, u, i, slot, take, free, dies, tile_of, new_tile, emit):
        temps = []
        srcs = list(u.src)
        if u.op is Ops.CAST:
            s = srcs[0]
            d = slot[s] if dies(s, i) else new_tile(s, "a cast")
            to, frm = u.dtype, s.dtype
            if to == dtypes.bool: emit(f"fill_tile({(t := take('a cast'))}, 0u); ne_binary_tile({d}, {t});"); free.append(t)
            elif to not in FORMAT and to not in NARROW: raise Unsupported(f"a cast to {to}")
            elif dtypes.is_int(to) and dtypes.is_float(frm): emit(f"trunc_tile({d});")
            elif to in (dtypes.float16, dtypes.bfloat16) and frm not in (to, dtypes.bool): self._round(d, to, emit)
            if to in NARROW and not (frm == dtypes.bool or frm in NARROW and to.min <= frm.min and frm.max <= to.max):
                self._wrap(d, to, take, free, emit)
            slot[u] = d
        elif u.op is Ops.BITCAST:  # the register's words as another type: packed in one format, copied back in the other
            s = srcs[0]
            d = slot[s] if dies(s, i) else new_tile(s, "a bitcast")
            if s.dtype in WIDE: self._wrap(d, UNSIGNED_OF[s.dtype], take, free, emit)  # its bits: the unsigned type's value
            a, b = FORMAT.get(UNSIGNED_OF.get(s.dtype, s.dtype)), FORMAT.get(UNSIGNED_OF.get(u.dtype, u.dtype))
            if a is None or b is None: raise Unsupported(f"a bitcast from {s.dtype} to {u.dtype}")
            if a != b:
                x, y = self._bitcast_cb(a), self._bitcast_cb(b)
                emit(f"cb_reserve_back({x}, 1); pack_tile({d}, {x}); cb_push_back({x}, 1); cb_wait_front({x}, 1); cb_pop_front({x}, 1); "
                     f"cb_reserve_back({y}, 1); cb_push_back({y}, 1); cb_wait_front({y}, 1); copy_tile({y}, 0, {d}); cb_pop_front({y}, 1);")
            if u.dtype in WIDE: self._wrap(d, u.dtype, take, free, emit)  # the unsigned type's value, sign-extended
            slot[u] = d
        elif u.op in SFPU_UNARY:
            s = srcs[0]
            d = slot[s] if dies(s, i) else new_tile(s, str(u.op))
            if u.op is Ops.NEG and dtypes.is_int(u.dtype): emit(f"negative_tile_int32({d});")  # on the words, all 32 bits
            else: [emit(line.format(d=d) + ";") for line in SFPU_UNARY[u.op]]
            slot[u] = d
        elif u.op is Ops.WHERE:
            c, a, b = (tile_of(s, i, temps) for s in srcs)
            d = slot[srcs[0]] if dies(srcs[0], i) else take("where")
            fmt = ("<DataFormat::UInt32>" if dtypes.is_unsigned(u.dtype) else "<DataFormat::Int32>") if dtypes.is_int(u.dtype) else ""
            emit(f"where_tile{fmt}({c}, {a}, {b}, {d});")
            slot[u] = d
        elif u.op in SFPU_BINARY or u.op in SFPU_INT:
            a, b = srcs
            if const_of(a) is not None and const_of(b) is None and u.op in (Ops.ADD, Ops.MUL, Ops.MAX, Ops.CMPNE, Ops.CMPEQ, Ops.AND, Ops.OR, Ops.XOR):
                a, b = b, a
            d = slot[a] if dies(a, i) else new_tile(a, str(u.op))
            dt = srcs[0].dtype
            if (dtypes.is_int(dt) or dt == dtypes.bool) and u.op in SFPU_INT:
                name = SFPU_INT[u.op] if isinstance(SFPU_INT[u.op], str) else SFPU_INT[u.op][dtypes.is_unsigned(dt) or dt == dtypes.bool]
                name = name.replace("<F>", "<DataFormat::UInt32>" if dtypes.is_unsigned(dt) or dt == dtypes.bool else "<DataFormat::Int32>")
                emit(f"{name}({d}, {tile_of(b, i, temps)}, {d});" + (f" {INT_AFTER[u.op]}({d});" if u.op in INT_AFTER else ""))
            elif (v := const_of(b)) is not None and u.op in SFPU_SCALAR: emit(f"{SFPU_SCALAR[u.op]}({d}, {fbits(v)});")
            else: emit(f"{SFPU_BINARY[u.op]}({d}, {tile_of(b, i, temps)});")
            slot[u] = d
        else: raise Unsupported(f"{u.op} on tiles")
        free.extend(temps)
        if u.dtype in NARROW and u.op in (Ops.ADD, Ops.SUB, Ops.MUL, Ops.SHL, Ops.NEG): self._wrap(slot[u], u.dtype, take, free, emit)
        # arithmetic in bfloat16 rounds each result to it, as tinygrad's own bfloat16 (float32 ops, each result rounded)
        # and torch's do: the register computes in float32. float16 rounds at a cast or a store, as C's _Float16 does
        # within an expression (clang's excess precision: tinygrad's CPU backend sums a half matmul's products unrounded)
        if u.dtype == dtypes.bfloat16 and u.op in ROUNDED: self._round(slot[u], u.dtype, emit)

    def _pool_left(self):
        """SPILL_CBS' indices no spill or bitcast of this kernel has taken yet."""
        return [cb for cb in SPILL_CBS if cb not in (*self.spill_cbs.values(), *self.bitcast_cbs)]

    def _spill_cb(self, level, dt):
        """The spill buffer for tiles of dtype dt parked at loop depth level: integer tiles go to an Int32 or UInt32
        buffer as their words (a Float32 one would take their values, which round beyond 2^24, and a signed one would
        come back as signed: emulated int64 keeps its words in uint32 tiles), bool tiles to a UInt8 one (a quarter of
        the L1: int64's division keeps its 64 quotient bits), float tiles to a Float32 one."""
        fmt = FORMAT[dtypes.bool if dt == dtypes.bool else dtypes.uint32 if dtypes.is_unsigned(dt) else dtypes.int32 if dtypes.is_int(dt) else dtypes.float32]
        if (level, fmt) not in self.spill_cbs:
            left = self._pool_left()
            if not left: raise Unsupported(f"spills in {len(self.spill_cbs) + 1} loop depths and formats and bitcasts in one kernel")
            self.spill_cbs[level, fmt] = left[0]
        return self.spill_cbs[level, fmt]

    def _round(self, d, dt, emit):
        """Round register tile d to float16 or bfloat16, as the packer rounds to that format."""
        x = self._bitcast_cb(FORMAT[dt])
        emit(f"cb_reserve_back({x}, 1); pack_tile({d}, {x}); cb_push_back({x}, 1); cb_wait_front({x}, 1); copy_tile({x}, 0, {d}); cb_pop_front({x}, 1);")

    @staticmethod
    def _tile_dtype(dt): return dtypes.int32 if dt in WIDE else dt

    def _bitcast_cb(self, fmt):
        """The circular buffer index that holds tiles in format fmt in this kernel's bitcasts."""
        if fmt not in self.bitcasts: self.bitcasts.append(fmt)
        if len(self.bitcasts) > len(self.bitcast_cbs):
            left = self._pool_left()
            if not left: raise Unsupported(f"bitcasts or roundings through formats {self.bitcasts} and spills in one kernel")
            self.bitcast_cbs.append(left[-1])
        return self.bitcast_cbs[self.bitcasts.index(fmt)]

    @staticmethod
    def _wrap(d, dt, take, free, emit):
        """Wrap register tile d's integers to dt's range, as C's conversion to a narrower integer does: the low bits,
        then the sign bit extended for a signed type."""
        t = take("a wrap")
        bits = 8 * dt.itemsize
        F = "<DataFormat::Int32>"
        emit(f"fill_tile({t}, {fbits((1 << bits) - 1)}); bitwise_and_binary_tile{F}({d}, {t}, {d});")
        if not dtypes.is_unsigned(dt):
            emit(f"fill_tile({t}, {fbits(1 << (bits - 1))}); bitwise_xor_binary_tile{F}({d}, {t}, {d}); sub_int_tile{F}({d}, {t}, {d});")
        free.append(t)

    def sources(self):
        bufs = "".join(f"    InterleavedAddrGen<true> buf{i} = {{get_arg_val<uint32_t>({6 + 2 * i}), {PAGE}}}; "
                       f"uint32_t off{i} = get_arg_val<uint32_t>({7 + 2 * i});\n" for i in range(len(self.params)))
        nb = 6 + 2 * len(self.params)
        vars_ = "".join(f"    int32_t var{i} = (int32_t)get_arg_val<uint32_t>({nb + i});\n" for i in range(len(self.vars)))
        args = ("    uint32_t t0 = get_arg_val<uint32_t>(0), t1 = get_arg_val<uint32_t>(1), lanes = get_arg_val<uint32_t>(2);\n"
                "    uint32_t s0 = get_arg_val<uint32_t>(3), s1 = get_arg_val<uint32_t>(4), s2 = get_arg_val<uint32_t>(5);\n"
                "    (void)s0; (void)s1; (void)s2;\n")
        loop = self.loop
        blocked = loop is not None and loop.blocked
        tiles = (lambda body: body) if blocked else lambda body: "    for (uint32_t t = t0; t < t1; t++) {\n" + body + "\n    }"
        split = "".join(x + "\n" for x in (loop.split_args(nb + len(self.vars)) if loop else []))
        dm = lambda body, run, pro=(): (f'#include <cstring>\n#include "dataflow_api.h"\n{run}\nvoid kernel_main() {{\n{args}{bufs}{vars_}{split}'
                                f"    Run run{{get_write_ptr({STAGE_CB})}};\n" + "".join(x + "\n" for x in pro) +
                                tiles("\n".join(body)) + "\n}\n")
        if blocked:  # one tile's code, inside the block's loops
            at, acc = self.loop_at
            body = "\n".join(loop.compute_blocked(self.compute[:at], self.compute[at:], acc, nb + len(self.vars)))
        else: body = tiles("        acquire_dst(tt::DstMode::Full);\n" + "\n".join(self.compute) + "\n        release_dst(tt::DstMode::Full);")
        compute = ('#include "compute_kernel_api.h"\n#include "compute_kernel_api/tile_move_copy.h"\n'
                   '#include "compute_kernel_api/matmul.h"\n#include "compute_kernel_api/reduce.h"\n'
                   '#include "compute_kernel_api/tilize.h"\n#include "compute_kernel_api/pack_untilize.h"\n#include "compute_kernel_api/transpose_wh.h"\n'
                   '#include "compute_kernel_api/eltwise_unary/fill.h"\n#include "compute_kernel_api/compute_kernel_hw_startup.h"\n'
                   "namespace NAMESPACE {\nvoid MAIN {\n    uint32_t t0 = get_arg_val<uint32_t>(0), t1 = get_arg_val<uint32_t>(1);\n"
                   + "".join(f"    int32_t var{i} = (int32_t)get_arg_val<uint32_t>({nb + i});\n" for i in range(len(self.vars))) + split +
                   "".join(x + "\n" for x in (loop.compute_prologue() if loop else [])) +
                   body + "\n" + "".join(x + "\n" for x in (loop.compute_epilogue() if loop else [])) +
                   "}\n}\n")
        compute = add_inits(compute)  # what silicon needs before each tile op (inits.py)
        mcast = blocked and loop.mcast  # the share's args follow the kernel's: A's to the reader, B's to the writer
        sh = lambda sem: [f"    Share sh = share_args({nb + len(self.vars)}, {sem});"] if mcast else []
        once = {side: ["    " + x for x in self.hoisted.get(side, {}).values()] for side in ("reader", "writer")}
        return {"name": self.name, "reader": dm(self.reader, GATHER + (SHARE if mcast else ""), [*once["reader"], *(loop.reader_prologue() if loop else ()), *sh(0)]),
                "writer": dm(self.writer, SCATTER + (READ_RUN + (SHARE if mcast else "") if blocked else ""),
                             [*once["writer"], *([f"    ReadRun rrun{{get_write_ptr({READ_STAGE_CB})}};", *sh(2)] if blocked else ())]), "mcast": mcast or None, "senders": blocked and loop.senders,
                "compute": compute, "cb_pages": self.cb_pages, "global": self._global_size(),
                "split": [loop.S, loop.KB // loop.RC, loop.RC] if loop and loop.S > 1 else None, "locals": self.locals, "bitcast": self.bitcasts, "spills": {cb: fmt for (_, fmt), cb in self.spill_cbs.items()}, "bitcast_cbs": self.bitcast_cbs[:len(self.bitcasts)], "fed": {cb: FORMAT[u.dtype] for u in self.fed for side, cb in FED_CB.items() if self.fed_side[u] == side}, "blocks": loop.blocks if blocked else None,
                "tiles": loop.tiles if loop else None, "lanes": math.prod(loop.sizes.values()) if loop else None, "math": (loop.kind if loop else "sfpu"), "im2col": self.im2col, "bufs": len(self.params), "vars": len(self.vars), "fallbacks": self.fallbacks, "accesses": len(self.accesses)}


class TTRenderer(Renderer):
    device = "TT"
    has_local, has_shared, supports_float4 = True, False, False  # has_local: loops over outputs become lanes (global dims)
    local_max = (1024, 1024, 1024)  # a tile's lanes per dimension: each local stays its own index (a GROUP's becomes cores: ungroup; a LOCAL's lanes: unlocal)
    global_max = (65535, 65535, 65535)
    code_for_op = {op: None for op in (Ops.EXP2, Ops.LOG2, Ops.SIN, Ops.SQRT, Ops.RECIPROCAL, Ops.NEG, Ops.TRUNC, Ops.ADD, Ops.SUB,
                                       Ops.MUL, Ops.FDIV, Ops.MAX, Ops.CMPLT, Ops.CMPNE, Ops.CMPEQ, Ops.WHERE, Ops.CDIV, Ops.CMOD,
                                       Ops.AND, Ops.OR, Ops.XOR, Ops.SHL, Ops.SHR)}

    def __init__(self, target):
        super().__init__(target)
        from .device import TTCompiler
        self.compiler = TTCompiler()

    def supported_dtypes(self): return set(FORMAT) | set(WIDE)

    def render(self, uops: list) -> str:
        sink = uops[-1]
        name = ansistrip(getattr(sink.arg, "name", "kernel"))
        try:
            k = Kernel(list(uops), name)
            # tinygrad's BEAM takes its best candidate even when every one is worse than no opts (it never times the
            # kernel it starts from), and upcasts and unrolls turn a lane's elements into strided ones here: so
            # candidates that gather are refused, and the search keeps the kernel it started from if none is left.
            if name == "test" and k.fallbacks: raise Unsupported(f"BEAM candidate with {k.fallbacks} gathered loads or stores")
            return json.dumps(k.sources())
        except Unsupported as e:
            raise Unsupported(f"TT kernel {name}: {e}") from None
