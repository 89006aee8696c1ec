"""Element-wise add of two bfloat16 matrices over every core of the grid (tt-metal's eltwise_binary kernels, each core
a contiguous range of tiles), against numpy adding the same float32 matrices, interleaved in this process. Prints
where tensix's time goes: upload (bfloat16 encode, tilize, write to DRAM: one native pass), the engine, read back
(the same, backwards).

    python bench/eltwise_add.py [size]      # default 4096: two 4096 x 4096 matrices
    python bench/eltwise_add.py 4096 --numpy-host   # beside it, the same add with the host's numpy passes (before)
"""
import sys, time
import numpy as np
import tensix as tt
from tensix.examples.eltwise_binary import COMPUTE
from measure import interleaved, load, ms, usage

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

    def __init__(self, dev, rows, cols, native=True):
        self.dev, self.rows, self.cols, self.native = dev, rows, cols, native
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
        if self.native:  # bfloat16, tile order and into the banks in one native pass
            self.a.write(x, tt.bfloat16, tilize=True); self.b.write(y, tt.bfloat16, tilize=True)
        else:  # numpy: convert, then move face rows, then copy into the banks
            self.a.write(tt.tilize(x, tt.bfloat16), tt.bfloat16); self.b.write(tt.tilize(y, tt.bfloat16), tt.bfloat16)
        t1 = time.perf_counter()
        self.dev.run(self.prog)
        t2 = time.perf_counter()
        out = self.c.read(tt.bfloat16, untilize=(self.rows, self.cols)) if self.native else \
            tt.untilize(self.c.read(tt.bfloat16.dtype), self.rows, self.cols, np.float32)
        t3 = time.perf_counter()
        for part, t in zip(self.parts.values(), (t1 - t0, t2 - t1, t3 - t2)): part.append(t)
        return out


def main(size=4096, numpy_host=False):
    dev = tt.Device(echo=False)
    rng = np.random.default_rng(0)
    x, y = (rng.standard_normal((size, size)).astype(np.float32) for _ in range(2))
    adds = {"tensix": EltwiseAdd(dev, size, size)}
    if numpy_host: adds["tensix, numpy host"] = EltwiseAdd(dev, size, size, native=False)
    for add in adds.values():
        got = add(x, y)
        assert np.array_equal(got, tt.round_bfloat16(tt.round_bfloat16(x) + tt.round_bfloat16(y))), "wrong sums"
    r = interleaved({"numpy": lambda: x + y, **{k: (lambda add=add: add(x, y)) for k, add in adds.items()}}, dev=dev)
    print(f"element-wise add {size}x{size} bfloat16 over {dev.chip.num_cores} cores ({load()}): numpy float32 {ms(r['numpy'])}")
    for name, add in adds.items():
        parts = ", ".join(f"{k} {np.median(v) * 1e3:.0f} ms" for k, v in add.parts.items())
        print(f"  {name}: {ms(r[name])} [{parts}]; ratio {r[name][0] / r['numpy'][0]:.1f}x wall, "
              f"{r[name][1] / r['numpy'][1]:.1f}x CPU")
    dev.close()


if __name__ == "__main__":
    usage(__doc__)
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 4096, "--numpy-host" in sys.argv)
