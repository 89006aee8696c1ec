// The Tensix instructions today's kernel_lib issues by hand from a compute kernel's pack thread (ttnn's matmul fused
// activations, kernel_lib/matmul/detail/sfpu_activation_helpers.hpp), with tt-metal's names (ckernel_ops.h,
// ckernel_instr_params.h, ckernel_structs.h). The simulator runs the three compute threads as one, so each does
// what it stands for in the destination register's handshake, or says that it is not modelled.
#pragma once
#include <cstdint>

namespace ckernel {
namespace p_stall {  // what a stall waits for, and which instructions it holds
constexpr uint32_t NONE = 0, STALL_ON_ZERO = 0x1, STALL_ON_MAX = 0x2;
constexpr uint32_t STALL_TDMA = 0x1, STALL_SYNC = 0x2, STALL_PACK = 0x4, STALL_UNPACK = 0x8, STALL_XMOV = 0x10,
                   STALL_THCON = 0x20, STALL_MATH = 0x40, STALL_CFG = 0x80, STALL_SFPU = 0x100, STALL_THREAD = 0x1ff;
constexpr uint32_t WAIT_SFPU = 0x40, PACK = 0x78, MATH = 0x80, UNPACK = 0x6;
}  // namespace p_stall
namespace semaphore {  // the Tensix semaphores between the compute threads
constexpr uint32_t UNPACK_TO_DEST = 0, MATH_PACK = 1, UNPACK_PACK = 2, UNPACK_MATH = 3;
constexpr uint32_t t6_sem(uint32_t index) { return 1u << index; }
}  // namespace semaphore
namespace packer {
// The packer's half of the register. The simulator's SFPU ops from the pack thread (name_tile_pack) already work on
// the tiles the packer holds, so pointing the SFPU there (TT_SETC16 below) changes nothing.
constexpr uint32_t get_packer_dest_offset() { return 0; }
}  // namespace packer
constexpr uint32_t DEST_TARGET_REG_CFG_MATH_Offset_ADDR32 = 0;
// SEMWAIT on MATH_PACK until it is non-zero is the packer waiting for math's commit: tile_regs_wait.
inline void tensix_semwait(uint32_t stall_res, uint32_t sem_sel, uint32_t wait_sem_cond) {
    if (sem_sel == semaphore::t6_sem(semaphore::MATH_PACK) && wait_sem_cond == p_stall::STALL_ON_ZERO)
        return tensix_api->regs(TX_REGS_WAIT);
    tensix_api->fail("TTI_SEMWAIT: only the packer's wait for math (MATH_PACK, STALL_ON_ZERO) is modelled");
}
}  // namespace ckernel
#define TTI_SEMWAIT(stall_res, sem_sel, wait_sem_cond) ckernel::tensix_semwait(stall_res, sem_sel, wait_sem_cond)
#define TT_SETC16(reg, value) ((void)(reg), (void)(value))  // the SFPU's register half: see packer:: above
#define TTI_STALLWAIT(stall_res, wait_res) ((void)0)          // ordering only: the simulator does one thing at a time
