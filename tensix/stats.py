"""Where a run's time went, from what the engine reports after it (tensix/native/noc.cpp models the shared resources):
per thread, the cycles it computed and the cycles it waited, by what on; per NoC link, DRAM bank and L1 port, the
bytes it moved and the cycles it was busy; and the rates achieved."""
from dataclasses import dataclass
from .program import PROCS


@dataclass
class ThreadStats:
    """One RISC-V thread: its clock at the end, when its core started (after dispatch), the cycles it was busy, and the
    cycles it stood still in each kind of wait. A compute thread is three pipelined stages: its busy cycles are its
    math stage's, and its waits are its stages' (unpack waits on inputs, pack on room for outputs), which overlap."""
    cycles: int
    launch: int      # cycles before the core started (dispatch)
    busy: int
    noc: int         # in noc_async_read_barrier / noc_async_write_barrier
    semaphores: int  # in noc_semaphore_wait
    cbs: dict        # circular buffer index -> cycles in cb_wait_front / cb_reserve_back
    flops: int       # matmul and element-wise arithmetic

    @property
    def waiting(self): return self.noc + self.semaphores + sum(self.cbs.values())

    def waits(self):
        """(what, cycles) of every wait, the longest first."""
        w = [("the NoC (barriers)", self.noc), ("semaphores", self.semaphores)]
        w += [(f"circular buffer {i}", n) for i, n in self.cbs.items()]
        return sorted((x for x in w if x[1]), key=lambda x: -x[1])


class Stats:
    """`threads[(core, proc)]`: ThreadStats. `links[(noc, (x, y), "x" or "y")]`, `banks[b]`, `l1[core]`: (bytes, busy
    cycles) of the link leaving NoC node (x, y) along x or y, of each DRAM bank, of each core's L1 port."""

    def __init__(self, raw, chip, describe):
        self.chip, self.describe = chip, describe  # describe(core, proc) names the kernel a thread ran
        self.threads = {(chip.core_at(c), PROCS[p]): ThreadStats(n, start, busy, noc, sem, dict(cb), fl)
                        for c, p, n, noc, sem, fl, cb, start, busy in raw["threads"]}
        self._index = {(chip.core_at(c), PROCS[p]): (c, p) for c, p, *_ in raw["threads"]}
        noc = raw["noc"]
        self.links = {(n, (x, y), d): (b, busy) for n, x, y, d, b, busy in noc["links"]}
        self.banks = [tuple(b) for b in noc["banks"]]
        self.l1 = {chip.core_at(i): (b, busy) for i, b, busy in noc["l1"]}
        self.launch = raw["launch"]
        # NoC transfers whose timing this run took from its program's last run, which it repeated up to then
        # (noc.cpp), and those it booked on the calendars itself: the same cycles either way
        self.bookings_repeated, self.bookings_made = noc["repeated"], noc["booked"]
        # the chip is done when every thread has finished and every transfer has landed
        self.cycles = max([t.cycles for t in self.threads.values()] + [noc["drained"]])

    @property
    def seconds(self): return self.cycles / self.chip.clock_hz

    @property
    def dram_bytes(self): return sum(b for b, _ in self.banks)

    @property
    def dram_gbps(self): return self.dram_bytes / self.seconds / 1e9 if self.cycles else 0.0

    @property
    def dram_peak_gbps(self): return self.chip.timing.dram_bytes_per_cycle * len(self.chip.dram_banks) * self.chip.clock_hz / 1e9

    @property
    def flops(self): return sum(t.flops for t in self.threads.values())

    @property
    def tflops(self): return self.flops / self.seconds / 1e12 if self.cycles else 0.0

    def busiest_link(self):
        """((noc, (x, y), dir), bytes, busy cycles) of the link busy longest, or None."""
        if not self.links: return None
        k = max(self.links, key=lambda k: (self.links[k][1], k))
        return k, *self.links[k]

    def busiest_bank(self):
        b = max(range(len(self.banks)), key=lambda i: (self.banks[i][1], -i))
        return b, *self.banks[b]

    def critical(self):
        """The thread that finished last (the run's time is its time), and its description."""
        key = max(self.threads, key=lambda k: (self.threads[k].cycles, k))
        return key, self.describe(*self._index[key])

    def __str__(self):
        c, hz = self.chip, self.chip.clock_hz
        pct = lambda a, b: f"{100 * a / b:.0f}%" if b else "-"
        lines = [f"{self.cycles:,} cycles = {self.seconds * 1e6:.1f} us on a simulated {c.name} "
                 f"({len(self.threads)} thread{'s' * (len(self.threads) != 1)}; launch {self.launch:,} cycles)"]
        key, who = self.critical()
        t = self.threads[key]
        waits = ", ".join(f"{what} {pct(n, t.cycles)}" for what, n in t.waits()[:3]) or "nothing"
        lines.append(f"  last to finish: {who}: busy {pct(t.busy, t.cycles)}, waiting on {waits}")
        mates = [(p, th) for (core, p), th in self.threads.items() if core == key[0]]
        top_wait = lambda th: f" (most waiting on {th.waits()[0][0]})" if th.waits() else ""
        lines.append(f"  its core {key[0]}: " + ", ".join(f"{p} busy {pct(th.busy, th.cycles)}{top_wait(th)}" for p, th in mates))
        if self.dram_bytes:
            b, by, busy = self.busiest_bank()
            size = f"{self.dram_bytes / 1e6:.1f} MB" if self.dram_bytes >= 1e5 else f"{self.dram_bytes / 1e3:.1f} KB"
            lines.append(f"  DRAM: {size} at {self.dram_gbps:.1f} GB/s of {self.dram_peak_gbps:.0f} "
                         f"({pct(self.dram_gbps, self.dram_peak_gbps)}); busiest bank {b} at NoC {c.dram_banks[b]}: busy "
                         f"{pct(busy, self.cycles)} of the run")
        link = self.busiest_link()
        if link:
            (noc, xy, d), by, busy = link
            lines.append(f"  NoC: busiest link NoC {noc} from {xy} along {d}: busy {pct(busy, self.cycles)} of the run, "
                         f"{by / self.cycles:.1f} of {c.timing.noc_bytes_per_cycle:g} B/cycle")
        if self.flops:
            cores = len({k[0] for k in self.threads})
            peak = 2 * 32 ** 3 / c.timing.matmul_pass_cycles * cores * hz / 1e12
            rate = f"{self.tflops:.2f} TFLOPS" if self.tflops >= 0.01 else f"{self.tflops * 1e3:.2f} GFLOPS"  # element-wise work: a few
            lines.append(f"  math: {rate} ({cores} core{'s; their' if cores != 1 else '; its'} LoFi matmul peak {peak:.1f} TFLOPS)")
        return "\n".join(lines)
