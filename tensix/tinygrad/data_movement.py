"""The data-movement half of a tinygrad kernel: the reader's loads and the writer's stores, lane by lane.

Every tile the compute kernel works on is 1024 lanes, each a thread of tinygrad's kernel. The reader builds a tile of
loaded values in a circular buffer and the writer takes a packed tile apart again; both walk the same loop nest as the
compute kernel, so tiles arrive and leave in the order it consumes and produces them. A load or store whose lanes are
one contiguous run of memory moves as whole runs (the tile path); any other index pattern is gathered or scattered
element by element (the fallback path, counted). Kernel (renderer.py) mixes this in; here are its layout constants."""
import math
from tinygrad.dtype import dtypes
from tinygrad.uop.ops import Ops, UOp, exec_alu
from .reduce_loop import FACES, RM_CB, affine

TILE = 1024     # lanes in a tile
PAGE = 4096     # bytes in a page of a tinygrad buffer in DRAM (interleaved over the banks)
# element formats a tile can hold (tt-metal's DataFormat codes) and the circular buffers that carry them
FORMAT = {dtypes.float32: 0, dtypes.float16: 1, dtypes.bfloat16: 5, dtypes.int32: 8, dtypes.uint32: 24, dtypes.uint16: 9,
          dtypes.uint8: 30, dtypes.bool: 30}
# int8 and int16 buffers hold their narrow elements in DRAM; their tiles hold int32 (no tile format has them): the
# reader sign-extends the elements in L1 and the writer narrows them back, so the compute kernel sees int32 words
WIDE = {dtypes.int8: "int8_t", dtypes.int16: "int16_t"}
TILE_BYTES = {0: 4096, 1: 2048, 5: 2048, 8: 4096, 24: 4096, 9: 2048, 30: 1024}
IN_CB = {f: i for i, f in enumerate(sorted(set(FORMAT.values())))}          # reader -> compute, one per format
OUT_CB = {f: 16 + i for i, f in enumerate(sorted(set(FORMAT.values())))}   # compute -> writer
STAGE_CB, STAGE_PAGES = 24, 8   # L1 where the data-movement cores stage unaligned runs (pages of PAGE bytes)
FED_CB = {"reader": 26, "writer": 27}  # values the compute kernel hands the data-movement cores for an index (a matmul uses them: never both)
CTYPE = {dtypes.float32: "float", dtypes.bool: "bool", dtypes.int32: "int32_t", dtypes.uint32: "uint32_t", dtypes.uint8: "uint8_t", dtypes.uint16: "uint16_t",
         dtypes.int64: "int64_t", dtypes.uint64: "uint64_t", dtypes.int8: "int8_t", dtypes.int16: "int16_t"}


class Unsupported(Exception): pass


def root(u: UOp) -> UOp:
    while u.op is Ops.AFTER: u = u.src[0]
    return u


def const_of(u: UOp):
    """The Python value of a constant (through casts of constants), else None."""
    if u.op is Ops.CONST: return u.arg
    if u.op is Ops.CAST and (v := const_of(u.src[0])) is not None:
        return bool(v) if u.dtype == dtypes.bool else int(v) if dtypes.is_int(u.dtype) else float(v)
    return None


class DataMovement:
    """The reader and writer of a Kernel: which loads and stores move as runs, and the code that moves them."""

    def _contiguous(self, idx, gate, load=False):
        """Whether an index takes the lanes of a tile to one contiguous run (lane i -> base + i) with every gate open,
        tried on the first tile with loops and variables at 0; or, for a load, to one element per run of at least 32
        lanes along the fastest dimension (a per-row value broadcast along the row, softmax's x - max[row]): the reader
        reads each such element once and copies it along its run in L1 (Run::again)."""
        specials = {s: const_of(s.src[0]) for s in self.uops if s.op is Ops.SPECIAL}
        if self.loop:
            found = affine(idx, specials) if gate is None else None
            return found is not None and self.loop.contiguous(found[0])
        fast = next((s for s in specials if int(s.arg[-1]) == self.lane_order[0]), None) if self.lane_order else None
        if load and gate is None and fast is not None and (specials[fast] or 0) >= 32 and None not in specials.values():
            found = affine(idx, specials)
            if found is not None and not found[0].get(fast): return True
        vals = {}
        def ev(u, lane):
            if (v := const_of(u)) is not None: return v
            if u.op is Ops.SPECIAL:
                sizes = [const_of(s.src[0]) for s in sorted((x for x in self.uops if x.op is Ops.SPECIAL), key=lambda s: s.arg)]
                if any(s is None for s in sizes): raise Unsupported("symbolic size")
                g, k = lane, self.lane_order.index(int(u.arg[-1]))
                for d in self.lane_order[:k]: g //= sizes[d]
                return g % sizes[self.lane_order[k]] if k < len(sizes) - 1 else g
            if u.op in (Ops.RANGE, Ops.PARAM): return 0
            key = (u, lane)
            if key not in vals: vals[key] = exec_alu(u.op, u.dtype, [ev(s, lane) for s in u.src])
            return vals[key]
        try:
            sizes = [const_of(s.src[0]) for s in self.uops if s.op is Ops.SPECIAL]
            n = min(TILE, math.prod(sizes)) if None not in sizes else TILE
            first = ev(idx, 0)
            return all(ev(idx, i) == first + i and (gate is None or ev(gate, i)) for i in [*range(0, n, 31), n - 1])
        except Exception:
            return False

    def _data_movement(self, which):
        """The reader (loads, and index values the arithmetic needs) or the writer (stores), walking the loop nest."""
        names = {u: f"v{i}" for i, u in enumerate(self.uops)}
        for v in self.vars: names[v] = f"var{self.vars.index(v)}"
        self.side, self.fed_front, self.fed_wait = which, 0, 0
        self.fed_here = [u for u in self.fed if self.fed_side[u] == which]
        body, depth, gates = [], 1, []
        def emit(line): body.append("    " * depth + line)
        skip, start = None, 0
        if self.loop and self.loop.blocked:
            # per k-step, A's strips on the reader (NCRISC, NoC 1) and B's on the writer (BRISC, NoC 0), as tt-metal's
            # matmul kernels split them; then each output tile of the block as the kernel's code after the loop has it
            L, a = self.loop, which == "reader"
            names[L.r] = "r_"
            emit(L.block_head); depth += 1
            strips = f"for (uint32_t s_ = 0; s_ < {L.BM if a else L.BW}u; s_++) {{ int32_t kb = (int32_t)(g * {L.BW}u{'' if a else ' + s_'});"
            read = lambda share: self._lane_loop(L.loads[not a], names, gates, depth + 1, "load", "ab"[not a], RM_CB[not a], L.BW if a else L.BN,
                                                 run="run" if a else "rrun", share=share)
            if L.senders:  # the sender reads the strips for its compute kernel to split, and multicasts the parts; the rest receive them
                emit(f"for (uint32_t g = 0; g < {L.G}u; g++) if (sh.sender) {{"); emit(strips); body.extend(read(None)); emit("}")
                for line in L.shared_parts(a): emit(line)
            else:
                emit(f"for (uint32_t g = 0; g < {L.G}u; g++) {strips}"); body.extend(read("sh" if L.mcast else None)); emit("}")
            emit(L.rows_head if L.untilize and not a else L.tiles_head); depth += 1
            start = self.uops.index(L.end) + 1
        for i, u in enumerate(self.uops):
            if i < start: continue
            if skip is not None:
                if u is skip:
                    skip = None
                    if which == "writer" and u is self.loop.end and self.loop.S > 1: [emit(x) for x in self.loop.combine("writer")]
                continue
            if u.op is Ops.RANGE and self.loop and u is self.loop.r:  # the k-blocks of the loaded tiles
                names[u] = f"r{i}"
                if which == "writer" or self.loop.kind == "matmul": skip = self.loop.end
                if which == "writer": continue
                emit(self.loop.kb_loop()); depth += 1
                if self.loop.kind == "matmul":  # rows of A for C k-blocks at once, rows of B for one
                    emit(f"if (kb % {self.loop.C} == 0) {{")
                    body.extend(self._lane_loop(self.loop.loads[0], names, gates, depth + 1, "load", "a", RM_CB[0], self.loop.C))
                    emit("}")
                    if self.loop.cache_b: emit(f"if ({self.loop.new_column}) {{")
                    body.extend(self._lane_loop(self.loop.loads[1], names, gates, depth + self.loop.cache_b, "load", "b", RM_CB[1]))
                    if self.loop.cache_b: emit("}")
                    depth -= 1; emit("}")
                elif u in self.idx_tiles: body.extend(self._lane_loop(u, names, gates, depth, "load", block="a"))
            elif u.op is Ops.RANGE:
                names[u] = f"r{i}"
                emit(f"for (int32_t r{i} = 0; r{i} < {self._bound(u)}; r{i}++) {{"); depth += 1
                if which == "reader" and u in self.idx_tiles: body.extend(self._lane_loop(u, names, gates, depth, "load"))
            elif u.op is Ops.END:
                depth -= 1; emit("}")
                if self.loop and u is self.loop.end and self.loop.S > 1: [emit(x) for x in self.loop.combine("reader")]
            elif u.op is Ops.IF: gates.append(u.src[0])
            elif u.op is Ops.ENDIF: gates.pop()
            elif which == "reader" and (u.op is Ops.LOAD and u in self.on_tiles and root(u.src[0].src[0]).op is Ops.PARAM or u in self.idx_tiles):
                inside = self.loop and self.uops.index(self.loop.r) < i < self.uops.index(self.loop.end)
                rows = self._rows(u)  # a sum's rows move as rows of RC k-blocks, tilized by the compute kernel
                wide = rows and self.loop.RC > 1
                if wide: emit(f"if (kb % {self.loop.RC} == 0) {{")
                body.extend(self._lane_loop(u, names, gates, depth + wide, "load", block=rows or ("a" if inside else None),
                                            cb=RM_CB[0] if rows else None, pages=self.loop.RC if rows else 1))
                if wide: emit("}")
            elif which == "writer" and u.op is Ops.STORE and root(u.src[0].src[0]).op is Ops.PARAM:
                rows = self.loop is not None and self.loop.untilize
                body.extend(self._lane_loop(u, names, gates, depth, "store", "c" if rows else None, pages=self.loop.BN if rows else 1))
        if start: depth -= 2; emit("}}")
        if self.loop and self.loop.S > 1: emit("}")  # the tile's first core's part (combine())
        return body

    def _lane_loop(self, u, names, gates, depth, what, block=None, cb=None, pages=1, run="run", share=None):
        """One tile's worth of a load (into the reader's circular buffer) or a store (out of the writer's); with a
        reduce loop on tiles, `block` "a" or "b" builds that operand's tile of k-block kb into circular buffer `cb`."""
        pad, column = "    " * depth, False
        if u.op in (Ops.LOAD, Ops.STORE):
            buf, idx, gate, alt = self._access(u)
            conds = [g for g in gates + ([gate] if gate is not None else [])]
            dt = buf.dtype
            if dt not in FORMAT and dt not in WIDE: raise Unsupported(f"{dt} buffers")
            if dt in WIDE and (pages != 1 or cb is not None): raise Unsupported(f"{dt} operands of a reduce loop read as rows")
            esize, fmt = dt.itemsize, FORMAT[dtypes.int32 if dt in WIDE else dt]
            widen = f"{{ {WIDE[dt]}* e = ({WIDE[dt]}*)tile; int32_t* w = (int32_t*)tile;" if dt in WIDE else None
            contiguous = not gates and (self._contiguous(idx, gate, what == "load") if block in (None, "c") else self.loop.runs["ab".index(block)]
                                        if self.loop.kind == "matmul" else block == "columns" or self.loop.row_run(idx))
            self.accesses.append((what, u, contiguous))
            lines = self._lane_code([idx] + conds, names)
            cond = " && ".join(f"({self._c(c, names)})" for c in conds) or "true"
            b = self.buf_index[buf]
            alt = const_of(alt) or 0 if alt is not None else 0  # a computed one: the compute kernel picks it (_picked)
            if what == "load":
                cb = IN_CB[fmt] if cb is None else cb
                head = [f"cb_reserve_back({cb}, {pages});", f"uint32_t tile = get_write_ptr({cb});"]
                act = [f"if (!({cond})) {{ (({CTYPE.get(dt, 'float')}*)tile)[lane] = {self._alt(alt, dt)}; continue; }}",
                       f"{run}.add(buf{b}, off{b} + (uint32_t){self._c(idx, names)} * {esize}u, tile + lane * {esize}u, {esize}u);"]
                tail = [f"{run}.flush();", "gather_done();", f"{run}.last_at = ~0ull;  // the next tile copies nothing from this one",
                        *([f"share({share}, tile, {pages * TILE_BYTES[FORMAT[dtypes.float32]]}u);"] if share else []),
                        *([widen + " for (int32_t i = 1023; i >= 0; i--) w[i] = e[i]; }  // sign-extended in place, last first"] if widen else []),
                        f"cb_push_back({cb}, {pages});"]
            else:
                # a sum's or max's results are column 0 of its tile: moved into row 0 (the lanes in order, each to a
                # place at or before its own), so that results consecutive in memory leave in one NoC write
                column = self.loop is not None and self.loop.kind in ("sum", "max")
                # a dimension it is stored along that is consecutive in memory: the value copied along a row in L1 (the
                # tile past row 0) leaves in runs
                coef = (affine(idx, self.loop.sizes) or ({},))[0] if column else {}
                inner = next((s for s in self.loop.bcast if coef.get(s) == 1), None) if column else None
                copies = min(self.loop.sizes[inner], TILE - 32) if inner is not None else 0
                src = f"tile + (32u + (uint32_t)g{inner.arg[-1]} % {copies}u) * {esize}u" if inner is not None else \
                    f"tile + {'r_' if column else 'lane'} * {esize}u"
                cb = OUT_CB[FORMAT[u.src[1].dtype] if u.src[1].dtype in FORMAT else fmt]
                if FORMAT.get(u.src[1].dtype, fmt) != fmt: raise Unsupported("a store whose value is another format than its buffer")
                head = [f"cb_wait_front({cb}, {pages});", f"uint32_t tile = get_read_ptr({cb});",
                        *([widen + f" for (uint32_t i = 0; i < 1024u; i++) e[i] = ({WIDE[dt]})w[i]; }}  // narrowed in place, first first"] if widen else []),
                        *([f"for (uint32_t r_ = 1; r_ < 32u; r_++) memcpy((void*)(uintptr_t)(tile + r_ * {esize}u), "
                           f"(const void*)(uintptr_t)(tile + (r_ / 16u * 512u + r_ % 16u * 16u) * {esize}u), {esize});"] if column else [])]
                act = [f"if (!({cond})) continue;",
                       f"run.add(buf{b}, off{b} + (uint32_t){self._c(idx, names)} * {esize}u, {src}, {esize}u);"]
                tail = ["run.flush();", "noc_async_write_barrier();", f"cb_pop_front({cb}, {pages});"]
        else:  # an index value the arithmetic uses: a tile of it, one int32 per lane
            cb = IN_CB[FORMAT[dtypes.int32]]
            lines = self._lane_code([u], names)
            head = [f"cb_reserve_back({cb}, 1);", f"uint32_t tile = get_write_ptr({cb});"]
            act = [f"((int32_t*)tile)[lane] = (int32_t){self._c(u, names)};"]
            tail = [f"cb_push_back({cb}, 1);"]
        if u.op is Ops.LOAD and self.loop and self.loop.kind in ("sum", "max") and block is None and gate is None and not gates and not self.fed_wait and u.dtype not in WIDE and self._column(idx):
            # a value per row of the tile (softmax's max[row] beside its rows): the 32 rows' values in one run, then
            # copied along each row in L1 (the lanes' own order, face by face, would read each row's value twice)
            code = [f"cb_reserve_back({cb}, 1);", f"uint32_t tile = get_write_ptr({cb});", "run.flush(); gather_done(); run.used = 0;",
                    "uint32_t col = run.stage + STAGE - 256;  // below read_elem's 64 bytes", "for (uint32_t r_ = 0; r_ < 32u; r_++) {",
                    "    uint32_t lane = r_ / 16u * 512u + r_ % 16u * 16u;", "    " + self.loop.dims(None),
                    f"    if (!({self.loop.valid('in', names)})) continue;", *("    " + x for x in lines),
                    f"    run.add(buf{b}, off{b} + (uint32_t){self._c(idx, names)} * {esize}u, col + r_ * {esize}u, {esize}u);", "}",
                    "run.flush(); gather_done(); run.last_at = ~0ull;",
                    f"for (uint32_t lane = 0; lane < 1024u; lane++) {{ {FACES} (void)tj; memcpy((void*)(uintptr_t)(tile + lane * {esize}u), "
                    f"(const void*)(uintptr_t)(col + (uint32_t)ti * {esize}u), {esize}); }}", f"cb_push_back({cb}, 1);"]
            return [pad + "{"] + [pad + "    " + x for x in code] + [pad + "}"]
        if self.fed_wait:  # the compute kernel's tiles this index reads: wait for them, pop those no later access reads
            if block is not None: raise Unsupported(f"a {what} in a reduce loop's tiles whose index the compute kernel computes")
            cb, here = FED_CB[self.side], self.fed_here
            head = [f"cb_wait_front({cb}, {self.fed_wait}); uint32_t fed_l1 = get_read_ptr({cb});"] + head
            self.fed_wait, n = 0, 0
            while self.fed_front + n < len(here) and self.uops.index(self.fed_last[here[self.fed_front + n]]) <= self.uops.index(u): n += 1
            if n: tail.append(f"cb_pop_front({cb}, {n});")
            self.fed_front += n
        out = [pad + "{"] + [pad + "    " + x for x in head]
        if what == "store" and column:  # its row 0, stored again along each dimension the value does not depend on
            L = self.loop
            loop_of = lambda s: f"for (int32_t g{s.arg[-1]} = 0; g{s.arg[-1]} < {L.sizes[s]}; g{s.arg[-1]}++) "
            out.append(pad + "    " + "".join(loop_of(s) for s in L.bcast if s is not inner) +
                       f"for (uint32_t r_ = 0; r_ < {32 if L.m is not None else 1}u; r_++) {{")
            out.append(pad + "        uint32_t lane = r_ / 16u * 512u + r_ % 16u * 16u; " + L.dims(None))
            out.append(pad + f"        if (!({L.valid('out', names)})) continue;")
            if inner is not None:  # (the last row's copies leave first)
                out.append(pad + f"        run.flush(); noc_async_write_barrier(); for (uint32_t i_ = 0; i_ < {copies}u; i_++) "
                           f"memcpy((void*)(uintptr_t)(tile + (32u + i_) * {esize}u), (const void*)(uintptr_t)(tile + r_ * {esize}u), {esize});")
                out.append(pad + "        " + loop_of(inner) + "{")
                act = act + ["}"]
        elif self.loop:  # lanes are a 32x32 block of the output, or of a k-block's operand: skip (or zero) those outside
            out.append(pad + f"    {f'if ({share}.sender) ' if share else ''}for (uint32_t lane = 0; lane < {1024 * pages}u; lane++) {{")
            out.append(pad + "        " + self.loop.dims(block) + (" " + self.loop.block_index(block, names) if block in ("a", "b", "rows", "columns") else ""))
            ctype = CTYPE.get(u.dtype, "float") if u.op is Ops.LOAD else "int32_t"  # an index value's tile holds int32
            zero = f"(({ctype}*)tile)[lane] = {self.loop.pad() if block in ('a', 'rows', 'columns') else 0}; " if what == "load" else ""
            out.append(pad + f"        if (!({self.loop.valid(block or ('out' if what == 'store' else 'in'), names)})) {{ {zero}continue; }}")
        else:
            out.append(pad + "    for (uint32_t lane = 0; lane < 1024u && t * 1024u + lane < lanes; lane++) {")
            out.append(pad + "        uint32_t L = t * 1024u + lane;" + self._lane_dims())
        out += [pad + "        " + x for x in lines + act]
        out += [pad + "    }"] + [pad + "    " + x for x in tail] + [pad + "}"]
        return out

    def _column(self, idx):
        """Whether a load outside a sum's or max's loop takes one value per row of the output (consecutive rows,
        consecutive elements), the same along the row."""
        L = self.loop
        found = affine(idx, L.sizes)
        return found is not None and found[0].get(L.m) == 1 and all(not c for s, c in found[0].items() if s is not L.m and s not in L.batch)

    def _lane_dims(self):
        """The global indices of lane L, the dimension with the smallest stride in memory taking consecutive lanes."""
        out, div = [], ""
        for k, d in enumerate(self.lane_order):
            out.append(f"int32_t g{d} = (int32_t)(L{div}" + (f" % s{d});" if k < len(self.lane_order) - 1 else ");"))
            div += f" / s{d}"
        return " " + " ".join(out) if out else ""


# Runs: lanes whose elements sit next to each other in memory move in one NoC transfer. The NoC moves aligned words, so
# a run whose DRAM address and L1 address disagree modulo 32 bytes goes through a staging area in L1, where the
# data-movement core's own loads and stores shift it into place.
_RUN = r"""
static const uint32_t PAGE = %d, STAGE = %d * %d - 64;  // the last 64 bytes: where read_elem lands one element
struct Pending { uint32_t from, to, n; };
static Pending pending[1024]; static uint32_t npending = 0;
""" + (_STRUCT := r"""struct Run {
    uint32_t stage, used = 0;
    uint64_t far = 0; uint32_t l1 = 0, n = 0;
    uint64_t last_at = ~0ull; uint32_t last_l1 = 0;
    void add(const InterleavedAddrGen<true>& b, uint32_t byte, uint32_t local, uint32_t size) {
        uint64_t at = b.get_noc_addr(byte / PAGE, byte %% PAGE);
        if (at == last_at && again(local, size)) return;  // the element the previous lane has: copied within L1
        last_at = at; last_l1 = local;
        if (n && far + n == at && l1 + n == local && (byte %% PAGE) != 0) { n += size; return; }
        flush();
        far = at; l1 = local; n = size;
    }
    bool again(uint32_t local, uint32_t size);
    void flush();
};
""") + r"""// One element, for index arithmetic on a data-movement core (a gather's index): the aligned 64 bytes around it.
template <typename T> static T read_elem(const InterleavedAddrGen<true>& b, uint32_t byte, uint32_t scratch) {
    uint64_t at = b.get_noc_addr(byte / PAGE, byte %% PAGE);
    uint32_t skew = (uint32_t)(at %% 32);
    noc_async_read(at - skew, scratch, 64);
    noc_async_read_barrier();
    T v; memcpy(&v, (void*)(uintptr_t)(scratch + skew), sizeof(T));
    return v;
}
"""
_GATHER = r"""
static void gather_done() {
    noc_async_read_barrier();
    for (uint32_t i = 0; i < npending; i++) memcpy((void*)(uintptr_t)pending[i].to, (void*)(uintptr_t)pending[i].from, pending[i].n);
    npending = 0;
}
bool Run::again(uint32_t local, uint32_t size) {  // a broadcast operand: one NoC read, then copies in L1
    if (npending >= 1023) return false;
    flush();  // the previous lane's element must be in place (or queued) before this copy of it
    pending[npending++] = {last_l1, local, size};
    return true;
}
void Run::flush() {
    if (!n) return;
    uint32_t skew = (uint32_t)(far % 32), local_skew = l1 % 32;
    if (skew == local_skew) noc_async_read(far, l1, n);
    else {
        uint32_t span = (skew + n + 31) / 32 * 32;
        if (used + span > STAGE || npending == 1024) { gather_done(); used = 0; }
        noc_async_read(far - skew, stage + used, span);
        pending[npending++] = {stage + used + skew, l1, n};
        used += span;
    }
    n = 0;
}
"""
GATHER = _RUN % (PAGE, STAGE_PAGES, PAGE) + _GATHER
READ_RUN = (_STRUCT + _GATHER).replace("%%", "%").replace("Run", "ReadRun")  # the writer's reads (a matmul's B), beside its writes
SCATTER = _RUN % (PAGE, STAGE_PAGES, PAGE) + r"""
bool Run::again(uint32_t, uint32_t) { return false; }  // a store to the same element again: write it again
void Run::flush() {
    if (!n) return;
    uint32_t skew = (uint32_t)(far % 32);
    if (skew == l1 % 32) noc_async_write(l1, far, n);
    else {
        if (used + skew + n + 32 > STAGE) { noc_async_write_barrier(); used = 0; }
        memcpy((void*)(uintptr_t)(stage + used + skew), (void*)(uintptr_t)l1, n);
        noc_async_write(stage + used + skew, far, n);
        used += (skew + n + 31) / 32 * 32;
    }
    n = 0;
}
"""
