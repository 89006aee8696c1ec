// The host's side of a bfloat16 tile buffer in one pass: float32 rows -> bfloat16 (round to nearest even, a NaN stays a
// NaN) -> tile order (32 x 32 tiles, four 16 x 16 faces, rows in a face) -> each page straight into its bank, and back.
// numpy does the same in three passes with two temporaries (tensix/formats.py is the reference the tests hold it to).
// Built with the host compiler on first use (tensix/build.py host_library) and called through ctypes.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>
#include <immintrin.h>
#include "../cpus.h"

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
    Pages from(int64_t offset) const {  // the same pages, stepping from the buffer's byte `offset` on
        Pages p = *this;
        p.bank = offset / page % banks; p.slot = offset / page / banks; p.at = offset % page;
        return p;
    }
    uint8_t* next() {
        if (at == page) { at = 0; if (++bank == banks) { bank = 0; slot++; } }
        uint8_t* p = mem + bank * bank_bytes + addr + slot * stride + at;
        at += ROW_BYTES;
        return p;
    }
};

// Reading whole tiles (the page a multiple of a tile) into a matrix whose rows start on 64-byte lines: a matrix row at a
// time, 32 values from each tile of its row of tiles (2 KB apart, a row of tiles stays in the cache), written in one
// sequential stream with stores that skip the cache (the matrix is larger than it; they neither read the lines first
// nor evict the tiles). Tile by tile, each face row went to a matrix row 16 KB and more from the last: twice as slow.
constexpr int64_t TILE_BYTES = TILE * TILE * 2;
bool can_read_by_rows(const float* dst, int64_t cols, int64_t page) {
#if defined(__AVX2__)
    return page % TILE_BYTES == 0 && (uintptr_t)dst % 64 == 0 && cols % 16 == 0;
#else
    return false;
#endif
}
// Tile rows g0 to g1 (of all the matrices' rows of tiles, in order).
void read_by_rows(float* dst, int64_t g0, int64_t g1, int64_t rows, int64_t cols, const uint8_t* mem, int64_t bank_bytes,
                  int64_t addr, int64_t banks, int64_t stride, int64_t page) {
#if defined(__AVX2__)
    std::vector<const uint16_t*> tiles(cols / TILE);
    int64_t per_page = page / TILE_BYTES, t = g0 * (cols / TILE);
    for (int64_t g = g0; g < g1; g++) {
        int64_t m = g / (rows / TILE), tr = g % (rows / TILE) * TILE;
        for (auto& p : tiles) {
            int64_t pg = t / per_page;
            p = (const uint16_t*)(mem + (pg % banks) * bank_bytes + addr + (pg / banks) * stride + (t % per_page) * TILE_BYTES);
            t++;
        }
        for (int64_t r = 0; r < TILE; r++) {
            float* out = dst + (m * rows + tr + r) * cols;
            int64_t face_row = (r / FACE) * 2 * FACE * FACE + (r % FACE) * FACE;  // the row's left face row in a tile
            for (const uint16_t* tile : tiles)
                for (const uint16_t* in : {tile + face_row, tile + face_row + FACE * FACE}) {  // left face, right face
#if defined(__AVX512F__)
                    __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i*)in));
                    _mm512_stream_si512((__m512i*)out, _mm512_slli_epi32(v, 16));
#else
                    for (int h = 0; h < 2; h++) {
                        __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i*)(in + 8 * h)));
                        _mm256_stream_si256((__m256i*)(out + 8 * h), _mm256_slli_epi32(v, 16));
                    }
#endif
                    out += FACE;
                }
        }
    }
    _mm_sfence();  // the streamed stores are in memory before the caller reads the matrix
#endif
}

// Calls f(first value of the face row in the row-major matrices, its 32 bytes in the banks) for every face row, in the
// buffer's order (matrices, tile rows, tiles, faces, rows in a face), for tile rows g0 to g1 of all the matrices'.
template <class F> void each_face_row(int64_t g0, int64_t g1, int64_t rows, int64_t cols, Pages pg, F f) {
    pg = pg.from(g0 * (cols / TILE) * TILE * TILE * 2);
    for (int64_t g = g0; g < g1; g++) {
        int64_t m = g / (rows / TILE), tr = g % (rows / TILE) * TILE;
        for (int64_t tc = 0; tc < cols; tc += TILE)
            for (int64_t face = 0; face < 4; face++)
                for (int64_t i = 0; i < FACE; i++)
                    f((m * rows + tr + (face / 2) * FACE + i) * cols + tc + (face % 2) * FACE, pg.next());
    }
}

// Calls part(g0, g1) for ranges of the `tile_rows` rows of tiles, on this thread and as many more as there are free
// processors and 2 MB chunks of float32 (a thread costs tens of microseconds to start). Each thread takes the next row
// of tiles when done with its last, so one the OS leaves waiting holds up at most one row; and this thread waits only
// for rows a helper has taken, never for a helper the OS has not started yet (beside a busy neighbour that wait was a
// time slice, milliseconds, where the whole conversion takes a few): the helpers are detached and share the count with
// it, and one that starts late finds every row taken and ends. Each row's bytes are the same whoever converts them.
struct Rows {
    std::atomic<int64_t> next{0}, taking{0};  // the next row; threads between taking a row and finishing it
    int64_t count;
    void (*convert)(void*, int64_t);  // valid while a row is left or being converted: the caller waits for those
    void* part;
    void work() {
        for (;;) {
            taking++;
            int64_t g = next.fetch_add(1);
            if (g < count) convert(part, g);
            taking--;
            if (g >= count) return;
        }
    }
};
template <class F> void by_tile_rows(int64_t tile_rows, int64_t cols, F part) {
    int64_t bytes = tile_rows * TILE * cols * 4;
    int threads = (int)std::min<int64_t>({bytes >> 21, tile_rows, 16});
    if (threads > 1) threads = std::min(threads, threads_to_use());
    if (threads <= 1) return part(0, tile_rows);
    auto rows = std::make_shared<Rows>();
    rows->count = tile_rows;
    rows->convert = [](void* f, int64_t g) { (*(F*)f)(g, g + 1); };
    rows->part = &part;
    for (int i = 1; i < threads; i++) {
        try { std::thread([rows] { rows->work(); }).detach(); }
        catch (const std::system_error&) { break; }  // no more threads to be had (a process limit): fewer do it, not a crash
    }
    rows->work();
    // every row is taken: a helper that takes one now finds none; wait for those still converting theirs
    while (rows->taking.load()) std::this_thread::yield();
}
}  // namespace

extern "C" {
// src: `mats` float32 matrices of rows x cols, row-major. mem: the banks, each `bank_bytes` long; the buffer's page i
// sits in bank i % banks at addr + (i / banks) * stride. The caller checks rows and cols are multiples of 32, the
// page a multiple of 32 bytes, and that the buffer holds the values.
void tensix_write_bfloat16_tiles(const float* src, int64_t mats, int64_t rows, int64_t cols, uint8_t* mem,
                                 int64_t bank_bytes, int64_t addr, int64_t banks, int64_t stride, int64_t page) {
    by_tile_rows(mats * rows / TILE, cols, [&](int64_t g0, int64_t g1) {
    each_face_row(g0, g1, rows, cols, Pages{mem, bank_bytes, addr, banks, stride, page}, [&](int64_t at, uint8_t* dst) {
        __builtin_prefetch(src + at + AHEAD);
#if defined(__AVX2__) && !defined(__AVX512BW__)
        // AVX2 has no 32-to-16-bit narrowing and gcc leaves the loop below scalar there (and copies through the stack,
        // stalling on each reload): 3x slower than by hand
        __m256i v[2];
        for (int h = 0; h < 2; h++) {
            __m256i u = _mm256_loadu_si256((const __m256i*)(src + at + 8 * h)), high = _mm256_srli_epi32(u, 16);
            __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(_mm256_set1_epi32(0x7FFF),
                                                _mm256_and_si256(high, _mm256_set1_epi32(1)))), 16);
            __m256i nan = _mm256_or_si256(_mm256_and_si256(high, _mm256_set1_epi32(0x8000)), _mm256_set1_epi32(0x7FC0));
            __m256i is_nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x7FFFFFFF)), _mm256_set1_epi32(0x7F800000));
            v[h] = _mm256_blendv_epi8(rounded, nan, is_nan);
        }
        // packus works within 128-bit halves, giving values 0-3, 8-11, 4-7, 12-15: put back in order
        __m256i out = _mm256_permute4x64_epi64(_mm256_packus_epi32(v[0], v[1]), 0xD8);
        if ((uintptr_t)dst % 32 == 0) _mm256_stream_si256((__m256i*)dst, out);  // past the cache, as below
        else _mm256_storeu_si256((__m256i*)dst, out);
#elif defined(__AVX512BW__)
        // the banks are larger than the cache: stores that skip it neither read each line first nor push out the
        // matrix's rows still to come (two face rows fill a line, in the write-combining buffer)
        __m512i u = _mm512_loadu_si512(src + at), high = _mm512_srli_epi32(u, 16);
        __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(_mm512_set1_epi32(0x7FFF),
                                            _mm512_and_si512(high, _mm512_set1_epi32(1)))), 16);
        __m512i nan = _mm512_or_si512(_mm512_and_si512(high, _mm512_set1_epi32(0x8000)), _mm512_set1_epi32(0x7FC0));
        __mmask16 is_nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7FFFFFFF)), _mm512_set1_epi32(0x7F800000));
        __m256i v = _mm512_cvtepi32_epi16(_mm512_mask_blend_epi32(is_nan, rounded, nan));
        if ((uintptr_t)dst % 32 == 0) _mm256_stream_si256((__m256i*)dst, v);
        else _mm256_storeu_si256((__m256i*)dst, v);
#else
        uint32_t in[FACE];
        uint16_t out[FACE];
        std::memcpy(in, src + at, sizeof in);
        for (int i = 0; i < FACE; i++) out[i] = to_bfloat16(in[i]);
        std::memcpy(dst, out, ROW_BYTES);
#endif
    });
    _mm_sfence();  // streamed stores are in memory before the engine reads the banks
    });
}

// The inverse: the banks' bfloat16 tiles -> `mats` float32 matrices of rows x cols, row-major (exact: bfloat16 is the
// top half of a float32).
void tensix_read_bfloat16_tiles(float* dst, int64_t mats, int64_t rows, int64_t cols, const uint8_t* mem,
                                int64_t bank_bytes, int64_t addr, int64_t banks, int64_t stride, int64_t page) {
    bool by_rows = can_read_by_rows(dst, cols, page);
    by_tile_rows(mats * rows / TILE, cols, [&](int64_t g0, int64_t g1) {
        if (by_rows) return read_by_rows(dst, g0, g1, rows, cols, mem, bank_bytes, addr, banks, stride, page);
        each_face_row(g0, g1, rows, cols, Pages{const_cast<uint8_t*>(mem), bank_bytes, addr, banks, stride, page},
                      [&](int64_t at, const uint8_t* src) {
            uint16_t in[FACE];
            __builtin_prefetch(src + AHEAD_BYTES);
            std::memcpy(in, src, ROW_BYTES);
            for (int i = 0; i < FACE; i++) { uint32_t u = uint32_t(in[i]) << 16; std::memcpy(dst + at + i, &u, 4); }
        });
    });
}
}
