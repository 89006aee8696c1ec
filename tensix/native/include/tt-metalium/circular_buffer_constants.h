// The circular-buffer constants kernels share with tt-metal's host (tt-metalium/circular_buffer_constants.h): a
// compute kernel sees a buffer's addresses and sizes in 16-byte words.
#pragma once
#include <cstdint>
constexpr static std::uint32_t NUM_CIRCULAR_BUFFERS = 32;  // every chip tensix models (chips.py: num_circular_buffers)
constexpr static std::uint32_t UINT32_WORDS_PER_LOCAL_CIRCULAR_BUFFER_CONFIG = 4;
constexpr static std::uint32_t CIRCULAR_BUFFER_COMPUTE_WORD_SIZE = 16;
constexpr static std::uint32_t CIRCULAR_BUFFER_COMPUTE_ADDR_SHIFT = 4;
