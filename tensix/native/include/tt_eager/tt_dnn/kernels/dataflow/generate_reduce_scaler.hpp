// The scaler tile reductions multiply by, as tt-metal's readers make it (they include it from this path): a tile of
// zeros whose first row in each face holds the scaler, given as a bfloat16 in the upper half of `scaler`.
#pragma once
#include "dataflow_api.h"

FORCE_INLINE void generate_reduce_scaler(const uint32_t cb_id, const uint32_t scaler) {
    cb_reserve_back(cb_id, 1);
    volatile tt_l1_ptr uint32_t* tile = (volatile tt_l1_ptr uint32_t*)get_write_ptr(cb_id);
    for (uint32_t i = 0; i < 512; i++) tile[i] = 0;
    if (scaler != 0) {
        uint32_t two = (scaler & 0xffff0000u) | (scaler >> 16);  // two bfloat16 scalers per word
        for (uint32_t face = 0; face < 4; face++)
            for (uint32_t i = 0; i < 8; i++) tile[face * 128 + i] = two;
    }
    cb_push_back(cb_id, 1);
}
