// The object API's 2025 home (tt-metal's experimental/noc.h, namespace experimental), which became today's
// api/dataflow/noc.h: the same objects under both names.
#pragma once
#include "api/dataflow/noc.h"
#include "api/tensor/noc_traits.h"  // 2025's kernels reach a TensorAccessor's NoC traits through this header
namespace experimental {
using ::Noc;
using ::noc_traits_t;
using ::NocOptions;
using ::CoreLocalMem;
using ::UnicastEndpoint;
using ::MulticastEndpoint;
using ::AllocatorBankType;
using ::AllocatorBank;
}  // namespace experimental
