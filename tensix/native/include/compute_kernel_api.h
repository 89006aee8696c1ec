// tt-metal's compute kernel API: a compute kernel includes this and the compute_kernel_api/*.h it uses.
#pragma once
#include "compute_kernel_api/common.h"
#include "compute_kernel_api/eltwise_unary/sfpu.h"

namespace ckernel {
// Today's sfpu_reduce: register tile idst reduced in place on the SFPU, over its rows (REDUCE_ROW: each row's result in
// column 0; SUM, MAX, MIN) or its columns (REDUCE_COL: each column's in row 0; also AVG). Unlike reduce_tile it reads
// the register at full width, so a float32 maximum stays exact. Only one tile (ct_dim = rt_dim = 1) is modelled; the
// other lanes keep what they held (tt-metal does not say what they hold after it).
template <PoolType pool_type, DataFormat format>
ALWI void sfpu_reduce_init() {
    static_assert(format == DataFormat::Float32 || format == DataFormat::Int32 || format == DataFormat::UInt32 ||
                  format == DataFormat::UInt16 || format == DataFormat::Float16_b,
                  "sfpu_reduce: formats Float32, Int32, UInt32, UInt16, Float16_b");
    TENSIX_SFPU_INIT("sfpu_reduce_init");
}
template <PoolType pool_type, DataFormat format, ReduceDim reduce_dim = ReduceDim::REDUCE_COL>
ALWI void sfpu_reduce(uint32_t idst, uint32_t ct_dim = 1, uint32_t rt_dim = 1) {
    static_assert(reduce_dim == ReduceDim::REDUCE_COL || (reduce_dim == ReduceDim::REDUCE_ROW && pool_type != PoolType::AVG),
                  "sfpu_reduce: REDUCE_COL for SUM, AVG, MAX, MIN; REDUCE_ROW for SUM, MAX, MIN");
    static_assert(format == DataFormat::Float32 || format == DataFormat::Int32 || format == DataFormat::UInt32 ||
                  format == DataFormat::UInt16 || format == DataFormat::Float16_b,
                  "sfpu_reduce: formats Float32, Int32, UInt32, UInt16, Float16_b");
    TENSIX_SFPU_NEED("sfpu_reduce", "sfpu_reduce_init");
    if (ct_dim != 1 || rt_dim != 1) tensix_api->fail("sfpu_reduce: only one tile (ct_dim = rt_dim = 1) is modelled");
    tensix_api->sfpu_reduce((uint32_t)pool_type, reduce_dim == ReduceDim::REDUCE_ROW ? TX_REDUCE_ROW : TX_REDUCE_COL, idst,
                            (uint32_t)format);
}
}  // namespace ckernel
