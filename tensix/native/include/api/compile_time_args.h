// Today's get_compile_time_arg_val takes any constant expression as its index (TensorAccessorArgs<CTA_OFFSET> reads
// get_compile_time_arg_val(CTA_OFFSET + 1)); 2024's pastes a literal index onto a define so that `#if` can test it.
// A kernel that includes today's headers gets today's form.
#pragma once
#include "tensix_args.h"
#undef get_compile_time_arg_val
#define get_compile_time_arg_val(arg_idx) tensix_compile_time_arg(arg_idx)
