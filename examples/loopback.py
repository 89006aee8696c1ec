"""tt-metal's loopback example: one core NoC-reads a DRAM buffer into an L1 buffer, then NoC-writes it to another
DRAM buffer. Runtime args in tt-metal's order: L1 address, source address and bank NoC (x, y), destination likewise,
size."""
import numpy as np
import tensix as tt

KERNEL = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t l1_buffer_addr = get_arg_val<uint32_t>(0);
    uint32_t src_addr = get_arg_val<uint32_t>(1), src_x = get_arg_val<uint32_t>(2), src_y = get_arg_val<uint32_t>(3);
    uint32_t dst_addr = get_arg_val<uint32_t>(4), dst_x = get_arg_val<uint32_t>(5), dst_y = get_arg_val<uint32_t>(6);
    uint32_t size = get_arg_val<uint32_t>(7);

    noc_async_read(get_noc_addr(src_x, src_y, src_addr), l1_buffer_addr, size);
    noc_async_read_barrier();
    noc_async_write(l1_buffer_addr, get_noc_addr(dst_x, dst_y, dst_addr), size);
    noc_async_write_barrier();
}
"""


def main(dev=None):
    dev = dev or tt.Device()
    size = 50 * 2048  # 50 bfloat16 tiles, one page each buffer, as in tt-metal's example
    data = np.random.default_rng(0).integers(0, 2**32, size // 4, dtype=np.uint32)
    src, dst = dev.buffer(data), dev.buffer(size)
    l1 = dev.buffer(size, l1=True)  # one page: it lives whole in core (0, 0)'s L1
    prog = tt.Program(dev, cores=(0, 0), writer=tt.Kernel(KERNEL, "loopback_dram_copy"),
                      writer_args=[l1.addr, src.addr, *src.noc, dst.addr, *dst.noc, size])
    run = dev.run(prog)
    ok = np.array_equal(dst.read(np.uint32), data)
    for b in (src, dst, l1): b.free()
    return ok, run


if __name__ == "__main__":
    ok, run = main()
    print(f"loopback: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e6:.2f} us on the chip)")
