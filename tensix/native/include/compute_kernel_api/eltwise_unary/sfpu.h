// The vector unit (SFPU): functions applied in place to a tile of the destination register. Every op has its
// *_tile_init and *_tile; float parameters arrive as the bits of a float32 in a uint32_t, as in tt-metal.
#pragma once
#include "compute_kernel_api/eltwise_unary/eltwise_unary.h"

namespace ckernel {
#define TENSIX_UNARY(name, op)                                                  \
    ALWI void name##_tile_init() {}                                             \
    ALWI void name##_tile(uint32_t idst) { tensix_api->unary(op, idst, 0); }
#define TENSIX_UNARY_PARAM(name, op)                                            \
    ALWI void name##_tile_init() {}                                             \
    ALWI void name##_tile(uint32_t idst, uint32_t param0) { tensix_api->unary(op, idst, param0); }
// Ops with an approximate mode take it both ways tt-metal has: as a template argument (name_tile<true>(0)) and, as in
// 2024's headers, as a second argument (name_tile(0, true)). The simulator computes both the same way.
#define TENSIX_UNARY_APPROX(name, op, approx_default)                           \
    template <bool fast_and_approx = approx_default, auto... more>              \
    ALWI void name##_tile_init() {}                                             \
    ALWI void name##_tile_init(bool fast_and_approx) {}                         \
    template <bool fast_and_approx = approx_default, auto... more>              \
    ALWI void name##_tile(uint32_t idst) { tensix_api->unary(op, idst, 0); }    \
    ALWI void name##_tile(uint32_t idst, bool fast_and_approx) { tensix_api->unary(op, idst, 0); }

template <bool approx = false, auto... more>
ALWI void exp_tile_init() {}
ALWI void exp_tile_init(bool fast_and_approx) {}
template <bool approx = false, auto... more>
ALWI void exp_tile(uint32_t idst) { tensix_api->unary(approx ? TX_EXP_APPROX : TX_EXP, idst, 0); }
ALWI void exp_tile(uint32_t idst, bool fast_and_approx) { tensix_api->unary(fast_and_approx ? TX_EXP_APPROX : TX_EXP, idst, 0); }
TENSIX_UNARY_APPROX(gelu, TX_GELU, true)
TENSIX_UNARY_APPROX(rsqrt, TX_RSQRT, true)
TENSIX_UNARY_APPROX(sigmoid, TX_SIGMOID, false)
TENSIX_UNARY_APPROX(erf, TX_ERF, false)
TENSIX_UNARY_APPROX(log, TX_LOG, false)
TENSIX_UNARY(sqrt, TX_SQRT)
TENSIX_UNARY(recip, TX_RECIP)
TENSIX_UNARY(relu, TX_RELU)
TENSIX_UNARY_APPROX(tanh, TX_TANH, false)
TENSIX_UNARY(abs, TX_ABS)
TENSIX_UNARY(negative, TX_NEG)
TENSIX_UNARY(square, TX_SQUARE)
TENSIX_UNARY(sin, TX_SIN)
TENSIX_UNARY(cos, TX_COS)
TENSIX_UNARY(tan, TX_TAN)
TENSIX_UNARY(sign, TX_SIGN)
TENSIX_UNARY(eqz, TX_EQZ)
TENSIX_UNARY(nez, TX_NEZ)
TENSIX_UNARY(ltz, TX_LTZ)
TENSIX_UNARY(gtz, TX_GTZ)
TENSIX_UNARY(lez, TX_LEZ)
TENSIX_UNARY(gez, TX_GEZ)
TENSIX_UNARY(exp2, TX_EXP2)
TENSIX_UNARY(expm1, TX_EXPM1)
TENSIX_UNARY(silu, TX_SILU)
TENSIX_UNARY(logical_not_unary, TX_LOGICAL_NOT)
TENSIX_UNARY_PARAM(relu_max, TX_RELU_MAX)
TENSIX_UNARY_PARAM(relu_min, TX_RELU_MIN)
TENSIX_UNARY_PARAM(leaky_relu, TX_LEAKY_RELU)
TENSIX_UNARY_PARAM(elu, TX_ELU)
TENSIX_UNARY_PARAM(heaviside, TX_HEAVISIDE)
TENSIX_UNARY_PARAM(log_with_base, TX_LOG_BASE)  // param0: 1 / ln(base) as float16 bits (0x36f3 for log10)
TENSIX_UNARY_PARAM(power, TX_POWER)    // param0: the exponent, an integer (2024) or float bits (today)
TENSIX_UNARY_PARAM(fill, TX_FILL)
ALWI void binop_with_scalar_tile_init() {}
ALWI void add_unary_tile(uint32_t idst, uint32_t param0) { tensix_api->unary(TX_ADD_SCALAR, idst, param0); }
ALWI void sub_unary_tile(uint32_t idst, uint32_t param0) { tensix_api->unary(TX_SUB_SCALAR, idst, param0); }
ALWI void rsub_unary_tile(uint32_t idst, uint32_t param0) { tensix_api->unary(TX_RSUB_SCALAR, idst, param0); }
ALWI void mul_unary_tile(uint32_t idst, uint32_t param0) { tensix_api->unary(TX_MUL_SCALAR, idst, param0); }
ALWI void div_unary_tile(uint32_t idst, uint32_t param0) { tensix_api->unary(TX_DIV_SCALAR, idst, param0); }
// Binary ops between two destination tiles: the result replaces the first.
ALWI void max_tile_init() {}
ALWI void max_tile(uint32_t idst0, uint32_t idst1) { tensix_api->dst_binary(TX_DST_MAX, idst0, idst1); }
ALWI void min_tile_init() {}
ALWI void min_tile(uint32_t idst0, uint32_t idst1) { tensix_api->dst_binary(TX_DST_MIN, idst0, idst1); }
ALWI void add_binary_tile_init() {}
ALWI void add_binary_tile(uint32_t idst0, uint32_t idst1) { tensix_api->dst_binary(TX_DST_ADD, idst0, idst1); }
ALWI void sub_binary_tile_init() {}
ALWI void sub_binary_tile(uint32_t idst0, uint32_t idst1) { tensix_api->dst_binary(TX_DST_SUB, idst0, idst1); }
ALWI void mul_binary_tile_init() {}
ALWI void mul_binary_tile(uint32_t idst0, uint32_t idst1) { tensix_api->dst_binary(TX_DST_MUL, idst0, idst1); }
// SFPU ops between register tiles that tinygrad's kernels need (today's tt-metal names where it has them)
#define TENSIX_DST_BINARY(name, op)                                             \
    ALWI void name##_init() {}                                                  \
    ALWI void name(uint32_t idst0, uint32_t idst1) { tensix_api->dst_binary(op, idst0, idst1); }
TENSIX_DST_BINARY(div_binary_tile, TX_DST_DIV)
TENSIX_DST_BINARY(power_binary_tile, TX_DST_POW)
TENSIX_DST_BINARY(lt_binary_tile, TX_DST_LT)
TENSIX_DST_BINARY(eq_binary_tile, TX_DST_EQ)
TENSIX_DST_BINARY(ne_binary_tile, TX_DST_NE)
TENSIX_DST_BINARY(div_int32_tile, TX_DST_IDIV)
TENSIX_DST_BINARY(remainder_int32_tile, TX_DST_IMOD)
TENSIX_DST_BINARY(bitwise_and_binary_tile, TX_DST_AND)
TENSIX_DST_BINARY(bitwise_or_binary_tile, TX_DST_OR)
TENSIX_DST_BINARY(bitwise_xor_binary_tile, TX_DST_XOR)
TENSIX_DST_BINARY(left_shift_binary_tile, TX_DST_SHL)
TENSIX_DST_BINARY(right_shift_binary_tile, TX_DST_SHR)
#undef TENSIX_DST_BINARY
ALWI void copy_dest_values_init() {}
template <auto... fmt>
ALWI void copy_dest_values(uint32_t idst_in, uint32_t idst_out) { tensix_api->dst_binary(TX_DST_COPY, idst_out, idst_in); }
ALWI void where_tile_init() {}
template <auto... fmt>
ALWI void where_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2, uint32_t odst) { tensix_api->dst_where(idst0, idst1, idst2, odst); }
ALWI void rounding_op_tile_init() {}
ALWI void trunc_tile(uint32_t idst) { tensix_api->unary(TX_TRUNC, idst, 0); }
#undef TENSIX_UNARY
#undef TENSIX_UNARY_PARAM
#undef TENSIX_UNARY_APPROX
}  // namespace ckernel
