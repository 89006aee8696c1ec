"""A program is data: for one or more sets of cores, up to three kernels (reader on NCRISC, writer on BRISC, compute on
the TRISCs), their args, the circular buffers that join them, and semaphores."""
import re
from dataclasses import dataclass, field
from . import build
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
        (x0, y0), (x1, y1) = self.start, self.end
        if x1 < x0 or y1 < y0: raise TensixError(f"CoreRange {self.start}-{self.end}: end comes before start")
        return ((x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1))


def cores_of(spec) -> list:
    """A core (x, y), a CoreRange, or a set/list of them -> the list of cores, in order, each once."""
    if isinstance(spec, CoreRange): return list(spec)
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(v, int) for v in spec): return [spec]
    out = []
    for s in spec:
        for c in cores_of(s):
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

    @property
    def page_size(self): return self.page or self.fmt.tile_bytes


class CoreSet:
    def __init__(self, chip, cores, kernels, args, cbs, semaphores):
        self.cores = cores_of(cores)
        for c in self.cores: chip.noc_xy(c)  # raises for a core off the grid
        self.kernels = {k: v if isinstance(v, Kernel) else Kernel(v) for k, v in kernels.items() if v is not None}
        self.args = args
        self.cbs = sorted(cbs, key=lambda cb: cb.index)
        self.semaphores = list(semaphores)
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

    def args_for(self, kind, core):
        a = self.args.get(kind)
        if a is None: return []
        if callable(a): a = a(core)
        elif isinstance(a, dict): a = a.get(core, [])
        return [int(v) for v in a]


class Program:
    """Kernels on cores. `Program(dev, cores, reader=..., writer=..., compute=..., reader_args=..., cbs=[...])`;
    `add(...)` puts other kernels on another set of cores. Runtime args are a list, a dict {core: list}, or a
    function of the core."""

    def __init__(self, device, cores=None, **kernels_and_args):
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
        if not 0 <= index < self.chip.num_semaphores: raise TensixError(f"semaphore {index}: a core has {self.chip.num_semaphores}")
        return self.chip.semaphore_base + index * self.chip.semaphore_stride

    def binary(self, kind, kernel):
        """The kernel's compiled shared object; compiled on first use, then cached by content."""
        key = (kind, id(kernel))
        if key not in self._binaries:
            self._binaries[key] = (kernel, self._compile(kind, kernel))
        return self._binaries[key][1]

    def _compile(self, kind, k):
        chip = self.chip
        if len(k.compile_args) > chip.max_compile_time_args:
            raise TensixError(f"{kind} kernel {k.name!r}: {len(k.compile_args)} compile-time args; the limit is {chip.max_compile_time_args}")
        noc = DEFAULT_NOC[kind] if k.noc is None else k.noc
        if noc not in (0, 1): raise TensixError(f"{kind} kernel {k.name!r}: noc {noc}; a core has NoC 0 and NoC 1")
        ct = [int(v) & 0xFFFFFFFF for v in k.compile_args]
        defines = {f"KERNEL_COMPILE_TIME_ARG_{i}": v for i, v in enumerate(ct)}
        defines.update(KERNEL_COMPILE_TIME_ARGS="".join(f"{v}u," for v in ct), KERNEL_COMPILE_TIME_ARG_COUNT=len(ct),
                       NOC_INDEX=noc, NOC_ADDR_LOCAL_BITS=chip.noc_addr_local_bits, TENSIX_ARG_BASE=chip.arg_base[PROC_OF[kind]],
                       TENSIX_COMMON_ARG_BASE=chip.common_arg_base[PROC_OF[kind]], L1_UNRESERVED_BASE=chip.l1_unreserved_base, MEM_ZEROS_BASE=chip.mem_zeros_base, MEM_ZEROS_SIZE=chip.mem_zeros_size,
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
            return build.kernel(k.source, name, '#include "compute_kernel_api.h"\nusing namespace ckernel;', call, defines)
        return build.kernel(k.source, name, '#include "dataflow_api.h"', "kernel_main()", defines)

    def describe(self, core_index, proc):
        """'reader kernel 'name' on core (x, y) (NCRISC)': how errors name a thread."""
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
