"""A program is data: kernels (reader on NCRISC, writer on BRISC, compute on the TRISCs) with their args, the circular
buffers that join them, and semaphores, each on the cores it is given."""
import functools, os, re, sys
from pathlib import Path
from dataclasses import dataclass, field
import numpy as np
from . import build, checks
from .errors import CompileError, TensixError
from .formats import DataFormat, bfloat16

READER, WRITER, COMPUTE = "reader", "writer", "compute"
SHORT_FORM = ("reader", "writer", "compute", "reader_args", "writer_args", "compute_args", "cbs", "semaphores")  # add()'s
PROCS = ("BRISC", "NCRISC", "TRISC")  # the RISC-Vs, by the engine's numbering
PROC_SHORT = ("BR", "NC", "TR")        # as DPRINT prefixes name them
PROC_OF = {WRITER: 0, READER: 1, COMPUTE: 2}  # BRISC, NCRISC, TRISC: the processor each kernel runs on
DEFAULT_NOC = {WRITER: 0, READER: 1, COMPUTE: 0}  # as tt-metal's RISCV_0_default / RISCV_1_default
FIDELITY = {"LoFi": 0, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}  # tt-metal's MathFidelity values


class UnpackToDestMode:
    """How copy_tile brings a circular buffer's tiles into the destination register (tt-metal's UnpackToDestMode):
    through the source registers (Default), or, for float32 tiles, straight into a float32 register."""
    Default = "Default"
    UnpackToDestFp32 = "UnpackToDestFp32"


@dataclass(frozen=True)
class CoreRange:
    """Cores from `start` to `end`, both included, in logical (x, y) coordinates, as tt-metal's CoreRange."""
    start: tuple
    end: tuple

    def __post_init__(self):  # checked when made, so a bad range is named where it is written, not where it is used
        start, end = core_of(self.start, "CoreRange(start)"), core_of(self.end, "CoreRange(end)")
        if end[0] < start[0] or end[1] < start[1]: raise TensixError(f"CoreRange {start}-{end}: end comes before start")
        object.__setattr__(self, "start", start), object.__setattr__(self, "end", end)

    def __iter__(self):
        (x0, y0), (x1, y1) = self.start, self.end
        return ((x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1))


def _is_core(v):
    return isinstance(v, (tuple, list, np.ndarray)) and len(v) == 2 and all(
        isinstance(c, (int, np.integer)) and not isinstance(c, (bool, np.bool_)) for c in v)


def core_of(v, name="core") -> tuple:
    """(x, y) as a tuple of ints, from a tuple, list or array of two integers (numpy ones too)."""
    if not _is_core(v): raise TensixError(f"{name} takes a core (x, y) of two integers; got {checks._got(v)}")
    return int(v[0]), int(v[1])


class _Cores(list):
    """A list of cores cores_of made: checked, each once (a program's add passes it on to kernel, cb, semaphore)."""


def cores_of(spec, chip=None) -> list:
    """A core (x, y), a CoreRange, or a set/list of them -> the list of cores, in order, each once (on `chip`'s grid)."""
    if type(spec) is _Cores: return spec
    if isinstance(spec, CoreRange):
        if chip: chip.noc_xy(core_of(spec.start, "CoreRange(start)")), chip.noc_xy(core_of(spec.end, "CoreRange(end)"))
        return _Cores(spec)
    if _is_core(spec) or (isinstance(spec, tuple) and len(spec) == 2 and not any(isinstance(v, (tuple, list, CoreRange)) for v in spec)):
        return _Cores([core_of(spec, "cores")])  # one core, or a mistaken one: name all of it
    if not isinstance(spec, (list, tuple, set, frozenset)) or not spec:
        raise TensixError(f"cores takes a core (x, y), a tt.CoreRange, or a non-empty list of them; got {checks._got(spec)}")
    if type(spec) is list and all(type(c) is tuple and len(c) == 2 and type(c[0]) is int and type(c[1]) is int for c in spec):
        return _Cores(dict.fromkeys(spec))  # the usual list, quickly
    out = {}  # a dict keeps the first of each, in order, without a list scan per core
    for s in spec:
        for c in cores_of(s, chip): out[c] = None
    return _Cores(out)


@dataclass
class Kernel:
    """Kernel source (C++ against the tt-metal kernel API) with what is baked into its binary."""
    source: str
    name: str = ""
    compile_args: list = field(default_factory=list)
    defines: dict = field(default_factory=dict)
    noc: int = None  # the NoC its calls use by default; None: the processor's default
    math_fidelity: str = "HiFi4"  # compute kernels: LoFi, HiFi2, HiFi3 or HiFi4 multiplies
    fp32_dest_acc_en: bool = False  # compute kernels: a float32 destination register (Wormhole, Blackhole)
    math_approx_mode: bool = False  # compute kernels: the APPROX constant SFPU ops take as their default
    includes: list = field(default_factory=list)  # directories for the kernel's own #includes (then TENSIX_INCLUDE)
    # compute kernels: a UnpackToDestMode per circular buffer index (a list, as tt-metal's, or a dict {index: mode})
    unpack_to_dest_mode: object = None
    # runtime args every core of this kernel reads with get_common_arg_val (tt-metal's SetCommonRuntimeArgs); they are
    # not compiled in, so changing them between runs recompiles nothing
    common_args: list = field(default_factory=list)
    # named compile-time args (tt-metal's named_compile_args): {name: value}, read with get_named_compile_time_arg_val
    named_args: dict = field(default_factory=dict)
    # Metal 2.0's bindings (kernel_args_generated.h, kernel_bindings_generated.h), generated before the kernel: the
    # first runtime args named (get_arg(args::NAME)), the rest read by get_vararg(i); the first common runtime args
    # named, then each bound tensor's address, then the rest (get_common_vararg(i)); named_args are args:: too
    arg_names: list = field(default_factory=list)
    common_arg_names: list = field(default_factory=list)
    dfbs: dict = field(default_factory=dict)        # {name: circular buffer index}: dfb::NAME
    semaphores: dict = field(default_factory=dict)  # {name: semaphore id}: sem::NAME
    tensors: dict = field(default_factory=dict)     # {name: Buffer}: tensor::NAME, for TensorAccessor(tensor::NAME)

    def __post_init__(self):
        self.includes = build.directories("includes", self.includes)

    def common_words(self) -> list:
        """The common runtime args as the kernel finds them: the named ones, the bound tensors' addresses, the rest."""
        n = len(self.common_arg_names)
        return [*self.common_args[:n], *(b.addr for b in self.tensors.values()), *self.common_args[n:]]



class TensorAccessorArgs:
    """What tt-metal's host TensorAccessorArgs(buffer) gives a kernel: the compile-time args from which the kernel's
    TensorAccessorArgs<offset>() and TensorAccessor find the buffer's pages (a layout word: IsDram, not sharded; then
    the aligned page size). `compile_args=[*tt.TensorAccessorArgs(a).get_compile_time_args(), ...]`."""
    IS_DRAM = 1 << 1  # tensor_accessor::ArgConfig::IsDram

    def __init__(self, buffer):
        from .device import Buffer
        self.buffer = checks.instance("TensorAccessorArgs(buffer)", buffer, Buffer, "a Buffer")

    def get_compile_time_args(self) -> list: return [0 if self.buffer.l1 else self.IS_DRAM, self.buffer.stride]

    def get_common_runtime_args(self) -> list: return []  # interleaved buffers need none

    def append_to(self, compile_args: list, common_args: list = None) -> list:
        compile_args.extend(self.get_compile_time_args())
        if common_args is not None: common_args.extend(self.get_common_runtime_args())
        return compile_args


@dataclass
class CB:
    """A circular buffer: `pages` pages of `page` bytes (default: one tile of `fmt`) in each core's L1.
    Several indices may share one allocation, as tt-metal's CircularBufferConfig with a format per index:
    `CB((16, 24), fmt=(tt.bfloat16, tt.float32), pages=4)` is 4 pages of the first index's page size; each index keeps
    its own read and write pointers over the same bytes, with its own format and page size (`page` as a tuple)."""
    index: object
    fmt: object = bfloat16
    pages: int = 2
    page: object = None

    def __post_init__(self):
        many = isinstance(self.index, (tuple, list))
        self.index = tuple(checks.integer("CB(index)", i) for i in self.index) if many else checks.integer("CB(index)", self.index)
        n, what = len(self.indices), f"CB({self.index})"
        if not n or len(set(self.indices)) != n: raise TensixError(f"{what}: a buffer takes one index or several different ones")
        fmts = self.fmt if isinstance(self.fmt, (tuple, list)) else (self.fmt,) * n
        pages = self.page if isinstance(self.page, (tuple, list)) else (self.page,) * n
        if len(fmts) != n or len(pages) != n: raise TensixError(f"{what}: give one format and page size, or one per index")
        for f in fmts: checks.instance(f"{what}.fmt", f, DataFormat, "a tensix format (tt.bfloat16, ...)")
        self.pages = checks.integer(f"{what}.pages", self.pages, 1)
        self._fmts = tuple(fmts)
        self._pages = tuple(f.tile_bytes if p is None else checks.integer(f"{what}.page", p, 1) for f, p in zip(fmts, pages))
        for i, p in zip(self.indices, self._pages):
            if p < 16 or p % 16 or self.size % p:
                raise TensixError(f"circular buffer {i}: pages of {p} bytes in a buffer of {self.size}; a page is a "
                                  f"positive multiple of 16 bytes, and each index's pages fill the buffer exactly")

    @property
    def indices(self): return self.index if isinstance(self.index, tuple) else (self.index,)

    def fmt_of(self, index): return self._fmts[self.indices.index(index)]

    def page_of(self, index): return self._pages[self.indices.index(index)]

    @property
    def page_size(self): return self._pages[0]

    @property
    def size(self): return self.pages * self._pages[0]


class _OnCore:
    """What one core gets: a kernel of each kind with its args, circular buffers {index: (CB, addr)}, semaphores
    {id: initial value}, and the top of its circular buffers in L1. Cores given the same things share one (`users`:
    how many), so that a program of 108 alike cores is set up, planned and checked once, not 108 times."""

    def __init__(self, base, users):
        self.kernels, self.cbs, self.sems, self.top, self.users = {}, {}, {}, base, users

    def copy(self, users):
        new = _OnCore(self.top, users)
        new.kernels, new.cbs, new.sems = dict(self.kernels), dict(self.cbs), dict(self.sems)
        return new

    def l1_config(self, chip):
        """The circular-buffer table and semaphore values as the core's reserved L1 holds them (bytes), and each
        buffer's format as the engine takes them (two hex digits each)."""
        cfg = np.zeros((chip.num_circular_buffers, 4), np.uint32)
        formats = [255] * chip.num_circular_buffers
        for i, (cb, addr) in self.cbs.items():
            page = cb.page_of(i)
            cfg[i] = (addr >> 4, cb.size >> 4, cb.size // page, page >> 4)
            formats[i] = cb.fmt_of(i).code
        sems = np.zeros(chip.num_semaphores * chip.semaphore_stride // 4, np.uint32)
        for i, v in self.sems.items(): sems[i * chip.semaphore_stride // 4] = v
        return cfg.reshape(-1).view(np.uint8), sems.view(np.uint8), "".join(f"{f:02x}" for f in formats)


def _kernel(kind, v):
    if isinstance(v, str): v = Kernel(v)
    if not isinstance(v, Kernel):
        raise TensixError(f"{kind} takes kernel source (a str) or a tt.Kernel; got {checks._got(v)}")
    return v


class Program:
    """Kernels, circular buffers and semaphores, each on its own cores, as tt-metal places them:
    `prog.kernel(cores, "reader", src, args)`, `prog.cb(cores, tt.CB(...))`, `prog.semaphore(cores, initial)`.
    The short form `Program(dev, cores, reader=..., writer=..., compute=..., reader_args=..., cbs=[...],
    semaphores=[...])` and `add(other_cores, ...)` put all of them on one set of cores at once. Runtime args are a list,
    a dict {core: list}, or a function of the core."""

    def __init__(self, device, cores=None, **kernels_and_args):
        from .device import Device
        checks.instance("Program(device)", device, Device, "a tt.Device")
        self.device, self.chip = device, device.chip
        self.on_core = {}     # core -> _OnCore, in the order cores were first given
        self._added = set()   # cores given to add()
        self._binaries = {}
        self._layout = self._distinct = None
        self._plan = None  # what Device launches from: (layout, plan), kept while the layout is
        for k in kernels_and_args:
            if k not in SHORT_FORM:
                import difflib
                near = difflib.get_close_matches(k, SHORT_FORM, 1)
                raise TensixError(f"Program() has no keyword {k!r}" + (f" (did you mean {near[0]}=?)" if near else "") +
                                  f"; it takes cores and {', '.join(w + '=' for w in SHORT_FORM)}")
        if kernels_and_args and cores is None:
            raise TensixError(f"Program(): {', '.join(w + '=' for w in kernels_and_args)} given without cores; give cores=(x, y), "
                              "a tt.CoreRange or a list of them")
        if cores is not None: self.add(cores, **kernels_and_args)

    def _cores(self, cores):
        cs = cores_of(cores, self.chip)
        new = [c for c in cs if c not in self.on_core]
        if new:
            for c in new: self.chip.noc_xy(c)  # raises for a core off the grid
            on = _OnCore(self.chip.l1_unreserved_base, len(new))
            for c in new: self.on_core[c] = on
        self._layout = self._distinct = None
        return cs

    def _own(self, cores):
        """[(_OnCore, its first core)] of `cores`, in their order, each shared with no other core: about to change.
        (One shared with cores outside them is copied for them first.)"""
        cs = self._cores(cores)
        on = self.on_core[cs[0]]
        if on.users == len(cs) and len(set(map(id, map(self.on_core.__getitem__, cs)))) == 1: return [(on, cs[0])]  # usual
        groups = {}
        for c in cs:
            on = self.on_core[c]
            groups.setdefault(id(on), (on, c, []))[2].append(c)
        out = []
        for on, first, group in groups.values():
            if on.users > len(group):
                on.users -= len(group)
                on = on.copy(len(group))
                for c in group: self.on_core[c] = on
            out.append((on, first))
        return out

    def _ons(self):
        """Every distinct _OnCore of the program, in the order of their first cores."""
        if self._distinct is None: self._distinct = list({id(on): on for on in self.on_core.values()}.values())
        return self._distinct

    def add(self, cores, reader=None, writer=None, compute=None, reader_args=None, writer_args=None, compute_args=None,
            cbs=(), semaphores=()):
        """Kernels, circular buffers (in index order) and semaphores (ids 0, 1, ...) all on one set of cores."""
        cs = cores_of(cores, self.chip)
        for c in cs:
            if c in self._added: raise TensixError(f"core {c} is in two core sets of this program")
        if isinstance(cbs, CB): cbs = [cbs]
        if not isinstance(cbs, (list, tuple)) or not all(isinstance(cb, CB) for cb in cbs):
            raise TensixError(f"cbs takes a list of tt.CB; got {checks._got(cbs)}")
        checks.words("semaphores", semaphores)  # a list of integers
        semaphores = [checks.integer(f"semaphores[{i}]", v, 0, (1 << 32) - 1) for i, v in enumerate(semaphores)]
        if len(semaphores) > self.chip.num_semaphores:
            raise TensixError(f"{len(semaphores)} semaphores asked for; a core of the {self.chip.name} has {self.chip.num_semaphores}")
        self._added.update(cs)
        for kind, k, a in ((READER, reader, reader_args), (WRITER, writer, writer_args), (COMPUTE, compute, compute_args)):
            if k is not None: self.kernel(cs, kind, k, a)
        for cb in sorted(cbs, key=lambda cb: cb.indices[0]): self.cb(cs, cb)
        for v in semaphores: self.semaphore(cs, v)
        if not cs[0] in self.on_core: self._cores(cs)  # cores with nothing on them are still the program's
        return self

    def kernel(self, cores, kind, kernel, args=None):
        """Put a reader, writer or compute kernel (source or tt.Kernel) on `cores`, with its runtime args."""
        if not isinstance(kind, str) or kind not in PROC_OF: raise TensixError(f"kernel kind {kind!r}: one of {READER!r}, {WRITER!r}, {COMPUTE!r}")
        k = _kernel(kind, kernel)
        # Lists and dicts are checked now; a function of the core is checked at each run, as it is called then.
        a = args if args is None or callable(args) else self._args(kind, args)
        for on, c in self._own(cores):
            here = on.kernels
            if kind in here:
                raise TensixError(f"core {c} is given two {kind} kernels ({here[kind][0].name or 'unnamed'!r} and "
                                  f"{k.name or 'unnamed'!r}); a core runs one of each kind")
            here[kind] = (k, a)
        return k

    def cb(self, cores, cb):
        """Put a circular buffer on `cores`; returns its L1 address. It sits above the circular buffers already on
        those cores (at the same address on all of them, as tt-metal places one), in the order they were given."""
        if not isinstance(cb, CB): raise TensixError(f"cb takes a tt.CB; got {checks._got(cb)}")
        chip = self.chip
        for i in cb.indices:
            if not 0 <= i < chip.num_circular_buffers:
                raise TensixError(f"circular buffer index {i} is out of range (0-{chip.num_circular_buffers - 1})")
        ons, indices = self._own(cores), cb.indices
        addr = max(on.top for on, _ in ons)
        for on, c in ons:
            for i in indices:
                if i in on.cbs: raise TensixError(f"circular buffer {i} is given twice on core {c}")
            if addr + cb.size > chip.l1_size:
                raise TensixError(f"the circular buffers need {addr + cb.size - chip.l1_unreserved_base} bytes of L1 from "
                                  f"{chip.l1_unreserved_base:#x} on core {c}; a core of the {chip.name} has {chip.l1_size - chip.l1_unreserved_base}")
        for on, _ in ons:
            for i in indices: on.cbs[i] = (cb, addr)
            on.top = addr + cb.size
        return addr

    def semaphore(self, cores_or_index, initial=None):
        """`semaphore(cores, initial)`: a semaphore on `cores` with its initial value; returns its L1 address (the same
        on every core: the lowest semaphore free on all of them), which kernels take as an arg, as tt-metal's
        CreateSemaphore gives it. `semaphore(index)`: the address of semaphore `index` (get_semaphore(index))."""
        chip = self.chip
        if initial is None:
            index = checks.integer("semaphore(index)", cores_or_index, 0, chip.num_semaphores - 1)
            return chip.semaphore_base + index * chip.semaphore_stride
        initial = checks.integer("semaphore(initial)", initial, 0, (1 << 32) - 1)
        ons = self._own(cores_or_index)
        used = set().union(*(on.sems for on, _ in ons))
        sem = next((i for i in range(chip.num_semaphores) if i not in used), None)
        if sem is None:
            full = next((c for on, c in ons if len(on.sems) == chip.num_semaphores), ons[0][1])
            raise TensixError(f"{chip.num_semaphores + 1} semaphores asked for on core {full}; a core of the {chip.name} has {chip.num_semaphores}")
        for on, _ in ons: on.sems[sem] = initial
        return chip.semaphore_base + sem * chip.semaphore_stride

    def _args(self, kind, a):
        limit = self.chip.max_runtime_args
        if isinstance(a, dict):
            out = {}
            for core, v in a.items():
                c = core_of(core, f"a core in {kind}_args")
                out[c] = checks.words(f"{kind}_args[{c}]", v, limit, "runtime args")
            return out
        return checks.words(f"{kind}_args", a, limit, "runtime args")

    def args_for(self, kind, core):
        """The runtime args of `kind`'s kernel on `core`, as 32-bit words."""
        k, a = self.on_core[core].kernels[kind]
        if a is None: return []
        if callable(a): a = checks.words(lambda: f"{kind}_args({core})", a(core), self.chip.max_runtime_args, "runtime args")
        elif isinstance(a, dict): a = a.get(core, [])
        if len(a) < len(k.arg_names):
            raise TensixError(f"{kind} kernel {k.name!r} on core {core}: {len(a)} runtime args for its named args "
                              f"{', '.join(k.arg_names)}; give one value for each, first")
        return a

    def common_args_for(self, kind, k):
        """A kernel's common runtime args (the same on every core it runs on), as 32-bit words."""
        a = k.common_args
        if type(a) is list and not a and not k.tensors and not k.common_arg_names: return a  # the common case, quickly: checked at every run, as it may change
        what = f"{kind} kernel {k.name!r}: common_args"
        a = checks.words(what, a, self.chip.max_runtime_args, "common runtime args")
        if len(a) < len(k.common_arg_names):
            raise TensixError(f"{what}: {len(a)} values for its named common args {', '.join(k.common_arg_names)}; give one "
                              f"value for each, first")
        # bound tensors' addresses go in after the named args: the whole list is checked again for its length
        return checks.words(what, k.common_words(), self.chip.max_runtime_args, "common runtime args") if k.tensors else a

    def layout(self):
        """[(core, _OnCore, (cb table bytes, semaphore bytes, formats))] for every core of the program, made once
        (cores with the same circular buffers and semaphores share one table)."""
        if self._layout is None:
            tables, table_of = {}, {}
            for on in self._ons():
                key = (tuple((i, id(cb), addr) for i, (cb, addr) in sorted(on.cbs.items())), tuple(sorted(on.sems.items())))
                if key not in tables: tables[key] = on.l1_config(self.chip)
                table_of[id(on)] = tables[key]
            self._layout = [(c, on, table_of[id(on)]) for c, on in self.on_core.items()]
        return self._layout

    def compile(self):
        """Compile every kernel of the program (in parallel; each is cached by content), and report every kernel
        that fails, not only the first."""
        todo = {(kind, id(k)): (kind, k) for on in self._ons() for kind, (k, _) in on.kernels.items()}
        # kernels already in the cache take a lookup here; only those to compile go to threads (starting them costs more)
        todo = [v for key, v in todo.items() if key not in self._binaries and self.binary(*v, cached_only=True) is None]
        errors = []
        if todo:  # seconds each, once: say so, or a first run looks hung
            names = ", ".join(f"{kind} {k.name!r}" if k.name else kind for kind, k in todo)
            print(f"tensix: compiling {names} with {Path(build.compiler()[0]).name} (once; cached in {build.cache_dir()})",
                  file=sys.stderr, flush=True)

        def one(kind_k):
            try:
                self.binary(*kind_k)
            except CompileError as e:
                errors.append(e)

        if len(todo) > 1:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(min(len(todo), os.cpu_count() or 1)) as pool: list(pool.map(one, todo))
        else:
            for kk in todo: one(kk)
        if len(errors) == 1: raise errors[0]
        if errors:
            raise CompileError(f"{len(errors)} kernels of this program failed to compile:\n\n" + "\n\n".join(str(e) for e in errors))

    def binary(self, kind, kernel, cached_only=False):
        """The kernel's compiled shared object; compiled on first use, then cached by content. With cached_only, None
        where it is not compiled yet."""
        key = (kind, id(kernel))
        if key not in self._binaries:
            path = compile_kernel(self.chip, kind, kernel, self._cb_layout(kind, kernel), cached_only)
            if path is None: return None
            self._binaries[key] = (kernel, path)
        return self._binaries[key][1]

    def _cb_layout(self, kind, k) -> dict:
        """{index: (page size, format code)} of the circular buffers every core running `k` gives it alike."""
        seen = {}  # the distinct layouts (cores given the same buffers share one)
        for on in self._ons():
            if kind in on.kernels and on.kernels[kind][0] is k:
                key = tuple((i, id(cb)) for i, (cb, _) in on.cbs.items())
                if key not in seen: seen[key] = {i: (cb.page_of(i), cb.fmt_of(i).code) for i, (cb, _) in on.cbs.items()}
        if not seen: return {}
        first, *rest = seen.values()
        return {i: v for i, v in first.items() if i < 32 and all(s.get(i) == v for s in rest)}

    def describe(self, core_index, proc, binary=None):
        """'reader kernel 'name' on core (x, y) (NCRISC)': how errors name a thread. With `binary` (a kernel's compiled
        path): that kernel, while the engine loads it and runs its static constructors."""
        if binary is not None:
            for (kind, _), (k, path) in self._binaries.items():
                if str(path) == binary:
                    return f"{kind} kernel" + (f" {k.name!r}" if k.name else "") + " (in its static constructors, as it loaded)"
            return f"the kernel {binary} (in its static constructors, as it loaded)"
        core = self.chip.core_at(core_index) if core_index >= 0 else None
        kind = {v: k for k, v in PROC_OF.items()}.get(proc)
        on = self.on_core.get(core)
        if on is not None and kind in on.kernels:
            name = on.kernels[kind][0].name
            return f"{kind} kernel" + (f" {name!r}" if name else "") + f" on core {core} ({PROCS[proc]})"
        return f"core {core}" if core is not None else "the engine"


def _unpack_to_dest(k: Kernel, name: str, chip) -> int:
    """The kernel's unpack_to_dest_mode as a bit per circular buffer that copy_tile unpacks straight to the register."""
    modes = k.unpack_to_dest_mode or {}
    if not isinstance(modes, dict): modes = dict(enumerate(modes))
    mask = 0
    for cb, mode in modes.items():
        if mode not in (UnpackToDestMode.Default, UnpackToDestMode.UnpackToDestFp32):
            raise TensixError(f"compute kernel {name!r}: unpack_to_dest_mode[{cb}] is {mode!r}; one of tt.UnpackToDestMode.Default, "
                              f"tt.UnpackToDestMode.UnpackToDestFp32")
        if not 0 <= cb < chip.num_circular_buffers:
            raise TensixError(f"compute kernel {name!r}: unpack_to_dest_mode names circular buffer {cb}; a core has {chip.num_circular_buffers}")
        if mode == UnpackToDestMode.UnpackToDestFp32:
            if chip.arch == "grayskull":
                raise TensixError(f"compute kernel {name!r}: UnpackToDestFp32 for circular buffer {cb}, but Grayskull's unpacker "
                                  f"cannot write the destination register, which holds bfloat16 only")
            if not k.fp32_dest_acc_en:
                raise TensixError(f"compute kernel {name!r}: UnpackToDestFp32 for circular buffer {cb} needs a float32 "
                                  f"destination register (fp32_dest_acc_en=True)")
            mask |= 1 << cb
    return mask


METAL2 = re.compile(r"(?<![\w:])(args|dfb|sem|tensor)::\w|\bget_(common_)?vararg\s*\(")


@functools.lru_cache(256)
def _search(pattern, source: str) -> bool:
    """Whether `pattern` occurs in a kernel's source; remembered, as each run of an example makes a new Program of the
    same sources and a search takes a third of a millisecond (a hash of the same str object is kept by Python)."""
    return re.search(pattern, source) is not None


def _bindings(k: Kernel, what: str, kind: str, n_compile_args: int):
    """Metal 2.0's generated headers for a kernel that uses them, as tt-metal's genfiles.cpp writes them (C++ put before
    the kernel), and the compile-time args its bound tensors add after its own."""
    names = {"arg_names": k.arg_names, "common_arg_names": k.common_arg_names}
    for field_name, v in names.items():
        if not isinstance(v, (list, tuple)) or not all(isinstance(n, str) and n.isidentifier() for n in v):
            raise TensixError(f"{what}: {field_name} takes a list of names (identifiers); got {checks._got(v)}")
    for field_name in ("dfbs", "semaphores", "tensors"):
        v = getattr(k, field_name)
        if not isinstance(v, dict) or not all(isinstance(n, str) and n.isidentifier() for n in v):
            raise TensixError(f"{what}: {field_name} takes a dict of names (identifiers) to values; got {checks._got(v)}")
    if not (k.arg_names or k.common_arg_names or k.dfbs or k.semaphores or k.tensors or _search(METAL2, k.source)): return "", []
    arg_space = [*k.arg_names, *k.common_arg_names, *k.named_args]
    twice = sorted({n for n in arg_space if arg_space.count(n) > 1})
    if twice: raise TensixError(f"{what}: {', '.join(twice)} named twice among arg_names, common_arg_names and named_args (all are args::)")
    lines, extra = ['#include "experimental/kernel_args.h"'], []
    if k.arg_names or k.common_arg_names or k.named_args:
        lines.append("namespace args {")
        lines += [f"constexpr experimental::RtaArg<uint32_t> {n}{{{4 * i}}};" for i, n in enumerate(k.arg_names)]
        lines += [f"constexpr experimental::CrtaArg<uint32_t> {n}{{{4 * i}}};" for i, n in enumerate(k.common_arg_names)]
        lines += [f"constexpr experimental::CtaVal<uint32_t> {n}{{{checks.u32(f'{what}: named_args[{n!r}]', v)}u}};" for n, v in k.named_args.items()]
        lines.append("}")
    if k.dfbs:
        lines += ['#include "api/dataflow/dataflow_buffer.h"', "namespace dfb {"]
        lines += [f"constexpr DFBAccessor {n}{{{checks.integer(f'{what}: dfbs[{n!r}]', v, 0, 255)}}};" for n, v in k.dfbs.items()]
        lines.append("}")
    if k.semaphores:
        lines.append("namespace sem {")
        lines += [f"constexpr uint32_t {n} = {checks.integer(f'{what}: semaphores[{n!r}]', v, 0, 255)}u;" for n, v in k.semaphores.items()]
        lines.append("}")
    if k.tensors:
        if kind == COMPUTE: raise TensixError(f"{what}: tensors are bound to data-movement kernels (TensorAccessor reads and writes pages over the NoC)")
        lines += ['#include "api/tensor/tensor_binding_token.h"', "namespace tensor {"]
        for j, (n, buf) in enumerate(k.tensors.items()):
            cta = n_compile_args + len(extra)
            extra += TensorAccessorArgs(buf).get_compile_time_args()
            lines += [f"using {n}_t = ::tensor_accessor::TensorBindingToken<{cta}u, {4 * (len(k.common_arg_names) + j)}u>;", f"constexpr {n}_t {n}{{}};"]
        lines.append("}")
    lines += [f"inline uint32_t get_vararg(uint32_t idx) {{ return get_arg_val<uint32_t>({len(k.arg_names)} + idx); }}",
              f"inline uint32_t get_common_vararg(uint32_t idx) {{ return get_common_arg_val<uint32_t>({len(k.common_arg_names) + len(k.tensors)} + idx); }}"]
    return "\n".join(lines), extra


def compile_kernel(chip, kind, k, cbs: dict = None, cached_only=False):
    """A kernel's shared object for `chip`: the compile needs the chip's figures, not a running device. `cbs`:
    {index: (page size, format code)} of the circular buffers the kernel is given, which its get_tile_size and
    get_dataformat then return as constant expressions, as today's tt-metal builds kernels."""
    what = f"{kind} kernel {k.name!r}"
    checks.instance(f"{what}: source", k.source, str, "C++ source as a str")
    checks.instance(f"{what}: name", k.name, str, "a str")
    ct = checks.words(f"{what}: compile_args", k.compile_args, chip.max_compile_time_args, "compile-time args")
    bindings, tensor_args = _bindings(k, what, kind, len(ct))
    if tensor_args: ct = checks.words(f"{what}: compile_args with its tensors'", [*ct, *tensor_args], chip.max_compile_time_args, "compile-time args")
    noc = DEFAULT_NOC[kind] if k.noc is None else checks.integer(f"{what}: noc", k.noc, 0, 1)
    if not isinstance(k.defines, dict) or not all(isinstance(n, str) and n.isidentifier() for n in k.defines):
        raise TensixError(f"{what}: defines takes a dict of macro names (identifiers) to values; got {checks._got(k.defines)}")
    for n, v in k.defines.items():
        if not (v is None or isinstance(v, (str, int, float, np.integer, np.floating))) or "\n" in str(v):
            raise TensixError(f"{what}: defines[{n!r}] takes a str, a number or None (one line); got {checks._got(v)}")
    for flag in ("fp32_dest_acc_en", "math_approx_mode"): checks.boolean(f"{what}: {flag}", getattr(k, flag))
    defines = {f"KERNEL_COMPILE_TIME_ARG_{i}": v for i, v in enumerate(ct)}
    if not isinstance(k.named_args, dict) or not all(isinstance(n, str) and n.isidentifier() for n in k.named_args):
        raise TensixError(f"{what}: named_args takes a dict of names (identifiers) to integers; got {checks._got(k.named_args)}")
    if k.named_args:  # as tt-metal's build passes them: a map the kernel searches at compile time
        defines["KERNEL_COMPILE_TIME_ARG_MAP"] = ",".join(
            f'{{"{n}",{checks.u32(f"{what}: named_args[{n!r}]", v)}u}}' for n, v in k.named_args.items())
    defines.update(KERNEL_COMPILE_TIME_ARGS="".join(f"{v}u," for v in ct), KERNEL_COMPILE_TIME_ARG_COUNT=len(ct),
                   NOC_INDEX=noc, NOC_ADDR_LOCAL_BITS=chip.noc_addr_local_bits, TENSIX_L1_ALIGNMENT=chip.l1_alignment, TENSIX_DRAM_ALIGNMENT=chip.dram_alignment, TENSIX_ARG_BASE=chip.arg_base[PROC_OF[kind]],
                   TENSIX_COMMON_ARG_BASE=chip.common_arg_base[PROC_OF[kind]], L1_UNRESERVED_BASE=chip.l1_unreserved_base, NOC_MAX_BURST_SIZE=chip.timing.max_burst_bytes, MEM_ZEROS_BASE=chip.mem_zeros_base, MEM_ZEROS_SIZE=chip.mem_zeros_size, TENSIX_WORKER_COLS=len(chip.worker_x),
                   **{f"ARCH_{chip.arch.upper()}": None, ("COMPILE_FOR_BRISC", "COMPILE_FOR_NCRISC", "COMPILE_FOR_TRISC")[PROC_OF[kind]]: None})
    if cbs:
        defines.update(TENSIX_CB_PAGE_SIZES=",".join(str(cbs.get(i, (0, 0))[0]) for i in range(32)),
                       TENSIX_CB_FORMATS=",".join(str(cbs.get(i, (0, 0))[1]) for i in range(32)))
    for name, v in k.defines.items(): defines[name] = None if v is None else str(v)
    name = k.name or kind
    if kind == COMPUTE:
        if not isinstance(k.math_fidelity, str) or k.math_fidelity not in FIDELITY:
            raise TensixError(f"compute kernel {name!r}: math_fidelity {k.math_fidelity!r}; one of {', '.join(FIDELITY)}")
        if k.fp32_dest_acc_en and chip.arch == "grayskull":
            raise TensixError(f"compute kernel {name!r}: fp32_dest_acc_en, but Grayskull's destination register holds bfloat16 only")
        to_dest = _unpack_to_dest(k, name, chip)
        defines.update(NAMESPACE="tensix_compute", MAIN="kernel_main()", TENSIX_COMPUTE=None, TENSIX_MATH_FIDELITY=FIDELITY[k.math_fidelity],
                       TENSIX_FP32_DEST_ACC=int(k.fp32_dest_acc_en),
                       ENABLE_FP32_DEST_ACC=int(k.fp32_dest_acc_en), TENSIX_APPROX=int(k.math_approx_mode), TENSIX_UNPACK_TO_DEST=f"{to_dest}u",
                       DST_SYNC_MODE="DstSync::SyncHalf")
        # (ENABLE_FP32_DEST_ACC: ttnn's kernel_lib reads it where tt-metal's three TRISC builds have DST_ACCUM_MODE;
        # DST_SYNC_MODE as tt-metal's genfiles writes it: the engine's register is double-buffered, half per acquire)
        # 2024's compute kernels define `namespace NAMESPACE { void MAIN {...} }`, today's a plain `void kernel_main()`
        entry = "tensix_compute::kernel_main()" if _search(r"\bnamespace\s+NAMESPACE\b", k.source) else "kernel_main()"
        call = "tensix_api->compute_init(TENSIX_MATH_FIDELITY, TENSIX_FP32_DEST_ACC, TENSIX_APPROX, TENSIX_UNPACK_TO_DEST); " + entry
        return build.kernel(k.source, name, '#include "compute_kernel_api.h"\nusing namespace ckernel;\n' + bindings, call, defines,
                            k.includes, cached_only)
    # tt-metal's data-movement firmware includes debug/dprint.h before the kernel: DPRINT works without an include
    return build.kernel(k.source, name, '#include "dataflow_api.h"\n#include "debug/dprint.h"\n' + bindings, "kernel_main()", defines,
                        k.includes, cached_only)
