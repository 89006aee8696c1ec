// The engine's one helper thread. Work that splits into two independent halves (the rows of queued tile matmuls, the
// destinations of a large multicast) runs half here and half there; nothing else ever runs on it, so kernels still
// see one deterministic thread. It spins briefly for work, which comes in bursts, then sleeps until woken.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include "engine.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() asm volatile("yield")
#else
#define cpu_relax() ((void)0)
#endif

static struct {
    std::mutex mu;
    std::condition_variable wake;
    std::atomic<int> state{0};  // 0 idle, 1 work posted, 2 work done
    void (*work)(void*, int);
    void* ctx;
    bool started = false;
} helper;

static void helper_loop() {
    for (;;) {
        for (int spin = 0; helper.state.load(std::memory_order_acquire) != 1; spin++) {
            if (spin < 20000) { cpu_relax(); continue; }
            std::unique_lock<std::mutex> lock(helper.mu);
            helper.wake.wait(lock, [] { return helper.state.load() == 1; });
        }
        helper.work(helper.ctx, 1);
        helper.state.store(2, std::memory_order_release);
    }
}

void split_work(void (*work)(void* ctx, int part), void* ctx) {
    static const bool two = std::thread::hardware_concurrency() >= 2;
    if (!two) { work(ctx, 0); work(ctx, 1); return; }
    if (!helper.started) { std::thread(helper_loop).detach(); helper.started = true; }
    helper.work = work; helper.ctx = ctx;
    {
        std::lock_guard<std::mutex> lock(helper.mu);
        helper.state.store(1, std::memory_order_release);
    }
    helper.wake.notify_one();
    work(ctx, 0);
    while (helper.state.load(std::memory_order_acquire) != 2) cpu_relax();
    helper.state.store(0);
}
