// A shared resource's calendar: which cycles are busy, and booking a transfer's cycles in the gaps from a time on
// (noc.cpp keeps one per link, port, DRAM bank and L1 port). tests/test_calendar.py checks it against a plain set of
// busy cycles.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

namespace {

// A calendar's busy time in buckets of 2^SHIFT cycles, each bucket a short sorted list of the spans in it (a span
// that crosses a bucket's end is kept as one piece in each: the bookings depend only on which cycles are busy). The
// scheduler runs cores one after another, so each core books back in time, into a calendar of thousands of spans
// (packets seldom touch): one sorted list paid a search and a move of its tail for each booking; a bucket is found by
// its time and holds a few spans.
constexpr uint32_t SHIFT = 10, BUCKET = 1u << SHIFT, PAGE = 256;  // cycles per bucket; buckets per page
static_assert(SHIFT <= 15, "a span's ends, counted from its bucket's start, fit 16 bits");
constexpr uint32_t FULL = BUCKET << 16;  // the one span of a bucket busy throughout: 0 to BUCKET
// Words per bucket (8 or 16, more spans in place, were slower: docs/speed.md); the spans it holds in place; the word a
// full bucket keeps its jump in; the size class of the chunk its spans first move to.
constexpr uint32_t WORDS = 4, INPLACE = WORDS - 1, JUMP = WORDS - 1, FIRST = WORDS <= 8 ? 3 : 4;

// The memory the calendars hold (pages and arena; kept from run to run), and what is called when it passes
// calendar_budget (noc.cpp ends the run with an error): calendars grow with a run's simulated length, and a runaway
// loop of NoC transfers up to max_cycles took gigabytes.
inline size_t calendar_bytes = 0, calendar_budget = SIZE_MAX;
inline void (*calendar_over_budget)() = nullptr;
inline void calendar_grew(size_t bytes) {
    if ((calendar_bytes += bytes) > calendar_budget && calendar_over_budget) calendar_over_budget();
}

// A bucket is WORDS words: its span count | c << 16, then, while c is 0, up to INPLACE spans in place (one word each:
// start | end << 16, from the bucket's start), else where in `arena` its chunk of 2^c spans is. Most bookings (78% of
// the grid add's) find three or fewer, and read one line for them. A bucket busy throughout (one span, FULL) has its
// last word free: it says how many buckets on the next one with a free cycle may be (0: the next), so that a core
// booking far behind the others jumps a solidly booked stretch instead of walking it bucket by bucket (a walk per
// booking made such runs quadratic in their bookings, as a convolution's gathered reads on tinygrad are). Buckets only
// fill up until calendars_reset, so a jump once right stays right, and each walk points the buckets it passed straight
// at its end (union-find's path compression). The last word is kept 0 while it holds no span.
std::vector<uint32_t> arena(1 << 12);  // its size only grows: a loop of runs allocates nothing
uint32_t arena_top = 1;                 // the words in use
uint32_t freed[12];  // chunks outgrown, by size class: a list through their first words; calendars_reset forgets them
inline uint32_t alloc(uint32_t c) {
    if (uint32_t o = freed[c]) { freed[c] = arena[o]; return o; }
    uint32_t o = arena_top;
    if ((arena_top += 1u << c) > arena.size()) {  // a chunk is smaller than the arena
        calendar_grew(arena.size() * 4);
        arena.resize(2 * arena.size());
    }
    return o;
}
std::vector<uint32_t*> filled;  // the buckets given spans since calendars_reset: it empties them, the pages stay (a loop
                                // of runs allocates nothing, and zeroes only what it used)
inline uint32_t* spans(uint32_t* b) { return b[0] >> 16 ? &arena[b[1]] : b + 1; }
inline bool full(const uint32_t* b) { return (b[0] & 0xffff) == 1 && (b[0] >> 16 ? arena[b[1]] : b[1]) == FULL; }

struct Calendar;
std::vector<Calendar*> touched;  // the calendars booked since calendars_reset: a run of a few cores clears and reports only those
struct alignas(64) Calendar {  // one line holds what a booking reads before its bucket: the counts and the first pages
    static constexpr size_t NEAR = 6;  // pages whose address sits in the calendar itself (1.5M cycles: most runs)
    uint64_t bytes = 0, cycles = 0;
    uint32_t* near[NEAR] = {};     // near[k / PAGE] + WORDS * (k % PAGE): bucket k, for the first pages (no second miss)
    std::vector<uint32_t*> far;    // the pages after them

    uint32_t* page(size_t p) const { return p < NEAR ? near[p] : p - NEAR < far.size() ? far[p - NEAR] : nullptr; }
    uint32_t* bucket(uint64_t k) {
        uint32_t* pg = page(k / PAGE);
        if (__builtin_expect(pg != nullptr, 1)) return pg + WORDS * (k % PAGE);
        return new_page(k / PAGE) + WORDS * (k % PAGE);
    }
    __attribute__((noinline)) uint32_t* new_page(size_t p) {
        calendar_grew(WORDS * PAGE * 4);
        uint32_t* pg = new (std::align_val_t(64)) uint32_t[WORDS * PAGE]();
        if (p < NEAR) return near[p] = pg;
        if (p - NEAR >= far.size()) far.resize(p - NEAR + 1, nullptr);
        return far[p - NEAR] = pg;
    }
    // Book the cycles [r, r + use) of bucket b, before its span i (the first that ends after r), merged with the
    // spans it touches.
    __attribute__((always_inline)) static void book(uint32_t* b, uint32_t i, uint32_t r, uint32_t use) {
        uint32_t* s = spans(b), m = b[0] & 0xffff, e = r + use;
        bool joins_prev = i && s[i - 1] >> 16 == r, joins_next = i < m && (s[i] & 0xffff) == e;
        if (joins_prev && joins_next) {  // it fills the gap between two spans
            s[i - 1] = (s[i - 1] & 0xffff) | (s[i] & 0xffff0000);
            for (; i + 1 < m; i++) s[i] = s[i + 1];
            s[m - 1] = 0;  // in place, the last span was the last word: it may hold a jump now
            b[0]--;
        } else if (joins_prev) s[i - 1] = (s[i - 1] & 0xffff) | e << 16;
        else if (joins_next) s[i] = (s[i] & 0xffff0000) | r;
        else {
            uint32_t c = b[0] >> 16;
            if (!m) filled.push_back(b);
            if (m == (c ? 1u << c : INPLACE)) {  // full: into a chunk twice its size
                uint32_t o = alloc(c ? c + 1 : FIRST);
                std::memcpy(&arena[o], spans(b), m * 4);
                if (c) { arena[b[1]] = freed[c]; freed[c] = b[1]; }
                else std::memset(b + 2, 0, 4 * (WORDS - 2));
                b[0] = m | (c ? c + 1 : FIRST) << 16;
                b[1] = o;
                s = &arena[o];
            }
            for (uint32_t v = r | e << 16; i <= m; i++) std::swap(v, s[i]);  // a rotation, not a memmove call
            b[0]++;
        }
    }

    // Book `d` cycles from `t` on, in the gaps left by what was booked before: a packet interleaves with the packets
    // already on the resource (as packets on different virtual channels share a link). Returns when its first cycle
    // starts; `end` becomes at least when its last cycle ends.
    __attribute__((always_inline)) uint64_t take(uint64_t t, uint64_t d, uint32_t n, uint64_t& end) {
        if (__builtin_expect(!cycles, 0)) touched.push_back(this);  // its first booking since calendars_reset (each books a cycle or more)
        bytes += n; cycles += d;
        uint64_t k = t >> SHIFT;
        uint32_t r = t & (BUCKET - 1), *b = bucket(k), *s = spans(b), m = b[0] & 0xffff, i = 0;
        while (i < m && s[i] >> 16 <= r) i++;  // the spans that end by r
        if (i < m && (s[i] & 0xffff) <= r) r = s[i++] >> 16;  // r is busy: the first free cycle after (spans never touch)
        uint32_t gap_end = i < m ? s[i] & 0xffff : BUCKET;
        if (__builtin_expect(r == BUCKET || gap_end - r < d, 0)) return take_pieces(t, d, end);
        book(b, i, r, d);
        t = (k << SHIFT) + r;
        end = std::max(end, t + d);
        return t;
    }
    // take() when the first gap is too short: the cycles go in the gaps from t on, over as many buckets as it takes.
    __attribute__((noinline)) uint64_t take_pieces(uint64_t t, uint64_t d, uint64_t& end) {
        uint64_t start = ~0ull;
        for (;;) {
            uint64_t k = t >> SHIFT;
            uint32_t r = t & (BUCKET - 1), *b = bucket(k), *s = spans(b), m = b[0] & 0xffff, i = 0;
            while (i < m && s[i] >> 16 <= r) i++;
            if (i < m && (s[i] & 0xffff) <= r) r = s[i++] >> 16;
            if (r == BUCKET) { t = open_from(k + 1) << SHIFT; continue; }
            if (start == ~0ull) start = (k << SHIFT) + r;
            uint32_t use = std::min<uint64_t>(d, (i < m ? s[i] & 0xffff : BUCKET) - r);
            book(b, i, r, use);
            d -= use;
            t = (k << SHIFT) + r + use;
            if (!d) { end = std::max(end, t); return start; }
        }
    }
    // The first bucket from k on with a free cycle: follows the full buckets' jumps, then points each it passed at it.
    __attribute__((noinline)) uint64_t open_from(uint64_t k) {
        uint64_t j = k;
        for (uint32_t* b; full(b = bucket(j));) j += b[JUMP] ? b[JUMP] : 1;
        for (uint64_t i = k; i < j;) {
            uint32_t* b = bucket(i);
            uint64_t next = i + (b[JUMP] ? b[JUMP] : 1);
            b[JUMP] = (uint32_t)std::min<uint64_t>(j - i, UINT32_MAX);  // a jump too far for a word stops short: still right
            i = next;
        }
        return j;
    }
    void prefetch(uint64_t t) const {  // the bucket a booking from t looks at first
        size_t k = t >> SHIFT;
        if (uint32_t* pg = page(k / PAGE)) __builtin_prefetch(pg + WORDS * (k % PAGE));
    }
    void clear() { bytes = cycles = 0; }  // its pages stay, calendars_reset empties their buckets
};

// Every calendar empty again, keeping the memory: a loop of runs allocates nothing.
void calendars_reset() {
    for (Calendar* c : touched) c->clear();
    touched.clear();
    arena_top = 1;
    for (uint32_t* b : filled) std::memset(b, 0, 4 * WORDS);  // count and last word (a jump) alike
    filled.clear();
    std::fill(std::begin(freed), std::end(freed), 0);
}

}  // namespace
