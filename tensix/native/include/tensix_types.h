// Device-side enums kernels name: data formats and circular-buffer indices, with tt-metal's names and values.
#pragma once
#include <cstdint>
#include "tensix_abi.h"

typedef unsigned int uint;  // as the chip's RISC-V toolchain has it (sys/types.h); kernels and their helpers use it

enum class DataFormat : uint8_t {
    Float32 = 0, Float16 = 1, Bfp8 = 2, Bfp4 = 3, Tf32 = 4, Float16_b = 5, Bfp8_b = 6, Bfp4_b = 7, Int32 = 8, UInt16 = 9,
    Lf8 = 10, Bfp2 = 11, Int8 = 14, Bfp2_b = 15, UInt32 = 24, UInt8 = 30, Invalid = 0xff,
};

// Bytes of one 32x32 tile in L1 (tt-metal's MUL_WITH_TILE_SIZE / GET_L1_TILE_SIZE).
constexpr inline uint32_t tensix_tile_bytes(DataFormat f) {
    switch (f) {
        case DataFormat::Float32: case DataFormat::Int32: case DataFormat::UInt32: return 4096;
        case DataFormat::Float16: case DataFormat::Float16_b: case DataFormat::UInt16: return 2048;
        case DataFormat::Bfp4: case DataFormat::Bfp4_b: return 576;
        case DataFormat::Bfp2: case DataFormat::Bfp2_b: return 320;
        case DataFormat::Int8: case DataFormat::UInt8: return 1024;
        default: return 1088;
    }
}

namespace tt {
enum CB : uint8_t {  // the 2024 names
    c_in0 = 0, c_in1, c_in2, c_in3, c_in4, c_in5, c_in6, c_in7,
    dataflow0 = 8, dataflow1, dataflow2, dataflow3, dataflow4, dataflow5, dataflow6, dataflow7,
    c_out0 = 16, c_out1, c_out2, c_out3, c_out4, c_out5, c_out6, c_out7,
    c_intermed0 = 24, c_intermed1, c_intermed2, c_intermed3, c_intermed4, c_intermed5, c_intermed6, c_intermed7,
};
enum CBIndex : uint8_t {  // today's names
    c_0 = 0, c_1, c_2, c_3, c_4, c_5, c_6, c_7, c_8, c_9, c_10, c_11, c_12, c_13, c_14, c_15,
    c_16, c_17, c_18, c_19, c_20, c_21, c_22, c_23, c_24, c_25, c_26, c_27, c_28, c_29, c_30, c_31,
};
}  // namespace tt

// The circular buffers a kernel's program gives it, known when the kernel is compiled (as tt-metal's build generates
// them), so `constexpr uint32_t size = get_tile_size(cb)` compiles: page size (0: not known) and data format per index.
#ifndef TENSIX_CB_PAGE_SIZES
#define TENSIX_CB_PAGE_SIZES 0
#define TENSIX_CB_FORMATS 0
#endif
constexpr uint32_t tensix_cb_page_size[32] = {TENSIX_CB_PAGE_SIZES};
constexpr uint8_t tensix_cb_format[32] = {TENSIX_CB_FORMATS};
#ifdef TENSIX_WORKER_COLS
// This core's logical coordinates in the grid (today's names; with no sub-devices, absolute and relative agree)
inline uint32_t get_absolute_logical_x() { return tensix_api->self->core % TENSIX_WORKER_COLS; }
inline uint32_t get_absolute_logical_y() { return tensix_api->self->core / TENSIX_WORKER_COLS; }
inline uint32_t get_relative_logical_x() { return get_absolute_logical_x(); }
inline uint32_t get_relative_logical_y() { return get_absolute_logical_y(); }
#endif
// tt-metal's generated descriptors of each circular buffer (chlkc_descriptors.h), which kernel helpers read: its
// format, and its tiles' rows and columns (32 x 32 here); the unpacker's for every kernel but the packer's (data-movement
// kernels too: ttnn's prepare_reduce_scaler reads them), the packer's for compute kernels
#define TENSIX_32_TIMES(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
constexpr const uint8_t (&unpack_src_format)[32] = tensix_cb_format;
constexpr uint8_t unpack_tile_r_dim[32] = {TENSIX_32_TIMES(32)}, unpack_tile_c_dim[32] = {TENSIX_32_TIMES(32)};
#ifdef COMPILE_FOR_TRISC
constexpr const uint8_t (&pack_dst_format)[32] = tensix_cb_format;
constexpr uint8_t pack_tile_r_dim[32] = {TENSIX_32_TIMES(32)}, pack_tile_c_dim[32] = {TENSIX_32_TIMES(32)};
#endif
#undef TENSIX_32_TIMES
constexpr bool tensix_cb_known(int32_t cb) { return (uint32_t)cb < 32 && tensix_cb_page_size[cb] != 0; }

// The firmware's view of a circular buffer (tt-metal's LocalCBInterface) that kernels and kernel helpers read, such
// as ttnn's get_cb_num_pages and its readers' page size; in bytes, or 16-byte units in a compute kernel, as on the chip.
// A copy: writing it changes nothing.
#include "tt-metalium/circular_buffer_constants.h"
#ifdef COMPILE_FOR_TRISC
#define TENSIX_CB_UNIT_SHIFT 4
#else
#define TENSIX_CB_UNIT_SHIFT 0
#endif
struct LocalCBInterface { uint32_t fifo_size, fifo_page_size, fifo_num_pages, fifo_rd_ptr, fifo_wr_ptr; };
inline LocalCBInterface& get_local_cb_interface(uint32_t cb_id) {
    static LocalCBInterface view;
    uint32_t size = tensix_api->cb_size(cb_id), page = tensix_api->cb_page_size(cb_id);
    uint32_t rd = tensix_api->cb_read_ptr(cb_id), wr = tensix_api->cb_write_ptr(cb_id);
    view = {size >> TENSIX_CB_UNIT_SHIFT, page >> TENSIX_CB_UNIT_SHIFT, page ? size / page : 0, rd >> TENSIX_CB_UNIT_SHIFT,
            wr >> TENSIX_CB_UNIT_SHIFT};
    return view;
}
