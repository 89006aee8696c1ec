// Today's object API for circular buffers (api/dataflow/circular_buffer.h): CircularBuffer(cb_id) with the 2024
// calls as methods, usable from any kernel; in a data-movement kernel it is also a NoC source or destination.
#pragma once
#ifndef COMPILE_FOR_TRISC
#include "api/dataflow/noc.h"
#endif

class CircularBuffer {
public:
    enum class AddrSelector { WRITE_PTR, READ_PTR };
    explicit CircularBuffer(uint32_t cb_id) : cb_id_(cb_id) {}
    uint32_t get_cb_id() const { return cb_id_; }
    void reserve_back(int32_t num_pages) { cb_reserve_back(cb_id_, num_pages); }
    void push_back(int32_t num_pages) { cb_push_back(cb_id_, num_pages); }
    void wait_front(int32_t num_pages) { cb_wait_front(cb_id_, num_pages); }
    void pop_front(int32_t num_pages) { cb_pop_front(cb_id_, num_pages); }
    uint32_t get_write_ptr() const { return tensix_api->cb_write_ptr(cb_id_); }
    uint32_t get_read_ptr() const { return tensix_api->cb_read_ptr(cb_id_); }
    uint32_t get_tile_size() const { return tensix_api->cb_page_size(cb_id_); }
    DataFormat get_dataformat() const { return static_cast<DataFormat>(tensix_api->cb_format(cb_id_)); }
    bool pages_reservable_at_back(int32_t num_pages) const { return tensix_api->cb_pages_reservable(cb_id_, num_pages); }
    bool pages_available_at_front(int32_t num_pages) const { return tensix_api->cb_pages_available(cb_id_, num_pages); }

private:
    uint32_t cb_id_;
};

#ifndef COMPILE_FOR_TRISC
// As a NoC end: a source reads from the front (read pointer), a destination writes at the back (write pointer).
template <>
struct noc_traits_t<CircularBuffer> {
    struct src_args_type { uint32_t offset_bytes{}; };
    struct dst_args_type { uint32_t offset_bytes{}; };
    struct dst_args_mcast_type { uint32_t noc_x_start{}, noc_y_start{}, noc_x_end{}, noc_y_end{}, offset_bytes{}; };
    template <Noc::AddressType type>
    static uint32_t src_addr(const CircularBuffer& cb, const Noc&, const src_args_type& a) {
        static_assert(type == Noc::AddressType::LOCAL_L1, "a CircularBuffer is this core's L1: use it as the local end");
        return cb.get_read_ptr() + a.offset_bytes;
    }
    template <Noc::AddressType type>
    static uint32_t dst_addr(const CircularBuffer& cb, const Noc&, const dst_args_type& a) {
        static_assert(type == Noc::AddressType::LOCAL_L1, "a CircularBuffer is this core's L1: use it as the local end");
        return cb.get_write_ptr() + a.offset_bytes;
    }
    template <Noc::AddressType type>
    static uint64_t dst_addr_mcast(const CircularBuffer& cb, const Noc& noc, const dst_args_mcast_type& a) {
        return get_noc_multicast_addr(a.noc_x_start, a.noc_y_start, a.noc_x_end, a.noc_y_end, cb.get_write_ptr() + a.offset_bytes, noc.get_noc_id());
    }
};
template <CircularBuffer::AddrSelector AddrSel>
struct CircularBufferView {
    const CircularBuffer& cb;
    explicit constexpr CircularBufferView(const CircularBuffer& c) : cb(c) {}
    uint32_t addr() const { return AddrSel == CircularBuffer::AddrSelector::READ_PTR ? cb.get_read_ptr() : cb.get_write_ptr(); }
};
template <CircularBuffer::AddrSelector AddrSel>
constexpr auto use(const CircularBuffer& cb) { return CircularBufferView<AddrSel>(cb); }
template <CircularBuffer::AddrSelector AddrSel>
struct noc_traits_t<CircularBufferView<AddrSel>> {  // the pointer the view names, at either end
    struct src_args_type { uint32_t offset_bytes{}; };
    struct dst_args_type { uint32_t offset_bytes{}; };
    struct dst_args_mcast_type { uint32_t noc_x_start{}, noc_y_start{}, noc_x_end{}, noc_y_end{}, offset_bytes{}; };
    template <Noc::AddressType type>
    static uint32_t src_addr(const CircularBufferView<AddrSel>& v, const Noc&, const src_args_type& a) { return v.addr() + a.offset_bytes; }
    template <Noc::AddressType type>
    static uint32_t dst_addr(const CircularBufferView<AddrSel>& v, const Noc&, const dst_args_type& a) { return v.addr() + a.offset_bytes; }
    template <Noc::AddressType type>
    static uint64_t dst_addr_mcast(const CircularBufferView<AddrSel>& v, const Noc& noc, const dst_args_mcast_type& a) {
        return get_noc_multicast_addr(a.noc_x_start, a.noc_y_start, a.noc_x_end, a.noc_y_end, v.addr() + a.offset_bytes, noc.get_noc_id());
    }
};
#endif
