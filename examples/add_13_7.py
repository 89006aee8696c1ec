"""The first public program for this card (tt-twitch, March 2024): a data-movement kernel NoC-reads two DRAM buffers
of 1024 uint32 (13s and 7s) into L1, adds them with a plain loop through pointers, and NoC-writes the sums back."""
import numpy as np
import tensix as tt

KERNEL = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t l1_addr = get_arg_val<uint32_t>(0);  // where in this core's L1 to work
    uint32_t a_addr = get_arg_val<uint32_t>(1), b_addr = get_arg_val<uint32_t>(2), c_addr = get_arg_val<uint32_t>(3);
    constexpr uint32_t n = 1024, bytes = n * sizeof(uint32_t);
    // Each buffer is one page, so it lives whole in DRAM bank 0.
    InterleavedAddrGen<true> a = {a_addr, bytes}, b = {b_addr, bytes}, c = {c_addr, bytes};
    uint32_t* x = (uint32_t*)l1_addr;
    uint32_t* y = (uint32_t*)(l1_addr + bytes);
    noc_async_read(a.get_noc_addr(0), l1_addr, bytes);
    noc_async_read(b.get_noc_addr(0), l1_addr + bytes, bytes);
    noc_async_read_barrier();
    for (uint32_t i = 0; i < n; i++) x[i] += y[i];
    noc_async_write(l1_addr, c.get_noc_addr(0), bytes);
    noc_async_write_barrier();
}
"""


def main(dev=None):
    dev = dev or tt.Device()
    a = dev.buffer(np.full(1024, 13, np.uint32))
    b = dev.buffer(np.full(1024, 7, np.uint32))
    c = dev.buffer(4096)
    L1_ADDR = dev.chip.l1_unreserved_base
    prog = tt.Program(dev, cores=(0, 0), writer=tt.Kernel(KERNEL, "add_13_7"), writer_args=[L1_ADDR, a.addr, b.addr, c.addr])
    run = dev.run(prog)
    ok = bool((c.read(np.uint32) == 20).all())
    for buf in (a, b, c): buf.free()
    return ok, run


if __name__ == "__main__":
    ok, run = main()
    print(f"add_13_7: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e6:.2f} us on the chip)")
