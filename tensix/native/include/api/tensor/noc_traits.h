// A TensorAccessor as a NoC end (api/tensor/noc_traits.h): args {.page_id, .offset_bytes} name a page of the buffer.
#pragma once
#include "api/dataflow/noc.h"
#include "api/tensor/tensor_accessor.h"

template <typename D>
struct noc_traits_t<TensorAccessor<D>> {
    struct src_args_type { uint32_t page_id{}; uint32_t offset_bytes = 0; };
    struct dst_args_type { uint32_t page_id{}; uint32_t offset_bytes = 0; };
    template <Noc::AddressType type>
    static uint64_t src_addr(const TensorAccessor<D>& s, const Noc& noc, const src_args_type& a) {
        static_assert(type == Noc::AddressType::NOC, "a TensorAccessor's pages are NoC addresses: use it as the far end");
        return s.get_noc_addr(a.page_id, a.offset_bytes, noc.get_noc_id());
    }
    template <Noc::AddressType type>
    static uint64_t dst_addr(const TensorAccessor<D>& s, const Noc& noc, const dst_args_type& a) {
        static_assert(type == Noc::AddressType::NOC, "a TensorAccessor's pages are NoC addresses: use it as the far end");
        return s.get_noc_addr(a.page_id, a.offset_bytes, noc.get_noc_id());
    }
};
