// The RISC-V firmware's helpers kernels call (tt-metal's internal/tt-1xx/risc_common.h): invalidate_l1_cache is
// Blackhole's way to see L1 written by the NoC; the simulator's L1 is always current, so it does nothing.
#pragma once
#include <cstdint>
inline __attribute__((always_inline)) void invalidate_l1_cache() {}
