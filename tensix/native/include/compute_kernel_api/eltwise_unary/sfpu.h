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
// 2024's op list (eltwise_unary_op.cpp): erfc takes erf's approximate-mode argument; the host's RELU6 is relu_max(6)
TENSIX_UNARY_APPROX(erfc, TX_ERFC, false)
TENSIX_UNARY(erfinv, TX_ERFINV)
TENSIX_UNARY(i0, TX_I0)
TENSIX_UNARY(signbit, TX_SIGNBIT)
TENSIX_UNARY(isinf, TX_ISINF)
TENSIX_UNARY(isposinf, TX_ISPOSINF)
TENSIX_UNARY(isneginf, TX_ISNEGINF)
TENSIX_UNARY(isnan, TX_ISNAN)
TENSIX_UNARY(isfinite, TX_ISFINITE)
TENSIX_UNARY(asin, TX_ASIN)
TENSIX_UNARY(acos, TX_ACOS)
TENSIX_UNARY(atan, TX_ATAN)
TENSIX_UNARY(identity, TX_IDENTITY)
ALWI void identity_tile_uint32(uint32_t idst) { tensix_api->unary(TX_IDENTITY, idst, 0); }
TENSIX_UNARY_PARAM(rsub, TX_RSUB_SCALAR)  // rsub_tile(idst, bits of s): s - x (2024's reverseops.h)
// mask_tile(data, mask): zero the data tile where the mask tile holds zero. The chip's SFPU reads the mask from the
// register tile after the data tile, whatever the second argument says, and so does this.
ALWI void mask_tile_init() {}
ALWI void mask_tile(uint32_t idst_data, uint32_t idst2_mask) { tensix_api->unary(TX_MASK, idst_data, idst_data + 1); }
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
#undef TENSIX_UNARY
#undef TENSIX_UNARY_PARAM
#undef TENSIX_UNARY_APPROX
}  // namespace ckernel
