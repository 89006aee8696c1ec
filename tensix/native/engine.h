// What the engine's parts share: the chip, memory, threads, circular buffers, and how to fail.
#pragma once
#include <atomic>
#include <deque>
#include <algorithm>
#include <charconv>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <string>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>
#include "include/tensix_abi.h"
#include "fiber.h"

struct Math;    // a compute thread's destination register and settings (compute.cpp)
struct Kernel;  // a loaded kernel binary (engine.cpp)

enum Proc { BRISC, NCRISC, TRISC, NPROC };

// ---------------------------------------------------------------- chip description, sent by the host at start
struct Chip {
    uint32_t cores = 0, l1_size = 0, l1_unreserved = 0, banks = 0, dram_unreserved = 0, noc_w = 0, noc_h = 0;
    uint64_t bank_size = 0;
    uint32_t arg_base[NPROC] = {}, cb_config = 0, sem_base = 0, sems = 0, sem_stride = 16, local_bits = 32;
    uint32_t l1_align = 16, dram_align = 32, zeros_base = 0, zeros_size = 0;
    std::vector<uint8_t> core_x, core_y, bank_x, bank_y;
    std::vector<int32_t> endpoint;  // NoC (x, y) -> core index, or -(bank+2), or -1 for nothing a kernel may address
    // timing parameters, in cycles (see tensix/chips.py for their sources)
    double noc_bytes_per_cycle = 32, dram_bytes_per_cycle = 12;
    uint64_t api_cycles = 10, noc_issue_cycles = 20, write_latency = 40, read_latency = 70, hop_cycles = 10;
    // compute, per tile (see tensix/chips.py)
    uint64_t matmul_pass_cycles = 36, binary_cycles = 101, copy_cycles = 56, sfpu_cycles = 56, exp_cycles = 2666,
             exp_approx_cycles = 668, recip_cycles = 915, sqrt_cycles = 159, reduce_cycles = 101;
    uint64_t unpack_tile_cycles = 16, pack_tile_cycles = 16, math_block_cycles = 300, sfpu_reduce_cycles = 224;
    uint64_t max_cycles = ~0ull;  // a thread whose clock passes this in one run is a runaway (the host's max_cycles)
    // the shared resources (noc.cpp; see tensix/chips.py)
    double l1_bytes_per_cycle = 64;
    uint32_t max_burst = 8192;
    std::vector<double> packet_size, packet_efficiency;  // a packet's share of the link rate by its size
    uint64_t launch_program_cycles = 0, launch_binary_cycles = 0, launch_core_cycles = 0;
};
extern Chip chip;

// ---------------------------------------------------------------- shared memory: status page, L1s, DRAM banks
// The host watchdog reads progress, core and proc. `commands` counts the lines the host has sent, `replies` the batches of
// reply lines the engine has flushed: each side spins briefly on the other's counter before it sleeps in a read.
struct Status { uint64_t progress; int32_t core, proc; uint64_t commands, replies; };
extern uint8_t* shm;
extern int shm_fd;
extern Status* status;
// Layout of the memory file (tensix/sim.py lays it out the same way): a status block, each core's L1, each DRAM bank.
// Blocks start on 64 KiB boundaries so that any host page size can map a core's L1 on its own.
const uint64_t BLOCK = 1 << 16;
// The reports written after every run, built in a buffer that goes onto the report when full or done (snprintf parses
// its format at every call, and appending to a std::string piece by piece cost more than the digits).
struct Record {
    std::string& out;
    char b[512], *p = b;
    explicit Record(std::string& s) : out(s) {}
    ~Record() { flush(); }
    void flush() { out.append(b, p - b); p = b; }
    Record& num(uint64_t v) { if (p > b + sizeof b - 24) flush(); p = std::to_chars(p, b + sizeof b, v).ptr; return *this; }
    Record& str(const char* s) { for (; *s; *p++ = *s++) if (p == b + sizeof b) flush(); return *this; }
};
inline uint64_t l1_stride() { return (chip.l1_size + BLOCK - 1) / BLOCK * BLOCK; }
inline uint64_t l1_offset(uint32_t core) { return BLOCK + core * l1_stride(); }
static inline uint8_t* l1(uint32_t core) { return shm + l1_offset(core); }
static inline uint8_t* dram(uint32_t bank) { return shm + l1_offset(chip.cores) + bank * chip.bank_size; }

// A time per key that a new run forgets without freeing anything: each entry holds the run that set it. (An
// unordered_map's clear() frees every node, and a loop of runs paid a malloc for each again: a tenth of a multicast
// matmul's engine time.) Past LIMIT keys (programs touching ever new addresses) a reset frees them after all.
struct RunMap {
    static constexpr size_t LIMIT = 1 << 20;
    std::unordered_map<uint64_t, std::pair<uint32_t, uint64_t>> m;
    uint32_t run = 1;
    void reset() { if (m.size() > LIMIT) m.clear(); run++; }
    uint64_t& at(uint64_t key) {  // 0 if not set in this run
        auto& e = m[key];
        if (e.first != run) e = {run, 0};
        return e.second;
    }
    uint64_t get(uint64_t key) const {
        auto it = m.find(key);
        return it == m.end() || it->second.first != run ? 0 : it->second.second;
    }
};

// ---------------------------------------------------------------- threads, circular buffers, cores
enum WaitKind { RUNNING, CB_FRONT, CB_BACK, SEM_EQ, SEM_MIN, POLL, MAILBOX };
struct Wait { WaitKind kind = RUNNING; int32_t cb = 0, pages = 0; uint32_t addr = 0, value = 0; uint64_t seen = 0; };

// What a compute thread's init calls have set up (inits.cpp); format: a DataFormat code, -1 unknown.
struct InitState {
    bool configured = false;
    uint32_t math = TX_INIT_NONE, mode = TX_ANY;
    const char *math_by = nullptr, *sfpu = nullptr, *tilize = nullptr, *pack_untilize = nullptr, *reduce_mask = nullptr;
    int32_t format[3] = {-1, -1, -1}, format_cb[3] = {};
    const char* format_by[3] = {};
};

struct Core;
struct Thread {
    Fiber fiber;
    Core* c = nullptr;
    uint8_t* stack = nullptr;
    TxThread self{};
    Kernel* kernel = nullptr;
    std::vector<uint8_t> data;  // this thread's copy of its kernel's globals (kept across runs, like the stack)
    uint32_t core = 0, proc = 0, nargs = 0;
    bool done = false, parked = false;  // parked: gave way at the horizon (engine.cpp's scheduler)
    bool handed_over = false;  // a compute thread reached a batch's worth of math to hand a helper (compute.cpp's post)
    Wait wait;
    uint64_t clock = 0, reads_done[2] = {}, writes_done[2] = {}, atomics_done[2] = {};
    uint64_t wait_noc = 0, wait_sem = 0, wait_cb[32] = {};  // cycles spent waiting, by what on (run.stats)
    uint64_t flops = 0;                                     // matmul and element-wise arithmetic done
    // a compute thread's three pipelined stages (compute.cpp): their clocks, and the destination register's handshake
    uint64_t stage[3] = {}, half_free[2] = {}, committed_at = 0;
    uint32_t acquires = 0, releases = 0;
    uint64_t started = 0, math_busy = 0;  // when the core started; cycles the math stage computed
    std::string line;  // DPRINT text not yet ended
    const void* site = nullptr;  // in an API call: the kernel's call, whose line fail() names
    Math* math = nullptr;  // kept across runs, like the stack
    InitState inits;
};

struct CB {
    uint32_t addr = 0, size = 0, pages = 0, page_size = 0, format = 255;
    uint32_t pushed = 0, popped = 0, wr = 0, rd = 0;  // counts are cumulative; pointers are L1 byte addresses
    uint32_t packed = 0;                              // tiles packed into the reserved pages since the last push
    uint32_t reserved = 0, waited = 0;                // pages the producer reserved / the consumer waited for
    uint32_t shares = 0;                              // other indices whose memory overlaps this one's, a bit each
    std::vector<uint64_t> ready_at, free_at;          // per page slot: when its last push / pop happened
    uint32_t filled() const { return pushed - popped; }
    uint32_t room() const { return pages - filled(); }
};

// cb_used: a bit per configured circular buffer index.
// mailbox: the words the data-movement kernels sent the compute kernel (ckernel's mailbox_write), each with its time
// l1_touched: another thread or the NoC may have written its L1 since its compute thread last ran (settle_core).
// shares_memory: two of its circular buffer indices share a buffer.
struct Core {
    uint32_t index, cb_used = 0;
    Thread* threads[NPROC] = {};
    CB cbs[32];
    std::deque<std::pair<uint32_t, uint64_t>> mailbox;
    bool l1_touched = false, shares_memory = false;
};

extern std::vector<Core> cores;  // the cores of the running program

extern Thread* cur;  // running thread, or null in the scheduler

extern TxApi api;

// A compute thread runs unpack, math and pack as a pipeline, each stage on its own clock; its `clock` is the latest of
// them. A circular-buffer call runs on the clock of the stage that makes it on the chip (unpack waits for and pops
// inputs, pack reserves and pushes outputs); for the data-movement threads this does nothing.
enum Stage { UNPACK_STAGE, MATH_STAGE, PACK_STAGE };
struct StageClock {
    Thread* t; Stage s; uint64_t saved = 0;
    StageClock(Thread* t_, Stage s_) : t(t_), s(s_) { if (t->proc == TRISC) { saved = t->clock; t->clock = t->stage[s]; } }
    ~StageClock() { if (t->proc == TRISC) { t->stage[s] = t->clock; t->clock = std::max(saved, t->clock); } }
};

// While an API call is served, the kernel's call site (Thread::site), so that an error about its arguments names the
// line. A call the engine makes inside another keeps the kernel's.
struct AtCall {
    const void* outer;
    explicit AtCall(const void* at) : outer(cur->site) { if (!outer) cur->site = at; }
    ~AtCall() { cur->site = outer; }
};
inline Core& core_of(Thread* t) { return *t->c; }
[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Every kernel API call shows the host's watchdog that the running kernel is alive; state changes (pages pushed or
// popped, bytes landed, semaphores written) also wake threads that poll.
// A thread whose clock has run past the run's cycle budget is a runaway loop of API calls: it ends the run.
// Only the engine's thread counts, so a plain store does: a locked add would wait for every pending store (a NoC copy's).
[[noreturn]] void over_budget();
inline void heartbeat() {
    __atomic_store_n(&status->progress, status->progress + 1, __ATOMIC_RELAXED);
    if (__builtin_expect(cur->clock > chip.max_cycles, 0)) over_budget();
}
extern uint64_t changes;
inline void changed() { changes++; }
CB& cb_of(int32_t i, const char* what);
void compute_bind(TxApi& api);  // compute.cpp: the math engine's entries in the kernel API
extern bool strict_init;        // inits.cpp: the strict-init checker is on
void inits_bind(TxApi& api);
void inits_reset(InitState& s);
void flush_math(Math* mm);      // compute.cpp: the queued matmuls and packs, done now (their pages may change next)
void settle(Math* mm);          // compute.cpp: the batches the compute thread posted, done (their pages are read next)
void post_math(Math* mm);       // compute.cpp: the queued matmuls and packs, to a helper or done now (pages pushed)
void raw_pointer_math(Math* mm, bool taken);  // compute.cpp: a pointer into the circular buffers taken, or pages held
void retire_operands(Math* mm);  // compute.cpp: its cached operands are unpacked again (their pages may have changed)
// helper.cpp: run work(ctx, i) for every chunk i < chunks, on this thread and the helper threads, and return when all are
// done. Chunks must not depend on each other: which thread runs which chunk changes from run to run. `units` is its work
// (matmuls, operands, KiB), for the judge of sharing (judge.h).
void split_work(int chunks, void (*work)(void* ctx, int chunk), void* ctx, uint32_t units);
// Work handed to a helper to do while the engine's thread goes on (a compute thread's batch): defer() queues it,
// finish() returns once it is done, doing it on this thread if no helper has taken it (and, while one does it, other
// queued work). deferring(): whether a helper is there to take it now (else the caller does the work itself).
struct Deferred {
    void (*run)(Deferred*) = nullptr;
    std::atomic<uint32_t> state{0};  // queued, taken, done (helper.cpp)
    uint32_t units = 0;
    int64_t ns = 0;  // how long it took, where it ran
};
bool deferring();
void defer(Deferred* d, uint32_t units);
void finish(Deferred* d);
extern thread_local bool on_helper;  // helper.cpp: this thread is a helper, not the engine's
void start_helpers();  // the engine's threads: TENSIX_THREADS, else the processors this process may use
void helpers_run_ended();  // between runs: lets go of engines.lock; the engine thread's share is measured anew
// Spin while *word == seen, for `ns` at most; true if it changed.
bool spin_while_equal(const uint64_t* word, uint64_t seen, int64_t ns);


// ---------------------------------------------------------------- the shared resources of the chip (noc.cpp)
enum TimingMode { TIMING_SIMPLE, TIMING_CALENDAR, TIMING_ORDERED };
extern TimingMode timing_mode;
struct Endpoint { bool dram; uint32_t id, x, y; };  // a DRAM bank or a core, at NoC 0 coordinates
void noc_reset(uint64_t program);  // a new run of `program` (a hash of its run command): every resource idle
void noc_set_budget(size_t mb);  // the most memory the calendars may take (the host's CALENDAR_MB)
// When a transfer issued at `issue` has landed (data in the destination), given what else uses its path.
uint64_t noc_read(uint8_t noc, uint32_t core, const Endpoint& from, uint32_t size, uint64_t issue);
uint64_t noc_write(uint8_t noc, uint32_t core, const Endpoint& to, uint32_t size, uint64_t issue);
uint64_t noc_mcast(uint8_t noc, uint32_t core, const std::vector<uint32_t>& dests, uint32_t x0, uint32_t y0, uint32_t x1,
                   uint32_t y1, uint32_t size, uint64_t issue);
uint64_t noc_drained();                  // when the last transfer of the run lands
std::string noc_stats();                 // JSON: bytes and busy cycles of every resource that was used
void wait_in_time_order();               // engine.cpp: in TIMING_ORDERED, let every thread that is earlier go first

// ---------------------------------------------------------------- the run's event log (trace.cpp; tensix/trace.py reads it)
enum TraceKind { EV_WAIT_NOC, EV_WAIT_CB_FRONT, EV_WAIT_CB_BACK, EV_WAIT_SEM, EV_READ, EV_WRITE, EV_MCAST };
struct TraceEvent { uint32_t core, proc, kind, arg; uint64_t start, end; uint32_t bytes; int32_t peer; };  // 40 bytes
extern size_t trace_kept, trace_dropped;  // the most events a run keeps; those it did not
void trace_reset();
void trace_event(uint32_t kind, uint32_t arg, uint64_t start, uint64_t end, uint32_t bytes = 0, int32_t peer = 0);
size_t trace_events();       // how many records the last run left
size_t trace_write(FILE* f);  // the records, as they are in memory; returns how many

// ---------------------------------------------------------------- the sandbox (sandbox.cpp)
const char* sandbox_enter(int reply_fd);  // null once the engine is restricted to the calls it needs; else why not

// ---------------------------------------------------------------- the race detector (races.cpp)
extern bool races_on;
void race_reset();
std::string where(const void* at);  // " [at kernel.so 0x1234]": the host turns it into the kernel's source line
void race_barrier();  // after a barrier: this thread's transfers that have landed are no longer in flight
void race_read(uint32_t dst, uint32_t size, uint64_t issue, uint64_t done, const void* at);
uint64_t race_write(uint8_t noc, uint32_t src, uint32_t size, int32_t dest, uint32_t dst, uint64_t issue, uint64_t done,
                    bool signal, const void* at);
void race_cb_push(int32_t cb, int32_t n, uint32_t addr, uint32_t size, const void* at);
void race_cb_pop(int32_t cb, int32_t n, uint32_t addr, uint32_t size, const void* at);
