"""tinygrad's TT device: buffers are tensix DRAM buffers, a kernel is a reader, a compute and a writer kernel, and a
run reports the simulated chip's time. tinygrad finds it as tinygrad.runtime.ops_tt (see __init__.py).

The chip defaults to a Wormhole n150 with a float32 destination register (TENSIX_DEVICE picks another; on Grayskull the
arithmetic runs in bfloat16)."""
import json, math, os, sys
from tinygrad.device import Compiled, Compiler, LRUAllocator
from tinygrad.helpers import DEBUG, NOOPT
import tensix as tt
from tensix.program import compile_kernel
from . import chip_name
from .reduce_loop import MM_CB, PART_CB, ROWS_CB, SPLIT_CB
from .data_movement import IN_CB, OUT_CB, PAGE, STAGE_CB, STAGE_PAGES, TILE, TILE_BYTES
from .renderer import TTRenderer

BY_CODE = {f.code: f for f in tt.FORMATS.values()}
# runs, those whose reduce loop ran on matmul_tiles / reduce_tile (im2col_kernels: several loops as one), and those that took the fallback path
STATS = {"kernels": 0, "loop_kernels": 0, "im2col_kernels": 0, "fallback_kernels": 0, "cycles": 0, "fallback_cycles": 0}


def _kernels(src: dict, fp32: bool):
    # 32-bit tiles (and uint16 ones, whose integers above 2^11 the 19-bit source registers would round) unpack straight
    # into a float32 register (as tt-metal's UnpackToDestFp32), so float32 work keeps float32 precision
    to_dest = {cb: tt.UnpackToDestMode.UnpackToDestFp32 for f, cb in [*IN_CB.items(), *((f, int(cb)) for cb, f in src["spills"].items()),
                                                                       (0, MM_CB[0]), (0, MM_CB[1]), (0, ROWS_CB), (0, PART_CB),
                                                                       *zip(src["bitcast"], src["bitcast_cbs"])] if BY_CODE[f].tile_bytes == 4096 or f == tt.uint16.code} \
        if fp32 else None
    return (tt.Kernel(src["reader"], src["name"] + ".reader"), tt.Kernel(src["writer"], src["name"] + ".writer"),
            tt.Kernel(src["compute"], src["name"] + ".compute", fp32_dest_acc_en=fp32, unpack_to_dest_mode=to_dest))


class TTCompiler(Compiler):
    """Hands the three sources to tensix's compile cache (a second run compiles nothing) and keeps them as the binary."""

    def compile(self, src: str) -> bytes:
        chip = tt.CHIPS[chip_name()]  # compiling needs the chip, not a running simulator (tinygrad compiles in worker processes)
        for kind, k in zip(("reader", "writer", "compute"), _kernels(json.loads(src), chip.arch != "grayskull")):
            compile_kernel(chip, kind, k)  # raises tt.CompileError with the kernel's name and line
        return src.encode()


class TTProgram:
    def __init__(self, dev, obj):
        self.dev, self.src = dev, json.loads(obj.lib.decode())
        self.name = self.src["name"]
        self.kernels = _kernels(self.src, dev.tt.chip.arch != "grayskull")

    def __call__(self, *bufs, global_size=(1, 1, 1), local_size=(1, 1, 1), vals=(), wait=False, **kw):
        d, s = self.dev.tt, self.src
        if s.get("locals"):  # tinygrad's LOCAL split these global dimensions in two; the kernel runs them as one (renderer.unlocal)
            global_size = list(global_size)
            for g, _, n in s["locals"]: global_size[g] *= n
        # BEAM times a candidate on a smaller global size and multiplies its time by how much smaller: that multiplies the
        # launch too, and candidates whose size it did not shrink (upcasts) win for that alone. The simulated clock is
        # deterministic, so the whole kernel runs and its time comes back divided, which tinygrad's factor undoes.
        share_of_run = 1.0
        if s.get("global") and math.prod(s["global"]) > math.prod(global_size):
            share_of_run, global_size = math.prod(global_size) / math.prod(s["global"]), tuple(s["global"])
        lanes = global_size[0] * global_size[1] * global_size[2]
        tiles = -(-lanes // TILE)
        # a reduce loop on tiles: 32x32 blocks of the output; BEAM times a smaller global size (and scales the time up)
        if s["tiles"]: tiles = max(1, s["tiles"] * lanes // s["lanes"])
        grid = d.chip.grid
        cores = [(i % grid[0], i // grid[0]) for i in range(max(1, min(s["blocks"] or tiles, grid[0] * grid[1])))]
        # a blocked matmul: core i does blocks i, i + cores, ...; with multicast core (x, y) block (y, x) of each matrix;
        # else a core does a run of tiles
        at = {c: i for i, c in enumerate(cores)}  # a core's place in the list (a run's args are asked for core by core)
        share = (lambda c: (at[c], len(cores))) if s["blocks"] else \
            lambda c: (at[c] * tiles // len(cores), (at[c] + 1) * tiles // len(cores))
        split = None
        if s.get("split"):  # a split reduce loop: core i does part i % S of tile i // S, whose parts start on groups of rc k-blocks
            S, groups, rc = s["split"]
            cores = [(i % grid[0], i // grid[0]) for i in range(tiles * S)]
            at = {c: i for i, c in enumerate(cores)}
            share = lambda c: (at[c] // S, at[c] // S + 1)
            def split(c):
                i = at[c]
                p, owner = i % S, cores[i - i % S]
                return [p, p * groups // S * rc, (p + 1) * groups // S * rc, *d.chip.noc_xy(owner)]
        if s["mcast"]:
            cols, rows = s["mcast"]
            cores = [(x, y) for y in range(rows) for x in range(cols)]
            share = lambda c: (c[0] * rows + c[1], cols * rows)
            if s.get("senders"): cores += [(cols, y) for y in range(rows)] + [(x, rows) for x in range(cols)]  # A's, B's
        common = [lanes, *global_size]
        for b in bufs: common += [b[0].addr, b[1]]
        common += [v & 0xFFFFFFFF for v in vals]
        args = (lambda c: [*share(c), *common, *split(c)]) if split else lambda c: [*share(c), *common]
        reader_args = writer_args = compute_args = args
        if s["mcast"]:  # the row's first core sends A to the rest of the row, the column's first B down the column
            xy = d.chip.noc_xy
            along = lambda c, first, last, sender, n: [c == sender, *xy(first), *xy(last), n if c == sender else 0, *xy(sender)]
            reader_args = lambda c: [*args(c), *along(c, (min(1, cols - 1), c[1]), (cols - 1, c[1]), (0, c[1]), cols - 1)]
            writer_args = lambda c: [*args(c), *along(c, (c[0], min(1, rows - 1)), (c[0], rows - 1), (c[0], 0), rows - 1)]
        if s.get("senders"):  # core (cols, y) sends row y's A (its t0: block (y, 0)), core (x, rows) column x's B (block (0, x))
            def sender_args(c, matrix):  # matrix 0: A, the reader's, along rows; 1: B, the writer's, down columns
                sends = (c[0] == cols, c[1] == rows)  # c sends A's row, B's column
                head = args(c)
                if any(sends):  # a sender's share: its own matrix's first block (else no block: s["blocks"]) of all cores'
                    head = [(c[1], c[0] * rows)[matrix] if sends[matrix] else s["blocks"], cols * rows, *head[2:]]
                if sends[1 - matrix]: return [*head, 0, *xy(c), *xy(c), 0, *xy(c)]  # the other's sender: nothing of this one to pass
                if matrix == 0: return [*head, *along(c, (0, c[1]), (cols - 1, c[1]), (cols, c[1]), cols)]
                return [*head, *along(c, (c[0], 0), (c[0], rows - 1), (c[0], rows), rows)]
            reader_args, writer_args = lambda c: sender_args(c, 0), lambda c: sender_args(c, 1)
            compute_args = lambda c: [*args(c), (c[0] == cols) | (c[1] == rows) << 1]  # 1: A's splits, 2: B's; 0: a block's products
        cbs = [tt.CB(cb, BY_CODE[f], pages=s["cb_pages"].get(str(cb), 2)) for f, cb in IN_CB.items()] + \
              [tt.CB(cb, BY_CODE[f], pages=s["cb_pages"].get(str(cb), 2)) for f, cb in OUT_CB.items()] + [tt.CB(STAGE_CB, tt.uint8, STAGE_PAGES, PAGE)] + \
              [tt.CB(int(cb), tt.bfloat16 if int(cb) in SPLIT_CB else BY_CODE[s["fed"].get(cb, s.get("spills", {}).get(cb, 0))], n)
               for cb, n in s["cb_pages"].items() if int(cb) not in (*IN_CB.values(), *OUT_CB.values())] + \
              [tt.CB(tuple(s["bitcast_cbs"][i] for i, f in enumerate(s["bitcast"]) if TILE_BYTES[f] == size),
                     tuple(BY_CODE[f] for f in s["bitcast"] if TILE_BYTES[f] == size), pages=1)
               for size in {TILE_BYTES[f] for f in s["bitcast"]}]  # spills, reduce loops' tiles, bitcasts (an allocation per tile size)
        reader, writer, compute = self.kernels
        prog = tt.Program(d, cores, reader=reader, writer=writer, compute=compute, reader_args=reader_args, writer_args=writer_args,
                          compute_args=compute_args, cbs=cbs, semaphores=[0, 0, 0, 0] if s["mcast"] else [0] if split else ())
        run = d.run(prog)
        STATS["kernels"] += 1; STATS["cycles"] += run.cycles; STATS["loop_kernels"] += s["math"] != "sfpu"; STATS["im2col_kernels"] += s.get("im2col", 1) > 1
        if s["fallbacks"]: STATS["fallback_kernels"] += 1; STATS["fallback_cycles"] += run.cycles
        if DEBUG >= 2:
            path = f"fallback ({s['fallbacks']} of {s['accesses']} loads/stores gathered)" if s["fallbacks"] else "tile path"
            path += {"matmul": ", matmul_tiles", "sum": ", reduce_tile", "max": ", binary_max_tile + sfpu_reduce"}.get(s["math"], "")
            if s.get("im2col", 1) > 1: path += f" (im2col: {s['im2col']} reduce loops as one)"
            print(f"TT {self.name}: {path}, {run.cycles} cycles on {len(cores)} cores", file=sys.stderr)
        return run.seconds * share_of_run if wait else None


class TTAllocator(LRUAllocator):
    """A tinygrad buffer is a tensix DRAM buffer interleaved in pages of PAGE bytes, and an offset into it (views).
    Freed buffers are kept for the next allocation of their size, as tinygrad's GPU backends keep theirs: tinygrad
    relies on that (a JIT's free_intermediates frees an arena whose views keep their old address, which the next
    allocation of that size hands back); out of DRAM, the kept ones are freed and the allocation tried again."""

    def _alloc(self, size, options):
        try: return (self.dev.tt.buffer(max(size, 1), page=PAGE), 0)
        except tt.TensixError as e:
            if "out of" in str(e): raise MemoryError(str(e)) from None
            raise
    def _free(self, opaque, options): opaque[0].free()
    def _copyin(self, dest, src: memoryview):
        buf, off = dest
        if off == 0 and len(src) == buf.size: buf.write(bytes(src))
        else:
            raw = buf.read(); raw[off:off + len(src)] = memoryview(src).cast("B"); buf.write(raw)
    def _copyout(self, dest: memoryview, src):
        buf, off = src
        dest[:] = buf.read()[off:off + len(dest)].tobytes()
    def _offset(self, buf, size: int, offset: int): return (buf[0], buf[1] + offset)


_DEVICE = None


def tt_device() -> tt.Device:
    global _DEVICE
    if _DEVICE is None: _DEVICE = tt.Device(chip_name(), echo=False)
    return _DEVICE


class TTDevice(Compiled):
    def __init__(self, device: str):
        self.tt = tt_device()
        # A lane is already one of a tile's 1024: tinygrad's hand-coded upcasts only add register tiles (8 fit), so
        # they stay off unless asked for (NOOPT=0); BEAM still searches its options against the simulated clock.
        if "NOOPT" not in os.environ: NOOPT.value = 1
        super().__init__(device, TTAllocator(self), [TTRenderer], TTProgram)
