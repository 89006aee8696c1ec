// The seam between a kernel and the simulator engine. A kernel binary holds one pointer, `tensix_api`, that the engine
// fills when it loads the kernel; every kernel API call goes through it, so a kernel binary has no undefined symbols.
// Kernels never use this header directly: they include dataflow_api.h or compute_kernel_api.h as on the chip.
#pragma once
#include <cstdint>
#include <cstddef>

#define TENSIX_MAX_BANKS 256

struct TxThread {             // the RISC-V thread running now, as it sees itself
    uint8_t my_x[2], my_y[2];  // its core's NoC coordinates, in NoC 0's and NoC 1's frame
    uint32_t core;             // logical core index
    uint32_t proc;             // 0 BRISC, 1 NCRISC, 2 TRISC (compute)
    uint8_t print_hex, print_width, print_precision, print_fixed;  // DPRINT's stream state, kept per thread as on the chip
};

struct TxApi {
    TxThread* self;  // set by the engine before it resumes a thread
    uint32_t noc_size_x, noc_size_y, num_dram_banks, num_l1_banks;
    uint8_t dram_x[TENSIX_MAX_BANKS], dram_y[TENSIX_MAX_BANKS];  // NoC 0 coordinates of each bank
    uint8_t l1_x[TENSIX_MAX_BANKS], l1_y[TENSIX_MAX_BANKS];
    uint32_t (*arg)(uint32_t index);        // runtime arg, range-checked
    uint32_t (*arg_addr)(uint32_t index);   // its L1 address
    uint32_t (*semaphore)(uint32_t id);     // a semaphore's L1 address
    void (*noc_read)(uint8_t noc, uint64_t src, uint32_t dst_l1, uint32_t size);
    void (*noc_write)(uint8_t noc, uint32_t src_l1, uint64_t dst, uint32_t size);
    void (*noc_write_mcast)(uint8_t noc, uint32_t src_l1, uint64_t dst, uint32_t size, uint32_t num_dests, bool self);
    void (*noc_read_barrier)(uint8_t noc);
    void (*noc_write_barrier)(uint8_t noc);
    void (*sem_inc)(uint8_t noc, uint64_t dst, uint32_t incr);
    void (*sem_set)(volatile uint32_t* sem, uint32_t value);
    void (*sem_wait)(volatile uint32_t* sem, uint32_t value);      // until *sem == value
    void (*sem_wait_min)(volatile uint32_t* sem, uint32_t value);  // until *sem >= value
    void (*cb_reserve_back)(int32_t cb, int32_t pages);
    void (*cb_push_back)(int32_t cb, int32_t pages);
    void (*cb_wait_front)(int32_t cb, int32_t pages);
    void (*cb_pop_front)(int32_t cb, int32_t pages);
    bool (*cb_pages_available)(int32_t cb, int32_t pages);
    bool (*cb_pages_reservable)(int32_t cb, int32_t pages);
    uint32_t (*cb_write_ptr)(int32_t cb);
    uint32_t (*cb_read_ptr)(int32_t cb);
    uint32_t (*cb_page_size)(int32_t cb);
    uint32_t (*cb_format)(int32_t cb);
    void (*print)(const char* text, size_t len);  // DPRINT: text up to ENDL() becomes one line on the host
    void (*fail)(const char* message);            // stops the run with an error naming this thread
    void (*tick)(uint64_t cycles);                // advances this thread's clock
};

extern "C" TxApi* tensix_api;
