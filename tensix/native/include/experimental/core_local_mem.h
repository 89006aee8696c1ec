// experimental/core_local_mem.h (2025-26): CoreLocalMem<T>, with the other NoC ends in api/dataflow/noc.h.
#pragma once
#include "experimental/noc.h"
