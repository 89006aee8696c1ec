// Values both the host and kernels use, as tt-metal's hostdevcommon/common_values.hpp names them (2024's
// dataflow_api.h brings this in, so data-movement kernels see VALID and INVALID without including it).
#pragma once
#include <cstdint>

constexpr static uint32_t INVALID = 0;  // a semaphore's "not yet" (the multicast matmul's sender/receiver handshake)
constexpr static uint32_t VALID = 1;
constexpr static uint32_t NOTIFY_HOST_KERNEL_COMPLETE_VALUE = 512;
constexpr static uint32_t ADDRESS_ALIGNMENT = 32;
constexpr static uint32_t NUM_ENTRIES_PER_SHARD = 3;  // a shard's entry: pages on the core, then its NoC x and y
