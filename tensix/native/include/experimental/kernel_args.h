// Metal 2.0's named kernel args (experimental/kernel_args.h). The host names a kernel's args (tt.Kernel(arg_names=,
// common_arg_names=, named_args=)) and tensix generates, before the kernel, `namespace args` with one constant per
// name: a runtime arg (its byte offset among the named runtime args), a common runtime arg (its byte offset among the
// named common ones) or a compile-time value. The kernel reads each with get_arg(args::NAME), the same call whichever
// kind the host chose; a compile-time one is a constant expression. get_vararg(i) / get_common_vararg(i) (also
// generated) read the positional args that follow the named ones.
#pragma once
#include <cstdint>
#include "tensix_args.h"

namespace experimental {
template <typename T> struct RtaArg { uint32_t byte_offset; };
template <typename T> struct CrtaArg { uint32_t byte_offset; };
template <typename T> struct CtaVal { T value; };

// found by argument-dependent lookup, so kernels call get_arg(args::x) unqualified, as on the chip
template <typename T>
inline __attribute__((always_inline)) T get_arg(RtaArg<T> a) { return get_arg_val<T>(a.byte_offset / sizeof(uint32_t)); }
template <typename T>
inline __attribute__((always_inline)) T get_arg(CrtaArg<T> a) { return get_common_arg_val<T>(a.byte_offset / sizeof(uint32_t)); }
template <typename T>
inline __attribute__((always_inline)) constexpr T get_arg(CtaVal<T> a) { return a.value; }
}  // namespace experimental
