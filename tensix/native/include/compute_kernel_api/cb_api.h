// copy_tile and friends live in common.h; tt-metal kernels include them from here.
#pragma once
#include "compute_kernel_api/common.h"

// The firmware's view of a circular buffer (tt-metal's LocalCBInterface) that kernel helpers read, such as ttnn's
// kernel_lib get_cb_num_pages; sizes in 16-byte units, as compute kernels see them. A copy: writing it changes nothing.
#define CIRCULAR_BUFFER_COMPUTE_ADDR_SHIFT 4
struct LocalCBInterface { uint32_t fifo_size, fifo_page_size, fifo_num_pages, fifo_rd_ptr, fifo_wr_ptr; };
inline LocalCBInterface& get_local_cb_interface(uint32_t cb_id) {
    static LocalCBInterface view;
    uint32_t size = tensix_api->cb_size(cb_id), page = tensix_api->cb_page_size(cb_id);
    uint32_t rd = tensix_api->cb_read_ptr(cb_id), wr = tensix_api->cb_write_ptr(cb_id);
    view = {size >> 4, page >> 4, page ? size / page : 0, rd >> 4, wr >> 4};
    return view;
}
