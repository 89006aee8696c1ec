// experimental/endpoints.h (2025-26): UnicastEndpoint, MulticastEndpoint and AllocatorBank, with the other NoC ends in api/dataflow/noc.h.
#pragma once
#include "experimental/noc.h"
