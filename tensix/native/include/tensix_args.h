// Kernel arguments, for every kind of kernel: compile-time args are baked into the binary (KERNEL_COMPILE_TIME_ARG_*
// defines, as tt-metal passes them); runtime args sit in the core's L1, 256 words per processor.
#pragma once
#include <cstdint>
#include <type_traits>
#include "tensix_abi.h"

#ifndef TENSIX_ARG_BASE
#define TENSIX_ARG_BASE 0
#endif
#ifndef KERNEL_COMPILE_TIME_ARGS
#define KERNEL_COMPILE_TIME_ARGS
#endif
#ifndef KERNEL_COMPILE_TIME_ARG_COUNT
#define KERNEL_COMPILE_TIME_ARG_COUNT 0
#endif
constexpr uint32_t kernel_compile_time_args[] = {KERNEL_COMPILE_TIME_ARGS 0u};
#ifdef KERNEL_COMPILE_TIME_ARG_MAP
#include <string_view>
#include <utility>
// Named compile-time args (tt-metal's named_compile_args): the host passes {"name", value} pairs; a name the host did
// not give fails to compile.
constexpr std::pair<std::string_view, uint32_t> tensix_named_compile_time_args[] = {KERNEL_COMPILE_TIME_ARG_MAP};
void tensix_named_compile_time_arg_not_given();  // never defined: using it in a constant expression fails to compile
constexpr uint32_t get_named_compile_time_arg_val(std::string_view name) {
    for (const auto& arg : tensix_named_compile_time_args)
        if (arg.first == name) return arg.second;
    return tensix_named_compile_time_arg_not_given(), 0u;
}
#endif
void tensix_compile_time_arg_out_of_range();  // never defined: using it in a constant expression fails to compile
constexpr uint32_t tensix_compile_time_arg(uint32_t i) {
    return i < KERNEL_COMPILE_TIME_ARG_COUNT ? kernel_compile_time_args[i] : (tensix_compile_time_arg_out_of_range(), 0u);
}
// As tt-metal's 2024 headers: the arg's own define, so `#if get_compile_time_arg_val(0) == 1` works as on the chip
// (tt-metal passes compile-time args as KERNEL_COMPILE_TIME_ARG_<i> defines); tensix_compile_time_arg(i) takes an index
// that is not a literal.
#define get_compile_time_arg_val(arg_idx) KERNEL_COMPILE_TIME_ARG_##arg_idx

constexpr static uint32_t get_arg_addr(int arg_idx) { return TENSIX_ARG_BASE + (arg_idx << 2); }
template <typename T>
inline __attribute__((always_inline)) T get_arg_val(int arg_idx) {
    if constexpr (std::is_pointer_v<T>) {
        return (T)(uintptr_t)tensix_api->arg(arg_idx);  // an L1 address: a 32-bit pointer on the chip's RISC-Vs
    } else {
        static_assert(sizeof(T) == 4, "get_arg_val reads 32-bit args");
        return __builtin_bit_cast(T, tensix_api->arg(arg_idx));
    }
}

// Common runtime args: one list per kernel, the same on every core it runs on (tt-metal's SetCommonRuntimeArgs). The
// host leaves their count, then the words, at TENSIX_COMMON_ARG_BASE in each core's L1.
#ifndef TENSIX_COMMON_ARG_BASE
#define TENSIX_COMMON_ARG_BASE 0
#endif
inline uint32_t get_common_arg_addr(int arg_idx) { return TENSIX_COMMON_ARG_BASE + 4 + (arg_idx << 2); }
template <typename T>
inline __attribute__((always_inline)) T get_common_arg_val(int arg_idx) {
    static_assert(sizeof(T) == 4, "get_common_arg_val reads 32-bit args");
    const volatile uint32_t* words = (const volatile uint32_t*)(uintptr_t)TENSIX_COMMON_ARG_BASE;
    if (arg_idx < 0 || (uint32_t)arg_idx >= words[0]) {
        char text[96];
        __builtin_snprintf(text, sizeof text, "get_common_arg_val(%d): this kernel was given %u common runtime args", arg_idx, words[0]);
        tensix_api->fail(text);
    }
    return __builtin_bit_cast(T, (uint32_t)words[1 + arg_idx]);
}
