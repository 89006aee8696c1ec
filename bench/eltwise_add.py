"""Element-wise add of two bfloat16 matrices over every core of the grid (tt-metal's eltwise_binary kernels, each core
a contiguous range of tiles), against numpy adding the same float32 matrices, interleaved in this process. Prints
where tensix's time goes: upload (bfloat16 encode, tilize, write to DRAM: one native pass), the engine, read back
(the same, backwards).

    python bench/eltwise_add.py [size]      # default 4096: two 4096 x 4096 matrices
"""
import sys, time
import numpy as np
import tensix as tt
from tensix.examples.eltwise_binary import COMPUTE
from measure import interleaved, load, ms

READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t a_addr = get_arg_val<uint32_t>(0), b_addr = get_arg_val<uint32_t>(1);
    uint32_t first = get_arg_val<uint32_t>(2), n = get_arg_val<uint32_t>(3);
    const InterleavedAddrGenFast<true> a = {a_addr, get_tile_size(0), get_dataformat(0)};
    const InterleavedAddrGenFast<true> b = {b_addr, get_tile_size(1), get_dataformat(1)};
    for (uint32_t i = first; i < first + n; i++) {
        cb_reserve_back(0, 1); cb_reserve_back(1, 1);
        noc_async_read_tile(i, a, get_write_ptr(0));
        noc_async_read_tile(i, b, get_write_ptr(1));
        noc_async_read_barrier();
        cb_push_back(0, 1); cb_push_back(1, 1);
    }
}"""
WRITER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t c_addr = get_arg_val<uint32_t>(0), first = get_arg_val<uint32_t>(1), n = get_arg_val<uint32_t>(2);
    const InterleavedAddrGenFast<true> c = {c_addr, get_tile_size(16), get_dataformat(16)};
    for (uint32_t i = first; i < first + n; i++) {
        cb_wait_front(16, 1);
        noc_async_write_tile(i, c, get_read_ptr(16));
        noc_async_write_barrier();
        cb_pop_front(16, 1);
    }
}"""


class EltwiseAdd:
    """c = a + b on every core of the device; buffers and program made once, as a user running it in a loop would."""

    def __init__(self, dev, rows, cols):
        self.dev, self.rows, self.cols = dev, rows, cols
        tiles = rows * cols // 1024
        self.a, self.b, self.c = (dev.buffer(tiles * 2048, page=2048) for _ in range(3))
        cores = [(x, y) for y in range(dev.chip.grid[1]) for x in range(dev.chip.grid[0])]
        share, extra = divmod(tiles, len(cores))
        first = {core: i * share + min(i, extra) for i, core in enumerate(cores)}
        count = {core: share + (i < extra) for i, core in enumerate(cores)}
        compute = tt.Kernel(COMPUTE, "eltwise_add", defines={"ELTWISE_OP": "add_tiles", "ELTWISE_OP_INIT": "add_tiles_init"})
        self.prog = tt.Program(dev, cores, reader=tt.Kernel(READER, "reader_binary_start_id"), compute=compute,
                               writer=tt.Kernel(WRITER, "writer_unary_start_id"),
                               reader_args=lambda core: [self.a.addr, self.b.addr, first[core], count[core]],
                               compute_args=lambda core: [count[core]],
                               writer_args=lambda core: [self.c.addr, first[core], count[core]],
                               cbs=[tt.CB(0, tt.bfloat16, 2), tt.CB(1, tt.bfloat16, 2), tt.CB(16, tt.bfloat16, 2)])
        self.parts = {"upload": [], "engine": [], "read back": []}

    def __call__(self, x, y):
        t0 = time.perf_counter()
        self.a.write(x, tt.bfloat16, tilize=True)  # bfloat16, tile order and into the banks in one native pass
        self.b.write(y, tt.bfloat16, tilize=True)
        t1 = time.perf_counter()
        self.dev.run(self.prog)
        t2 = time.perf_counter()
        out = self.c.read(tt.bfloat16, untilize=(self.rows, self.cols))
        t3 = time.perf_counter()
        for part, t in zip(self.parts.values(), (t1 - t0, t2 - t1, t3 - t2)): part.append(t)
        return out


def main(size=4096):
    dev = tt.Device(echo=False)
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal((size, size)).astype(np.float32) for _ in range(2))
    add = EltwiseAdd(dev, size, size)
    got = add(x, y)
    assert np.array_equal(got, tt.round_bfloat16(tt.round_bfloat16(x) + tt.round_bfloat16(y))), "wrong sums"
    r = interleaved({"numpy": lambda: x + y, "tensix": lambda: add(x, y)}, dev=dev)
    parts = ", ".join(f"{k} {np.median(v) * 1e3:.0f} ms" for k, v in add.parts.items())
    print(f"element-wise add {size}x{size} bfloat16 over {dev.chip.num_cores} cores ({load()}): tensix {ms(r['tensix'])} "
          f"[{parts}]; numpy float32 {ms(r['numpy'])}; ratio {r['tensix'][0] / r['numpy'][0]:.1f}x")
    dev.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4096)
