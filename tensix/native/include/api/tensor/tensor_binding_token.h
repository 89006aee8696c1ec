// Metal 2.0's tensor bindings (api/tensor/tensor_binding_token.h): TensorBindingToken is defined with TensorAccessor.
#pragma once
#include "api/tensor/tensor_accessor.h"
