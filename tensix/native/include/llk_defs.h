// The enums of tt-metal's low-level kernel library (tt-llk's llk_defs.h), which compute kernels and ttnn's helper
// headers name: reduce, broadcast and binary op kinds, SFPU vector modes, ReLU types.
#pragma once
#include <cstdint>

namespace ckernel {
enum VectorMode { None = 0, R = 1, C = 2, RC = 4, RC_custom = 6, Invalid = 0xFF };  // which faces an SFPU op covers
enum ReduceDim : uint8_t { REDUCE_ROW = 0, REDUCE_COL = 1, REDUCE_SCALAR = 2 };
enum PoolType : uint8_t { SUM = 0, AVG = 1, MAX = 2, MIN = 3 };
enum DataCopyType { A2D, B2D };
enum EltwiseBinaryType : uint8_t { ELWMUL = 0, ELWDIV = 1, ELWADD = 2, ELWSUB = 3, ELWLESS = 4 };
enum class EltwiseBinaryReuseDestType { NONE = 0, DEST_TO_SRCA = 1, DEST_TO_SRCB = 2 };
enum DstSync { SyncHalf = 0, SyncFull = 1 };
enum BroadcastType : uint8_t { NONE = 0, COL = 1, ROW = 2, SCALAR = 3 };
enum ReluType : uint8_t { NO_RELU = 0, ZERO_RELU = 1, MIN_THRESHOLD_RELU = 2, MAX_THRESHOLD_RELU = 3 };
}  // namespace ckernel
