"""The simulated chip behind a Device: its memory, and the engine process that runs kernels on it.

Memory is one shared-memory file: a status page, then every core's L1, then every DRAM bank. This process maps it
whole, so reading and writing buffers is plain numpy; the engine maps it too. Kernels run in the engine process, so
a kernel that crashes ends that process, never this one: the next launch starts a fresh engine on the same memory.
"""
import mmap, os, re, select, signal, time
import numpy as np
from . import build, checks
from .errors import DeadlockError, HangError, KernelError, TensixError

BLOCK = 1 << 16
TIMING_MODES = ("simple", "calendar", "ordered")  # no shared resources / calendars (default) / strictly time-ordered
SIGNALS = {signal.SIGSEGV: "SIGSEGV (a bad memory access)", signal.SIGBUS: "SIGBUS (a misaligned or bad memory access)",
           signal.SIGFPE: "SIGFPE (an arithmetic fault, such as a division by zero)", signal.SIGILL: "SIGILL (an illegal instruction)",
           signal.SIGABRT: "SIGABRT (abort or a failed assert)", signal.SIGTRAP: "SIGTRAP (a trap)",
           signal.SIGSYS: "SIGSYS (a system call the sandbox refuses, made with signals blocked, as system() and "
                          "posix_spawn make theirs, so it cannot be named; TENSIX_SANDBOX=0 turns the sandbox off)"}


# A thread whose clock passes this many cycles in one run is taken for a runaway loop of API calls: 8 s of chip time
# at 1.2 GHz, far past what a simulated program reaches (the 1024^3 matmul examples take a few million cycles), and
# reached in about 8 s of wall time by a loop of barriers.
MAX_CYCLES = 10 ** 10
TRACE_EVENT_BYTES = 40  # engine.h's TraceEvent
TRACE_EVENTS = 4_000_000  # a run's trace keeps its first this many events (160 MB in the engine); the rest are counted
# The NoC's calendars (tensix/native/calendar.h) grow with a run's simulated length: about 0.5 GB for 10^9 cycles of
# one core reading in a loop. Past this many megabytes the run ends with an error (a runaway loop of NoC transfers
# would otherwise take gigabytes before max_cycles stops it); TENSIX_TIMING=simple keeps no calendars.
CALENDAR_MB = 2048
LOADING = -2  # the engine's status names this core while a kernel's static constructors run
# After a command, each side waits for the other spinning this long before it sleeps in a read: a run of a tiny program
# takes the engine about 10 us, and a wake-up from a read costs more than that on a virtual machine. Only with two
# processors or more (TENSIX_SPIN_US sets it; 0 turns it off).
SPIN_SECONDS = 50e-6
# An engine that waited longer than that for its next command sleeps in a read, and the command's write must wake it:
# on a virtual machine that takes tens of microseconds before it starts work. The host then spins this much longer for
# the reply, not to fall asleep itself and make the reply wake it in turn.
WAKE_SECONDS = 200e-6


class Simulator:
    def __init__(self, chip, hang_seconds: float, max_cycles: int = MAX_CYCLES, sandbox: bool = True):
        self.chip, self.hang_seconds, self.max_cycles = chip, hang_seconds, max_cycles
        self.sandbox = sandbox  # asked for; `sandboxed` says whether the running engine is (None: no engine yet)
        self.sandboxed, self.unsandboxed_why = None, ""
        self.timing = os.environ.get("TENSIX_TIMING", "calendar")
        if self.timing not in TIMING_MODES:
            raise TensixError(f"TENSIX_TIMING={self.timing!r}; it takes one of {', '.join(TIMING_MODES)}")
        self.races = checks.env_flag("TENSIX_RACES", True)  # the race detector (native/races.cpp)
        self.strict_init = checks.env_flag("TENSIX_STRICT_INIT", True)  # the strict-init checker (native/inits.cpp)
        self.stats = None  # what the engine reported about the last run: its JSON text, parsed only when asked (Run.stats)
        spin = os.environ.get("TENSIX_SPIN_US", "")
        try: self.spin = float(spin) * 1e-6 if spin else SPIN_SECONDS if len(os.sched_getaffinity(0)) > 1 else 0.0
        except ValueError: self.spin = -1
        if not 0 <= self.spin <= 1: raise TensixError(f"TENSIX_SPIN_US takes microseconds, 0 to 1000000 (0: no spinning); got {spin!r}")
        # Blocks start on 64 KiB boundaries so any host page size can map one core's L1 alone (engine.h agrees).
        stride = -(-chip.l1_size // BLOCK) * BLOCK
        dram_at = BLOCK + chip.num_cores * stride
        self.size = dram_at + len(chip.dram_banks) * chip.dram_bank_size
        self.fd = os.memfd_create(f"tensix-{chip.name}", os.MFD_CLOEXEC)  # sparse: pages cost memory once written
        os.ftruncate(self.fd, self.size)
        self.mem = mmap.mmap(self.fd, self.size)
        whole = np.frombuffer(self.mem, np.uint8)
        self.status = whole[:BLOCK]
        # engine.h's Status: progress, running core and processor, command lines sent, replies flushed
        # read and written at every run, as Python ints: a memoryview's item costs a tenth of a numpy scalar's
        words = memoryview(self.mem)[:32].cast("Q")
        self.progress_word, self.counters = words[0:1], words[2:4]
        self.l1 = whole[BLOCK:dram_at].reshape(chip.num_cores, stride)[:, :chip.l1_size]
        self.l1_offset = lambda core: BLOCK + core * stride  # where a core's L1 starts in `mem`
        self.dram = whole[dram_at:].reshape(len(chip.dram_banks), chip.dram_bank_size)
        self.engine = None

    # ---- the engine process
    def _start(self):
        import subprocess  # here: `import tensix` need not load it
        path = build.engine()
        cmd_r, cmd_w = os.pipe()
        rep_r, rep_w = os.pipe()
        self.engine = subprocess.Popen([str(path), str(cmd_r), str(rep_w), str(self.fd), str(os.getpid())],
                                       pass_fds=(cmd_r, rep_w, self.fd), stdin=subprocess.DEVNULL)
        os.close(cmd_r); os.close(rep_w)
        os.set_blocking(rep_r, False)  # _reply reads without select when the spin saw a reply: it must not block then
        self.cmd_fd = cmd_w
        self.reply_fd, self.pending = rep_r, b""
        self.sent, self.replies_seen, self.spin_armed = 0, 0, False
        self.replied_at = 0.0  # when the host last saw a reply (perf_counter): the engine spins from then for a command
        self.counters[0] = self.counters[1] = 0  # a fresh engine counts from 0
        self.slots, self.engine_max_cycles, self.run_lines = {}, None, {}
        c = self.chip
        t = c.timing
        lines = [f"chip {c.num_cores} {c.l1_size} {c.l1_unreserved_base} {len(c.dram_banks)} {c.dram_bank_size} "
                 f"{c.dram_unreserved_base} {c.noc_size[0]} {c.noc_size[1]} {c.noc_addr_local_bits}",
                 f"reserved {' '.join(map(str, c.arg_base))} {c.cb_config_base} {c.semaphore_base} {c.num_semaphores} "
                 f"{c.semaphore_stride} {c.l1_alignment} {c.dram_alignment} {c.mem_zeros_base} {c.mem_zeros_size}",
                 f"timing {t.noc_bytes_per_cycle} {t.dram_bytes_per_cycle} {t.api_cycles} {t.noc_issue_cycles} "
                 f"{t.write_latency} {t.read_latency} {t.hop_cycles}",
                 f"noc_timing {TIMING_MODES.index(self.timing)} {t.l1_bytes_per_cycle} {t.max_burst_bytes} "
                 f"{t.launch_program_cycles} {t.launch_binary_cycles} {t.launch_core_cycles} {int(self.races)} "
                 f"{' '.join(f'{n} {e}' for n, e in t.packet_efficiency)}",
                 f"compute_timing {t.matmul_pass_cycles} {t.binary_cycles} {t.copy_cycles} {t.sfpu_cycles} {t.exp_cycles} "
                 f"{t.exp_approx_cycles} {t.recip_cycles} {t.sqrt_cycles} {t.reduce_cycles} {t.unpack_tile_cycles} "
                 f"{t.pack_tile_cycles} {t.math_block_cycles} {t.sfpu_reduce_cycles}"]
        lines += [f"core {i} {' '.join(map(str, c.noc_xy(c.core_at(i))))}" for i in range(c.num_cores)]
        lines += [f"bank {b} {x} {y}" for b, (x, y) in enumerate(c.dram_banks)]
        self.progress, self.progress_since = None, time.monotonic()
        self._send(lines + [f"sandbox {int(self.sandbox)}", f"strict_init {int(self.strict_init)}", f"spin {int(self.spin * 1e9)}",
                           f"trace_kept {TRACE_EVENTS}", f"calendar_mb {CALENDAR_MB}", "start"])
        word, rest = self._reply(None)
        if word != "ready": raise TensixError(f"the tensix engine did not start: {word} {rest}")
        self.sandboxed, self.unsandboxed_why = not rest, rest.removeprefix("unsandboxed ")

    def _send(self, lines):
        text = "\n".join(lines) + "\n"
        self.replies_seen, self.spin_armed = self.counters[1], self.spin > 0
        try:
            data = text.encode()
            while data: data = data[os.write(self.cmd_fd, data):]
        except BrokenPipeError:
            return False  # the engine has ended; _reply reports how
        self.sent += text.count("\n")
        self.counters[0] = self.sent  # after the write: the engine, seeing it, finds the lines in the pipe
        return True

    def _reply(self, describe):
        """The next line from the engine. While waiting, watch that the engine makes progress: its threads call the
        kernel API or switch (the caller watches between printed lines: a kernel may print in an endless loop)."""
        while b"\n" not in self.pending:
            # once the spin saw the engine flush, its reply is in the pipe: no select (the count may be of a reply
            # already read, so the read does not block, and select waits then)
            if self.spin_armed and self._spin() or select.select([self.reply_fd], [], [], 0.2)[0]:
                try: chunk = os.read(self.reply_fd, 1 << 16)
                except BlockingIOError: continue
                if not chunk: return self._died(describe)
                self.pending += chunk
            else:
                self._watch(describe)
        line, self.pending = self.pending.split(b"\n", 1)
        word, _, rest = line.decode(errors="replace").partition(" ")
        return word, rest

    def _spin(self):
        """Wait up to `spin` seconds for the engine to flush a reply (once per command: then select sleeps)."""
        self.spin_armed = False
        counters, seen, clock, give_way = self.counters, self.replies_seen, time.perf_counter, os.sched_yield
        now = clock()
        end = now + self.spin + (WAKE_SECONDS if now - self.replied_at > self.spin else 0.0)  # it was asleep: woken
        while counters[1] == seen:  # giving way between looks: the engine may be queued on this processor
            if (now := clock()) > end: return False
            give_way()
        self.replied_at = now
        return True

    def _watch(self, describe):
        now, progress = time.monotonic(), self.progress_word[0]  # the engine counts API calls and switches
        if progress != self.progress: self.progress, self.progress_since = progress, now
        elif now - self.progress_since > self.hang_seconds:
            core, proc = self._running()
            self.stop()
            where = self._where(describe, core, proc)
            raise HangError(f"{where} ran {self.hang_seconds:g} s without calling the kernel API (DPRINT aside): an "
                            f"endless loop, or a spin on memory that only an API call (a semaphore wait, a circular-buffer "
                            f"wait) would see change", core=core, proc=proc)

    def _running(self):
        core, proc = (int(v) for v in self.status[8:16].view(np.int32))
        return core, proc

    def _where(self, describe, core, proc):
        """Who to blame for thread (core, proc): while a kernel loads, its static constructors."""
        if core == LOADING:
            path = next((p for p, s in self.slots.items() if s == proc), None)
            return describe(-1, -1, binary=path) if describe else f"the kernel {path} (its static constructors)"
        return describe(core, proc) if describe else "the engine"

    def _died(self, describe):
        code = self.engine.wait()
        core, proc = self._running()
        self.stop()
        where = self._where(describe, core, proc)
        raise KernelError(f"{where} ended the engine process ({_signal_name(-code) if code < 0 else f'exit code {code}'})",
                          core=core, proc=proc)

    def close(self):
        """Stop the engine and let go of the device's memory."""
        self.stop()
        for words in (self.progress_word, self.counters):
            if words is not None: words.release()  # else mem.close() finds them still exported
        self.status = self.l1 = self.dram = self.progress_word = self.counters = None
        try:
            self.mem.close()
        except BufferError:
            pass  # a view of it is still alive somewhere; it goes with that view
        if self.fd >= 0: os.close(self.fd)
        self.fd = -1

    def stop(self):
        if self.engine is None: return
        if self.engine.poll() is None:
            self.engine.kill()
        self.engine.wait()
        os.close(self.reply_fd)
        os.close(self.cmd_fd)
        self.engine = None

    # ---- running a program
    def launch(self, cores, describe, on_print, max_cycles=None):
        """cores: [(core index, (kernel .so path or None per processor), (arg count per processor), cb formats as two hex
        digits each)].
        Returns {(core, proc): cycles}. `describe(core, proc)` names a thread for error messages. Whatever interrupts
        it (Ctrl-C, an error) stops the engine: the next launch starts a fresh one, never one still running this."""
        try:
            return self._launch(cores, describe, on_print, max_cycles or self.max_cycles)
        except BaseException:
            self.stop()
            raise

    def _launch(self, cores, describe, on_print, max_cycles):
        self.progress, self.progress_since = None, time.monotonic()
        self.stats = None
        if self.engine is None: self._start()
        if not self._send(self._commands(cores, max_cycles)):  # the engine ended since the last run (it was killed)
            self.stop()
            self._start()
            self._send(self._commands(cores, max_cycles))
        while True:
            word, rest = self._reply(describe)
            if word == "print":
                core, proc, text = (rest.split(" ", 2) + [""])[:3]
                on_print(int(core), int(proc), text)
                self._watch(describe)
            elif word == "stats":
                self.stats = rest
            elif word == "done":
                return {(int(c), int(p)): int(n) for c, p, n in (f.split(":") for f in rest.split())}
            else:
                self._failed(word, rest, describe, max_cycles)

    def _commands(self, cores, max_cycles):
        """The lines that run `cores` (launch's argument) on the engine: new kernels, a new budget, the run."""
        lines = []
        if max_cycles != self.engine_max_cycles:
            lines.append(f"max_cycles {max_cycles}")
            self.engine_max_cycles = max_cycles
        key = tuple(cores)
        run = self.run_lines.get(key)  # a program run in a loop sends the same line each time
        if run is None:
            for _, paths, _, _ in cores:
                for p in paths:
                    if p is not None and p not in self.slots:
                        self.slots[p] = len(self.slots)
                        lines.append(f"kernel {self.slots[p]} {p}")
            run = ["run"]
            for core, paths, nargs, formats in cores:
                run += [str(core), *(str(self.slots[p]) if p is not None else "-1" for p in paths), *map(str, nargs), formats]
            if len(self.run_lines) > 64: self.run_lines.clear()
            run = self.run_lines[key] = " ".join(run)
        lines.append(run)
        return lines

    def trace(self, path):
        """Write the last run's event log (trace.cpp's records) to `path`; returns how many events it holds and how
        many more the run had (past TRACE_EVENTS)."""
        if self.engine is None or self.engine.poll() is not None: raise TensixError("no run to trace: the engine has stopped")
        self._send(["trace"])
        word, rest = self._reply(None)
        if word != "traced": raise TensixError(f"unexpected reply from the engine: {word} {rest}")
        kept, dropped = map(int, rest.split())
        size = kept * TRACE_EVENT_BYTES
        while len(self.pending) < size:
            select.select([self.reply_fd], [], [], 0.2)
            try: chunk = os.read(self.reply_fd, max(1 << 16, size - len(self.pending)))
            except BlockingIOError: continue
            if not chunk: return self._died(None)
            self.pending += chunk
        records, self.pending = self.pending[:size], self.pending[size:]
        with open(path, "wb") as f: f.write(records)
        return kept, dropped

    def _failed(self, word, rest, describe, max_cycles):
        loading = self._running()
        self.stop()
        if word == "hang":
            core, proc, clock = map(int, rest.split())
            raise HangError(f"{describe(core, proc)} ran past {max_cycles} cycles (its clock reads {clock}): an endless "
                            f"loop that keeps calling the kernel API; if the program really runs that long, raise the "
                            f"budget with max_cycles= on the Device or the run", core=core, proc=proc)
        if word == "error":
            core, proc, msg = rest.split(" ", 2)
            core, proc = int(core), int(proc)
            if core < 0 and loading[0] == LOADING: core, proc = loading
            msg = _with_lines(msg)
            raise KernelError(f"{self._where(describe, core, proc)}: {msg}" if core >= 0 or core == LOADING else msg,
                              core=core, proc=proc)
        if word == "deadlock":
            blocked = []
            for item in filter(str.strip, rest.split("|")):
                core, proc, what = item.strip().split(" ", 2)
                blocked.append((int(core), int(proc), _with_lines(what)))
            lines = "\n".join(f"  {describe(c, p)} waits in {w}" for c, p, w in blocked)
            raise DeadlockError(f"deadlock: every running thread waits on something no other thread will do\n{lines}",
                                blocked)
        if word == "crash":
            core, proc, sig, addr, offset, overflow, so = rest.split(" ", 6)
            core, proc = int(core), int(proc)
            if core < 0 and loading[0] == LOADING: core, proc = loading
            where = _source_line(so, offset) if _is_kernel(so) else ""
            addr = int(addr, 16)
            what = _signal_name(int(sig))
            if overflow == "1":
                what = "it overflowed its 1 MiB stack (large arrays belong in L1, at an address the program gives it)"
            elif int(sig) in (signal.SIGSEGV, signal.SIGBUS):
                what += f" at address {addr:#x}" + (" (L1 ends there)" if addr == self.chip.l1_size else
                                                    " (not an L1 address)" if addr >= self.chip.l1_size else "")
            raise KernelError(f"{self._where(describe, core, proc)} crashed: {what}{where}", core=core, proc=proc)
        if word == "refused":
            core, proc, call, offset, so = rest.split(" ", 4)
            core, proc = int(core), int(proc)
            if core < 0 and loading[0] == LOADING: core, proc = loading
            where = _source_line(so, offset) if _is_kernel(so) else ""
            raise KernelError(f"{self._where(describe, core, proc)} made the system call {call}{where}, which the sandbox "
                              f"refuses: kernels may not start programs, make processes, signal other processes, open "
                              f"files for writing or use the network (TENSIX_SANDBOX=0 or Device(sandbox=False) turns "
                              f"the sandbox off)", core=core, proc=proc)
        raise TensixError(f"unexpected reply from the engine: {word} {rest}")


def _is_kernel(so): return bool(re.search(r"/kernel[^/]*\.so$", so))


def _signal_name(sig):
    try: return SIGNALS.get(sig) or signal.Signals(sig).name
    except ValueError: return f"signal {sig}"


def _with_lines(msg):
    """The engine's " [at kernel.so 0x1234]" in `msg` as " at line N of the kernel"."""
    return re.sub(r" \[at (\S+) (0x[0-9a-f]+)\]", lambda m: _source_line(m[1], m[2]).replace(", at", " at"), msg)


def _source_line(so, offset):
    """', at line N' of the kernel's source, from the crashing instruction (addr2line reads the debug info)."""
    import subprocess
    try:
        r = subprocess.run(["addr2line", "-e", so, "-i", offset], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    for loc in r.stdout.split():
        path, _, line = loc.partition(":")
        if path.endswith("/kernel.cpp") and line.split(" ")[0].isdigit():
            return f", at line {line.split(' ')[0]} of the kernel"
    return ""
