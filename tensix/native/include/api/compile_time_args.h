// Today's get_compile_time_arg_val: a constant expression (tt-metal's get_ct_arg<i>()), so its index may be any
// constant expression (TensorAccessorArgs<CTA_OFFSET> passes CTA_OFFSET + 1), but it is not usable in #if. 2024's form
// (tensix_args.h) pastes the index into a define's name, which #if can read but only for a literal index.
#pragma once
#include "tensix_args.h"
#undef get_compile_time_arg_val
#define get_compile_time_arg_val(arg_idx) tensix_compile_time_arg(arg_idx)
