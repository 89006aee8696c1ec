// Today's object API for semaphores (api/dataflow/noc_semaphore.h): Semaphore(id) over the 2024 calls. Every scope
// behaves as the default, LOCAL_NONATOMIC: the simulator runs one thread at a time, so a local read-modify-write is
// never torn. up/down are a counting semaphore's; wait, wait_min and set keep 2024's meanings.
#pragma once
#include "api/dataflow/noc.h"

enum class ProgrammableCoreType : uint8_t { TENSIX = 0, ACTIVE_ETH = 1, IDLE_ETH = 2 };
enum class SemScope : uint8_t { LOCAL_NONATOMIC = 0, EXTERNAL = 1, DM_LOCAL_CACHED = 2 };

template <ProgrammableCoreType core_type = ProgrammableCoreType::TENSIX, SemScope Scope = SemScope::LOCAL_NONATOMIC>
class Semaphore {
public:
    explicit Semaphore(uint32_t semaphore_id) : l1_addr_(get_semaphore(semaphore_id)) {}
    uint32_t get_l1_addr() const { return l1_addr_; }
    uint32_t value() const { return *ptr(); }
    void up(uint32_t value) { noc_semaphore_set(ptr(), *ptr() + value); }  // through the API, so waiters see it
    void up(const Noc& noc, uint32_t noc_x, uint32_t noc_y, uint32_t value, uint8_t vc = 0) {
        noc_semaphore_inc(get_noc_addr(noc_x, noc_y, l1_addr_, noc.get_noc_id()), value, noc.get_noc_id());
    }
    void down(uint32_t value) {  // wait until the count reaches value, then take it
        noc_semaphore_wait_min(ptr(), value);
        noc_semaphore_set(ptr(), *ptr() - value);
    }
    void wait(uint32_t value) { noc_semaphore_wait(ptr(), value); }
    void wait_min(uint32_t value) { noc_semaphore_wait_min(ptr(), value); }
    void set(uint32_t value) { noc_semaphore_set(ptr(), value); }
    // This semaphore's value into the same semaphore on a rectangle of cores (not the sender, unless MCAST_INCL_SRC).
    template <NocOptions opts = NocOptions::DEFAULT>
    void set_multicast(const Noc& noc, uint32_t noc_x_start, uint32_t noc_y_start, uint32_t noc_x_end, uint32_t noc_y_end,
                       uint32_t num_dests, bool linked = false) {
        relay_multicast<opts>(noc, *this, noc_x_start, noc_y_start, noc_x_end, noc_y_end, num_dests, linked);
    }
    // This semaphore's value into another semaphore on one core, or on a rectangle of cores.
    template <ProgrammableCoreType dst_core_type = core_type, SemScope dst_scope = Scope>
    void relay_unicast(const Noc& noc, const Semaphore<dst_core_type, dst_scope>& dst_sem, uint32_t noc_x, uint32_t noc_y) {
        noc_semaphore_set_remote(l1_addr_, get_noc_addr(noc_x, noc_y, dst_sem.get_l1_addr(), noc.get_noc_id()), noc.get_noc_id());
    }
    template <NocOptions opts = NocOptions::DEFAULT, ProgrammableCoreType dst_core_type = core_type, SemScope dst_scope = Scope>
    void relay_multicast(const Noc& noc, const Semaphore<dst_core_type, dst_scope>& dst_sem, uint32_t noc_x_start, uint32_t noc_y_start,
                         uint32_t noc_x_end, uint32_t noc_y_end, uint32_t num_dests, bool linked = false) {
        uint64_t to = get_noc_multicast_addr(noc_x_start, noc_y_start, noc_x_end, noc_y_end, dst_sem.get_l1_addr(), noc.get_noc_id());
        if constexpr (has_flag(opts, NocOptions::MCAST_INCL_SRC)) noc_semaphore_set_multicast_loopback_src(l1_addr_, to, num_dests, linked, true, noc.get_noc_id());
        else noc_semaphore_set_multicast(l1_addr_, to, num_dests, linked, true, noc.get_noc_id());
    }

private:
    volatile tt_l1_ptr uint32_t* ptr() const { return reinterpret_cast<volatile tt_l1_ptr uint32_t*>(l1_addr_); }
    uint32_t l1_addr_;
};
