"""The device: a chip you allocate buffers on, write, run programs on and read back. The default is the embedded
simulator; what a Device asks of it (write, read, launch) is all a real card would have to provide."""
import os, sys
from dataclasses import dataclass
import numpy as np
from .chips import CHIPS
from .errors import TensixError
from .formats import DataFormat
from .program import PROC_OF, PROC_SHORT, PROCS, Program
from .sim import Simulator


def _align(n, a): return (n + a - 1) // a * a


class _Allocator:
    """First fit over [lo, hi): a block per buffer, freed blocks reused. For L1 it hands out from the top, leaving the
    bottom of L1 to circular buffers, as tt-metal does."""

    def __init__(self, lo, hi, top_down=False):
        self.lo, self.hi, self.top_down, self.used = lo, hi, top_down, {}  # addr -> size

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
                return addr
        raise TensixError(f"out of {what}: no room for {size} bytes per bank ({sum(self.used.values())} of "
                          f"{self.hi - self.lo} in use)")

    def free(self, addr): self.used.pop(addr, None)

    @property
    def lowest(self): return min(self.used, default=self.hi)


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

    def write(self, data, fmt: DataFormat = None):
        """Write a numpy array (its bytes, or encoded in `fmt`) or raw bytes from the buffer's start."""
        self._check()
        raw = fmt.encode(data) if fmt else np.frombuffer(data, np.uint8) if isinstance(data, (bytes, bytearray)) \
            else np.ascontiguousarray(data).reshape(-1).view(np.uint8)
        if raw.size > self.size: raise TensixError(f"writing {raw.size} bytes into a buffer of {self.size}")
        pages = self._read_pages() if raw.size < self.pages * self.page else np.empty((self.pages, self.page), np.uint8)
        pages.reshape(-1)[:raw.size] = raw
        for block, b in self._bank_blocks(): block[:] = pages[b::self.banks]

    def read(self, fmt=np.uint8, count=None):
        """The buffer's bytes, as a numpy dtype (np.uint32, ...) or decoded from a DataFormat."""
        self._check()
        raw = self._read_pages().reshape(-1)[:self.size]
        vals = fmt.decode(raw) if isinstance(fmt, DataFormat) else raw.view(fmt)
        return vals[:count] if count is not None else vals

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
        if self.addr is not None: self.device._free(self)
        self.addr = None

    def _check(self):
        if self.addr is None: raise TensixError("this buffer was freed")

    def __repr__(self):
        return f"Buffer({'L1' if self.l1 else 'DRAM'}, addr={self.addr:#x}, size={self.size}, page={self.page})"


@dataclass
class Run:
    """What a finished program reports: simulated cycles per (core, processor), and what the kernels printed."""
    cycles_by_thread: dict
    prints: list
    clock_hz: float

    @property
    def cycles(self): return max(self.cycles_by_thread.values(), default=0)

    @property
    def seconds(self): return self.cycles / self.clock_hz


class Device:
    """A Tensix chip. `Device()` is a simulated Grayskull e150; `Device("n150")`, or TENSIX_DEVICE, picks another.
    `hang_seconds` bounds how long a kernel may run without waiting on anything before it is stopped and named."""

    def __init__(self, name=None, hang_seconds=None, echo=True):
        name = name or os.environ.get("TENSIX_DEVICE", "e150")
        if name not in CHIPS: raise TensixError(f"unknown device {name!r}; known: {', '.join(CHIPS)}")
        self.chip = c = CHIPS[name]
        self.echo = echo
        self.sim = Simulator(c, float(hang_seconds or os.environ.get("TENSIX_HANG_SECONDS", 10)))
        self.dram = _Allocator(c.dram_unreserved_base, c.dram_bank_size)
        self.l1 = _Allocator(c.l1_unreserved_base, c.l1_size, top_down=True)
        self.queue = []

    # ---- buffers
    def buffer(self, data_or_size, page=None, l1=False, fmt: DataFormat = None):
        """A buffer of `n` bytes, or holding a numpy array (encoded in `fmt` if given). `page` defaults to one tile of
        `fmt`, else the whole buffer (one page, in bank 0)."""
        data = None if isinstance(data_or_size, (int, np.integer)) else data_or_size
        size = int(data_or_size) if data is None else None
        if data is not None:
            data = fmt.encode(data) if fmt else np.asarray(data)  # encode once: its bytes give the size
            size = data.nbytes
        if size <= 0: raise TensixError(f"a buffer needs a positive size; got {size}")
        page = int(page or (fmt.tile_bytes if fmt else size))
        if page <= 0: raise TensixError(f"page size {page} must be positive")
        buf = Buffer(self, size, page, l1, None)
        buf.addr = (self.l1 if l1 else self.dram).alloc(buf.bank_bytes, 32, "L1" if l1 else "DRAM")
        if data is not None: buf.write(data)
        return buf

    def _free(self, buf): (self.l1 if buf.l1 else self.dram).free(buf.addr)

    # ---- running programs: a command queue, in order
    def enqueue(self, program: Program): self.queue.append(("run", program))
    def enqueue_write(self, buf, data, fmt=None): self.queue.append(("write", buf, data, fmt))
    def enqueue_read(self, buf, fmt=np.uint8, out: list = None): self.queue.append(("read", buf, fmt, out))

    def finish(self):
        """Carry out the queue in order; returns the last program's Run (reads append their arrays to `out`)."""
        last = None
        queue, self.queue = self.queue, []
        for cmd, *a in queue:
            if cmd == "run": last = self._launch(a[0])
            elif cmd == "write": a[0].write(a[1], a[2])
            else:
                vals = a[0].read(a[1])
                if a[2] is not None: a[2].append(vals)
        return last

    def run(self, program: Program) -> Run:
        self.enqueue(program)
        return self.finish()

    def _launch(self, prog: Program) -> Run:
        if prog.device is not self: raise TensixError("this program was built for another device")
        c = self.chip
        l1 = self.sim.l1
        lowest_buffer = self.l1.lowest
        entries = []
        for cs in prog.core_sets:
            if cs.l1_end > lowest_buffer:
                raise TensixError(f"the circular buffers of cores {cs.cores[0]}..{cs.cores[-1]} reach L1 {cs.l1_end:#x}, "
                                  f"past the lowest L1 buffer at {lowest_buffer:#x}")
            paths = [None, None, None]
            for kind, k in cs.kernels.items(): paths[PROC_OF[kind]] = str(prog.binary(kind, k))
            cb_cfg = np.zeros((c.num_circular_buffers, 4), np.uint32)
            formats = [255] * c.num_circular_buffers
            for cb in cs.cbs:
                cb_cfg[cb.index] = (cs.cb_addr[cb.index] >> 4, cb.pages * cb.page_size >> 4, cb.pages, cb.page_size >> 4)
                formats[cb.index] = cb.fmt.code
            sems = np.zeros(c.num_semaphores * c.semaphore_stride // 4, np.uint32)
            sems[:len(cs.semaphores) * c.semaphore_stride // 4:c.semaphore_stride // 4] = cs.semaphores
            for core in cs.cores:
                i = c.core_index(core)
                nargs = [0, 0, 0]
                for kind in cs.kernels:
                    args = cs.args_for(kind, core)
                    if len(args) > c.max_runtime_args:
                        raise TensixError(f"{prog.describe(i, PROC_OF[kind])}: {len(args)} runtime args; the limit is {c.max_runtime_args}")
                    bad = [v for v in args if not -(1 << 31) <= v < (1 << 32)]
                    if bad: raise TensixError(f"{prog.describe(i, PROC_OF[kind])}: runtime arg {bad[0]} does not fit in 32 bits")
                    base = c.arg_base[PROC_OF[kind]]
                    l1[i, base:base + 4 * len(args)] = np.array([v & 0xFFFFFFFF for v in args], np.uint32).view(np.uint8)
                    nargs[PROC_OF[kind]] = len(args)
                    common = [int(v) for v in cs.kernels[kind].common_args]
                    if len(common) > c.max_runtime_args:
                        raise TensixError(f"{prog.describe(i, PROC_OF[kind])}: {len(common)} common runtime args; the limit is {c.max_runtime_args}")
                    if any(not -(1 << 31) <= v < (1 << 32) for v in common):
                        raise TensixError(f"{prog.describe(i, PROC_OF[kind])}: a common runtime arg does not fit in 32 bits")
                    base = c.common_arg_base[PROC_OF[kind]]
                    l1[i, base:base + 4 + 4 * len(common)] = np.array([len(common), *(v & 0xFFFFFFFF for v in common)], np.uint32).view(np.uint8)
                l1[i, c.cb_config_base:c.cb_config_base + cb_cfg.nbytes] = cb_cfg.reshape(-1).view(np.uint8)
                l1[i, c.semaphore_base:c.semaphore_base + sems.nbytes] = sems.view(np.uint8)
                entries.append((i, paths, nargs, formats))
        prints = []

        def on_print(core, proc, text):
            x, y = c.core_at(core)
            line = f"0:(x={x},y={y}):{PROC_SHORT[proc]}: {text}"
            prints.append(line)
            if self.echo: print(line, file=sys.stdout, flush=True)

        cycles = self.sim.launch(entries, prog.describe, on_print)
        return Run({(c.core_at(k), PROCS[p]): n for (k, p), n in cycles.items()}, prints, c.clock_hz)

    def reset(self):
        """Stop the engine; the next run starts a fresh one. Memory (buffers) is kept."""
        self.sim.stop()

    def close(self): self.sim.close()

    def __del__(self):
        try:
            self.sim.close()
        except Exception:
            pass  # at interpreter exit the modules it needs may be gone; the OS reclaims the rest

    def __enter__(self): return self
    def __exit__(self, *exc): self.close()
