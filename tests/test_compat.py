"""What tt-metal kernels lean on beyond the core API: the zeros block, the reduce scaler helper, pack-time ReLU,
format reconfiguration, and build-time errors where the chip's build would stop."""
import numpy as np
import pytest
import tensix as tt
from test_compute import A, PER_TILE, compute

HEAD = '#include "dataflow_api.h"\n'


def test_kernels_clear_l1_from_the_zeros_block_but_cannot_write_it(dev):
    src = HEAD + """#include "tt_eager/tt_dnn/kernels/dataflow/generate_reduce_scaler.hpp"
    void kernel_main() {
        uint32_t out = get_arg_val<uint32_t>(0);
        cb_reserve_back(0, 1);
        volatile uint32_t* p = (volatile uint32_t*)get_write_ptr(0);
        for (int i = 0; i < 512; i++) p[i] = 0xdeadbeef;
        for (uint32_t i = 0; i < 2048; i += MEM_ZEROS_SIZE) noc_async_read(get_noc_addr(MEM_ZEROS_BASE), get_write_ptr(0) + i, MEM_ZEROS_SIZE);
        noc_async_read_barrier();
        cb_push_back(0, 1);
        generate_reduce_scaler(1, 0x3f800000);  // 1.0
        cb_wait_front(0, 1); cb_wait_front(1, 1);
        InterleavedAddrGen<true> o = {out, 2048};
        noc_async_write(get_read_ptr(0), get_noc_addr(0, o), 2048);
        noc_async_write(get_read_ptr(1), get_noc_addr(1, o), 2048);
        noc_async_write_barrier();
    }"""
    out = dev.buffer(4096, page=2048)
    dev.run(tt.Program(dev, (0, 0), writer=src, writer_args=[out.addr], cbs=[tt.CB(0, pages=1), tt.CB(1, pages=1)]))
    zeros, scaler = out.read(tt.bfloat16).reshape(2, 1024)
    assert not zeros.any()
    assert (scaler.reshape(4, 16, 16)[:, 0, :] == 1).all() and scaler.sum() == 64  # row 0 of each face
    with pytest.raises(tt.KernelError, match="L1 0x800 on the core at NoC \\(1,1\\) is in the reserved region"):
        dev.run(tt.Program(dev, (0, 0), writer=HEAD + "void kernel_main() { noc_async_write(0x1e000, get_noc_addr(MEM_ZEROS_BASE), 16); }"))
    out.free()


def test_pack_relu_and_format_reconfiguration_calls(dev):
    body = PER_TILE.format(wait1="", pop1="", op="copy_tile(0, 0, 0); PACK(( llk_pack_relu_config(ReluType::ZERO_RELU) )); "
                           "math_reconfig_data_format_srca(0, 0); binary_op_init_common_with_dt(0, 0, 16);")
    got, _ = compute(dev, body, [A])
    assert np.array_equal(tt.untilize(got, 64, 64), np.maximum(A, 0))


def test_the_softmax_header_tt_metal_kernels_include(dev):
    src = '#include "compute_kernel_api/softmax.h"\nnamespace NAMESPACE { void MAIN { exp_tile_init<true>(); recip_tile_init(); } }'
    dev.run(tt.Program(dev, (0, 0), compute=src))


def test_a_missing_compile_time_arg_stops_the_build(dev):
    src = HEAD + "void kernel_main() { volatile uint32_t n = get_compile_time_arg_val(1); (void)n; }"
    prog = tt.Program(dev, (0, 0), writer=tt.Kernel(src, "w", compile_args=[7]))
    with pytest.raises(tt.CompileError, match="KERNEL_COMPILE_TIME_ARG_1"):
        prog.binary("writer", prog.core_sets[0].kernels["writer"])


def test_reduce_without_an_op_stops_the_build(dev):
    src = ('#include "compute_kernel_api/reduce.h"\nnamespace NAMESPACE { void MAIN { reduce_tile(0, 1, 0, 0, 0); } }')
    with pytest.raises(tt.CompileError, match="reduce_tile needs REDUCE_OP and REDUCE_DIM"):
        dev.run(tt.Program(dev, (0, 0), compute=src))
