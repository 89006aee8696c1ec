// Today's include path for the data-movement kernel API: 2024's dataflow_api.h plus today's TensorAccessor.
#pragma once
#include <dataflow_api.h>
#include "api/compile_time_args.h"
#include "api/tensor/tensor_accessor.h"
#include "api/compile_time_args.h"  // today's get_compile_time_arg_val
