// experimental/tensor.h (2025): the NoC traits of a TensorAccessor, today's api/tensor/noc_traits.h.
#pragma once
#include "experimental/noc.h"
#include "api/tensor/noc_traits.h"
