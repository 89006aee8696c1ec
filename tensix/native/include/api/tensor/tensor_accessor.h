// Today's tt-metal (api/tensor/tensor_accessor.h): a TensorAccessor finds the pages of a buffer from compile-time args
// the host produced for it (TensorAccessorArgs(buffer) on the host, tt.TensorAccessorArgs(buf) here). Interleaved
// buffers, the ones tensix allocates, lay page i in bank i % banks, so the accessor is an InterleavedAddrGen with its
// layout read from the args. Sharded layouts are refused at compile time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <dataflow_api.h>
#include "tensix_args.h"  // tensix_compile_time_arg: the index need not be a literal

namespace tensor_accessor {
enum class ArgConfig : uint8_t {  // the first compile-time arg: bits, as tt-metal's host sets them
    None = 0, Sharded = 1 << 0, IsDram = 1 << 1, RuntimeRank = 1 << 2, RuntimeNumBanks = 1 << 3,
    RuntimeTensorShape = 1 << 4, RuntimeShardShape = 1 << 5, RuntimeBankCoords = 1 << 6,
};
constexpr std::size_t UNKNOWN = static_cast<std::size_t>(-1);
template <bool IsDram>
struct Interleaved {  // the distribution of an interleaved buffer; all there is to know is where it lives
    static constexpr bool is_dram = IsDram;
};
}  // namespace tensor_accessor

// The args of one accessor: compile-time args [config, aligned page size] from CTA_OFFSET on; an interleaved buffer
// takes no common runtime args.
template <std::size_t CTA_OFFSET, std::size_t CRTA_OFFSET = tensor_accessor::UNKNOWN>
struct TensorAccessorArgs {
    static constexpr uint32_t config = tensix_compile_time_arg(CTA_OFFSET);
    static constexpr bool is_sharded = config & (uint32_t)tensor_accessor::ArgConfig::Sharded;
    static constexpr bool is_dram = config & (uint32_t)tensor_accessor::ArgConfig::IsDram;
    static_assert(!is_sharded, "TensorAccessorArgs: a sharded buffer; tensix allocates interleaved buffers only");
    static constexpr uint32_t AlignedPageSize = tensix_compile_time_arg(CTA_OFFSET + 1);
    uint32_t crta_offset_rt_ = 0;
    constexpr TensorAccessorArgs() = default;
    constexpr explicit TensorAccessorArgs(uint32_t crta_offset) : crta_offset_rt_(crta_offset) {}
    constexpr uint32_t crta_offset() const { return CRTA_OFFSET != tensor_accessor::UNKNOWN ? CRTA_OFFSET : crta_offset_rt_; }
    static constexpr uint32_t get_aligned_page_size() { return AlignedPageSize; }
    static constexpr uint32_t num_compile_time_args() { return 2; }
    static constexpr uint32_t next_compile_time_args_offset() { return CTA_OFFSET + 2; }
    constexpr uint32_t num_common_runtime_args() const { return 0; }
    constexpr uint32_t next_common_runtime_args_offset() const { return crta_offset(); }
};

namespace tensor_accessor {
// Metal 2.0's tensor binding (the host's tt.Kernel(tensors={name: buffer})): tensix generates `tensor::NAME`, a token
// naming where the buffer's TensorAccessorArgs sit among the compile-time args and where its address sits among the
// common runtime args (in bytes); TensorAccessor(tensor::NAME) needs nothing else.
template <uint32_t CTA_OFFSET, uint32_t ADDR_CRTA_OFFSET>
struct TensorBindingToken {
    using args_t = TensorAccessorArgs<CTA_OFFSET>;
    static constexpr args_t args{};
    static constexpr uint32_t addr_crta_offset = ADDR_CRTA_OFFSET;
};
template <uint32_t CTA_OFFSET, uint32_t ADDR_CRTA_OFFSET>
using TensorAccessorBindingToken = TensorBindingToken<CTA_OFFSET, ADDR_CRTA_OFFSET>;  // its name in early 2026
}  // namespace tensor_accessor

template <typename DSpec>
struct TensorAccessor : InterleavedAddrGen<DSpec::is_dram> {
    static constexpr bool is_dram = DSpec::is_dram;
    template <uint32_t C, uint32_t A>
    explicit TensorAccessor(tensor_accessor::TensorBindingToken<C, A>)
        : InterleavedAddrGen<DSpec::is_dram>{get_common_arg_val<uint32_t>(A / sizeof(uint32_t)), TensorAccessorArgs<C>::AlignedPageSize} {}
    template <std::size_t C, std::size_t R>
    TensorAccessor(const TensorAccessorArgs<C, R>&, uint32_t bank_base_address, uint32_t page_size = TensorAccessorArgs<C, R>::AlignedPageSize)
        : InterleavedAddrGen<DSpec::is_dram>{bank_base_address, page_size} {}
    uint32_t get_aligned_page_size() const { return this->page_size; }
    uint32_t get_bank_base_address() const { return this->bank_base_address; }
};
template <std::size_t C, std::size_t R>
TensorAccessor(const TensorAccessorArgs<C, R>&, uint32_t) -> TensorAccessor<tensor_accessor::Interleaved<TensorAccessorArgs<C, R>::is_dram>>;
template <std::size_t C, std::size_t R>
TensorAccessor(const TensorAccessorArgs<C, R>&, uint32_t, uint32_t) -> TensorAccessor<tensor_accessor::Interleaved<TensorAccessorArgs<C, R>::is_dram>>;

template <uint32_t C, uint32_t A>
TensorAccessor(tensor_accessor::TensorBindingToken<C, A>) -> TensorAccessor<tensor_accessor::Interleaved<TensorAccessorArgs<C>::is_dram>>;

// The page-wise NoC calls, with an accessor where 2024's took an address generator. A size of 0: the whole page.
template <typename D>
FORCE_INLINE uint64_t get_noc_addr(const uint32_t id, const TensorAccessor<D>& s, uint32_t offset = 0, uint8_t noc = noc_index) {
    return s.get_noc_addr(id, offset, noc);
}
template <typename D>
FORCE_INLINE void noc_async_read_page(const uint32_t id, const TensorAccessor<D>& s, uint32_t dst_local_l1_addr, uint32_t offset = 0,
                                      uint8_t noc = noc_index) {
    noc_async_read(s.get_noc_addr(id, offset, noc), dst_local_l1_addr, s.page_size, noc);
}
template <typename D>
FORCE_INLINE void noc_async_read_tile(const uint32_t id, const TensorAccessor<D>& s, uint32_t dst_local_l1_addr, uint32_t offset = 0,
                                      uint8_t noc = noc_index) {
    noc_async_read(s.get_noc_addr(id, offset, noc), dst_local_l1_addr, s.page_size, noc);
}
template <typename D>
FORCE_INLINE void noc_async_write_page(const uint32_t id, const TensorAccessor<D>& s, uint32_t src_local_l1_addr, uint32_t size = 0,
                                       uint32_t offset = 0, uint8_t noc = noc_index) {
    noc_async_write(src_local_l1_addr, s.get_noc_addr(id, offset, noc), size ? size : s.page_size, noc);
}
template <typename D>
FORCE_INLINE void noc_async_write_tile(const uint32_t id, const TensorAccessor<D>& s, uint32_t src_local_l1_addr, uint32_t size = 0,
                                       uint32_t offset = 0, uint8_t noc = noc_index) {
    noc_async_write(src_local_l1_addr, s.get_noc_addr(id, offset, noc), size ? size : s.page_size, noc);
}
