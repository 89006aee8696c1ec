// Today's DataflowBuffer (api/dataflow/dataflow_buffer.h). On Wormhole and Blackhole it is a circular buffer by
// another name, as here: entries are pages; finish() and write_barrier() are what they are on those chips.
// The Metal 2.0 binding tokens (generated host headers) are not provided.
#pragma once
#include "api/dataflow/circular_buffer.h"

class DataflowBuffer : public CircularBuffer {
public:
    explicit DataflowBuffer(uint16_t logical_dfb_id) : CircularBuffer(logical_dfb_id) {}
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
