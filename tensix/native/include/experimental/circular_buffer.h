// experimental::CircularBuffer (2025), today's CircularBuffer (api/dataflow/circular_buffer.h).
#pragma once
#include "experimental/noc.h"
#include "api/dataflow/circular_buffer.h"
namespace experimental { using ::CircularBuffer; }
