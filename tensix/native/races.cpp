// The race detector: data used before the NoC has delivered it. Bytes move at the call here, so a kernel that forgets
// a barrier still gets the right answer; on silicon it gets an intermittent wrong one. With every transfer's
// completion time known (noc.cpp), these become errors that name the call and the transfer it races with:
//   - cb_push_back of a page while a NoC read into it is still in flight (a missing noc_async_read_barrier);
//   - cb_pop_front of a page while a NoC write the same thread issued from it is still in flight (a missing
//     noc_async_write_barrier / noc_async_writes_flushed), and a NoC read into an L1 range while any write from it is
//     (pages another thread pops are only at risk once reused, as tt-metal's multicast senders rely on);
//   - a semaphore signalled to a core (noc_semaphore_inc / set_remote / set_multicast) before a write this core sent
//     there on the other NoC has landed (writes on one NoC to one core arrive in order, so only the other NoC races);
//   - two cores writing overlapping bytes of one core's L1 at overlapping times (nothing orders them).
// Not caught: reads of L1 through pointers (the engine does not see them), races through DRAM, a consumer using data
// a producer announced by other means than a semaphore, and orderings that hold only by the model's timing.
// TENSIX_RACES=0 (Device(races=False)) turns it off.
#include "engine.h"

bool races_on = true;

// " (kernel.so+0x1234)", which the host turns into the kernel's source line
std::string where(const void* at) {
    Dl_info dl{};
    if (!at || !dladdr(at, &dl) || !dl.dli_fname) return "";
    char s[600];
    snprintf(s, sizeof s, " [at %s %#lx]", dl.dli_fname, (unsigned long)((uintptr_t)at - 1 - (uintptr_t)dl.dli_fbase));
    return s;
}

namespace {

struct Flight { uint32_t addr, size; uint64_t issue, done; uint32_t core, proc; int32_t dest; const void* at; };
// One core's transfers, and for each of its threads a time before which none of that thread's lands: a thread that
// issues thousands of reads before its barrier (a gathered read of a convolution) checked the whole list at every
// call, quadratic in the reads; now only once one may have landed.
struct Flights {
    std::vector<Flight> v;
    uint64_t soonest[NPROC];
    Flights() { clear(); }
    auto begin() const { return v.begin(); }
    auto end() const { return v.end(); }
    void push(const Flight& f) { v.push_back(f); soonest[f.proc] = std::min(soonest[f.proc], f.done); }
    void clear() { v.clear(); std::fill(std::begin(soonest), std::end(soonest), ~0ull); }
};
std::vector<Flights> reads_into, writes_from;  // per core
uint32_t run = 0;  // counts runs: what an earlier run left in the tables below counts as empty (none is freed)
RunMap last_landing;  // (source core, NoC, destination core) -> when its last write lands

bool overlaps(const Flight& f, uint32_t addr, uint32_t size) { return f.addr < addr + size && addr < f.addr + f.size; }

// The writes into one core's L1 during a run, found by address: a gather of thousands of writes into one core, each
// checked against every write before it, was quadratic (107 cores writing 100 words each: 61 ms with the detector, 7
// without); now a write is checked against those into the same 512-byte granules of L1. None is dropped before the
// run ends: in the scheduler's order a core yet to run may still write at any time.
struct Landings {
    static constexpr uint32_t GRANULE = 9;
    struct Granule { uint32_t run = 0; std::vector<uint32_t> writes; };  // its writes in `run`: indices into v, rising
    std::vector<Flight> v;
    std::vector<Granule> at;  // by granule of L1, sized at the core's first write
    template <class F> static void granules(uint32_t addr, uint32_t size, F f) {
        for (uint32_t g = addr >> GRANULE, last = (addr + std::max(size, 1u) - 1) >> GRANULE; g <= last; g++) f(g);
    }
    void clear() { v.clear(); }
    void push(const Flight& f) {
        if (at.empty()) at.resize((chip.l1_size >> GRANULE) + 1);
        v.push_back(f);
        granules(f.addr, f.size, [&](uint32_t g) {
            Granule& e = at[g];
            if (e.run != run) e.run = run, e.writes.clear();
            e.writes.push_back((uint32_t)v.size() - 1);
        });
    }
    // The first write (in the order they were made) from another core than `core` to overlapping bytes at overlapping
    // times, or null.
    const Flight* first_clash(uint32_t core, uint32_t addr, uint32_t size, uint64_t issue, uint64_t done) const {
        uint32_t first = UINT32_MAX;
        granules(addr, size, [&](uint32_t g) {
            if (g >= at.size() || at[g].run != run) return;
            for (uint32_t i : at[g].writes) {
                if (i >= first) break;
                const Flight& f = v[i];
                if (f.core != core && overlaps(f, addr, size) && f.issue < done && issue < f.done) { first = i; break; }
            }
        });
        return first == UINT32_MAX ? nullptr : &v[first];
    }
};
std::vector<Landings> writes_into;  // per core

std::string core_label(uint32_t core) {
    char s[64];
    snprintf(s, sizeof s, "the core at NoC (%u,%u)", chip.core_x[core], chip.core_y[core]);
    return s;
}

const char* proc_name(uint32_t p) { static const char* n[] = {"BRISC", "NCRISC", "TRISC"}; return p < 3 ? n[p] : "?"; }

void prune(Flights& l, uint32_t proc, uint64_t now) {  // the thread's transfers that have landed by now
    if (now < l.soonest[proc]) return;
    uint64_t soonest = ~0ull;  // of those still in flight
    l.v.erase(std::remove_if(l.v.begin(), l.v.end(), [&](const Flight& f) {
        if (f.proc != proc) return false;
        if (f.done <= now) return true;
        soonest = std::min(soonest, f.done);
        return false;
    }), l.v.end());
    l.soonest[proc] = soonest;
}

}  // namespace

void race_reset() {  // a new run
    for (auto* per_core : {&reads_into, &writes_from}) {  // emptied, their memory kept for the next run
        per_core->resize(chip.cores);
        for (auto& v : *per_core) v.clear();
    }
    writes_into.resize(chip.cores);
    for (auto& w : writes_into) w.clear();
    run++;
    last_landing.reset();
}

void race_barrier() {
    if (!races_on) return;
    prune(reads_into[cur->core], cur->proc, cur->clock);
    prune(writes_from[cur->core], cur->proc, cur->clock);
}

void race_read(uint32_t dst, uint32_t size, uint64_t issue, uint64_t done, const void* at) {
    if (!races_on) return;
    prune(reads_into[cur->core], cur->proc, cur->clock);  // a thread's clock only grows: what has landed stays landed
    for (const Flight& f : writes_from[cur->core])
        if (f.done > issue && overlaps(f, dst, size))
            fail("noc_async_read into L1 %#x..%#x%s overwrites the source of a NoC write still in flight (issued by %s%s at "
                 "cycle %lu, it leaves L1 by cycle %lu; now %lu): wait for it with noc_async_write_barrier first",
                 dst, dst + size, where(at).c_str(), proc_name(f.proc), where(f.at).c_str(), (unsigned long)f.issue,
                 (unsigned long)f.done, (unsigned long)issue);
    reads_into[cur->core].push({dst, size, issue, done, cur->core, cur->proc, -1, at});
}

// A write from this core's L1 [src, src + size) to core `dest` (or -1 for DRAM) at L1 `dst`, or a semaphore signal;
// returns when it lands, which for a signal is no earlier than this core's earlier writes to `dest` on the same NoC.
uint64_t race_write(uint8_t noc, uint32_t src, uint32_t size, int32_t dest, uint32_t dst, uint64_t issue, uint64_t done,
                    bool signal, const void* at) {
    if (dest >= 0) {
        uint64_t& last = last_landing.at(((uint64_t)cur->core << 32) | ((uint64_t)noc << 24) | (uint32_t)dest);
        if (signal) done = std::max(done, last);  // the NoC delivers one core's writes to one place in order
        last = std::max(last, done);
    }
    if (!races_on) return done;
    if (dest >= 0) {
        if (signal) {
            for (const Flight& f : writes_from[cur->core])
                if (f.dest == dest && f.done > done)
                    fail("semaphore at L1 %#x of %s signalled%s at cycle %lu, landing at %lu, before the data written there by "
                         "%s%s (L1 %#x..%#x, on the other NoC) lands at %lu: call noc_async_write_barrier before signalling",
                         dst, core_label(dest).c_str(), where(at).c_str(), (unsigned long)issue, (unsigned long)done, proc_name(f.proc),
                         where(f.at).c_str(), f.addr, f.addr + f.size, (unsigned long)f.done);
        } else {
            if (const Flight* clash = writes_into[dest].first_clash(cur->core, dst, size, issue, done)) {
                const Flight& f = *clash;
                fail("NoC write%s to L1 %#x..%#x of %s (cycles %lu..%lu) overlaps a write there from %s %s%s (L1 %#x..%#x, "
                     "cycles %lu..%lu) with nothing ordering them: signal with a semaphore between the two",
                     where(at).c_str(), dst, dst + size, core_label(dest).c_str(), (unsigned long)issue, (unsigned long)done,
                     core_label(f.core).c_str(), proc_name(f.proc), where(f.at).c_str(), f.addr, f.addr + f.size,
                     (unsigned long)f.issue, (unsigned long)f.done);
            }
            writes_into[dest].push({dst, size, issue, done, cur->core, cur->proc, dest, at});
        }
    }
    if (!signal) {
        prune(writes_from[cur->core], cur->proc, cur->clock);  // keeps the list to what is in flight
        writes_from[cur->core].push({src, size, issue, done, cur->core, cur->proc, dest, at});
    }
    return done;
}

static void check_range(const Flights& v, uint32_t addr, uint32_t size, const char* call, int32_t cb, int32_t n,
                        const char* what, const char* fix, const void* at, bool own) {
    for (const Flight& f : v)
        if (f.done > cur->clock && overlaps(f, addr, size) && (!own || f.proc == cur->proc))
            fail("%s(cb %d, %d)%s: its pages at L1 %#x..%#x still have a NoC %s in flight (issued by %s%s at cycle %lu, done at "
                 "%lu; now %lu): %s", call, cb, n, where(at).c_str(), addr, addr + size, what, proc_name(f.proc), where(f.at).c_str(),
                 (unsigned long)f.issue, (unsigned long)f.done, (unsigned long)cur->clock, fix);
}

void race_cb_push(int32_t cb, int32_t n, uint32_t addr, uint32_t size, const void* at) {
    if (races_on) prune(reads_into[cur->core], cur->proc, cur->clock);
    if (races_on) check_range(reads_into[cur->core], addr, size, "cb_push_back", cb, n, "read into them",
                              "call noc_async_read_barrier before pushing them", at, false);
}

void race_cb_pop(int32_t cb, int32_t n, uint32_t addr, uint32_t size, const void* at) {
    if (races_on) prune(writes_from[cur->core], cur->proc, cur->clock);
    if (races_on) check_range(writes_from[cur->core], addr, size, "cb_pop_front", cb, n, "write from them",
                              "call noc_async_write_barrier (or noc_async_writes_flushed) before popping them", at, true);
}
