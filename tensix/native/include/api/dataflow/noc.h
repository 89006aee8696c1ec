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
    enum class VcSelection { DEFAULT, CUSTOM };           // the simulator's NoC has no virtual channels
    enum class ResponseMode { NON_POSTED, POSTED };
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
    // Stateful transfers, as the 2024 *_set_state / *_with_state calls: the state keeps the far end's coordinates (and,
    // for one-packet transfers, the size); each transfer then gives the far end's local address only.
    template <VcSelection vc_selection = VcSelection::DEFAULT, uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, typename Src>
    void set_async_read_state(const Src& src, uint32_t size_bytes, const typename noc_traits_t<Src>::src_args_type& src_args, uint8_t vc = 0) const {
        noc_async_read_one_packet_set_state(noc_traits_t<Src>::template src_addr<AddressType::NOC>(src, *this, src_args), size_bytes, noc_id_);
    }
    template <VcSelection vc_selection = VcSelection::DEFAULT, uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, typename Src, typename Dst>
    void async_read_with_state(const Src& src, const Dst& dst, uint32_t size_bytes, const typename noc_traits_t<Src>::src_args_type& src_args,
                               const typename noc_traits_t<Dst>::dst_args_type& dst_args, uint8_t vc = 0) const {
        uint32_t from = (uint32_t)noc_traits_t<Src>::template src_addr<AddressType::NOC>(src, *this, src_args);
        uint32_t to = noc_traits_t<Dst>::template dst_addr<AddressType::LOCAL_L1>(dst, *this, dst_args);
        if constexpr (max_page_size <= NOC_MAX_BURST_SIZE) noc_async_read_one_packet_with_state(from, to, noc_id_);
        else noc_async_read_with_state(from, to, size_bytes, noc_id_);
    }
    template <ResponseMode response_mode = ResponseMode::NON_POSTED, uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, typename Dst>
    void set_async_write_state(const Dst& dst, uint32_t size_bytes, const typename noc_traits_t<Dst>::dst_args_type& dst_args, uint8_t vc = 0) const {
        noc_async_write_one_packet_set_state(noc_traits_t<Dst>::template dst_addr<AddressType::NOC>(dst, *this, dst_args), size_bytes, noc_id_);
    }
    template <ResponseMode response_mode = ResponseMode::NON_POSTED, uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, typename Src, typename Dst>
    void async_write_with_state(const Src& src, const Dst& dst, uint32_t size_bytes, const typename noc_traits_t<Src>::src_args_type& src_args,
                                const typename noc_traits_t<Dst>::dst_args_type& dst_args, uint8_t vc = 0) const {
        uint32_t from = noc_traits_t<Src>::template src_addr<AddressType::LOCAL_L1>(src, *this, src_args);
        uint32_t to = (uint32_t)noc_traits_t<Dst>::template dst_addr<AddressType::NOC>(dst, *this, dst_args);
        if constexpr (max_page_size <= NOC_MAX_BURST_SIZE) { noc_async_write_one_packet_with_state(from, to, noc_id_); return; }
        uint64_t far = tensix_api->self->write_state & ~(((uint64_t)1 << NOC_ADDR_LOCAL_BITS) - 1);
        noc_async_write(from, far | to, size_bytes, noc_id_);
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

// Memory in this core's L1 as typed elements (today's CoreLocalMem<T>), a source or destination of NoC calls. The
// element type defaults to a word here, so 2025's untyped CoreLocalMem(addr) still reads.
template <typename T = uint32_t, typename AddressType = uintptr_t>
class CoreLocalMem {
public:
    using difference_type = std::ptrdiff_t;
    CoreLocalMem(AddressType address) : address_(address) {}
    CoreLocalMem(T* ptr) : address_(reinterpret_cast<AddressType>(ptr)) {}
    tt_l1_ptr T* get_unsafe_ptr() const { return reinterpret_cast<tt_l1_ptr T*>(address_); }
    AddressType get_address() const { return address_; }
    T& operator[](uint32_t i) const { return get_unsafe_ptr()[i]; }
    T& operator*() const { return *get_unsafe_ptr(); }
    tt_l1_ptr T* operator->() const { return get_unsafe_ptr(); }
    CoreLocalMem& operator+=(difference_type n) { address_ += n * sizeof(T); return *this; }
    CoreLocalMem& operator-=(difference_type n) { address_ -= n * sizeof(T); return *this; }
    CoreLocalMem& operator++() { return *this += 1; }
    CoreLocalMem& operator--() { return *this -= 1; }
    CoreLocalMem operator++(int) { CoreLocalMem t = *this; *this += 1; return t; }
    CoreLocalMem operator--(int) { CoreLocalMem t = *this; *this -= 1; return t; }
    CoreLocalMem operator+(difference_type n) const { return CoreLocalMem(address_ + n * sizeof(T)); }
    CoreLocalMem operator-(difference_type n) const { return CoreLocalMem(address_ - n * sizeof(T)); }
    difference_type operator-(const CoreLocalMem& o) const { return ((difference_type)address_ - (difference_type)o.address_) / (difference_type)sizeof(T); }
    bool operator==(const CoreLocalMem& o) const { return address_ == o.address_; }
    bool operator!=(const CoreLocalMem& o) const { return address_ != o.address_; }
    bool operator<(const CoreLocalMem& o) const { return address_ < o.address_; }
    explicit operator bool() const { return address_ != 0; }

private:
    AddressType address_;
};
CoreLocalMem(uint32_t) -> CoreLocalMem<uint32_t, uintptr_t>;
template <typename T, typename A>
struct noc_traits_t<CoreLocalMem<T, A>> {
    struct src_args_type { uint32_t offset_bytes{}; };
    struct dst_args_type { uint32_t offset_bytes{}; };
    template <Noc::AddressType type>
    static uint32_t src_addr(const CoreLocalMem<T, A>& m, const Noc&, const src_args_type& a) {
        static_assert(type == Noc::AddressType::LOCAL_L1, "CoreLocalMem is this core's L1: use it as the local end");
        return (uint32_t)m.get_address() + a.offset_bytes;
    }
    template <Noc::AddressType type>
    static uint32_t dst_addr(const CoreLocalMem<T, A>& m, const Noc&, const dst_args_type& a) {
        static_assert(type == Noc::AddressType::LOCAL_L1, "CoreLocalMem is this core's L1: use it as the local end");
        return (uint32_t)m.get_address() + a.offset_bytes;
    }
};
// Any NoC end named by coordinates (UnicastEndpoint), a rectangle of cores (MulticastEndpoint), or a bank of the
// allocator's DRAM or L1 by bank id (AllocatorBank); as the local end, a UnicastEndpoint is its address alone.
struct UnicastEndpoint {
    uint64_t get_noc_unicast_addr(uint32_t x, uint32_t y, uint32_t addr, uint8_t noc) const { return get_noc_addr(x, y, addr, noc); }
};
template <>
struct noc_traits_t<UnicastEndpoint> {
    struct src_args_type { uint32_t noc_x{}, noc_y{}, addr{}; };
    using dst_args_type = src_args_type;
    template <Noc::AddressType type>
    static auto src_addr(const UnicastEndpoint& e, const Noc& noc, const src_args_type& a) {
        if constexpr (type == Noc::AddressType::LOCAL_L1) return a.addr;
        else return e.get_noc_unicast_addr(a.noc_x, a.noc_y, a.addr, noc.get_noc_id());
    }
    template <Noc::AddressType type>
    static auto dst_addr(const UnicastEndpoint& e, const Noc& noc, const dst_args_type& a) { return src_addr<type>(e, noc, a); }
};
struct MulticastEndpoint {
    uint64_t get_noc_multicast_addr(uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1, uint32_t addr, uint8_t noc) const {
        return ::get_noc_multicast_addr(x0, y0, x1, y1, addr, noc);
    }
};
template <>
struct noc_traits_t<MulticastEndpoint> {
    struct dst_args_mcast_type { uint32_t noc_x_start{}, noc_y_start{}, noc_x_end{}, noc_y_end{}, addr{}; };
    template <Noc::AddressType type>
    static uint64_t dst_addr_mcast(const MulticastEndpoint& e, const Noc& noc, const dst_args_mcast_type& a) {
        return e.get_noc_multicast_addr(a.noc_x_start, a.noc_y_start, a.noc_x_end, a.noc_y_end, a.addr, noc.get_noc_id());
    }
};
enum AllocatorBankType { L1, DRAM };
template <AllocatorBankType bank_type>
struct AllocatorBank {
    uint64_t get_noc_addr_from_bank_id(uint32_t bank_id, uint32_t addr, uint8_t noc) const {
        return ::get_noc_addr_from_bank_id<bank_type == DRAM>(bank_id, addr, noc);
    }
};
template <AllocatorBankType bank_type>
struct noc_traits_t<AllocatorBank<bank_type>> {
    struct src_args_type { uint32_t bank_id{}, addr{}; };
    using dst_args_type = src_args_type;
    template <Noc::AddressType type>
    static uint64_t src_addr(const AllocatorBank<bank_type>& b, const Noc& noc, const src_args_type& a) {
        static_assert(type == Noc::AddressType::NOC, "an allocator bank is the remote end");
        return b.get_noc_addr_from_bank_id(a.bank_id, a.addr, noc.get_noc_id());
    }
    template <Noc::AddressType type>
    static uint64_t dst_addr(const AllocatorBank<bank_type>& b, const Noc& noc, const dst_args_type& a) { return src_addr<type>(b, noc, a); }
};
