// Today's first call of a compute kernel: configures unpacker, math and packer for these circular buffers. The
// simulator unpacks and packs every buffer in its own format, so there is nothing to configure.
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb, uint32_t call_line = 0) {}
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb) {}
}  // namespace ckernel
