"""What tt-metal kernels lean on beyond the core API: the zeros block, the reduce scaler helper, pack-time ReLU,
format reconfiguration, and build-time errors where the chip's build would stop."""
import math, os
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
    body = PER_TILE.format(wait1="", pop1="", op="copy_tile_to_dst_init_short(0); copy_tile(0, 0, 0); PACK(( llk_pack_relu_config(ReluType::ZERO_RELU) )); "
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
        prog.compile()


def test_reduce_without_an_op_stops_the_build(dev):
    src = ('#include "compute_kernel_api/reduce.h"\nnamespace NAMESPACE { void MAIN { reduce_tile(0, 1, 0, 0, 0); } }')
    with pytest.raises(tt.CompileError, match="reduce_tile needs REDUCE_OP and REDUCE_DIM"):
        dev.run(tt.Program(dev, (0, 0), compute=src))


@pytest.mark.parametrize("fidelity, code", [("HiFi2", 2), ("LoFi", 0)])
def test_math_fidelity_profiler_zones_and_force_inline_in_compute_kernels(dev, fidelity, code):
    """MATH_FIDELITY is the kernel's math_fidelity as tt-metal's build defines it (MathFidelity's value); profiler zones
    and the data-format uninit calls compile (on the chip their effect is timing or unpacker set-up)."""
    src = f"""#include "compute_kernel_api/tilize.h"
#include "tools/profiler/kernel_profiler.hpp"
FORCE_INLINE constexpr uint32_t twice(uint32_t x) {{ return 2 * x; }}
namespace NAMESPACE {{ void MAIN {{
    DeviceZoneScopedN("compute");
    static_assert(MATH_FIDELITY == {code} && twice(1) == 2, "MATH_FIDELITY");
    tilize_uninit_with_dt(0, 1);
}} }}"""
    dev.run(tt.Program(dev, (0, 0), compute=tt.Kernel(src, "fid", math_fidelity=fidelity),
                       writer=HEAD + '#include "tools/profiler/kernel_profiler.hpp"\nvoid kernel_main() { DeviceZoneScopedN("w"); }'))
    with pytest.raises(tt.CompileError, match="MATH_FIDELITY"):
        tt.Program(dev, (0, 0), compute=tt.Kernel(src, "fid", math_fidelity="HiFi4")).compile()


# ---- the 2024 kernel API, written from tt-metal's own definitions (tt_metal/hw/inc, compute_kernel_api, the op host code)

def words_from(dev, body, n=16, compile_args=(), defines=None, includes=(), cbs=(), scratch=None, head=""):
    """Run a writer whose `body` sets out[0..n) (uint32) and return them; `head` goes before kernel_main."""
    out = dev.buffer(4 * n)
    src = HEAD + head + """\nvoid kernel_main() {
        volatile uint32_t* out = (volatile uint32_t*)SCRATCH;
        """ + body + """
        noc_async_write(SCRATCH, get_noc_addr(0, InterleavedAddrGen<true>{get_arg_val<uint32_t>(0), 4 * NWORDS}), 4 * NWORDS);
        noc_async_write_barrier();
    }"""
    scratch = scratch or dev.chip.l1_unreserved_base + 64 * 1024
    k = tt.Kernel(src, "w", compile_args=list(compile_args), includes=list(includes),
                  defines={"SCRATCH": scratch, "NWORDS": n, **(defines or {})})
    try:
        dev.run(tt.Program(dev, (0, 0), writer=k, writer_args=[out.addr], cbs=list(cbs)))
        return out.read(np.uint32)
    finally:
        out.free()


@pytest.mark.parametrize("arg, picked", [(7, 70), (3, 30)])
def test_compile_time_args_are_defines_usable_in_if(dev, arg, picked):
    # tt-metal: #define get_compile_time_arg_val(arg_idx) KERNEL_COMPILE_TIME_ARG_ ## arg_idx, each arg a -D define
    body = """
    #if get_compile_time_arg_val(0) == 7
        out[0] = 70;
    #else
        out[0] = 30;
    #endif
        constexpr uint32_t v = get_compile_time_arg_val(0); out[1] = v;"""
    got = words_from(dev, body, compile_args=[arg])
    assert got[0] == picked and got[1] == arg


def test_host_and_device_common_values_division_helpers_and_noc_limits(dev):
    body = """
        out[0] = VALID; out[1] = INVALID;                       // hostdevcommon/common_values.hpp
        out[2] = udivsi3_const_divisor<12>(1000);               // mod_div_lib.h: integer quotients
        out[3] = umodsi3_const_divisor<94>(1000);
        out[4] = fast_udiv_124(100000); out[5] = mulsi3(123, 456);
        out[6] = NOC_MAX_BURST_SIZE; out[7] = min(5u, 3u);"""
    got = words_from(dev, body, head='#include "mod_div_lib.h"')
    assert got[:8].tolist() == [1, 0, 1000 // 12, 1000 % 94, 100000 // 124, 123 * 456, 256 * 32, 3]


def test_debug_register_addresses_are_the_chips_and_reading_one_is_named(dev):
    """tensix.h's RISCV_DEBUG_REG_WALL_CLOCK_L/H (ttnn's data_movement common.hpp names them in spin()): the chip's
    addresses, so helpers that name them compile; the simulator maps no registers, and a read stops the run."""
    assert words_from(dev, "out[0] = RISCV_DEBUG_REG_WALL_CLOCK_L; out[1] = RISCV_DEBUG_REG_WALL_CLOCK_H;")[:2].tolist() == [0xFFB121F0, 0xFFB121F8]
    with pytest.raises(tt.KernelError, match="at address 0xffb121f0"):
        words_from(dev, "out[0] = *(volatile uint32_t*)RISCV_DEBUG_REG_WALL_CLOCK_L;")


@pytest.mark.parametrize("noc", [0, 1])
def test_the_firmware_bank_tables_find_a_page(dev, noc):
    """dram_bank_to_noc_xy[noc][bank] and bank_to_dram_offset[bank] (ttnn's sharding_addrgen.hpp builds NoC addresses
    from them): page i of an interleaved buffer is in bank i % banks at row i / banks (ARCH.md), from either NoC."""
    src = dev.buffer(np.arange(64 * 8, dtype=np.uint32), page=32)
    body = f"""uint32_t banks = NUM_DRAM_BANKS, page = 13, bank = page % banks;
        uint32_t addr = get_arg_val<uint32_t>(1) + (page / banks) * 32 + bank_to_dram_offset[bank];
        uint64_t at = ((uint64_t)dram_bank_to_noc_xy[{noc}][bank] << NOC_ADDR_COORD_SHIFT) | addr;
        noc_async_read(at, SCRATCH, 32, {noc}); noc_async_read_barrier();"""
    out = dev.buffer(32)
    k = tt.Kernel(HEAD + "void kernel_main() {" + body + """
        noc_async_write(SCRATCH, get_noc_addr(0, InterleavedAddrGen<true>{get_arg_val<uint32_t>(0), 32}), 32);
        noc_async_write_barrier(); }""", "w", defines={"SCRATCH": dev.chip.l1_unreserved_base})
    dev.run(tt.Program(dev, (0, 0), writer=k, writer_args=[out.addr, src.addr]))
    assert out.read(np.uint32).tolist() == list(range(13 * 8, 14 * 8))
    src.free(); out.free()


def test_kernels_include_helper_headers_from_include_dirs_and_a_changed_header_is_rebuilt(dev, tmp_path, monkeypatch):
    (tmp_path / "helpers").mkdir()
    header = tmp_path / "helpers" / "constants.hpp"
    header.write_text("#pragma once\nconstexpr uint32_t HELPER = 42;\n")
    body, head = "out[0] = HELPER;", '#include "helpers/constants.hpp"'
    assert words_from(dev, body, head=head, includes=[tmp_path])[0] == 42
    header.write_text("#pragma once\nconstexpr uint32_t HELPER = 43;\n")  # same kernel source, same flags: a new binary
    assert words_from(dev, body, head=head, includes=[tmp_path])[0] == 43
    monkeypatch.setenv("TENSIX_INCLUDE", str(tmp_path))                   # for every kernel
    assert words_from(dev, body, head=head)[0] == 43
    monkeypatch.delenv("TENSIX_INCLUDE")
    with pytest.raises(tt.CompileError, match="helpers/constants.hpp: No such file"):
        words_from(dev, body, head=head)


def test_assert_is_checked_in_a_watcher_build_only(dev):
    head = '#include "debug/assert.h"\nstatic void f(uint32_t x) { ASSERT(x < 3); }'
    assert words_from(dev, "f(5); out[0] = 1;", head=head)[0] == 1  # as tt-metal without its watcher: compiled out
    with pytest.raises(tt.KernelError, match=r"ASSERT\(x < 3\) failed at line 3 of the kernel"):
        words_from(dev, "f(5); out[0] = 1;", head=head, defines={"WATCHER_ENABLED": None})


def test_zero_page_circular_buffer_calls_return_at_once(dev):
    # An empty buffer, no producer: waiting for 0 pages must not block (tt-metal's matmul padding writers do this).
    body = "cb_wait_front(0, 0); cb_pop_front(0, 0); cb_reserve_back(0, 0); cb_push_back(0, 0); out[0] = 5;"
    assert words_from(dev, body, cbs=[tt.CB(0, pages=2)])[0] == 5


def test_several_indices_share_one_circular_buffer(dev):
    # tt-metal: CircularBufferConfig(size, {{c_out0, bfloat16}, {c_intermed0, float32}}).set_page_size(...) per index
    body = """
        out[0] = get_write_ptr(16); out[1] = get_write_ptr(24); out[2] = get_tile_size(16); out[3] = get_tile_size(24);
        out[4] = (uint32_t)get_dataformat(24);
        cb_reserve_back(24, 1); *(volatile uint32_t*)get_write_ptr(24) = 0xabcd; cb_push_back(24, 1);
        cb_reserve_back(16, 2); out[5] = *(volatile uint32_t*)get_write_ptr(16);   // the same bytes, seen through c_out0
        cb_push_back(16, 2); cb_wait_front(16, 2); cb_pop_front(16, 2);
        out[6] = get_write_ptr(16) - out[0]; out[7] = get_write_ptr(24) - out[1];"""
    cb = tt.CB((16, 24), fmt=(tt.bfloat16, tt.float32), pages=4)
    got = words_from(dev, body, cbs=[cb])
    base = dev.chip.l1_unreserved_base
    assert got[:5].tolist() == [base, base, 2048, 4096, tt.float32.code]
    assert got[5] == 0xabcd and got[6] == 2 * 2048 and got[7] == 4096
    with pytest.raises(tt.TensixError, match="fill the buffer exactly"):
        tt.CB((16, 24), fmt=(tt.bfloat16, tt.float32), pages=3)


def sfpu(dev, x, op, **kernel):
    got, _ = compute(dev, PER_TILE.format(wait1="", pop1="", op="copy_tile(0, 0, 0); " + op), [x], **kernel)
    return tt.untilize(got, *x.shape)


def bits(v): return int(np.float32(v).view(np.uint32))


rng = np.random.default_rng(11)
UNIT = tt.round_bfloat16(rng.uniform(-0.98, 0.98, (32, 32)).astype(np.float32))
WIDE = tt.round_bfloat16(rng.uniform(-3, 3, (32, 32)).astype(np.float32))


def _erfinv(y):  # by bisection on math.erf: the inverse, independently of the engine's method
    lo, hi = np.full_like(y, -6, np.float64), np.full_like(y, 6, np.float64)
    erf = np.vectorize(math.erf)
    for _ in range(80):
        mid = (lo + hi) / 2
        below = erf(mid) < y
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


@pytest.mark.parametrize("op, x, ref", [
    ("erfc_tile_init(); erfc_tile(0);", WIDE, np.vectorize(math.erfc)),
    ("erfinv_tile_init(); erfinv_tile(0);", UNIT, _erfinv),
    ("i0_tile_init(); i0_tile(0);", WIDE, np.i0),
    ("asin_tile_init(); asin_tile(0);", UNIT, np.arcsin),
    ("acos_tile_init(); acos_tile(0);", UNIT, np.arccos),
    ("atan_tile_init(); atan_tile(0);", WIDE, np.arctan),
    ("identity_tile_init(); identity_tile(0);", WIDE, lambda x: x),
    (f"rsub_tile_init(); rsub_tile(0, {bits(2.0)}u);", WIDE, lambda x: 2.0 - x),  # reverseops.h: param - x
    # The host turns div_unary(x, 3) into div_unary_tile(idst, bits(1.0f / 3)) and the SFPU multiplies by it.
    (f"binop_with_scalar_tile_init(); div_unary_tile(0, {bits(np.float32(1) / np.float32(3))}u);", WIDE,
     lambda x: x.astype(np.float32) * (np.float32(1) / np.float32(3))),
])
def test_sfpu_ops_from_the_2024_op_list(dev, op, x, ref):
    got = sfpu(dev, x, op)
    want = tt.round_bfloat16(np.asarray(ref(x.astype(np.float64)), np.float32))
    np.testing.assert_allclose(got, want, rtol=2 ** -7, atol=1e-6)


def _power_by_squaring(x, n):  # ckernel_sfpu_unary_power.h's calculate_unary_power_iterative, in float32
    if n == 0: return np.ones_like(x)
    x = x.astype(np.float32)
    result, e = x.copy(), n - 1
    while e:
        if e & 1: result = result * x
        x, e = x * x, e >> 1
    return result


@pytest.mark.parametrize("n", [0, 1, 3, 6])
def test_power_iterative_multiplies_by_squaring(dev, n):
    """power_iterative_tile (moreh_common.hpp's power): a non-negative integer exponent, x multiplied by squaring."""
    got = sfpu(dev, WIDE, f"power_iterative_tile_init(); power_iterative_tile(0, {n});")
    np.testing.assert_allclose(got, tt.round_bfloat16(_power_by_squaring(WIDE, n)), rtol=2 ** -7, atol=1e-6)


def test_sfpu_predicates_on_special_values(dev):
    x = np.zeros((32, 32), np.float32)
    x.flat[:6] = [np.inf, -np.inf, np.nan, -0.0, -2.5, 1.0]
    for name, ref in [("isinf", np.isinf), ("isposinf", np.isposinf), ("isneginf", np.isneginf), ("isnan", np.isnan),
                      ("isfinite", np.isfinite), ("signbit", np.signbit)]:
        got = sfpu(dev, x, f"{name}_tile_init(); {name}_tile(0);")
        assert np.array_equal(got, ref(x).astype(np.float32)), name


def test_mask_tile_zeroes_where_the_next_register_tile_is_zero(dev):
    m = (rng.uniform(size=(32, 32)) < 0.5).astype(np.float32)
    body = PER_TILE.format(wait1="cb_wait_front(1, 1);", pop1="cb_pop_front(1, 1);",
                           op="copy_tile(0, 0, 0); copy_tile(1, 0, 1); mask_tile_init(); mask_tile(0, 1);")
    got, _ = compute(dev, body.replace('#include', '#include'), [WIDE, m])
    assert np.array_equal(tt.untilize(got, 32, 32), np.where(m == 0, 0, WIDE))


def test_fused_matmul_calls_copy_partials_back_and_pack_untilize_from_the_register(dev):
    # copy_block_matmul_partials(cb, i, j, n): tiles i.. of a buffer's front into register tiles j..;
    # pack_untilize_dst<block, full>(cb, 1, c): `block` register tiles out as rows of a row block `full` tiles wide, at
    # column block c (tt-metal's reblock_and_untilize). Here the two tiles of a 32 x 64 block land swapped, then whole.
    x = tt.round_bfloat16(rng.standard_normal((32, 64)).astype(np.float32))
    body = """
    pack_untilize_dst_init_short<1, 2>(16);
    cb_wait_front(0, 2);
    for (uint32_t pass = 0; pass < 2; pass++) {
        cb_reserve_back(16, 2);
        for (uint32_t c = 0; c < 2; c++) {
            tile_regs_acquire();
            if (pass == 0) copy_block_matmul_partials(0, 1 - c, 0, 1); else copy_block_matmul_partials(0, 0, 0, 2);
            tile_regs_commit(); tile_regs_wait();
            if (pass == 0) pack_untilize_dst<1, 2>(16, 1, c); else if (c == 0) pack_untilize_dst<2>(16);
            tile_regs_release();
        }
        cb_push_back(16, 2);
    }
    cb_pop_front(0, 2);"""
    got, _ = compute(dev, body, [x], n_out=4)
    rows = got.reshape(2, 32, 64)  # each pass: two pages holding 32 rows of 64 values
    assert np.array_equal(rows[0], np.concatenate([x[:, 32:], x[:, :32]], axis=1)) and np.array_equal(rows[1], x)


MAX_POOL = """
    tilizeA_B_reduce_init(0, 1, {ct}, 16, {nf}, {window});
    pack_untilize_dst_init_short<{ct}>(16, 1, {nf});
    cb_wait_front(1, 1); cb_wait_front(0, 1);
    cb_reserve_back(16, 1);
    tile_regs_acquire();
    unpack_tilizeA_B_block(0, 1, {ct}, 0, {nf});
    for (uint32_t c = 0; c < {ct}; c++) reduce_tile_math(c, {nf});
    tile_regs_wait(); tile_regs_commit();
    pack_untilize_dst<{ct}>(16, 1, 0, 1, {nf});
    tile_regs_release();
    cb_push_back(16, 1); cb_pop_front(0, 1); cb_pop_front(1, 1);"""


@pytest.mark.parametrize("channels,num_faces", [(64, 2), (16, 1)])
def test_2024_max_pool_tilizes_a_window_of_sticks_and_packs_one_row(dev, channels, num_faces):
    """2024's max pool (pool/kernels/compute/max_pool_multi_core.cpp): the front page holds `window` sticks of `channels`
    values, row-major; unpack_tilizeA_B_block tilizes face_r_dim = window rows of each tile's first num_faces faces
    over a -infinity source register, reduce_tile_math takes the column maxima (REDUCE_COL, scaler 1), and
    pack_untilize_dst with face_r_dim 1 packs just row 0 of those faces: one output stick, the window's maximum."""
    window = 9
    page = rng.standard_normal(1024).astype(np.float32) - 3  # all negative: a zero outside the window would win
    page[window * channels:] = 100.0  # past the window: the unpacker must not take these rows
    page = tt.round_bfloat16(page)
    ones = np.ones((32, 32), np.float32)
    ct = max(channels // 32, 1)
    got, _ = compute(dev, MAX_POOL.format(ct=ct, nf=num_faces, window=window), [tt.untilize(page, 32, 32), ones], n_out=1,
                     defines={"REDUCE_OP": "PoolType::MAX", "REDUCE_DIM": "ReduceDim::REDUCE_COL"})
    want = page[:window * channels].reshape(window, channels).max(axis=0)
    assert np.array_equal(got[:channels], want)


# ---- the host side tt-metal programs need: kernels, circular buffers and semaphores each on their own cores

REPORT = HEAD + """void kernel_main() {
    // what this core was given: its circular buffers' addresses and its semaphores' values, to DRAM page my core
    uint32_t at = L1_UNRESERVED_BASE + 200 * 1024;
    volatile uint32_t* w = (volatile uint32_t*)at;
    w[0] = get_arg_val<uint32_t>(1);
    for (uint32_t i = 0; i < 2; i++) w[1 + i] = get_arg_val<uint32_t>(3) >> i & 1 ? get_write_ptr(i) : 0;
    for (uint32_t i = 0; i < 2; i++) w[3 + i] = *(volatile uint32_t*)get_semaphore(i);
    noc_async_write(at, get_noc_addr(get_arg_val<uint32_t>(2), InterleavedAddrGen<true>{get_arg_val<uint32_t>(0), 32}), 32);
    noc_async_write_barrier();
}"""


def test_kernels_cbs_and_semaphores_each_on_their_own_cores(dev):
    out = dev.buffer(3 * 32, page=32)
    prog = tt.Program(dev)
    a, b, c = (0, 0), (1, 0), (2, 0)
    k = prog.kernel([a, b, c], "writer", tt.Kernel(REPORT, "report"), args=lambda core: [out.addr, 100 + core[0], core[0], 2 if core == c else 3])
    base = dev.chip.l1_unreserved_base
    assert prog.cb([a, b], tt.CB(0, pages=2)) == base                      # on a and b
    assert prog.cb([b, c], tt.CB(1, pages=1)) == base + 4096               # above the highest buffer of b and c
    prog.cb(a, tt.CB(1, page=32, pages=1))
    s0 = prog.semaphore([a], 7)                                            # id 0 on a
    s1 = prog.semaphore([a, b], 9)                                         # id 1: the lowest free on a and b
    assert (s0, s1) == (prog.semaphore(0), prog.semaphore(1))
    dev.run(prog)
    got = out.read(np.uint32).reshape(3, 8)
    assert got[:, 0].tolist() == [100, 101, 102]
    assert got[0, 3:5].tolist() == [7, 9] and got[1, 3:5].tolist() == [0, 9] and got[2, 3:5].tolist() == [0, 0]
    assert got[0, 1:3].tolist() == [base, base + 4096] and got[1, 1:3].tolist() == [base, base + 4096]
    assert got[2, 1:3].tolist() == [0, base + 4096]
    assert k.name == "report"
    out.free()


def test_placement_checks_name_the_core(dev):
    prog = tt.Program(dev)
    prog.kernel([(0, 0), (1, 0)], "reader", tt.Kernel(HEAD + "void kernel_main() {}", "first"))
    with pytest.raises(tt.TensixError, match=r"core \(1, 0\) is given two reader kernels \('first' and 'second'\)"):
        prog.kernel(tt.CoreRange((1, 0), (2, 0)), "reader", tt.Kernel(HEAD + "void kernel_main() {}", "second"))
    prog.cb((0, 0), tt.CB(3))
    with pytest.raises(tt.TensixError, match=r"circular buffer 3 is given twice on core \(0, 0\)"):
        prog.cb([(1, 0), (0, 0)], tt.CB((3, 4)))
    prog.cb((5, 5), tt.CB(0, pages=200))  # 400 KiB
    with pytest.raises(tt.TensixError, match=r"the circular buffers need .* on core \(4, 5\)"):  # at (5, 5)'s top
        prog.cb([(4, 5), (5, 5)], tt.CB(1, pages=300))
    for v in range(dev.chip.num_semaphores): prog.semaphore((6, 6), v)
    with pytest.raises(tt.TensixError, match=r"5 semaphores asked for on core \(6, 6\)"):
        prog.semaphore([(6, 5), (6, 6)], 0)
    with pytest.raises(tt.TensixError, match="kernel kind 'ncrisc'"):
        prog.kernel((0, 0), "ncrisc", HEAD + "void kernel_main() {}")


def test_every_compile_error_of_a_program_at_once_with_names_lines_and_defines(dev):
    bad_reader = tt.Kernel(HEAD + "void kernel_main() {\n  undefined_call();\n}", "my_reader")
    bad_writer = tt.Kernel(HEAD + "void kernel_main() {\n  uint32_t x = OP;\n  (void)x;\n}", "my_writer", defines={"OP": "undefined_name + 2"})
    prog = tt.Program(dev, (0, 0), reader=bad_reader, writer=bad_writer)
    with pytest.raises(tt.CompileError) as e:
        dev.run(prog)
    text = str(e.value)
    assert "2 kernels of this program failed to compile" in text
    assert "my_reader:3:3: error: 'undefined_call' was not declared" in text.replace("\u2018", "'").replace("\u2019", "'")
    assert "define OP=undefined_name + 2: error:" in text and "my_writer:3:16: note: in expansion of macro" in text
    assert "<command-line>" not in text


def test_the_cache_key_covers_the_compiler_itself(dev, tmp_path, monkeypatch):
    import shutil
    from tensix import build
    wrapper = tmp_path / "cxx"
    wrapper.write_text(f"#!/bin/sh\nexec {shutil.which('g++') or shutil.which('clang++')} \"$@\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setenv("CXX", str(wrapper))
    src = HEAD + "void kernel_main() {}"
    try:
        build.compiler.cache_clear()
        first = tt.Program(dev, (0, 0), writer=src).binary("writer", tt.Kernel(src))
        wrapper.write_text(wrapper.read_text() + "# changed\n")  # same version line, another compiler
        build.compiler.cache_clear()
        second = tt.Program(dev, (0, 0), writer=src).binary("writer", tt.Kernel(src))
        assert first != second and first.exists() and second.exists()
    finally:
        monkeypatch.delenv("CXX")
        build.compiler.cache_clear()


def test_the_cache_key_covers_defines_compile_time_args_named_args_and_flags(dev, monkeypatch):
    from tensix import build
    src = HEAD + "void kernel_main() {}"
    binary = lambda **kw: tt.Program(dev, (0, 0), writer=src).binary("writer", tt.Kernel(src, **kw))
    base = binary()
    assert binary() == base  # the same kernel: the same entry
    others = [binary(defines={"X": "1"}), binary(defines={"X": "2"}), binary(compile_args=[1]), binary(compile_args=[2]),
              binary(named_args={"n": 1})]
    assert len({base, *others}) == 6
    monkeypatch.setattr(build, "KERNEL_FLAGS", [*build.KERNEL_FLAGS, "-DTENSIX_ANOTHER_FLAG"])
    assert binary() != base


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: the kernels compile one after the other")
def test_a_programs_kernels_compile_at_the_same_time(dev, monkeypatch):
    """Program.compile: every kernel of a program that is not in the cache compiles in its own thread, at once. Each
    compile here waits for the other at a barrier; one after the other they could never meet (the timeout only stops
    a broken build from hanging the suite)."""
    import threading
    from tensix import build
    meet, real = threading.Barrier(2, timeout=120), build._compile
    monkeypatch.setattr(build, "_compile", lambda *a, **kw: (meet.wait(), real(*a, **kw))[1])
    salt = np.random.default_rng().integers(1 << 62)  # not in the cache yet
    prog = tt.Program(dev, (0, 0), reader=HEAD + f"// {salt}\nvoid kernel_main() {{}}", writer=HEAD + f"// {salt} w\nvoid kernel_main() {{}}")
    prog.compile()
    assert not meet.broken


MAILBOX_READER = HEAD + """#include "ckernel.h"
#include "ckernel_defs.h"
void kernel_main() {  // as ttnn's padded matmul readers: a word to each compute thread
    for (uint32_t i = 0; i < get_arg_val<uint32_t>(0); i++) {
        ckernel::mailbox_write(ckernel::ThreadId::UnpackThreadId, get_arg_val<uint32_t>(1 + i));
        ckernel::mailbox_write(ckernel::ThreadId::MathThreadId, get_arg_val<uint32_t>(1 + i));
        ckernel::mailbox_write(ckernel::ThreadId::PackThreadId, get_arg_val<uint32_t>(1 + i));
    }
}"""
MAILBOX_COMPUTE = """#include "compute_kernel_api.h"
#include "compute_kernel_api/eltwise_unary/sfpu.h"
namespace NAMESPACE { void MAIN {
    compute_kernel_hw_startup(16, 16); fill_tile_init();
    for (uint32_t i = 0; i < 2; i++) {
        uint32_t u = 0, m = 0, p = 0;
        UNPACK(u = mailbox_read(ckernel::ThreadId::BriscThreadId);)  // each TRISC reads its own word, in order
        MATH(m = mailbox_read(ckernel::ThreadId::BriscThreadId);)
        PACK(p = mailbox_read(ckernel::ThreadId::BriscThreadId);)
        tile_regs_acquire(); fill_tile(0, m == u && p == u ? u : 0u); tile_regs_commit(); tile_regs_wait();
        cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); tile_regs_release();
    }
} }"""


def test_mailboxes_carry_a_word_from_a_data_movement_kernel_to_each_compute_thread(dev):
    from test_compute import WRITER
    out = dev.buffer(2 * 2048, page=2048)
    words = [int(np.float32(v).view(np.uint32)) for v in (3.0, -0.5)]
    dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(MAILBOX_READER, "mb_reader"), compute=tt.Kernel(MAILBOX_COMPUTE, "mb_compute"),
                       writer=WRITER, reader_args=[2, *words], writer_args=[out.addr, 2], cbs=[tt.CB(16, pages=2)]))
    assert tt.untilize(out.read(tt.bfloat16), 32, 64).tolist() == [[3.0] * 32 + [-0.5] * 32] * 32
    with pytest.raises(tt.DeadlockError, match=r"compute kernel 'mb_compute' .* waits in mailbox_read"):  # only one word sent
        dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(MAILBOX_READER, "mb_reader"), compute=tt.Kernel(MAILBOX_COMPUTE, "mb_compute"),
                           writer=WRITER, reader_args=[1, words[0]], writer_args=[out.addr, 2], cbs=[tt.CB(16, pages=2)]))
    out.free()


# ---- 2024's programs, written here in their shape, against numpy references with the chip's rounding

@pytest.mark.parametrize("size, grid, block_w", [(256, (2, 2), None), (256, (2, 2), 2), (192, (3, 1), 3)])
def test_multicast_matmul_with_fused_bias_and_gelu_on_bfp8_weights(dev, size, grid, block_w):
    from tensix.examples import matmul_bias_gelu as ex
    a, w, bias = ex.inputs(size, size, size)
    c, run = ex.run_linear(dev, a, w, bias, grid, block_w=block_w)  # block_w=2: partial sums spill and come back
    ok, err = ex.check(c, a, w, bias)
    assert ok and err < 0.1 and run.cycles > 0


@pytest.mark.parametrize("rows, cols", [(128, 256), (64, 96)])  # a power-of-two row (InterleavedPow2AddrGen) and not
def test_tilize_and_untilize_of_a_row_major_tensor(dev, rows, cols):
    from tensix.examples import tilize_untilize as ex
    assert ex.main(dev, rows, cols)[0]


def test_layernorm_matches_the_chip_faithful_reference_exactly(dev):
    from tensix.examples import layernorm as ex
    rng = np.random.default_rng(4)
    x = tt.round_bfloat16(rng.normal(-1, 3, (96, 160)))
    g, b = tt.round_bfloat16(rng.uniform(0.5, 1.5, 160)), tt.round_bfloat16(rng.uniform(-1, 1, 160))
    y, _ = ex.run_layernorm(dev, x, g, b)
    assert np.array_equal(y, reference_layernorm(x, g, b))
    exact = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5) * g + b
    assert np.abs(y - exact).max() < 0.1


def reference_layernorm(x, g, b):
    from tensix import reference
    return reference.layernorm(x, g, b, 1e-5)


L1_ACC = """for (uint32_t i = 0; i < n; i++) {
    cb_wait_front(0, 1); cb_wait_front(1, 1);
    cb_reserve_back(16, 1);
    tile_regs_acquire(); copy_tile(0, 0, 0); tile_regs_commit(); tile_regs_wait();
    PACK(( llk_pack_reconfig_l1_acc(0) )); pack_tile(0, 16); tile_regs_release();
    tile_regs_acquire(); copy_tile(1, 0, 0); tile_regs_commit(); tile_regs_wait();
    PACK(( llk_pack_reconfig_l1_acc(1) )); pack_tile<true>(0, 16, 0); PACK(( llk_pack_reconfig_l1_acc(0) ));
    tile_regs_release();
    cb_push_back(16, 1);
    cb_pop_front(0, 1); cb_pop_front(1, 1);
}"""


def test_packer_l1_accumulation_adds_to_the_tile_in_l1():
    # PACKER_L1_ACC builds (Wormhole): with llk_pack_reconfig_l1_acc(1) a pack adds to what the slot holds
    from test_compute import B
    with tt.Device("n150", echo=False) as wh:
        got, _ = compute(wh, L1_ACC, [A, B])
    assert np.array_equal(tt.untilize(got, 64, 64), tt.round_bfloat16(A.astype(np.float32) + B.astype(np.float32)))


def test_packer_l1_accumulation_is_not_on_grayskull(dev):
    from test_compute import B
    with pytest.raises(tt.KernelError, match="Grayskull's packer cannot accumulate into L1"):
        compute(dev, L1_ACC, [A, B])


def test_identical_kernels_of_one_program_compile_at_once_into_one_entry(dev):
    # compile() runs a program's kernels in parallel threads: two Kernel objects with the same source and args land on
    # the same cache key at the same time, and both must come out whole.
    src = HEAD + f"// {np.random.default_rng().integers(1 << 62)}\nvoid kernel_main() {{ *(volatile uint32_t*)get_semaphore(0) = 9; }}"
    prog = tt.Program(dev)
    kernels = [prog.kernel((x, 0), "writer", tt.Kernel(src, f"same{x}")) for x in range(4)]
    prog.semaphore([(x, 0) for x in range(4)], 0)
    dev.run(prog)
    assert len({prog.binary("writer", k) for k in kernels}) == 1
    assert all(int(dev.sim.l1[dev.chip.core_index((x, 0)), prog.semaphore(0)]) == 9 for x in range(4))
