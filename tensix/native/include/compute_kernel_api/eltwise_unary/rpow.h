// rpow_tile(idst, base): pow(base, x) for each x of the tile, base as float32 bits (tt-metal's eltwise_unary/rpow.h).
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
namespace ckernel {
ALWI void rpow_tile_init() { TENSIX_SFPU_INIT("rpow_tile_init"); }
template <auto... more>
ALWI void rpow_tile(uint32_t idst, uint32_t base_val, VectorMode vector_mode = VectorMode::RC) {
    TENSIX_SFPU_NEED("rpow_tile", "rpow_tile_init");
    tensix_api->unary(TX_RPOW, idst, base_val);
}
}  // namespace ckernel
