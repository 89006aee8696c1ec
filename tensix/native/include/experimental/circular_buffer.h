// experimental::CircularBuffer (2025), today's CircularBuffer (api/dataflow/circular_buffer.h).
#pragma once
#ifndef COMPILE_FOR_TRISC
#include "experimental/noc.h"
#endif
#include "api/dataflow/circular_buffer.h"
namespace experimental { using ::CircularBuffer;
#ifndef COMPILE_FOR_TRISC
using ::CircularBufferView; using ::use;
#endif
}
