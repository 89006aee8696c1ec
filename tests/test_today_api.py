"""Today's tt-metal kernel API (2025-26), beside 2024's: the api/... include paths, TensorAccessor with the host's
TensorAccessorArgs, the Noc and CircularBuffer objects, compute kernels as a plain `void kernel_main()`, the renamed
calls, common runtime args, the SFPU's binary ops between register tiles and `where`, and float32 tiles unpacked
straight into a float32 register. References follow tt-metal's documented semantics, in numpy with the chip's rounding."""
import math, os, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
import tensix as tt
from tensix import reference

# Up to three inputs, each a buffer found by a TensorAccessor whose compile-time args follow the previous one's.
READER = r"""
#include "api/dataflow/dataflow_api.h"
#include "api/dataflow/noc.h"
#include "api/dataflow/circular_buffer.h"
#include "api/tensor/noc_traits.h"
void kernel_main() {
    uint32_t n = get_arg_val<uint32_t>(0);
    constexpr uint32_t inputs = get_compile_time_arg_val(0);
    constexpr auto a0 = TensorAccessorArgs<1>();
    constexpr auto a1 = TensorAccessorArgs<a0.next_compile_time_args_offset()>();
    constexpr auto a2 = TensorAccessorArgs<a1.next_compile_time_args_offset()>();
    const auto s0 = TensorAccessor(a0, get_arg_val<uint32_t>(1));
    const auto s1 = TensorAccessor(a1, get_arg_val<uint32_t>(2));
    const auto s2 = TensorAccessor(a2, get_arg_val<uint32_t>(3));
    Noc noc;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < inputs; k++) {
            CircularBuffer cb(k);
            cb.reserve_back(1);
            if (k == 0) noc.async_read(s0, cb, cb.get_tile_size(), {.page_id = i}, {.offset_bytes = 0});
            if (k == 1) noc.async_read(s1, cb, cb.get_tile_size(), {.page_id = i}, {.offset_bytes = 0});
            if (k == 2) noc.async_read(s2, cb, cb.get_tile_size(), {.page_id = i}, {.offset_bytes = 0});
            noc.async_read_barrier();
            cb.push_back(1);
        }
}"""
# The output buffer and the tile count come as common runtime args, the same for every core.
WRITER = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    uint32_t dst = get_common_arg_val<uint32_t>(0), n = get_common_arg_val<uint32_t>(1);
    constexpr uint32_t cb_out = tt::CBIndex::c_16;
    constexpr auto out_args = TensorAccessorArgs<0>();
    const auto out = TensorAccessor(out_args, dst, get_tile_size(cb_out));
    for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(cb_out, 1);
        noc_async_write_tile(i, out, get_read_ptr(cb_out));
        noc_async_write_barrier();
        cb_pop_front(cb_out, 1);
    }
}"""
INCLUDES = "".join(f'#include "api/compute/{h}"\n' for h in (
    "common.h", "compute_kernel_hw_startup.h", "tile_move_copy.h", "eltwise_binary.h", "eltwise_binary_sfpu.h", "binary_max_min.h",
    "binary_comp.h", "matmul.h", "reduce.h", "eltwise_unary/eltwise_unary.h", "eltwise_unary/where.h", "eltwise_unary/exp.h",
    "add_int_sfpu.h", "sub_int_sfpu.h", "mul_int_sfpu.h", "binary_bitwise_sfpu.h", "binary_shift.h", "div_int32_sfpu.h",
    "div_int32_floor.h", "binary_remainder.h", "binary_fmod.h", "gcd.h", "lcm.h", "xlogy.h", "atan2.h", "copy_dest_values.h",
    "eltwise_unary/comp.h", "eltwise_unary/rpow.h", "eltwise_unary/rdiv.h", "eltwise_unary/fill.h", "eltwise_unary/gelu.h",
    "eltwise_unary/activations.h", "eltwise_unary/hardtanh.h", "eltwise_unary/selu.h", "eltwise_unary/softplus.h",
    "eltwise_unary/mish.h", "eltwise_unary/relu.h", "eltwise_unary/sigmoid.h", "pack.h"))


def run_today(dev, body, inputs, in_fmt=tt.bfloat16, out_fmt=tt.bfloat16, n_out=None, l1=False, **kernel):
    """Run a today's-dialect compute kernel (`body` inside `void kernel_main()`, with `n` the tile count) over
    tilized inputs in CBs 0, 1, 2; the output tiles from CB 16, flat, in tile order. The body starts after
    init_sfpu(c_0, c_16): the hardware configured for these buffers, copy_tile's mode set."""
    bufs = [dev.buffer(tt.tilize(x), fmt=in_fmt, page=in_fmt.tile_bytes, l1=l1) for x in inputs]
    n = bufs[0].pages
    n_out = n if n_out is None else n_out
    out = dev.buffer(n_out * out_fmt.tile_bytes, page=out_fmt.tile_bytes)
    ct = [len(bufs)] + [a for b in (bufs + bufs[:1] * 3)[:3] for a in tt.TensorAccessorArgs(b).get_compile_time_args()]
    src = INCLUDES + "void kernel_main() {\n    uint32_t n = get_arg_val<uint32_t>(0);\n    init_sfpu(tt::CBIndex::c_0, tt::CBIndex::c_16);\n" + body + "\n}\n"
    try:
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(READER, "reader", compile_args=ct), compute=tt.Kernel(src, "compute", **kernel),
                           writer=tt.Kernel(WRITER, "writer", compile_args=tt.TensorAccessorArgs(out).get_compile_time_args(),
                                            common_args=[out.addr, n_out]),
                           reader_args=[n, *(b.addr for b in (bufs * 3)[:3])], compute_args=[n],
                           cbs=[*(tt.CB(i, in_fmt) for i in range(len(inputs))), tt.CB(16, out_fmt)]))
        return out.read(out_fmt)
    finally:
        for b in bufs + [out]: b.free()


# Two tiles into the register (0 and 1), one SFPU op between them into tile 2, tile 2 packed.
PAIR = """compute_kernel_hw_startup(tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16);
for (uint32_t i = 0; i < n; i++) {
    cb_wait_front(tt::CBIndex::c_0, 1); cb_wait_front(tt::CBIndex::c_1, 1);
    tile_regs_acquire();
    copy_init(tt::CBIndex::c_0); copy_tile(tt::CBIndex::c_0, 0, 0);
    copy_init(tt::CBIndex::c_1); copy_tile(tt::CBIndex::c_1, 0, 1);
    %s
    tile_regs_commit(); tile_regs_wait();
    cb_reserve_back(tt::CBIndex::c_16, 1); pack_tile(2, tt::CBIndex::c_16); cb_push_back(tt::CBIndex::c_16, 1);
    tile_regs_release();
    cb_pop_front(tt::CBIndex::c_0, 1); cb_pop_front(tt::CBIndex::c_1, 1);
}"""
F32 = dict(in_fmt=tt.float32, out_fmt=tt.float32, fp32_dest_acc_en=True,
           unpack_to_dest_mode={0: tt.UnpackToDestMode.UnpackToDestFp32, 1: tt.UnpackToDestMode.UnpackToDestFp32,
                                2: tt.UnpackToDestMode.UnpackToDestFp32})
EXACT = {"add_binary": np.add, "sub_binary": np.subtract, "rsub_binary": lambda a, b: b - a, "mul_binary": np.multiply,
         "div_binary": np.divide, "binary_max": np.maximum, "binary_min": np.minimum,
         **{f"{c}_binary": (lambda f: lambda a, b: f(a, b).astype(np.float32))(getattr(np, n)) for c, n in
            (("eq", "equal"), ("ne", "not_equal"), ("lt", "less"), ("gt", "greater"), ("le", "less_equal"), ("ge", "greater_equal"))}}


def operands(seed, shape=(32, 64)):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape).astype(np.float32) * 3
    b = rng.standard_normal(shape).astype(np.float32)
    b[::3] = a[::3]  # equal values, so that the comparisons see ties
    return a, b


def tiles(x): return tt.tilize(x).reshape(-1)


@pytest.mark.parametrize("chip", ["n150", "p150"])
@pytest.mark.parametrize("op", sorted(EXACT))
def test_sfpu_binary_ops_keep_float32_on_wormhole_and_blackhole(chip, op):
    """UnpackToDestFp32 + a float32 register: the SFPU computes in float32 and nothing rounds on the way."""
    dev = tt.Device(chip)
    a, b = operands(1)
    got = run_today(dev, PAIR % f"{op}_tile_init(); {op}_tile(0, 1, 2);", [a, b], **F32)
    with np.errstate(divide="ignore"):
        assert np.array_equal(got, tiles(EXACT[op](a, b))), op


def int_mode(fmt): return dict(in_fmt=fmt, out_fmt=fmt, fp32_dest_acc_en=True,
                               unpack_to_dest_mode={k: tt.UnpackToDestMode.UnpackToDestFp32 for k in (0, 1, 2)})


def test_integer_sfpu_ops_refuse_float_formats():
    dev = tt.Device("n150")
    a = np.ones((32, 32), np.int32)
    with pytest.raises(tt.TensixError, match="supported data formats are Int32, UInt32, UInt16"):
        run_today(dev, PAIR % "add_int_tile<DataFormat::Float16_b>(0, 1, 2);", [a, a], **int_mode(tt.int32))


def test_power_binary_is_float32_pow():
    dev = tt.Device("n150")
    a, b = operands(2)
    a = np.abs(a) + 0.5
    got = run_today(dev, PAIR % "power_binary_tile_init(); power_binary_tile(0, 1, 2);", [a, b], **F32)
    np.testing.assert_allclose(got, tiles(np.power(a.astype(np.float64), b)), rtol=2e-7)


def test_a_bfloat16_register_truncates_add_and_rounds_mul_and_div():
    """tt-metal: with a bfloat16 register the SFPU's store truncates, except mul and div, which round to nearest even on
    Wormhole and Blackhole, and add/sub/rsub with DstRoundingMode::NearestEven."""
    dev = tt.Device("n150")
    a, b = (tt.round_bfloat16(x) for x in operands(3))
    truncated, nearest = reference.truncate_bfloat16, tt.round_bfloat16
    for call, want in [("add_binary_tile(0, 1, 2)", truncated(a + b)), ("sub_binary_tile(0, 1, 2)", truncated(a - b)),
                       ("rsub_binary_tile(0, 1, 2)", truncated(b - a)), ("mul_binary_tile(0, 1, 2)", nearest(a * b)),
                       ("div_binary_tile(0, 1, 2)", nearest(a / b)),
                       ("add_binary_tile<DstRoundingMode::NearestEven>(0, 1, 2)", nearest(a + b))]:
        got = run_today(dev, PAIR % (call.split("<")[0].split("(")[0] + "_init(); " + call + ";"), [a, b])
        assert np.array_equal(got, tiles(want)), call
    assert not np.array_equal(truncated(a + b), nearest(a + b))  # the inputs tell the two apart


def test_where_picks_by_condition_and_the_output_may_be_an_input():
    dev = tt.Device("n150")
    a, b = operands(4)
    cond = (np.arange(a.size).reshape(a.shape) % 3 == 0).astype(np.float32) * np.float32(-2.5)  # nonzero is true
    body = """for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(0, 1); cb_wait_front(1, 1); cb_wait_front(2, 1);
        tile_regs_acquire();
        copy_tile(0, 0, 0); copy_tile(1, 0, 1); copy_tile(2, 0, 2);
        where_tile_init(); where_tile<DataFormat::Float32>(0, 1, 2, 0);
        tile_regs_commit(); tile_regs_wait();
        cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1);
        tile_regs_release();
        cb_pop_front(0, 1); cb_pop_front(1, 1); cb_pop_front(2, 1);
    }"""
    got = run_today(dev, body, [cond, a, b], **F32)
    assert np.array_equal(got, tiles(np.where(cond != 0, a, b)))


def test_2024_two_argument_forms_write_over_their_first_tile():
    dev = tt.Device("n150")
    a, b = operands(5)
    body = PAIR.replace("pack_tile(2,", "pack_tile(0,") % "max_tile_init(); max_tile(0, 1); sub_binary_tile_init(); sub_binary_tile(0, 1);"
    got = run_today(dev, body, [a, b], **F32)
    assert np.array_equal(got, tiles(np.maximum(a, b) - b))



def test_math_and_pack_in_one_block_as_ttnn_writes_them():
    """ttnn's binary SFPU kernel holds the register for math and pack at once (acquire, wait, ..., pack, commit,
    release): on the chip each call binds only its own thread, so the pack thread just waits for the commit. A pack
    without any wait is still an error."""
    dev = tt.Device("n150")
    a, b = operands(10)
    body = """for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(0, 1); cb_wait_front(1, 1); cb_reserve_back(16, 1);
        tile_regs_acquire(); tile_regs_wait();
        copy_tile(0, 0, 0); copy_tile(1, 0, 1); sub_binary_tile_init(); sub_binary_tile(0, 1, 0); pack_tile(0, 16);
        tile_regs_commit(); tile_regs_release();
        PACK((llk_pack_relu_config(ReluConfig::zero())));
        cb_pop_front(0, 1); cb_pop_front(1, 1); cb_push_back(16, 1);
    }"""
    got = run_today(dev, body, [a, b], **F32)
    first_tile = np.s_[:32 * 32]  # the first tile is packed before the ReLU is configured, the second after
    want = tiles(a - b)
    assert np.array_equal(got[first_tile], want[first_tile]) and np.array_equal(got[1024:], np.maximum(want[1024:], 0))
    with pytest.raises(tt.KernelError, match="pack_tile.*tile_regs_commit, then tile_regs_wait"):
        run_today(dev, body.replace("tile_regs_wait();", ""), [a, b], **F32)


COPY = """for (uint32_t i = 0; i < n; i++) {
    cb_wait_front(0, 1); tile_regs_acquire(); copy_tile(0, 0, 0); tile_regs_commit(); tile_regs_wait();
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); tile_regs_release(); cb_pop_front(0, 1);
}"""


def test_float32_reaches_the_register_whole_only_when_unpacked_to_dest():
    """Without UnpackToDestFp32 a float32 tile goes through srcA, which holds TF32 beside a float32 register (bfloat16
    beside a bfloat16 one); with it the unpacker writes the register and every bit arrives."""
    dev = tt.Device("n150")
    x = (np.random.default_rng(6).standard_normal((32, 32)) * 100).astype(np.float32)
    exact = run_today(dev, COPY, [x], **F32)
    assert np.array_equal(exact, tiles(x))
    via_src = run_today(dev, COPY, [x], in_fmt=tt.float32, out_fmt=tt.float32, fp32_dest_acc_en=True)
    assert np.array_equal(via_src, tiles(reference.round_tf32(x))) and not np.array_equal(via_src, exact)
    narrow = run_today(dev, COPY, [x], in_fmt=tt.float32, out_fmt=tt.float32)
    assert np.array_equal(narrow, tiles(tt.round_bfloat16(x)))


def test_unpack_to_dest_is_refused_where_the_chip_cannot_do_it():
    x = np.zeros((32, 32), np.float32)
    with pytest.raises(tt.TensixError, match="Grayskull"):
        run_today(tt.Device("e150"), COPY, [x], in_fmt=tt.float32, out_fmt=tt.float32,
                  unpack_to_dest_mode=[tt.UnpackToDestMode.UnpackToDestFp32])
    with pytest.raises(tt.TensixError, match="fp32_dest_acc_en"):
        run_today(tt.Device("n150"), COPY, [x], in_fmt=tt.float32, out_fmt=tt.float32,
                  unpack_to_dest_mode=[tt.UnpackToDestMode.UnpackToDestFp32])
    with pytest.raises(tt.TensixError, match="unpack_to_dest_mode\\[0\\] is 'fp32'"):
        run_today(tt.Device("n150"), COPY, [x], in_fmt=tt.float32, out_fmt=tt.float32, fp32_dest_acc_en=True, unpack_to_dest_mode=["fp32"])


def test_eltwise_sfpu_and_binary_as_todays_examples_write_them(dev):
    """The shapes of today's eltwise_sfpu and eltwise_binary programming examples: compute_kernel_hw_startup,
    copy_init, exp_tile; binary_op_init_common, add_tiles_init, binary_tiles_init, add_tiles."""
    a, b = operands(7)
    got = run_today(dev, """compute_kernel_hw_startup(tt::CBIndex::c_0, tt::CBIndex::c_16);
    copy_init(tt::CBIndex::c_0); exp_tile_init();
    for (uint32_t i = 0; i < n; i++) {
        tile_regs_acquire(); cb_wait_front(tt::CBIndex::c_0, 1);
        copy_tile(tt::CBIndex::c_0, 0, 0); exp_tile(0);
        tile_regs_commit(); tile_regs_wait();
        cb_reserve_back(tt::CBIndex::c_16, 1); pack_tile(0, tt::CBIndex::c_16);
        cb_pop_front(tt::CBIndex::c_0, 1); tile_regs_release(); cb_push_back(tt::CBIndex::c_16, 1);
    }""", [a / 3])
    assert np.array_equal(got, tiles(tt.round_bfloat16(np.exp(tt.round_bfloat16(a / 3)))))
    got = run_today(dev, """binary_op_init_common(tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16);
    add_tiles_init(tt::CBIndex::c_0, tt::CBIndex::c_1); binary_tiles_init<true, ELWMUL>(tt::CBIndex::c_0, tt::CBIndex::c_1);
    for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(tt::CBIndex::c_0, 1); cb_wait_front(tt::CBIndex::c_1, 1);
        tile_regs_acquire(); mul_tiles(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 0); tile_regs_commit(); tile_regs_wait();
        cb_reserve_back(tt::CBIndex::c_16, 1); pack_tile(0, tt::CBIndex::c_16); cb_push_back(tt::CBIndex::c_16, 1);
        cb_pop_front(tt::CBIndex::c_0, 1); cb_pop_front(tt::CBIndex::c_1, 1); tile_regs_release();
    }""", [a, b], l1=True)  # inputs in L1 buffers: TensorAccessorArgs says so, the accessor finds L1 banks
    assert np.array_equal(got, tiles(tt.round_bfloat16(reference.multiply(a, b))))


def test_matmul_with_todays_calls(dev):
    """matmul_init (no output buffer: compute_kernel_hw_startup took it), matmul_tiles and matmul_tile, block by block."""
    rng = np.random.default_rng(8)
    A, B = rng.standard_normal((64, 96)).astype(np.float32), rng.standard_normal((96, 64)).astype(np.float32)
    Mt, Kt, Nt = 2, 3, 2
    # inputs streamed as the single-core example's reader does: for each output tile, A's row of tiles and B's column
    a_stream = np.concatenate([A[m * 32:(m + 1) * 32, k * 32:(k + 1) * 32] for m in range(Mt) for n in range(Nt) for k in range(Kt)])
    b_stream = np.concatenate([B[k * 32:(k + 1) * 32, n * 32:(n + 1) * 32] for m in range(Mt) for n in range(Nt) for k in range(Kt)])
    got = run_today(dev, f"""compute_kernel_hw_startup(tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16);
    matmul_init(tt::CBIndex::c_0, tt::CBIndex::c_1);
    for (uint32_t t = 0; t < {Mt * Nt}; t++) {{
        tile_regs_acquire();
        for (uint32_t kt = 0; kt < {Kt}; kt++) {{
            cb_wait_front(tt::CBIndex::c_0, 1); cb_wait_front(tt::CBIndex::c_1, 1);
            if (kt % 2) matmul_tile(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 0, false);
            else matmul_tiles(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 0);
            cb_pop_front(tt::CBIndex::c_0, 1); cb_pop_front(tt::CBIndex::c_1, 1);
        }}
        tile_regs_commit(); tile_regs_wait();
        cb_reserve_back(tt::CBIndex::c_16, 1); pack_tile(0, tt::CBIndex::c_16); cb_push_back(tt::CBIndex::c_16, 1);
        tile_regs_release();
    }}""", [a_stream, b_stream], n_out=Mt * Nt)
    want = reference.matmul(A, B)
    assert np.array_equal(got, np.concatenate([tiles(want[m * 32:(m + 1) * 32, n * 32:(n + 1) * 32]) for m in range(Mt) for n in range(Nt)]))


def test_raw_llk_matmul_runs_at_its_own_fidelity_until_a_matmul_init(dev):
    """ttnn's kernel_lib reduce calls the LLK directly: llk_math_matmul_init<HiFi4> and llk_math_matmul<HiFi4> multiply
    at HiFi4 in a LoFi kernel (tt-llk's fidelity is the template's); matmul_init sets the kernel's LoFi again."""
    rng = np.random.default_rng(12)
    a, b = rng.standard_normal((64, 32)).astype(np.float32), rng.standard_normal((64, 32)).astype(np.float32)
    got = run_today(dev, """compute_kernel_hw_startup(tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16);
    for (uint32_t t = 0; t < n; t++) {
        cb_wait_front(tt::CBIndex::c_0, 1); cb_wait_front(tt::CBIndex::c_1, 1);
        tile_regs_acquire();
        if (t == 0) {
            state_configure(tt::CBIndex::c_1, tt::CBIndex::c_0);
            llk_math_matmul_init<ckernel::MathFidelity::HiFi4, MM_THROTTLE>(tt::CBIndex::c_0, tt::CBIndex::c_1, 0);
            llk_unpack_AB_matmul_init(tt::CBIndex::c_0, tt::CBIndex::c_1, 0);
            llk_unpack_AB_matmul(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0);
            llk_math_matmul<ckernel::MathFidelity::HiFi4, MM_THROTTLE>(0);
        } else {
            matmul_init(tt::CBIndex::c_0, tt::CBIndex::c_1);
            matmul_tiles(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 0);
        }
        tile_regs_commit(); tile_regs_wait();
        cb_reserve_back(tt::CBIndex::c_16, 1); pack_tile(0, tt::CBIndex::c_16); cb_push_back(tt::CBIndex::c_16, 1);
        tile_regs_release();
        cb_pop_front(tt::CBIndex::c_0, 1); cb_pop_front(tt::CBIndex::c_1, 1);
    }""", [a, b], math_fidelity="LoFi")
    hifi4, lofi = reference.matmul(a[:32], b[:32], "HiFi4"), reference.matmul(a[32:], b[32:], "LoFi")
    assert not np.array_equal(reference.matmul(a[:32], b[:32], "LoFi"), hifi4)
    assert np.array_equal(got, np.concatenate([tiles(hifi4), tiles(lofi)]))


def test_reduce_with_todays_template_order(dev):
    x = np.random.default_rng(9).uniform(0, 1, (32, 32)).astype(np.float32)
    got = run_today(dev, """reduce_init<PoolType::SUM, ReduceDim::REDUCE_ROW>(tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16);
    cb_wait_front(0, 1); cb_wait_front(1, 1);
    tile_regs_acquire(); reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(0, 1, 0, 0, 0); reduce_uninit();
    tile_regs_commit(); tile_regs_wait();
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); tile_regs_release();""", [x, np.ones_like(x)])
    sums = tt.untilize(got, 32, 32)[:, 0]
    np.testing.assert_allclose(sums, tt.round_bfloat16(x).sum(1), rtol=1e-2)



ONE = """for (uint32_t i = 0; i < n; i++) {
    cb_wait_front(0, 1); tile_regs_acquire(); copy_tile(0, 0, 0); %s
    tile_regs_commit(); tile_regs_wait(); cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); tile_regs_release(); cb_pop_front(0, 1);
}"""


@pytest.mark.parametrize("pool, dim", [("MAX", "ROW"), ("MIN", "ROW"), ("MAX", "COL"), ("MIN", "COL"), ("SUM", "COL")])
def test_sfpu_reduce_keeps_float32_whole(pool, dim):
    """tt-metal's sfpu_reduce: the register tile reduced in place, rows into column 0 or columns into row 0. Values that
    differ only past bfloat16's and TF32's bits: a max through the source registers (reduce_tile) would tie them."""
    rng = np.random.default_rng(3)
    x = (1 + rng.integers(0, 1 << 20, (64, 32)) * 2.0 ** -23).astype(np.float32) * rng.choice([-1, 1], (64, 1)).astype(np.float32)
    x[5, 7] = -np.inf
    got = run_today(tt.Device("n150"), ONE % f"sfpu_reduce_init<PoolType::{pool}, DataFormat::Float32>(); "
                    f"sfpu_reduce<PoolType::{pool}, DataFormat::Float32, ReduceDim::REDUCE_{dim}>(0);", [x], **F32)
    got = tt.untilize(got, 64, 32).reshape(2, 32, 32)
    x = x.reshape(2, 32, 32)
    f = {"MAX": np.max, "MIN": np.min, "SUM": np.sum}[pool]
    if dim == "ROW": assert np.array_equal(got[:, :, 0], f(x, axis=2))
    elif pool == "SUM": np.testing.assert_allclose(got[:, 0, :], x.astype(np.float64).sum(1), rtol=1e-6)
    else: assert np.array_equal(got[:, 0, :], f(x, axis=1))


def test_sfpu_reduce_of_int32_words_and_its_refusals():
    x = np.random.default_rng(4).integers(-2 ** 31, 2 ** 31, (32, 32)).astype(np.int32)
    got = run_today(tt.Device("n150"), ONE % "sfpu_reduce_init<PoolType::MAX, DataFormat::Int32>(); sfpu_reduce<PoolType::MAX, DataFormat::Int32, ReduceDim::REDUCE_ROW>(0);", [x], **int_mode(tt.int32))
    assert np.array_equal(tt.untilize(got, 32, 32)[:, 0], x.max(1))
    with pytest.raises(tt.CompileError, match="REDUCE_ROW for SUM, MAX, MIN"):
        run_today(tt.Device("n150"), ONE % "sfpu_reduce<PoolType::AVG, DataFormat::Float32, ReduceDim::REDUCE_ROW>(0);", [x.astype(np.float32)], **F32)
    with pytest.raises(tt.TensixError, match="one tile"):
        run_today(tt.Device("n150"), ONE % "sfpu_reduce_init<PoolType::MAX, DataFormat::Float32>(); sfpu_reduce<PoolType::MAX, DataFormat::Float32, ReduceDim::REDUCE_ROW>(0, 2, 1);", [x.astype(np.float32)], **F32)

COMMON = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    uint32_t dst = get_common_arg_val<uint32_t>(0), scale = get_common_arg_val<uint32_t>(1), me = get_arg_val<uint32_t>(0);
    uint32_t l1 = get_arg_val<uint32_t>(1);
    *(volatile uint32_t*)l1 = scale * 1000 + me;
    InterleavedAddrGen<true> out = {dst, 32};
    noc_async_write(l1, out.get_noc_addr(me), 4);
    noc_async_write_barrier();
    if (me == 0 && get_common_arg_addr(0) == get_arg_addr(0)) get_common_arg_val<uint32_t>(7);  // never: the regions differ
}"""


def test_common_runtime_args_reach_every_core_and_change_without_recompiling(dev):
    out = dev.buffer(4 * 32, page=32)
    k = tt.Kernel(COMMON, "common", common_args=[out.addr, 7])
    cores = [(x, 0) for x in range(4)]
    l1 = dev.chip.l1_unreserved_base
    prog = tt.Program(dev, cores, writer=k, writer_args=lambda c: [c[0], l1])
    dev.run(prog)
    assert out.read(np.uint32).reshape(4, 8)[:, 0].tolist() == [7000, 7001, 7002, 7003]
    k.common_args = [out.addr, 9]
    again = tt.Program(dev, cores, writer=k, writer_args=lambda c: [c[0], l1])
    assert again.binary("writer", k) == prog.binary("writer", k)  # the args are not in the binary
    dev.run(again)
    assert out.read(np.uint32).reshape(4, 8)[:, 0].tolist() == [9000, 9001, 9002, 9003]


def test_a_common_arg_past_those_given_names_the_call(dev):
    src = '#include "api/dataflow/dataflow_api.h"\nvoid kernel_main() { get_common_arg_val<uint32_t>(2); }'
    with pytest.raises(tt.KernelError, match=r"get_common_arg_val\(2\): this kernel was given 2 common runtime args"):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", common_args=[1, 2])))
    with pytest.raises(tt.TensixError, match="256 common runtime args"):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r", common_args=[0] * 256)))


def test_address_generator_traits_as_todays_helpers_ask_them(dev):
    """dataflow_api_addrgen.h's traits (sdpa's dataflow_common.hpp picks a page size by them): a TensorAccessor has
    get_aligned_page_size(), InterleavedAddrGenFast a page_size, InterleavedPow2AddrGen log_base_2_of_page_size."""
    src = """#include "api/dataflow/dataflow_api.h"
    using TA = decltype(TensorAccessor(TensorAccessorArgs<0>(), 0u));
    static_assert(has_get_aligned_page_size_v<TA> && has_get_noc_addr_v<TA> && has_required_addrgen_traits_v<TA>);
    static_assert(!has_get_aligned_page_size_v<InterleavedAddrGenFast<true>> && has_page_size_v<InterleavedAddrGenFast<true>>);
    static_assert(has_log_base_2_of_page_size_v<InterleavedPow2AddrGen<true>> && !has_page_size_v<InterleavedPow2AddrGen<true>>);
    static_assert(!has_required_addrgen_traits_v<int>);
    void kernel_main() {}"""
    buf = dev.buffer(2048, page=2048)
    dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "traits", compile_args=tt.TensorAccessorArgs(buf).get_compile_time_args())))
    buf.free()


def test_tensor_accessor_args_from_the_host(dev):
    d, l = dev.buffer(4096, page=100), dev.buffer(4096, page=2048, l1=True)
    assert tt.TensorAccessorArgs(d).get_compile_time_args() == [2, 128]  # IsDram; the page rounded to DRAM's 32 bytes
    assert tt.TensorAccessorArgs(l).get_compile_time_args() == [0, 2048]
    ct, crt = [5], []
    assert tt.TensorAccessorArgs(d).append_to(ct, crt) == [5, 2, 128] and crt == []
    sharded = '#include "api/dataflow/dataflow_api.h"\nvoid kernel_main() { constexpr auto a = TensorAccessorArgs<0>(); (void)a; }'
    with pytest.raises(tt.CompileError, match="sharded buffer"):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(sharded, "r", compile_args=[3, 2048])))


@pytest.mark.parametrize("chip", ["n150", "p150", "e150"])
def test_the_todays_dialect_example_matches_numpy(chip):
    """examples/where_today.py: float32 bit for bit on Wormhole and Blackhole, bfloat16 with the SFPU's rounding on
    Grayskull. The inputs make both branches of the where and both roundings matter."""
    from tensix.examples import where_today
    with tt.Device(chip, echo=False) as dev:
        rng = np.random.default_rng(1)
        x, y = rng.standard_normal((64, 96)).astype(np.float32), rng.standard_normal((64, 96)).astype(np.float32)
        z, want, run = where_today.run(dev, x, y, cores=3)  # 6 tiles over 3 cores
        assert np.array_equal(z, want) and run.cycles > 0
        assert 0.2 < (x > y).mean() < 0.8


@pytest.mark.skipif(not os.environ.get("TENSIX_TT_METAL"), reason="set TENSIX_TT_METAL to a tt-metal checkout (2025-26)")
@pytest.mark.parametrize("script", ["today_examples.py", "ttnn_today.py"])
def test_todays_programs_from_a_checkout(script):
    """tt-metal's own kernel sources, unchanged, from the checkout TENSIX_TT_METAL names (never committed here): the
    programming examples, and ttnn's kernels with their kernel_lib helpers."""
    bench = Path(__file__).parent.parent / "bench" / script
    r = subprocess.run([sys.executable, str(bench), os.environ["TENSIX_TT_METAL"]], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0 and "FAIL" not in r.stdout, r.stdout + r.stderr


SEMAPHORES = r"""
#include "api/dataflow/noc_semaphore.h"
#include "api/dataflow/dataflow_buffer.h"
void kernel_main() {  // core 0 hands three values to core 1, one Semaphore::up each; core 1 takes them with down
    uint32_t me = get_arg_val<uint32_t>(0), x = get_arg_val<uint32_t>(1), y = get_arg_val<uint32_t>(2);
    uint32_t slots = get_arg_val<uint32_t>(3), out = get_arg_val<uint32_t>(4);
    Noc noc;
    Semaphore sem(0);
    volatile uint32_t* slot = (volatile uint32_t*)slots;
    if (me == 0) {
        for (uint32_t i = 0; i < 3; i++) {
            slot[i] = 10 * (i + 1);
            noc.async_write(CoreLocalMem(slots), UnicastEndpoint{}, 4, {.offset_bytes = 4 * i}, {.noc_x = x, .noc_y = y, .addr = slots + 4 * i});
            noc.async_write_barrier();
            sem.up(noc, x, y, 1);
        }
    } else {
        uint32_t sum = 0;
        for (uint32_t i = 0; i < 3; i++) { sem.down(1); sum += slot[i]; }
        slot[8] = sum * 100 + sem.value();  // every up taken: the count is back at 0
        InterleavedAddrGen<true> o = {out, 32};
        noc.async_write(CoreLocalMem(slots + 32), UnicastEndpoint{}, 4, {.offset_bytes = 0},
                        {.noc_x = (uint32_t)tensix_api->dram_x[0], .noc_y = (uint32_t)tensix_api->dram_y[0], .addr = out});
        noc.async_write_barrier();
    }
}"""


def test_semaphore_objects_count_up_and_down_across_cores(dev):
    out = dev.buffer(32, page=32)
    x, y = dev.chip.noc_xy((1, 0))
    slots = dev.chip.l1_unreserved_base
    prog = tt.Program(dev, [(0, 0), (1, 0)], reader=tt.Kernel(SEMAPHORES, "semaphores"), semaphores=[0],
                      reader_args=lambda c: [c[0], x, y, slots, out.addr])
    dev.run(prog)
    assert out.read(np.uint32)[0] == 60 * 100 + 0


DFB_COPY = r"""
#include "api/dataflow/dataflow_buffer.h"
#include "api/tensor/noc_traits.h"
void kernel_main() {  // tiles from one buffer to another through a DataflowBuffer, the Noc object at both ends
    uint32_t src = get_arg_val<uint32_t>(0), dst = get_arg_val<uint32_t>(1), n = get_arg_val<uint32_t>(2);
    constexpr auto s_args = TensorAccessorArgs<0>();
    constexpr auto d_args = TensorAccessorArgs<s_args.next_compile_time_args_offset()>();
    const auto s = TensorAccessor(s_args, src), d = TensorAccessor(d_args, dst);
    Noc noc;
    DataflowBuffer dfb(3);
    for (uint32_t i = 0; i < n; i++) {
        dfb.reserve_back(1);
        noc.async_read(s, dfb, dfb.get_entry_size(), {.page_id = n - 1 - i}, {});
        noc.async_read_barrier();
        dfb.push_back(1);
        dfb.wait_front(1);
        noc.async_write(dfb, d, dfb.get_entry_size(), {}, {.page_id = i});
        dfb.write_barrier(noc);
        dfb.pop_front(1);
    }
}"""


def test_a_dataflow_buffer_moves_pages_as_a_circular_buffer_does(dev):
    x = np.arange(4 * 1024, dtype=np.uint32)
    src, dst = dev.buffer(x, page=4096), dev.buffer(x.nbytes, page=4096)
    dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(DFB_COPY, "dfb", compile_args=tt.TensorAccessorArgs(src).get_compile_time_args()
                                                     + tt.TensorAccessorArgs(dst).get_compile_time_args()),
                       reader_args=[src.addr, dst.addr, 4], cbs=[tt.CB(3, tt.uint32, 2)]))
    assert np.array_equal(dst.read(np.uint32).reshape(4, 1024), x.reshape(4, 1024)[::-1])


def test_circular_buffer_sizes_and_formats_are_constant_expressions(dev):
    """Today's tt-metal generates each kernel's circular-buffer descriptors at build time, and kernels rely on it:
    `constexpr uint32_t tile_size = get_tile_size(cb)`. A buffer the program does not give stays a run-time question."""
    src = r"""
#include "api/dataflow/dataflow_api.h"
void kernel_main() {
    constexpr uint32_t tile = get_tile_size(tt::CBIndex::c_1);
    constexpr DataFormat fmt = get_dataformat(tt::CBIndex::c_1);
    static_assert(fmt == DataFormat::Float32 || fmt == DataFormat::Float16_b, "the program's formats");
    uint32_t l1 = get_arg_val<uint32_t>(0);
    *(volatile uint32_t*)l1 = tile * 100 + (uint32_t)fmt;
    InterleavedAddrGen<true> out = {get_arg_val<uint32_t>(1), 32};
    noc_async_write(l1, out.get_noc_addr(0), 4);
    noc_async_write_barrier();
}"""
    out = dev.buffer(32, page=32)
    for fmt, want in ((tt.float32, 4096 * 100 + 0), (tt.bfloat16, 2048 * 100 + 5)):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r"), cbs=[tt.CB(1, fmt)],
                           reader_args=[dev.chip.l1_unreserved_base + 8192, out.addr]))
        assert out.read(np.uint32)[0] == want
    with pytest.raises(tt.CompileError, match="get_tile_size"):  # no circular buffer 1 in this program
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "r"), cbs=[tt.CB(2)], reader_args=[0, out.addr]))


def test_acc_to_dest_adds_the_op_to_what_the_register_holds(dev):
    """binary_tiles_init<.., ELWMUL>(in0, in1, true): the mul adds its product to the destination tile (here c, copied
    in first); a later init without the flag ends it."""
    a, b = operands(11)
    c = operands(12)[0]
    body = """for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(0, 1); cb_wait_front(1, 1); cb_wait_front(2, 1);
        tile_regs_acquire();
        copy_tile_to_dst_init_short(2); copy_tile(2, 0, 0); binary_tiles_init<true, ELWMUL>(0, 1, true); mul_tiles(0, 1, 0, 0, 0);
        copy_tile_to_dst_init_short(2); copy_tile(2, 0, 1); mul_tiles_init(0, 1); mul_tiles(0, 1, 0, 0, 1);
        add_binary_tile_init(); add_binary_tile(0, 1, 0);
        tile_regs_commit(); tile_regs_wait();
        cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); tile_regs_release();
        cb_pop_front(0, 1); cb_pop_front(1, 1); cb_pop_front(2, 1);
    }"""
    got = run_today(dev, body, [a, b, c])
    bf = tt.round_bfloat16
    acc = bf(reference.multiply(a, b) + bf(c))          # the accumulated product, rounded into the register
    want = reference.truncate_bfloat16(acc + bf(reference.multiply(a, b)))  # plus the plain product, stored truncated
    assert np.array_equal(got, tiles(want))


def test_the_2025_experimental_object_api_is_todays(monkeypatch):
    """Kernels of 2025 name the object API experimental::Noc, experimental::CircularBuffer (experimental/noc.h, ...):
    the same objects, so a reader written that way moves the same bytes."""
    import test_today_api as me
    old = me.READER
    new = old.replace('#include "api/dataflow/noc.h"', '#include "experimental/noc.h"').replace(
        '#include "api/dataflow/circular_buffer.h"', '#include "experimental/circular_buffer.h"\n#include "experimental/tensor.h"')
    new = new.replace("    Noc noc;", "    experimental::Noc noc;").replace("CircularBuffer cb(k);", "experimental::CircularBuffer cb(k);")
    assert new.count("experimental::") == 2
    monkeypatch.setattr(me, "READER", new)
    a, b = operands(4)
    got = run_today(tt.Device("n150"), PAIR % "add_binary_tile_init(); add_binary_tile(0, 1, 2);", [a, b], **F32)
    assert np.array_equal(got, tiles(a + b))


NAMED = r"""
void kernel_main() {
    constexpr uint32_t a = get_named_compile_time_arg_val("alpha"), b = get_named_compile_time_arg_val("beta");
    static_assert(a + b == 0xFFFFFFFFu, "named args are constant expressions");
    DPRINT << a << " " << b << ENDL();
}"""


def test_named_compile_time_args():
    """tt-metal's named_compile_args: get_named_compile_time_arg_val("name") is the value the host gave that name, at
    compile time; a name the host did not give fails to compile, and the host's values are checked."""
    dev = tt.Device("n150")
    run = dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(NAMED, "named", named_args={"alpha": 7, "beta": 0xFFFFFFF8})))
    assert run.prints[-1].endswith("7 4294967288")
    with pytest.raises(tt.CompileError, match="not_given"):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(NAMED, "named", named_args={"alpha": 7})))
    with pytest.raises(tt.TensixError, match="named_args"):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(NAMED, "named", named_args={"alpha": -1.5, "beta": 1})))


# ttnn's matmul runs its fused activation on the pack thread (kernel_lib/matmul/detail/sfpu_activation_helpers.hpp):
# after math commits, the packer waits for it by hand (SEMWAIT on MATH_PACK instead of tile_regs_wait), points the SFPU
# at its half of the register, applies name_tile_pack to the tiles it holds, waits for the SFPU, then packs.
PACK_SIDE = """for (uint32_t i = 0; i < n; i += 2) {
    cb_wait_front(0, 2); tile_regs_acquire(); copy_block(0, 0, 0, 2); tile_regs_commit(); cb_reserve_back(16, 2);
    PACK(TTI_SEMWAIT(p_stall::STALL_TDMA | p_stall::STALL_CFG, semaphore::t6_sem(semaphore::MATH_PACK), p_stall::STALL_ON_ZERO));
    PACK(TT_SETC16(DEST_TARGET_REG_CFG_MATH_Offset_ADDR32, ckernel::packer::get_packer_dest_offset()));
    for (uint32_t t = 0; t < 2; t++) { %s }
    PACK(TTI_STALLWAIT(p_stall::STALL_PACK, p_stall::WAIT_SFPU));
    pack_block(0, 16, 2); tile_regs_release(); cb_push_back(16, 2); cb_pop_front(0, 2);
}"""


def bits(v): return int(np.float32(v).view(np.uint32))


def softplus(x, beta, threshold): return np.where(x * beta > threshold, x, np.log1p(np.exp(beta * x)) / beta)


# tt-metal's definitions of each (its SFPU headers' doc comments; torch's for the named ones)
PACK_ACTIVATIONS = {
    "gelu_tanh_tile_pack(t);": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
    "gelu_tile_pack<false>(t);": lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / np.sqrt(2))),
    "hardsigmoid_tile_pack(t);": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    f"hardtanh_tile_pack(t, {bits(-1.5)}, {bits(2.25)});": lambda x: np.clip(x, -1.5, 2.25),
    f"selu_tile_pack(t, {bits(1.0507)}, {bits(1.6733)});": lambda x: 1.0507 * np.where(x > 0, x, 1.6733 * np.expm1(x)),
    f"softplus_tile_pack(t, {bits(2.0)}, {bits(0.5)}, {bits(5.0)});": lambda x: softplus(x, 2.0, 5.0),
    "mish_tile_pack<false>(t);": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "silu_tile_pack(t);": lambda x: x / (1 + np.exp(-x)),
    f"relu_max_tile_pack(t, {bits(6.0)});": lambda x: np.clip(x, 0, 6),
    "sigmoid_tile_pack<VectorMode::RC, false>(t);": lambda x: 1 / (1 + np.exp(-x)),
    "exp_packthread_tile<false>(t);": np.exp,
    "sqrt_tile_pack<false>(t);": lambda x: np.sqrt(np.abs(x)),
}


@pytest.mark.parametrize("call", sorted(PACK_ACTIVATIONS))
def test_sfpu_ops_from_the_pack_thread(call):
    """Each fused activation, applied by the pack thread to the tiles it holds, in a float32 register."""
    dev = tt.Device("n150")
    x = (np.random.default_rng(12).standard_normal((64, 32)) * 3).astype(np.float32)
    if "sqrt" in call: x = np.abs(x)
    got = run_today(dev, PACK_SIDE % call, [x], **F32)
    want = PACK_ACTIVATIONS[call](x.astype(np.float64))
    assert np.allclose(got, tiles(want.astype(np.float32)), rtol=4e-6, atol=1e-6), call


def test_the_pack_thread_sfpu_needs_the_register_handed_over():
    """A pack-thread op before the packer's SEMWAIT, or a math-side op after it, finds the register with the other
    thread, as on the chip; a SEMWAIT on anything but MATH_PACK is not modelled and says so."""
    dev = tt.Device("n150")
    x = np.ones((64, 32), np.float32)
    early = PACK_SIDE.replace("PACK(TTI_SEMWAIT", "gelu_tile_pack(0); PACK(TTI_SEMWAIT")
    with pytest.raises(tt.KernelError, match="packer.*tile_regs_wait first"):
        run_today(dev, early % "", [x], **F32)
    with pytest.raises(tt.KernelError, match="handed to the packer"):
        run_today(dev, PACK_SIDE % "gelu_tile_init(); gelu_tile(t);", [x], **F32)
    with pytest.raises(tt.KernelError, match="only the packer's wait for math"):
        run_today(dev, PACK_SIDE.replace("MATH_PACK", "UNPACK_MATH") % "", [x], **F32)


def test_todays_format_prints_and_logical_coordinates():
    """DPRINT(format, ...) and DEVICE_PRINT as tt-metal's device_print.h defines them: {} takes the next argument, {N}
    argument N, {{ and }} print braces; get_absolute_logical_x/y are the core's place in the grid."""
    src = r'''
#include "api/dataflow/dataflow_api.h"
#include "api/debug/device_print.h"
void kernel_main() {
    DEVICE_PRINT("core ({},{}) {}\n", get_absolute_logical_x(), get_absolute_logical_y(), -7);
    DPRINT("{1}-{0} {{}}\n", 10u, 20u);
    DPRINT << "old " << 5 << ENDL();
}'''
    dev = tt.Device("n150")
    run = dev.run(tt.Program(dev, [(2, 1), (0, 3)], reader=tt.Kernel(src, "printer")))
    lines = {p.split(": ", 1)[1] for p in run.prints}
    assert {"core (2,1) -7", "core (0,3) -7", "20-10 {}", "old 5"} <= lines, run.prints
    with pytest.raises(tt.KernelError, match="more arguments"):
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src.replace('"{1}-{0}', '"{2}-{0}'), "printer")))


def test_tile_slice_prints_a_strided_slice_of_a_tile_in_a_circular_buffer():
    """TileSlice (dprint_tile.h): [h0:h1:hs, w0:w1:ws] of a tile, through its faces unless it is already untilized,
    from the write pointer (a reader checking what it wrote), each row a line."""
    src = r'''
#include "api/dataflow/dataflow_api.h"
#include "api/debug/dprint.h"
void kernel_main() {
    cb_reserve_back(0, 1);
    volatile tt_l1_ptr uint32_t* p = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_write_ptr(0));
    for (uint32_t i = 0; i < 1024; i++) p[i] = i;
    SliceRange sr = SliceRange{.h0 = 0, .h1 = 32, .hs = 16, .w0 = 8, .w1 = 32, .ws = 8};
    DPRINT("{}", TileSlice(0, 0, sr, TSLICE_INPUT_CB, TSLICE_WR_PTR, true, true));
    DPRINT("{}", TileSlice(0, 0, sr, TSLICE_INPUT_CB, TSLICE_WR_PTR, true, false));
    cb_push_back(0, 1);
}'''
    dev = tt.Device("n150")
    run = dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(src, "slicer"), cbs=[tt.CB(0, tt.uint32)]))
    got = [p.split(": ", 1)[1] for p in run.prints]
    tile = tt.tilize(np.arange(1024, dtype=np.uint32).reshape(32, 32))  # element (h, w) sits at tilize's place
    faced = np.arange(1024).reshape(-1)[np.argsort(tile.reshape(-1))].reshape(32, 32)  # where each (h, w) is stored
    want_faced = [" ".join(str(faced[h, w]) for w in range(8, 32, 8)) for h in (0, 16)]
    want_flat = [" ".join(str(h * 32 + w) for w in range(8, 32, 8)) for h in (0, 16)]
    assert got == want_faced + want_flat, got
