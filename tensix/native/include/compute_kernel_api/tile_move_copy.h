// copy_tile and friends live in common.h; tt-metal kernels include them from here.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
// The matmul's partial results back into the register: tiles start_in_tile.. of a circular buffer's front into
// register tiles start_dst.., as copy_tile does one by one.
ALWI void copy_block_matmul_partials(uint32_t in_cb_id, uint32_t start_in_tile_index, uint32_t start_dst_tile_index, uint32_t ntiles) {
    for (uint32_t i = 0; i < ntiles; i++) tensix_api->copy_tile(in_cb_id, start_in_tile_index + i, start_dst_tile_index + i);
}
}  // namespace ckernel
