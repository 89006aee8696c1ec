"""The math engine: each operation against numpy with the chip's formats, fidelity and rounding; and misuse of the
destination register and circular buffers, each named."""
import numpy as np
import re
import pytest
import tensix as tt
from tensix import reference

READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t n = get_arg_val<uint32_t>(0), inputs = get_arg_val<uint32_t>(1);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < inputs; k++) {
            InterleavedAddrGenFast<true> s = {get_arg_val<uint32_t>(2 + k), get_tile_size(k), get_dataformat(k)};
            cb_reserve_back(k, 1);
            noc_async_read_tile(i, s, get_write_ptr(k));
            noc_async_read_barrier();
            cb_push_back(k, 1);
        }
}"""
WRITER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t dst = get_arg_val<uint32_t>(0), n = get_arg_val<uint32_t>(1);
    const InterleavedAddrGenFast<true> d = {dst, get_tile_size(16), get_dataformat(16)};
    for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(16, 1);
        noc_async_write_tile(i, d, get_read_ptr(16));
        noc_async_write_barrier();
        cb_pop_front(16, 1);
    }
}"""


def compute(dev, body, inputs, n_out=None, in_fmt=tt.bfloat16, out_fmt=tt.bfloat16, cbs=(), start="unary_op_init_common(0, 16);", **kernel):
    """Run `body` (the inside of MAIN; `n` is the number of tiles) over tilized inputs in CBs 0, 1, ...; the output
    tiles from CB 16, as a flat array in tile order. The body starts after unary_op_init_common(0, 16), as tt-metal's
    SFPU kernels do (`start`): the hardware configured for these buffers, copy_tile's mode set (other ops call their inits)."""
    bufs = [dev.buffer(tt.tilize(x), fmt=in_fmt) for x in inputs]
    n = bufs[0].pages
    n_out = n if n_out is None else n_out
    out = dev.buffer(max(n_out, 1) * out_fmt.tile_bytes, page=out_fmt.tile_bytes)
    src = ('#include "compute_kernel_api.h"\n#include "compute_kernel_api/eltwise_binary.h"\n#include "compute_kernel_api/bcast.h"\n'
           '#include "compute_kernel_api/matmul.h"\n#include "compute_kernel_api/reduce.h"\n#include "compute_kernel_api/tilize.h"\n'
           '#include "compute_kernel_api/untilize.h"\n#include "compute_kernel_api/pack_untilize.h"\n#include "compute_kernel_api/transpose_wh.h"\n#include "debug/dprint.h"\n'
           'namespace NAMESPACE { void MAIN { uint32_t n = get_arg_val<uint32_t>(0);\n' + start + '\n' + body + '\n} }\n')
    cbs = [tt.CB(i, in_fmt, 2) for i in range(len(inputs))] + [tt.CB(16, out_fmt, 2), *cbs]
    try:
        run = dev.run(tt.Program(dev, (0, 0), reader=tt.Kernel(READER, "reader"), writer=tt.Kernel(WRITER, "writer"),
                                 compute=tt.Kernel(src, "compute", **kernel), reader_args=[n, len(inputs), *(b.addr for b in bufs)],
                                 compute_args=[n], writer_args=[out.addr, n_out], cbs=cbs))
        return out.read(out_fmt), run
    finally:
        for b in bufs + [out]: b.free()


PER_TILE = """for (uint32_t i = 0; i < n; i++) {{
    cb_wait_front(0, 1); {wait1}
    tile_regs_acquire();
    {op}
    tile_regs_commit();
    cb_reserve_back(16, 1);
    tile_regs_wait();
    pack_tile(0, 16);
    tile_regs_release();
    cb_push_back(16, 1);
    cb_pop_front(0, 1); {pop1}
}}"""


def binary_body(op, init=None):
    """A loop of `op` on tiles of CBs 0 and 1, after `init` (by default the op's own: mul_tiles_init for mul_tiles)."""
    init = f"{op.split('(')[0]}_init(0, 1);" if init is None else init
    return init + PER_TILE.format(wait1="cb_wait_front(1, 1);", pop1="cb_pop_front(1, 1);", op=op)


rng = np.random.default_rng(7)
A = tt.round_bfloat16(rng.standard_normal((64, 64)))
B = tt.round_bfloat16(rng.standard_normal((64, 64)))


@pytest.mark.parametrize("fidelity", ["LoFi", "HiFi2", "HiFi3", "HiFi4"])
def test_mul_tiles_follows_the_fidelity_model(dev, fidelity):
    got, _ = compute(dev, binary_body("mul_tiles(0, 1, 0, 0, 0);"), [A, B], math_fidelity=fidelity)
    want = tt.round_bfloat16(reference.multiply(A, B, fidelity))
    assert np.array_equal(tt.untilize(got, 64, 64), want)


def test_lofi_differs_from_hifi4_measurably_and_reproducibly_and_hifi4_is_the_bfloat16_product(dev):
    body = binary_body("mul_tiles(0, 1, 0, 0, 0);")
    lofi = [compute(dev, body, [A, B], math_fidelity="LoFi")[0] for _ in range(2)]
    hifi4 = tt.untilize(compute(dev, body, [A, B], math_fidelity="HiFi4")[0], 64, 64)
    assert np.array_equal(lofi[0], lofi[1])
    exact = tt.round_bfloat16(A.astype(np.float64) * B)
    assert np.array_equal(hifi4, exact)
    rel = np.abs(tt.untilize(lofi[0], 64, 64) - exact) / np.maximum(np.abs(exact), 1e-30)
    assert 0.005 < rel.mean() < 0.05 and (rel > 0).mean() > 0.5  # LoFi drops 3 bits of one operand and 1 of the other


@pytest.mark.parametrize("op, ref", [("add_tiles", np.add), ("sub_tiles", np.subtract)])
def test_add_and_sub_round_once_to_bfloat16(dev, op, ref):
    got, _ = compute(dev, binary_body(f"{op}(0, 1, 0, 0, 0);"), [A, B])
    assert np.array_equal(tt.untilize(got, 64, 64), tt.round_bfloat16(ref(A, B)))


@pytest.mark.parametrize("op, ref", [("add_tiles", np.add), ("sub_tiles", np.subtract)])
def test_add_and_sub_of_special_values(dev, op, ref):
    """Every pair of infinities, NaN, signed zeros, subnormals, the largest values (sums past them overflow) and sums that
    fall halfway between two bfloat16 values (ties go to even)."""
    v = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0 ** -8, 3 * 2.0 ** -9, 2.0 ** -133, -2.0 ** -133,
                  2.0 ** -126, 3.3e38, -3.3e38, 256.0, 1.0 + 2.0 ** -7], np.float32)
    a, b = np.repeat(v, len(v)), np.tile(v, len(v))
    a, b = (tt.round_bfloat16(np.concatenate([x, rng.standard_normal(1024 - x.size)])).reshape(32, 32) for x in (a, b))
    got = tt.untilize(compute(dev, binary_body(f"{op}(0, 1, 0, 0, 0);"), [a, b])[0], 32, 32)
    with np.errstate(invalid="ignore", over="ignore"):
        want = tt.round_bfloat16(ref(a, b))
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(np.signbit(got[~np.isnan(got)]), np.signbit(want[~np.isnan(want)]))
    assert np.array_equal(got[~np.isnan(got)], want[~np.isnan(want)])


@pytest.mark.parametrize("kind, pick", [("rows", lambda b: b[0:1, :]), ("cols", lambda b: b[:, 0:1]), ("scalar", lambda b: b[0:1, 0:1])])
@pytest.mark.parametrize("op, ref", [("add", np.add), ("sub", np.subtract), ("mul", np.multiply)])
def test_broadcasts_repeat_row_zero_column_zero_or_the_first_value(dev, kind, pick, op, ref):
    call = f"{op}_tiles_bcast_{kind}(0, 1, 0, 0, 0);"
    init = f"{op}_bcast_{kind}_init_short(0, 1);" if kind != "scalar" else "add_bcast_scalar_init_short(0, 1);" if op == "add" else \
        f"{op}_tiles_bcast_scalar_init_short(0, 1);"  # tt-metal's bcast.h names
    got, _ = compute(dev, binary_body(call, init), [A[:32, :32], B[:32, :32]])
    assert np.array_equal(tt.untilize(got, 32, 32), tt.round_bfloat16(ref(A[:32, :32], pick(B[:32, :32]))))


def test_templated_broadcast_and_the_2024_names(dev):
    got, _ = compute(dev, binary_body("init_bcast<ELWMUL, BroadcastType::COL>(0, 1); any_tiles_bcast<ELWMUL, BroadcastType::COL>(0, 1, 0, 0, 0);", ""),
                     [A[:32, :32], B[:32, :32]])
    assert np.array_equal(tt.untilize(got, 32, 32), tt.round_bfloat16(A[:32, :32] * B[:32, :1]))


MATMUL = """mm_init(0, 1, 16);
for (uint32_t i = 0; i < n; i++) {
    acquire_dst(tt::DstMode::Half);
    cb_wait_front(0, 1); cb_wait_front(1, 1);
    matmul_tiles(0, 1, 0, 0, 0, TRANSPOSE);
    cb_pop_front(0, 1); cb_pop_front(1, 1);
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1);
    release_dst(tt::DstMode::Half);
}"""


@pytest.mark.parametrize("fidelity", ["LoFi", "HiFi2", "HiFi3", "HiFi4"])
def test_matmul_tiles_per_tile_at_each_fidelity(dev, fidelity):
    a, b = A[:32, :32] * 3, B[:32, :32]
    got, _ = compute(dev, MATMUL.replace("TRANSPOSE", "false"), [a, b], math_fidelity=fidelity)
    want = reference.matmul(a, b, fidelity)
    assert np.allclose(tt.untilize(got, 32, 32), want, rtol=2 ** -8, atol=1e-6)  # summation order differs from numpy's


def test_matmul_of_infinities_and_nan_gives_them_where_numpy_does(dev):
    """A NaN operand, inf x 0, inf - inf and a product past the largest float32 give NaN or infinity in the same places
    as the reference (in any order of summation); the rest are the usual sums."""
    a, b = A[:32, :32].copy(), B[:32, :32].copy()
    a[0, 3], a[1, 0], b[0, :] = np.nan, 3e38, 2.0  # row 1: 6e38, infinity
    a[2, 5], b[5, 7] = np.inf, 0.0   # row 2, column 7: inf x 0
    a[3, 4], a[3, 6], b[4, :], b[6, :] = np.inf, np.inf, 1.0, -1.0  # row 3: inf - inf
    got, _ = compute(dev, MATMUL.replace("TRANSPOSE", "false"), [a, b])
    got = tt.untilize(got, 32, 32)
    with np.errstate(invalid="ignore", over="ignore"):
        want = reference.matmul(a, b)
    assert np.isnan(want).any() and np.isinf(want).any()
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[np.isinf(want)], want[np.isinf(want)])
    finite = np.isfinite(want)
    assert np.allclose(got[finite], want[finite], rtol=2 ** -8, atol=1e-6)


def test_a_nan_a_matmul_makes_packs_as_the_one_quiet_nan_an_add_makes(dev):
    """The register rounds to bfloat16 as bf16() does wherever a NaN comes from: an operand's NaN, or inf - inf (which
    x86 makes with the sign bit set), both hold the bits add_tiles gives inf + -inf, seen whole through a float32 pack."""
    a, b = A[:32, :32].copy(), B[:32, :32].copy()
    a[0, 3] = np.nan                                            # row 0: a NaN operand
    a[3, 4], a[3, 6], b[4, :], b[6, :] = np.inf, np.inf, 1.0, -1.0  # row 3: inf - inf
    got = tt.untilize(compute(dev, MATMUL.replace("TRANSPOSE", "false"), [a, b], out_fmt=tt.float32)[0], 32, 32)
    x, y = np.full((32, 32), np.inf, np.float32), np.full((32, 32), -np.inf, np.float32)
    added = tt.untilize(compute(dev, binary_body("add_tiles(0, 1, 0, 0, 0);"), [x, y], out_fmt=tt.float32)[0], 32, 32)
    bits = lambda v: np.asarray(v, np.float32)[np.isnan(v)].view(np.uint32)
    assert np.isnan(got[0]).all() and np.isnan(got[3]).all() and np.isnan(added).all()
    assert set(bits(got)) == set(bits(added)) and len(set(bits(added))) == 1


def test_a_matmul_into_a_tile_acquired_again_starts_from_zero(dev):
    """Acquiring zeroes the register (lazily, where nothing writes a tile first): a matmul into a tile that held a
    copied tile or an earlier matmul's sums, acquired again, gives the product alone. The register's halves alternate
    between acquires, so both halves go from a copy to a matmul and from a matmul to a matmul."""
    body = """mm_init(0, 1, 16);
    for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(0, 1); cb_wait_front(1, 1);
        tile_regs_acquire();
        if (i % 4 < 2) { copy_tile_to_dst_init_short(0); copy_tile(0, 0, 0); }
        else { mm_init_short(0, 1); matmul_tiles(0, 1, 0, 0, 0, false); }
        tile_regs_commit();
        cb_reserve_back(16, 1); tile_regs_wait(); pack_tile(0, 16); tile_regs_release(); cb_push_back(16, 1);
        cb_pop_front(0, 1); cb_pop_front(1, 1);
    }"""
    a, b = np.tile(A[:32, :32] * 4, (8, 1)), np.tile(B[:32, :32], (8, 1))  # 8 tiles each, copies then matmuls, twice
    got = tt.untilize(compute(dev, body, [a, b])[0], 256, 32)
    product = reference.matmul(A[:32, :32] * 4, B[:32, :32])
    for i in range(8):
        want = tt.round_bfloat16(A[:32, :32] * 4) if i % 4 < 2 else product
        assert np.allclose(got[32 * i:32 * i + 32], want, rtol=2 ** -8, atol=1e-6), i


def test_matmul_transpose_flag_transposes_the_second_tile(dev):
    got, _ = compute(dev, MATMUL.replace("TRANSPOSE", "true"), [A[:32, :32], B[:32, :32]])
    assert np.allclose(tt.untilize(got, 32, 32), reference.matmul(A[:32, :32], B[:32, :32].T), rtol=2 ** -8, atol=1e-6)


def test_grayskull_accumulates_in_bfloat16_and_wormhole_can_in_float32():
    k = 32 * 16
    a = tt.round_bfloat16(np.random.default_rng(1).uniform(0, 1, (32, k)))
    b = tt.round_bfloat16(np.random.default_rng(2).uniform(0, 1, (k, 32)))
    body = """mm_init(0, 1, 16); acquire_dst(tt::DstMode::Half);
    for (uint32_t i = 0; i < n; i++) { cb_wait_front(0, 1); cb_wait_front(1, 1); matmul_tiles(0, 1, 0, 0, 0, false); cb_pop_front(0, 1); cb_pop_front(1, 1); }
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); release_dst(tt::DstMode::Half);"""
    # k tiles of a's row and b's column, streamed in pairs: split them into tiles the reader pushes in order
    at = np.concatenate([a[:, i:i + 32] for i in range(0, k, 32)], axis=0)
    bt = np.concatenate([b[i:i + 32] for i in range(0, k, 32)], axis=0)
    exact = a.astype(np.float64) @ b
    with tt.Device("e150", echo=False) as gs, tt.Device("n150", echo=False) as wh:
        bf, _ = compute(gs, body, [at, bt], n_out=1)
        f32, _ = compute(wh, body, [at, bt], n_out=1, out_fmt=tt.float32, fp32_dest_acc_en=True)
    bf, f32 = tt.untilize(bf, 32, 32), tt.untilize(f32, 32, 32)
    assert np.allclose(bf, reference.matmul(a, b), rtol=2 ** -8)
    assert np.allclose(f32, reference.matmul(a, b, fp32_dest=True), rtol=1e-6)
    assert np.abs(f32 - exact).max() < np.abs(bf - exact).max() / 10


def test_bfp4_b_circular_buffers(dev):
    body = PER_TILE.format(wait1="", pop1="", op="copy_tile(0, 0, 0);")
    x = tt.bfp4_b.decode(tt.bfp4_b.encode(tt.tilize(A)))  # values bfp4_b holds exactly
    got, _ = compute(dev, body, [tt.untilize(x, 64, 64)], in_fmt=tt.bfp4_b, out_fmt=tt.bfp4_b)
    assert np.array_equal(got, x)
    got, _ = compute(dev, body, [A], in_fmt=tt.bfloat16, out_fmt=tt.bfp4_b)  # the packer rounds as the host does
    assert np.array_equal(got, x)


def test_bfp8_b_and_float32_circular_buffers(dev):
    body = PER_TILE.format(wait1="", pop1="", op="copy_tile(0, 0, 0);")
    x = A * 1000
    got, _ = compute(dev, body, [x], in_fmt=tt.bfp8_b, out_fmt=tt.float32)
    assert np.array_equal(got, tt.bfp8_b.decode(tt.bfp8_b.encode(tt.tilize(x))))  # bfp8 values are bfloat16-exact
    x = x + np.float32(1 / 3)  # not bfloat16 values any more
    got, _ = compute(dev, body, [x], in_fmt=tt.float32, out_fmt=tt.bfp8_b)
    # through Grayskull's bfloat16 destination register, then packed with the host's rounding
    assert np.array_equal(got, tt.bfp8_b.decode(tt.bfp8_b.encode(tt.tilize(tt.round_bfloat16(x)))))


def test_reduce_row_col_scalar_with_a_scaler_tile(dev):
    x = A[:32, :64]
    s = np.full((32, 64), 0.5, np.float32)  # the scaler input: its first value matters
    for dim, pick in (("REDUCE_ROW", lambda t: t[:, 0]), ("REDUCE_COL", lambda t: t[0, :]), ("REDUCE_SCALAR", lambda t: t[0, 0])):
        body = f"""reduce_init<PoolType::SUM, ReduceDim::{dim}>(0, 1, 16); acquire_dst(tt::DstMode::Half);
        for (uint32_t i = 0; i < n; i++) {{ cb_wait_front(0, 1); cb_wait_front(1, 1);
            reduce_tile<PoolType::SUM, ReduceDim::{dim}>(0, 1, 0, 0, 0); cb_pop_front(0, 1); cb_pop_front(1, 1); }}
        cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); release_dst(tt::DstMode::Half);"""
        got, _ = compute(dev, body, [x, s], n_out=1)
        got = tt.untilize(got, 32, 32)
        want = reference.reduce(x, "sum", {"REDUCE_ROW": "row", "REDUCE_COL": "col", "REDUCE_SCALAR": "scalar"}[dim], 0.5)
        if dim == "REDUCE_COL":  # per tile-column: the two tiles accumulate into the same output columns
            want = reference.reduce(x[:, :32], "sum", "col", 0.5) + 0 * want[:32]
            want = tt.round_bfloat16(want + reference.reduce(x[:, 32:], "sum", "col", 0.5))
        assert np.allclose(pick(got), want, rtol=2 ** -7, atol=2 ** -8), dim


def test_reduce_max_of_negative_values_is_not_zero(dev):
    x = tt.round_bfloat16(-np.abs(A[:32, :32]) - 1)
    body = """reduce_init<PoolType::MAX, ReduceDim::REDUCE_ROW>(0, 1, 16); acquire_dst(tt::DstMode::Half); cb_wait_front(0, 1); cb_wait_front(1, 1);
    reduce_tile<PoolType::MAX, ReduceDim::REDUCE_ROW>(0, 1, 0, 0, 0);
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); release_dst(tt::DstMode::Half);"""
    got, _ = compute(dev, body, [x, np.ones((32, 32), np.float32)], n_out=1)
    assert np.array_equal(tt.untilize(got, 32, 32)[:, 0], x.max(axis=1))


def test_transpose_and_tilize_untilize(dev):
    got, _ = compute(dev, PER_TILE.format(wait1="", pop1="", op="transpose_wh_init_short(0); transpose_wh_tile(0, 0, 0);"), [A[:32, :32]])
    assert np.array_equal(tt.untilize(got, 32, 32), A[:32, :32].T)
    # untilize then tilize: two tiles side by side become rows and back
    body = """untilize_init_short(0);
    cb_wait_front(0, 2); cb_reserve_back(24, 2); untilize_block(0, 2, 24); cb_push_back(24, 2); cb_pop_front(0, 2);
    untilize_uninit(0); tilize_init_short(24, 2, 16);
    cb_wait_front(24, 2); cb_reserve_back(16, 2); tilize_block(24, 2, 16); cb_push_back(16, 2); cb_pop_front(24, 2);"""
    x = A[:32, :64]
    got, _ = compute(dev, body, [x], n_out=2, cbs=[tt.CB(24, tt.bfloat16, 2)])
    assert np.array_equal(tt.untilize(got, 32, 64), x)


def test_pack_tile_fills_the_reserved_pages_in_order_or_out_of_order(dev):
    body = """cb_reserve_back(16, 2);
    for (uint32_t i = 0; i < 2; i++) {
        cb_wait_front(0, 1); acquire_dst(tt::DstMode::Half); copy_tile(0, 0, 0);
        pack_tile<true>(0, 16, 1 - i);   // the first tile goes to the second slot
        release_dst(tt::DstMode::Half); cb_pop_front(0, 1);
    }
    cb_push_back(16, 2);"""
    x = A[:32, :64]
    got, _ = compute(dev, body, [x], n_out=2)
    assert np.array_equal(got.reshape(2, 1024), tt.tilize(x).reshape(2, 1024)[::-1])


def test_sfpu_ops_chain_on_the_destination_register(dev):
    body = PER_TILE.format(wait1="", pop1="", op="copy_tile(0, 0, 0); exp_tile_init(); exp_tile(0); copy_tile(0, 0, 1); max_tile_init(); max_tile(0, 1); "
                           "relu_max_tile_init(); relu_max_tile(0, 0x40000000u);")  # min(max(exp(x), x), 2.0)
    x = A[:32, :32]
    got, _ = compute(dev, body, [x])
    want = np.clip(np.maximum(tt.round_bfloat16(np.exp(x)), x), 0, 2)
    assert np.array_equal(tt.untilize(got, 32, 32), want)


@pytest.mark.parametrize("body, match", [
    ("cb_wait_front(0, 1); copy_tile(0, 0, 0);", "copy_tile: the destination register is not acquired"),
    ("tile_regs_acquire(); tile_regs_acquire();", "tile_regs_acquire: the destination register is already held"),
    ("cb_wait_front(0, 1); tile_regs_acquire(); copy_tile(0, 0, 0); cb_reserve_back(16, 1); pack_tile(0, 16);",
     "pack_tile: the math side still holds it"),
    ("tile_regs_acquire(); tile_regs_commit(); tile_regs_release();", "tile_regs_release: the packer does not hold the register"),
    ("cb_wait_front(0, 1); tile_regs_acquire(); copy_tile(0, 0, 8);", "destination tile 8, but the register holds 8 tiles in this mode"),
    ("cb_wait_front(0, 1); acquire_dst(tt::DstMode::Full); copy_tile(0, 0, 16);", "destination tile 16, but the register holds 16"),
    ("acquire_dst(tt::DstMode::Half); copy_tile(0, 0, 0);", "tile 0 of circular buffer 0 is not at its front: this thread has waited for 0"),
    ("cb_wait_front(0, 1); acquire_dst(tt::DstMode::Half); copy_tile(0, 0, 0); pack_tile(0, 16); pack_tile(0, 16); pack_tile(0, 16);",
     r"pack_tile\(0, cb 16\): tile slot 0 is past the 0 pages reserved"),
    ("cb_wait_front(0, 1); acquire_dst(tt::DstMode::Half); copy_tile(0, 0, 0); cb_reserve_back(16, 2); pack_tile(0, 16); pack_tile(0, 16); pack_tile(0, 16);",
     r"pack_tile\(0, cb 16\): tile slot 2 is past the 2 pages reserved"),
    ("cb_wait_front(0, 1); acquire_dst(tt::DstMode::Half); copy_tile(5, 0, 0);", "circular buffer 5 is not configured"),
    ("release_dst(tt::DstMode::Half);", "release_dst: the destination register was not acquired"),
])
def test_misuse_of_the_math_engine_names_the_kernel_its_line_and_what_to_fix(dev, body, match):
    with pytest.raises(tt.KernelError) as e:
        compute(dev, body, [A[:32, :32]])
    said = str(e.value)
    assert re.match(r"compute kernel 'compute' on core \(0, 0\) \(TRISC\): \w+(\([^)]*\))? at line \d+ of the kernel: ", said), said
    assert re.search(match, re.sub(r" at line \d+ of the kernel", "", said)), said


def test_compute_configuration_errors(dev):
    with pytest.raises(tt.TensixError, match="Grayskull's destination register holds bfloat16 only"):
        compute(dev, "", [A[:32, :32]], fp32_dest_acc_en=True)
    with pytest.raises(tt.TensixError, match="math_fidelity 'HiFi5'"):
        compute(dev, "", [A[:32, :32]], math_fidelity="HiFi5")


def test_compute_kernels_print_and_accept_the_three_stage_macros(dev):
    body = 'UNPACK(( DPRINT << "unpack " << n << ENDL() )); MATH(( DPRINT << "math" << ENDL() )); PACK(( DPRINT << "pack" << ENDL() ));'
    _, run = compute(dev, body, [A[:32, :32]], n_out=0)
    assert run.prints == ["0:(x=0,y=0):TR: unpack 1", "0:(x=0,y=0):TR: math", "0:(x=0,y=0):TR: pack"]


def test_matmul_block_and_todays_cb_names(dev):
    # two output tiles side by side from one k step: in0 is 1 x 1 tiles, in1 1 x 2
    a, b = A[:32, :32], B[:32, :64]
    body = """mm_block_init(tt::CBIndex::c_0, tt::CBIndex::c_1, tt::CBIndex::c_16, false, 2, 1, 1);
    cb_wait_front(tt::CBIndex::c_0, 1); cb_wait_front(tt::CBIndex::c_1, 2);
    tile_regs_acquire();
    matmul_block(tt::CBIndex::c_0, tt::CBIndex::c_1, 0, 0, 0, false, 2, 1, 1);
    tile_regs_commit(); cb_reserve_back(tt::CBIndex::c_16, 2); tile_regs_wait();
    pack_tile(0, tt::CBIndex::c_16); pack_tile(1, tt::CBIndex::c_16);
    tile_regs_release(); cb_push_back(tt::CBIndex::c_16, 2);"""
    # in0 has one tile; give the reader a second (unused) tile so both inputs stream two pages
    got, _ = compute(dev, body, [np.concatenate([a, a], axis=1), b], n_out=2)
    assert np.allclose(tt.untilize(got, 32, 64), reference.matmul(a, b), rtol=2 ** -8, atol=1e-6)


def test_pack_untilize_gives_rows(dev):
    x = A[:32, :64]
    body = """pack_untilize_init<2>(0, 16); cb_wait_front(0, 2); cb_reserve_back(16, 2);
    pack_untilize_block<2>(0, 1, 16); cb_push_back(16, 2); cb_pop_front(0, 2);"""
    got, _ = compute(dev, body, [x], n_out=2)
    assert np.array_equal(got, x.reshape(-1))


def test_pack_untilize_of_a_wide_row_in_column_blocks_and_fast_tilize_back(dev):
    """Today's pack_untilize_block<block_ct, full_ct>(icb, 1, ocb, block_c_index) (ttnn's untilize helpers): a row 2 tiles
    wide untilized a tile at a time, each block at its columns of the 32 rows; then pack_untilize_dest the same way
    from the register, and fast_tilize_block (the same tiles as tilize_block) back to tiles."""
    x = A[:32, :64]
    body = """pack_untilize_init<1, 2>(0, 24); cb_reserve_back(24, 2);
    for (uint32_t b = 0; b < 2; b++) { cb_wait_front(0, 1); pack_untilize_block<1, 2>(0, 1, 24, b); cb_pop_front(0, 1); }
    cb_push_back(24, 2); pack_untilize_uninit(24);
    cb_wait_front(24, 2); cb_reserve_back(16, 2);
    fast_tilize_init(24, 2, 16); fast_tilize_block(24, 2, 16); fast_tilize_uninit(24, 16);
    cb_push_back(16, 2); cb_pop_front(24, 2);"""
    got, _ = compute(dev, body, [x], n_out=2, cbs=[tt.CB(24, tt.bfloat16, 2)])
    assert np.array_equal(tt.untilize(got, 32, 64), x)
    rows = """pack_untilize_dest_init<1, 2>(16); cb_reserve_back(16, 2);
    for (uint32_t b = 0; b < 2; b++) {
        cb_wait_front(0, 1); tile_regs_acquire(); copy_tile(0, 0, 0); tile_regs_commit();
        tile_regs_wait(); pack_untilize_dest<1, 2>(16, 1, b); tile_regs_release(); cb_pop_front(0, 1);
    }
    cb_push_back(16, 2);"""
    got, _ = compute(dev, rows, [x], n_out=2)
    assert np.array_equal(got, x.reshape(-1))


@pytest.mark.parametrize("fmt", [tt.float16, tt.float32, tt.uint16, tt.int32, tt.uint8])
def test_copy_through_other_formats(dev, fmt):
    x = np.abs(np.round(A * 10)) if fmt in (tt.uint16, tt.uint8) else np.round(A * 10) if fmt is tt.int32 else A
    got, _ = compute(dev, PER_TILE.format(wait1="", pop1="", op="copy_tile(0, 0, 0);"), [x], in_fmt=fmt, out_fmt=fmt)
    assert np.array_equal(tt.untilize(got, 64, 64), x.astype(got.dtype))


@pytest.mark.parametrize("fidelity", ["LoFi", "HiFi3"])
def test_queued_matmuls_along_k_match_the_reference_at_every_fidelity(dev, fidelity):
    # 8 tiles of k accumulate into one register tile: the engine queues them and splits the rows over two threads
    k = 32 * 8
    a = tt.round_bfloat16(np.random.default_rng(3).standard_normal((32, k)))
    b = tt.round_bfloat16(np.random.default_rng(4).standard_normal((k, 32)))
    body = """mm_init(0, 1, 16); acquire_dst(tt::DstMode::Half);
    for (uint32_t i = 0; i < n; i++) { cb_wait_front(0, 1); cb_wait_front(1, 1); matmul_tiles(0, 1, 0, 0, 0, false); cb_pop_front(0, 1); cb_pop_front(1, 1); }
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); release_dst(tt::DstMode::Half);"""
    at = np.concatenate([a[:, i:i + 32] for i in range(0, k, 32)], axis=0)
    bt = np.concatenate([b[i:i + 32] for i in range(0, k, 32)], axis=0)
    runs = [compute(dev, body, [at, bt], n_out=1, math_fidelity=fidelity)[0] for _ in range(2)]
    assert np.array_equal(runs[0], runs[1])
    assert np.allclose(tt.untilize(runs[0], 32, 32), reference.matmul(a, b, fidelity), rtol=2 ** -7, atol=2 ** -6)


@pytest.mark.parametrize("fidelity", ["HiFi3", "HiFi4"])
def test_queued_matmuls_of_several_cores_past_the_operand_cache(fidelity):
    """Three cores each queue 150 matmuls (300 operand tiles, more than the engine keeps unpacked) into one register
    tile, giving way to each other at every wait for a page (threads run in time order): each core's matmuls are done
    early when the others' hold the cache, and each result is the reference's, bit for bit the same as that core's
    alone."""
    dev = tt.Device(echo=False, timing="ordered")
    k, cores = 32 * 150, [(0, 0), (1, 0), (2, 0)]
    rng = np.random.default_rng(5)
    ab = {c: (tt.round_bfloat16(rng.standard_normal((32, k))), tt.round_bfloat16(rng.standard_normal((k, 32)))) for c in cores}
    bufs = {c: [dev.buffer(tt.tilize(np.concatenate([x[:, i:i + 32] for i in range(0, k, 32)])), fmt=tt.bfloat16),
                dev.buffer(tt.tilize(np.concatenate([y[i:i + 32] for i in range(0, k, 32)])), fmt=tt.bfloat16),
                dev.buffer(2048, page=2048)] for c, (x, y) in ab.items()}
    body = """#include "compute_kernel_api/matmul.h"
namespace NAMESPACE { void MAIN { uint32_t n = get_arg_val<uint32_t>(0);
    mm_init(0, 1, 16); acquire_dst(tt::DstMode::Half);
    for (uint32_t i = 0; i < n; i++) { cb_wait_front(0, 1); cb_wait_front(1, 1); matmul_tiles(0, 1, 0, 0, 0, false); cb_pop_front(0, 1); cb_pop_front(1, 1); }
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1); release_dst(tt::DstMode::Half); } }"""

    def run(on):
        dev.run(tt.Program(dev, on, reader=tt.Kernel(READER, "reader"), writer=tt.Kernel(WRITER, "writer"),
                           compute=tt.Kernel(body, "long_k", math_fidelity=fidelity),
                           reader_args={c: [k // 32, 2, bufs[c][0].addr, bufs[c][1].addr] for c in on},
                           compute_args=[k // 32], writer_args={c: [bufs[c][2].addr, 1] for c in on},
                           cbs=[tt.CB(0, tt.bfloat16, 2), tt.CB(1, tt.bfloat16, 2), tt.CB(16, tt.bfloat16, 2)]))
        return {c: tt.untilize(bufs[c][2].read(tt.bfloat16), 32, 32) for c in on}

    def in_k_order(x, y):  # HiFi4: each tile's 32 exact products summed in k order in float32, then added and rounded
        acc = np.zeros((32, 32), np.float32)
        for k0 in range(0, k, 32):
            part = np.zeros((32, 32), np.float32)
            for i in range(k0, k0 + 32): part += x[:, i:i + 1] * y[i]
            acc = tt.round_bfloat16(acc + part)
        return acc

    together = run(cores)
    for c, (x, y) in ab.items():
        assert np.array_equal(together[c], run([c])[c])
        if fidelity == "HiFi4": assert np.array_equal(together[c], in_k_order(x, y))
        else: assert np.allclose(together[c], reference.matmul(x, y, fidelity), rtol=2 ** -6, atol=2 ** -5)
    dev.close()
