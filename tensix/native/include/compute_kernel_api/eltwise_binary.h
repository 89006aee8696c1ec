// Element-wise add, sub, mul of two tiles from two circular buffers into the destination register (the FPU).
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
// acc_to_dest: the init of an element-wise op can make it add its result to what the destination tile holds. It is
// state the init leaves in the math engine; here, in this thread's copy of the kernel's globals, which is the same.
inline bool tensix_acc_to_dest = false;
ALWI void binary_op_init_common(uint32_t icb0, uint32_t icb1, uint32_t ocb = 16) {}
ALWI void binary_op_init_common_with_dt(uint32_t icb0, uint32_t icb1, uint32_t ocb = 16) {}
ALWI void mul_tiles_init_f() {}
ALWI void mul_tiles_init(uint32_t icb0 = 0, uint32_t icb1 = 1) { tensix_acc_to_dest = false; }
ALWI void add_tiles_init_nof() {}
ALWI void add_tiles_init(uint32_t icb0 = 0, uint32_t icb1 = 1, bool acc_to_dest = false) { tensix_acc_to_dest = acc_to_dest; }
ALWI void sub_tiles_init_nof() {}
ALWI void sub_tiles_init(uint32_t icb0 = 0, uint32_t icb1 = 1, bool acc_to_dest = false) { tensix_acc_to_dest = acc_to_dest; }
ALWI void binary_op_specific_init(int op_code) {}
template <bool full_init, EltwiseBinaryType eltwise_binary_type>  // today's: configures the op add/sub/mul_tiles then name
ALWI void binary_tiles_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = 0) { tensix_acc_to_dest = acc_to_dest; }
// today's paired inits (add_tiles and its kin): the same
template <auto... reuse>
ALWI void add_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = 0) { tensix_acc_to_dest = acc_to_dest; }
template <auto... reuse>
ALWI void sub_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = 0) { tensix_acc_to_dest = acc_to_dest; }
template <auto... reuse>
ALWI void mul_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = 0) { tensix_acc_to_dest = false; }
template <bool full_init = false, EltwiseBinaryType eltwise_binary_type = ELWADD>
ALWI void binary_op_specific_init(uint32_t icb0 = 0, uint32_t icb1 = 1) {}
ALWI void add_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tensix_api->binary(TX_ADD, TX_BCAST_NONE, icb0, icb1, itile0, itile1, idst, tensix_acc_to_dest);
}
ALWI void sub_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tensix_api->binary(TX_SUB, TX_BCAST_NONE, icb0, icb1, itile0, itile1, idst, tensix_acc_to_dest);
}
ALWI void mul_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tensix_api->binary(TX_MUL, TX_BCAST_NONE, icb0, icb1, itile0, itile1, idst, tensix_acc_to_dest);
}
}  // namespace ckernel
