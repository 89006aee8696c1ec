// The vector unit (SFPU): functions applied in place to a tile of the destination register. Every op has its
// *_tile_init and *_tile; float parameters arrive as the bits of a float32 in a uint32_t, as in tt-metal.
#pragma once
#include "compute_kernel_api/eltwise_unary/eltwise_unary.h"

namespace ckernel {
// VectorMode (llk_defs.h) says which faces an SFPU op covers; the simulator always does the whole tile
// Each has today's pack-thread variant too (name_tile_init_pack, name_tile_pack): the same op, issued by the pack
// thread on the tiles it holds after tile_regs_wait, while math goes on (ttnn's matmul runs fused activations there).
// Each op needs its own init since any other SFPU op's (the inits load the op's constants and address mode); the
// strict-init checker follows the math thread's, by the init's name (the pack thread's variants it leaves alone).
#define TENSIX_UNARY(name, op)                                                  \
    ALWI void name##_tile_init() { TENSIX_SFPU_INIT(#name "_tile_init"); }      \
    ALWI void name##_tile(uint32_t idst) { TENSIX_SFPU_NEED(#name "_tile", #name "_tile_init"); tensix_api->unary(op, idst, 0); } \
    ALWI void name##_tile_init_pack() {}                                        \
    ALWI void name##_tile_pack(uint32_t idst) { tensix_api->unary(op | TX_ON_PACKER, idst, 0); }
#define TENSIX_UNARY_PARAM(name, op)                                            \
    ALWI void name##_tile_init() { TENSIX_SFPU_INIT(#name "_tile_init"); }      \
    ALWI void name##_tile(uint32_t idst, uint32_t param0) {                     \
        TENSIX_SFPU_NEED(#name "_tile", #name "_tile_init");                    \
        tensix_api->unary(op, idst, param0);                                    \
    }                                                                           \
    ALWI void name##_tile_init_pack() {}                                        \
    ALWI void name##_tile_pack(uint32_t idst, uint32_t param0) { tensix_api->unary(op | TX_ON_PACKER, idst, param0); }
// Ops with an approximate mode take it both ways tt-metal has: as a template argument (name_tile<true>(0)) and, as in
// 2024's headers, as a second argument (name_tile(0, true)). The simulator computes both the same way.
#define TENSIX_UNARY_APPROX(name, op, approx_default)                           \
    template <bool fast_and_approx = approx_default, auto... more>              \
    ALWI void name##_tile_init() { TENSIX_SFPU_INIT(#name "_tile_init"); }      \
    ALWI void name##_tile_init(bool fast_and_approx) { TENSIX_SFPU_INIT(#name "_tile_init"); } \
    template <bool fast_and_approx = approx_default, auto... more>              \
    ALWI void name##_tile(uint32_t idst) { TENSIX_SFPU_NEED(#name "_tile", #name "_tile_init"); tensix_api->unary(op, idst, 0); } \
    ALWI void name##_tile(uint32_t idst, bool fast_and_approx) {                \
        TENSIX_SFPU_NEED(#name "_tile", #name "_tile_init");                    \
        tensix_api->unary(op, idst, 0);                                         \
    }                                                                           \
    template <bool fast_and_approx = approx_default, auto... more>              \
    ALWI void name##_tile_init_pack() {}                                        \
    template <bool fast_and_approx = approx_default, auto... more>              \
    ALWI void name##_tile_pack(uint32_t idst) { tensix_api->unary(op | TX_ON_PACKER, idst, 0); }

template <bool approx = false, auto... more>
ALWI void exp_tile_init() { TENSIX_SFPU_INIT("exp_tile_init"); }
ALWI void exp_tile_init(bool fast_and_approx) { TENSIX_SFPU_INIT("exp_tile_init"); }
template <bool approx = false, auto... more>
ALWI void exp_tile(uint32_t idst) {
    TENSIX_SFPU_NEED("exp_tile", "exp_tile_init");
    tensix_api->unary(approx ? TX_EXP_APPROX : TX_EXP, idst, 0);
}
ALWI void exp_tile(uint32_t idst, bool fast_and_approx) {
    TENSIX_SFPU_NEED("exp_tile", "exp_tile_init");
    tensix_api->unary(fast_and_approx ? TX_EXP_APPROX : TX_EXP, idst, 0);
}
template <bool approx = false, auto... more>
ALWI void exp_packthread_tile_init() {}
template <bool approx = false, auto... more>
ALWI void exp_packthread_tile(uint32_t idst) { tensix_api->unary((approx ? TX_EXP_APPROX : TX_EXP) | TX_ON_PACKER, idst, 0); }
TENSIX_UNARY_APPROX(gelu, TX_GELU, true)
TENSIX_UNARY_APPROX(rsqrt, TX_RSQRT, true)
TENSIX_UNARY_APPROX(sigmoid, TX_SIGMOID, false)
// today's sigmoid_tile<vec_mode, approx>: the simulator does whole tiles only (VectorMode::RC)
template <VectorMode vec_mode, bool fast_and_approx = false>
ALWI void sigmoid_tile(uint32_t idst) {
    static_assert(vec_mode == VectorMode::RC, "sigmoid_tile on part of a tile (VectorMode R or C) is not modelled");
    TENSIX_SFPU_NEED("sigmoid_tile", "sigmoid_tile_init");
    tensix_api->unary(TX_SIGMOID, idst, 0);
}
template <VectorMode vec_mode, bool fast_and_approx = false>
ALWI void sigmoid_tile_pack(uint32_t idst) {
    static_assert(vec_mode == VectorMode::RC, "sigmoid_tile on part of a tile (VectorMode R or C) is not modelled");
    tensix_api->unary(TX_SIGMOID | TX_ON_PACKER, idst, 0);
}
TENSIX_UNARY_APPROX(erf, TX_ERF, false)
TENSIX_UNARY_APPROX(log, TX_LOG, false)
TENSIX_UNARY_APPROX(sqrt, TX_SQRT, false)
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
// today's comparisons of int32 words with zero (comp.h): 1 or 0, as a word; uint variants of eqz/nez are the same
// (their inits are the float ops': negative_tile_init, eqz_tile_init, ...)
#define TENSIX_UNARY_INT(name, base, op) \
    ALWI void name(uint32_t idst) { TENSIX_SFPU_NEED(#name, #base "_tile_init"); tensix_api->unary(op, idst, 0); }
TENSIX_UNARY_INT(negative_tile_int32, negative, TX_NEG_INT)  // negative.h
TENSIX_UNARY_INT(eqz_tile_int32, eqz, TX_EQZ_INT)
TENSIX_UNARY_INT(nez_tile_int32, nez, TX_NEZ_INT)
TENSIX_UNARY_INT(ltz_tile_int32, ltz, TX_LTZ_INT)
TENSIX_UNARY_INT(gtz_tile_int32, gtz, TX_GTZ_INT)
TENSIX_UNARY_INT(lez_tile_int32, lez, TX_LEZ_INT)
TENSIX_UNARY_INT(gez_tile_int32, gez, TX_GEZ_INT)
TENSIX_UNARY_INT(eqz_tile_uint32, eqz, TX_EQZ_INT)
TENSIX_UNARY_INT(nez_tile_uint32, nez, TX_NEZ_INT)
TENSIX_UNARY_INT(eqz_tile_uint16, eqz, TX_EQZ_INT)
TENSIX_UNARY_INT(nez_tile_uint16, nez, TX_NEZ_INT)
TENSIX_UNARY_INT(identity_tile_uint32, identity, TX_IDENTITY)
#undef TENSIX_UNARY_INT
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
TENSIX_UNARY_PARAM(power_iterative, TX_POWER_ITERATIVE)  // param0: a non-negative integer exponent (moreh's power)
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
// today's fused matmul activations (activations.h, hardtanh.h, selu.h, softplus.h, mish.h, gelu.h's gelu_tanh):
// hardsigmoid = clamp(x / 6 + 1 / 2, 0, 1); mish = x tanh(softplus(x)); gelu_tanh = GELU by its tanh formula
TENSIX_UNARY(hardsigmoid, TX_HARDSIGMOID)
TENSIX_UNARY_APPROX(mish, TX_MISH, false)
TENSIX_UNARY(gelu_tanh, TX_GELU_TANH)
// params as float bits: hardtanh clamps to [min, max]; selu = scale * (x > 0 ? x : alpha (e^x - 1)); softplus =
// x where beta x > threshold, else log(1 + e^(beta x)) / beta
#define TENSIX_UNARY3(name, op, sig, p0, p1, p2)                                \
    template <auto... t> ALWI void name##_tile_init() { TENSIX_SFPU_INIT(#name "_tile_init"); } \
    template <auto... t> ALWI void name##_tile_init_pack() {}                   \
    template <auto... t> ALWI void name##_tile sig {                            \
        TENSIX_SFPU_NEED(#name "_tile", #name "_tile_init");                    \
        tensix_api->unary3(op, idst, p0, p1, p2);                               \
    }                                                                           \
    template <auto... t> ALWI void name##_tile_pack sig { tensix_api->unary3(op | TX_ON_PACKER, idst, p0, p1, p2); }
TENSIX_UNARY3(hardtanh, TX_HARDTANH, (uint32_t idst, uint32_t param_min, uint32_t param_max), param_min, param_max, 0)
TENSIX_UNARY3(selu, TX_SELU, (uint32_t idst, uint32_t scale, uint32_t alpha), scale, alpha, 0)
TENSIX_UNARY3(softplus, TX_SOFTPLUS, (uint32_t idst, uint32_t beta, uint32_t beta_reciprocal, uint32_t threshold), beta,
              beta_reciprocal, threshold)
#undef TENSIX_UNARY3
TENSIX_UNARY_PARAM(rsub, TX_RSUB_SCALAR)  // rsub_tile(idst, bits of s): s - x (2024's reverseops.h)
// mask_tile(data, mask): zero the data tile where the mask tile holds zero. The chip's SFPU reads the mask from the
// register tile after the data tile, whatever the second argument says, and so does this.
ALWI void mask_tile_init() { TENSIX_SFPU_INIT("mask_tile_init"); }
ALWI void mask_tile(uint32_t idst_data, uint32_t idst2_mask) {
    TENSIX_SFPU_NEED("mask_tile", "mask_tile_init");
    tensix_api->unary(TX_MASK, idst_data, idst_data + 1);
}
ALWI void binop_with_scalar_tile_init() { TENSIX_SFPU_INIT("binop_with_scalar_tile_init"); }  // binop_with_scalar.h: one init for these
#define TENSIX_SCALAR(name, op) \
    ALWI void name(uint32_t idst, uint32_t param0) { TENSIX_SFPU_NEED(#name, "binop_with_scalar_tile_init"); tensix_api->unary(op, idst, param0); }
TENSIX_SCALAR(add_unary_tile, TX_ADD_SCALAR)
TENSIX_SCALAR(sub_unary_tile, TX_SUB_SCALAR)
TENSIX_SCALAR(rsub_unary_tile, TX_RSUB_SCALAR)
TENSIX_SCALAR(mul_unary_tile, TX_MUL_SCALAR)
TENSIX_SCALAR(div_unary_tile, TX_DIV_SCALAR)
#undef TENSIX_SCALAR
// Binary ops between destination tiles (the SFPU): today's take (in0, in1, out); 2024's (in0, in1) and overwrite in0.
// A bfloat16 register stores the float32 result truncated, except that mul and div round to nearest even (as
// tt-metal's do on Wormhole and Blackhole) and add, sub, rsub do when asked (DstRoundingMode::NearestEven).
enum class DstRoundingMode : uint8_t { Default = 0, NearestEven = 1 };
#define TENSIX_DST_BINARY(name, op, rounding)                                                              \
    ALWI void name##_tile_init() { TENSIX_SFPU_INIT(#name "_tile_init"); }                                 \
    template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                                   \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {                                  \
        TENSIX_SFPU_NEED(#name "_tile", #name "_tile_init");                                               \
        tensix_api->dst_binary(op | rounding, idst0, idst1, odst);                                         \
    }                                                                                                      \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1) { name##_tile(idst0, idst1, idst0); }
#define TENSIX_DST_BINARY_ROUNDED(name, op)                                                                \
    ALWI void name##_tile_init() { TENSIX_SFPU_INIT(#name "_tile_init"); }                                 \
    template <DstRoundingMode dst_rounding_mode = DstRoundingMode::Default, bool is_fp32_dest_acc_en = DST_ACCUM_MODE> \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {                                  \
        TENSIX_SFPU_NEED(#name "_tile", #name "_tile_init");                                               \
        tensix_api->dst_binary(op | (dst_rounding_mode == DstRoundingMode::NearestEven ? TX_DST_ROUND_NEAREST : 0u), idst0, idst1, odst); \
    }                                                                                                      \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1) { name##_tile(idst0, idst1, idst0); }
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
ALWI void where_tile_init() { TENSIX_SFPU_INIT("where_tile_init"); }
template <DataFormat data_format = DataFormat::Float32, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void where_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2, uint32_t odst) {
    bool is_int = data_format == DataFormat::Int32 || data_format == DataFormat::UInt32;
    TENSIX_SFPU_NEED("where_tile", "where_tile_init");
    tensix_api->dst_where(idst0, idst1, idst2, odst | (is_int ? TX_WHERE_INT : 0u));
}
ALWI void where_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2) {
    TENSIX_SFPU_NEED("where_tile", "where_tile_init");
    tensix_api->dst_where(idst0, idst1, idst2, idst0);
}
ALWI void where_fp32_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2, uint32_t odst) {
    TENSIX_SFPU_NEED("where_fp32_tile", nullptr);  // (which init 2024's took is not certain)
    tensix_api->dst_where(idst0, idst1, idst2, odst);
}
// Today's float SFPU binaries (xlogy.h, atan2.h, binary_fmod.h, binary_remainder.h): xlogy is NaN where in1 < 0 or
// NaN, else in0 * log(in1); atan2(in0, in1) takes in0 as y; remainder has the sign of in1, fmod of in0.
TENSIX_DST_BINARY(xlogy_binary, TX_DST_XLOGY, 0u)
TENSIX_DST_BINARY(atan2_binary, TX_DST_ATAN2, 0u)
TENSIX_DST_BINARY(fmod_binary, TX_DST_FMOD, 0u)
TENSIX_DST_BINARY(remainder_binary, TX_DST_REMAINDER, 0u)
// Today's integer SFPU ops on the register's 32-bit words (fp32_dest_acc_en with UnpackToDestFp32 brings Int32 and
// UInt32 tiles in whole). div_int32 gives the float32 quotient; div_int32_trunc/floor, fmod_int32 (sign of in0),
// remainder_int32 (sign of in1), gcd and lcm give int32 words.
TENSIX_DST_BINARY(div_int32, TX_DST_IDIV, 0u)
TENSIX_DST_BINARY(div_int32_trunc, TX_DST_IDIV_TRUNC, 0u)
TENSIX_DST_BINARY(div_int32_floor, TX_DST_IDIV_FLOOR, 0u)
TENSIX_DST_BINARY(remainder_int32, TX_DST_IMOD, 0u)
TENSIX_DST_BINARY(fmod_int32, TX_DST_IFMOD, 0u)
TENSIX_DST_BINARY(gcd, TX_DST_GCD, 0u)
TENSIX_DST_BINARY(lcm, TX_DST_LCM, 0u)
TENSIX_DST_BINARY(binary_max_int32, TX_DST_IMAX, 0u)
TENSIX_DST_BINARY(binary_min_int32, TX_DST_IMIN, 0u)
TENSIX_DST_BINARY(binary_max_uint32, TX_DST_IMAX, TX_DST_UNSIGNED)
TENSIX_DST_BINARY(binary_min_uint32, TX_DST_IMIN, TX_DST_UNSIGNED)
// The ops that take the integers' format: Int32 signed, UInt32 unsigned, UInt16 the low 16 bits, unsigned.
template <DataFormat data_format>
constexpr uint32_t tensix_int_format() {
    static_assert(data_format == DataFormat::Int32 || data_format == DataFormat::UInt32 || data_format == DataFormat::UInt16,
                  "supported data formats are Int32, UInt32, UInt16");
    return data_format == DataFormat::Int32 ? 0u : data_format == DataFormat::UInt32 ? TX_DST_UNSIGNED : TX_DST_UNSIGNED | TX_DST_LO16;
}
// family: the init the op needs (one init serves bitwise and, or and xor; another the shifts)
#define TENSIX_DST_INT(name, op, default_format, family)                                                   \
    template <DataFormat data_format default_format>                                                       \
    ALWI void name##_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {                                  \
        TENSIX_SFPU_NEED(#name "_tile", family);                                                           \
        tensix_api->dst_binary(op | tensix_int_format<data_format>(), idst0, idst1, odst);                 \
    }                                                                                                      \
    template <auto... fmt> ALWI void name##_tile_init() { TENSIX_SFPU_INIT(family); }
#define TENSIX_NO_DEFAULT
TENSIX_DST_INT(add_int, TX_DST_IADD, = DataFormat::Int32, "add_int_tile_init")  // add_int_sfpu.h, sub_int_sfpu.h, mul_int_sfpu.h
TENSIX_DST_INT(sub_int, TX_DST_ISUB, = DataFormat::Int32, "sub_int_tile_init")
TENSIX_DST_INT(rsub_int, TX_DST_IRSUB, = DataFormat::Int32, "rsub_int_tile_init")
TENSIX_DST_INT(mul_int, TX_DST_IMUL, = DataFormat::Int32, "mul_int_tile_init")
TENSIX_DST_INT(bitwise_and_binary, TX_DST_AND, TENSIX_NO_DEFAULT, "binary_bitwise_tile_init")  // binary_bitwise_sfpu.h
TENSIX_DST_INT(bitwise_or_binary, TX_DST_OR, TENSIX_NO_DEFAULT, "binary_bitwise_tile_init")
TENSIX_DST_INT(bitwise_xor_binary, TX_DST_XOR, TENSIX_NO_DEFAULT, "binary_bitwise_tile_init")
// binary_shift.h: amounts below 0 or from 32 give 0, except that an arithmetic right shift of a word with bit 31
// set fills with ones (ckernel_sfpu_shift.h)
TENSIX_DST_INT(binary_left_shift, TX_DST_SHL, TENSIX_NO_DEFAULT, "binary_shift_tile_init")
TENSIX_DST_INT(binary_right_shift, TX_DST_SHR, TENSIX_NO_DEFAULT, "binary_shift_tile_init")
TENSIX_DST_INT(binary_logical_right_shift, TX_DST_SHR_LOGICAL, TENSIX_NO_DEFAULT, "binary_shift_tile_init")
TENSIX_DST_INT(lt_int, TX_DST_ILT, TENSIX_NO_DEFAULT, "lt_int_tile_init")  // binary_comp.h: 1 or 0, as a word
TENSIX_DST_INT(gt_int, TX_DST_IGT, TENSIX_NO_DEFAULT, "gt_int_tile_init")
TENSIX_DST_INT(le_int, TX_DST_ILE, TENSIX_NO_DEFAULT, "le_int_tile_init")
TENSIX_DST_INT(ge_int, TX_DST_IGE, TENSIX_NO_DEFAULT, "ge_int_tile_init")
#undef TENSIX_DST_INT
#undef TENSIX_NO_DEFAULT
ALWI void binary_bitwise_tile_init() { TENSIX_SFPU_INIT("binary_bitwise_tile_init"); }
ALWI void binary_shift_tile_init() { TENSIX_SFPU_INIT("binary_shift_tile_init"); }
#undef TENSIX_DST_BINARY
ALWI void copy_dest_values_init() { TENSIX_SFPU_INIT("copy_dest_values_init"); }
template <auto... fmt>
ALWI void copy_dest_values(uint32_t idst_in, uint32_t idst_out) {
    TENSIX_SFPU_NEED("copy_dest_values", "copy_dest_values_init");
    tensix_api->dst_binary(TX_DST_COPY, idst_in, idst_in, idst_out);
}
ALWI void trunc_tile_init() { TENSIX_SFPU_INIT("trunc_tile_init"); }
ALWI void rounding_op_tile_init() { TENSIX_SFPU_INIT("trunc_tile_init"); }  // 2024's name (rounding.h); today trunc_tile_init (trunc.h)
ALWI void trunc_tile(uint32_t idst) { TENSIX_SFPU_NEED("trunc_tile", "trunc_tile_init"); tensix_api->unary(TX_TRUNC, idst, 0); }
#undef TENSIX_DST_BINARY_ROUNDED
#undef TENSIX_UNARY
#undef TENSIX_UNARY_PARAM
#undef TENSIX_UNARY_APPROX
}  // namespace ckernel
