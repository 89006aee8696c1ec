// tt-metal's data-movement kernel API (tt_metal/hw/inc/dataflow_api.h), with the same names and signatures, for the
// tensix simulator. A data-movement kernel runs on BRISC or NCRISC; it moves bytes over a NoC between its core's L1,
// other cores' L1 and the DRAM banks, and trades pages with the compute kernel through circular buffers.
#pragma once
#include <algorithm>  // tt-metal's kernels reach std::min and std::max through dataflow_api.h
#include <cstdint>
#include <type_traits>
#include <utility>
#include "tensix_abi.h"
#include "tensix_args.h"
#include "tensix_types.h"
#include "hostdevcommon/common_values.hpp"
#include "tools/profiler/kernel_profiler.hpp"

#define tt_l1_ptr
#define tt_reg_ptr
// The RISC-V debug registers (tensix.h), which ttnn's helper headers name (data_movement's spin() reads the wall clock
// there). The simulator maps no registers: a kernel that reads one stops with an error naming the address.
#define RISCV_DEBUG_REGS_START_ADDR 0xFFB12000
#define RISCV_DEBUG_REG_WALL_CLOCK_L (RISCV_DEBUG_REGS_START_ADDR | 0x1F0)
#define RISCV_DEBUG_REG_WALL_CLOCK_H (RISCV_DEBUG_REGS_START_ADDR | 0x1F8)
#define FORCE_INLINE inline __attribute__((always_inline))
#ifndef NOC_INDEX
#define NOC_INDEX 0
#endif
#define NUM_NOCS 2
#ifndef NOC_MAX_BURST_SIZE
#define NOC_MAX_BURST_SIZE 8192  // the largest single NoC packet (the program sets the chip's own)
#endif
#define NOC_ADDR_NODE_ID_BITS 6
#ifndef NOC_ADDR_LOCAL_BITS
#define NOC_ADDR_LOCAL_BITS 32
#endif
#include "noc/noc_parameters.h"  // as tt-metal's dataflow_api.h brings them in
#include "internal/risc_common.h"
#include "debug/assert.h"  // as today's dataflow_api.h brings ASSERT in

constexpr uint8_t noc_index = NOC_INDEX;  // the NoC this kernel was built for
#define my_x (tensix_api->self->my_x)     // this core's NoC coordinates, indexed by NoC
#define my_y (tensix_api->self->my_y)
#define noc_size_x (tensix_api->noc_size_x)
#define noc_size_y (tensix_api->noc_size_y)
#define NUM_DRAM_BANKS (tensix_api->num_dram_banks)
#define NUM_L1_BANKS (tensix_api->num_l1_banks)
// NoC 1 runs the opposite way round the torus, so a kernel on NoC 1 sees coordinates mirrored.
#define NOC_X(x) (noc_index == 0 ? (x) : (noc_size_x - 1 - (x)))
#define NOC_Y(y) (noc_index == 0 ? (y) : (noc_size_y - 1 - (y)))
#define NOC_XY_ADDR(x, y, addr) \
    ((((uint64_t)(y)) << (NOC_ADDR_LOCAL_BITS + NOC_ADDR_NODE_ID_BITS)) | (((uint64_t)(x)) << NOC_ADDR_LOCAL_BITS) | ((uint64_t)(addr)))
#define NOC_MULTICAST_ADDR(x_start, y_start, x_end, y_end, addr)                                                  \
    ((((uint64_t)(y_start)) << (NOC_ADDR_LOCAL_BITS + 3 * NOC_ADDR_NODE_ID_BITS)) |                               \
     (((uint64_t)(x_start)) << (NOC_ADDR_LOCAL_BITS + 2 * NOC_ADDR_NODE_ID_BITS)) |                               \
     (((uint64_t)(y_end)) << (NOC_ADDR_LOCAL_BITS + NOC_ADDR_NODE_ID_BITS)) | (((uint64_t)(x_end)) << NOC_ADDR_LOCAL_BITS) | \
     ((uint64_t)(addr)))

// ---- circular buffers: FIFOs of pages in this core's L1, shared with the compute kernel
FORCE_INLINE void cb_reserve_back(int32_t operand, int32_t num_pages) { tensix_api->cb_reserve_back(operand, num_pages); }
FORCE_INLINE void cb_push_back(const int32_t operand, const int32_t num_pages) { tensix_api->cb_push_back(operand, num_pages); }
FORCE_INLINE void cb_wait_front(int32_t operand, int32_t num_pages) { tensix_api->cb_wait_front(operand, num_pages); }
FORCE_INLINE void cb_pop_front(int32_t operand, int32_t num_pages) { tensix_api->cb_pop_front(operand, num_pages); }
FORCE_INLINE bool cb_pages_available_at_front(int32_t operand, int32_t num_pages) { return tensix_api->cb_pages_available(operand, num_pages); }
FORCE_INLINE bool cb_pages_reservable_at_back(int32_t operand, int32_t num_pages) { return tensix_api->cb_pages_reservable(operand, num_pages); }
FORCE_INLINE uint32_t get_write_ptr(uint32_t operand) { return tensix_api->cb_write_ptr(operand); }
FORCE_INLINE uint32_t get_read_ptr(uint32_t operand) { return tensix_api->cb_read_ptr(operand); }
// Constant expressions where the program's circular buffers are known at compile time; else asked of the engine.
constexpr int32_t get_tile_size(const int32_t operand) {
    return tensix_cb_known(operand) ? tensix_cb_page_size[operand] : tensix_api->cb_page_size(operand);
}
constexpr uint32_t get_tile_hw(const int32_t operand) { return 32 * 32; }  // tensix's tiles are all 32 x 32, four faces
constexpr uint32_t get_tile_num_faces(const int32_t operand) { return 4; }
constexpr DataFormat get_dataformat(const int32_t operand) {
    return static_cast<DataFormat>(tensix_cb_known(operand) ? tensix_cb_format[operand] : tensix_api->cb_format(operand));
}

// ---- NoC addresses: (x, y, local address) packed in 64 bits, in the frame of the NoC that uses them
FORCE_INLINE uint32_t align(uint32_t addr, uint32_t alignment) { return ((addr - 1) | (alignment - 1)) + 1; }
FORCE_INLINE uint32_t min(uint32_t a, uint32_t b) { return a < b ? a : b; }  // 2024's dataflow_api.h has it
FORCE_INLINE uint64_t get_noc_addr(uint32_t noc_x, uint32_t noc_y, uint32_t addr, uint8_t noc = noc_index) {
    return noc == 0 ? NOC_XY_ADDR(noc_x, noc_y, addr) : NOC_XY_ADDR(noc_size_x - 1 - noc_x, noc_size_y - 1 - noc_y, addr);
}
FORCE_INLINE uint64_t get_noc_addr(uint32_t addr, uint8_t noc = noc_index) { return NOC_XY_ADDR(my_x[noc], my_y[noc], addr); }
FORCE_INLINE uint64_t get_noc_addr_helper(uint32_t noc_xy, uint32_t addr) { return ((uint64_t)noc_xy << NOC_ADDR_LOCAL_BITS) | addr; }
FORCE_INLINE uint64_t get_noc_multicast_addr(uint32_t noc_x_start, uint32_t noc_y_start, uint32_t noc_x_end, uint32_t noc_y_end,
                                             uint32_t addr, uint8_t noc = noc_index) {
    if (noc == 0) return NOC_MULTICAST_ADDR(noc_x_start, noc_y_start, noc_x_end, noc_y_end, addr);
    return NOC_MULTICAST_ADDR(noc_size_x - 1 - noc_x_start, noc_size_y - 1 - noc_y_start, noc_size_x - 1 - noc_x_end,
                              noc_size_y - 1 - noc_y_end, addr);
}

// The NoC address of page `id` of an interleaved buffer: page i lives in bank i % banks, at row i / banks.
template <bool DRAM>
FORCE_INLINE uint64_t tensix_bank_page_addr(uint32_t id, uint32_t bank_base_address, uint32_t stride, uint32_t offset, uint8_t noc) {
    uint32_t banks = DRAM ? NUM_DRAM_BANKS : NUM_L1_BANKS;
    uint32_t bank = id % banks, addr = bank_base_address + (id / banks) * stride + offset;
    return get_noc_addr(DRAM ? tensix_api->dram_x[bank] : tensix_api->l1_x[bank], DRAM ? tensix_api->dram_y[bank] : tensix_api->l1_y[bank],
                        addr, noc);
}

// Today's calls take the largest page size and tracing as template args (how the chip splits a transfer into
// packets); the simulator moves any size in one call.
template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true>
inline void noc_async_read(uint64_t src_noc_addr, uint32_t dst_local_l1_addr, uint32_t size, uint8_t noc = noc_index) {
    tensix_api->noc_read(noc, src_noc_addr, dst_local_l1_addr, size);
}
template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true, bool posted = false>
inline void noc_async_write(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint32_t size, uint8_t noc = noc_index) {
    tensix_api->noc_write(noc, src_local_l1_addr, dst_noc_addr, size, "noc_async_write");
}
FORCE_INLINE void noc_async_read_one_packet(uint64_t src_noc_addr, uint32_t dst_local_l1_addr, uint32_t size, uint8_t noc = noc_index) {
    noc_async_read(src_noc_addr, dst_local_l1_addr, size, noc);
}
FORCE_INLINE void noc_async_write_one_packet(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint32_t size, uint8_t noc = noc_index) {
    noc_async_write(src_local_l1_addr, dst_noc_addr, size, noc);
}
inline void noc_async_write_multicast(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t size, uint32_t num_dests,
                                      bool linked = false, bool multicast_path_reserve = true, uint8_t noc = noc_index) {
    tensix_api->noc_write_mcast(noc, src_local_l1_addr, dst_noc_addr_multicast, size, num_dests, false, "noc_async_write_multicast");
}
// Stateful reads and writes: *_set_state leaves the far end's NoC coordinates (and a size) in this RISC-V's command
// registers, and *_with_state issues transfers that give only the local parts.
FORCE_INLINE void noc_async_read_set_state(uint64_t src_noc_addr, uint8_t noc = noc_index) { tensix_api->self->read_state = src_noc_addr; }
FORCE_INLINE void noc_async_read_one_packet_set_state(uint64_t src_noc_addr, uint32_t size, uint8_t noc = noc_index) {
    tensix_api->self->read_state = src_noc_addr;
    tensix_api->self->read_state_size = size;
}
template <bool inc_num_issued = true>
FORCE_INLINE void noc_async_read_with_state(uint32_t src_local_addr, uint32_t dst_local_l1_addr, uint32_t size, uint8_t noc = noc_index) {
    uint64_t far = tensix_api->self->read_state & ~(((uint64_t)1 << NOC_ADDR_LOCAL_BITS) - 1);
    noc_async_read(far | src_local_addr, dst_local_l1_addr, size, noc);
}
template <bool inc_num_issued = true>
FORCE_INLINE void noc_async_read_one_packet_with_state(uint32_t src_local_addr, uint32_t dst_local_l1_addr, uint8_t noc = noc_index) {
    noc_async_read_with_state<inc_num_issued>(src_local_addr, dst_local_l1_addr, tensix_api->self->read_state_size, noc);
}
FORCE_INLINE void noc_async_read_inc_num_issued(uint32_t num_issued_reads_inc, uint8_t noc = noc_index) {}
template <bool non_posted = true>
FORCE_INLINE void noc_async_write_one_packet_set_state(uint64_t dst_noc_addr, uint32_t size, uint8_t noc = noc_index) {
    tensix_api->self->write_state = dst_noc_addr;
    tensix_api->self->write_state_size = size;
}
template <bool non_posted = true>
FORCE_INLINE void noc_async_write_one_packet_with_state(uint32_t src_local_l1_addr, uint32_t dst_local_addr, uint8_t noc = noc_index) {
    uint64_t far = tensix_api->self->write_state & ~(((uint64_t)1 << NOC_ADDR_LOCAL_BITS) - 1);
    noc_async_write(src_local_l1_addr, far | dst_local_addr, tensix_api->self->write_state_size, noc);
}
inline void noc_async_write_multicast_one_packet(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t size,
                                                 uint32_t num_dests, bool linked = false, bool multicast_path_reserve = true,
                                                 uint8_t noc = noc_index) {
    tensix_api->noc_write_mcast(noc, src_local_l1_addr, dst_noc_addr_multicast, size, num_dests, false, "noc_async_write_multicast_one_packet");
}
inline void noc_async_write_multicast_loopback_src(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t size,
                                                   uint32_t num_dests, bool linked = false, bool multicast_path_reserve = true,
                                                   uint8_t noc = noc_index) {
    tensix_api->noc_write_mcast(noc, src_local_l1_addr, dst_noc_addr_multicast, size, num_dests, true, "noc_async_write_multicast_loopback_src");
}
FORCE_INLINE void noc_async_read_barrier(uint8_t noc = noc_index) { tensix_api->noc_read_barrier(noc); }
FORCE_INLINE void noc_async_write_barrier(uint8_t noc = noc_index) { tensix_api->noc_write_barrier(noc); }
FORCE_INLINE void noc_async_writes_flushed(uint8_t noc = noc_index) { tensix_api->noc_write_barrier(noc); }
FORCE_INLINE void noc_async_atomic_barrier(uint8_t noc = noc_index) { tensix_api->noc_atomic_barrier(noc); }

// ---- interleaved address generators
template <bool DRAM>
struct InterleavedAddrGen {
    uint32_t bank_base_address;  // the buffer's address in every bank
    uint32_t page_size;          // bytes per page
    FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const uint32_t offset = 0, uint8_t noc = noc_index) const {
        return tensix_bank_page_addr<DRAM>(id, bank_base_address, align(page_size, 32), offset, noc);
    }
    FORCE_INLINE void noc_async_read_page(const uint32_t id, const uint32_t dest_addr, const uint32_t offset = 0, uint8_t noc = noc_index) const {
        noc_async_read(get_noc_addr(id, offset, noc), dest_addr, page_size, noc);
    }
    FORCE_INLINE void noc_async_read_partial_page(const uint32_t id, uint32_t dest_addr, const uint32_t size, const uint32_t offset,
                                                  uint8_t noc = noc_index) const {
        noc_async_read(get_noc_addr(id, offset, noc), dest_addr, size, noc);
    }
    FORCE_INLINE void noc_async_write_page(const uint32_t id, uint32_t src_addr, const uint32_t write_size_bytes, const uint32_t offset = 0,
                                           uint8_t noc = noc_index) const {
        noc_async_write(src_addr, get_noc_addr(id, offset, noc), write_size_bytes, noc);
    }
};

template <bool DRAM>
struct InterleavedPow2AddrGen {
    const uint32_t bank_base_address;
    const uint32_t log_base_2_of_page_size;
    FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const uint32_t offset = 0, uint8_t noc = noc_index) const {
        return tensix_bank_page_addr<DRAM>(id, bank_base_address, 1u << log_base_2_of_page_size, offset, noc);
    }
};

// Like InterleavedAddrGen, but the stride between a bank's pages is the tile size of the data format.
template <bool DRAM>
struct InterleavedAddrGenFast {
    uint32_t bank_base_address;
    uint32_t page_size;  // bytes moved per page
    DataFormat data_format;
    FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const uint32_t offset = 0, uint8_t noc = noc_index) const {
        return tensix_bank_page_addr<DRAM>(id, bank_base_address, tensix_tile_bytes(data_format), offset, noc);
    }
    FORCE_INLINE void noc_async_read_tile(const uint32_t id, uint32_t dest_addr, const uint32_t offset = 0, uint8_t noc = noc_index) const {
        noc_async_read(get_noc_addr(id, offset, noc), dest_addr, page_size, noc);
    }
    FORCE_INLINE void noc_async_write_tile(const uint32_t id, uint32_t src_addr, uint8_t noc = noc_index) const {
        noc_async_write(src_addr, get_noc_addr(id, 0, noc), page_size, noc);
    }
};

template <bool DRAM>
struct InterleavedPow2AddrGenFast {
    uint32_t bank_base_address;
    uint32_t log_base_2_of_page_size;
    FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const uint32_t offset = 0, uint8_t noc = noc_index) const {
        return tensix_bank_page_addr<DRAM>(id, bank_base_address, 1u << log_base_2_of_page_size, offset, noc);
    }
    FORCE_INLINE void noc_async_read_page(const uint32_t id, uint32_t dest_addr, const uint32_t offset = 0, uint8_t noc = noc_index) const {
        noc_async_read(get_noc_addr(id, offset, noc), dest_addr, 1u << log_base_2_of_page_size, noc);
    }
    FORCE_INLINE void noc_async_read_partial_page(const uint32_t id, uint32_t dest_addr, const uint32_t size, const uint32_t offset,
                                                  uint8_t noc = noc_index) const {
        noc_async_read(get_noc_addr(id, offset, noc), dest_addr, size, noc);
    }
    FORCE_INLINE void noc_async_write_page(const uint32_t id, uint32_t src_addr, const uint32_t write_size_bytes, const uint32_t offset = 0,
                                           uint8_t noc = noc_index) const {
        noc_async_write(src_addr, get_noc_addr(id, offset, noc), write_size_bytes, noc);
    }
};

template <bool DRAM>
FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const InterleavedAddrGen<DRAM>& s, uint32_t offset = 0, uint8_t noc = noc_index) {
    return s.get_noc_addr(id, offset, noc);
}
template <bool DRAM>
FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const InterleavedPow2AddrGen<DRAM>& s, uint32_t offset = 0, uint8_t noc = noc_index) {
    return s.get_noc_addr(id, offset, noc);
}
template <bool DRAM>
FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const InterleavedAddrGenFast<DRAM>& s, uint32_t offset = 0, uint8_t noc = noc_index) {
    return s.get_noc_addr(id, offset, noc);
}
template <bool DRAM>
FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const InterleavedPow2AddrGenFast<DRAM>& s, uint32_t offset = 0, uint8_t noc = noc_index) {
    return s.get_noc_addr(id, offset, noc);
}
template <bool DRAM>
FORCE_INLINE void noc_async_read_page(const uint32_t id, const InterleavedAddrGen<DRAM>& s, uint32_t dst_local_l1_addr, uint32_t offset = 0,
                                      uint8_t noc = noc_index) {
    s.noc_async_read_page(id, dst_local_l1_addr, offset, noc);
}
template <bool DRAM>
FORCE_INLINE void noc_async_read_tile(const uint32_t id, const InterleavedAddrGenFast<DRAM>& s, uint32_t dst_local_l1_addr, uint32_t offset = 0,
                                      uint8_t noc = noc_index) {
    s.noc_async_read_tile(id, dst_local_l1_addr, offset, noc);
}
template <bool DRAM>
FORCE_INLINE void noc_async_write_tile(const uint32_t id, const InterleavedAddrGenFast<DRAM>& s, uint32_t src_local_l1_addr, uint8_t noc = noc_index) {
    s.noc_async_write_tile(id, src_local_l1_addr, noc);
}
// The NoC address of `bank_address_offset` in DRAM bank (or L1 bank) `bank_id`.
template <bool DRAM>
FORCE_INLINE uint64_t get_noc_addr_from_bank_id(uint32_t bank_id, uint32_t bank_address_offset, uint8_t noc = noc_index) {
    return get_noc_addr(DRAM ? tensix_api->dram_x[bank_id] : tensix_api->l1_x[bank_id], DRAM ? tensix_api->dram_y[bank_id] : tensix_api->l1_y[bank_id],
                        bank_address_offset, noc);
}
// The firmware's bank tables (dataflow_api_common.h), which kernel helpers index directly: each bank's NoC xy in a NoC's
// frame ((y << NOC_ADDR_NODE_ID_BITS) | x, shifted by NOC_ADDR_COORD_SHIFT into a NoC address) and its address offset
// (0 here: every bank of a buffer starts at the buffer's address). Read-only views of the device's banks.
template <bool DRAM>
struct TensixBankXY {
    struct Row {
        uint8_t noc;
        uint16_t operator[](uint32_t bank) const {
            uint32_t x = DRAM ? tensix_api->dram_x[bank] : tensix_api->l1_x[bank], y = DRAM ? tensix_api->dram_y[bank] : tensix_api->l1_y[bank];
            if (noc) { x = noc_size_x - 1 - x; y = noc_size_y - 1 - y; }
            return (uint16_t)((y << NOC_ADDR_NODE_ID_BITS) | x);
        }
    };
    Row operator[](uint32_t noc) const { return {(uint8_t)noc}; }
};
struct TensixBankOffsets { int32_t operator[](uint32_t) const { return 0; } };
inline constexpr TensixBankXY<true> dram_bank_to_noc_xy{};
inline constexpr TensixBankXY<false> l1_bank_to_noc_xy{};
inline constexpr TensixBankOffsets bank_to_dram_offset{}, bank_to_l1_offset{};
// A coordinate in a NoC's frame, that NoC given at run time (risc_common.h)
#define DYNAMIC_NOC_X(noc, x) ((noc) == 0 ? (x) : (noc_size_x - 1 - (x)))
#define DYNAMIC_NOC_Y(noc, y) ((noc) == 0 ? (y) : (noc_size_y - 1 - (y)))
inline uint64_t get_dram_noc_addr(const uint32_t id, const uint32_t page_size, const uint32_t bank_base_address, const uint32_t offset = 0,
                                  uint8_t noc = noc_index) {
    return tensix_bank_page_addr<true>(id, bank_base_address, align(page_size, 32), offset, noc);
}
inline uint64_t get_l1_noc_addr(const uint32_t id, const uint32_t page_size, const uint32_t bank_base_address, const uint32_t offset = 0,
                                uint8_t noc = noc_index) {
    return tensix_bank_page_addr<false>(id, bank_base_address, align(page_size, 32), offset, noc);
}

// What an address generator offers, as today's helpers ask it (dataflow_api_addrgen.h): get_noc_addr(id, offset, noc),
// and its page size as get_aligned_page_size(), a page_size member or log_base_2_of_page_size.
template <typename, typename = void> inline constexpr bool has_get_noc_addr_v = false;
template <typename T>
inline constexpr bool has_get_noc_addr_v<T, std::void_t<decltype(std::declval<T>().get_noc_addr(
    std::declval<uint32_t>(), std::declval<uint32_t>(), std::declval<uint8_t>()))>> = true;
template <typename, typename = void> inline constexpr bool has_page_size_v = false;
template <typename T> inline constexpr bool has_page_size_v<T, std::void_t<decltype(std::declval<T>().page_size)>> = true;
template <typename, typename = void> inline constexpr bool has_get_aligned_page_size_v = false;
template <typename T>
inline constexpr bool has_get_aligned_page_size_v<T, std::void_t<decltype(std::declval<T>().get_aligned_page_size())>> = true;
template <typename, typename = void> inline constexpr bool has_log_base_2_of_page_size_v = false;
template <typename T>
inline constexpr bool has_log_base_2_of_page_size_v<T, std::void_t<decltype(std::declval<T>().log_base_2_of_page_size)>> = true;
template <typename T>
inline constexpr bool has_required_addrgen_traits_v =
    has_get_noc_addr_v<T> && (has_get_aligned_page_size_v<T> || has_page_size_v<T> || has_log_base_2_of_page_size_v<T>);

// ---- semaphores: 32-bit words in L1 that cores set, increment and wait on
FORCE_INLINE uint32_t get_semaphore(uint32_t semaphore_id) { return tensix_api->semaphore(semaphore_id); }
FORCE_INLINE void noc_semaphore_set(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val) { tensix_api->sem_set(sem_addr, val); }
FORCE_INLINE void noc_semaphore_wait(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val) { tensix_api->sem_wait(sem_addr, val); }
FORCE_INLINE void noc_semaphore_wait_min(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val) { tensix_api->sem_wait_min(sem_addr, val); }
inline void noc_semaphore_inc(uint64_t addr, uint32_t incr, uint8_t noc = noc_index) { tensix_api->sem_inc(noc, addr, incr); }
inline void noc_semaphore_set_remote(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint8_t noc = noc_index) {
    tensix_api->noc_write(noc, src_local_l1_addr, dst_noc_addr, 4, "noc_semaphore_set_remote");
}
inline void noc_semaphore_set_multicast(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t num_dests,
                                        bool linked = false, bool multicast_path_reserve = true, uint8_t noc = noc_index) {
    tensix_api->noc_write_mcast(noc, src_local_l1_addr, dst_noc_addr_multicast, 4, num_dests, false, "noc_semaphore_set_multicast");
}
inline void noc_semaphore_set_multicast_loopback_src(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t num_dests,
                                                     bool linked = false, bool multicast_path_reserve = true, uint8_t noc = noc_index) {
    tensix_api->noc_write_mcast(noc, src_local_l1_addr, dst_noc_addr_multicast, 4, num_dests, true, "noc_semaphore_set_multicast_loopback_src");
}
// Today's dataflow_api.h, at this path too, brings TensorAccessor (accessor/tensor_accessor.h); get_compile_time_arg_val
// keeps its 2024 form here, usable in #if
#include "api/tensor/tensor_accessor.h"
