// Would a second engine thread that replays the NoC bookings pay on this machine? A model of the split docs/speed.md
// describes (session 9, s9-bookahead), not the engine: the kernels' side does 2 KB copies (one every COPY_EVERY steps)
// and writes a 32-byte record a step into a ring; the replay side reads each record and makes CHASE dependent loads
// into a table of TABLE words (the calendars' cache misses). 516 thousand steps, as a 4096^2 add has heartbeats.
// "solo" does both on one thread, "pipe" on two; each round prints both, alternated, with wall and CPU time.
//
//     g++ -O2 -march=native -pthread bench/pipeline_model.cpp -o /tmp/pipeline_model
//     /tmp/pipeline_model ROUNDS COPY_EVERY CHASE TABLE     # e.g. 20 20 2 262144: each side about 25 ms alone
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <sys/resource.h>
#include <thread>
#include <vector>

struct Rec { uint64_t a, b, c, d; };
const size_t STEPS = 516000, RING = 1 << 14, BATCH = 256;  // records are published and freed a batch at a time
std::vector<uint8_t> src(64 << 20), dst(64 << 20);
std::vector<uint64_t> table;
Rec ring[RING];
alignas(64) std::atomic<uint64_t> tail{0};  // records written
alignas(64) std::atomic<uint64_t> head{0};  // records replayed
size_t copy_every = 20, chase = 2;

static void kernel_step(size_t i) {
    if (i % copy_every) return;
    size_t o = i * 2048 * 7 % (src.size() - 2048);
    memcpy(&dst[o], &src[o], 2048);
}
static uint64_t replay_step(const Rec& r, uint64_t x) {
    for (size_t k = 0; k < chase; k++) x = table[(x ^ r.a) & (table.size() - 1)] + k;
    return x;
}
static void wait_while(const std::atomic<uint64_t>& w, bool (*busy)(uint64_t, size_t), size_t i) {
    for (int spins = 0; busy(w.load(std::memory_order_acquire), i);)
        if (++spins > 200) { sched_yield(); spins = 0; }
}
static double cpu() {
    rusage u; getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

int main(int argc, char** argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    if (argc > 2) copy_every = atoi(argv[2]);
    if (argc > 3) chase = atoi(argv[3]);
    table.resize(argc > 4 ? atol(argv[4]) : 262144);  // a power of two
    for (size_t i = 0; i < table.size(); i++) table[i] = i * 2654435761u ^ i >> 3;
    memset(src.data(), 1, src.size()); memset(dst.data(), 2, dst.size());
    uint64_t sink = 0;
    for (int round = 0; round < rounds; round++)
        for (int pipe = 0; pipe < 2; pipe++) {
            double w0 = now(), c0 = cpu();
            if (!pipe) {
                uint64_t x = 0;
                for (size_t i = 0; i < STEPS; i++) { kernel_step(i); x = replay_step(Rec{i, i, i, i}, x); }
                sink += x;
            } else {
                head = tail = 0;
                std::thread replay([&] {
                    uint64_t y = 0;
                    for (size_t i = 0; i < STEPS; i++) {
                        wait_while(tail, [](uint64_t t, size_t i) { return t <= i; }, i);
                        y = replay_step(ring[i % RING], y);
                        if ((i + 1) % BATCH == 0) head.store(i + 1, std::memory_order_release);
                    }
                    sink += y;
                });
                for (size_t i = 0; i < STEPS; i++) {
                    kernel_step(i);
                    wait_while(head, [](uint64_t h, size_t i) { return i - h >= RING; }, i);
                    ring[i % RING] = Rec{i, i, i, i};
                    if ((i + 1) % BATCH == 0 || i + 1 == STEPS) tail.store(i + 1, std::memory_order_release);
                }
                replay.join();
            }
            printf("%s wall %.1f ms cpu %.1f ms\n", pipe ? "pipe" : "solo", (now() - w0) * 1e3, (cpu() - c0) * 1e3);
        }
    return sink == 42;
}
