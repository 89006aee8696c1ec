// Today's DataflowBuffer (api/dataflow/dataflow_buffer.h). On Wormhole and Blackhole it is a circular buffer by
// another name, as here: entries are pages; finish() and write_barrier() are what they are on those chips.
#pragma once
#include "api/dataflow/circular_buffer.h"

// Metal 2.0's name for a dataflow buffer bound to a kernel (tt.Kernel(dfbs={name: index})): tensix generates
// `dfb::NAME`, which builds a DataflowBuffer and stands for its index where one is expected.
struct DFBAccessor {
    explicit constexpr DFBAccessor(uint16_t id) noexcept : id(id) {}
    constexpr operator uint32_t() const noexcept { return id; }
    uint16_t id;
};
using DFBBindingToken = DFBAccessor;  // its later name
namespace experimental { using ::DFBAccessor; }

class DataflowBuffer : public CircularBuffer {
public:
    explicit DataflowBuffer(uint16_t logical_dfb_id) : CircularBuffer(logical_dfb_id) {}
    DataflowBuffer(DFBAccessor accessor) : CircularBuffer(accessor.id) {}
    uint16_t get_id() const { return (uint16_t)get_cb_id(); }
    uint32_t get_entry_size() const { return get_tile_size(); }
    uint32_t get_stride_size() const { return get_tile_size(); }
    void finish() {}
    // Moves this index's read pointer (ttnn's matmul reloads partials through a second index over the same memory
    // with it). The engine keeps each index's pointers itself and cannot move one: not modelled, so it fails.
    void evil_set_read_ptr(uint32_t addr) { tensix_api->fail("DataflowBuffer::evil_set_read_ptr is not modelled"); }
#ifndef COMPILE_FOR_TRISC
    void write_barrier(const Noc& noc) const { noc_async_write_barrier(noc.get_noc_id()); }
#endif
};
#ifndef COMPILE_FOR_TRISC
template <>
struct noc_traits_t<DataflowBuffer> : noc_traits_t<CircularBuffer> {};
#endif
