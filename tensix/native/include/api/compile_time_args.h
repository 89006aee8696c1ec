// get_compile_time_arg_val, as every kernel already has it (tensix_args.h).
#pragma once
#include "tensix_args.h"
