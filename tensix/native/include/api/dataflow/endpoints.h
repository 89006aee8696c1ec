// api/dataflow/endpoints.h (2026): UnicastEndpoint, MulticastEndpoint, AllocatorBank, in api/dataflow/noc.h.
#pragma once
#include "api/dataflow/noc.h"
