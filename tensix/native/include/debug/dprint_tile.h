// tt-metal's TileSlice (api/debug/dprint_tile.h): `DPRINT << TileSlice(cb, tile, SliceRange{...}, ...)` prints the
// elements [h0:h1:hs, w0:w1:ws] of tile `tile` counted from a circular buffer's read or write pointer, row by row
// (each row a line when endl_rows), in the buffer's format, indexed through the tile's faces unless the tile is
// already untilized (print_untilized false). As on the chip, at most MAX_BYTES of data are printed. A data-movement
// kernel says whether the buffer is an input or an output and which pointer to use; a compute kernel, run here as one
// thread, uses the read pointer (the unpacker's view).
#pragma once
#include <cstdint>
#include "tensix_types.h"

struct SliceRange {
    uint8_t h0, h1, hs, w0, w1, ws;
    static constexpr SliceRange hw0_32_16() { return {0, 32, 16, 0, 32, 16}; }
    static constexpr SliceRange hw0_32_8() { return {0, 32, 8, 0, 32, 8}; }
    static constexpr SliceRange hw0_32_4() { return {0, 32, 4, 0, 32, 4}; }
    static constexpr SliceRange h0_w0_32() { return {0, 1, 1, 0, 32, 1}; }
    static constexpr SliceRange h0_32_w0() { return {0, 32, 1, 0, 1, 1}; }
    static constexpr SliceRange hw041() { return {0, 4, 1, 0, 4, 1}; }
};
using dprint_tslice_ptr_t = bool;
#define TSLICE_RD_PTR true
#define TSLICE_WR_PTR false
using dprint_tslice_cb_t = bool;
#define TSLICE_INPUT_CB true
#define TSLICE_OUTPUT_CB false

template <int MAX_BYTES = 32 * 2>
struct TileSlice {
    uint32_t addr;
    uint8_t format;
    SliceRange s;
    bool endl_rows, untilized;
#ifdef COMPILE_FOR_TRISC
    TileSlice(uint8_t cb, int tile, const SliceRange& s, bool endl_rows = true, bool print_untilized = true)
        : TileSlice(cb, tile, s, TSLICE_RD_PTR, endl_rows, print_untilized, 0) {}
#else  // NCRISC (the reader) looks at what it writes by default, BRISC at what it reads
#ifdef COMPILE_FOR_NCRISC
    TileSlice(uint8_t cb, int tile, const SliceRange& s, dprint_tslice_cb_t cb_type, dprint_tslice_ptr_t ptr_type = TSLICE_WR_PTR,
#else
    TileSlice(uint8_t cb, int tile, const SliceRange& s, dprint_tslice_cb_t cb_type, dprint_tslice_ptr_t ptr_type = TSLICE_RD_PTR,
#endif
              bool endl_rows = true, bool print_untilized = true)
        : TileSlice(cb, tile, s, ptr_type, endl_rows, print_untilized, 0) {}
#endif
    // each circular buffer has one format here, whether read as an input or written as an output
    TileSlice(uint8_t cb, int tile, const SliceRange& s, dprint_tslice_ptr_t ptr_type, bool endl_rows, bool untilized, int)
        : addr((ptr_type == TSLICE_RD_PTR ? tensix_api->cb_read_ptr(cb) : tensix_api->cb_write_ptr(cb)) +
               tile * tensix_api->cb_page_size(cb)),
          format((uint8_t)tensix_api->cb_format(cb)), s(s), endl_rows(endl_rows), untilized(untilized) {}
    uint32_t index(uint32_t h, uint32_t w) const {  // 32 x 32 tiles of four 16 x 16 faces
        return untilized ? ((h / 16) * 2 + w / 16) * 256 + (h % 16) * 16 + w % 16 : h * 32 + w;
    }
};

template <int MAX_BYTES>
DebugPrinter operator<<(DebugPrinter p, TileSlice<MAX_BYTES> t) {
    const DataFormat f = static_cast<DataFormat>(t.format);
    const uint32_t size = f == DataFormat::Float32 || f == DataFormat::Int32 || f == DataFormat::UInt32 ? 4
                        : f == DataFormat::Float16_b || f == DataFormat::UInt16 ? 2
                        : f == DataFormat::UInt8 || f == DataFormat::Int8 ? 1 : 0;
    if (!size) return p << "<TileSlice: this format is not printed here>";
    const uint8_t* data = reinterpret_cast<const uint8_t*>((uintptr_t)t.addr);
    uint32_t bytes = 0;
    for (uint32_t h = t.s.h0; h < t.s.h1; h += t.s.hs) {
        for (uint32_t w = t.s.w0; w < t.s.w1; w += t.s.ws) {
            if ((bytes += size) > (uint32_t)MAX_BYTES) return p;  // the chip's print buffer holds no more
            const uint8_t* d = data + t.index(h, w) * size;
            uint32_t u = size == 4 ? d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24 : size == 2 ? d[0] | d[1] << 8 : d[0];
            if (w != t.s.w0) p << " ";
            if (f == DataFormat::Float16_b) p << BF16((uint16_t)u);
            else if (f == DataFormat::Float32) p << __builtin_bit_cast(float, u);
            else if (f == DataFormat::Int32) p << (int)u;
            else if (f == DataFormat::Int8) p << (int)(int8_t)u;
            else p << u;
        }
        p << (t.endl_rows ? "\n" : " ");
    }
    return p;
}
