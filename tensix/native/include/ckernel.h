// tt-llk's ckernel.h, the part kernels call: the mailboxes between a core's RISC-Vs. A data-movement kernel writes a
// word to each compute thread (UnpackThreadId, MathThreadId, PackThreadId); the compute kernel's read of
// BriscThreadId's mailbox waits for it. ttnn's padded matmul readers tell the compute kernel this way whether a batch
// is valid.
#pragma once
#include <cstdint>
#include "tensix_abi.h"
#include "ckernel_defs.h"

namespace ckernel {
inline void mailbox_write(const uint8_t thread, const uint32_t data) { tensix_api->mailbox_write(thread, data); }
inline uint32_t mailbox_read(const uint8_t thread) { return tensix_api->mailbox_read(thread); }  // blocks
inline bool mailbox_not_empty(const uint8_t thread) { return tensix_api->mailbox_not_empty(thread); }
}  // namespace ckernel
