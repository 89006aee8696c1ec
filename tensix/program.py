"""A program is data: for one or more sets of cores, up to three kernels (reader on NCRISC, writer on BRISC, compute on
the TRISCs), their args, the circular buffers that join them, and semaphores."""
import re
from dataclasses import dataclass, field
import numpy as np
from . import build, checks
from .errors import TensixError
from .formats import DataFormat, bfloat16

READER, WRITER, COMPUTE = "reader", "writer", "compute"
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

    def __iter__(self):
        (x0, y0), (x1, y1) = core_of(self.start, "CoreRange(start)"), core_of(self.end, "CoreRange(end)")
        if x1 < x0 or y1 < y0: raise TensixError(f"CoreRange {self.start}-{self.end}: end comes before start")
        return ((x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1))


def _is_core(v):
    return isinstance(v, (tuple, list, np.ndarray)) and len(v) == 2 and all(
        isinstance(c, (int, np.integer)) and not isinstance(c, (bool, np.bool_)) for c in v)


def core_of(v, name="core") -> tuple:
    """(x, y) as a tuple of ints, from a tuple, list or array of two integers (numpy ones too)."""
    if not _is_core(v): raise TensixError(f"{name} takes a core (x, y) of two integers; got {checks._got(v)}")
    return int(v[0]), int(v[1])


def cores_of(spec, chip=None) -> list:
    """A core (x, y), a CoreRange, or a set/list of them -> the list of cores, in order, each once (on `chip`'s grid)."""
    if isinstance(spec, CoreRange):
        if chip: chip.noc_xy(core_of(spec.start, "CoreRange(start)")), chip.noc_xy(core_of(spec.end, "CoreRange(end)"))
        return list(spec)
    if _is_core(spec) or (isinstance(spec, tuple) and len(spec) == 2 and not any(isinstance(v, (tuple, list, CoreRange)) for v in spec)):
        return [core_of(spec, "cores")]  # one core, or a mistaken one: name all of it
    if not isinstance(spec, (list, tuple, set, frozenset)) or not spec:
        raise TensixError(f"cores takes a core (x, y), a tt.CoreRange, or a non-empty list of them; got {checks._got(spec)}")
    out = []
    for s in spec:
        for c in cores_of(s, chip):
            if c not in out: out.append(c)
    return out


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



class TensorAccessorArgs:
    """What tt-metal's host TensorAccessorArgs(buffer) gives a kernel: the compile-time args from which the kernel's
    TensorAccessorArgs<offset>() and TensorAccessor find the buffer's pages (a layout word: IsDram, not sharded; then
    the aligned page size). `compile_args=[*tt.TensorAccessorArgs(a).get_compile_time_args(), ...]`."""
    IS_DRAM = 1 << 1  # tensor_accessor::ArgConfig::IsDram

    def __init__(self, buffer): self.buffer = buffer

    def get_compile_time_args(self) -> list: return [0 if self.buffer.l1 else self.IS_DRAM, self.buffer.stride]

    def get_common_runtime_args(self) -> list: return []  # interleaved buffers need none

    def append_to(self, compile_args: list, common_args: list = None) -> list:
        compile_args.extend(self.get_compile_time_args())
        if common_args is not None: common_args.extend(self.get_common_runtime_args())
        return compile_args


@dataclass
class CB:
    """A circular buffer: `pages` pages of `page` bytes (default: one tile of `fmt`) in each core's L1."""
    index: int
    fmt: DataFormat = bfloat16
    pages: int = 2
    page: int = None

    def __post_init__(self):
        self.index = checks.integer("CB(index)", self.index)
        checks.instance(f"CB({self.index}).fmt", self.fmt, DataFormat, "a tensix format (tt.bfloat16, ...)")
        self.pages = checks.integer(f"CB({self.index}).pages", self.pages, 1)
        if self.page is not None: self.page = checks.integer(f"CB({self.index}).page", self.page, 1)

    @property
    def page_size(self): return self.fmt.tile_bytes if self.page is None else self.page


class CoreSet:
    def __init__(self, chip, cores, kernels, args, cbs, semaphores):
        self.chip = chip
        self.cores = cores_of(cores, chip)
        for c in self.cores: chip.noc_xy(c)  # raises for a core off the grid
        self.kernels = {k: _kernel(k, v) for k, v in kernels.items() if v is not None}
        # Lists and dicts are checked now; a function of the core is checked at each run, as it is called then.
        self.args = {kind: a if a is None or callable(a) else self._args(kind, a) for kind, a in args.items()}
        if isinstance(cbs, CB): cbs = [cbs]
        if not isinstance(cbs, (list, tuple)) or not all(isinstance(cb, CB) for cb in cbs):
            raise TensixError(f"cbs takes a list of tt.CB; got {checks._got(cbs)}")
        self.cbs = sorted(cbs, key=lambda cb: cb.index)
        checks.words("semaphores", semaphores)  # a list of integers
        self.semaphores = [checks.integer(f"semaphores[{i}]", v, 0, (1 << 32) - 1) for i, v in enumerate(semaphores)]
        if len(self.semaphores) > chip.num_semaphores:
            raise TensixError(f"{len(self.semaphores)} semaphores asked for; a {chip.name} core has {chip.num_semaphores}")
        seen = set()
        addr = chip.l1_unreserved_base
        self.cb_addr = {}
        for cb in self.cbs:  # circular buffers sit at the bottom of usable L1, in index order, as tt-metal places them
            if not 0 <= cb.index < chip.num_circular_buffers:
                raise TensixError(f"circular buffer index {cb.index} is out of range (0-{chip.num_circular_buffers - 1})")
            if cb.index in seen: raise TensixError(f"circular buffer {cb.index} is given twice")
            if cb.pages < 1 or cb.page_size < 16 or cb.page_size % 16:
                raise TensixError(f"circular buffer {cb.index}: {cb.pages} pages of {cb.page_size} bytes; "
                                  f"a page is a positive multiple of 16 bytes, and a buffer has at least one page")
            seen.add(cb.index)
            self.cb_addr[cb.index] = addr
            addr += cb.pages * cb.page_size
        self.l1_end = addr
        if addr > chip.l1_size:
            raise TensixError(f"the circular buffers need {addr - chip.l1_unreserved_base} bytes of L1 from "
                              f"{chip.l1_unreserved_base:#x}; a {chip.name} core has {chip.l1_size - chip.l1_unreserved_base}")

    def _args(self, kind, a):
        limit = self.chip.max_runtime_args
        if isinstance(a, dict):
            out = {}
            for core, v in a.items():
                c = core_of(core, f"a core in {kind}_args")
                out[c] = checks.words(f"{kind}_args[{c}]", v, limit, "runtime args")
            return out
        return checks.words(f"{kind}_args", a, limit, "runtime args")

    def l1_config(self, chip):
        """What each core of the set gets in reserved L1 at every launch, made once: the circular-buffer table and the
        semaphores' initial values (as bytes), and the buffers' formats as the engine takes them (two hex digits each)."""
        if getattr(self, "_l1_config", None) is None:
            cb_cfg = np.zeros((chip.num_circular_buffers, 4), np.uint32)
            formats = [255] * chip.num_circular_buffers
            for cb in self.cbs:
                cb_cfg[cb.index] = (self.cb_addr[cb.index] >> 4, cb.pages * cb.page_size >> 4, cb.pages, cb.page_size >> 4)
                formats[cb.index] = cb.fmt.code
            sems = np.zeros(chip.num_semaphores * chip.semaphore_stride // 4, np.uint32)
            sems[:len(self.semaphores) * chip.semaphore_stride // 4:chip.semaphore_stride // 4] = self.semaphores
            self._l1_config = cb_cfg.reshape(-1).view(np.uint8), sems.view(np.uint8), "".join(f"{f:02x}" for f in formats)
        return self._l1_config

    def args_for(self, kind, core):
        """The runtime args of `kind`'s kernel on `core`, as 32-bit words."""
        a = self.args.get(kind)
        if a is None: return []
        if callable(a): return checks.words(f"{kind}_args({core})", a(core), self.chip.max_runtime_args, "runtime args")
        if isinstance(a, dict): return a.get(core, [])
        return a


def _kernel(kind, v):
    if isinstance(v, str): v = Kernel(v)
    if not isinstance(v, Kernel):
        raise TensixError(f"{kind} takes kernel source (a str) or a tt.Kernel; got {checks._got(v)}")
    return v


class Program:
    """Kernels on cores. `Program(dev, cores, reader=..., writer=..., compute=..., reader_args=..., cbs=[...])`;
    `add(...)` puts other kernels on another set of cores. Runtime args are a list, a dict {core: list}, or a
    function of the core."""

    def __init__(self, device, cores=None, **kernels_and_args):
        from .device import Device
        checks.instance("Program(device)", device, Device, "a tt.Device")
        self.device, self.chip = device, device.chip
        self.core_sets = []
        self._binaries = {}
        if cores is not None: self.add(cores, **kernels_and_args)

    def add(self, cores, reader=None, writer=None, compute=None, reader_args=None, writer_args=None, compute_args=None,
            cbs=(), semaphores=()):
        cs = CoreSet(self.chip, cores, {READER: reader, WRITER: writer, COMPUTE: compute},
                     {READER: reader_args, WRITER: writer_args, COMPUTE: compute_args}, cbs, semaphores)
        taken = {c for s in self.core_sets for c in s.cores}
        for c in cs.cores:
            if c in taken: raise TensixError(f"core {c} is in two core sets of this program")
        self.core_sets.append(cs)
        return self

    def semaphore(self, index):
        """The L1 address of semaphore `index` on every core (what get_semaphore(index) returns in a kernel)."""
        index = checks.integer("semaphore(index)", index, 0, self.chip.num_semaphores - 1)
        return self.chip.semaphore_base + index * self.chip.semaphore_stride

    def binary(self, kind, kernel):
        """The kernel's compiled shared object; compiled on first use, then cached by content."""
        key = (kind, id(kernel))
        if key not in self._binaries:
            self._binaries[key] = (kernel, compile_kernel(self.chip, kind, kernel))
        return self._binaries[key][1]

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
        for cs in self.core_sets:
            if core in cs.cores and kind in cs.kernels:
                name = cs.kernels[kind].name
                label = f"{kind} kernel" + (f" {name!r}" if name else "")
                return f"{label} on core {core} ({PROCS[proc]})"
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


def compile_kernel(chip, kind, k):
    """A kernel's shared object for `chip`: the compile needs the chip's figures, not a running device."""
    what = f"{kind} kernel {k.name!r}"
    checks.instance(f"{what}: source", k.source, str, "C++ source as a str")
    checks.instance(f"{what}: name", k.name, str, "a str")
    ct = checks.words(f"{what}: compile_args", k.compile_args, chip.max_compile_time_args, "compile-time args")
    noc = DEFAULT_NOC[kind] if k.noc is None else checks.integer(f"{what}: noc", k.noc, 0, 1)
    if not isinstance(k.defines, dict) or not all(isinstance(n, str) and n.isidentifier() for n in k.defines):
        raise TensixError(f"{what}: defines takes a dict of macro names (identifiers) to values; got {checks._got(k.defines)}")
    for n, v in k.defines.items():
        if not (v is None or isinstance(v, (str, int, float, np.integer, np.floating))) or "\n" in str(v):
            raise TensixError(f"{what}: defines[{n!r}] takes a str, a number or None (one line); got {checks._got(v)}")
    for flag in ("fp32_dest_acc_en", "math_approx_mode"): checks.boolean(f"{what}: {flag}", getattr(k, flag))
    defines = {f"KERNEL_COMPILE_TIME_ARG_{i}": v for i, v in enumerate(ct)}
    defines.update(KERNEL_COMPILE_TIME_ARGS="".join(f"{v}u," for v in ct), KERNEL_COMPILE_TIME_ARG_COUNT=len(ct),
                   NOC_INDEX=noc, NOC_ADDR_LOCAL_BITS=chip.noc_addr_local_bits, TENSIX_ARG_BASE=chip.arg_base[PROC_OF[kind]],
                   TENSIX_COMMON_ARG_BASE=chip.common_arg_base[PROC_OF[kind]], L1_UNRESERVED_BASE=chip.l1_unreserved_base, NOC_MAX_BURST_SIZE=chip.timing.max_burst_bytes, MEM_ZEROS_BASE=chip.mem_zeros_base, MEM_ZEROS_SIZE=chip.mem_zeros_size,
                   **{f"ARCH_{chip.arch.upper()}": None, ("COMPILE_FOR_BRISC", "COMPILE_FOR_NCRISC", "COMPILE_FOR_TRISC")[PROC_OF[kind]]: None})
    for name, v in k.defines.items(): defines[name] = None if v is None else str(v)
    name = k.name or kind
    if kind == COMPUTE:
        if k.math_fidelity not in FIDELITY:
            raise TensixError(f"compute kernel {name!r}: math_fidelity {k.math_fidelity!r}; one of {', '.join(FIDELITY)}")
        if k.fp32_dest_acc_en and chip.arch == "grayskull":
            raise TensixError(f"compute kernel {name!r}: fp32_dest_acc_en, but Grayskull's destination register holds bfloat16 only")
        to_dest = _unpack_to_dest(k, name, chip)
        defines.update(NAMESPACE="tensix_compute", MAIN="kernel_main()", TENSIX_COMPUTE=None, TENSIX_MATH_FIDELITY=FIDELITY[k.math_fidelity],
                       TENSIX_FP32_DEST_ACC=int(k.fp32_dest_acc_en), TENSIX_APPROX=int(k.math_approx_mode), TENSIX_UNPACK_TO_DEST=f"{to_dest}u")
        # 2024's compute kernels define `namespace NAMESPACE { void MAIN {...} }`, today's a plain `void kernel_main()`
        entry = "tensix_compute::kernel_main()" if re.search(r"\bnamespace\s+NAMESPACE\b", k.source) else "kernel_main()"
        call = "tensix_api->compute_init(TENSIX_MATH_FIDELITY, TENSIX_FP32_DEST_ACC, TENSIX_APPROX, TENSIX_UNPACK_TO_DEST); " + entry
        return build.kernel(k.source, name, '#include "compute_kernel_api.h"\nusing namespace ckernel;', call, defines, k.includes)
    return build.kernel(k.source, name, '#include "dataflow_api.h"', "kernel_main()", defines, k.includes)
