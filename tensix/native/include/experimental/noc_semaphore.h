// experimental::Semaphore (2025), today's Semaphore (api/dataflow/noc_semaphore.h).
#pragma once
#include "experimental/noc.h"
#include "api/dataflow/noc_semaphore.h"
namespace experimental { using ::Semaphore; }
