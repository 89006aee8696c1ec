// The run's event log, for a Perfetto trace (tensix/trace.py turns it into trace-event JSON). Every wait (a barrier,
// a circular buffer, a semaphore) and every NoC transfer of the last run, with its start and end in chip cycles; the
// host asks for it with "trace" and the log follows the reply line on the pipe as fixed-size records (the engine opens
// no files: its sandbox would not let it). Recording is a push onto a vector, so it is always on; it is cleared at
// each run. It keeps the run's first `trace_kept` events (the host's TRACE_EVENTS) and counts the rest: a run of 10^8
// gathered reads would otherwise grow it by gigabytes. Not recorded: compute calls one by one (the gaps between waits
// on a compute thread are its busy time), scalar code, DPRINT.
#include "engine.h"

static std::vector<TraceEvent> events;
size_t trace_kept = SIZE_MAX, trace_dropped = 0;  // the host sends its TRACE_EVENTS at start

void trace_reset() { events.clear(); trace_dropped = 0; }

void trace_event(uint32_t kind, uint32_t arg, uint64_t start, uint64_t end, uint32_t bytes, int32_t peer) {
    if (end <= start && kind < EV_READ) return;  // a wait that did not wait
    if (events.size() >= trace_kept) { trace_dropped++; return; }
    events.push_back({cur ? cur->core : 0, cur ? cur->proc : 0, kind, arg, start, end, bytes, peer});
}

size_t trace_events() { return events.size(); }

size_t trace_write(FILE* f) { return fwrite(events.data(), sizeof(TraceEvent), events.size(), f); }
