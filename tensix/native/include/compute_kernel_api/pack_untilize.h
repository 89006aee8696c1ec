// Untilize on the packer: block_ct_dim tiles in, the same data as rows out.
#pragma once
#include "compute_kernel_api/untilize.h"

namespace ckernel {
template <uint32_t block_ct_dim = 8>
ALWI void pack_untilize_init(uint32_t icb, uint32_t ocb) {}
template <uint32_t block_ct_dim = 8>
ALWI void pack_untilize_init_short(uint32_t icb, uint32_t ocb) {}
ALWI void pack_untilize_uninit(uint32_t ocb = 16) {}
template <uint32_t block_ct_dim = 8>
ALWI void pack_untilize_block(uint32_t icb, uint32_t block_rt_dim, uint32_t ocb) {
    for (uint32_t r = 0; r < block_rt_dim; r++) tensix_api->tilize(icb, block_ct_dim, ocb, 1);
}
}  // namespace ckernel
