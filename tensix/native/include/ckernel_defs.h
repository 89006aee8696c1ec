// tt-llk's ckernel_defs.h, the part kernels name: the RISC-V threads of a core, as the mailboxes number them.
#pragma once
#include "llk_defs.h"

namespace ckernel {
enum ThreadId { BriscThreadId = 0, UnpackThreadId = 1, MathThreadId = 2, PackThreadId = 3 };
}  // namespace ckernel
