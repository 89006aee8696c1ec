// fill_tile (in sfpu.h: the value as float32 bits, as tensix's callers pass it), and today's fill_tile_bitcast (float32
// bits) and fill_tile_int<DataFormat> (an integer word in every place: a tile of integer words).
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
namespace ckernel {
ALWI void fill_tile_bitcast(uint32_t idst, uint32_t param0) { TENSIX_SFPU_NEED("fill_tile_bitcast", "fill_tile_init"); tensix_api->unary(TX_FILL, idst, param0); }
template <DataFormat data_format = DataFormat::Int32>
ALWI void fill_tile_int(uint32_t idst, uint32_t param0) {
    static_assert(data_format == DataFormat::Int32 || data_format == DataFormat::UInt32 || data_format == DataFormat::UInt16,
                  "Unsupported data format for fill_tile_int. Supported: Int32, UInt32, UInt16");
    TENSIX_SFPU_NEED("fill_tile_int", "fill_tile_init");
    tensix_api->unary(TX_FILL_INT, idst, param0);
}
}  // namespace ckernel
