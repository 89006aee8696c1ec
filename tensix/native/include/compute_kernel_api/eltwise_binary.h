// Element-wise add, sub, mul of two tiles from two circular buffers into the destination register (the FPU).
#pragma once
#include "compute_kernel_api/common.h"

namespace ckernel {
// acc_to_dest: the init of an element-wise op can make it add its result to what the destination tile holds. It is
// state the init leaves in the math engine; here, in this thread's copy of the kernel's globals, which is the same.
inline bool tensix_acc_to_dest = false;
// binary_op_init_common configures the hardware and the unpacker for two operands, but not the math engine's op
// (tt-metal: "Followed by the specific init required with an opcode"). The checker's binary mode is the op | the
// broadcast << 4 (0xf: any); the inits of today's with call_line may set the formats too.
constexpr uint32_t tensix_binary_mode(EltwiseBinaryType t, uint32_t bcast = TX_BCAST_NONE) {
    return (t == ELWSUB ? TX_SUB : t == ELWMUL ? TX_MUL : TX_ADD) | bcast << 4;
}
ALWI void binary_op_init_common(uint32_t icb0, uint32_t icb1, uint32_t ocb = 16) {
    tensix_init(TX_INIT_STARTUP, TX_INIT_HW | TX_ANY, "binary_op_init_common", icb0, icb1, ocb);
}
ALWI void binary_op_init_common_with_dt(uint32_t icb0, uint32_t icb1, uint32_t ocb = 16) {
    tensix_init(TX_INIT_STARTUP, TX_INIT_HW | TX_ANY, "binary_op_init_common_with_dt", TX_CB_UNKNOWN, TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
ALWI void mul_tiles_init_f() { tensix_init(TX_INIT_BINARY, TX_MUL, "mul_tiles_init_f"); }
ALWI void mul_tiles_init(uint32_t icb0 = 0, uint32_t icb1 = 1) { tensix_acc_to_dest = false; tensix_init(TX_INIT_BINARY, TX_MUL, "mul_tiles_init"); }
ALWI void add_tiles_init_nof() { tensix_init(TX_INIT_BINARY, TX_ADD, "add_tiles_init_nof"); }
ALWI void add_tiles_init(uint32_t icb0 = 0, uint32_t icb1 = 1, bool acc_to_dest = false) {
    tensix_acc_to_dest = acc_to_dest;
    tensix_init(TX_INIT_BINARY, TX_ADD, "add_tiles_init");
}
ALWI void sub_tiles_init_nof() { tensix_init(TX_INIT_BINARY, TX_SUB, "sub_tiles_init_nof"); }
ALWI void sub_tiles_init(uint32_t icb0 = 0, uint32_t icb1 = 1, bool acc_to_dest = false) {
    tensix_acc_to_dest = acc_to_dest;
    tensix_init(TX_INIT_BINARY, TX_SUB, "sub_tiles_init");
}
ALWI void binary_op_specific_init(int op_code) { tensix_init(TX_INIT_BINARY, 0xf, "binary_op_specific_init"); }
template <bool full_init, EltwiseBinaryType eltwise_binary_type>  // today's: configures the op add/sub/mul_tiles then name
ALWI void binary_tiles_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = 0) {
    tensix_acc_to_dest = acc_to_dest;
    tensix_init(TX_INIT_BINARY, tensix_binary_mode(eltwise_binary_type), "binary_tiles_init", TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
// today's paired inits (add_tiles and its kin): the same
template <auto... reuse>
ALWI void add_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = 0) {
    tensix_acc_to_dest = acc_to_dest;
    tensix_init(TX_INIT_BINARY, TX_ADD, "add_init", TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
template <auto... reuse>
ALWI void sub_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false, uint32_t call_line = 0) {
    tensix_acc_to_dest = acc_to_dest;
    tensix_init(TX_INIT_BINARY, TX_SUB, "sub_init", TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
template <auto... reuse>
ALWI void mul_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = 0) {
    tensix_acc_to_dest = false;
    tensix_init(TX_INIT_BINARY, TX_MUL, "mul_init", TX_CB_UNKNOWN, TX_CB_UNKNOWN);
}
template <bool full_init = false, EltwiseBinaryType eltwise_binary_type = ELWADD>
ALWI void binary_op_specific_init(uint32_t icb0 = 0, uint32_t icb1 = 1) {
    tensix_init(TX_INIT_BINARY, tensix_binary_mode(eltwise_binary_type), "binary_op_specific_init");
}
ALWI void add_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tensix_need(TX_INIT_BINARY, TX_ADD, "add_tiles", "add_tiles_init", icb0, icb1);
    tensix_api->binary(TX_ADD, TX_BCAST_NONE, icb0, icb1, itile0, itile1, idst, tensix_acc_to_dest);
}
ALWI void sub_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tensix_need(TX_INIT_BINARY, TX_SUB, "sub_tiles", "sub_tiles_init", icb0, icb1);
    tensix_api->binary(TX_SUB, TX_BCAST_NONE, icb0, icb1, itile0, itile1, idst, tensix_acc_to_dest);
}
ALWI void mul_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tensix_need(TX_INIT_BINARY, TX_MUL, "mul_tiles", "mul_tiles_init", icb0, icb1);
    tensix_api->binary(TX_MUL, TX_BCAST_NONE, icb0, icb1, itile0, itile1, idst, tensix_acc_to_dest);
}
}  // namespace ckernel
