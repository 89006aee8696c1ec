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
// Binary ops between destination tiles (the SFPU): today's take (in0, in1, out); 2024's (in0, in1) and overwrite in0.
// A bfloat16 register stores the float32 result truncated, except that mul and div round to nearest even (as
// tt-metal's do on Wormhole and Blackhole) and add, sub, rsub do when asked (DstRoundingMode::NearestEven).
enum class DstRoundingMode : uint8_t { Default = 0, NearestEven = 1 };
#define TENSIX_DST_BINARY(name, op, rounding)                                                              \
    ALWI void name##_tile_init() {}                                                                        \
    template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                                   \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {                                  \
        tensix_api->dst_binary(op | rounding, idst0, idst1, odst);                                         \
    }                                                                                                      \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1) { tensix_api->dst_binary(op | rounding, idst0, idst1, idst0); }
#define TENSIX_DST_BINARY_ROUNDED(name, op)                                                                \
    ALWI void name##_tile_init() {}                                                                        \
    template <DstRoundingMode dst_rounding_mode = DstRoundingMode::Default, bool is_fp32_dest_acc_en = DST_ACCUM_MODE> \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {                                  \
        tensix_api->dst_binary(op | (dst_rounding_mode == DstRoundingMode::NearestEven ? TX_DST_ROUND_NEAREST : 0u), idst0, idst1, odst); \
    }                                                                                                      \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1) { tensix_api->dst_binary(op, idst0, idst1, idst0); }
TENSIX_DST_BINARY_ROUNDED(add_binary, TX_DST_ADD)
TENSIX_DST_BINARY_ROUNDED(sub_binary, TX_DST_SUB)
TENSIX_DST_BINARY_ROUNDED(rsub_binary, TX_DST_RSUB)
TENSIX_DST_BINARY(mul_binary, TX_DST_MUL, TX_DST_ROUND_NEAREST)
TENSIX_DST_BINARY(div_binary, TX_DST_DIV, TX_DST_ROUND_NEAREST)
TENSIX_DST_BINARY(power_binary, TX_DST_POW, 0u)
TENSIX_DST_BINARY(max, TX_DST_MAX, 0u)        // 2024: max_tile(idst0, idst1)
TENSIX_DST_BINARY(min, TX_DST_MIN, 0u)
TENSIX_DST_BINARY(binary_max, TX_DST_MAX, 0u)  // today: binary_max_tile(idst0, idst1, odst)
TENSIX_DST_BINARY(binary_min, TX_DST_MIN, 0u)
TENSIX_DST_BINARY(eq_binary, TX_DST_EQ, 0u)    // comparisons give 1.0 or 0.0
TENSIX_DST_BINARY(ne_binary, TX_DST_NE, 0u)
TENSIX_DST_BINARY(lt_binary, TX_DST_LT, 0u)
TENSIX_DST_BINARY(gt_binary, TX_DST_GT, 0u)
TENSIX_DST_BINARY(le_binary, TX_DST_LE, 0u)
TENSIX_DST_BINARY(ge_binary, TX_DST_GE, 0u)
// where: odst = cond != 0 ? if_true : if_false, value by value (today); 2024's form writes the result over cond.
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void where_tile_init() {}
template <DataFormat data_format = DataFormat::Float32, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void where_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2, uint32_t odst) { tensix_api->dst_where(idst0, idst1, idst2, odst); }
ALWI void where_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2) { tensix_api->dst_where(idst0, idst1, idst2, idst0); }
ALWI void where_fp32_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2, uint32_t odst) { tensix_api->dst_where(idst0, idst1, idst2, odst); }
// what tinygrad's kernels need besides (today's tt-metal names)
TENSIX_DST_BINARY(div_int32, TX_DST_IDIV, 0u)
TENSIX_DST_BINARY(remainder_int32, TX_DST_IMOD, 0u)
TENSIX_DST_BINARY(bitwise_and_binary, TX_DST_AND, 0u)
TENSIX_DST_BINARY(bitwise_or_binary, TX_DST_OR, 0u)
TENSIX_DST_BINARY(bitwise_xor_binary, TX_DST_XOR, 0u)
TENSIX_DST_BINARY(left_shift_binary, TX_DST_SHL, 0u)
TENSIX_DST_BINARY(right_shift_binary, TX_DST_SHR, 0u)
// today's integer SFPU ops (add_int_sfpu.h, sub_int_sfpu.h, mul_int_sfpu.h): odst = in0 op in1, wrapped to 32 bits,
// unsigned for UInt32 and UInt16 tiles; the register is meant to be in 32-bit mode (fp32_dest_acc_en) for Int32/UInt32.
#define TENSIX_DST_INT(name, op)                                                                           \
    template <DataFormat data_format = DataFormat::Int32>                                                  \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {                                  \
        static_assert(data_format == DataFormat::Int32 || data_format == DataFormat::UInt32 ||             \
                          data_format == DataFormat::UInt16,                                               \
                      #name "_tile: supported data formats are Int32, UInt32, UInt16");                    \
        tensix_api->dst_binary(op | (data_format == DataFormat::Int32 ? 0u : TX_DST_UNSIGNED), idst0, idst1, odst); \
    }
TENSIX_DST_INT(add_int, TX_DST_IADD)
TENSIX_DST_INT(sub_int, TX_DST_ISUB)
TENSIX_DST_INT(rsub_int, TX_DST_IRSUB)
TENSIX_DST_INT(mul_int, TX_DST_IMUL)
#undef TENSIX_DST_INT
template <auto... fmt> ALWI void add_int_tile_init() {}
template <auto... fmt> ALWI void sub_int_tile_init() {}
template <auto... fmt> ALWI void rsub_int_tile_init() {}
template <auto... fmt> ALWI void mul_int_tile_init() {}
#undef TENSIX_DST_BINARY
ALWI void copy_dest_values_init() {}
template <auto... fmt>
ALWI void copy_dest_values(uint32_t idst_in, uint32_t idst_out) { tensix_api->dst_binary(TX_DST_COPY, idst_in, idst_in, idst_out); }
ALWI void rounding_op_tile_init() {}
ALWI void trunc_tile(uint32_t idst) { tensix_api->unary(TX_TRUNC, idst, 0); }
#undef TENSIX_DST_BINARY_ROUNDED
#undef TENSIX_UNARY
#undef TENSIX_UNARY_PARAM
#undef TENSIX_UNARY_APPROX
}  // namespace ckernel
