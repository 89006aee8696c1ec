"""The chips, as data. A new chip is a new entry here, not new code. Figures come from ARCH.md (shared docs);
a figure marked `estimated` is not published and is a named parameter so that it can be corrected in one place."""
from dataclasses import dataclass, field
from .errors import TensixError

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30


@dataclass(frozen=True)
class Timing:
    """Cycle costs of the engine's clock (per RISC-V thread, in chip cycles)."""
    noc_bytes_per_cycle: float = 32.0   # per link (ARCH: Grayskull 32 B/cycle)
    dram_bytes_per_cycle: float = 12.3  # per bank; derived: 118 GB/s / 8 banks / 1.2 GHz
    api_cycles: int = 10                # estimated: a RISC-V doing a circular-buffer or barrier call
    noc_issue_cycles: int = 20          # estimated: programming one NoC command
    write_latency: int = 40             # Wormhole, tt-npe: write latency 40 + 10 per hop
    read_latency: int = 70              # Wormhole, tt-npe: read latency 70 on the same core
    hop_cycles: int = 10                # Wormhole, tt-npe
    # compute, per tile: tt-budabackend's fitted Grayskull model (ARCH.md), overheads per block left out
    matmul_pass_cycles: int = 36        # one 32x32x32 tile matmul, per fidelity pass
    binary_cycles: int = 101            # add/sub: 50.4 per tile x 2 for 16-bit formats (x 4 float32, x 1 block floats); mul also per fidelity pass
    copy_cycles: int = 56               # a no-op / datacopy tile (unpack, move, pack)
    sfpu_cycles: int = 56               # an SFPU op without a fitted figure (estimated: the no-op's)
    exp_cycles: int = 2666
    exp_approx_cycles: int = 668
    recip_cycles: int = 915
    sqrt_cycles: int = 159
    reduce_cycles: int = 101            # estimated: as an add
    sfpu_reduce_cycles: int = 224       # estimated: sfpu_reduce of a tile in the register, four SFPU passes (loads, transposes, compares)
    # the compute pipeline: unpack, math and pack each on their own clock (the figures above are the math stage's)
    unpack_tile_cycles: int = 16        # estimated: one operand tile into a source register (fast enough for LoFi matmul)
    pack_tile_cycles: int = 16          # estimated: one tile out of the destination register into L1
    math_block_cycles: int = 300        # fitted per micro-block (tt-budabackend: add 294, datacopy 305; matmul 56): per acquire
    # shared resources (tensix/native/noc.cpp)
    max_burst_bytes: int = 8192         # tt-metal noc_parameters.h: NOC_MAX_BURST_SIZE = 256 words x 32 B (Grayskull, Wormhole)
    l1_bytes_per_cycle: float = 64.0    # estimated: one core's L1 port, shared by both NoCs (two NoC words a cycle)
    # a packet's share of the link rate by its size: tt-npe's Wormhole curve (ARCH: 5.5, 10.1, 18.0, 27.4, 30 of 30 B/cycle
    # at 128, 256, 512, 1024, 2048 B); used for every chip (estimated for Grayskull and Blackhole)
    packet_efficiency: tuple = ((128, 0.183), (256, 0.337), (512, 0.6), (1024, 0.913), (2048, 1.0))
    # launch: what dispatch costs before the cores start (estimated; tt-metal's goal for an empty program is < 10 us)
    launch_program_cycles: int = 6000   # estimated: the host's command reaching the dispatcher, the go signal, the done
    launch_binary_cycles: int = 600     # estimated: one kernel binary copied to the cores (a few KiB multicast)
    launch_core_cycles: int = 20        # estimated: one core's runtime args and go message


@dataclass(frozen=True)
class Chip:
    name: str
    arch: str
    clock_hz: float
    noc_size: tuple                     # (x, y) of the NoC grid
    worker_x: tuple                     # NoC x of each logical column of compute cores
    worker_y: tuple                     # NoC y of each logical row
    dram_banks: tuple                   # NoC (x, y) of each DRAM bank, in bank-id order
    dram_bank_size: int
    l1_size: int
    l1_unreserved_base: int             # first L1 byte a program may use
    dram_unreserved_base: int = 32      # tt-metal: DRAM_UNRESERVED_BASE = 32 (a barrier word lives below)
    noc_addr_local_bits: int = 32       # NoC address: local address in the low bits, then x, then y (6 bits each)
    l1_alignment: int = 16              # NoC reads and writes in L1
    dram_alignment: int = 32            # ... and in DRAM
    # The reserved L1 region, as tt-metal's 2024 Grayskull address map lays it out (common_runtime_address_map.h)
    arg_base: tuple = (101 * KiB, 103 * KiB, 105 * KiB)  # runtime args of BRISC, NCRISC, TRISC: 256 words each
    # common runtime args of BRISC, NCRISC, TRISC: a count, then up to 255 words. Where tt-metal puts them moves between
    # releases; tensix keeps them in this free part of the reserved region (its own choice, not the chip's map)
    common_arg_base: tuple = (108 * KiB, 109 * KiB, 110 * KiB)
    cb_config_base: int = 106 * KiB     # 32 circular buffers x [addr, size, pages, page size]; addr and sizes in 16 B units
    semaphore_base: int = 106 * KiB + 512
    num_semaphores: int = 4             # tt-metal 2024: four per core, 16 B apart
    semaphore_stride: int = 16
    mem_zeros_base: int = 2048          # 512 bytes of zeros kernels may NoC-read to clear L1 (MEM_ZEROS_BASE)
    mem_zeros_size: int = 512
    max_runtime_args: int = 255
    max_compile_time_args: int = 32
    num_circular_buffers: int = 32
    timing: Timing = field(default_factory=Timing)
    landmarks: tuple = ()               # (letter, what, NoC coordinates) of other nodes, for pictures of the grid
    estimated: str = ""                 # which of the figures above are not published

    @property
    def grid(self): return (len(self.worker_x), len(self.worker_y))

    @property
    def num_cores(self): return len(self.worker_x) * len(self.worker_y)

    def noc_xy(self, core):
        """Logical (x, y) of a compute core -> its NoC 0 coordinates."""
        x, y = core
        if not (0 <= x < len(self.worker_x) and 0 <= y < len(self.worker_y)):
            raise TensixError(f"core {tuple(core)} is outside the {self.name}'s {self.grid[0]}x{self.grid[1]} grid of compute cores")
        return self.worker_x[x], self.worker_y[y]

    def core_index(self, core): return core[1] * len(self.worker_x) + core[0]

    def core_at(self, index): return (index % len(self.worker_x), index // len(self.worker_x))


_gs_banks = ((1, 0), (1, 6), (4, 0), (4, 6), (7, 0), (7, 6), (10, 0), (10, 6))
_gs_landmarks = (("A", "ARC, the board-management CPU", ((0, 2),)), ("P", "PCIe", ((0, 4),)),
                 ("S", "storage and dispatch cores, not offered to programs", tuple((x, 11) for x in range(1, 13))))
_wh = Timing(noc_bytes_per_cycle=30.0, dram_bytes_per_cycle=24.0, matmul_pass_cycles=16)  # ARCH: tt-npe link rate, DRAM injection; 16 cycles per matmul pass

_bh = Timing(dram_bytes_per_cycle=47.0, matmul_pass_cycles=16, noc_bytes_per_cycle=64.0, max_burst_bytes=16384)  # NoC: 512-bit
# words (tt-metal's Blackhole noc_parameters.h: NOC_PAYLOAD_WIDTH 512, so NOC_MAX_BURST_SIZE = 256 x 64 B)

CHIPS = {c.name: c for c in (
    Chip("e150", "grayskull", 1.2e9, (13, 12), tuple(range(1, 13)), (1, 2, 3, 4, 5, 7, 8, 9, 10), _gs_banks, 1 * GiB,
         1 * MiB, 120 * KiB, landmarks=_gs_landmarks),
    Chip("e75", "grayskull", 1.0e9, (13, 12), tuple(range(1, 12)), (1, 2, 3, 4, 5, 7, 8, 9), _gs_banks, 1 * GiB,
         1 * MiB, 120 * KiB, timing=Timing(dram_bytes_per_cycle=14.75),
         estimated="NoC placement of the 11 x 8 compute grid and the DRAM banks (taken from the e150)"),
    Chip("n150", "wormhole", 1.0e9, (10, 12), (1, 2, 3, 4, 6, 7, 8, 9), (1, 2, 3, 4, 5, 7, 8, 9, 10),
         ((0, 0), (0, 1), (0, 11), (0, 5), (0, 6), (0, 7), (5, 0), (5, 1), (5, 11), (5, 2), (5, 9), (5, 10)), 1 * GiB,
         1_499_136, 120 * KiB, noc_addr_local_bits=36, timing=_wh,
         estimated="harvested row, DRAM bank placement, reserved L1 map (Grayskull's is used)"),
    Chip("p100a", "blackhole", 1.35e9, (17, 12), tuple(range(1, 7)) + tuple(range(10, 16)), tuple(range(2, 12)),
         tuple((0 if b < 4 else 9, 1 + 3 * (b % 4)) for b in range(7)), 4 * GiB,
         1_572_864, 120 * KiB, noc_addr_local_bits=36, timing=_bh,
         estimated="which columns are harvested, DRAM bank placement, L1 size (1.5 MiB), reserved L1 map (Grayskull's is "
                   "used), DRAM rate per bank, matmul rate (Wormhole's)"),
    Chip("p150", "blackhole", 1.35e9, (17, 12), tuple(range(1, 8)) + tuple(range(10, 17)), tuple(range(2, 12)),
         tuple((0 if b < 4 else 9, 1 + 3 * (b % 4)) for b in range(8)), 4 * GiB,
         1_572_864, 120 * KiB, noc_addr_local_bits=36, timing=_bh,
         estimated="DRAM bank placement, L1 size (1.5 MiB), reserved L1 map (Grayskull's is used), DRAM rate per bank, matmul rate (Wormhole's)"),
)}
