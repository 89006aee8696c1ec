// The judge: whether the engine's shared work (split_work's jobs) goes faster shared with the helper threads or done
// by the engine's thread alone, decided on the running program's own time. tests/test_judge.py runs it on made-up
// machines.
//
// Timing the jobs is not enough. Sharing can slow the engine's thread between jobs too: in some hours of the 2-CPU
// virtual machine (its two processors perhaps two threads of one core on the host), matmul_multicast 1024^3 spent
// 10 ms a call outside shared jobs alone and 15 to 16 ms while sharing, so a call was slower shared (31 ms) than alone
// (28) though its jobs were faster (15 ms against 18). So the judge times whole periods of runs done one way, and
// every PROBE_EVERY-th period the other way. A period's rate is its wall time over its work; the way with the lower
// rate is kept. A period is whole runs (at least PERIOD_NS of them: a program run in a loop gives periods alike), or
// LONG_PERIOD_NS of a long run (whose last part, ending unlike the rest, is dropped).
//
// Work is counted in units (matmuls, operands unpacked, KiB copied), each kind of job's priced in ns by its first
// PRICED jobs: prices only put the kinds on one scale, the same whichever way a period goes, so they need not follow
// the machine. A way's rate is the median of its latest three periods since it was last taken up (one period slowed
// by something else does not decide, and a probe is not outvoted by an old stretch).
//
// The machine changes within seconds (the same 1024^3 call took 24 ms shared in one minute and 31 in the next; alone,
// 28 throughout), and the two mistakes cost differently: alone where sharing is faster loses up to a third, sharing
// where alone is faster a tenth. So alone must win by ALONE_MARGIN, and probes of sharing stay every PROBE_EVERY-th
// period; while sharing wins by CLEAR_MARGIN, probes of working alone come half as often each time, down to one
// period in MAX_PROBE_EVERY. A slowing of the shared way shows in its own periods at once and needs no probe.
#pragma once
#include <algorithm>
#include <cstdint>

namespace {

constexpr int64_t PERIOD_NS = 5000000, LONG_PERIOD_NS = 50000000;
constexpr uint32_t PROBE_EVERY = 8, MAX_PROBE_EVERY = 64, PRICED = 16;
constexpr uint32_t CLEAR_MARGIN = 115, ALONE_MARGIN = 105;  // in percent

struct Judge {
    using Work = void (*)(void*, int);
    struct Kind {
        Work work = nullptr;
        int64_t ns = 0;  // of its first jobs
        uint64_t units = 0;
        uint32_t jobs = 0;
    } kinds[4];  // the engine has three: the queued matmuls, a large multicast's copies, and deferred batches
    bool share = true;  // the way the next job goes
    uint32_t periods = 0, every = PROBE_EVERY;
    int64_t last_end = 0;  // when this run's latest job ended (0: no job yet, or time that is no period's)
    int64_t wall = 0;      // the period's time in runs, from each run's first job's start to its last one's end
    double work = 0;       // and the work done in it
    bool long_run = false;  // this run has ended a period of LONG_PERIOD_NS
    double latest[2][3] = {};  // the rates of each way's latest three periods (alone [0], shared [1]), newest first

    // A job of `units` of work that started at `start` (ns) and took `ns`, done the way `share` said.
    void book(Work kind, int64_t start, int64_t ns, uint32_t units) {
        credit(kind, ns, units);
        span(start, ns);
    }
    // Time the engine's thread spent on shared work, from `start`, for `ns`: a job, or a wait for deferred work.
    void span(int64_t start, int64_t ns) {
        if (last_end) wall += start - last_end;
        wall += ns;
        last_end = start + ns;
        if (wall >= LONG_PERIOD_NS) end_period(), long_run = true;
    }
    // Work of a kind that took `ns` where it ran: it counts in the period (a job's time is its span; deferred work's is
    // only the engine thread's wait for it, as the engine's thread went on meanwhile).
    void credit(Work kind, int64_t ns, uint32_t units) {
        Kind& k = kind_of(kind);
        if (k.jobs < PRICED) k.jobs++, k.ns += ns, k.units += std::max(units, 1u);
        work += units * (double)k.ns / k.units;
    }
    void pause() { last_end = 0; }  // the time until the next job is no period's (the engine's thread alone after a sign)
    void run_ended() {
        last_end = 0;
        if (long_run) wall = 0, work = 0;
        else if (wall >= PERIOD_NS) end_period();
        long_run = false;
    }

  private:
    // A way's rate: the median of its latest periods (of two, the higher); 0: none measured yet.
    static double rate(const double* r) {
        return !r[1] ? r[0] : !r[2] ? std::max(r[0], r[1]) : std::max(std::min(r[0], r[1]), std::min(std::max(r[0], r[1]), r[2]));
    }
    Kind& kind_of(Work w) {
        for (Kind& k : kinds)
            if (k.work == w || !k.work) return k.work = w, k;
        return kinds[0];
    }
    void end_period() {
        if (!work) return (void)(wall = 0);
        double* r = latest[share];
        r[2] = r[1], r[1] = r[0], r[0] = wall / work;
        wall = 0, work = 0;
        double alone = rate(latest[0]), shared = rate(latest[1]);
        bool alone_wins = alone && alone * ALONE_MARGIN < shared * 100, clear = alone && shared * CLEAR_MARGIN < alone * 100;
        if (periods % every == 0) every = clear ? std::min(2 * every, MAX_PROBE_EVERY) : PROBE_EVERY;
        bool was = share;
        share = !alone_wins != (++periods % every == 0);  // a probe goes the other way
        if (share != was) std::fill_n(latest[share], 3, 0.0);
    }
};

}  // namespace
