// The object API's 2025 home (tt-metal's experimental/noc.h, namespace experimental), which became today's
// api/dataflow/noc.h: the same objects under both names.
#pragma once
#include "api/dataflow/noc.h"
namespace experimental {
using ::Noc;
using ::noc_traits_t;
using ::NocOptions;
using ::CoreLocalMem;
using ::UnicastEndpoint;
}  // namespace experimental
