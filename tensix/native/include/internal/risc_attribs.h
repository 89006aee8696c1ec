// tt-metal's internal/risc_attribs.h: the attributes kernels put on pointers and functions. L1 is plain memory here.
#pragma once
#define tt_l1_ptr
#define tt_reg_ptr
#define FORCE_INLINE inline __attribute__((always_inline))
