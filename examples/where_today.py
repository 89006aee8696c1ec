"""A program in today's tt-metal dialect (2025-26): z = where(x > y, x * y, x / y) over many tiles on four cores.

The reader finds its inputs with TensorAccessor, from compile-time args the host's TensorAccessorArgs made, and moves
them with the Noc and CircularBuffer objects; the compute kernel is a plain `void kernel_main()` and works on the
destination register with the SFPU's binary ops and `where`; the writer gets the output buffer from common runtime
args, set once for all cores. On Wormhole and Blackhole the tiles are float32 and unpacked straight into a float32
register (UnpackToDestFp32), so the result is numpy's float32 bit for bit. Grayskull has no float32 register: there
the program runs in bfloat16, and mul and div round to nearest even as the chip's SFPU does."""
import numpy as np
import tensix as tt

READER = r"""
#include "api/dataflow/noc.h"
#include "api/dataflow/circular_buffer.h"
#include "api/tensor/noc_traits.h"

void kernel_main() {
    uint32_t x_addr = get_arg_val<uint32_t>(0), y_addr = get_arg_val<uint32_t>(1);
    uint32_t start = get_arg_val<uint32_t>(2), n_tiles = get_arg_val<uint32_t>(3);
    constexpr auto x_args = TensorAccessorArgs<0>();
    constexpr auto y_args = TensorAccessorArgs<x_args.next_compile_time_args_offset()>();
    const auto x = TensorAccessor(x_args, x_addr), y = TensorAccessor(y_args, y_addr);
    Noc noc;
    CircularBuffer cb_x(tt::CBIndex::c_0), cb_y(tt::CBIndex::c_1);
    for (uint32_t i = start; i < start + n_tiles; i++) {
        cb_x.reserve_back(1);
        cb_y.reserve_back(1);
        noc.async_read(x, cb_x, cb_x.get_tile_size(), {.page_id = i}, {.offset_bytes = 0});
        noc.async_read(y, cb_y, cb_y.get_tile_size(), {.page_id = i}, {.offset_bytes = 0});
        noc.async_read_barrier();
        cb_x.push_back(1);
        cb_y.push_back(1);
    }
}
"""

COMPUTE = r"""
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/eltwise_binary_sfpu.h"
#include "api/compute/eltwise_unary/where.h"

void kernel_main() {
    uint32_t n_tiles = get_arg_val<uint32_t>(0);
    constexpr auto cb_x = tt::CBIndex::c_0, cb_y = tt::CBIndex::c_1, cb_z = tt::CBIndex::c_16;
    compute_kernel_hw_startup(cb_x, cb_y, cb_z);
    for (uint32_t i = 0; i < n_tiles; i++) {
        cb_wait_front(cb_x, 1);
        cb_wait_front(cb_y, 1);
        tile_regs_acquire();
        copy_init(cb_x);
        copy_tile(cb_x, 0, 0);                 // register tile 0: x
        copy_init(cb_y);
        copy_tile(cb_y, 0, 1);                 // 1: y
        div_binary_tile_init();
        div_binary_tile(0, 1, 2);              // 2: x / y
        mul_binary_tile_init();
        mul_binary_tile(0, 1, 3);              // 3: x * y
        gt_binary_tile_init();
        gt_binary_tile(0, 1, 0);               // 0: x > y, as 1.0 or 0.0
        where_tile_init();
        where_tile<DataFormat::Float32>(0, 3, 2, 0);  // 0: where(x > y, x * y, x / y)
        tile_regs_commit();
        tile_regs_wait();
        cb_reserve_back(cb_z, 1);
        pack_tile(0, cb_z);
        cb_push_back(cb_z, 1);
        tile_regs_release();
        cb_pop_front(cb_x, 1);
        cb_pop_front(cb_y, 1);
    }
}
"""

WRITER = r"""
#include "api/dataflow/noc.h"
#include "api/dataflow/circular_buffer.h"
#include "api/tensor/noc_traits.h"

void kernel_main() {
    uint32_t start = get_arg_val<uint32_t>(0), n_tiles = get_arg_val<uint32_t>(1);
    uint32_t z_addr = get_common_arg_val<uint32_t>(0);  // the same for every core: set once for the kernel
    constexpr auto z_args = TensorAccessorArgs<0>();
    const auto z = TensorAccessor(z_args, z_addr);
    Noc noc;
    CircularBuffer cb_z(tt::CBIndex::c_16);
    for (uint32_t i = start; i < start + n_tiles; i++) {
        cb_z.wait_front(1);
        noc.async_write(cb_z, z, cb_z.get_tile_size(), {.offset_bytes = 0}, {.page_id = i});
        noc.async_write_barrier();
        cb_z.pop_front(1);
    }
}
"""


def reference(x, y, fp32):
    """numpy, as the chip computes it: float32 throughout, or bfloat16 operands with mul and div rounded to nearest."""
    if fp32: return np.where(x > y, x * y, x / y)
    x, y = tt.round_bfloat16(x), tt.round_bfloat16(y)
    return np.where(x > y, tt.round_bfloat16(x * y), tt.round_bfloat16(x / y))


def run(dev, x, y, cores=4):
    fp32 = dev.chip.arch != "grayskull"  # Wormhole and Blackhole have a float32 destination register; Grayskull does not
    fmt = tt.float32 if fp32 else tt.bfloat16
    rows, cols = x.shape
    xb, yb = (dev.buffer(tt.tilize(v), fmt=fmt, page=fmt.tile_bytes) for v in (x, y))
    zb = dev.buffer(xb.size, page=fmt.tile_bytes)
    n = xb.pages
    per = -(-n // cores)
    share = lambda core: [core[0] * per, max(0, min(per, n - core[0] * per))]  # (first tile, tile count) of each core
    compute = tt.Kernel(COMPUTE, "where_today", fp32_dest_acc_en=fp32,
                        unpack_to_dest_mode={0: tt.UnpackToDestMode.UnpackToDestFp32, 1: tt.UnpackToDestMode.UnpackToDestFp32} if fp32 else None)
    prog = tt.Program(dev, tt.CoreRange((0, 0), (cores - 1, 0)),
                      reader=tt.Kernel(READER, "reader", compile_args=tt.TensorAccessorArgs(xb).get_compile_time_args()
                                       + tt.TensorAccessorArgs(yb).get_compile_time_args()),
                      compute=compute,
                      writer=tt.Kernel(WRITER, "writer", compile_args=tt.TensorAccessorArgs(zb).get_compile_time_args(), common_args=[zb.addr]),
                      reader_args=lambda c: [xb.addr, yb.addr, *share(c)], compute_args=lambda c: share(c)[1:],
                      writer_args=share, cbs=[tt.CB(0, fmt), tt.CB(1, fmt), tt.CB(16, fmt)])
    result = dev.run(prog)
    z = tt.untilize(zb.read(fmt), rows, cols)
    for b in (xb, yb, zb): b.free()
    return z, reference(x, y, fp32), result


def main(dev=None):
    dev = dev or tt.Device("n150")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 256)).astype(np.float32)
    y = rng.standard_normal((128, 256)).astype(np.float32) + 0.25
    z, want, result = run(dev, x, y)
    return bool(np.array_equal(z, want)), result


if __name__ == "__main__":
    for chip in ("n150", "p150", "e150"):
        ok, result = main(tt.Device(chip))
        print(f"where_today on {chip}: {'PASS' if ok else 'FAIL'}, {result.cycles} cycles")
