// The engine's helper threads. Work that splits into independent chunks (rows of queued tile matmuls, the destinations
// of a large multicast) is shared out: the engine's thread and the helpers take chunks one at a time until none is
// left. A helper the OS has not scheduled yet (a busy machine) never holds the engine up: the engine's thread simply
// takes its chunks too. Each chunk computes the same bytes whoever runs it, so results do not depend on the number of
// threads. Nothing else runs on a helper, so kernels still see one deterministic thread.
//
// No thread spins for long: a helper spins about SPIN_NS for the next burst of work, then sleeps on a futex; the
// engine's thread, once it finds no chunk left, waits the same way for chunks a helper still holds.
//
// A helper the OS takes off its processor in the middle of a chunk (a busy neighbour, numpy's BLAS threads spinning
// after a matmul) holds the engine's thread up for a time slice, milliseconds, where the chunk takes microseconds.
// So a wait that long makes the engine's thread do the next jobs alone, for longer after each such wait in a row:
// with a busy neighbour the engine runs about as fast as with one thread, never much slower.
#include <atomic>
#include <chrono>
#include <cmath>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <thread>
#include "engine.h"
#include "cpus.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() asm volatile("yield")
#else
#define cpu_relax() ((void)0)
#endif

static const int64_t SPIN_NS = 20000;  // about what a futex wake-up costs; longer spins take a busy neighbour's CPU
static const int64_t STALL_NS = 300000;  // a wait this long for a helper's chunk: the helper lost its processor
// jobs done alone after a stall: doubled by each stall, one less for each job shared without one
static const uint32_t SOLO_JOBS = 64, MAX_SOLO_JOBS = 8192;

static struct {
    // the job: its generation (high 32 bits), chunk count (bits 16-31) and next chunk to hand out (bits 0-15)
    std::atomic<uint64_t> claim{0};
    std::atomic<uint32_t> posted{0};    // generation of the latest job: idle helpers sleep on it
    std::atomic<uint32_t> done{0};      // chunks of the job finished: the engine's thread sleeps on it
    std::atomic<uint32_t> sleepers{0};  // helpers asleep, or about to be
    std::atomic<bool> waiting{false};   // the engine's thread is asleep on `done`, or about to be
    void (*work)(void*, int) = nullptr;
    void* ctx = nullptr;
    uint32_t generation = 0;
    int helpers = 0;
    uint32_t solo = 0, backoff = SOLO_JOBS;  // jobs left to do alone; how many the next stall gives
} pool;

static void futex_wait(std::atomic<uint32_t>& word, uint32_t seen) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr, nullptr, 0);
}
static void futex_wake(std::atomic<uint32_t>& word, int n) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}

static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Spin while `busy()` holds, for SPIN_NS at most; the caller then sleeps on a futex if it still must wait.
template <typename Busy>
static void wait_while(Busy busy) {
    int64_t until = now_ns() + SPIN_NS;
    for (int spin = 0; busy(); spin++) {
        if (spin % 64 || now_ns() < until) cpu_relax();
        else return;
    }
}

// Takes chunks of job `generation` and runs them until none is left; the job's fields stay valid while a chunk of it
// is unfinished, because the engine's thread posts no new job before every chunk is done.
static void run_chunks(uint32_t generation, bool helper) {
    uint64_t c = pool.claim.load(std::memory_order_acquire);
    for (;;) {
        uint32_t next = c & 0xffff, chunks = (c >> 16) & 0xffff;
        if ((c >> 32) != generation || next >= chunks) return;
        if (!pool.claim.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) continue;
        pool.work(pool.ctx, next);
        if (pool.done.fetch_add(1) + 1 == chunks && helper && pool.waiting.load()) futex_wake(pool.done, 1);
        c = pool.claim.load(std::memory_order_acquire);
    }
}

static void helper_loop() {
    uint32_t seen = 0;
    for (;;) {
        wait_while([&] { return pool.posted.load(std::memory_order_acquire) == seen; });
        while (pool.posted.load() == seen) {
            pool.sleepers++;
            if (pool.posted.load() == seen) futex_wait(pool.posted, seen);
            pool.sleepers--;
        }
        seen = pool.posted.load(std::memory_order_acquire);
        run_chunks(seen, true);
    }
}

// It yields between looks: on a busy machine the process it waits for may be queued on this very processor.
bool spin_while_equal(const uint64_t* word, uint64_t seen, int64_t ns) {
    int64_t until = now_ns() + ns;
    for (int spin = 0; __atomic_load_n(word, __ATOMIC_ACQUIRE) == seen; spin++)
        if (spin % 16 < 15) cpu_relax();
        else if (now_ns() >= until) return false;
        else sched_yield();
    return true;
}

void start_helpers() {  // at start-up, before anything could forbid making threads
    if (pool.helpers) return;
    pool.helpers = threads_to_use() - 1;
    for (int i = 0; i < pool.helpers; i++) std::thread(helper_loop).detach();
}

void split_work(int chunks, void (*work)(void* ctx, int chunk), void* ctx) {
    if (chunks <= 0) return;
    if (pool.helpers == 0 || chunks == 1 || chunks > 0xffff || pool.solo) {
        for (int i = 0; i < chunks; i++) work(ctx, i);
        if (pool.solo) pool.solo--;
        return;
    }
    pool.work = work; pool.ctx = ctx;
    pool.done.store(0);
    uint32_t g = ++pool.generation;
    pool.claim.store((uint64_t)g << 32 | (uint64_t)chunks << 16, std::memory_order_release);
    pool.posted.store(g);
    if (pool.sleepers.load()) futex_wake(pool.posted, std::min(pool.helpers, chunks - 1));
    run_chunks(g, false);
    auto unfinished = [&] { return pool.done.load(std::memory_order_acquire) != (uint32_t)chunks; };
    if (!unfinished()) return (void)(pool.backoff = std::max(pool.backoff - 1, SOLO_JOBS));
    int64_t from = now_ns();
    wait_while(unfinished);
    while (unfinished()) {
        pool.waiting.store(true);
        uint32_t d = pool.done.load();
        if (d != (uint32_t)chunks) futex_wait(pool.done, d);
        pool.waiting.store(false);
    }
    if (now_ns() - from < STALL_NS) pool.backoff = std::max(pool.backoff - 1, SOLO_JOBS);
    else {
        pool.solo = pool.backoff;
        pool.backoff = std::min(pool.backoff * 2, MAX_SOLO_JOBS);
    }
}
