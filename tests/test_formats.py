"""Number formats, tiles and interleaving, attacked with hypothesis and checked against hand-worked cases."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp
import tensix as tt
from tensix.formats import bfloat16_bits

finite32 = hnp.arrays(np.float32, st.integers(1, 64), elements=st.floats(-2.0**127, 2.0**127, width=32))


def test_bfloat16_rounds_to_nearest_even_by_hand():
    cases = {0x3F800000: 0x3F80, 0x3F808000: 0x3F80,  # exactly half-way, even stays
             0x3F818000: 0x3F82,                       # half-way from odd rounds up to even
             0x3F808001: 0x3F81, 0x3F807FFF: 0x3F80, 0xBF80C000: 0xBF81, 0x7F7FFFFF: 0x7F80}  # last: overflows to inf
    x = np.array(list(cases), np.uint32).view(np.float32)
    assert bfloat16_bits(x).tolist() == list(cases.values())
    assert bfloat16_bits(np.array([np.nan], np.float32))[0] == 0x7FC0


def bfloat16_by_integers(u):
    """Round-to-nearest-even of float32 bits to bfloat16 bits, worked in Python integers (NaN: None)."""
    if (u >> 23) & 0xFF == 0xFF and u & 0x7FFFFF: return None
    top, rest = u >> 16, u & 0xFFFF
    return top + (rest > 0x8000 or (rest == 0x8000 and top & 1))


@given(hnp.arrays(np.uint32, st.integers(1, 200)))
def test_bfloat16_matches_rounding_worked_in_integers_for_any_bits(u):
    got = bfloat16_bits(u.view(np.float32))
    for g, v in zip(got.tolist(), u.tolist()):
        want = bfloat16_by_integers(v)
        if want is None: assert (g >> 7) & 0xFF == 0xFF and g & 0x7F, hex(g)  # a NaN stays a NaN
        else: assert g == want, (hex(v), hex(g), hex(want))


def bfp_by_integers(values, bits):
    """One face row of block-float magnitudes and signs, value by value in Python integers: the shared exponent is
    the largest; each 24-bit mantissa (0 for a denormal) shifts down to `bits` bits, rounding to nearest even, saturating."""
    us = [int(v) for v in np.asarray(values, np.float32).view(np.uint32)]
    shared = max((u >> 23) & 0xFF for u in us)
    out = []
    for u in us:
        e = (u >> 23) & 0xFF
        mant = (u & 0x7FFFFF) | 0x800000 if e else 0
        shift = shared - e + 24 - bits
        mag, rest = mant >> shift, mant & ((1 << shift) - 1)
        mag += rest > (1 << (shift - 1)) or (rest == 1 << (shift - 1) and mag & 1)
        mag = min(mag, (1 << bits) - 1)
        out.append(((u >> 31) << bits | mag) if mag else 0)
    return shared, out


@given(hnp.arrays(np.float32, 1024, elements=st.floats(-2.0**60, 2.0**60, width=32)))
@settings(max_examples=20, deadline=None)
def test_bfp8_b_matches_rounding_worked_in_integers(x):
    raw = tt.bfp8_b.encode(x)
    for row in range(0, 64, 7):
        shared, vals = bfp_by_integers(x[row * 16:row * 16 + 16], 7)
        assert raw[row] == shared and raw[64 + row * 16:64 + row * 16 + 16].tolist() == vals


@given(finite32)
def test_bfloat16_error_is_at_most_half_an_ulp(x):
    r = tt.round_bfloat16(x).astype(np.float64)
    ulp = np.spacing(np.abs(r).astype(np.float32)).astype(np.float64) * 2**16
    ok = np.isinf(r) | (np.abs(r - x) <= ulp / 2 + 1e-45)
    assert ok.all()
    assert np.array_equal(tt.bfloat16.decode(tt.bfloat16.encode(r)), r.astype(np.float32))  # exact values survive


@given(hnp.arrays(np.uint32, st.integers(1, 100)))
def test_integer_formats_round_trip(x):
    for fmt, dt in ((tt.uint32, np.uint32), (tt.int32, np.int32), (tt.uint16, np.uint16), (tt.uint8, np.uint8)):
        v = x.astype(dt)
        assert np.array_equal(fmt.decode(fmt.encode(v)), v)


def test_bfp8_b_by_hand():
    x = np.zeros(1024, np.float32)
    x[:16] = [1, 0.5, -0.25, 3, 0, 1 / 64, 2.9, -3.5, 0, 0, 0, 0, 0, 0, 0, 1e-30]  # shared exponent of 3.5: 2^1
    raw = tt.bfp8_b.encode(x)
    assert raw.size == 1088 and raw[0] == 128 and raw[1] == 0  # row 0's exponent; row 1 is all zeros
    mags = raw[64:80]
    # 2^1 scale: value = m/64 * 2, so m = value * 32. 2.9*32 = 92.8 -> 93; 1/64*32 = 0.5 -> 0 (tie to even); 1e-30 -> 0
    assert mags.tolist() == [32, 16, 0x80 | 8, 96, 0, 0, 93, 0x80 | 112, 0, 0, 0, 0, 0, 0, 0, 0]
    back = tt.bfp8_b.decode(raw)
    assert back[:8].tolist() == [1, 0.5, -0.25, 3, 0, 0, 93 / 32, -3.5]


@given(hnp.arrays(np.float32, 1024, elements=st.floats(-2.0**100, 2.0**100, width=32, allow_subnormal=False)))
@settings(max_examples=50)
def test_bfp8_b_keeps_seven_bits_of_the_largest_value_per_row(x):
    back = tt.bfp8_b.decode(tt.bfp8_b.encode(x)).reshape(-1, 16)
    g = x.reshape(-1, 16).astype(np.float64)
    top = np.abs(g).max(axis=1, keepdims=True)
    scale = 2.0 ** np.floor(np.log2(np.where(top > 0, top, 1)))  # the shared exponent's power of two
    assert (np.abs(back - g) <= scale / 64 + 1e-300).all()  # half a step of 1/64 of the scale, rounding in
    assert (np.sign(back) * np.sign(g) >= 0).all()


def test_tilize_places_elements_in_faces():
    m = np.arange(64 * 96).reshape(64, 96)
    t = tt.tilize(m)
    for r, c in [(0, 0), (0, 17), (17, 3), (31, 31), (40, 70), (63, 95)]:
        tile = (r // 32) * 3 + c // 32
        rr, cc = r % 32, c % 32
        assert t[tile * 1024 + (rr // 16) * 512 + (cc // 16) * 256 + (rr % 16) * 16 + cc % 16] == m[r, c]


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2))
def test_tilize_round_trips(tr, tc, batch):
    m = np.random.default_rng(tr * 7 + tc).random((batch, tr * 32, tc * 32))
    assert np.array_equal(tt.untilize(tt.tilize(m), tr * 32, tc * 32).reshape(m.shape), m)


@given(st.integers(1, 3), st.integers(1, 3), st.sampled_from([np.float32, np.float64]))
@settings(max_examples=20)
def test_tilize_into_a_format_and_untilize_from_it_convert_in_the_same_pass(tr, tc, dtype):
    m = (np.random.default_rng(tr * 5 + tc).standard_normal((tr * 32, tc * 32)) * 1e3).astype(dtype)
    for fmt in (tt.bfloat16, tt.float16, tt.float32, tt.int32):
        vals = tt.tilize(m, fmt)
        assert vals.dtype == fmt.dtype
        assert np.array_equal(fmt.encode(vals), fmt.encode(tt.tilize(m)))  # the same bytes as tilize, then encode
        back = tt.untilize(vals, tr * 32, tc * 32, np.float32)
        assert back.dtype == np.float32 and np.array_equal(back, tt.untilize(fmt.decode(fmt.encode(vals)), tr * 32, tc * 32))
    with pytest.raises(ValueError, match="whole tiles"):
        tt.tilize(m, tt.bfp8_b)


def test_tilize_rejects_partial_tiles():
    with pytest.raises(ValueError, match="multiples of 32"):
        tt.tilize(np.zeros((30, 32)))


@given(st.integers(1, 20_000), st.sampled_from([16, 32, 100, 1024, 2048, 4000]), st.booleans())
@settings(max_examples=40, deadline=None)
def test_interleaved_buffers_place_page_i_in_bank_i_mod_banks(dev, size, page, l1):
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8)
    buf = dev.buffer(data, page=page, l1=l1)
    try:
        assert np.array_equal(buf.read(), data)
        mem = dev.sim.l1 if l1 else dev.sim.dram
        banks = dev.chip.num_cores if l1 else len(dev.chip.dram_banks)
        stride = (page + 31) // 32 * 32
        for i in {0, buf.pages - 1, buf.pages // 2}:
            n = min(page, size - i * page)
            at = buf.addr + (i // banks) * stride
            assert np.array_equal(mem[i % banks, at:at + n], data[i * page:i * page + n])
    finally:
        buf.free()


def test_buffer_formats_and_sizes(dev):
    x = np.random.default_rng(0).random(2048).astype(np.float32)
    b = dev.buffer(x, fmt=tt.bfloat16)
    assert b.page == 2048 and b.size == 4096
    assert np.array_equal(b.read(tt.bfloat16), tt.round_bfloat16(x))
    with pytest.raises(tt.TensixError, match="writing 8192 bytes into a buffer of 4096"):
        b.write(np.zeros(2048, np.float32))
    b.free()
    with pytest.raises(tt.TensixError, match="freed"):
        b.read()
    with pytest.raises(tt.TensixError, match="out of DRAM"):
        dev.buffer(8 << 30)


def test_bfp4_b_by_hand():
    x = np.zeros(1024, np.float32)
    x[:4] = [1, -0.5, 0.3, 1.75]  # shared exponent 2^0: value = m / 4, m of 3 bits; 0.3 * 4 = 1.2 -> 1; 1.75 * 4 = 7
    raw = tt.bfp4_b.encode(x)
    assert raw.size == 576 and raw[0] == 127
    assert raw[64:66].tolist() == [0x4 | (0x8 | 0x2) << 4, 0x1 | 0x7 << 4]
    assert tt.bfp4_b.decode(raw)[:4].tolist() == [1, -0.5, 0.25, 1.75]


def test_bfp8_b_flushes_denormals_to_zero():
    x = np.zeros(1024, np.float32)
    x[:3] = [1e-45, -1e-40, 2e-38]  # two denormals and a small normal
    back = tt.bfp8_b.decode(tt.bfp8_b.encode(x))
    assert back[0] == 0 and back[1] == 0 and abs(back[2] - 2e-38) < 2e-38 / 64


def test_matmul_reference_sums_a_tile_in_k_order_where_blas_may_not():
    """reference.matmul_matches: a tile's 32 products summed in k order in float32. Row 0: 2^24, then thirty ones (each
    lost: 2^24 + 1 rounds back to even), then -2^24: 0 in k order, 30 exactly; any other value is rejected."""
    from tensix import reference
    a = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    b = np.ones((64, 32), np.float32)
    a[0, :32] = [2.0 ** 24] + [1.0] * 30 + [-2.0 ** 24]
    a[0, 32:] = 0
    got = tt.round_bfloat16(reference.matmul(a, b))
    got[0] = 0.0
    assert reference.matmul_matches(got, a, b)
    for wrong in (30.0, got[1, 1] + 2 ** -4):
        bad = got.copy()
        bad[1 if wrong != 30.0 else 0, 1] = wrong
        assert not reference.matmul_matches(bad, a, b)
