// The host's side of a bfloat16 tile buffer in one pass: float32 rows -> bfloat16 (round to nearest even, a NaN stays a
// NaN) -> tile order (32 x 32 tiles, four 16 x 16 faces, rows in a face) -> each page straight into its bank, and back.
// numpy does the same in three passes with two temporaries (tensix/formats.py is the reference the tests hold it to).
// Built with the host compiler on first use (tensix/build.py host_library) and called through ctypes.
#include <cstdint>
#include <cstring>

namespace {
constexpr int64_t TILE = 32, FACE = 16, ROW_BYTES = FACE * 2;  // a face row: 16 bfloat16 values, 32 bytes
// Writing, a tile reads 32 rows of the matrix, 128 bytes each, 16 KB and more apart: too many streams for the
// processor to see, so each face row fetches the one AHEAD values on (a few tiles to the right) itself. Reading, the
// banks' side is fetched a quarter of a page ahead the same way (across a page's end, what it fetches is not next).
constexpr int64_t AHEAD = 4 * TILE, AHEAD_BYTES = 512;

// Without branches, so the compiler converts a face row in a few vector instructions.
inline uint16_t to_bfloat16(uint32_t u) {
    uint32_t rounded = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;  // ties to even; overflow rounds to inf
    uint32_t nan = ((u >> 16) & 0x8000u) | 0x7FC0u;              // NaN: the canonical quiet one, sign kept
    uint32_t is_nan = -uint32_t((u & 0x7FFFFFFFu) > 0x7F800000u);   // a mask, not a ?: (which gcc leaves scalar)
    return uint16_t((nan & is_nan) | (rounded & ~is_nan));
}

// The buffer's pages in order, a face row (32 bytes) at a time: page i sits in bank i % banks at addr + (i / banks) *
// stride. Stepping in tile order keeps the page, bank and slot as counters (no division per face row).
struct Pages {
    uint8_t* mem; int64_t bank_bytes, addr, banks, stride, page;
    int64_t bank = 0, slot = 0, at = 0;
    uint8_t* next() {
        if (at == page) { at = 0; if (++bank == banks) { bank = 0; slot++; } }
        uint8_t* p = mem + bank * bank_bytes + addr + slot * stride + at;
        at += ROW_BYTES;
        return p;
    }
};

// Calls f(first value of the face row in the row-major matrices, its 32 bytes in the banks) for every face row, in the
// buffer's order: matrices, tile rows, tiles, faces, rows in a face.
template <class F> void each_face_row(int64_t mats, int64_t rows, int64_t cols, Pages pg, F f) {
    for (int64_t m = 0; m < mats; m++)
        for (int64_t tr = 0; tr < rows; tr += TILE)
            for (int64_t tc = 0; tc < cols; tc += TILE)
                for (int64_t face = 0; face < 4; face++)
                    for (int64_t i = 0; i < FACE; i++)
                        f((m * rows + tr + (face / 2) * FACE + i) * cols + tc + (face % 2) * FACE, pg.next());
}
}  // namespace

extern "C" {
// src: `mats` float32 matrices of rows x cols, row-major. mem: the banks, each `bank_bytes` long; the buffer's page i
// sits in bank i % banks at addr + (i / banks) * stride. The caller checks rows and cols are multiples of 32, the
// page a multiple of 32 bytes, and that the buffer holds the values.
void tensix_write_bfloat16_tiles(const float* src, int64_t mats, int64_t rows, int64_t cols, uint8_t* mem,
                                 int64_t bank_bytes, int64_t addr, int64_t banks, int64_t stride, int64_t page) {
    each_face_row(mats, rows, cols, Pages{mem, bank_bytes, addr, banks, stride, page}, [&](int64_t at, uint8_t* dst) {
        uint32_t in[FACE];
        uint16_t out[FACE];
        __builtin_prefetch(src + at + AHEAD);
        std::memcpy(in, src + at, sizeof in);
        for (int i = 0; i < FACE; i++) out[i] = to_bfloat16(in[i]);
        std::memcpy(dst, out, ROW_BYTES);
    });
}

// The inverse: the banks' bfloat16 tiles -> `mats` float32 matrices of rows x cols, row-major (exact: bfloat16 is the
// top half of a float32).
void tensix_read_bfloat16_tiles(float* dst, int64_t mats, int64_t rows, int64_t cols, const uint8_t* mem,
                                int64_t bank_bytes, int64_t addr, int64_t banks, int64_t stride, int64_t page) {
    each_face_row(mats, rows, cols, Pages{const_cast<uint8_t*>(mem), bank_bytes, addr, banks, stride, page},
                  [&](int64_t at, const uint8_t* src) {
        uint16_t in[FACE];
        __builtin_prefetch(src + AHEAD_BYTES);
        std::memcpy(in, src, ROW_BYTES);
        for (int i = 0; i < FACE; i++) { uint32_t u = uint32_t(in[i]) << 16; std::memcpy(dst + at + i, &u, 4); }
    });
}
}
