"""32-bit integers in the destination register: with fp32_dest_acc_en and UnpackToDestFp32, Int32 and UInt32 tiles enter
the register as their words, today's integer SFPU ops work on the words, and pack writes them back, every bit. The
references are numpy's integer arithmetic with the rules tt-metal's kernels give (ckernel_sfpu_shift.h for shift
amounts outside 0..31, binary_remainder.h and binary_fmod.h for signs, div_int32_sfpu.h's float32 quotient), on values
above 2^24, negative ones, and uint32 above 2^31."""
import numpy as np
import pytest
import tensix as tt
from test_today_api import PAIR, int_mode, run_today, tiles

I32 = np.iinfo(np.int32)


def full_range(seed, dtype, shape=(32, 64)):
    """Values over the whole range of dtype, with the edges (0, 1, -1, the extremes) in the first row."""
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, shape, dtype=np.int64, endpoint=True).astype(dtype)
    x[0, :6] = np.array([0, 1, info.max, info.min, info.max - 1, 1 << 24 | 1], np.int64).astype(dtype)
    if info.min < 0: x[0, 6:8] = [-1, -(1 << 24) - 1]
    return x


def run_int(op_call, a, b, fmt=tt.int32, out_fmt=None):
    dev = tt.Device("n150")
    mode = int_mode(fmt)
    if out_fmt is not None: mode["out_fmt"] = out_fmt
    return run_today(dev, PAIR % op_call, [a, b], **mode)


@pytest.mark.parametrize("fmt", [tt.int32, tt.uint32])
def test_words_pass_the_register_whole(fmt):
    """copy_tile into the 32-bit register, copy_dest_values, pack: the same words come out, above 2^24 and 2^31 too."""
    a = full_range(1, fmt.dtype)
    got = run_int("copy_dest_values_init(); copy_dest_values(0, 2);", a, a, fmt)
    assert got.dtype == fmt.dtype and np.array_equal(got, tiles(a))


WRAPPING = {"add_int": np.add, "sub_int": np.subtract, "rsub_int": lambda a, b: b - a, "mul_int": np.multiply,
            "bitwise_and_binary": np.bitwise_and, "bitwise_or_binary": np.bitwise_or, "bitwise_xor_binary": np.bitwise_xor}


@pytest.mark.parametrize("op", sorted(WRAPPING))
@pytest.mark.parametrize("fmt", ["Int32", "UInt32", "UInt16"])
def test_wrapping_and_bitwise_ops_on_whole_words(op, fmt):
    """add/sub/rsub/mul_int_tile and the bitwise ops, as numpy's wrapping arithmetic on the format's integers (UInt16:
    the low 16 bits, in a UInt16 tile)."""
    dtype = {"Int32": np.int32, "UInt32": np.uint32, "UInt16": np.uint16}[fmt]
    a, b = full_range(2, dtype), full_range(3, dtype)
    with np.errstate(over="ignore"):
        want = WRAPPING[op](a, b).astype(dtype)
    got = run_int(f"{op}_tile_init(); {op}_tile<DataFormat::{fmt}>(0, 1, 2);", a, b, getattr(tt, fmt.lower()))
    assert got.dtype == dtype and np.array_equal(got, tiles(want)), (op, fmt)


def shifted(a, s, kind):
    """tt-metal's shifts: an amount below 0 or from 32 gives 0, except that the arithmetic right shift fills with the
    sign (the microcode fills with ones when bit 31 is set)."""
    a64, ok = a.astype(np.int64), (s >= 0) & (s < 32)
    sc = np.where(ok, s, 0).astype(np.int64)
    words = a64 & 0xFFFFFFFF
    if kind == "left": r = np.where(ok, words << sc, 0)
    elif kind == "logical_right": r = np.where(ok, words >> sc, 0)
    else:
        signed = np.where(words >= 1 << 31, words - (1 << 32), words)
        r = np.where(s < 0, 0, np.where(s >= 32, np.where(signed < 0, -1, 0), signed >> sc))
    return (r & 0xFFFFFFFF).astype(np.uint32).view(np.int32) if a.dtype == np.int32 else (r & 0xFFFFFFFF).astype(np.uint32)


@pytest.mark.parametrize("kind", ["left", "right", "logical_right"])
@pytest.mark.parametrize("fmt", [tt.int32, tt.uint32])
def test_shifts_follow_tt_metal_for_every_amount(kind, fmt):
    a = full_range(4, fmt.dtype)
    s = np.random.default_rng(5).integers(-40, 70, a.shape).astype(fmt.dtype)  # in range mostly, and out of it both ways
    s[1, :40] = np.arange(-4, 36)
    name = {"left": "binary_left_shift", "right": "binary_right_shift", "logical_right": "binary_logical_right_shift"}[kind]
    got = run_int(f"binary_shift_tile_init(); {name}_tile<DataFormat::{'Int32' if fmt is tt.int32 else 'UInt32'}>(0, 1, 2);", a, s, fmt)
    assert np.array_equal(got, tiles(shifted(a, s.astype(np.int64).astype(np.int32), kind))), kind


def divisors(seed):
    a, b = full_range(seed, np.int32), full_range(seed + 1, np.int32)
    b[b == 0] = 7
    b[2, :8] = [1, -1, 3, -3, 1 << 20, -(1 << 20), I32.max, I32.min]
    a[a == I32.min] = I32.min + 1  # INT_MIN / -1 overflows in numpy as in C
    return a, b


def test_integer_division_and_remainders():
    """div_int32_trunc/floor, fmod_int32 (sign of the dividend) and remainder_int32 (sign of the divisor), exact."""
    a, b = divisors(6)
    a64, b64 = a.astype(np.int64), b.astype(np.int64)
    floor = a64 // b64
    trunc = np.where((a64 % b64 != 0) & ((a64 < 0) != (b64 < 0)), floor + 1, floor)
    for call, want in [("div_int32_trunc_tile_init(); div_int32_trunc_tile(0, 1, 2);", trunc),
                       ("div_int32_floor_tile_init(); div_int32_floor_tile(0, 1, 2);", floor),
                       ("fmod_int32_tile_init(); fmod_int32_tile(0, 1, 2);", np.fmod(a64, b64)),
                       ("remainder_int32_tile_init(); remainder_int32_tile(0, 1, 2);", np.mod(a64, b64))]:
        assert np.array_equal(run_int(call, a, b), tiles(want.astype(np.int32))), call


def test_div_int32_gives_the_float32_quotient():
    """div_int32_tile: both int32s to float32, then their quotient, in float32 (tt-metal's div_int32_sfpu.h)."""
    a, b = divisors(8)
    b[3, :4] = a[3, :4]  # x / x is exactly 1
    want = a.astype(np.float32) / b.astype(np.float32)
    got = run_int("div_int32_tile_init(); div_int32_tile(0, 1, 2);", a, b, out_fmt=tt.float32)
    assert np.array_equal(got, tiles(want))


def test_gcd_and_lcm():
    """gcd of any int32s (of their magnitudes); lcm of int32s with |x| < 2^15, as tt-metal's lcm.h allows."""
    a, b = full_range(9, np.int32), full_range(10, np.int32)
    a[a == I32.min], b[b == I32.min] = 12, 18
    assert np.array_equal(run_int("gcd_tile_init(); gcd_tile(0, 1, 2);", a, b), tiles(np.gcd(a, b)))
    rng = np.random.default_rng(11)
    a, b = (rng.integers(-32767, 32768, (32, 64)).astype(np.int32) for _ in range(2))
    a[0, :3] = [0, 32767, -32767]
    assert np.array_equal(run_int("lcm_tile_init(); lcm_tile(0, 1, 2);", a, b), tiles(np.lcm(a, b)))


@pytest.mark.parametrize("fmt", [tt.int32, tt.uint32])
def test_integer_compares_max_min_and_where(fmt):
    """lt/gt/le/ge_int_tile (1 or 0), binary_max/min_int32/uint32, eqz/nez_tile_int32 and where_tile<Int32> pick words."""
    a, b = full_range(12, fmt.dtype), full_range(13, fmt.dtype)
    b[::3] = a[::3]
    name = "Int32" if fmt is tt.int32 else "UInt32"
    suffix = "int32" if fmt is tt.int32 else "uint32"
    cmp = lambda op: f"{op}_int_tile_init<DataFormat::{name}>(); {op}_int_tile<DataFormat::{name}>(0, 1, 2);"
    sub = "sub_int_tile_init<DataFormat::Int32>(); sub_int_tile<DataFormat::Int32>(0, 1, 2);"
    for call, want in [(cmp("lt"), a < b), (cmp("gt"), a > b), (cmp("le"), a <= b), (cmp("ge"), a >= b),
                       (f"binary_max_{suffix}_tile_init(); binary_max_{suffix}_tile(0, 1, 2);", np.maximum(a, b)),
                       (f"binary_min_{suffix}_tile_init(); binary_min_{suffix}_tile(0, 1, 2);", np.minimum(a, b)),
                       (sub + " eqz_tile_init(); eqz_tile_int32(2);", a == b), (sub + " nez_tile_init(); nez_tile_int32(2);", a != b),
                       (cmp("lt") + f" where_tile_init(); where_tile<DataFormat::{name}>(2, 0, 1, 2);", np.where(a < b, a, b))]:
        assert np.array_equal(run_int(call, a, b, fmt), tiles(want.astype(fmt.dtype))), call



def test_float_binaries_of_today():
    """xlogy (NaN where y < 0 or NaN, else x * log(y): tt-metal's rule), atan2(in0, in1) with in0 as y, fmod (sign of
    x) and remainder (sign of y) on float32 tiles in a float32 register."""
    rng = np.random.default_rng(14)
    x = (rng.standard_normal((32, 64)) * 10).astype(np.float32)
    y = (rng.standard_normal((32, 64)) * 3).astype(np.float32)
    y[0, :4] = [0.5, -0.0, 2.0, -3.0]
    dev = tt.Device("n150")
    with np.errstate(divide="ignore", invalid="ignore"):
        for call, want, rtol in [("xlogy_binary_tile_init(); xlogy_binary_tile(0, 1, 2);",
                                  np.where(y < 0, np.nan, x.astype(np.float64) * np.log(np.abs(y).astype(np.float64))), 1e-6),
                                 ("atan2_binary_tile_init(); atan2_binary_tile(0, 1, 2);", np.arctan2(x.astype(np.float64), y), 1e-6),
                                 ("fmod_binary_tile_init(); fmod_binary_tile(0, 1, 2);", np.fmod(x, y), 0),
                                 ("remainder_binary_tile_init(); remainder_binary_tile(0, 1, 2);", np.mod(x, y), 0)]:
            got = run_today(dev, PAIR % call, [x, y], **int_mode(tt.float32))
            np.testing.assert_allclose(got, tiles(want.astype(np.float32)), rtol=rtol, atol=0, err_msg=call)


def test_a_float_op_reads_an_integer_tile_as_its_values():
    """tensix's one leniency (docs/math.md): a float op given a tile of words sees the integers' values."""
    a = np.arange(-1024, 1024, dtype=np.int32).reshape(32, 64) * 3
    got = run_int("add_binary_tile_init(); add_binary_tile(0, 1, 2);", a, a, out_fmt=tt.float32)
    assert np.array_equal(got, tiles((a * 2).astype(np.float32)))


def test_fill_tile_int_rpow_and_rdiv():
    """fill_tile_int<Int32> puts one word in every place (all 32 bits); rpow_tile(x, b) is b^x and
    rdiv_tile<Floor>(x, v) floor(v / x), the parameters as float32 bits (tt-metal's eltwise_unary/rpow.h, rdiv.h)."""
    bits = lambda v: int(np.float32(v).view(np.uint32))
    a = full_range(15, np.int32)
    word = -(1 << 30) - 12345
    got = run_int(f"fill_tile_init(); fill_tile_int<DataFormat::Int32>(2, {word & 0xFFFFFFFF}u);", a, a)
    assert np.array_equal(got, np.full(a.size, word, np.int32))
    x = np.random.default_rng(16).uniform(0.5, 4, (32, 64)).astype(np.float32)
    dev = tt.Device("n150")
    for call, want in [(f"rpow_tile_init(); rpow_tile(0, {bits(1.5)}u); copy_dest_values_init(); copy_dest_values(0, 2);", np.float32(1.5) ** x),
                       (f"rdiv_tile_init(); rdiv_tile<RoundingMode::Floor>(0, {bits(7.0)}u); copy_dest_values_init(); copy_dest_values(0, 2);",
                        np.floor(np.float32(7.0) / x))]:
        got = run_today(dev, PAIR % call, [x, x], **int_mode(tt.float32))
        np.testing.assert_allclose(got, tiles(want.astype(np.float32)), rtol=2e-7, err_msg=call)
