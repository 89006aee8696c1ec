// Division by constants, as tt-metal's mod_div_lib.h offers them to kernels (Grayskull's RISC-Vs have no divider, so
// the chip's versions multiply by magic numbers; the results are the same integer quotients).
#pragma once
#include <cstdint>

inline __attribute__((always_inline)) uint32_t mulsi3(uint32_t a, uint32_t b) { return a * b; }
inline __attribute__((always_inline)) uint32_t fast_udiv_12(uint32_t n) { return n / 12; }
inline __attribute__((always_inline)) uint32_t fast_udiv_94(uint32_t n) { return n / 94; }
inline __attribute__((always_inline)) uint32_t fast_udiv_124(uint32_t n) { return n / 124; }
template <uint32_t d>
inline __attribute__((always_inline)) uint32_t udivsi3_const_divisor(uint32_t n) { return d == 0 ? 0 : n / d; }
template <uint32_t d>
inline __attribute__((always_inline)) uint32_t umodsi3_const_divisor(uint32_t n) { return n - udivsi3_const_divisor<d>(n) * d; }
