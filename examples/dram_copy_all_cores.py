"""A large interleaved DRAM-to-DRAM copy split over every core of the grid. On each core the reader (NCRISC, NoC 1)
brings pages into a circular buffer and the writer (BRISC, NoC 0) sends them on, so reads and writes overlap."""
import numpy as np
import tensix as tt

READER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), first = get_arg_val<uint32_t>(1), count = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb = tt::CB::c_in0, page = get_compile_time_arg_val(0);
    const InterleavedAddrGen<true> pages = {src, page};
    for (uint32_t i = first; i < first + count; i++) {
        cb_reserve_back(cb, 1);
        noc_async_read_page(i, pages, get_write_ptr(cb));
        noc_async_read_barrier();
        cb_push_back(cb, 1);
    }
}
"""

WRITER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t dst = get_arg_val<uint32_t>(0), first = get_arg_val<uint32_t>(1), count = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb = tt::CB::c_in0, page = get_compile_time_arg_val(0);
    const InterleavedAddrGen<true> pages = {dst, page};
    for (uint32_t i = first; i < first + count; i++) {
        cb_wait_front(cb, 1);
        noc_async_write(get_read_ptr(cb), get_noc_addr(i, pages), page);
        noc_async_write_barrier();
        cb_pop_front(cb, 1);
    }
}
"""


def main(dev=None, mib=16, page=2048):
    dev = dev or tt.Device()
    n_pages = mib * (1 << 20) // page
    data = np.random.default_rng(1).integers(0, 2**32, n_pages * page // 4, dtype=np.uint32)
    src, dst = dev.buffer(data, page=page), dev.buffer(data.nbytes, page=page)
    cols, rows = dev.chip.grid
    cores = tt.CoreRange((0, 0), (cols - 1, rows - 1))
    n_cores = cols * rows
    def span(core):  # pages [first, first + count) of this core: an even split, the remainder to the first cores
        i = dev.chip.core_index(core)
        q, r = divmod(n_pages, n_cores)
        return i * q + min(i, r), q + (i < r)
    prog = tt.Program(dev, cores,
                      reader=tt.Kernel(READER, "reader_copy", compile_args=[page]),
                      writer=tt.Kernel(WRITER, "writer_copy", compile_args=[page]),
                      reader_args=lambda core: [src.addr, *span(core)], writer_args=lambda core: [dst.addr, *span(core)],
                      cbs=[tt.CB(0, page=page, pages=4)])
    run = dev.run(prog)
    ok = np.array_equal(dst.read(np.uint32), data)
    src.free(); dst.free()
    return ok, run


if __name__ == "__main__":
    ok, run = main()
    print(f"dram_copy_all_cores: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e6:.1f} us on the chip)")
