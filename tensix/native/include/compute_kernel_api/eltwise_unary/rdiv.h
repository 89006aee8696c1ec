// rdiv_tile<RoundingMode>(idst, value): value / x for each x of the tile, value as float32 bits, then truncated or
// floored if asked (tt-metal's eltwise_unary/rdiv.h).
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
namespace ckernel {
enum class RoundingMode : uint8_t { None = 0, Trunc = 1, Floor = 2 };
ALWI void rdiv_tile_init() { TENSIX_SFPU_INIT("rdiv_tile_init"); }
template <RoundingMode rounding_mode = RoundingMode::None, auto... more>
ALWI void rdiv_tile(uint32_t dst_index, uint32_t value, VectorMode vector_mode = VectorMode::RC) {
    TENSIX_SFPU_NEED("rdiv_tile", "rdiv_tile_init");
    tensix_api->unary(rounding_mode == RoundingMode::Trunc ? TX_RDIV_TRUNC : rounding_mode == RoundingMode::Floor ? TX_RDIV_FLOOR : TX_RDIV,
                      dst_index, value);
}
}  // namespace ckernel
