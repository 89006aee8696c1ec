"""The host library's one-pass bfloat16 tiles (Buffer.write(x, tt.bfloat16, tilize=True), read(..., untilize=shape))
held byte for byte to the numpy path: tt.tilize with formats.py's bfloat16 rounding, then the buffer's interleaving."""
import os
import numpy as np
import pytest
import tensix as tt
from tensix import device


def awkward(shape, seed):
    """float32 values with every kind of bit pattern: random bits (NaNs with payloads, infs, denormals), ties, zeros."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2**32, size=shape, dtype=np.uint64).astype(np.uint32)
    x.reshape(-1)[::7] = rng.standard_normal(x.size)[::7].astype(np.float32).view(np.uint32)
    x.reshape(-1)[::11] &= 0x807FFFFF  # denormals (and zeros)
    x.reshape(-1)[::13] = (x.reshape(-1)[::13] & 0xFFFF0000) | 0x8000  # exactly half-way
    special = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 3.4e38, -3.4e38], np.float32).view(np.uint32)
    x.reshape(-1)[:8] = special
    return x.view(np.float32)


def numpy_write(buf, x):
    buf.write(tt.tilize(x, tt.bfloat16), tt.bfloat16)


@pytest.mark.parametrize("shape, page, l1", [((32, 32), 2048, False), ((64, 96), 2048, False), ((3, 96, 64), 2048, False),
                                             ((160, 32), 1024, False), ((2, 2, 64, 32), 4096, False),
                                             ((96, 160), 2080, False), ((32, 64), 32, False), ((64, 64), 2048, True)])
def test_native_write_and_read_match_numpy_byte_for_byte(dev, shape, page, l1):
    x = awkward(shape, sum(shape) + page)
    buf = dev.buffer(x.size * 2 + 3 * page, page=page, l1=l1)  # a longer buffer: the tail stays as it was
    buf.write(np.arange(buf.size, dtype=np.uint32).astype(np.uint8))
    assert device._host_library() is not None
    buf.write(x, tt.bfloat16, tilize=True)
    native = buf.read()
    got = buf.read(tt.bfloat16, untilize=shape)
    buf.write(np.arange(buf.size, dtype=np.uint32).astype(np.uint8))
    numpy_write(buf, x)
    assert native.tobytes() == buf.read().tobytes()
    ref = tt.untilize(buf.read(tt.bfloat16, x.size), shape[-2], shape[-1]).reshape(shape)
    assert got.shape == shape and got.dtype == np.float32 and got.tobytes() == ref.tobytes()
    buf.free()


@pytest.mark.parametrize("threads", ["1", "3"])
@pytest.mark.parametrize("shape, page", [((2, 544, 1056), 2048), ((1, 1024, 1152), 2080)])
def test_conversions_shared_between_threads_give_the_same_bytes(dev, monkeypatch, threads, shape, page):
    """4 MB and more are converted by several threads, each taking the next row of tiles: a page that starts mid-tile
    (2080 bytes) makes each thread find its place in the banks on its own."""
    monkeypatch.setenv("TENSIX_THREADS", threads)
    test_native_write_and_read_match_numpy_byte_for_byte(dev, shape, page, False)


def test_untilized_read_of_bfloat16_is_the_rounded_input(dev):
    x = awkward((64, 64), 5)
    buf = dev.buffer(x.size * 2, page=2048)
    buf.write(x, tt.bfloat16, tilize=True)
    assert buf.read(tt.bfloat16, untilize=x.shape).tobytes() == tt.round_bfloat16(x).tobytes()


def test_without_the_host_library_the_numpy_path_does_the_same(dev, monkeypatch):
    x = awkward((2, 64, 32), 9)
    buf = dev.buffer(x.size * 2, page=2048)
    buf.write(x, tt.bfloat16, tilize=True)
    native, native_back = buf.read(), buf.read(tt.bfloat16, untilize=x.shape)
    monkeypatch.setattr(device, "_host_library", lambda: None)
    buf.write(np.zeros(buf.size, np.uint8))
    buf.write(x, tt.bfloat16, tilize=True)
    assert buf.read().tobytes() == native.tobytes()
    assert buf.read(tt.bfloat16, untilize=x.shape).tobytes() == native_back.tobytes()


def test_tilize_on_write_takes_other_formats_through_numpy(dev):
    x = np.random.default_rng(3).standard_normal((64, 32)).astype(np.float32)
    buf = dev.buffer(x.size * 4, page=4096)
    buf.write(x, tt.float32, tilize=True)
    assert buf.read(np.float32).tobytes() == tt.tilize(x).tobytes()
    assert buf.read(tt.float32, untilize=x.shape).tobytes() == x.tobytes()


def test_writing_more_tiles_than_the_buffer_holds_names_both(dev):
    buf = dev.buffer(2048, page=2048)
    with pytest.raises(tt.TensixError, match="2048 bfloat16 values: the buffer holds 1024"):
        buf.write(np.zeros((32, 64), np.float32), tt.bfloat16, tilize=True)


def test_a_buffer_made_from_values_tilizes_them_in_any_format(dev):
    x = np.random.default_rng(4).standard_normal((2, 32, 64)).astype(np.float32)
    for fmt in (tt.bfloat16, tt.bfp8_b, tt.float16):
        buf = dev.buffer(x, fmt=fmt, tilize=True)
        assert buf.page == fmt.tile_bytes and buf.read().tobytes() == fmt.encode(tt.tilize(x)).tobytes()
        buf.free()


def test_tilizing_a_shape_that_is_not_whole_tiles_says_so(dev):
    buf = dev.buffer(4096, page=2048)
    for shape in [(64,), (32, 48), (40, 32)]:
        with pytest.raises(tt.TensixError, match=r"multiples of 32; got shape \(" + str(shape[0])):
            buf.write(np.zeros(shape, np.float32), tt.bfloat16, tilize=True)


@pytest.mark.skipif("avx2" not in open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else True,
                    reason="needs an x86 processor with AVX2")
def test_an_avx2_only_build_matches_numpy_too(dev, monkeypatch):
    """The library has hand-written AVX2 paths for processors without AVX-512 (which the native build here may skip)."""
    from tensix import build
    monkeypatch.setattr(build, "HOST_FLAGS", [f if f != "-march=native" else "-march=x86-64-v3" for f in build.HOST_FLAGS])
    device._host_library.cache_clear()
    try:
        for shape, page in [((64, 96), 2048), ((3, 96, 64), 4096), ((96, 160), 2080), ((32, 64), 32)]:
            test_native_write_and_read_match_numpy_byte_for_byte(dev, shape, page, False)
    finally:
        device._host_library.cache_clear()
