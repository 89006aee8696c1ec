"""Number formats and tiles, as the chip stores them.

A tile is 32 x 32 values in four 16 x 16 faces (top-left, top-right, bottom-left, bottom-right), each face row-major.
Block-float formats (bfp8_b, bfp4_b) share one exponent between the 16 values of a face row, so they only exist for tiles.
"""
import numpy as np

TILE = 32
FACE = 16


class DataFormat:
    """An element format of buffers and circular-buffer pages; `code` is tt-metal's DataFormat enum value."""

    def __init__(self, name, code, tile_bytes, dtype=None, encode=None, decode=None):
        self.name, self.code, self.tile_bytes, self._dtype = name, code, tile_bytes, dtype
        self._encode, self._decode = encode, decode

    @property
    def dtype(self):
        """The numpy type of one value (None for block floats); bfloat16's comes from ml_dtypes, loaded on first use."""
        return _ml_dtypes().bfloat16 if self._dtype == "bfloat16" else self._dtype

    def encode(self, values) -> np.ndarray:
        """Values (any shape; tilized order for block-float formats) -> the bytes the chip holds."""
        if self._encode: return self._encode(np.asarray(values))
        return np.ascontiguousarray(np.asarray(values).astype(self.dtype)).reshape(-1).view(np.uint8)

    def decode(self, raw) -> np.ndarray:
        """The chip's bytes -> a flat numpy array of values (float32 for bfloat16 and block floats)."""
        raw = np.frombuffer(raw, np.uint8) if isinstance(raw, (bytes, bytearray, memoryview)) else np.asarray(raw, np.uint8)
        if self._decode: return self._decode(raw)
        return raw.view(self.dtype).copy()

    def __repr__(self): return f"tensix.{self.name}"


# ---- bfloat16: the top half of a float32, rounded to nearest even. ml_dtypes converts in one pass at memory speed
# (several times faster than the same rounding written with numpy's whole-array operations); a NaN stays a NaN.
def _ml_dtypes():
    import ml_dtypes  # here: `import tensix` need not load it
    return ml_dtypes


def bfloat16_bits(x) -> np.ndarray:
    ml_dtypes = _ml_dtypes()
    x = np.asarray(x)
    if x.dtype == ml_dtypes.bfloat16: return x.view(np.uint16)  # already bfloat16 values (tilize(x, bfloat16) gives them)
    with np.errstate(invalid="ignore"):  # NaNs convert to NaNs, quietly
        return np.asarray(x, np.float32).astype(ml_dtypes.bfloat16).view(np.uint16)


def bfloat16_value(bits) -> np.ndarray:
    return np.asarray(bits, np.uint16).view(_ml_dtypes().bfloat16).astype(np.float32)


def round_bfloat16(x) -> np.ndarray:
    """float32 values rounded to the nearest bfloat16, as float32: the reference for results the chip gives."""
    return bfloat16_value(bfloat16_bits(np.asarray(x, np.float32)))


# ---- block floats: per 16 values (a face row) one shared 8-bit exponent, the largest of theirs; per value a sign and a
# magnitude of `bits` bits whose top bit is the hidden 1 of the largest value: 7 bits in bfp8_b (a byte a value), 3 in
# bfp4_b (a nibble a value, the first in the low nibble). A tile: 64 exponents (face rows in order), then the values.
# Rounding is to nearest even, saturating; denormals flush to zero (as tt-metal's host conversions do today).
def _bfp_groups(x):
    x = np.asarray(x, np.float32).reshape(-1)
    if x.size % (TILE * TILE): raise ValueError(f"block-float formats hold whole tiles of 1024 values; got {x.size} values")
    return x.reshape(-1, FACE)


def _in_blocks(f, x, block):
    """f over `block` values at a time, joined: the temporaries stay in the processor's cache (twice as fast)."""
    if x.size <= block: return f(x)
    return np.concatenate([f(x[s:s + block]) for s in range(0, x.size, block)])


def _bfp_encode(x, bits):
    return _in_blocks(lambda part: _bfp_encode_tiles(part, bits), _bfp_groups(x).reshape(-1), 1 << 16)


def _bfp_decode(raw, bits):
    raw = np.asarray(raw, np.uint8).reshape(-1)
    return _in_blocks(lambda part: _bfp_decode_tiles(part, bits), raw, 64 * (64 + 1024 * (bits + 1) // 8))


def _bfp_encode_tiles(x, bits):
    u = x.reshape(-1, FACE).view(np.uint32)
    exp = (u >> 23) & 0xFF
    shared = exp.max(axis=1, keepdims=True)
    mant = np.where(exp > 0, (u & 0x7FFFFF) | 0x800000, 0).astype(np.uint32)
    # 24-bit mantissa down to `bits` bits, minus the gap to the shared exponent; past 25 bits of shift every value is 0
    shift = np.minimum(shared - exp + (24 - bits), 25).astype(np.uint32)
    mag = (mant + (np.uint32(1) << (shift - 1)) - 1 + ((mant >> shift) & 1)) >> shift  # ties to even
    mag = np.minimum(mag, (1 << bits) - 1).astype(np.uint8)
    vals = np.where(mag == 0, 0, ((u >> 31).astype(np.uint8) << bits) | mag).astype(np.uint8).reshape(-1, 1024)
    if bits == 3: vals = vals[:, 0::2] | (vals[:, 1::2] << 4)
    return np.concatenate([shared.astype(np.uint8).reshape(-1, 64), vals], axis=1).reshape(-1)


def _bfp_decode_tiles(raw, bits):
    t = np.asarray(raw, np.uint8).reshape(-1, 64 + 1024 * (bits + 1) // 8)
    exps = t[:, :64].astype(np.int32).reshape(-1, 1)
    vals = t[:, 64:]
    if bits == 3: vals = np.stack([vals & 0xF, vals >> 4], axis=2).reshape(-1, 1024)
    vals = vals.reshape(-1, FACE)
    out = np.ldexp((vals & ((1 << bits) - 1)).astype(np.float32) / (1 << (bits - 1)), exps - 127).astype(np.float32)
    return np.where(vals >> bits, -out, out).reshape(-1)


float32 = DataFormat("Float32", 0, 4096, np.float32)
float16 = DataFormat("Float16", 1, 2048, np.float16)
bfloat16 = DataFormat("Float16_b", 5, 2048, "bfloat16", lambda x: bfloat16_bits(x).reshape(-1).view(np.uint8),
                      lambda raw: bfloat16_value(raw.view(np.uint16)))
bfp8_b = DataFormat("Bfp8_b", 6, 1088, None, lambda x: _bfp_encode(x, 7), lambda raw: _bfp_decode(raw, 7))
bfp4_b = DataFormat("Bfp4_b", 7, 576, None, lambda x: _bfp_encode(x, 3), lambda raw: _bfp_decode(raw, 3))
int32 = DataFormat("Int32", 8, 4096, np.int32)
uint16 = DataFormat("UInt16", 9, 2048, np.uint16)
uint32 = DataFormat("UInt32", 24, 4096, np.uint32)
uint8 = DataFormat("UInt8", 30, 1024, np.uint8)
FORMATS = {f.name: f for f in (float32, float16, bfloat16, bfp8_b, bfp4_b, int32, uint16, uint32, uint8)}


# ---- tiles
def _face_rows(x):
    """x with each face row (16 values in a row) as one opaque element: numpy then moves a face row per step, not a
    value (tilizing bfloat16 runs in two thirds of the time)."""
    return np.ascontiguousarray(x).view(np.dtype((np.void, FACE * x.itemsize)))


def tilize(x, fmt: DataFormat = None) -> np.ndarray:
    """(..., rows, cols) row-major -> flat values in tile order: tiles row-major, faces within a tile, rows in a face.
    With `fmt` (any but the block floats), the values are first converted to fmt.dtype (bfloat16 rounds to nearest
    even), ready for Buffer.write(..., fmt) at about the cost of two copies."""
    x = np.asarray(x, np.float32) if fmt is bfloat16 else np.asarray(x)  # bfloat16 rounds from float32, as encode does
    *batch, r, c = x.shape
    if r % TILE or c % TILE: raise ValueError(f"tilize needs rows and cols that are multiples of 32; got {r} x {c}")
    if fmt is not None:
        if fmt.dtype is None: raise ValueError(f"{fmt} packs whole tiles: tilize, then {fmt}.encode")
        with np.errstate(invalid="ignore"):
            x = x.astype(fmt.dtype)  # converting contiguous values first, then moving face rows, beats doing both at once
    t = _face_rows(x).reshape(-1, r // TILE, 2, FACE, c // TILE, 2).transpose(0, 1, 4, 2, 5, 3)
    return t.reshape(-1).view(x.dtype)


def untilize(flat, rows, cols, dtype=None) -> np.ndarray:
    """Flat values in tile order -> (..., rows, cols); the inverse of tilize. With `dtype`, the values are converted to
    it in the same pass (untilize(buf.read(bfloat16.dtype), rows, cols, np.float32) reads bfloat16 at one copy's cost)."""
    flat = np.asarray(flat)
    if rows % TILE or cols % TILE: raise ValueError(f"untilize needs rows and cols that are multiples of 32; got {rows} x {cols}")
    if dtype is None or np.dtype(dtype) == flat.dtype:  # moving face rows whole
        t = _face_rows(flat).reshape(-1, rows // TILE, cols // TILE, 2, 2, FACE).transpose(0, 1, 3, 5, 2, 4)
        out = t.reshape(-1).view(flat.dtype)
    else:  # converting as it moves: one pass
        t = flat.reshape(-1, rows // TILE, cols // TILE, 2, 2, FACE, FACE).transpose(0, 1, 3, 5, 2, 4, 6)
        out = np.empty(t.shape, dtype)
        np.copyto(out, t, casting="unsafe")
    out = out.reshape(-1, rows, cols)
    return out[0] if out.shape[0] == 1 else out
