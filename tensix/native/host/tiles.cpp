// The host's side of a bfloat16 tile buffer in one pass: float32 rows -> bfloat16 (round to nearest even, a NaN stays a
// NaN) -> tile order (32 x 32 tiles, four 16 x 16 faces, rows in a face) -> each page straight into its bank, and back.
// numpy does the same in three passes with two temporaries (tensix/formats.py is the reference the tests hold it to).
// Built with the host compiler on first use (tensix/build.py host_library) and called through ctypes.
#include <cstdint>
#include <cstring>

namespace {
constexpr int64_t TILE = 32, FACE = 16, ROW_BYTES = FACE * 2;  // a face row: 16 bfloat16 values, 32 bytes

inline uint16_t to_bfloat16(uint32_t u) {
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (u >> 31) ? 0xFFC0 : 0x7FC0;  // NaN: the canonical quiet one, sign kept
    return uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);             // ties to even; overflow rounds to inf
}

// Where the face row holding values (r, c..c+15) of matrix `m` lands: tilized byte offset -> page -> bank, address.
struct Pages {
    uint8_t* mem; int64_t bank_bytes, addr, banks, stride, page, rows, cols;
    uint8_t* at(int64_t m, int64_t r, int64_t c) const {
        int64_t tile = (m * (rows / TILE) + r / TILE) * (cols / TILE) + c / TILE;
        int64_t face = ((r % TILE) >= FACE) * 2 + ((c % TILE) >= FACE);
        int64_t k = (tile * TILE * TILE + face * FACE * FACE + (r % FACE) * FACE) * 2;
        int64_t p = k / page;
        return mem + (p % banks) * bank_bytes + addr + (p / banks) * stride + k % page;
    }
};
}  // namespace

extern "C" {
// src: `mats` float32 matrices of rows x cols, row-major. mem: the banks, each `bank_bytes` long. Page i of the buffer
// sits in bank i % banks at addr + (i / banks) * stride. The caller checks rows and cols are multiples of 32, page a
// multiple of 32 bytes, and the buffer whole pages.
void tensix_write_bfloat16_tiles(const float* src, int64_t mats, int64_t rows, int64_t cols, uint8_t* mem,
                                 int64_t bank_bytes, int64_t addr, int64_t banks, int64_t stride, int64_t page) {
    Pages pg{mem, bank_bytes, addr, banks, stride, page, rows, cols};
    for (int64_t m = 0; m < mats; m++)
        for (int64_t r = 0; r < rows; r++) {
            const float* row = src + (m * rows + r) * cols;
            for (int64_t c = 0; c < cols; c += FACE) {
                uint16_t out[FACE];
                for (int i = 0; i < FACE; i++) { uint32_t u; std::memcpy(&u, row + c + i, 4); out[i] = to_bfloat16(u); }
                std::memcpy(pg.at(m, r, c), out, ROW_BYTES);
            }
        }
}

// The inverse: the banks' bfloat16 tiles -> `mats` float32 matrices of rows x cols, row-major (exact: bfloat16 is the
// top half of a float32).
void tensix_read_bfloat16_tiles(float* dst, int64_t mats, int64_t rows, int64_t cols, const uint8_t* mem,
                                int64_t bank_bytes, int64_t addr, int64_t banks, int64_t stride, int64_t page) {
    Pages pg{const_cast<uint8_t*>(mem), bank_bytes, addr, banks, stride, page, rows, cols};
    for (int64_t m = 0; m < mats; m++)
        for (int64_t r = 0; r < rows; r++) {
            float* row = dst + (m * rows + r) * cols;
            for (int64_t c = 0; c < cols; c += FACE) {
                uint16_t in[FACE];
                std::memcpy(in, pg.at(m, r, c), ROW_BYTES);
                for (int i = 0; i < FACE; i++) { uint32_t u = uint32_t(in[i]) << 16; std::memcpy(row + c + i, &u, 4); }
            }
        }
}
}
