// tt-metal's header of this name holds SFPU binaries on register tiles. Those the simulator models (float ops,
// div_int32, remainder_int32, bitwise and/or/xor, add/sub/rsub/mul_int) are in eltwise_unary/sfpu.h; a call to one it does not model yet
// (the shifts with a data format, gcd, lcm, ...) fails to compile, naming the op.
#pragma once
#include "compute_kernel_api/eltwise_unary/sfpu.h"
