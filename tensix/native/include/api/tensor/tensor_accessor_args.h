// TensorAccessorArgs live with TensorAccessor here (api/tensor/tensor_accessor.h).
#pragma once
#include "api/tensor/tensor_accessor.h"
