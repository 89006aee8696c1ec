// tt-metal's compute kernel API, common part: the entry point, circular buffers, the destination register protocol.
// On the chip a compute kernel is compiled three times, for the unpack, math and pack RISC-Vs (UNPACK(...), MATH(...),
// PACK(...) keep a statement to one of them); the simulator runs it once, as one thread that does all three.
#pragma once
#include <algorithm>  // today's compute kernels reach std::min and std::max through the API headers
#include <cstdint>
#include "tensix_abi.h"
#include "tensix_args.h"
#include "tensix_types.h"
#include "tools/profiler/kernel_profiler.hpp"
#include "ckernel_ops.h"
#include "llk_defs.h"
#include "ckernel.h"  // mailbox_read, as tt-llk's headers bring it to compute kernels
#include "debug/assert.h"  // today's common.h brings ASSERT in

#define ALWI inline __attribute__((always_inline))
#define FORCE_INLINE inline __attribute__((always_inline))  // 2024's compute kernels use it as data-movement ones do
#define UNPACK(x) x
#define MATH(x) x
#define PACK(x) x
#ifndef TENSIX_MATH_FIDELITY
#define TENSIX_MATH_FIDELITY 4
#endif
#ifndef TENSIX_FP32_DEST_ACC
#define TENSIX_FP32_DEST_ACC 0
#endif
#ifndef TENSIX_APPROX
#define TENSIX_APPROX 0
#endif
#define MATH_FIDELITY TENSIX_MATH_FIDELITY          // as tt-metal's build defines it: the kernel's math_fidelity
constexpr bool APPROX = TENSIX_APPROX;                  // the kernel's math_approx_mode
constexpr bool DST_ACCUM_MODE = TENSIX_FP32_DEST_ACC;   // fp32_dest_acc_en

enum class MathFidelity : uint8_t { LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4 };
namespace tt {
enum class DstMode : uint8_t { Full = 0, Half = 1, Tile = 2, NUM_DST_MODES = 3 };
}

namespace ckernel {  // compute kernels see this namespace (the wrapper says `using namespace ckernel`)

// ---- circular buffers (the compute side of the FIFO)
ALWI void cb_wait_front(uint32_t cbid, uint32_t ntiles) { tensix_api->cb_wait_front(cbid, ntiles); }
ALWI void cb_pop_front(uint32_t cbid, uint32_t ntiles) { tensix_api->cb_pop_front(cbid, ntiles); }
ALWI void cb_reserve_back(uint32_t cbid, uint32_t ntiles) { tensix_api->cb_reserve_back(cbid, ntiles); }
ALWI void cb_push_back(uint32_t cbid, uint32_t ntiles) { tensix_api->cb_push_back(cbid, ntiles); }
constexpr uint32_t get_tile_size(uint32_t cbid) { return tensix_cb_known(cbid) ? tensix_cb_page_size[cbid] : tensix_api->cb_page_size(cbid); }

// ---- the destination register: math fills it, pack empties it; tile_regs_* hands it over between them
ALWI void tile_regs_acquire() { tensix_api->regs(TX_REGS_ACQUIRE); }
ALWI void tile_regs_commit() { tensix_api->regs(TX_REGS_COMMIT); }
ALWI void tile_regs_wait() { tensix_api->regs(TX_REGS_WAIT); }
ALWI void tile_regs_release() { tensix_api->regs(TX_REGS_RELEASE); }
ALWI void acquire_dst(tt::DstMode mode = tt::DstMode::Half) { tensix_api->regs(mode == tt::DstMode::Full ? TX_DST_ACQUIRE_FULL : TX_DST_ACQUIRE_HALF); }
ALWI void release_dst(tt::DstMode mode = tt::DstMode::Half) { tensix_api->regs(TX_DST_RELEASE); }

// The strict-init checker (native/inits.cpp): an init says what it sets up on the chip (the simulator reads what to do
// from each op call itself, so a missing init would be silently wrong on silicon), an op what it needs. A circular
// buffer argument names the buffer whose data format srcA, srcB or the packer are set up for (TX_CB_KEEP: unchanged;
// TX_CB_UNKNOWN: an init that may or may not change it on the chip).
ALWI void tensix_init(uint32_t kind, uint32_t mode, const char* call, int32_t srca = TX_CB_KEEP, int32_t srcb = TX_CB_KEEP,
                      int32_t pack = TX_CB_KEEP) { tensix_api->init(kind, mode, srca, srcb, pack, call); }
ALWI void tensix_need(uint32_t kind, uint32_t mode, const char* call, const char* fix, int32_t srca = TX_CB_KEEP,
                      int32_t srcb = TX_CB_KEEP, int32_t pack = TX_CB_KEEP) { tensix_api->need(kind, mode, srca, srcb, pack, call, fix); }
#define TENSIX_SFPU_INIT(name) tensix_init(TX_INIT_SFPU, 0, name)
#define TENSIX_SFPU_NEED(name, init) tensix_need(TX_NEED_SFPU, 0, name, init)

// Today's first call of a compute kernel: configures unpacker, math and packer for these circular buffers (the
// simulator unpacks and packs every buffer in its own format, but the checker follows them).
// SrcOrder::Reverse (the matmul's) puts icb0 in source register B and icb1 in A: the same here, where each call says
// which buffer is which operand.
enum class SrcOrder : uint8_t { Regular = 0, Reverse = 1 };
template <SrcOrder order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb, uint32_t call_line = 0) {
    bool rev = order == SrcOrder::Reverse;
    tensix_init(TX_INIT_STARTUP, TX_INIT_HW | TX_ANY, "compute_kernel_hw_startup", rev ? icb1 : icb0, rev ? icb0 : icb1, ocb);
}
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb) {
    tensix_init(TX_INIT_STARTUP, TX_INIT_HW | TX_ANY, "compute_kernel_hw_startup", icb0, icb0, ocb);
}

// ---- moving tiles: unpack a circular buffer's tile into the register, pack a register tile out
// (an init with the transpose makes copy_tile transpose: a mode the checker does not follow)
ALWI void copy_tile_init(uint32_t cbid = 0) { tensix_init(TX_INIT_COPY, TX_ANY, "copy_tile_init"); }
ALWI void copy_init(uint32_t cbid, uint32_t transpose = 0, uint32_t transpose_within_16x16_face = 0, uint32_t call_line = 0) {  // today's name
    tensix_init(transpose ? TX_INIT_UNKNOWN : TX_INIT_COPY, TX_ANY, "copy_init", TX_CB_UNKNOWN);
}
ALWI void copy_tile_to_dst_init_short(uint32_t cbid = 0, uint32_t transpose = 0) {
    tensix_init(transpose ? TX_INIT_UNKNOWN : TX_INIT_COPY, TX_ANY, "copy_tile_to_dst_init_short");
}
ALWI void copy_tile_to_dst_init_short_with_dt(uint32_t old_cbid, uint32_t new_cbid, uint32_t transpose = 0) {
    tensix_init(transpose ? TX_INIT_UNKNOWN : TX_INIT_COPY, TX_ANY, "copy_tile_to_dst_init_short_with_dt", new_cbid);
}
ALWI void copy_tile(uint32_t icb, uint32_t itile, uint32_t idst) {
    tensix_need(TX_INIT_COPY, TX_ANY, "copy_tile", "copy_tile_to_dst_init_short", icb);
    tensix_api->copy_tile(icb, itile, idst);
}
// The matmul's partial results back into the register: tiles start_in_tile.. of a circular buffer's front into
// register tiles start_dst.., as copy_tile does one by one.
ALWI void copy_block_matmul_partials(uint32_t in_cb_id, uint32_t start_in_tile_index, uint32_t start_dst_tile_index, uint32_t ntiles) {
    tensix_need(TX_INIT_COPY, TX_ANY, "copy_block_matmul_partials", "copy_tile_to_dst_init_short", in_cb_id);
    for (uint32_t i = 0; i < ntiles; i++) tensix_api->copy_tile(in_cb_id, start_in_tile_index + i, start_dst_tile_index + i);
}
ALWI void copy_block(uint32_t in_cb_id, uint32_t start_in_tile_index, uint32_t start_dst_tile_index, uint32_t ntiles) {  // today's name
    copy_block_matmul_partials(in_cb_id, start_in_tile_index, start_dst_tile_index, ntiles);
}
template <bool out_of_order_output = false>
ALWI void pack_tile(uint32_t ifrom_dst, uint32_t icb, uint32_t output_tile_index = 0) {
    tensix_need(TX_NEED_PACK, 0, "pack_tile", nullptr, TX_CB_KEEP, TX_CB_KEEP, icb);
    tensix_api->pack(ifrom_dst, icb, out_of_order_output ? (int32_t)output_tile_index : -1);
}
ALWI void matmul_pack_tile(uint32_t ifrom_dst, uint32_t icb, uint32_t ntiles) { for (uint32_t i = 0; i < ntiles; i++) pack_tile(ifrom_dst + i, icb); }
ALWI void pack_block(uint32_t ifrom_dst, uint32_t icb, uint32_t ntiles) { matmul_pack_tile(ifrom_dst, icb, ntiles); }  // today's name
// Format reconfiguration: the simulator unpacks and packs every circular buffer in its own format; the checker follows
// which format the unpacker's srcA and srcB and the packer are set up for (the math side's reconfig it leaves alone).
ALWI void pack_reconfig_data_format(uint32_t new_operand) { tensix_init(TX_INIT_FORMATS, 0, "pack_reconfig_data_format", TX_CB_KEEP, TX_CB_KEEP, new_operand); }
ALWI void pack_reconfig_data_format(uint32_t old_operand, uint32_t new_operand) { pack_reconfig_data_format(new_operand); }
ALWI void unpack_reconfig_data_format(uint32_t srca_new, uint32_t srcb_new) { tensix_init(TX_INIT_FORMATS, 0, "reconfig_data_format", srca_new, srcb_new); }
ALWI void unpack_reconfig_data_format(uint32_t srca_old, uint32_t srca_new, uint32_t srcb_old, uint32_t srcb_new) {
    unpack_reconfig_data_format(srca_new, srcb_new);
}
ALWI void unpack_reconfig_data_format_srca(uint32_t srca_new) { tensix_init(TX_INIT_FORMATS, 0, "reconfig_data_format_srca", srca_new); }
ALWI void unpack_reconfig_data_format_srca(uint32_t srca_old, uint32_t srca_new) { unpack_reconfig_data_format_srca(srca_new); }
ALWI void unpack_reconfig_data_format_srcb(uint32_t srcb_new) { tensix_init(TX_INIT_FORMATS, 0, "reconfig_data_format_srcb", TX_CB_KEEP, srcb_new); }
ALWI void unpack_reconfig_data_format_srcb(uint32_t srcb_old, uint32_t srcb_new) { unpack_reconfig_data_format_srcb(srcb_new); }
ALWI void math_reconfig_data_format(uint32_t srca_new, uint32_t srcb_new) {}
ALWI void math_reconfig_data_format(uint32_t srca_old, uint32_t srca_new, uint32_t srcb_old, uint32_t srcb_new) {}
ALWI void math_reconfig_data_format_srca(uint32_t srca_new) {}
ALWI void math_reconfig_data_format_srca(uint32_t srca_old, uint32_t srca_new) {}
ALWI void math_reconfig_data_format_srcb(uint32_t srcb_new) {}
ALWI void math_reconfig_data_format_srcb(uint32_t srcb_old, uint32_t srcb_new) {}
ALWI void reconfig_data_format(uint32_t srca_new, uint32_t srcb_new) { unpack_reconfig_data_format(srca_new, srcb_new); }
ALWI void reconfig_data_format(uint32_t srca_old, uint32_t srca_new, uint32_t srcb_old, uint32_t srcb_new) {
    unpack_reconfig_data_format(srca_new, srcb_new);
}
ALWI void reconfig_data_format_srca(uint32_t srca_new) { unpack_reconfig_data_format_srca(srca_new); }
ALWI void reconfig_data_format_srca(uint32_t srca_old, uint32_t srca_new) { unpack_reconfig_data_format_srca(srca_new); }
ALWI void reconfig_data_format_srcb(uint32_t srcb_new) { unpack_reconfig_data_format_srcb(srcb_new); }
ALWI void reconfig_data_format_srcb(uint32_t srcb_old, uint32_t srcb_new) { unpack_reconfig_data_format_srcb(srcb_new); }
// ReLU applied by the packer to every tile it packs, as tt-metal's PACK_RELU builds configure it.
ALWI void llk_pack_relu_config(uint32_t relu_type) { tensix_api->pack_relu(relu_type); }
// Packer L1 accumulation (tt-metal's PACKER_L1_ACC builds): while on, pack_tile adds the tile to the one already at
// its place in L1, so a matmul's partial sums accumulate in place instead of coming back through the register.
ALWI void llk_pack_reconfig_l1_acc(uint32_t enable) {
#ifdef ARCH_GRAYSKULL
    if (enable) tensix_api->fail("llk_pack_reconfig_l1_acc(1): Grayskull's packer cannot accumulate into L1 (Wormhole's and Blackhole's can)");
#else
    tensix_api->pack_l1_acc(enable);
#endif
}
ALWI void pack_reconfig_l1_acc(uint32_t enable) { llk_pack_reconfig_l1_acc(enable); }
struct ReluConfig {  // today's form of the same: a mode and a threshold (bits 16-31 as the chip packs them)
    ReluType mode = NO_RELU;
    uint32_t threshold = 0;
    static constexpr ReluConfig none() { return {NO_RELU}; }
    static constexpr ReluConfig zero() { return {ZERO_RELU}; }
    static constexpr ReluConfig min_threshold(uint32_t t) { return {MIN_THRESHOLD_RELU, t}; }
    static constexpr ReluConfig max_threshold(uint32_t t) { return {MAX_THRESHOLD_RELU, t}; }
    static constexpr ReluConfig from_packed(uint32_t packed) { return {static_cast<ReluType>(packed & 0x3), (packed >> 16) & 0xFFFF}; }
    constexpr ReluType get_mode() const { return mode; }
    constexpr uint32_t get_threshold() const { return threshold; }
};
ALWI void llk_pack_relu_config(ReluConfig config) { tensix_api->pack_relu(config.mode); }
ALWI void pack_relu_config(ReluConfig config) { llk_pack_relu_config(config); }  // today's name
// Low-level inits 2024's kernels call directly (moreh_common.hpp, bmm_tilize_untilize.cpp): they set up the unpacker
// and math engine for what follows, which the simulator reads from each call itself (the checker: half a mode, which
// it does not follow).
template <EltwiseBinaryType eltwise_binary_type, BroadcastType bcast = NONE, auto fidelity = MATH_FIDELITY, auto... more>
ALWI void llk_math_eltwise_binary_init(uint32_t transpose = 0, uint32_t acc_to_dest = 0) { tensix_init(TX_INIT_UNKNOWN, TX_ANY, "llk_math_eltwise_binary_init"); }
template <BroadcastType bcast = NONE, auto... more>
ALWI void llk_unpack_AB_init(uint32_t icb0 = 0, uint32_t icb1 = 1, uint32_t transpose = 0, uint32_t acc_to_dest = 0) {
    tensix_init(TX_INIT_UNKNOWN, TX_ANY, "llk_unpack_AB_init");
}
ALWI void llk_unpack_reconfig_data_format(uint32_t srca_old, uint32_t srca_new, uint32_t srcb_old, uint32_t srcb_new) {
    unpack_reconfig_data_format(srca_new, srcb_new);
}
// and today's kernel_lib helpers' (reduce_helpers_compute.hpp's reduce_init_short_with_dt)
template <auto... t> ALWI void llk_unpack_reconfig_data_format_srca(uint32_t srca_old, uint32_t srca_new) { unpack_reconfig_data_format_srca(srca_new); }
template <auto... t> ALWI void llk_math_reconfig_data_format_srca(uint32_t srca_old, uint32_t srca_new) {}
template <auto... t> ALWI void llk_unpack_AB_reduce_init(uint32_t icb, uint32_t icb_scaler) { tensix_init(TX_INIT_UNKNOWN, TX_ANY, "llk_unpack_AB_reduce_init"); }
template <auto... t> ALWI void llk_math_reduce_init() { tensix_init(TX_INIT_UNKNOWN, TX_ANY, "llk_math_reduce_init"); }
using ::MathFidelity;  // tt-llk's name is ckernel::MathFidelity
// Today's compute-kernel sentinel checks which formats the unpacker and packer are set up for: the simulator unpacks and
// packs each buffer in its own format, so there is nothing to check (the overloads are tt-metal's, without defaults)
template <auto... operand> ALWI void state_configure(uint32_t cb, uint32_t call_line) {}
template <auto... operand> ALWI void state_configure(uint32_t cb_a, uint32_t cb_b, uint32_t call_line) {}
ALWI void state_configure(uint32_t cb_a, uint32_t cb_b, uint32_t cb_out, uint32_t call_line) {}
}  // namespace ckernel
