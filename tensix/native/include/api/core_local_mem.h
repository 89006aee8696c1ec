// api/core_local_mem.h (2026): CoreLocalMem<T>, with the other NoC ends in api/dataflow/noc.h.
#pragma once
#include "api/dataflow/noc.h"
