// The engine's helper threads. Work that splits into independent chunks (rows of queued tile matmuls, the destinations
// of a large multicast) is shared out: the engine's thread and the helpers take chunks one at a time until none is
// left. A helper the OS has not scheduled yet (a busy machine) never holds the engine up: the engine's thread simply
// takes its chunks too. Each chunk computes the same bytes whoever runs it, so results do not depend on the number of
// threads. Nothing else runs on a helper, so kernels still see one deterministic thread.
//
// Besides the chunks of one job, a helper takes deferred work (defer/finish): a compute thread's batch of matmuls and
// packs, done while the engine's thread runs other cores. Helpers take the newest, the engine's thread settles the
// oldest first, so they meet where it catches up.
//
// No thread spins for long: a helper spins about SPIN_NS for the next burst of work, then sleeps on a futex; the
// engine's thread, once it finds no chunk left, waits the same way for chunks a helper still holds.
//
// Helpers keep off the processor the engine's thread posts work from. Left to the OS, a helper woken while every
// processor is busy (numpy's BLAS thread spinning after a matmul, a neighbour) is put on its waker's processor, where it
// can only take turns with the engine's thread; on another one it takes its turns from the neighbour instead.
//
// More threads ready to run than processors and the helpers can cost more than they give: a helper the OS takes off
// its processor in the middle of a chunk holds the engine's thread up for a time slice, milliseconds, where the chunk
// takes microseconds; a helper waking up where the engine's thread runs takes its processor (matmul_multicast 2048^3
// beside a busy neighbour: the engine's thread had 40 to 70% of a processor in most windows while helpers shared its
// work, 90 to 100% alone); and two engines side by side take turns preempting each other's thread with their helpers
// (a window of 10 ms then sees the engine's thread taken off its processor ten to a hundred times, against two to four
// beside a spinning neighbour); and a helper sharing its processor with a neighbour takes few chunks while its spins
// and wake-ups cost the engine's thread as much as ever. So any sign, a wait that long, the engine's thread getting
// under SHARE of the time while it works with helpers, being preempted PREEMPTED times in a window (WINDOW_NS), or the
// helpers running under HELPED of the chunks shared out in one, makes the engine's thread work alone for a while,
// twice as long after each sign in a row, half as long after a window without one.
//
// Without any sign, sharing can still lose: the judge (judge.h) times periods of runs done each way and keeps the
// faster.
//
// Those signs come to the engine whose thread is preempted, not to the one whose helpers preempt it: two engines side
// by side ended with one sharing its work and the other alone and slower (a pair's call a tenth over one thread each).
// So engines that share a cache directory tell each other when they run: an engine running shared work holds a lock
// file there shared, and one that finds it held by another engine at its run's first job does that run alone, where
// the processors cannot hold both engines' threads.
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <linux/futex.h>
#include <mutex>
#include <sched.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include "engine.h"
#include "cpus.h"
#include "judge.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() asm volatile("yield")
#else
#define cpu_relax() ((void)0)
#endif

static const int64_t SPIN_NS = 20000;  // about what a futex wake-up costs; longer spins take a busy neighbour's CPU
static const int64_t STALL_NS = 300000;  // a wait this long for a helper's chunk: the helper lost its processor
static const int64_t WINDOW_NS = 10000000, SHARE = 70;  // the engine's thread's share of the time, in percent
static const long PREEMPTED = 10;  // times the engine's thread was taken off its processor in a window
// Helpers that run under this share of the chunks shared out in a window, in percent, have no processor of their own.
// Not judged in a window where a compute thread posted batches: a helper busy with them takes few chunks, and looked
// absent (matmul_multicast 2048^3 ran alone, 195 to 208 ms a call against 160 to 170); a batch's helper that lost its
// processor shows as a wait for its batch instead (STALL_NS).
// matmul_multicast 1024^3 beside a spinning process, interleaved with numpy (medians of alternated processes): 42 ms
// a call, against 52 without this sign and 47 with one thread; 2048^3 216 against 226 and 219.
static const uint32_t HELPED = 25, MIN_HELPED_OF = 64;  // judged once this many chunks were shared out
static const int64_t SOLO_NS = 5000000, MAX_SOLO_NS = 500000000;  // time alone after a sign, at first and at most

static struct {
    // the job: its generation (high 32 bits), and the chunks not handed out yet, from bits 0-15 up to bits 16-31
    std::atomic<uint64_t> claim{0};
    uint32_t chunks = 0;                // the job's
    std::atomic<uint32_t> posted{0};    // generation of the latest job
    std::atomic<uint32_t> wake{0};      // bumped by every job and deferred work posted: idle helpers sleep on it
    std::atomic<uint32_t> done{0};      // chunks of the job finished: the engine's thread sleeps on it
    std::atomic<uint32_t> sleepers{0};  // helpers asleep, or about to be
    std::atomic<bool> waiting{false};   // the engine's thread is asleep on `done`, or about to be
    void (*work)(void*, int) = nullptr;
    void* ctx = nullptr;
    uint32_t generation = 0;
    int helpers = 0;
    cpu_set_t cpus;                   // the processors the process may use
    std::atomic<int> engine_cpu{-1};  // the one the engine's thread posted the latest job from
    int64_t solo_until = 0, solo_ns = SOLO_NS;  // alone until then; for how long after the next sign
    int running = -1;       // the lock file engines running shared work hold shared (-1: none could be opened)
    bool asked = false;     // at this run's first job, whether another engine was running
    bool holding = false;   // this engine holds the lock for the run
    bool yielding = false;  // another engine was running at this run's first job: this run is done alone
    int64_t window_at = 0, window_cpu = 0;  // the window's start (0: the next job starts one), wall and CPU
    long window_preempted = 0;              // and the engine's thread's preemptions until then
    uint32_t window_shared = 0;             // chunks shared out in the window
    std::atomic<uint32_t> helped{0};        // of them, chunks helpers ran
    bool window_posted = false;             // a compute thread posted a batch in the window
    Judge judge;  // whether the jobs go faster shared or alone, on this machine now (judge.h)
    std::mutex queue_lock;
    std::deque<Deferred*> queue;           // deferred work, oldest first (some of it perhaps taken already)
    std::atomic<bool> finishing{false};   // the engine's thread is asleep in finish(), or about to be
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
static int64_t thread_cpu_ns() {  // the calling thread's time on a processor
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}
static long thread_preempted() {  // times the calling thread was taken off its processor while it could run
    rusage ru;
    return getrusage(RUSAGE_THREAD, &ru) ? 0 : ru.ru_nivcsw;
}

static void go_solo(int64_t now) {
    pool.solo_until = now + pool.solo_ns;
    pool.window_at = 0;  // none while alone
    pool.solo_ns = std::min(2 * pool.solo_ns, MAX_SOLO_NS);
}

// Whether the engine's thread should do this job alone: it is, for a while, after a sign of too few processors. Its
// share of the time is measured in windows within a run (between runs it sleeps, which is no sign): a wait for a
// processor in the middle of one counts against it.
static bool alone() {
    if (!pool.asked && pool.running >= 0) {  // the run's first job: is another engine running?
        pool.asked = true;
        pool.yielding = flock(pool.running, LOCK_EX | LOCK_NB) != 0 && CPU_COUNT(&pool.cpus) < 2 * (pool.helpers + 1);
        pool.holding = flock(pool.running, LOCK_SH | LOCK_NB) == 0;
    }
    if (pool.yielding) return true;
    int64_t now = now_ns();
    if (now < pool.solo_until) return true;
    if (!pool.window_at) {  // a window starts: at a run's first job, after time alone
        pool.window_at = now;
        pool.window_shared = 0;
        pool.window_posted = false;
        pool.helped = 0;
        pool.window_cpu = thread_cpu_ns();
        pool.window_preempted = thread_preempted();
    } else if (now - pool.window_at >= WINDOW_NS) {
        int64_t cpu = thread_cpu_ns();
        long preempted = thread_preempted();
        uint32_t shared = pool.window_shared, helped = pool.helped.exchange(0);
        bool posted = pool.window_posted;
        pool.window_shared = 0;
        pool.window_posted = false;
        if ((cpu - pool.window_cpu) * 100 < SHARE * (now - pool.window_at) || preempted - pool.window_preempted >= PREEMPTED
            || (!posted && shared >= MIN_HELPED_OF && helped * 100 < HELPED * shared))
            return go_solo(now), true;
        pool.solo_ns = std::max(pool.solo_ns / 2, SOLO_NS);
        pool.window_at = now;
        pool.window_cpu = cpu;
        pool.window_preempted = preempted;
    }
    return false;
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

thread_local bool on_helper = false;

// Takes chunks of job `generation` and runs them until none is left: the engine's thread from the front, helpers from
// the back, so neighbouring chunks (which often share their inputs) stay on one thread. The job's fields stay valid
// while a chunk of it is unfinished, because the engine's thread posts no new job before every chunk is done.
static void run_chunks(uint32_t generation, bool helper) {
    uint64_t c = pool.claim.load(std::memory_order_acquire);
    for (;;) {
        uint32_t front = c & 0xffff, back = (c >> 16) & 0xffff;
        if ((c >> 32) != generation || front >= back) return;
        uint64_t taken = helper ? c - (1ull << 16) : c + 1;
        if (!pool.claim.compare_exchange_weak(c, taken, std::memory_order_acq_rel)) continue;
        pool.work(pool.ctx, helper ? back - 1 : front);
        if (helper) pool.helped.fetch_add(1, std::memory_order_relaxed);
        if (pool.done.fetch_add(1) + 1 == pool.chunks && helper && pool.waiting.load()) futex_wake(pool.done, 1);
        c = pool.claim.load(std::memory_order_acquire);
    }
}

// Keeps the calling helper off processor `cpu` (when the process may use another).
static void keep_off(int cpu) {
    cpu_set_t others = pool.cpus;
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others)) sched_setaffinity(0, sizeof others, &others);
}

enum { QUEUED, TAKEN, DONE };  // Deferred::state
// Deferred work not taken yet: the oldest (the engine's thread: it settles batches oldest first), or the newest
// (helpers: the work needed last). So the two meet where the engine's thread catches up with the helpers, and a slow
// helper (a processor shared with a neighbour, or numpy's spinning BLAS thread) holds up at most the one it is doing.
static Deferred* take(bool oldest) {
    std::lock_guard<std::mutex> hold(pool.queue_lock);
    while (!pool.queue.empty()) {
        Deferred* d = oldest ? pool.queue.front() : pool.queue.back();
        if (oldest) pool.queue.pop_front();
        else pool.queue.pop_back();
        uint32_t s = QUEUED;
        if (d->state.compare_exchange_strong(s, TAKEN)) return d;
    }
    return nullptr;
}
static void run_deferred(Deferred* d) {
    int64_t start = now_ns();
    d->run(d);
    d->ns = now_ns() - start;
    d->state.store(DONE);  // seq_cst, as `finishing`: the engine's thread either sees DONE or is woken
    if (on_helper && pool.finishing.load()) futex_wake(d->state, 1);
}

static void helper_loop() {
    on_helper = true;
    uint32_t seen = 0;
    int off = -1;  // the processor this helper keeps off
    for (;;) {
        uint32_t w = pool.wake.load(std::memory_order_acquire);
        if (int cpu = pool.engine_cpu.load(std::memory_order_relaxed); cpu != off) keep_off(off = cpu);
        if (pool.posted.load(std::memory_order_acquire) != seen) {
            seen = pool.posted.load(std::memory_order_acquire);
            run_chunks(seen, true);
            continue;
        }
        if (Deferred* d = take(false)) { run_deferred(d); continue; }
        wait_while([&] { return pool.wake.load(std::memory_order_acquire) == w; });
        if (pool.wake.load() == w) {
            pool.sleepers++;
            if (pool.wake.load() == w) futex_wait(pool.wake, w);
            pool.sleepers--;
        }
    }
}

static void wake_helpers(int n) {
    pool.wake.fetch_add(1, std::memory_order_release);
    if (pool.sleepers.load()) futex_wake(pool.wake, n);
}

bool deferring() { return pool.helpers && !alone() && pool.judge.share; }

void defer(Deferred* d, uint32_t units) {
    d->units = units;
    d->state.store(QUEUED, std::memory_order_relaxed);
    {
        std::lock_guard<std::mutex> hold(pool.queue_lock);
        // work the engine's thread took itself (finish) leaves its entry: gone from the front, the queue stays short
        while (!pool.queue.empty() && pool.queue.front()->state.load() != QUEUED) pool.queue.pop_front();
        pool.queue.push_back(d);
    }
    pool.engine_cpu.store(sched_getcpu(), std::memory_order_relaxed);
    pool.window_posted = true;
    wake_helpers(1);
}

static void deferred_kind(void*, int) {}  // the judge's name for deferred work

// Done on return: here if no helper took it; while a helper does it, other deferred work, then a short spin and a
// sleep. The judge counts its work (not its time: the engine's thread went on meanwhile).
void finish(Deferred* d) {
    int64_t start = now_ns(), waited = 0;
    uint32_t s = QUEUED;
    if (d->state.compare_exchange_strong(s, TAKEN)) run_deferred(d);
    while (d->state.load(std::memory_order_acquire) != DONE) {
        if (Deferred* other = take(true)) { run_deferred(other); continue; }
        int64_t from = now_ns();
        wait_while([&] { return d->state.load(std::memory_order_acquire) != DONE; });
        pool.finishing.store(true);
        if (d->state.load() != DONE) futex_wait(d->state, TAKEN);
        pool.finishing.store(false);
        waited += now_ns() - from;
    }
    int64_t now = now_ns();
    if (waited >= STALL_NS) go_solo(now);  // the helper lost its processor
    pool.judge.credit(deferred_kind, d->ns, d->units);
    pool.judge.span(start, now - start);
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

void helpers_run_ended() {
    pool.judge.run_ended();
    pool.window_at = 0;
    pool.yielding = pool.asked = false;
    if (pool.holding) flock(pool.running, LOCK_UN), pool.holding = false;
}

void start_helpers() {  // at start-up, before anything could forbid making threads
    if (pool.helpers) return;
    pool.helpers = threads_to_use() - 1;
    if (sched_getaffinity(0, sizeof pool.cpus, &pool.cpus)) CPU_ZERO(&pool.cpus);
    char exe[4096];
    ssize_t n = pool.helpers ? readlink("/proc/self/exe", exe, sizeof exe - 16) : -1;
    if (char* slash = n > 0 ? (exe[n] = 0, strrchr(exe, '/')) : nullptr) {
        strcpy(slash + 1, "engines.lock");
        pool.running = open(exe, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    }
    for (int i = 0; i < pool.helpers; i++) std::thread(helper_loop).detach();
}

void split_work(int chunks, void (*work)(void* ctx, int chunk), void* ctx, uint32_t units) {
    if (chunks <= 0) return;
    auto run_here = [&] { for (int i = 0; i < chunks; i++) work(ctx, i); };
    if (pool.helpers == 0 || chunks == 1 || chunks > 0xffff) return run_here();
    if (alone()) return pool.judge.pause(), run_here();  // time alone after a sign is no period's
    int64_t start = now_ns();
    if (!pool.judge.share) return run_here(), pool.judge.book(work, start, now_ns() - start, units);
    pool.work = work; pool.ctx = ctx;
    pool.window_shared += chunks;
    pool.done.store(0);
    pool.chunks = chunks;
    uint32_t g = ++pool.generation;
    pool.claim.store((uint64_t)g << 32 | (uint64_t)chunks << 16, std::memory_order_release);
    pool.engine_cpu.store(sched_getcpu(), std::memory_order_relaxed);
    pool.posted.store(g);
    wake_helpers(std::min(pool.helpers, chunks - 1));
    run_chunks(g, false);
    auto unfinished = [&] { return pool.done.load(std::memory_order_acquire) != (uint32_t)chunks; };
    int64_t from = now_ns();
    if (!unfinished()) return pool.judge.book(work, start, from - start, units);
    wait_while(unfinished);
    while (unfinished()) {
        pool.waiting.store(true);
        uint32_t d = pool.done.load();
        if (d != (uint32_t)chunks) futex_wait(pool.done, d);
        pool.waiting.store(false);
    }
    int64_t now = now_ns();
    pool.judge.book(work, start, now - start, units);
    if (now - from >= STALL_NS) go_solo(now);
}
