// Today's object API for the NoC (api/dataflow/noc.h): `Noc noc; noc.async_read(src, dst, size, src_args, dst_args)`.
// Source and destination are objects (a TensorAccessor, a CircularBuffer); noc_traits_t<T> says how each turns its
// args ({.page_id}, {.offset_bytes}) into an address, then the 2024 calls move the bytes.
#pragma once
#include <type_traits>
#include "api/dataflow/dataflow_api.h"

template <typename T>
struct noc_traits_t {
    static_assert(sizeof(T) == 0, "NoC transactions are not supported for this type");
};

enum class NocOptions : uint32_t { DEFAULT = 0, TXN_ID = 1u << 0, POSTED = 1u << 1, CUSTOM_VC = 1u << 2, MCAST_INCL_SRC = 1u << 3,
                                   INLINE_L1 = 1u << 4, INLINE_REG = 1u << 5 };
constexpr NocOptions operator|(NocOptions a, NocOptions b) noexcept { return static_cast<NocOptions>(static_cast<uint32_t>(a) | static_cast<uint32_t>(b)); }
constexpr bool has_flag(NocOptions opts, NocOptions flag) noexcept { return (static_cast<uint32_t>(opts) & static_cast<uint32_t>(flag)) != 0; }
struct NocOptVals {  // virtual channel and transaction id: the simulator's NoC has neither, so they change nothing
    uint32_t vc = 0;
    uint32_t trid = 0;
};

class Noc {
public:
    enum class AddressType { NOC, LOCAL_L1 };
    Noc() : noc_id_(noc_index) {}
    explicit Noc(uint8_t noc_id) : noc_id_(noc_id) {}
    uint8_t get_noc_id() const { return noc_id_; }
    bool is_local_bank(uint32_t x, uint32_t y) const { return x == my_x[noc_id_] && y == my_y[noc_id_]; }

    template <NocOptions opts = NocOptions::DEFAULT, uint32_t max_page_size = 0, bool enable_noc_tracing = true, typename Src, typename Dst>
    void async_read(const Src& src, const Dst& dst, uint32_t size_bytes, const typename noc_traits_t<Src>::src_args_type& src_args,
                    const typename noc_traits_t<Dst>::dst_args_type& dst_args, const NocOptVals& = {}) const {
        noc_async_read(noc_traits_t<Src>::template src_addr<AddressType::NOC>(src, *this, src_args),
                       noc_traits_t<Dst>::template dst_addr<AddressType::LOCAL_L1>(dst, *this, dst_args), size_bytes, noc_id_);
    }
    template <NocOptions opts = NocOptions::DEFAULT, uint32_t max_page_size = 0, bool enable_noc_tracing = true, typename Src, typename Dst>
    void async_write(const Src& src, const Dst& dst, uint32_t size_bytes, const typename noc_traits_t<Src>::src_args_type& src_args,
                     const typename noc_traits_t<Dst>::dst_args_type& dst_args, const NocOptVals& = {}) const {
        noc_async_write(noc_traits_t<Src>::template src_addr<AddressType::LOCAL_L1>(src, *this, src_args),
                        noc_traits_t<Dst>::template dst_addr<AddressType::NOC>(dst, *this, dst_args), size_bytes, noc_id_);
    }
    // To a rectangle of cores (dst_args give its NoC corners); MCAST_INCL_SRC includes the sender.
    template <NocOptions opts = NocOptions::DEFAULT, uint32_t max_page_size = 0, bool enable_noc_tracing = true, typename Src, typename Dst>
    void async_write_multicast(const Src& src, const Dst& dst, uint32_t size_bytes, uint32_t num_dsts,
                               const typename noc_traits_t<Src>::src_args_type& src_args,
                               const typename noc_traits_t<Dst>::dst_args_mcast_type& dst_args, bool linked = false) const {
        uint32_t from = noc_traits_t<Src>::template src_addr<AddressType::LOCAL_L1>(src, *this, src_args);
        uint64_t to = noc_traits_t<Dst>::template dst_addr_mcast<AddressType::NOC>(dst, *this, dst_args);
        if constexpr (has_flag(opts, NocOptions::MCAST_INCL_SRC)) noc_async_write_multicast_loopback_src(from, to, size_bytes, num_dsts, linked, true, noc_id_);
        else noc_async_write_multicast(from, to, size_bytes, num_dsts, linked, true, noc_id_);
    }
    template <NocOptions opts = NocOptions::DEFAULT>
    void async_read_barrier(const NocOptVals& = {}) const { noc_async_read_barrier(noc_id_); }
    template <NocOptions opts = NocOptions::DEFAULT>
    void async_write_barrier(const NocOptVals& = {}) const { noc_async_write_barrier(noc_id_); }
    template <NocOptions opts = NocOptions::DEFAULT>
    void async_writes_flushed(const NocOptVals& = {}) const { noc_async_writes_flushed(noc_id_); }
    template <NocOptions opts = NocOptions::DEFAULT>
    void async_atomic_barrier(const NocOptVals& = {}) const { noc_async_write_barrier(noc_id_); }

private:
    uint8_t noc_id_;
};

// A plain address in this core's L1, as a source or destination.
struct CoreLocalMem {
    uint32_t addr;
    explicit CoreLocalMem(uint32_t address) : addr(address) {}
};
template <>
struct noc_traits_t<CoreLocalMem> {
    struct src_args_type { uint32_t offset_bytes{}; };
    struct dst_args_type { uint32_t offset_bytes{}; };
    template <Noc::AddressType type>
    static uint32_t src_addr(const CoreLocalMem& m, const Noc&, const src_args_type& a) {
        static_assert(type == Noc::AddressType::LOCAL_L1, "CoreLocalMem is this core's L1: use it as the local end");
        return m.addr + a.offset_bytes;
    }
    template <Noc::AddressType type>
    static uint32_t dst_addr(const CoreLocalMem& m, const Noc&, const dst_args_type& a) {
        static_assert(type == Noc::AddressType::LOCAL_L1, "CoreLocalMem is this core's L1: use it as the local end");
        return m.addr + a.offset_bytes;
    }
};
// Another core's L1 (or any NoC endpoint), named by NoC coordinates.
struct UnicastEndpoint {};
template <>
struct noc_traits_t<UnicastEndpoint> {
    struct src_args_type { uint32_t noc_x{}, noc_y{}, addr{}; };
    using dst_args_type = src_args_type;
    template <Noc::AddressType type>
    static uint64_t src_addr(const UnicastEndpoint&, const Noc& noc, const src_args_type& a) { return get_noc_addr(a.noc_x, a.noc_y, a.addr, noc.get_noc_id()); }
    template <Noc::AddressType type>
    static uint64_t dst_addr(const UnicastEndpoint&, const Noc& noc, const dst_args_type& a) { return get_noc_addr(a.noc_x, a.noc_y, a.addr, noc.get_noc_id()); }
};
