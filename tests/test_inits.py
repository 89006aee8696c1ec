"""The strict-init checker: on the chip each tile op runs in the mode the last init calls set up (tt-metal's
compute_kernel_api/*.h), so a kernel that leaves one out gives a wrong answer there and the right one in a simulator
that reads each op from its call. Each rule below is one tt-metal's headers state; each kernel is run both ways."""
import importlib
import numpy as np
import pytest
import tensix as tt
from tensix import reference
from test_compute import A, B, compute

MATMUL = """{init}
for (uint32_t i = 0; i < n; i++) {{
    tile_regs_acquire();
    cb_wait_front(0, 1); cb_wait_front(1, 1);
    matmul_tiles(0, 1, 0, 0, 0, false);
    cb_pop_front(0, 1); cb_pop_front(1, 1);
    tile_regs_commit(); tile_regs_wait();
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1);
    tile_regs_release();
}}"""
COPY_THEN = """{init}
for (uint32_t i = 0; i < n; i++) {{
    tile_regs_acquire();
    cb_wait_front(0, 1);
    copy_tile(0, 0, 0);
    {op}
    cb_pop_front(0, 1);
    tile_regs_commit(); tile_regs_wait();
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1);
    tile_regs_release();
}}"""
a, b = A[:32, :32], B[:32, :32]


@pytest.mark.parametrize("init", ["mm_init(0, 1, 16);", "compute_kernel_hw_startup(1, 0, 16); mm_init_short(0, 1);"])
def test_a_matmul_after_its_init_runs(dev, init):
    got, _ = compute(dev, MATMUL.format(init=init), [a, b], start="")
    assert np.allclose(tt.untilize(got, 32, 32), reference.matmul(a, b, "HiFi4"), rtol=2 ** -8, atol=1e-6)


@pytest.mark.parametrize("init, match", [
    ("", r".*matmul_tiles at line \d+ of the kernel with the unpacker, math engine and packer never configured: start the "
         r"kernel with compute_kernel_hw_startup"),
    ("compute_kernel_hw_startup(1, 0, 16);", r"matmul_tiles at line \d+ of the kernel after compute_kernel_hw_startup: call mm_init_short first"),
    ("mm_init(0, 1, 16); copy_tile_to_dst_init_short(0);", "matmul_tiles .*after copy_tile_to_dst_init_short: call mm_init_short first"),
    ("mm_init(0, 1, 16); tilize_init_short(0, 1, 16); mm_init_short(0, 1);", "matmul_tiles .*after tilize_init_short: the unpacker is still in its "
                                                                              "tilize or untilize mode; call tilize_uninit first"),
])
def test_a_matmul_without_its_init_is_named(dev, init, match):
    with pytest.raises(tt.KernelError, match=r"compute kernel 'compute' on core \(0, 0\) \(TRISC\): " + match):
        compute(dev, MATMUL.format(init=init), [a, b], start="")
    lax = tt.Device("e150", echo=False, strict_init=False)  # and runs without the checker
    got, _ = compute(lax, MATMUL.format(init=init), [a, b], start="")
    assert np.allclose(tt.untilize(got, 32, 32), reference.matmul(a, b, "HiFi4"), rtol=2 ** -8, atol=1e-6)
    lax.close()


def test_the_environment_turns_the_checker_off(monkeypatch):
    monkeypatch.setenv("TENSIX_STRICT_INIT", "0")
    d = tt.Device("e150", echo=False)
    got, _ = compute(d, MATMUL.format(init=""), [a, b], start="")
    assert np.allclose(tt.untilize(got, 32, 32), reference.matmul(a, b, "HiFi4"), rtol=2 ** -8, atol=1e-6)
    monkeypatch.setenv("TENSIX_STRICT_INIT", "maybe")
    with pytest.raises(tt.TensixError, match="TENSIX_STRICT_INIT='maybe'"): tt.Device("e150")


@pytest.mark.parametrize("init, op, match", [
    # each SFPU op after its own init since any other SFPU op's (eltwise_unary/*.h)
    ("exp_tile_init();", "recip_tile(0);", "recip_tile .*after exp_tile_init: call recip_tile_init first"),
    ("", "exp_tile(0);", "exp_tile .*after the kernel's start: call exp_tile_init first"),
    # one init for the scalar ops (binop_with_scalar.h)
    ("binop_with_scalar_tile_init();", "mul_unary_tile(0, 0x40000000u); add_binary_tile_init(); "
                                                                    "add_unary_tile(0, 0x40000000u);", "add_unary_tile .*call binop_with_scalar_tile_init"),
    # the reduce's edge mask stays on the packer until reduce_uninit (reduce.h)
    ("compute_kernel_hw_startup(0, 16); reduce_init<PoolType::SUM, ReduceDim::REDUCE_ROW>(0, 0, 16); copy_tile_to_dst_init_short(0);", "",
     "pack_tile .*after copy_tile_to_dst_init_short: the packer still masks to the reduce's row or column .*call reduce_uninit"),
    # the packer untilizes until pack_untilize_uninit (pack_untilize.h)
    ("pack_untilize_dst_init_short<1>(16);", "", "pack_tile .*the packer untilizes; call pack_untilize_uninit"),
    # copy_tile after a binary op's init unpacks two operands (tile_move_copy.h)
    ("binary_op_init_common(0, 0, 16); add_tiles_init(0, 0);", "", "copy_tile .*after add_tiles_init: call copy_tile_to_dst_init_short"),
])
def test_an_op_after_another_ops_init_is_named(dev, init, op, match):
    with pytest.raises(tt.KernelError, match=match):
        compute(dev, COPY_THEN.format(init=init, op=op), [A])


@pytest.mark.parametrize("init, op", [
    ("exp_tile_init();", "exp_tile(0);"),
    ("binop_with_scalar_tile_init();", "mul_unary_tile(0, 0x40000000u); add_unary_tile(0, 0x40000000u);"),
    ("compute_kernel_hw_startup(0, 16); reduce_init<PoolType::SUM, ReduceDim::REDUCE_ROW>(0, 0, 16); reduce_uninit(); "
     "copy_tile_to_dst_init_short(0);", ""),
    ("pack_untilize_dst_init_short<1>(16); pack_untilize_uninit(16);", ""),
])
def test_the_same_kernels_with_their_inits_run(dev, init, op):
    compute(dev, COPY_THEN.format(init=init, op=op), [A])


def test_a_buffer_in_another_format_needs_a_reconfig(dev):
    """compute_kernel_hw_startup.h: operands in another data format than it configured need a reconfig_data_format
    call; here srcA is set up for buffer 1's bfloat16 and copy_tile reads buffer 0's bfp8_b."""
    init = "compute_kernel_hw_startup(1, 16); copy_tile_to_dst_init_short(0);"
    with pytest.raises(tt.KernelError, match=r"copy_tile .*circular buffer 0 holds Bfp8_b but srcA is configured for Float16_b "
                                             r"\(buffer 1, by compute_kernel_hw_startup\): call reconfig_data_format_srca\(0\) first"):
        compute(dev, COPY_THEN.format(init=init, op=""), [A], in_fmt=tt.bfp8_b, cbs=[tt.CB(1, tt.bfloat16, 2)], start="")
    compute(dev, COPY_THEN.format(init=init + " reconfig_data_format_srca(1, 0);", op=""), [A], in_fmt=tt.bfp8_b, cbs=[tt.CB(1, tt.bfloat16, 2)], start="")


COMPUTE_EXAMPLES = ["eltwise_binary", "eltwise_sfpu", "matmul_single_core", "matmul_multicast", "reduce", "transpose", "softmax",
                    "matmul_bias_gelu", "tilize_untilize", "layernorm", "where_today"]


def test_the_examples_pass_with_the_checker_on():
    d = tt.Device("e150", echo=False, strict_init=True)
    for name in COMPUTE_EXAMPLES:
        ok, _ = importlib.import_module(f"tensix.examples.{name}").main(d)
        assert ok, name
    d.close()
