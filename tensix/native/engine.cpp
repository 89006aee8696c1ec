// The tensix engine: one process that simulates a Tensix chip. Every RISC-V thread of every core in a program is a
// fiber; one deterministic scheduler runs them. L1 and DRAM live in a shared-memory file the host Python process maps
// too, so buffer reads and writes never pass through here.
//
// Kernels may cast an L1 address to a pointer. To make that work as on silicon, the running core's L1 appears at the
// chip's own addresses low in this process's address space (the "window"). A core switch only revokes the window; the
// first touch of it afterwards faults, and the fault handler maps the running core's L1 there. So kernels that never
// touch L1 through pointers never pay for a mapping, and the scheduler runs one core's threads until they all wait on
// something outside the core, which keeps switches rare.
//
// Host protocol: text lines on two pipes (commands in, replies out), counted in the status page; see tensix/sim.py.
#include "engine.h"
#include "cpus.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <exception>
#include <link.h>
#ifdef __linux__
#include <sys/prctl.h>
#else
#include <thread>
#endif

// A kernel's writable data (globals, statics). On the chip every RISC-V has its own copy, loaded afresh at each
// launch; here the cores running one kernel share its binary, so each thread keeps its own copy of the data, starting
// from the data as loaded, and the engine swaps it in when the thread runs (only when another thread had it).
struct Segment { uint8_t* at; size_t size; };
struct Kernel {
    void* so;
    void (*entry)();
    std::vector<Segment> data;
    std::vector<uint8_t> fresh;  // every segment's bytes as loaded, one after another
    Thread* owner = nullptr;     // whose copy the segments hold now
};

static void copy_data(Kernel& k, uint8_t* bytes, bool save) {
    for (const Segment& s : k.data) {
        if (save) memcpy(bytes, s.at, s.size);
        else memcpy(s.at, bytes, s.size);
        bytes += s.size;
    }
}

static void swap_in_data(Thread* t) {
    Kernel& k = *t->kernel;
    if (k.owner == t || k.data.empty()) return;
    if (k.owner) copy_data(k, k.owner->data.data(), true);
    copy_data(k, t->data.data(), false);
    k.owner = t;
}

Chip chip;
uint8_t* shm;
int shm_fd;
Status* status;
std::vector<Core> cores;
Thread* cur;
TxApi api;
uint64_t changes;  // counts state changes a polling thread could be waiting for
static std::vector<Thread*> pool;      // threads are reused between runs: no growth in a loop of runs
static Fiber scheduler;
static RunMap sem_stamp;  // (core, addr) -> when a semaphore was last written
static const size_t STACK = 1 << 20, GUARD = 1 << 16;  // a kernel's stack, and the no-access gap below it
static FILE* out;                      // replies to the host
static char* window_lo;                // lowest window address we can map (the kernel's 0 is address 0)
static int window_core = -1;           // core whose L1 is mapped in the window, or -1

// ---------------------------------------------------------------- errors: one line to the host, then the process ends
// Inside an API call a message that names no line gets the kernel's, after the call's name ("noc_async_read: ...").
void fail(const char* fmt, ...) {
    char msg[2048];
    va_list ap; va_start(ap, fmt); vsnprintf(msg, sizeof msg, fmt, ap); va_end(ap);
    for (char* p = msg; *p; p++) if (*p == '\n') *p = ' ';
    std::string m = msg;
    if (cur && cur->site && !strstr(msg, " [at "))
        if (const char* colon = strstr(msg, ": ")) m.insert(colon - msg, where(cur->site));
    fprintf(out, "error %d %d %s\n", cur ? (int)cur->core : -1, cur ? (int)cur->proc : -1, m.c_str());
    fflush(out);
    _exit(1);
}

void over_budget() {
    fprintf(out, "hang %d %d %llu\n", (int)cur->core, (int)cur->proc, (unsigned long long)cur->clock);
    fflush(out);
    _exit(1);
}

// An exception no kernel catches: say so, with its what(), instead of the SIGABRT std::terminate would end in.
static void uncaught() {
    if (std::exception_ptr e = std::current_exception()) {
        try { std::rethrow_exception(e); }
        catch (const std::exception& x) { fail("an uncaught C++ exception: %s", x.what()); }
        catch (...) { fail("an uncaught C++ exception (not a std::exception)"); }
    }
    fail("std::terminate was called (with no exception in flight)");
}

// ---------------------------------------------------------------- the L1 window
static void revoke_window() {
    if (window_core < 0) return;
    mmap(window_lo, chip.l1_size - (size_t)window_lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    window_core = -1;
}

static void crash(int sig, siginfo_t* info, void* uc_) {
    uintptr_t addr = (uintptr_t)info->si_addr;
    if ((sig == SIGSEGV || sig == SIGBUS) && cur && window_core < 0 && addr >= (uintptr_t)window_lo && addr < chip.l1_size) {
        size_t off = l1_offset(cur->core) + (size_t)window_lo;
        if (mmap(window_lo, chip.l1_size - (size_t)window_lo, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, shm_fd, off) != MAP_FAILED) {
            window_core = cur->core;
            return;  // the faulting access runs again, now on this core's L1
        }
    }
    ucontext_t* uc = (ucontext_t*)uc_;
#if defined(__x86_64__)
    void* pc = (void*)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    void* pc = (void*)uc->uc_mcontext.pc;
#else
    void* pc = nullptr; (void)uc;
#endif
    Dl_info dl{};
    const char* so = "-";
    uintptr_t off = 0;
    if (pc && dladdr(pc, &dl) && dl.dli_fname) { so = dl.dli_fname; off = (uintptr_t)pc - (uintptr_t)dl.dli_fbase; }
    fflush(out);  // DPRINT lines before the crash
    char line[4400];
    bool overflow = cur && addr >= (uintptr_t)cur->stack - GUARD && addr < (uintptr_t)cur->stack;  // into the guard gap
    int n = snprintf(line, sizeof line, "crash %d %d %d %#lx %#lx %d %s\n", cur ? (int)cur->core : -1, cur ? (int)cur->proc : -1,
                     sig, (unsigned long)addr, (unsigned long)off, overflow, so);
    if (write(fileno(out), line, n) < 0) {}
    _exit(2);
}

// ---------------------------------------------------------------- the scheduler
static bool ready(Thread* t) {
    const Wait& w = t->wait;
    switch (w.kind) {
        case RUNNING: return true;
        case CB_FRONT: { CB& cb = core_of(t).cbs[w.cb]; return cb.filled() >= (uint32_t)w.pages; }
        case CB_BACK: { CB& cb = core_of(t).cbs[w.cb]; return cb.room() >= (uint32_t)w.pages; }
        case SEM_EQ: return *(volatile uint32_t*)(l1(t->core) + w.addr) == w.value;
        case SEM_MIN: return *(volatile uint32_t*)(l1(t->core) + w.addr) >= w.value;
        case POLL: return changes != w.seen;  // something changed since it last looked
        case MAILBOX: return !core_of(t).mailbox.empty();
    }
    return false;
}

static void block(Wait w) {  // called by a thread: give way until the condition holds
    cur->wait = w;
    if (!ready(cur)) fiber_switch(cur->fiber, scheduler);
    cur->wait = Wait{};
}

// A core's compute thread may have handed batches of math to a helper (compute.cpp's post): they are done before
// anything else can see that core's L1, its other threads or a NoC transfer.
static void settle_core(Core& c) {
    if (Thread* t = c.threads[TRISC]; t && t->math) settle(t->math);
    c.l1_touched = true;
}

static void resume(Thread* t) {
    t->handed_over = false;  // set again if it reaches a batch this time (the scheduler's turn)
    if (t->proc != TRISC) settle_core(*t->c);
    // Operands are cached by name (buffer, address, pages popped): a page at a buffer's front that another thread or
    // the NoC rewrote in place keeps its name.
    else if (t->c->l1_touched && t->math) retire_operands(t->math), t->c->l1_touched = false;
    if (window_core >= 0 && window_core != (int)t->core) revoke_window();
    swap_in_data(t);
    cur = t;
    api.self = &t->self;
    status->core = t->core; status->proc = t->proc;
    heartbeat();
    fiber_switch(scheduler, t->fiber);
    if (t->math) flush_math(t->math);  // before any other thread runs: a compute thread's operands, as they are now
    cur = nullptr;
}

static void thread_main() {
    cur->kernel->entry();
    if (cur->math) flush_math(cur->math);  // packs it queued and never handed over
    cur->done = true;
    if (!cur->line.empty()) api.print("\n", 1);
    fiber_switch(cur->fiber, scheduler);
}

static std::string describe_wait(Thread* t) {
    char s[400];
    const Wait& w = t->wait;
    CB* cb = w.cb >= 0 && w.cb < 32 ? &core_of(t).cbs[w.cb] : nullptr;
    switch (w.kind) {
        case CB_FRONT: snprintf(s, sizeof s, "cb_wait_front(cb %d, %d): %u of %u pages filled", w.cb, w.pages, cb->filled(), cb->pages); break;
        case CB_BACK: snprintf(s, sizeof s, "cb_reserve_back(cb %d, %d): %u of %u pages free", w.cb, w.pages, cb->room(), cb->pages); break;
        case SEM_EQ: case SEM_MIN:
            snprintf(s, sizeof s, "noc_semaphore_wait%s(L1 %#x, %u): it holds %u", w.kind == SEM_MIN ? "_min" : "", w.addr, w.value,
                     *(uint32_t*)(l1(t->core) + w.addr));
            break;
        case POLL: snprintf(s, sizeof s, "a loop polling cb_pages_*(cb %d, %d), which nothing will change", w.cb, w.pages); break;
        case MAILBOX: snprintf(s, sizeof s, "mailbox_read: no word from the core's data-movement kernels"); break;
        default: snprintf(s, sizeof s, "nothing"); break;
    }
    return s;
}

// TIMING_ORDERED: before it books the NoC, a thread gives way to every thread whose clock is earlier.
// TIMING_CALENDAR: it gives way once its clock has passed the horizon, so no core books far ahead of the others.
// Experimental, off unless TENSIX_HORIZON=cycles is set (bench/timing_gap.py): a window of 50000 brings matmul_multi_core
// from +34% of the ordered run to -0.1%, but costs ~50% more engine CPU (each core's working set reloads per switch).
static uint64_t horizon;
static uint64_t window = getenv("TENSIX_HORIZON") ? strtoull(getenv("TENSIX_HORIZON"), nullptr, 10) : ~0ull;
void wait_in_time_order() {
    if (timing_mode == TIMING_CALENDAR) {
        if (cur->clock < horizon) return;
        cur->parked = true;
        fiber_switch(cur->fiber, scheduler);
        cur->parked = false;
        return;
    }
    if (timing_mode != TIMING_ORDERED) return;
    fiber_switch(cur->fiber, scheduler);
}

static void run_in_time_order() {  // always the ready thread with the earliest clock
    for (;;) {
        Thread* next = nullptr;
        for (auto& c : cores)
            for (Thread* t : c.threads)
                if (t && !t->done && ready(t) && (!next || t->clock < next->clock)) next = t;
        if (!next) break;
        resume(next);
    }
}

static void run_program() {
    if (timing_mode == TIMING_ORDERED) { run_in_time_order(); }
    else {
        std::vector<std::pair<uint64_t, Core*>> order;  // the cores, the one furthest behind first
        for (auto& c : cores) order.push_back({0, &c});
        for (horizon = window;;) {
            bool any = false;
            // Run this core's threads until every one of them waits on something outside the core, or its compute
            // thread has reached a batch of math to hand a helper (compute.cpp's post): then the next core. The batch
            // is done while the other cores run; the core's reader or writer, run at once, would wait for it. A
            // compute thread that hands nothing over (matmul_multi_core's, a tile at a time) leaves its core's turn
            // going: ending it there made matmul_multi_core 1024^3 cost a third more (a hundred cores' working sets
            // reloaded at every tile), though its simulated time came closer to the time-ordered run's.
            for (auto& [key, c] : order)
                for (bool again = true; again;) {
                    again = false;
                    for (Thread* t : c->threads)
                        if (t && !t->done && ready(t) && !(t->parked && t->clock >= horizon)) {
                            resume(t);
                            any = true;
                            again = !t->handed_over;
                            if (!again) break;
                        }
                }
            if (any) continue;
            uint64_t earliest = ~0ull;  // of the threads parked at the horizon
            for (auto& [key, c] : order) {
                key = ~0ull;
                for (Thread* t : c->threads)
                    if (t && !t->done) key = std::min(key, t->clock);
                for (Thread* t : c->threads)
                    if (t && !t->done && t->parked) earliest = std::min(earliest, t->clock);
            }
            if (earliest == ~0ull) break;
            horizon = earliest + window;
            std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.first < b.first; });
        }
    }
    std::string blocked;
    for (auto& c : cores)
        for (Thread* t : c.threads)
            if (t && !t->done) {  // with the line of the call it waits in (its site stays set while it is blocked)
                std::string what = describe_wait(t);
                size_t colon = what.find(": ");
                what.insert(colon == std::string::npos ? what.size() : colon, where(t->site));
                blocked += " | " + std::to_string(t->core) + " " + std::to_string(t->proc) + " " + what;
            }
    if (!blocked.empty()) { fprintf(out, "deadlock%s\n", blocked.c_str()); fflush(out); _exit(1); }
}

// ---------------------------------------------------------------- NoC addresses
struct Place { uint8_t* host; bool dram; uint32_t core_or_bank, addr, x, y; };

static const char* fmt_noc(uint64_t a, char* buf) {
    snprintf(buf, 64, "(x=%u,y=%u) %#x", (unsigned)((a >> chip.local_bits) & 63), (unsigned)((a >> (chip.local_bits + 6)) & 63),
             (unsigned)(a & 0xffffffffu));
    return buf;
}

static void check_noc(uint8_t noc, const char* what) {
    if (noc > 1) fail("%s: noc %u does not exist (a core has NoC 0 and NoC 1)", what, noc);
}

static const char* core_name(uint32_t core) {  // as the user's NoC addresses name it
    static char s[48];
    snprintf(s, sizeof s, "the core at NoC (%u,%u)", chip.core_x[core], chip.core_y[core]);
    return s;
}

// A kernel may use usable L1, the semaphores, and read (never write) the block of zeros tt-metal kernels copy from.
static void check_l1(const char* what, uint32_t core, uint32_t addr, uint32_t size, bool read) {
    bool sem = addr >= chip.sem_base && (uint64_t)addr + size <= chip.sem_base + (uint64_t)chip.sems * chip.sem_stride;
    sem |= read && addr >= chip.zeros_base && (uint64_t)addr + size <= (uint64_t)chip.zeros_base + chip.zeros_size;
    if ((uint64_t)addr + size > chip.l1_size)
        fail("%s: L1 %#x + %u bytes on %s runs past the end of L1 (%#x)", what, addr, size, core_name(core), chip.l1_size);
    if (addr < chip.l1_unreserved && !sem)
        fail("%s: L1 %#x on %s is in the reserved region (firmware, mailboxes, args); usable L1 starts at %#x", what, addr,
             core_name(core), chip.l1_unreserved);
}

static std::vector<uint32_t> core_pos;  // chip core index -> its place in `cores` (stale entries are caught by the index)
static Core* program_core(uint32_t core) {  // the running program's core there, or null
    uint32_t i = core < core_pos.size() ? core_pos[core] : ~0u;
    return i < cores.size() && cores[i].index == core ? &cores[i] : nullptr;
}

static Place resolve(uint8_t noc, uint64_t a, uint32_t size, const char* what, bool read) {
    uint32_t x = (a >> chip.local_bits) & 63, y = (a >> (chip.local_bits + 6)) & 63, addr = (uint32_t)a;
    char buf[64];
    check_noc(noc, what);
    if (chip.local_bits > 32 && ((a >> 32) & ((1ull << (chip.local_bits - 32)) - 1)))
        fail("%s: NoC address %#llx has a local address past 32 bits", what, (unsigned long long)a);
    if (x >= chip.noc_w || y >= chip.noc_h)
        fail("%s: NoC address %s is off the %ux%u grid", what, fmt_noc(a, buf), chip.noc_w, chip.noc_h);
    if (noc == 1) { x = chip.noc_w - 1 - x; y = chip.noc_h - 1 - y; }  // NoC 1 runs the other way: its coordinates are mirrored
    int32_t ep = chip.endpoint[y * chip.noc_w + x];
    if (ep == -1) fail("%s: NoC address %s names no core or DRAM bank (NoC 0 coordinates (%u,%u))", what, fmt_noc(a, buf), x, y);
    if (ep >= 0) {
        check_l1(what, ep, addr, size, read);
        if (Core* c = program_core(ep)) settle_core(*c);
        return {l1(ep) + addr, false, (uint32_t)ep, addr, x, y};
    }
    uint32_t bank = -ep - 2;
    if ((uint64_t)addr + size > chip.bank_size || addr < chip.dram_unreserved)
        fail("%s: DRAM bank %u address %#x + %u bytes is outside the bank's usable range [%#x, %#lx)", what, bank, addr, size,
             chip.dram_unreserved, (unsigned long)chip.bank_size);
    return {dram(bank) + addr, true, bank, addr, x, y};
}

static void check_align(const char* what, const Place& far, uint32_t local) {
    uint32_t align = far.dram ? chip.dram_align : chip.l1_align;
    if (far.addr % align != local % align)
        fail("%s: %s address %#x and local L1 address %#x differ modulo %u bytes; the NoC moves aligned words, so they must agree",
             what, far.dram ? "DRAM" : "remote L1", far.addr, local, align);
}

// A NoC transfer that starts in a circular buffer's pages must end inside them: on the chip the bytes past its end land
// in whatever follows (the next buffer's pages), a wrong result said nowhere. Cheap: a bit per configured buffer.
static void check_cb_spill(const char* what, uint32_t core, uint32_t addr, uint32_t size) {
    const Core* c = cur->c;
    if (core != c->index && !(c = program_core(core))) return;  // another core's L1 with no program: no circular buffers
    for (uint32_t m = c->cb_used; m; m &= m - 1) {
        const CB& cb = c->cbs[__builtin_ctz(m)];
        if (addr - cb.addr >= cb.size) continue;  // not in this one (unsigned: below it wraps round)
        if ((uint64_t)addr + size > cb.addr + cb.size)
            fail("%s: L1 %#x + %u bytes on %s starts in circular buffer %d [%#x, %#x) and runs %u bytes past its end "
                 "into what follows it; transfer at most %u bytes there, or make the buffer larger", what,
                 addr, size, core_name(core), __builtin_ctz(m), cb.addr, cb.addr + cb.size,
                 (uint32_t)((uint64_t)addr + size - cb.addr - cb.size), cb.addr + cb.size - addr);
        return;  // buffers do not overlap (indices sharing one have the same bounds)
    }
}

static Endpoint endpoint(const Place& p) { return {p.dram, p.core_or_bank, p.x, p.y}; }

// ---------------------------------------------------------------- the kernel API, as the engine implements it
// A wait resumes at the event's time, never earlier; the cycles it stood still count against what it waited on.
static void wait_until(uint64_t event, uint64_t& waited, TraceKind kind, uint32_t arg) {
    uint64_t go = cur->clock + chip.api_cycles;
    if (event > go) { waited += event - go; trace_event(kind, arg, go, event); }
    cur->clock = std::max(go, event);
}


static uint32_t api_arg(uint32_t i) {
    AtCall call(__builtin_return_address(0));
    if (i >= cur->nargs) fail("get_arg_val(%u): this kernel was given %u runtime args", i, cur->nargs);
    return *(uint32_t*)(l1(cur->core) + chip.arg_base[cur->proc] + 4 * i);
}
static uint32_t api_arg_addr(uint32_t i) { return chip.arg_base[cur->proc] + 4 * i; }
static uint32_t api_semaphore(uint32_t id) {
    AtCall call(__builtin_return_address(0));
    if (id >= chip.sems) fail("get_semaphore(%u): a core has %u semaphores", id, chip.sems);
    return chip.sem_base + id * chip.sem_stride;
}

// The TRISCs have no NoC on the chip: a compute kernel that includes dataflow_api.h compiles there too, but a NoC call
// from it cannot run. It would run here, so it stops the run instead.
static void no_noc_in_compute(const char* what) {
    if (__builtin_expect(cur->proc == TRISC, 0))
        fail("%s: compute kernels have no NoC; move this to the reader or writer", what);
}

// A kernel reading a DRAM buffer page after page finds the next page of the same bank right after this one (an
// interleaved buffer's pages sit one after another in each bank). Fetched now, it is in the cache when asked for, a few
// pages later: a page from memory each time cost more than the rest of the call.
static void read_ahead(const uint8_t* p, uint32_t size) {
    for (uint32_t off = 0; off < std::min(size, 4096u); off += 64) __builtin_prefetch(p + off);
}

// Bytes written to DRAM go straight to memory, past the cache: nothing in this process reads them soon (the host reads
// results after the run, a kernel reads DRAM through the NoC, seldom what it just wrote), and stores through the cache
// first read every line they fill and then push out lines the run still uses (the calendars, the cores' L1).
// So do multicasts of STREAMED_MCAST bytes or more over all their destinations: more than the processor's cache holds,
// each destination's compute reads them only after the other copies pushed them out. matmul_multicast (blocks of 256 KB
// to 7 cores), one engine thread, interleaved with numpy, medians of alternated processes, on an Intel Xeon with
// AVX-512: 1024^3 29.8 ms a call against 31.2 through the cache, 2048^3 200 against 214.
const uint64_t STREAMED_MCAST = 256 << 10;
static void past_cache(uint8_t* to, const uint8_t* from, uint32_t size) {
#if defined(__AVX2__)
    if ((uintptr_t)to % 32 == 0 && size % 32 == 0) {
        for (uint32_t o = 0; o < size; o += 32)
            _mm256_stream_si256((__m256i*)(to + o), _mm256_loadu_si256((const __m256i*)(from + o)));
        _mm_sfence();  // in memory before the host or another thread looks
        return;
    }
#endif
    memmove(to, from, size);
}

static void api_noc_read(uint8_t noc, uint64_t src, uint32_t dst, uint32_t size) {
    heartbeat();
    AtCall call(__builtin_return_address(0));
    no_noc_in_compute("noc_async_read");
    wait_in_time_order();  // first: in time order, before anything (static lists too) is set up
    Place p = resolve(noc, src, size, "noc_async_read", true);
    check_l1("noc_async_read", cur->core, dst, size, false);
    check_cb_spill("noc_async_read", cur->core, dst, size);
    check_align("noc_async_read", p, dst);
    memmove(l1(cur->core) + dst, p.host, size);
    if (p.dram) read_ahead(p.host + size, size);
    cur->clock += chip.noc_issue_cycles;
    uint64_t done = noc_read(noc, cur->core, endpoint(p), size, cur->clock);
    race_read(dst, size, cur->clock, done, __builtin_return_address(0));
    cur->reads_done[noc & 1] = std::max(cur->reads_done[noc & 1], done);
}

static void api_noc_write(uint8_t noc, uint32_t src, uint64_t dst, uint32_t size, const char* what) {
    heartbeat();
    AtCall call(__builtin_return_address(0));
    no_noc_in_compute(what);
    wait_in_time_order();  // first: in time order, before anything (static lists too) is set up
    Place p = resolve(noc, dst, size, what, false);
    check_l1(what, cur->core, src, size, true);
    check_align(what, p, src);
    if (p.dram) past_cache(p.host, l1(cur->core) + src, size);
    else {
        check_cb_spill(what, p.core_or_bank, p.addr, size);
        memmove(p.host, l1(cur->core) + src, size);
    }
    changed();
    cur->clock += chip.noc_issue_cycles;
    uint64_t done = noc_write(noc, cur->core, endpoint(p), size, cur->clock);
    bool signal = !p.dram && p.addr >= chip.sem_base && p.addr < chip.sem_base + chip.sems * chip.sem_stride;
    done = race_write(noc, src, size, p.dram ? -1 : (int32_t)p.core_or_bank, p.addr, cur->clock, done, signal, __builtin_return_address(0));
    cur->writes_done[noc & 1] = std::max(cur->writes_done[noc & 1], done);
    if (!p.dram) sem_stamp.at(((uint64_t)p.core_or_bank << 32) | p.addr) = done;
}

static void api_noc_write_mcast(uint8_t noc, uint32_t src, uint64_t dst, uint32_t size, uint32_t num_dests, bool self,
                                const char* what) {
    heartbeat();
    AtCall call(__builtin_return_address(0));
    no_noc_in_compute(what);
    wait_in_time_order();  // first: in time order, before anything (static lists too) is set up
    check_noc(noc, what);
    uint32_t lb = chip.local_bits, addr = (uint32_t)dst;
    uint32_t xe = (dst >> lb) & 63, ye = (dst >> (lb + 6)) & 63, xs = (dst >> (lb + 12)) & 63, ys = (dst >> (lb + 18)) & 63;
    if (std::max(xs, xe) >= chip.noc_w || std::max(ys, ye) >= chip.noc_h)
        fail("%s: rectangle (%u,%u)-(%u,%u) leaves the %ux%u NoC grid", what, xs, ys, xe, ye, chip.noc_w, chip.noc_h);
    if (noc == 1) { xs = chip.noc_w - 1 - xs; xe = chip.noc_w - 1 - xe; ys = chip.noc_h - 1 - ys; ye = chip.noc_h - 1 - ye; }
    uint32_t x0 = std::min(xs, xe), x1 = std::max(xs, xe), y0 = std::min(ys, ye), y1 = std::max(ys, ye);
    check_l1(what, cur->core, src, size, true);
    static std::vector<uint32_t> dests;  // the destination cores, then copied to, shared with the helper threads if large
    dests.clear();
    for (uint32_t y = y0; y <= y1; y++)
        for (uint32_t x = x0; x <= x1; x++) {
            int32_t c = chip.endpoint[y * chip.noc_w + x];
            if (c < 0 || (c == (int32_t)cur->core && !self)) continue;
            check_l1(what, c, addr, size, false);
            check_cb_spill(what, c, addr, size);
            if (Core* pc = program_core(c)) settle_core(*pc);
            if (addr % chip.l1_align != src % chip.l1_align) fail("%s: destination %#x and source %#x differ modulo %u bytes", what, addr, src, chip.l1_align);
            dests.push_back(c);
        }
    uint32_t n = dests.size();
    static std::vector<uint32_t> all;
    all = dests;
    bool to_self = std::find(dests.begin(), dests.end(), (uint32_t)cur->core) != dests.end();
    if (to_self) dests.erase(std::find(dests.begin(), dests.end(), (uint32_t)cur->core));  // last: it may overlap the source
    struct Copy { uint32_t addr, src, size; } job{addr, src, size};
    if ((uint64_t)size * n >= STREAMED_MCAST) {
        split_work(dests.size(), [](void* ctx, int i) {
            Copy& j = *(Copy*)ctx;
            past_cache(l1(dests[i]) + j.addr, l1(cur->core) + j.src, j.size);
        }, &job, (uint64_t)size * n >> 10);
    } else {
        for (uint32_t c : dests) memmove(l1(c) + addr, l1(cur->core) + src, size);
    }
    if (to_self) memmove(l1(cur->core) + addr, l1(cur->core) + src, size);
    if (n != num_dests)
        fail("%s: num_dests is %u but the rectangle (%u,%u)-(%u,%u) holds %u destination cores%s", what, num_dests, x0, y0, x1, y1, n,
             self ? "" : " (the sender is not one of them)");
    cur->clock += chip.noc_issue_cycles;
    uint64_t done = noc_mcast(noc, cur->core, all, x0, y0, x1, y1, size, cur->clock), landed = done;
    bool signal = addr >= chip.sem_base && addr < chip.sem_base + chip.sems * chip.sem_stride;
    for (uint32_t c : all)
        landed = std::max(landed, race_write(noc, src, size, c, addr, cur->clock, done, signal, __builtin_return_address(0)));
    done = landed;
    cur->writes_done[noc & 1] = std::max(cur->writes_done[noc & 1], done);
    for (uint32_t y = y0; y <= y1; y++)
        for (uint32_t x = x0; x <= x1; x++) {
            int32_t c = chip.endpoint[y * chip.noc_w + x];
            if (c >= 0 && (c != (int32_t)cur->core || self)) sem_stamp.at(((uint64_t)c << 32) | addr) = done;
        }
    changed();
}

static void api_read_barrier(uint8_t noc) {
    heartbeat();
    AtCall call(__builtin_return_address(0));
    no_noc_in_compute("noc_async_read_barrier");
    check_noc(noc, "noc_async_read_barrier");
    wait_until(cur->reads_done[noc], cur->wait_noc, EV_WAIT_NOC, noc);
    race_barrier();
}
static void api_atomic_barrier(uint8_t noc) {  // the semaphore increments this thread sent have landed
    heartbeat();
    AtCall call(__builtin_return_address(0));
    no_noc_in_compute("noc_async_atomic_barrier");
    check_noc(noc, "noc_async_atomic_barrier");
    wait_until(cur->atomics_done[noc], cur->wait_noc, EV_WAIT_NOC, noc);
}
static void api_write_barrier(uint8_t noc) {
    heartbeat();
    AtCall call(__builtin_return_address(0));
    no_noc_in_compute("noc_async_write_barrier");
    check_noc(noc, "noc_async_write_barrier");
    wait_until(cur->writes_done[noc], cur->wait_noc, EV_WAIT_NOC, noc);
    race_barrier();
}

static void api_sem_inc(uint8_t noc, uint64_t dst, uint32_t incr) {
    heartbeat();
    AtCall call(__builtin_return_address(0));
    no_noc_in_compute("noc_semaphore_inc");
    wait_in_time_order();  // first: in time order, before anything (static lists too) is set up
    changed();
    Place p = resolve(noc, dst, 4, "noc_semaphore_inc", false);
    if (p.dram) fail("noc_semaphore_inc: targets DRAM bank %u; semaphores live in a core's L1", p.core_or_bank);
    if (p.addr % 4) fail("noc_semaphore_inc: L1 %#x is not 4-byte aligned", p.addr);
    *(uint32_t*)p.host += incr;
    cur->clock += chip.noc_issue_cycles;
    uint64_t done = noc_write(noc, cur->core, endpoint(p), 4, cur->clock);
    cur->atomics_done[noc & 1] = std::max(cur->atomics_done[noc & 1], done);
    sem_stamp.at(((uint64_t)p.core_or_bank << 32) | p.addr) =
        race_write(noc, 0, 4, p.core_or_bank, p.addr, cur->clock, done, true, __builtin_return_address(0));
}

static uint32_t local_addr(volatile uint32_t* p, const char* what) {
    uintptr_t a = (uintptr_t)p;
    if (a >= chip.l1_size || a % 4) fail("%s: pointer %p is not a 4-byte aligned L1 address", what, (void*)p);
    return (uint32_t)a;
}

static void api_sem_set(volatile uint32_t* p, uint32_t v) {
    heartbeat();
    AtCall call(__builtin_return_address(0));
    changed();
    uint32_t a = local_addr(p, "noc_semaphore_set");
    *(volatile uint32_t*)(l1(cur->core) + a) = v;
    cur->clock += chip.api_cycles;
    sem_stamp.at(((uint64_t)cur->core << 32) | a) = cur->clock;
}

static void sem_wait(volatile uint32_t* p, uint32_t v, WaitKind kind) {
    heartbeat();
    uint32_t a = local_addr(p, kind == SEM_MIN ? "noc_semaphore_wait_min" : "noc_semaphore_wait");
    block({kind, -1, 0, a, v});
    wait_until(sem_stamp.get(((uint64_t)cur->core << 32) | a), cur->wait_sem, EV_WAIT_SEM, a);
}
static void api_sem_wait(volatile uint32_t* p, uint32_t v) {
    AtCall call(__builtin_return_address(0));
    sem_wait(p, v, SEM_EQ);
}
// The mailboxes between a core's RISC-Vs (ckernel.h): a data-movement kernel writes a word to each TRISC, the compute
// kernel reads them in order (here one thread runs all three, so it reads the three words one after the other).
static void api_mailbox_write(uint32_t thread, uint32_t data) {
    heartbeat();
    if (cur->proc == TRISC) fail("mailbox_write: the compute kernel reads mailboxes; data-movement kernels write them");
    if (thread < 1 || thread > 3) fail("mailbox_write(%u): the compute threads are UnpackThreadId, MathThreadId and PackThreadId (1-3)", thread);
    changed();
    cur->clock += chip.api_cycles;
    core_of(cur).mailbox.push_back({data, cur->clock});
}
static uint32_t api_mailbox_read(uint32_t thread) {
    heartbeat();
    if (cur->proc != TRISC) fail("mailbox_read: data-movement kernels write mailboxes; the compute kernel reads them");
    block({MAILBOX});
    auto [data, at] = core_of(cur).mailbox.front();
    core_of(cur).mailbox.pop_front();
    wait_until(at, cur->wait_sem, EV_WAIT_SEM, 0);
    return data;
}
static bool api_mailbox_not_empty(uint32_t thread) { heartbeat(); return !core_of(cur).mailbox.empty(); }
static void api_sem_wait_min(volatile uint32_t* p, uint32_t v) {
    AtCall call(__builtin_return_address(0));
    sem_wait(p, v, SEM_MIN);
}

CB& cb_of(int32_t i, const char* what) {
    if (i < 0 || i >= 32) fail("%s: circular buffer index %d is out of range (0-31)", what, i);
    CB& cb = core_of(cur).cbs[i];
    if (!cb.pages) fail("%s: circular buffer %d is not configured on this core; add it to the program's cbs", what, i);
    heartbeat();
    return cb;
}

// Zero pages: on the chip the counters already satisfy the call, so it returns at once; the padding writers of
// tt-metal's matmuls rely on cb_wait_front(cb, 0) and cb_pop_front(cb, 0) being no-ops.
static void zero_pages() {
    heartbeat();
    cur->clock += chip.api_cycles;
}

static void check_pages(CB& cb, int32_t i, int32_t n, const char* what) {
    if (n <= 0 || (uint32_t)n > cb.pages) fail("%s(cb %d, %d): the buffer holds %u pages", what, i, n, cb.pages);
}

// A compute kernel's pointer into its circular buffers taken, or pages it holds (compute.cpp's raw_pointer_math).
static void raw_pages(bool taken) { if (cur->math && cur->proc == TRISC) raw_pointer_math(cur->math, taken); }

static void api_cb_reserve_back(int32_t i, int32_t n) {
    AtCall call(__builtin_return_address(0));
    if (n == 0) return zero_pages();
    StageClock on(cur, PACK_STAGE);
    CB& cb = cb_of(i, "cb_reserve_back");
    check_pages(cb, i, n, "cb_reserve_back");
    block({CB_BACK, i, n});
    raw_pages(false);  // pages it may touch through a pointer
    cb.reserved = std::max(cb.reserved, (uint32_t)n);
    uint32_t last = (cb.pushed + n - 1) % cb.pages;  // the last slot reserved was freed at its pop
    wait_until(cb.free_at[last], cur->wait_cb[i], EV_WAIT_CB_BACK, i);
}

static void api_cb_push_back(int32_t i, int32_t n) {
    AtCall call(__builtin_return_address(0));
    if (n == 0) return zero_pages();
    StageClock on(cur, PACK_STAGE);
    CB& cb = cb_of(i, "cb_push_back");
    check_pages(cb, i, n, "cb_push_back");
    if (cb.room() < (uint32_t)n) fail("cb_push_back(cb %d, %d): only %u pages are free; reserve them first", i, n, cb.room());
    if (cur->math) post_math(cur->math);  // the pages it packs, to a helper or done now
    cur->clock += chip.api_cycles;
    race_cb_push(i, n, cb.wr, n * cb.page_size, __builtin_return_address(0));
    for (int32_t k = 0; k < n; k++) cb.ready_at[(cb.pushed + k) % cb.pages] = cur->clock;
    cb.pushed += n;
    changed();
    cb.packed = 0;
    cb.reserved = cb.reserved > (uint32_t)n ? cb.reserved - n : 0;
    cb.wr += n * cb.page_size;
    if (cb.wr > cb.addr + cb.size) fail("cb_push_back(cb %d, %d): the pages run past the end of the buffer; the buffer's %u pages must be a multiple of the pages pushed at once", i, n, cb.pages);
    if (cb.wr == cb.addr + cb.size) cb.wr = cb.addr;
}

static void api_cb_wait_front(int32_t i, int32_t n) {
    AtCall call(__builtin_return_address(0));
    if (n == 0) return zero_pages();
    StageClock on(cur, UNPACK_STAGE);
    CB& cb = cb_of(i, "cb_wait_front");
    check_pages(cb, i, n, "cb_wait_front");
    block({CB_FRONT, i, n});
    raw_pages(false);  // pages it may touch through a pointer
    cb.waited = std::max(cb.waited, (uint32_t)n);
    wait_until(cb.ready_at[(cb.popped + n - 1) % cb.pages], cur->wait_cb[i], EV_WAIT_CB_FRONT, i);
}

static void api_cb_pop_front(int32_t i, int32_t n) {
    AtCall call(__builtin_return_address(0));
    if (n == 0) return zero_pages();
    StageClock on(cur, UNPACK_STAGE);
    CB& cb = cb_of(i, "cb_pop_front");
    check_pages(cb, i, n, "cb_pop_front");
    if (cb.filled() < (uint32_t)n) fail("cb_pop_front(cb %d, %d): only %u pages are filled", i, n, cb.filled());
    cur->clock += chip.api_cycles;
    race_cb_pop(i, n, cb.rd, n * cb.page_size, __builtin_return_address(0));
    for (int32_t k = 0; k < n; k++) cb.free_at[(cb.popped + k) % cb.pages] = cur->clock;
    cb.popped += n;
    changed();
    cb.waited = cb.waited > (uint32_t)n ? cb.waited - n : 0;
    cb.rd += n * cb.page_size;
    if (cb.rd > cb.addr + cb.size) fail("cb_pop_front(cb %d, %d): the pages run past the end of the buffer; the buffer's %u pages must be a multiple of the pages popped at once", i, n, cb.pages);
    if (cb.rd == cb.addr + cb.size) cb.rd = cb.addr;
}

// Polling: a thread told "not yet" gives way, and runs again once something has changed (or a deadlock names it).
static bool poll(bool answer, int32_t i, int32_t n) {
    cur->clock += chip.api_cycles;
    if (!answer) block({POLL, i, n, 0, 0, changes});
    return answer;
}
static bool api_cb_available(int32_t i, int32_t n) {
    CB& cb = cb_of(i, "cb_pages_available_at_front");
    return poll(cb.filled() >= (uint32_t)n, i, n);
}
static bool api_cb_reservable(int32_t i, int32_t n) {
    CB& cb = cb_of(i, "cb_pages_reservable_at_back");
    return poll(cb.room() >= (uint32_t)n, i, n);
}
static uint32_t api_cb_write_ptr(int32_t i) { return raw_pages(true), cb_of(i, "get_write_ptr").wr; }
static uint32_t api_cb_read_ptr(int32_t i) { return raw_pages(true), cb_of(i, "get_read_ptr").rd; }
static uint32_t api_cb_page_size(int32_t i) { return cb_of(i, "get_tile_size").page_size; }
static uint32_t api_cb_format(int32_t i) { return cb_of(i, "get_dataformat").format; }
static uint32_t api_cb_size(int32_t i) { return cb_of(i, "get_local_cb_interface").size; }

static void api_print(const char* s, size_t n) {
    for (size_t k = 0; k < n; k++) {
        if (s[k] != '\n') {
            cur->line += s[k];
            if (cur->line.size() < (64u << 10)) continue;  // a line without ENDL() ends at 64 KiB, not at memory's end
        }
        fprintf(out, "print %u %u %s\n", cur->core, cur->proc, cur->line.c_str());
        cur->line.clear();
    }
}
static void api_fail(const char* m) { fail("%s", m); }
static void api_tick(uint64_t c) {  // tensix_charge_cycles: work the kernel says it did (a compute kernel's math stage)
    heartbeat();
    StageClock on(cur, MATH_STAGE);
    cur->clock += c;
    if (cur->proc == TRISC) cur->math_busy += c;
}

// ---------------------------------------------------------------- kernels: shared objects, loaded once per path
static std::map<std::string, Kernel> loaded;  // by path; map nodes stay put, so slots can point at them
static std::vector<Kernel*> slots;

static int find_segments(struct dl_phdr_info* info, size_t, void* arg) {
    auto* k = (std::pair<void*, Kernel*>*)arg;
    Dl_info dl{};
    if (!dladdr((void*)k->second->entry, &dl) || (uintptr_t)dl.dli_fbase != info->dlpi_addr) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_W)) continue;
        uint8_t* at = (uint8_t*)(info->dlpi_addr + ph.p_vaddr);
        k->second->data.push_back({at, ph.p_memsz});
        k->second->fresh.insert(k->second->fresh.end(), at, at + ph.p_memsz);
    }
    return 1;
}


static Kernel* load(const std::string& path) {
    auto it = loaded.find(path);
    if (it != loaded.end()) return &it->second;
    void* so = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!so) fail("cannot load kernel %s: %s", path.c_str(), dlerror());
    auto slot = (TxApi**)dlsym(so, "tensix_api");
    auto entry = (void (*)())dlsym(so, "tensix_kernel_entry");
    if (!slot || !entry) fail("kernel %s lacks tensix_api or tensix_kernel_entry", path.c_str());
    *slot = &api;
    Kernel& k = loaded[path];
    k.so = so; k.entry = entry;
    std::pair<void*, Kernel*> arg{so, &k};
    dl_iterate_phdr(find_segments, &arg);  // after relocation and constructors, with tensix_api set
    return &k;
}

static Thread* new_thread(Core& c, uint32_t core, uint32_t proc, uint32_t nargs, Kernel* kernel, size_t n) {
    if (pool.size() <= n) {
        Thread* t = new Thread;
        // a guard gap: a stack overflow is a crash we report, not a write into another thread's stack
        uint8_t* base = (uint8_t*)mmap(nullptr, GUARD + STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        mprotect(base, GUARD, PROT_NONE);
        t->stack = base + GUARD;
        pool.push_back(t);
    }
    Thread* t = pool[n];
    Thread fresh;
    fresh.stack = t->stack;
    fresh.math = t->math;
    fresh.data.swap(t->data);
    *t = std::move(fresh);
    t->c = &c;
    t->core = core; t->proc = proc; t->nargs = nargs; t->kernel = kernel;
    t->data.assign(kernel->fresh.begin(), kernel->fresh.end());  // reuses the pooled thread's buffer
    kernel->owner = nullptr;
    for (int noc = 0; noc < 2; noc++) {
        t->self.my_x[noc] = noc ? chip.noc_w - 1 - chip.core_x[core] : chip.core_x[core];
        t->self.my_y[noc] = noc ? chip.noc_h - 1 - chip.core_y[core] : chip.core_y[core];
    }
    t->self.core = core; t->self.proc = proc;
    fiber_make(t->fiber, t->stack, STACK, thread_main);
    return t;
}

static void setup_cbs(Core& c, const std::string& formats) {
    const uint32_t* cfg = (const uint32_t*)(l1(c.index) + chip.cb_config);  // [addr, size, pages, page size], 16-byte units but pages
    for (int i = 0; i < 32; i++) {
        CB& cb = c.cbs[i];
        std::vector<uint64_t> ready = std::move(cb.ready_at), free = std::move(cb.free_at);  // their memory reused
        cb = CB{};
        cb.ready_at = std::move(ready); cb.free_at = std::move(free);
        cb.addr = cfg[4 * i] << 4; cb.size = cfg[4 * i + 1] << 4; cb.pages = cfg[4 * i + 2]; cb.page_size = cfg[4 * i + 3] << 4;
        auto hex = [&](size_t k) { char ch = k < formats.size() ? formats[k] : '0'; return uint32_t(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10); };
        cb.format = hex(2 * i) << 4 | hex(2 * i + 1);  // two hex digits (program.py), read without a substring and strtoul per buffer
        cb.wr = cb.rd = cb.addr;
        cb.ready_at.assign(cb.pages, 0);
        cb.free_at.assign(cb.pages, 0);
        if (cb.pages) c.cb_used |= 1u << i;
    }
    for (uint32_t m = c.cb_used; m; m &= m - 1)  // indices of one buffer (tt-metal's CircularBufferConfig with several)
        for (uint32_t n = m & (m - 1); n; n &= n - 1) {
            CB &a = c.cbs[__builtin_ctz(m)], &b = c.cbs[__builtin_ctz(n)];
            if (a.addr < b.addr + b.size && b.addr < a.addr + a.size)
                a.shares |= 1u << __builtin_ctz(n), b.shares |= 1u << __builtin_ctz(m), c.shares_memory = true;
        }
    if (core_pos.size() <= c.index) core_pos.resize(c.index + 1);
    core_pos[c.index] = &c - cores.data();
}

// ---------------------------------------------------------------- host protocol
static std::vector<std::string> words(const char* line) {
    std::vector<std::string> w;
    const char* p = line;
    while (*p) {
        while (*p == ' ' || *p == '\n') p++;
        const char* s = p;
        while (*p && *p != ' ' && *p != '\n') p++;
        if (p > s) w.emplace_back(s, p);
    }
    return w;
}

static uint64_t num(const std::string& s) { return strtoull(s.c_str(), nullptr, 0); }

static void configure(const std::vector<std::string>& w) {
    const std::string& k = w[0];
    if (k == "chip") {
        chip.cores = num(w[1]); chip.l1_size = num(w[2]); chip.l1_unreserved = num(w[3]); chip.banks = num(w[4]);
        chip.bank_size = num(w[5]); chip.dram_unreserved = num(w[6]); chip.noc_w = num(w[7]); chip.noc_h = num(w[8]);
        chip.local_bits = num(w[9]);
        chip.endpoint.assign(chip.noc_w * chip.noc_h, -1);
    } else if (k == "reserved") {
        for (int p = 0; p < NPROC; p++) chip.arg_base[p] = num(w[1 + p]);
        chip.cb_config = num(w[4]); chip.sem_base = num(w[5]); chip.sems = num(w[6]); chip.sem_stride = num(w[7]);
        chip.l1_align = num(w[8]); chip.dram_align = num(w[9]); chip.zeros_base = num(w[10]); chip.zeros_size = num(w[11]);
    } else if (k == "core" || k == "bank") {
        uint32_t x = num(w[2]), y = num(w[3]);
        auto& xs = k == "core" ? chip.core_x : chip.bank_x;
        auto& ys = k == "core" ? chip.core_y : chip.bank_y;
        xs.push_back(x); ys.push_back(y);
        chip.endpoint[y * chip.noc_w + x] = k == "core" ? (int32_t)num(w[1]) : -(int32_t)num(w[1]) - 2;
    } else if (k == "timing") {
        chip.noc_bytes_per_cycle = atof(w[1].c_str()); chip.dram_bytes_per_cycle = atof(w[2].c_str());
        chip.api_cycles = num(w[3]); chip.noc_issue_cycles = num(w[4]); chip.write_latency = num(w[5]);
        chip.read_latency = num(w[6]); chip.hop_cycles = num(w[7]);
    } else if (k == "max_cycles") {
        chip.max_cycles = num(w[1]);
    } else if (k == "noc_timing") {  // mode, L1 port rate, max burst, launch costs, race detector, (size, efficiency) pairs
        timing_mode = (TimingMode)num(w[1]);
        chip.l1_bytes_per_cycle = atof(w[2].c_str()); chip.max_burst = num(w[3]);
        chip.launch_program_cycles = num(w[4]); chip.launch_binary_cycles = num(w[5]); chip.launch_core_cycles = num(w[6]);
        chip.packet_size.clear(); chip.packet_efficiency.clear();
        races_on = num(w[7]) != 0;
        for (size_t i = 8; i + 1 < w.size(); i += 2) { chip.packet_size.push_back(atof(w[i].c_str())); chip.packet_efficiency.push_back(atof(w[i + 1].c_str())); }
    } else if (k == "compute_timing") {
        uint64_t* f[] = {&chip.matmul_pass_cycles, &chip.binary_cycles, &chip.copy_cycles, &chip.sfpu_cycles, &chip.exp_cycles,
                         &chip.exp_approx_cycles, &chip.recip_cycles, &chip.sqrt_cycles, &chip.reduce_cycles,
                         &chip.unpack_tile_cycles, &chip.pack_tile_cycles, &chip.math_block_cycles, &chip.sfpu_reduce_cycles};
        for (size_t i = 0; i < sizeof f / sizeof *f; i++) *f[i] = num(w[1 + i]);
    }
}

static void start_api() {
    api.noc_size_x = chip.noc_w; api.noc_size_y = chip.noc_h;
    api.num_dram_banks = chip.banks; api.num_l1_banks = chip.cores;
    for (uint32_t b = 0; b < chip.banks && b < TENSIX_MAX_BANKS; b++) { api.dram_x[b] = chip.bank_x[b]; api.dram_y[b] = chip.bank_y[b]; }
    for (uint32_t c = 0; c < chip.cores && c < TENSIX_MAX_BANKS; c++) { api.l1_x[c] = chip.core_x[c]; api.l1_y[c] = chip.core_y[c]; }
    api.arg = api_arg; api.arg_addr = api_arg_addr; api.semaphore = api_semaphore;
    api.noc_read = api_noc_read; api.noc_write = api_noc_write; api.noc_write_mcast = api_noc_write_mcast;
    api.noc_read_barrier = api_read_barrier; api.noc_write_barrier = api_write_barrier; api.noc_atomic_barrier = api_atomic_barrier;
    api.sem_inc = api_sem_inc; api.sem_set = api_sem_set; api.sem_wait = api_sem_wait; api.sem_wait_min = api_sem_wait_min;
    api.mailbox_write = api_mailbox_write; api.mailbox_read = api_mailbox_read; api.mailbox_not_empty = api_mailbox_not_empty;
    api.cb_reserve_back = api_cb_reserve_back; api.cb_push_back = api_cb_push_back;
    api.cb_wait_front = api_cb_wait_front; api.cb_pop_front = api_cb_pop_front;
    api.cb_pages_available = api_cb_available; api.cb_pages_reservable = api_cb_reservable;
    api.cb_write_ptr = api_cb_write_ptr; api.cb_read_ptr = api_cb_read_ptr;
    api.cb_page_size = api_cb_page_size; api.cb_format = api_cb_format; api.cb_size = api_cb_size;
    api.print = api_print; api.fail = api_fail; api.tick = api_tick;
    compute_bind(api); inits_bind(api);
    start_helpers();

    uint64_t total = l1_offset(chip.cores) + chip.banks * chip.bank_size;
    shm = (uint8_t*)mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);
    if (shm == MAP_FAILED) fail("cannot map the device memory: %s", strerror(errno));
    status = (Status*)shm;
    // The window: the chip's L1 addresses, from the lowest page the OS lets us map.
    long page = sysconf(_SC_PAGESIZE);
    unsigned long min_addr = 65536;
    if (FILE* f = fopen("/proc/sys/vm/mmap_min_addr", "r")) { if (fscanf(f, "%lu", &min_addr) != 1) min_addr = 65536; fclose(f); }
    window_lo = (char*)((std::max<unsigned long>(min_addr, page) + page - 1) / page * page);
    if (mmap(window_lo, chip.l1_size - (size_t)window_lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0) != window_lo)
        fail("cannot reserve the L1 window at %p: %s", (void*)window_lo, strerror(errno));
    static uint8_t altstack[1 << 16];
    stack_t ss{}; ss.ss_sp = altstack; ss.ss_size = sizeof altstack;
    sigaltstack(&ss, nullptr);
    struct sigaction sa{};
    sa.sa_sigaction = crash; sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) sigaction(s, &sa, nullptr);
}

static int64_t spin_ns = 0;  // how long to spin for the next command before sleeping in read (the host's "spin")

// The end of a reply: out to the host, and counted, so a host spinning on the count (sim.py) sees it without sleeping.
static void reply() {
    fflush(out);
    __atomic_store_n(&status->replies, status->replies + 1, __ATOMIC_RELEASE);
}

// The engine dies with the Python process that started it, even one killed with SIGKILL: otherwise a kernel that
// loops would keep running, reparented, for ever. Linux signals a child when its parent thread ends; the handler
// tells the end of the process (we are reparented) from the end of one of its threads (we are not).
static pid_t host_pid;
static bool sandboxed;  // the host's "sandbox 1": restrict this process once started (sandbox.cpp)
static void parent_gone(int) { if (getppid() != host_pid) _exit(3); }
static void die_with_parent() {
#ifdef __linux__
    struct sigaction sa{};
    sa.sa_handler = parent_gone; sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, nullptr);
    prctl(PR_SET_PDEATHSIG, SIGUSR2);
#else
    std::thread([] { for (;; usleep(200000)) parent_gone(0); }).detach();  // no parent-death signal: look
#endif
    parent_gone(0);  // it may have ended before we asked
}

int main(int argc, char** argv) {
    if (argc != 5) { fprintf(stderr, "usage: engine CMD_FD REPLY_FD MEMORY_FD HOST_PID (started by tensix)\n"); return 2; }
    host_pid = atoi(argv[4]);
    die_with_parent();
    signal(SIGINT, SIG_IGN);  // Ctrl-C is the host's to handle: it stops this process itself
    std::set_terminate(uncaught);
    FILE* in = fdopen(atoi(argv[1]), "r");
    out = fdopen(atoi(argv[2]), "w");
    shm_fd = atoi(argv[3]);
    char* line = nullptr;
    size_t cap = 0;
    uint64_t lines = 0;  // command lines read; the host counts those it has sent in status->commands
    for (;;) {
        // A host running programs in a loop sends the next one within microseconds: wait for it spinning, briefly, so
        // that its write wakes no sleeper (a cross-processor wake-up costs both sides more than the spin); then sleep.
        if (spin_ns && status) spin_while_equal(&status->commands, lines, spin_ns);
        if (getline(&line, &cap, in) <= 0) break;
        lines++;
        auto w = words(line);
        if (w.empty()) continue;
        if (w[0] == "start") {
            start_api();
            const char* why = sandboxed ? sandbox_enter(fileno(out)) : "it was turned off";
            fprintf(out, "ready%s%s\n", why ? " unsandboxed " : "", why ? why : "");
            reply();
        } else if (w[0] == "sandbox") sandboxed = num(w[1]);
        else if (w[0] == "strict_init") strict_init = num(w[1]);  // the strict-init checker (inits.cpp) on or off
        else if (w[0] == "trace_kept") trace_kept = num(w[1]);
        else if (w[0] == "calendar_mb") noc_set_budget(num(w[1]));
        else if (w[0] == "spin") spin_ns = usable_cpus() > 1 ? num(w[1]) : 0;  // spin N: wait for a command spinning N ns
        else if (w[0] == "kernel") {  // kernel SLOT PATH (the path is the rest of the line)
            uint32_t s = num(w[1]);
            std::string path = line;
            path = path.substr(path.find(' ', 7) + 1);
            while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
            if (slots.size() <= s) slots.resize(s + 1);
            status->core = -2; status->proc = (int32_t)s;  // while its static constructors run, they are to blame
            slots[s] = load(path);
            status->core = -1; status->proc = -1;
        }
        else if (w[0] == "run") {  // run CORE F0 F1 F2 N0 N1 N2 FORMATS ...: kernel slot (or -1) and arg count per processor
            sem_stamp.reset();
            noc_reset(std::hash<std::string_view>()(line));
            trace_reset();
            race_reset();
            cores.resize((w.size() - 1) / 8);  // sized once: threads point at their core
            for (size_t ci = 0, k = 1, n = 0; ci < cores.size(); ci++, k += 8) {
                Core& c = cores[ci];  // the last run's, emptied: a run in a loop allocates nothing for its cores
                c.cb_used = 0;
                c.l1_touched = c.shares_memory = false;
                std::fill(std::begin(c.threads), std::end(c.threads), nullptr);
                c.mailbox.clear();
                c.index = num(w[k]);
                setup_cbs(c, w[k + 7]);
                for (int p = 0; p < NPROC; p++) {
                    long slot = strtol(w[k + 1 + p].c_str(), nullptr, 0);
                    if (slot >= 0) c.threads[p] = new_thread(c, c.index, p, num(w[k + 4 + p]), slots[slot], n++);
                }
            }
            // launch: the dispatcher sends each kernel binary once and each core its args, then starts the cores in turn
            std::vector<bool> sent(slots.size());
            uint64_t binaries = 0;
            for (size_t k = 1; k < w.size(); k += 8)
                for (int p = 0; p < NPROC; p++) {
                    long slot = strtol(w[k + 1 + p].c_str(), nullptr, 0);
                    if (slot >= 0 && !sent[slot]) { sent[slot] = true; binaries++; }
                }
            uint64_t launch = chip.launch_program_cycles + binaries * chip.launch_binary_cycles;
            for (size_t ci = 0; ci < cores.size(); ci++)
                for (Thread* t : cores[ci].threads)
                    if (t) {
                        t->clock = t->started = launch + (ci + 1) * chip.launch_core_cycles;
                        for (uint64_t& s : t->stage) s = t->clock;
                        t->half_free[0] = t->half_free[1] = t->clock;
                    }
            run_program();
            for (Core& c : cores) settle_core(c);
            helpers_run_ended();
            std::string r = "stats {\"noc\": " + noc_stats() + ", \"threads\": [", done = "done";
            {
                Record rec(r), ends(done);
                bool first = true;
                for (auto& c : cores)
                    for (Thread* t : c.threads) {
                        if (!t) continue;
                        rec.str(first ? "[" : ",[").num(t->core).str(",").num(t->proc).str(",").num(t->clock).str(",")
                            .num(t->wait_noc).str(",").num(t->wait_sem).str(",").num(t->flops).str(",[");
                        uint64_t waits = t->wait_noc + t->wait_sem;
                        for (int i = 0, n = 0; i < 32; i++)  // [cb, cycles] of the buffers it waited on
                            if (t->wait_cb[i]) {
                                rec.str(n++ ? ",[" : "[").num(i).str(",").num(t->wait_cb[i]).str("]");
                                waits += t->wait_cb[i];
                            }
                        // busy: a data-movement thread's time not waiting; a compute thread's time its math stage computed
                        uint64_t busy = t->proc == TRISC ? t->math_busy : t->clock - t->started - std::min(waits, t->clock - t->started);
                        rec.str("],").num(t->started).str(",").num(busy).str("]");
                        ends.str(" ").num(t->core).str(":").num(t->proc).str(":").num(t->clock);
                        first = false;
                    }
                rec.str("], \"launch\": ").num(launch).str("}\n");
            }
            r += done; r += '\n';
            fwrite(r.data(), 1, r.size(), out);
            reply();
        } else if (w[0] == "trace") {  // trace: the last run's event log, its records after the reply line
            fprintf(out, "traced %zu %zu\n", trace_events(), trace_dropped);
            trace_write(out);
            reply();
        } else if (w[0] == "quit") break;
        else configure(w);
    }
    return 0;
}
