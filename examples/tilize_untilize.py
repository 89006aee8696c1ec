"""A row-major tensor to tiles and back, as tt-metal's tilize and untilize ops do it. The tensor lives in DRAM one row
per page ("sticks"); each core takes blocks of 32 rows. Tilize: the reader gathers a block's 32 sticks into a circular
buffer, the compute kernel's tilize_block makes the block's tiles, the writer stores them. Untilize: the reader reads
a block of tiles, untilize_block makes rows again, the writer stores each row as a stick. As tt-metal's stick kernels
do, the readers and writers choose their address generator with `#if` on a compile-time arg: the power-of-two one when
a row's bytes are a power of two."""
import numpy as np
import tensix as tt

STICKS = r"""
#include "dataflow_api.h"
#define stick_size_is_pow2 get_compile_time_arg_val(0) == 1

// A block of 32 sticks, between a circular buffer's pages and the interleaved row-major buffer.
template <bool READ>
void sticks(uint32_t addr, uint32_t stick, uint32_t log2_stick, uint32_t first_row, uint32_t cb_addr) {
#if (stick_size_is_pow2)
    const InterleavedPow2AddrGen<true> s = {addr, log2_stick};
#else
    const InterleavedAddrGen<true> s = {addr, stick};
#endif
    for (uint32_t r = 0; r < 32; r++) {
        if (READ) noc_async_read(get_noc_addr(first_row + r, s), cb_addr + r * stick, stick);
        else noc_async_write(cb_addr + r * stick, get_noc_addr(first_row + r, s), stick);
    }
    if (READ) noc_async_read_barrier();
    else noc_async_write_barrier();
}
"""

# Runtime args: the row-major buffer, its row's bytes and their log2, this core's first block and block count.
STICK_READER = STICKS + r"""
void kernel_main() {
    uint32_t addr = get_arg_val<uint32_t>(0), stick = get_arg_val<uint32_t>(1), log2_stick = get_arg_val<uint32_t>(2);
    uint32_t first = get_arg_val<uint32_t>(3), blocks = get_arg_val<uint32_t>(4);
    constexpr uint32_t Wt = get_compile_time_arg_val(1), cb = tt::CB::c_in0;
    for (uint32_t b = 0; b < blocks; b++) {
        cb_reserve_back(cb, Wt);
        sticks<true>(addr, stick, log2_stick, (first + b) * 32, get_write_ptr(cb));
        cb_push_back(cb, Wt);
    }
}
"""

STICK_WRITER = STICKS + r"""
void kernel_main() {
    uint32_t addr = get_arg_val<uint32_t>(0), stick = get_arg_val<uint32_t>(1), log2_stick = get_arg_val<uint32_t>(2);
    uint32_t first = get_arg_val<uint32_t>(3), blocks = get_arg_val<uint32_t>(4);
    constexpr uint32_t Wt = get_compile_time_arg_val(1), cb = tt::CB::c_out0;
    for (uint32_t b = 0; b < blocks; b++) {
        cb_wait_front(cb, Wt);
        sticks<false>(addr, stick, log2_stick, (first + b) * 32, get_read_ptr(cb));
        cb_pop_front(cb, Wt);
    }
}
"""

# Tiles: a block is Wt tiles, tile (first + b) * Wt + t.
TILE_READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t addr = get_arg_val<uint32_t>(0), first = get_arg_val<uint32_t>(3), blocks = get_arg_val<uint32_t>(4);
    constexpr uint32_t Wt = get_compile_time_arg_val(1), cb = tt::CB::c_in0;
    const InterleavedAddrGenFast<true> s = {addr, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t b = 0; b < blocks; b++) {
        cb_reserve_back(cb, Wt);
        for (uint32_t t = 0; t < Wt; t++) noc_async_read_tile((first + b) * Wt + t, s, get_write_ptr(cb) + t * get_tile_size(cb));
        noc_async_read_barrier();
        cb_push_back(cb, Wt);
    }
}
"""

TILE_WRITER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t addr = get_arg_val<uint32_t>(0), first = get_arg_val<uint32_t>(3), blocks = get_arg_val<uint32_t>(4);
    constexpr uint32_t Wt = get_compile_time_arg_val(1), cb = tt::CB::c_out0;
    const InterleavedAddrGenFast<true> s = {addr, get_tile_size(cb), get_dataformat(cb)};
    for (uint32_t b = 0; b < blocks; b++) {
        cb_wait_front(cb, Wt);
        for (uint32_t t = 0; t < Wt; t++) noc_async_write_tile((first + b) * Wt + t, s, get_read_ptr(cb) + t * get_tile_size(cb));
        noc_async_write_barrier();
        cb_pop_front(cb, Wt);
    }
}
"""

COMPUTE = r"""
#include "compute_kernel_api/tilize.h"
#include "compute_kernel_api/untilize.h"
namespace NAMESPACE {
void MAIN {
    uint32_t blocks = get_arg_val<uint32_t>(0);
    constexpr uint32_t Wt = get_compile_time_arg_val(1), in = tt::CB::c_in0, out = tt::CB::c_out0;
#ifdef UNTILIZE
    untilize_init(in, out);
#else
    tilize_init(in, Wt, out);
#endif
    for (uint32_t b = 0; b < blocks; b++) {
        cb_wait_front(in, Wt);
        cb_reserve_back(out, Wt);
#ifdef UNTILIZE
        untilize_block(in, Wt, out);
#else
        tilize_block(in, Wt, out);
#endif
        cb_push_back(out, Wt);
        cb_pop_front(in, Wt);
    }
}
}  // namespace NAMESPACE
"""


def convert(dev, src, dst, rows, cols, untilize, cores):
    """Blocks of 32 rows of `src` -> `dst`, split over `cores`: tilize (sticks to tiles) or untilize."""
    Ht, Wt, stick = rows // 32, cols // 32, cols * 2
    pow2 = stick & (stick - 1) == 0
    cores = tt.program.cores_of(cores)[:Ht]
    per, extra = divmod(Ht, len(cores))
    first = {c: i * per + min(i, extra) for i, c in enumerate(cores)}
    count = {c: per + (i < extra) for i, c in enumerate(cores)}
    ct = [int(pow2), Wt]
    reader = tt.Kernel(TILE_READER if untilize else STICK_READER, "reader_tiles" if untilize else "reader_sticks", compile_args=ct)
    writer = tt.Kernel(STICK_WRITER if untilize else TILE_WRITER, "writer_sticks" if untilize else "writer_tiles", compile_args=ct)
    compute = tt.Kernel(COMPUTE, "untilize" if untilize else "tilize", compile_args=ct, defines={"UNTILIZE": None} if untilize else {})
    log2 = stick.bit_length() - 1
    prog = tt.Program(dev, cores, reader=reader, writer=writer, compute=compute,
                      reader_args=lambda c: [src.addr, stick, log2, first[c], count[c]],
                      writer_args=lambda c: [dst.addr, stick, log2, first[c], count[c]], compute_args=lambda c: [count[c]],
                      cbs=[tt.CB(0, tt.bfloat16, 2 * Wt), tt.CB(16, tt.bfloat16, 2 * Wt)])
    return dev.run(prog)


def main(dev=None, rows=256, cols=512, cores=tt.CoreRange((0, 0), (3, 0))):
    dev = dev or tt.Device()
    x = tt.round_bfloat16(np.random.default_rng(5).standard_normal((rows, cols)))
    sticks = dev.buffer(x.astype(tt.bfloat16.dtype), page=cols * 2)                  # one row per page
    tiles = dev.buffer(rows * cols * 2, page=2048)
    back = dev.buffer(rows * cols * 2, page=cols * 2)
    convert(dev, sticks, tiles, rows, cols, False, cores)
    run = convert(dev, tiles, back, rows, cols, True, cores)
    ok = np.array_equal(tiles.read(tt.bfloat16), tt.tilize(x)) and np.array_equal(back.read(tt.bfloat16).reshape(rows, cols), x)
    for b in (sticks, tiles, back): b.free()
    return ok, run


if __name__ == "__main__":
    for rows, cols in ((256, 512), (64, 96)):  # a power-of-two row, and one that is not
        ok, run = main(rows=rows, cols=cols)
        print(f"tilize_untilize {rows}x{cols}: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles)")
