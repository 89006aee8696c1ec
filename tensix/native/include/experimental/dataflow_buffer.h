// experimental::DataflowBuffer (2025), today's DataflowBuffer (api/dataflow/dataflow_buffer.h).
#pragma once
#include "experimental/noc.h"
#include "api/dataflow/dataflow_buffer.h"
namespace experimental { using ::DataflowBuffer; }
