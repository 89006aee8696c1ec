"""tt-metal's eltwise_binary: add, sub and mul of two bfloat16 tensors. The reader (NCRISC) streams tile pairs into
circular buffers 0 and 1, the compute kernel applies ELTWISE_OP into the destination register and packs into 16,
the writer (BRISC) sends the results to DRAM."""
import numpy as np
import tensix as tt

READER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t a_addr = get_arg_val<uint32_t>(0), b_addr = get_arg_val<uint32_t>(1), n_tiles = get_arg_val<uint32_t>(2);
    constexpr uint32_t cb_a = tt::CB::c_in0, cb_b = tt::CB::c_in1;
    const InterleavedAddrGenFast<true> a = {a_addr, get_tile_size(cb_a), get_dataformat(cb_a)};
    const InterleavedAddrGenFast<true> b = {b_addr, get_tile_size(cb_b), get_dataformat(cb_b)};
    for (uint32_t i = 0; i < n_tiles; i++) {
        cb_reserve_back(cb_a, 1);
        cb_reserve_back(cb_b, 1);
        noc_async_read_tile(i, a, get_write_ptr(cb_a));
        noc_async_read_tile(i, b, get_write_ptr(cb_b));
        noc_async_read_barrier();
        cb_push_back(cb_a, 1);
        cb_push_back(cb_b, 1);
    }
}
"""

COMPUTE = r"""
#include "compute_kernel_api/eltwise_binary.h"

namespace NAMESPACE {
void MAIN {
    uint32_t n_tiles = get_arg_val<uint32_t>(0);
    constexpr auto cb_a = tt::CB::c_in0, cb_b = tt::CB::c_in1, cb_out = tt::CB::c_out0;
    binary_op_init_common(cb_a, cb_b, cb_out);
    ELTWISE_OP_INIT(cb_a, cb_b);
    for (uint32_t i = 0; i < n_tiles; i++) {
        cb_wait_front(cb_a, 1);
        cb_wait_front(cb_b, 1);
        tile_regs_acquire();
        ELTWISE_OP(cb_a, cb_b, 0, 0, 0);
        tile_regs_commit();
        cb_reserve_back(cb_out, 1);
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
        cb_pop_front(cb_a, 1);
        cb_pop_front(cb_b, 1);
    }
}
}  // namespace NAMESPACE
"""

WRITER = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t dst_addr = get_arg_val<uint32_t>(0), n_tiles = get_arg_val<uint32_t>(1);
    constexpr uint32_t cb_out = tt::CB::c_out0;
    const InterleavedAddrGenFast<true> dst = {dst_addr, get_tile_size(cb_out), get_dataformat(cb_out)};
    for (uint32_t i = 0; i < n_tiles; i++) {
        cb_wait_front(cb_out, 1);
        noc_async_write_tile(i, dst, get_read_ptr(cb_out));
        noc_async_write_barrier();
        cb_pop_front(cb_out, 1);
    }
}
"""

OPS = {"add": ("add_tiles", np.add), "sub": ("sub_tiles", np.subtract), "mul": ("mul_tiles", np.multiply)}


def run_op(dev, op, a, b, core=(0, 0), fidelity="HiFi4"):
    """c = a op b on one core, bfloat16 in and out; returns (c, run)."""
    rows, cols = a.shape
    ta, tb = dev.buffer(a, fmt=tt.bfloat16, tilize=True), dev.buffer(b, fmt=tt.bfloat16, tilize=True)
    tc = dev.buffer(ta.size, page=ta.page)
    n = ta.pages
    name = OPS[op][0]
    compute = tt.Kernel(COMPUTE, f"eltwise_{op}", defines={"ELTWISE_OP": name, "ELTWISE_OP_INIT": f"{name}_init"}, math_fidelity=fidelity)
    prog = tt.Program(dev, core, reader=tt.Kernel(READER, "reader_binary"), compute=compute, writer=tt.Kernel(WRITER, "writer_unary"),
                      reader_args=[ta.addr, tb.addr, n], compute_args=[n], writer_args=[tc.addr, n],
                      cbs=[tt.CB(0, tt.bfloat16, 2), tt.CB(1, tt.bfloat16, 2), tt.CB(16, tt.bfloat16, 2)])
    run = dev.run(prog)
    c = tc.read(tt.bfloat16, untilize=(rows, cols))
    for buf in (ta, tb, tc): buf.free()
    return c, run


def main(dev=None):
    dev = dev or tt.Device()
    rng = np.random.default_rng(0)
    a, b = (tt.round_bfloat16(rng.standard_normal((64, 512))) for _ in range(2))
    ok, last = True, None
    for op, (_, ref) in OPS.items():
        c, last = run_op(dev, op, a, b)
        ok &= np.array_equal(c, tt.round_bfloat16(ref(a, b)))  # exact: one bfloat16 rounding of the exact result
    return ok, last


if __name__ == "__main__":
    ok, run = main()
    print(f"eltwise_binary: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles for mul, {run.seconds * 1e6:.1f} us on the chip)")
