// The chip's shared resources and how long a NoC transfer takes through them.
//
// Modelled: every NoC link (per NoC, per direction, out of every router), every router's injection and ejection port
// (per NoC), every DRAM bank (its share of the chip's DRAM bandwidth) and every core's L1 port. Each is a calendar of
// busy intervals. A transfer is split into packets of at most the NoC's maximum burst; each packet is routed
// dimension-ordered over its NoC's one-way torus (NoC 0: right, then down; NoC 1: up, then left) and books, on each
// resource along its path in turn, its time in the gaps from the moment it reaches that resource (packets interleave
// on a link, as packets on different virtual channels do). Cut-through: it starts on a resource no earlier than on the
// one before, and is in when it is off all of them. Time on a link or port is the packet's bytes over the link rate,
// scaled by tt-npe's efficiency by packet size (small packets pay their header); a bank or L1 port moves bytes at its
// own rate. A multicast takes each link of its tree once. Latency grows with hops (fixed read and write latency plus
// cycles per hop), on top of the time in the calendars.
//
// The approximation: the scheduler runs one core's threads until they block, so packets reach the calendars out of
// time order. A late-booked packet with an early issue time still gets the free time before packets booked first, but
// in the pieces they left, so it ends later than it would have in issue order. TIMING_ORDERED (TENSIX_TIMING=ordered)
// runs threads strictly in clock order so packets are booked in issue order; docs/timing.md gives the measured gap.
//
// Left out: back-pressure (a packet held on a link while a slower resource downstream is busy), arbitration between
// virtual channels, the request packet of a read, write acknowledgements, the limit on outstanding transactions per
// NoC interface, DRAM row and refresh effects.
#include <algorithm>
#include <cmath>
#include "engine.h"
#include "calendar.h"

TimingMode timing_mode = TIMING_CALENDAR;

namespace {

std::vector<Calendar> res;  // links, then injection ports, then ejection ports, then DRAM banks, then L1 ports
uint64_t drained;

uint32_t nodes() { return chip.noc_w * chip.noc_h; }
uint32_t node(uint32_t x, uint32_t y) { return y * chip.noc_w + x; }
enum Dir { ALONG_X, ALONG_Y };
Calendar& link(uint8_t noc, uint32_t x, uint32_t y, Dir d) { return res[(noc * nodes() + node(x, y)) * 2 + d]; }
Calendar& inject(uint8_t noc, uint32_t x, uint32_t y) { return res[4 * nodes() + noc * nodes() + node(x, y)]; }
Calendar& eject(uint8_t noc, uint32_t x, uint32_t y) { return res[6 * nodes() + noc * nodes() + node(x, y)]; }
Calendar& bank(uint32_t b) { return res[8 * nodes() + b]; }
Calendar& l1_port(uint32_t core) { return res[8 * nodes() + chip.banks + core]; }

// Cycles a packet of n bytes holds a link or port: tt-npe's efficiency curve, linear between its points in log2(size).
// Packets come in a few sizes: the last answer is kept (noc_reset forgets it, the curve may have changed).
uint32_t known_size = ~0u;  // none
uint64_t known_cycles;
uint64_t link_cycles(uint32_t n) {
    if (n == known_size) return known_cycles;
    const auto &s = chip.packet_size, &e = chip.packet_efficiency;
    double eff = 1;
    if (!s.empty()) {
        double b = std::max<double>(n, s.front());
        eff = e.back();
        for (size_t i = 1; i < s.size(); i++)
            if (b <= s[i]) {
                double f = (std::log2(b) - std::log2(s[i - 1])) / (std::log2(s[i]) - std::log2(s[i - 1]));
                eff = e[i - 1] + f * (e[i] - e[i - 1]);
                break;
            }
        if (n < s.front()) eff *= (double)n / s.front();  // below the smallest size measured, the header costs the same
    }
    known_size = n;
    return known_cycles = std::max<uint64_t>(1, (uint64_t)std::ceil(n / (chip.noc_bytes_per_cycle * eff)));
}
uint64_t rate_cycles(uint32_t n, double rate) { return std::max<uint64_t>(1, (uint64_t)std::ceil(n / rate)); }

// The links from (x, y) to (x1, y1) on a NoC, in the order a packet crosses them.
template <class F> void route(uint8_t noc, uint32_t x, uint32_t y, uint32_t x1, uint32_t y1, F&& each) {
    uint32_t w = chip.noc_w, h = chip.noc_h;
    if (noc == 0) {
        for (; x != x1; x = x + 1 == w ? 0 : x + 1) each(link(0, x, y, ALONG_X));
        for (; y != y1; y = y + 1 == h ? 0 : y + 1) each(link(0, x, y, ALONG_Y));
    } else {
        for (; y != y1; y = y ? y - 1 : h - 1) each(link(1, x, y, ALONG_Y));
        for (; x != x1; x = x ? x - 1 : w - 1) each(link(1, x, y, ALONG_X));
    }
}

uint32_t hop_count(uint8_t noc, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1) {  // the links route() takes
    uint32_t w = chip.noc_w, h = chip.noc_h;
    return noc == 0 ? (x1 + w - x0) % w + (y1 + h - y0) % h : (x0 + w - x1) % w + (y0 + h - y1) % h;
}

// One packet from the source's memory to the destination's, cut-through: it starts on each resource no earlier than
// it started on the one before, and is in when it has finished on all of them. Returns when its last byte is in.
// Its path is known before it books: the calendars along it and the bucket at its start on each are fetched from
// memory together first (thousands of calendars, scattered, each a cache miss when booked one after another).
uint64_t packet(uint8_t noc, Calendar& from_mem, double from_rate, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1,
                Calendar& to_mem, double to_rate, uint32_t n, uint64_t t) {
    Calendar* path[256];  // memory, injection port, links, ejection port, memory
    uint32_t k = 0;
    path[k++] = &from_mem;
    path[k++] = &inject(noc, x0, y0);
    route(noc, x0, y0, x1, y1, [&](Calendar& l) { path[k++] = &l; });
    path[k++] = &eject(noc, x1, y1);
    path[k++] = &to_mem;
    for (uint32_t i = 0; i < k; i++) __builtin_prefetch(path[i]);
    for (uint32_t i = 1; i < k; i++) path[i]->prefetch(t);  // then the buckets from t on each (where most bookings go)
    uint64_t on_link = link_cycles(n), end = 0;
    t = from_mem.take(t, rate_cycles(n, from_rate), n, end);
    for (uint32_t i = 1; i + 1 < k; i++) t = path[i]->take(t, on_link, n, end);
    to_mem.take(t, rate_cycles(n, to_rate), n, end);
    return end;
}

Calendar& memory(const Endpoint& e) { return e.dram ? bank(e.id) : l1_port(e.id); }
uint32_t index(const Calendar& c) { return (uint32_t)(&c - res.data()); }

uint64_t simple_cycles(const Endpoint& far, uint32_t size) {  // TIMING_SIMPLE: nothing shared, the slower end's rate
    return (uint64_t)(size / (far.dram ? chip.dram_bytes_per_cycle : chip.noc_bytes_per_cycle) + 0.999);
}

int32_t peer(const Endpoint& e) { return e.dram ? -(int32_t)e.id - 1 : (int32_t)e.id; }  // a bank b is -(b + 1)

uint64_t landed(uint32_t kind, uint8_t noc, uint64_t issue, uint64_t t, uint32_t size, int32_t peer) {
    drained = std::max(drained, t);
    trace_event(kind, noc, issue, t, size, peer);
    return t;
}

// The tree of a multicast to the rectangle (x0, y0)-(x1, y1): to its first corner in the NoC's direction of travel,
// down (NoC 0) or up (NoC 1) its first column, then along each row. Returns when its last byte is in.
uint64_t mcast_tree(uint8_t noc, uint32_t core, const uint32_t* dests, uint32_t ndests, uint32_t x0, uint32_t y0,
                    uint32_t x1, uint32_t y1, uint32_t size, uint64_t issue) {
    uint32_t sx = chip.core_x[core], sy = chip.core_y[core];
    uint32_t cx = noc == 0 ? x0 : x1, cy = noc == 0 ? y0 : y1, ex = noc == 0 ? x1 : x0, ey = noc == 0 ? y1 : y0;
    uint32_t w = chip.noc_w, h = chip.noc_h;
    auto step = [&](uint32_t v, uint32_t m) { return noc == 0 ? (v + 1) % m : (v + m - 1) % m; };
    std::vector<std::pair<uint64_t, uint64_t>> at_row(h);  // a packet at the first column of each row: start, end so far
    uint64_t end = issue;
    for (uint32_t off = 0; off < size || off == 0; off += chip.max_burst) {
        uint32_t n = std::min(chip.max_burst, size - off);
        uint64_t on_link = link_cycles(n), trunk = 0;  // trunk: when the packet is off the links up to this point
        uint64_t t = l1_port(core).take(issue, rate_cycles(n, chip.l1_bytes_per_cycle), n, trunk);
        t = inject(noc, sx, sy).take(t, on_link, n, trunk);
        uint32_t x = sx, y = sy;
        for (; x != cx; x = step(x, w)) t = link(noc, x, y, ALONG_X).take(t, on_link, n, trunk);
        for (; y != cy; y = step(y, h)) t = link(noc, x, y, ALONG_Y).take(t, on_link, n, trunk);
        for (;; y = step(y, h)) {
            at_row[y] = {t, trunk};
            if (y == ey) break;
            t = link(noc, x, y, ALONG_Y).take(t, on_link, n, trunk);
        }
        for (y = cy;; y = step(y, h)) {
            auto [t, branch] = at_row[y];
            for (x = cx;; x = step(x, w)) {
                int32_t c = chip.endpoint[node(x, y)];
                if (c >= 0 && std::find(dests, dests + ndests, (uint32_t)c) != dests + ndests) {
                    uint64_t in_end = branch;
                    uint64_t in = eject(noc, x, y).take(t, on_link, n, in_end);
                    l1_port(c).take(in, rate_cycles(n, chip.l1_bytes_per_cycle), n, in_end);
                    end = std::max(end, in_end);
                }
                if (x == ex) break;
                t = link(noc, x, y, ALONG_X).take(t, on_link, n, branch);
            }
            if (y == ey) break;
        }
        if (size == 0) break;
    }
    return end;
}

// ---------------------------------------------------------------- a run that books what its program's last run booked
// A loop runs its programs again and again, and most programs' NoC traffic does not depend on their data: the same
// packets, issued at the same cycles, in the same order. What the calendars answer a booking depends only on the
// bookings made before it, in their order. So the last run of each of the last LOGS programs leaves a log of its
// bookings in order, each with its answer, and the report its resources gave; a run whose bookings so far are those of
// its program's log, one for one, gets their answers without booking anything, and one that repeats all of them its
// report. The first booking that differs puts the calendars back to the bookings before it (empties them and books
// those again, `rewind`; nothing, if they hold that log already), and the run books as usual from there, logging; a
// run that ends with fewer bookings is put back the same way. Every answer is the one the calendars would give
// (tests/test_noc_memo.py checks runs after other runs, of the same program and of others, against fresh devices; the
// rates a booking takes are the chip's, set once before the first run); TENSIX_NOC_MEMO=0 turns it off, to time the
// calendars themselves.
struct Booking {  // a packet (between two memories' calendars) or a multicast, and its answer
    uint64_t t, end;              // issued at; its last byte in at
    uint32_t from, to, n, dests;  // a packet: the calendars of the memories; a multicast: its core, the first of its
                                  // destinations in its log's `dests`, and (`dests`) their count; its bytes
    uint8_t noc, x0, y0, x1, y1, multicast;
    // whether q (its destinations q_dests) asks what this booking did (its destinations at `kept`)
    bool asked_again(const Booking& q, const uint32_t* q_dests, const uint32_t* kept) const {
        return t == q.t && from == q.from && n == q.n && dests == q.dests && noc == q.noc && x0 == q.x0 && y0 == q.y0 &&
               x1 == q.x1 && y1 == q.y1 && multicast == q.multicast &&
               (multicast ? std::equal(q_dests, q_dests + dests, kept + to) : to == q.to);
    }
};
struct Log {  // a program's last run (the program: a hash of its run command)
    uint64_t program = 0, used = 0;  // which; when last run (in runs)
    std::vector<Booking> booked;     // its bookings in order, with their answers
    std::vector<uint32_t> dests;     // the destinations of its multicasts, one after another
    std::string report;              // what its resources did (noc_stats), as it left them
    bool whole = true;               // it holds all of them (else the logs' room ran out: the first ones)
};
// The programs kept, and the bookings all their logs may hold (40 bytes each): past that the logs run longest ago are
// dropped, then this run's log stops (a long run, or a loop of transfers that never ends).
const size_t LOGS = 16, LOGGED_MAX = 4 << 20;
std::vector<Log> logs(LOGS);
size_t logged;  // bookings in all the logs
Log* log_ = &logs[0];   // this run's program's
Log* held = nullptr;    // the log whose bookings the calendars hold, if they hold one's (a run that fails ends the
                        // engine, and its calendars with it)
size_t matched;         // of log_'s bookings, those this run has made again so far (while `matching`)
uint64_t repeated, made, runs;  // this run's bookings answered from its log, and booked; runs so far
bool matching;
const bool memo = !getenv("TENSIX_NOC_MEMO") || atoi(getenv("TENSIX_NOC_MEMO"));

double rate_of(uint32_t mem) { return mem >= index(l1_port(0)) ? chip.l1_bytes_per_cycle : chip.dram_bytes_per_cycle; }

Booking a_packet(uint8_t noc, const Endpoint& from, const Endpoint& to, uint32_t n, uint64_t t) {
    return {t, 0, index(memory(from)), index(memory(to)), n, 0, noc,
            (uint8_t)from.x, (uint8_t)from.y, (uint8_t)to.x, (uint8_t)to.y, 0};
}

uint64_t carry_out(const Booking& b, const uint32_t* dests) {
    if (b.multicast) return mcast_tree(b.noc, b.from, dests, b.dests, b.x0, b.y0, b.x1, b.y1, b.n, b.t);
    return packet(b.noc, res[b.from], rate_of(b.from), b.x0, b.y0, b.x1, b.y1, res[b.to], rate_of(b.to), b.n, b.t);
}

void drop(Log& l) {  // its bookings, and their memory
    logged -= l.booked.size();
    std::vector<Booking>().swap(l.booked);
    std::vector<uint32_t>().swap(l.dests);
}

bool room() {  // for one more booking in log_: made by dropping the logs run longest ago; else it stops here
    while (logged >= LOGGED_MAX) {
        Log* oldest = nullptr;
        for (Log& l : logs)
            if (&l != log_ && !l.booked.empty() && (!oldest || l.used < oldest->used)) oldest = &l;
        if (!oldest) {
            log_->whole = false;
            held = nullptr;  // the calendars go on to hold more than it
            return false;
        }
        drop(*oldest);
    }
    return true;
}

void rewind() {  // the calendars to log_'s first `matched` bookings, which are all it keeps
    matching = false;
    if (held == log_ && matched == log_->booked.size()) return;  // as they are: the run goes on past the last one's end
    calendars_reset();
    held = log_;
    logged -= log_->booked.size() - matched;
    log_->booked.resize(matched);
    log_->whole = true;  // from here on it logs every booking again
    size_t dests = 0;
    for (const Booking& b : log_->booked) if (b.multicast) dests = b.to + b.dests;
    log_->dests.resize(dests);
    for (const Booking& b : log_->booked) carry_out(b, b.multicast ? log_->dests.data() + b.to : nullptr);
}

uint64_t book(Booking q, const uint32_t* dests = nullptr) {
    auto& booked = log_->booked;
    if (matching) {
        if (matched < booked.size() && booked[matched].asked_again(q, dests, log_->dests.data()))
            return repeated++, booked[matched++].end;
        rewind();  // the first that differs
    }
    q.end = carry_out(q, dests);
    made++;
    if (memo && log_->whole && room()) {
        if (q.multicast) {
            q.to = (uint32_t)log_->dests.size();
            log_->dests.insert(log_->dests.end(), dests, dests + q.dests);
        }
        booked.push_back(q);
        logged++;
    }
    return q.end;
}

}  // namespace

// The calendars outgrew their budget: end the run, naming the thread whose transfer it was.
static void calendars_full() {
    fail("the NoC's calendars (the timing model's record of every link, port and bank) passed %zu MB at cycle %lu: "
         "the run is too long to time in that memory, or a loop of NoC transfers never ends; stop the loop, lower "
         "max_cycles, time it with TENSIX_TIMING=simple (no calendars), or raise tensix.sim.CALENDAR_MB",
         calendar_budget >> 20, (unsigned long)(cur ? cur->clock : 0));
}

void noc_set_budget(size_t mb) {
    calendar_budget = mb << 20;
    calendar_over_budget = calendars_full;
}

void noc_reset(uint64_t program) {
    size_t n = 8 * nodes() + chip.banks + chip.cores;
    if (res.size() != n || !memo)  // (a new chip: no log holds its bookings)
        for (Log& l : logs) { drop(l); l.used = 0; }
    if (res.size() != n) res.assign(n, Calendar{});
    auto it = std::find_if(logs.begin(), logs.end(), [&](const Log& l) { return l.used && l.program == program; });
    if (it == logs.end()) {  // none yet: the log run longest ago makes way
        it = std::min_element(logs.begin(), logs.end(), [](const Log& a, const Log& b) { return a.used < b.used; });
        drop(*it);
        it->program = program;
    }
    log_ = &*it;
    log_->used = ++runs;
    matching = !log_->booked.empty();
    matched = repeated = made = 0;
    if (!matching) { calendars_reset(); held = log_; log_->whole = true; }  // it books from its first transfer on
    drained = 0;
    known_size = ~0u;
}

uint64_t noc_read(uint8_t noc, uint32_t core, const Endpoint& from, uint32_t size, uint64_t issue) {
    uint32_t x = chip.core_x[core], y = chip.core_y[core], hops = hop_count(noc, x, y, from.x, from.y);
    if (timing_mode == TIMING_SIMPLE)
        return landed(EV_READ, noc, issue, issue + chip.read_latency + 2 * chip.hop_cycles * hops + simple_cycles(from, size), size, peer(from));
    // the request travels there (latency only), the data comes back in packets
    uint64_t start = issue + chip.hop_cycles * hops, end = start;
    Endpoint me{false, core, x, y};
    for (uint32_t off = 0; off < size || off == 0; off += chip.max_burst) {
        uint32_t n = std::min(chip.max_burst, size - off);
        end = std::max(end, book(a_packet(noc, from, me, n, start)));
        if (size == 0) break;
    }
    return landed(EV_READ, noc, issue, end + chip.read_latency + chip.hop_cycles * hop_count(noc, from.x, from.y, x, y), size, peer(from));
}

uint64_t noc_write(uint8_t noc, uint32_t core, const Endpoint& to, uint32_t size, uint64_t issue) {
    uint32_t x = chip.core_x[core], y = chip.core_y[core], hops = hop_count(noc, x, y, to.x, to.y);
    if (timing_mode == TIMING_SIMPLE)
        return landed(EV_WRITE, noc, issue, issue + chip.write_latency + chip.hop_cycles * hops + simple_cycles(to, size), size, peer(to));
    uint64_t end = issue;
    Endpoint me{false, core, x, y};
    for (uint32_t off = 0; off < size || off == 0; off += chip.max_burst) {
        uint32_t n = std::min(chip.max_burst, size - off);
        end = std::max(end, book(a_packet(noc, me, to, n, issue)));
        if (size == 0) break;
    }
    return landed(EV_WRITE, noc, issue, end + chip.write_latency + chip.hop_cycles * hops, size, peer(to));
}

uint64_t noc_mcast(uint8_t noc, uint32_t core, const std::vector<uint32_t>& dests, uint32_t x0, uint32_t y0, uint32_t x1,
                   uint32_t y1, uint32_t size, uint64_t issue) {
    uint32_t sx = chip.core_x[core], sy = chip.core_y[core], far = 0;
    for (uint32_t d : dests) far = std::max(far, hop_count(noc, sx, sy, chip.core_x[d], chip.core_y[d]));
    if (timing_mode == TIMING_SIMPLE)
        return landed(EV_MCAST, noc, issue, issue + chip.write_latency + chip.hop_cycles * far + (uint64_t)(size / chip.noc_bytes_per_cycle + 0.999), size, (int32_t)dests.size());
    Booking q{issue, 0, core, 0, size, (uint32_t)dests.size(), noc, (uint8_t)x0, (uint8_t)y0, (uint8_t)x1, (uint8_t)y1, 1};
    uint64_t end = book(q, dests.data());
    return landed(EV_MCAST, noc, issue, end + chip.write_latency + chip.hop_cycles * far, size, (int32_t)dests.size());
}

uint64_t noc_drained() { return drained; }

// What each resource did in the run, as JSON: the links, banks and L1 ports the calendars hold.
static std::string resources() {  // in Records, not snprintf: a tiny program run in a loop spent a third of its time here
    std::sort(touched.begin(), touched.end());  // in the order of `res`: links by NoC, y, x, direction
    std::string s = "\"links\": [";
    size_t links = 4 * (size_t)nodes(), l1 = 8 * (size_t)nodes() + chip.banks;
    bool first = true;
    for (Calendar* c : touched) {
        size_t i = c - res.data();
        if (i >= links) break;
        if (!c->bytes) continue;  // only zero-byte packets
        uint32_t d = i % 2, noc = i / 2 / nodes(), at = i / 2 % nodes();
        Record(s).str(first ? "[" : ",[").num(noc).str(",").num(at % chip.noc_w).str(",").num(at / chip.noc_w)
            .str(d ? ",\"y\"," : ",\"x\",").num(c->bytes).str(",").num(c->cycles).str("]");
        first = false;
    }
    {
        Record r(s);
        r.str("], \"banks\": [");
        for (uint32_t i = 0; i < chip.banks; i++) r.str(i ? ",[" : "[").num(bank(i).bytes).str(",").num(bank(i).cycles).str("]");
        r.str("], \"l1\": [");  // the cores whose port moved anything: [core, bytes, busy]
    }
    first = true;
    for (Calendar* c : touched) {
        size_t i = c - res.data();
        if (i < l1 || !c->bytes) continue;
        Record(s).str(first ? "[" : ",[").num(i - l1).str(",").num(c->bytes).str(",").num(c->cycles).str("]");
        first = false;
    }
    s += "]";
    return s;
}

std::string noc_stats() {
    bool all_repeated = matching && matched == log_->booked.size() && log_->whole;
    if (matching && !all_repeated) rewind();  // the run booked less than its log: only its own bookings count
    if (!all_repeated) log_->report = resources();  // else the calendars may hold another program's bookings
    std::string s = "{" + log_->report;
    Record(s).str(", \"repeated\": ").num(repeated).str(", \"booked\": ").num(made).str(", \"drained\": ").num(drained).str("}");
    return s;
}
