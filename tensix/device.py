"""The device: a chip you allocate buffers on, write, run programs on and read back. The default is the embedded
simulator; what a Device asks of it (write, read, launch) is all a real card would have to provide."""
import collections, ctypes, functools, os, struct, sys, threading
from dataclasses import dataclass, field
import numpy as np
from . import build, checks, formats
from .chips import CHIPS
from .errors import CompileError, TensixError
from .formats import DataFormat, bfloat16
from .program import PROC_OF, PROC_SHORT, PROCS, Program
from .sim import MAX_CYCLES, TIMING_MODES, Simulator
from . import top

PRINTS_KEPT = 10000  # DPRINT lines a Run keeps (the last ones); a kernel printing in a loop must not fill the host's memory


def _align(n, a): return (n + a - 1) // a * a


class _Allocator:
    """First fit over [lo, hi): a block per buffer, freed blocks reused. For L1 it hands out from the top, leaving the
    bottom of L1 to circular buffers, as tt-metal does."""

    def __init__(self, lo, hi, top_down=False):
        self.lo, self.hi, self.top_down, self.used = lo, hi, top_down, {}  # addr -> size
        self.lowest = hi  # the lowest block's address (hi when none): every launch checks circular buffers against it

    def alloc(self, size, align, what):
        spans = sorted(self.used.items())
        gaps, start = [], self.lo
        for a, n in spans:
            gaps.append((start, a)); start = a + n
        gaps.append((start, self.hi))
        for g0, g1 in (reversed(gaps) if self.top_down else gaps):
            addr = (g1 - size) // align * align if self.top_down else _align(g0, align)
            if g0 <= addr and addr + size <= g1:
                self.used[addr] = size
                self.lowest = min(self.lowest, addr)
                return addr
        raise TensixError(f"out of {what}: no room for {size} bytes per bank ({sum(self.used.values())} of "
                          f"{self.hi - self.lo} in use)")

    def free(self, addr):
        self.used.pop(addr, None)
        self.lowest = min(self.used, default=self.hi)


class Buffer:
    """Memory on the device: DRAM interleaved over the banks (page i in bank i % banks), or L1 interleaved over the
    cores. `addr` is the buffer's address in every bank; kernels find pages with InterleavedAddrGen."""

    def __init__(self, device, size, page, l1, addr):
        self.device, self.size, self.page, self.l1, self.addr = device, size, page, l1, addr
        self.banks = device.chip.num_cores if l1 else len(device.chip.dram_banks)
        self.pages = -(-size // page)
        self.stride = _align(page, 32)  # page i sits at addr + (i // banks) * stride in bank i % banks
        self.bank_bytes = -(-self.pages // self.banks) * self.stride  # what the buffer takes in each bank

    @property
    def noc(self):
        """NoC (x, y) of bank 0, where the buffer's first page lives (tt-metal's noc_coordinates())."""
        c = self.device.chip
        return c.noc_xy(c.core_at(0)) if self.l1 else c.dram_banks[0]

    def write(self, data, fmt: DataFormat = None, tilize=False):
        """Write a numpy array (its bytes, or encoded in `fmt`) or raw bytes from the buffer's start. With tilize=True,
        (..., rows, cols) values are written in tile order (tt.tilize); float32 to bfloat16 goes in one native pass,
        converting, tilizing and putting each page in its bank."""
        if tilize:
            x = checks.data("write(data)", data)
            if x.ndim < 2 or x.shape[-2] % 32 or x.shape[-1] % 32:
                raise TensixError(f"write(tilize=True) takes (..., rows, cols) with rows and cols multiples of 32; got "
                                  f"shape {x.shape}")
            if not (fmt is bfloat16 and self._native_tiles(x.shape, "write", x)):
                self.write(formats.tilize(x, fmt if fmt is bfloat16 else None), fmt)
            return
        raw = _raw(data, fmt, "write(data)")
        with self.device._lock:
            self._check()
            if raw.size > self.size: raise TensixError(f"writing {raw.size} bytes into a buffer of {self.size}")
            if raw.size == self.pages * self.page:  # whole pages: straight from the caller's bytes into the banks
                pages = raw.reshape(self.pages, self.page)
            else:
                pages = self._read_pages()
                pages.reshape(-1)[:raw.size] = raw
            for block, b in self._bank_blocks(): block[:] = pages[b::self.banks]

    def read(self, fmt=np.uint8, count=None, untilize=None):
        """The buffer's bytes, as a numpy dtype (np.uint32, ...) or decoded from a DataFormat; the first `count` values.
        With untilize=(..., rows, cols), the values from the buffer's start in tile order, as an array of that shape
        (bfloat16 to float32 in one native pass)."""
        if untilize is not None:
            shape = tuple(untilize)
            if fmt is bfloat16:
                out = self._native_tiles(shape, "read")
                if out is not None: return out
            return formats.untilize(self.read(fmt, int(np.prod(shape))), shape[-2], shape[-1]).reshape(shape)
        decode = _decoder(fmt, self.size)
        with self.device._lock:
            self._check()
            vals = decode(self._read_pages().reshape(-1)[:self.size])
        if count is not None: vals = vals[:checks.integer("read(count)", count, 0, len(vals))]
        return vals

    def _native_tiles(self, shape, how, src=None):
        """bfloat16 tiles written from (how="write": src, float32-convertible of `shape`) or read into (how="read": a new
        float32 array of `shape`) the banks by the host library; None when it cannot (no compiler, a page that splits
        a face row, a shape that is not whole tiles): the numpy path does it then."""
        lib = _host_library()
        if lib is None or len(shape) < 2 or shape[-2] % 32 or shape[-1] % 32 or self.page % 32: return None
        mats, (rows, cols) = int(np.prod(shape[:-2])), shape[-2:]
        if mats * rows * cols * 2 > self.size:
            raise TensixError(f"{how} of {mats * rows * cols} bfloat16 values: the buffer holds {self.size // 2}")
        with self.device._lock:
            self._check()
            mem = self.device.sim.l1 if self.l1 else self.device.sim.dram
            where = (mem.ctypes.data, mem.strides[0], self.addr, self.banks, self.stride, self.page)
            if how == "write":
                x = np.ascontiguousarray(src, np.float32)
                lib.tensix_write_bfloat16_tiles(x.ctypes.data, mats, rows, cols, *where)
                return True
            whole = np.empty(mats * rows * cols + 16, np.float32)  # rows on 64-byte lines: the library streams them
            at = -whole.ctypes.data % 64 // 4
            out = whole[at:at + mats * rows * cols].reshape(shape)
            lib.tensix_read_bfloat16_tiles(out.ctypes.data, mats, rows, cols, *where)
            return out

    def _read_pages(self):
        pages = np.empty((self.pages, self.page), np.uint8)
        for block, b in self._bank_blocks(): pages[b::self.banks] = block
        return pages

    def _bank_blocks(self):
        """Each bank's pages, as one strided view of its memory, with the bank's number."""
        mem = self.device.sim.l1 if self.l1 else self.device.sim.dram
        for b in range(min(self.banks, self.pages)):
            rows = len(range(b, self.pages, self.banks))
            yield mem[b, self.addr:self.addr + rows * self.stride].reshape(rows, self.stride)[:, :self.page], b

    def free(self):
        with self.device._lock:
            if self.addr is not None and not self.device._closed: self.device._free(self)
            self.addr = None

    def _check(self):
        self.device._check()
        if self.addr is None: raise TensixError(f"this buffer ({self.size} bytes) was freed; allocate another with dev.buffer()")

    def __repr__(self):
        where = "freed" if self.addr is None else f"addr={self.addr:#x}"
        return f"Buffer({'L1' if self.l1 else 'DRAM'}, {where}, size={self.size}, page={self.page})"


@functools.lru_cache(None)
def _host_library():
    """The host library (build.host_library) loaded, or None where it cannot be built: the numpy path serves then."""
    try:
        lib = ctypes.CDLL(str(build.host_library()))
    except (CompileError, TensixError, OSError) as e:
        print(f"tensix: tiles are converted with numpy (the host library is unavailable: {str(e).splitlines()[0]})",
              file=sys.stderr, flush=True)
        return None
    for f in (lib.tensix_write_bfloat16_tiles, lib.tensix_read_bfloat16_tiles):
        f.argtypes, f.restype = [ctypes.c_void_p, *[ctypes.c_int64] * 3, ctypes.c_void_p, *[ctypes.c_int64] * 5], None
    return lib


def _raw(data, fmt, name):
    """What writing `data` (encoded in `fmt`, if given) puts in a buffer, as bytes."""
    checks.instance(f"{name[:-6]}(fmt)", fmt, DataFormat, "a tensix format (tt.bfloat16, ...) or None", none=True)
    arr = checks.data(name, data)
    if fmt is None:
        if arr.dtype.itemsize > 4 and arr.dtype.kind in "iufc":  # np.arange(n) and Python's ints and floats make these
            raise TensixError(f"{name} holds {arr.dtype} values, which no format of the chip has: convert them "
                              "(.astype(np.uint32), np.int32, np.float32) or give fmt= (tt.float32, tt.bfloat16, ...)")
        return np.ascontiguousarray(arr).reshape(-1).view(np.uint8)
    try:
        return fmt.encode(arr)
    except (ValueError, TypeError, OverflowError) as e:
        raise TensixError(f"{name}: cannot encode it as {fmt.name}: {e}") from None


def _decoder(fmt, size):
    """fmt (a numpy dtype or a tensix format) as a function of a buffer's bytes."""
    if isinstance(fmt, DataFormat):
        unit, what = (np.dtype(fmt.dtype).itemsize, "values") if fmt.dtype is not None else (fmt.tile_bytes, "tiles")
        if size % unit:
            raise TensixError(f"read(fmt={fmt.name}): the buffer's {size} bytes are not a whole number of {unit}-byte {what}")
        return fmt.decode
    try:
        dt = np.dtype(fmt)
    except (TypeError, ValueError):  # ValueError: a dict numpy takes for fields, e.g. {(0, 0): []}
        dt = None
    if dt is None or not checks.numeric(dt) or fmt is None:
        raise TensixError(f"read(fmt) takes a numpy number type (np.uint32, ...) or a tensix format (tt.bfloat16, ...); "
                          f"got {fmt!r}")
    if size % dt.itemsize:
        raise TensixError(f"read(fmt={dt}): the buffer's {size} bytes are not a whole number of {dt.itemsize}-byte values")
    return lambda raw: raw.view(dt)


@functools.lru_cache(None)
def _words(n): return struct.Struct(f"<{n}I")  # n 32-bit words, little-endian


@dataclass
class Run:
    """What a finished program reports: simulated cycles per (core, processor), what the kernels printed (the last
    PRINTS_KEPT lines; `prints_dropped` says how many earlier ones were not kept), and where the time went (`stats`:
    per thread busy and waiting, per NoC link and DRAM bank the bytes moved; print(run) sums it up)."""
    cycles_by_thread: dict
    prints: list
    clock_hz: float
    prints_dropped: int = 0
    stats_text: str = None  # the engine's report (JSON), parsed into `stats` only when asked: a run in a loop skips it
    device: object = None  # which device ran it, and its run number there: only a device's last run can be traced
    serial: int = 0
    describe: object = field(default=None, repr=False)  # describe(core, proc) names the kernel a thread ran
    _stats: object = field(default=None, repr=False)  # a tensix.stats.Stats, made when asked

    @property
    def stats(self):
        if self._stats is None and self.stats_text is not None:
            import json
            from .stats import Stats
            self._stats = Stats(json.loads(self.stats_text), self.device.chip, self.describe)
        return self._stats

    @property
    def cycles(self):  # every thread finished and every transfer landed (the report's "drained", read without parsing it)
        threads = max(self.cycles_by_thread.values(), default=0)
        if self.stats_text is None: return threads
        at = self.stats_text.index('"drained": ') + 11
        return max(threads, int(self.stats_text[at:self.stats_text.index("}", at)]))

    def __str__(self): return str(self.stats) if self.stats else f"{self.cycles:,} cycles"

    def picture(self, colour=False):
        """The grid as text (a str that a REPL shows as the picture; print() it in a script): cores shaded by busy
        share, DRAM banks and NoC links by load (tensix.picture)."""
        from .picture import grid_text
        return grid_text(self.stats, colour)

    def save_picture(self, path):
        """The same as a PNG (needs matplotlib: pip install 'tensix[pictures]')."""
        from .picture import grid_png
        grid_png(self.stats, checks.path("save_picture(path)", path))

    def save_trace(self, path):
        """A Chrome / Perfetto trace of this run (open it at ui.perfetto.dev): a process per core, a track per RISC-V."""
        from .trace import save_trace
        save_trace(self, checks.path("save_trace(path)", path))

    @property
    def seconds(self): return self.cycles / self.clock_hz


class Device:
    """A Tensix chip. `Device()` is a simulated Grayskull e150; `Device("n150")`, or TENSIX_DEVICE, picks another.
    `hang_seconds` bounds how long a kernel may run without calling the kernel API before it is stopped and named;
    `max_cycles` how many cycles a thread may run in one program (a loop that calls the API for ever ends there);
    `sandbox` (default on, TENSIX_SANDBOX=0 turns it off) confines kernels to what the engine needs (README).
    A Device may be shared by threads (each call is atomic); it belongs to the process that made it.
    `timing`: "calendar" (shared NoC links, ports and DRAM banks; the default, or TENSIX_TIMING), "ordered" (the same,
    strictly in time order: slow, the reference) or "simple" (nothing shared); `races=False` (or TENSIX_RACES=off)
    turns the race detector off (docs/timing.md, README); `strict_init=False` (or TENSIX_STRICT_INIT=0) the check that
    each compute op follows the init tt-metal needs before it on silicon (README)."""

    def __init__(self, name=None, hang_seconds=None, echo=True, max_cycles=MAX_CYCLES, timing=None, races=None, sandbox=None,
                 strict_init=None):
        self._closed, self._pid, self._lock = True, os.getpid(), threading.RLock()
        name = os.environ.get("TENSIX_DEVICE", "e150") if name is None else name
        if not isinstance(name, str) or name not in CHIPS:
            raise TensixError(f"unknown device {name!r}; known: {', '.join(CHIPS)}")
        self.chip = c = CHIPS[name]
        self.echo = checks.boolean("Device(echo)", echo)
        if hang_seconds is None:
            hang = checks.seconds("TENSIX_HANG_SECONDS", os.environ.get("TENSIX_HANG_SECONDS", "10"), text=True)
        else:
            hang = checks.seconds("Device(hang_seconds)", hang_seconds)
        if sandbox is None: sandbox = checks.env_flag("TENSIX_SANDBOX", True)
        self.sim = Simulator(c, hang, checks.integer("Device(max_cycles)", max_cycles, 1, (1 << 63) - 1),
                             checks.boolean("Device(sandbox)", sandbox))
        if timing is not None:  # "calendar" (the default, or TENSIX_TIMING), "ordered" (slow, strictly in time order), "simple"
            if timing not in TIMING_MODES: raise TensixError(f"Device(timing) takes one of {', '.join(TIMING_MODES)}; got {timing!r}")
            self.sim.timing = timing
        if races is not None: self.sim.races = checks.boolean("Device(races)", races)  # TENSIX_RACES=off turns it off too
        if strict_init is not None: self.sim.strict_init = checks.boolean("Device(strict_init)", strict_init)
        self.dram = _Allocator(c.dram_unreserved_base, c.dram_bank_size)
        self.l1 = _Allocator(c.l1_unreserved_base, c.l1_size, top_down=True)
        self.queue = []
        self.runs = 0  # programs run so far
        self.last_run = None
        self._closed = False

    def _check(self):
        """Is this Device usable here? Not after close(), and not in a forked child: the child shares the parent's
        memory file and engine, so both would allocate and run over each other."""
        if self._pid != os.getpid():
            raise TensixError(f"this Device was made in process {self._pid} and is used in process {os.getpid()}, a "
                              f"fork of it: the two would share its memory and engine. Make the Device in the child "
                              f"(after the fork), or use multiprocessing's 'spawn' or 'forkserver' start method")
        if self._closed: raise TensixError("this device is closed; make a new tt.Device()")

    # ---- buffers
    def buffer(self, data_or_size, page=None, l1=False, fmt: DataFormat = None, tilize=False):
        """A buffer of `n` bytes, or holding a numpy array (encoded in `fmt` if given; in tile order with tilize=True,
        see Buffer.write). `page` defaults to one tile of `fmt`, else the whole buffer (one page, in bank 0)."""
        checks.instance("buffer(fmt)", fmt, DataFormat, "a tensix format (tt.bfloat16, ...) or None", none=True)
        if isinstance(data_or_size, (int, np.integer)) and not isinstance(data_or_size, (bool, np.bool_)):
            data, size = None, checks.integer("buffer(size)", data_or_size, 1)
        elif tilize:
            data = checks.data("buffer(data)", data_or_size)
            size = data.size // 1024 * fmt.tile_bytes if fmt else data.nbytes
        else:
            data = _raw(data_or_size, fmt, "buffer(data)")  # encode once: its bytes give the size
            size = data.size
        l1 = checks.boolean("buffer(l1)", l1)
        page = (fmt.tile_bytes if fmt else size) if page is None else checks.integer("buffer(page)", page, 1)
        with self._lock:
            self._check()
            buf = Buffer(self, size, page, l1, None)
            buf.addr = (self.l1 if l1 else self.dram).alloc(buf.bank_bytes, 32, "L1" if l1 else "DRAM")
        if data is not None: buf.write(data, fmt, True) if tilize else buf.write(data)
        return buf

    def _free(self, buf): (self.l1 if buf.l1 else self.dram).free(buf.addr)

    # ---- running programs: a command queue, in order
    # Each is checked as it is queued, so a mistake is named where it was made, not at finish().
    def enqueue(self, program: Program, max_cycles=None):
        self._queue(("run", self._program(program, "enqueue(program)"), self._max_cycles(max_cycles)))

    def enqueue_write(self, buf, data, fmt=None):
        self._queue(("write", self._buffer(buf, "enqueue_write(buf)"), _raw(data, fmt, "enqueue_write(data)")))

    def enqueue_read(self, buf, fmt=np.uint8, out: list = None):
        buf = self._buffer(buf, "enqueue_read(buf)")
        checks.instance("enqueue_read(out)", out, list, "a list the array is appended to, or None", none=True)
        self._queue(("read", buf, _decoder(fmt, buf.size), out))

    def _queue(self, cmd):
        with self._lock:
            self._check()
            self.queue.append(cmd)

    def _program(self, prog, name):
        checks.instance(name, prog, Program, "a tt.Program")
        if prog.device is not self: raise TensixError(f"{name}: this program was built for another device")
        if not prog.on_core: raise TensixError(f"{name}: this program has no cores; give them with add(cores, ...) or kernel(cores, ...)")
        return prog

    def _buffer(self, buf, name):
        checks.instance(name, buf, Buffer, "a Buffer of this device")
        if buf.device is not self: raise TensixError(f"{name}: this buffer belongs to another device")
        buf._check()
        return buf

    def _max_cycles(self, v):
        return None if v is None else checks.integer("max_cycles", v, 1, (1 << 63) - 1)

    def finish(self):
        """Carry out the queue in order; returns the last program's Run (reads append their arrays to `out`). If one
        command fails, the ones after it are not carried out: the error says which."""
        with self._lock:
            self._check()
            last = None
            queue, self.queue = self.queue, []
            for i, (cmd, *a) in enumerate(queue):
                try:
                    if cmd == "run": last = self._launch(*a)
                    elif cmd == "write": a[0].write(a[1])
                    else:
                        a[0]._check()
                        vals = a[1](a[0]._read_pages().reshape(-1)[:a[0].size])
                        if a[2] is not None: a[2].append(vals)
                except TensixError as e:
                    rest = queue[i + 1:]
                    if rest:
                        e.not_done = [c[0] for c in rest]
                        e.args = (f"{e.args[0]}\n(command {i + 1} of the queue failed; the {len(rest)} after it were not "
                                  f"carried out: {', '.join(e.not_done)})", *e.args[1:])
                    raise
            return last

    def run(self, program: Program, max_cycles=None) -> Run:
        """Run a program (after anything queued) and wait for it. `max_cycles` overrides the Device's for this run."""
        with self._lock:
            if self.queue:
                self.enqueue(program, max_cycles)
                return self.finish()
            program, max_cycles = self._program(program, "enqueue(program)"), self._max_cycles(max_cycles)
            self._check()  # the same checks as through the queue, without it: a program run in a loop
            return self._launch(program, max_cycles)

    def _launch(self, prog: Program, max_cycles=None) -> Run:
        c, mem = self.chip, self.sim.mem
        lowest_buffer = self.l1.lowest
        plan, names = self._plan(prog)
        entries, commons = [], {}
        for core, cbs_top, i, kernels, config, paths, formats in plan:
            if cbs_top > lowest_buffer:
                raise TensixError(f"the circular buffers of core {core} reach L1 {cbs_top:#x}, past the lowest L1 buffer "
                                  f"at {lowest_buffer:#x}")
            nargs = [0, 0, 0]
            for kind, k, proc, at, common_at in kernels:  # args change between runs: written at every run
                args = prog.args_for(kind, core)  # checked: at most max_runtime_args 32-bit words
                _words(len(args)).pack_into(mem, at, *args)
                nargs[proc] = len(args)
                common = commons.get(id(k))  # the same on every core: checked once a run
                if common is None: common = commons[id(k)] = prog.common_args_for(kind, k)
                _words(len(common) + 1).pack_into(mem, common_at, len(common), *common)
            for at, table in config: mem[at:at + len(table)] = table  # kernels may have changed them: fresh each run
            entries.append((i, paths, tuple(nargs), formats))
        prints, printed = (), 0  # a deque once something prints: most runs print nothing

        def on_print(core, proc, text):
            nonlocal prints, printed
            x, y = c.core_at(core)
            line = f"0:(x={x},y={y}):{PROC_SHORT[proc]}: {text}"
            if not printed: prints = collections.deque(maxlen=PRINTS_KEPT)
            prints.append(line)
            printed += 1
            if self.echo: print(line, file=sys.stdout, flush=True)

        self.runs += 1  # before the launch: a failed run also ends what the engine remembers of the one before
        cycles = self.sim.launch(entries, prog.describe, on_print, max_cycles)
        self.last_run = Run({names[k]: n for k, n in cycles.items()}, list(prints), c.clock_hz, printed - len(prints),
                            self.sim.stats, self, self.runs, prog.describe)
        top.record(self, self.last_run)  # for `tensix top`: at most once a second
        return self.last_run

    def _plan(self, prog):
        """What launching `prog` writes where, worked out once per program layout: per core, its circular buffers' top,
        its index, (kind, kernel, processor, L1 offset of its args, of its common args) per kernel, (offset, bytes) of
        its circular-buffer table and semaphores, its kernels' binaries and its buffers' formats; and the name of each
        (core index, processor) the engine reports cycles for."""
        layout = prog.layout()
        if prog._plan is not None and prog._plan[0] is layout: return prog._plan[1]
        prog.compile()  # every kernel, in parallel; all their errors at once
        c, plan, names, of_on = self.chip, [], {}, {}
        for core, on, (cb_cfg, sems, formats) in layout:
            i = c.core_index(core)
            base = self.sim.l1_offset(i)
            if id(on) not in of_on:  # what cores given the same things share: worked out once
                paths, kernels = [None, None, None], []
                for kind, (k, _) in on.kernels.items():
                    paths[PROC_OF[kind]] = str(prog.binary(kind, k))
                    kernels.append((kind, k, PROC_OF[kind]))
                of_on[id(on)] = tuple(paths), kernels, (cb_cfg.tobytes(), sems.tobytes())
            paths, kernels, (cb_bytes, sem_bytes) = of_on[id(on)]
            for _, _, p in kernels: names[i, p] = (core, PROCS[p])
            kernels = [(kind, k, p, base + c.arg_base[p], base + c.common_arg_base[p]) for kind, k, p in kernels]
            config = ((base + c.cb_config_base, cb_bytes), (base + c.semaphore_base, sem_bytes))
            plan.append((core, on.top, i, kernels, config, paths, formats))
        prog._plan = (layout, (plan, names))
        return plan, names

    def reset(self):
        """Stop the engine; the next run starts a fresh one. Memory (buffers) is kept."""
        with self._lock:
            self._check()
            self.sim.stop()

    def close(self):
        with self._lock:
            if self._closed: return
            self._closed = True
            if self._pid != os.getpid(): return  # a forked child must not stop its parent's engine
            if self.runs and self.sim.fd >= 0: top.record(self, self.last_run, force=True)
            self.sim.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass  # at interpreter exit the modules it needs may be gone; the OS reclaims the rest

    def __enter__(self): return self
    def __exit__(self, *exc): self.close()
