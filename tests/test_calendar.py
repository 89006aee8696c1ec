"""The NoC's calendars (tensix/native/calendar.h) against what a booking means: a resource's busy cycles as a plain set,
a booking of d cycles from t taking the first d free cycles from t on (a packet interleaves with the packets already
on the resource), starting at the first of them and ending after the last. Bookings come as the engine makes them:
in any time order, a core far behind a resource others booked solid, many short spans in one bucket, and many runs
over the same memory."""
import subprocess
import pytest

CHECK = r"""
#include <cstdio>
#include <random>
#include "calendar.h"

std::vector<uint8_t> busy;  // the reference: one byte a cycle
uint64_t ref_take(uint64_t t, uint64_t d, uint64_t& end) {
    uint64_t start = ~0ull;
    for (; d; t++) {
        uint8_t* free;  // the next free cycle
        while (t + d >= busy.size() || !(free = (uint8_t*)std::memchr(&busy[t], 0, busy.size() - t))) busy.resize(2 * (t + d + busy.size()), 0);
        t = free - busy.data();
        if (start == ~0ull) start = t;
        busy[t] = 1; d--; end = std::max(end, t + 1);
    }
    return start;
}

Calendar cal;
uint64_t bookings = 0;
bool book(uint64_t t, uint64_t d) {
    uint64_t end = 0, ref_end = 0, got = cal.take(t, d, 1, end), want = ref_take(t, d, ref_end);
    bookings++;
    if (got != want || end != ref_end) {
        std::printf("booking %llu (%llu cycles from %llu): start %llu, end %llu; the free cycles give %llu, %llu\n",
                    (unsigned long long)bookings, (unsigned long long)d, (unsigned long long)t, (unsigned long long)got,
                    (unsigned long long)end, (unsigned long long)want, (unsigned long long)ref_end);
        return false;
    }
    return true;
}

int main(int argc, char** argv) {
    std::mt19937_64 rng(std::atoi(argv[1]));
    auto below = [&](uint64_t n) { return rng() % n; };
    for (int run = 0; run < 12; run++) {  // the same calendar over and over, emptied between runs as the engine does
        calendars_reset();
        busy.assign(1 << 16, 0);
        int kind = run % 4;
        if (kind == 0) {  // one core books a resource solid, back to back; then others far behind it
            uint64_t t = below(5000);
            for (int i = 0; i < 3000; i++) { uint64_t d = 1 + below(80); if (!book(t, d)) return 1; t += d; }
            for (int i = 0; i < 3000; i++) if (!book(below(t), 1 + below(80))) return 1;
        } else if (kind == 1) {  // times anywhere, lengths from a cycle to several buckets
            for (int i = 0; i < 4000; i++) if (!book(below(400000), 1 + below(i % 7 ? 60 : 5000))) return 1;
        } else if (kind == 2) {  // single cycles left apart (buckets of many spans), then the gaps filled from behind
            for (int i = 0; i < 6000; i++) if (!book(2 * below(40000), 1)) return 1;
            for (int i = 0; i < 3000; i++) if (!book(below(20000), 1 + below(3))) return 1;
        } else {  // cores each booking a run of packets from their own start, in turn, each behind the one before
            for (int core = 0; core < 40; core++) {
                uint64_t t = below(2000);
                for (int i = 0; i < 100; i++) { uint64_t d = 1 + below(40); if (!book(t, d)) return 1; t += d + below(30); }
            }
        }
    }
    std::printf("ok %llu\n", (unsigned long long)bookings);
}
"""


@pytest.fixture(scope="module")
def check(native_program):
    return native_program("calendar", CHECK)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bookings_take_the_first_free_cycles_from_their_time(check, seed):
    out = subprocess.run([str(check), str(seed)], capture_output=True, text=True, timeout=120).stdout
    assert out.startswith("ok"), out
