"""Metal 2.0's kernel bindings (tt-metal's kernel_args_generated.h and kernel_bindings_generated.h): the host names a
kernel's args and resources, the kernel reaches them by name. References from tt-metal's documented layout
(metal2_host_api/kernel_spec.hpp, jit_build/genfiles.cpp): named runtime args come first in the runtime args, in the
order named, and get_vararg(i) is the i-th arg after them; the common runtime args hold the named ones, then each bound
tensor's base address, then the common varargs; a compile-time name is a constant expression; dfb::NAME is the bound
dataflow buffer, sem::NAME the semaphore's id, tensor::NAME builds a TensorAccessor over the bound buffer."""
import numpy as np
import pytest
import tensix as tt

# Writes what it reads through each binding into one page of `out` (the bound tensor), through the bound buffer.
ECHO = r"""
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/noc.h"
#include "api/dataflow/dataflow_buffer.h"
#include "api/tensor/noc_traits.h"
#include "experimental/kernel_args.h"
void kernel_main() {
    constexpr uint32_t width = get_arg(args::width);  // a compile-time name is a constant expression
    static_assert(width == 16);
    DataflowBuffer buf(dfb::scratch);
    buf.reserve_back(1);
    volatile tt_l1_ptr uint32_t* w = (volatile tt_l1_ptr uint32_t*)buf.get_write_ptr();
    w[0] = get_arg(args::first);
    w[1] = get_arg(args::second);
    w[2] = get_arg(args::total);
    w[3] = width;
    w[4] = get_vararg(0);
    w[5] = get_vararg(1);
    w[6] = get_common_vararg(0);
    w[7] = get_common_vararg(1);
    w[8] = buf.get_id();
    w[9] = sem::flag;
    w[10] = *(volatile tt_l1_ptr uint32_t*)get_semaphore(sem::flag);
    Noc noc;
    const auto out = TensorAccessor(tensor::out);
    noc.async_write(buf, out, 64, {.offset_bytes = 0}, {.page_id = get_arg(args::page)});
    noc.async_write_barrier();
}"""


def echo(dev, out, **kw):
    sem_addr = None
    k = tt.Kernel(ECHO, "echo", arg_names=["first", "second", "page"], common_arg_names=["total"], named_args={"width": 16},
                  dfbs={"scratch": 5}, semaphores={"flag": 1}, tensors={"out": out}, **kw)
    prog = tt.Program(dev)
    prog.kernel([(0, 0), (1, 0)], "writer", k, {(0, 0): [11, 12, 0, 100, 101], (1, 0): [21, 22, 1, 200, 201]})
    prog.cb([(0, 0), (1, 0)], tt.CB(5, pages=1, page=64))
    prog.semaphore([(0, 0), (1, 0)], 0), prog.semaphore([(0, 0), (1, 0)], 77)
    dev.run(prog)
    return out.read(np.uint32).reshape(2, 16)


def test_every_binding_reaches_the_kernel_by_name(dev):
    out = dev.buffer(128, page=64)
    got = echo(dev, out, common_args=[7, 300, 301])
    #                  first second total width vararg0 vararg1 common_vararg0..1 dfb sem id, its value
    assert got[0, :11].tolist() == [11, 12, 7, 16, 100, 101, 300, 301, 5, 1, 77]
    assert got[1, :11].tolist() == [21, 22, 7, 16, 200, 201, 300, 301, 5, 1, 77]


def test_the_tensor_address_sits_between_named_and_positional_common_args(dev):
    out = dev.buffer(128, page=64)
    k = tt.Kernel("", "k", common_arg_names=["a", "b"], common_args=[1, 2, 3], tensors={"t": out})
    assert k.common_words() == [1, 2, out.addr, 3]


def test_a_bound_tensor_follows_the_kernels_own_compile_time_args(dev):
    out = dev.buffer(4096, page=1000)
    src = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    static_assert(get_compile_time_arg_val(0) == 9 && get_compile_time_arg_val(1) == 8);
    static_assert(decltype(tensor::t)::args.get_aligned_page_size() == 1024);  // DRAM pages round to 32 bytes
    static_assert(decltype(tensor::t)::args.is_dram && decltype(tensor::t)::addr_crta_offset == 4);
}"""
    tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", compile_args=[9, 8], common_arg_names=["n"], common_args=[0],
                                             tensors={"t": out})).compile()


def test_varargs_start_at_zero_without_names(dev):
    src = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    uint32_t l1 = get_vararg(0);
    volatile tt_l1_ptr uint32_t* w = (volatile tt_l1_ptr uint32_t*)(uintptr_t)l1;
    w[0] = get_vararg(2); w[1] = get_common_vararg(0);
    noc_async_write(l1, get_noc_addr_from_bank_id<true>(0, get_vararg(1)), 8);
    noc_async_write_barrier();
}"""
    out = dev.buffer(32, page=32)
    dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", common_args=[42]), reader_args=[dev.chip.l1_unreserved_base, out.addr, 5]))
    assert out.read(np.uint32)[:2].tolist() == [5, 42]


def test_a_compute_kernel_reads_named_args_and_dataflow_buffers(dev):
    # copies n tiles from dfb::in to dfb::out; n is a named runtime arg, so the compute kernel is a Metal 2.0 one
    compute = r"""
#include "api/compute/common.h"
#include "api/compute/tile_move_copy.h"
#include "api/dataflow/dataflow_buffer.h"
#include "experimental/kernel_args.h"
void kernel_main() {
    uint32_t n = get_arg(args::n);
    DataflowBuffer in(dfb::in), out(dfb::out);
    init_sfpu(dfb::in, dfb::out);
    for (uint32_t i = 0; i < n; i++) {
        in.wait_front(1); out.reserve_back(1);
        tile_regs_acquire(); copy_tile(dfb::in, 0, 0); tile_regs_commit();
        tile_regs_wait(); pack_tile(0, dfb::out); tile_regs_release();
        in.pop_front(1); out.push_back(1);
    }
}"""
    mover = r"""
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/noc.h"
#include "api/dataflow/dataflow_buffer.h"
#include "api/tensor/noc_traits.h"
void kernel_main() {
    Noc noc;
    DataflowBuffer buf(dfb::buf);
    const auto t = TensorAccessor(tensor::t);
    for (uint32_t i = 0; i < get_arg(args::n); i++) {
#ifdef READ
        buf.reserve_back(1); noc.async_read(t, buf, buf.get_entry_size(), {.page_id = i}, {.offset_bytes = 0});
        noc.async_read_barrier(); buf.push_back(1);
#else
        buf.wait_front(1); noc.async_write(buf, t, buf.get_entry_size(), {.offset_bytes = 0}, {.page_id = i});
        noc.async_write_barrier(); buf.pop_front(1);
#endif
    }
}"""
    x = np.random.default_rng(1).standard_normal((64, 64)).astype(np.float32)
    src = dev.buffer(tt.tilize(x), fmt=tt.bfloat16, page=tt.bfloat16.tile_bytes)
    dst = dev.buffer(src.size, page=src.page)
    n = src.pages
    prog = tt.Program(dev, (0, 0),
                      reader=tt.Kernel(mover, "read", defines={"READ": None}, arg_names=["n"], dfbs={"buf": 3}, tensors={"t": src}),
                      writer=tt.Kernel(mover, "write", arg_names=["n"], dfbs={"buf": 20}, tensors={"t": dst}),
                      compute=tt.Kernel(compute, "copy", arg_names=["n"], dfbs={"in": 3, "out": 20}),
                      reader_args=[n], writer_args=[n], compute_args=[n], cbs=[tt.CB(3), tt.CB(20)])
    dev.run(prog)
    assert np.array_equal(tt.untilize(dst.read(tt.bfloat16), 64, 64), tt.round_bfloat16(x))


def test_a_name_not_bound_fails_to_compile_naming_it(dev):
    src = '#include "api/dataflow/dataflow_api.h"\n#include "experimental/kernel_args.h"\nvoid kernel_main() { get_arg(args::missing); }'
    with pytest.raises(tt.CompileError, match="missing"):
        tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", arg_names=["there"])).compile()


def test_bad_bindings_are_named(dev):
    out = dev.buffer(64, page=64)
    src = "void kernel_main() {}"
    with pytest.raises(tt.TensixError, match="x named twice"):
        tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", arg_names=["x"], named_args={"x": 1})).compile()
    with pytest.raises(tt.TensixError, match="arg_names takes a list of names"):
        tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", arg_names=["not a name"])).compile()
    with pytest.raises(tt.TensixError, match="tensors are bound to data-movement kernels"):
        tt.Program(dev, (0, 0), compute=tt.Kernel(src, "c", tensors={"t": out})).compile()
    with pytest.raises(tt.TensixError, match="1 runtime args for its named args a, b"):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", arg_names=["a", "b"]), reader_args=[1]))
    with pytest.raises(tt.TensixError, match="0 values for its named common args c"):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", common_arg_names=["c"])))
