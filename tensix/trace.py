"""A run as a Chrome / Perfetto trace (the trace-event JSON format; open it at https://ui.perfetto.dev).

A process per core; a track per RISC-V thread with a slice for its kernel and, inside it, a slice for every wait (a
NoC barrier, a circular buffer, a semaphore); a track per core and NoC with every transfer it issued (async slices,
since they overlap); and a counter per DRAM bank with the bandwidth it delivered over time. Times are microseconds
on the chip's clock. The engine keeps the last run's events (native/trace.cpp); this turns them into JSON."""
import json, os, tempfile, warnings
import numpy as np
from .errors import TensixError
from .program import PROCS

EVENT = np.dtype([("core", "<u4"), ("proc", "<u4"), ("kind", "<u4"), ("arg", "<u4"), ("start", "<u8"), ("end", "<u8"),
                  ("bytes", "<u4"), ("peer", "<i4")])
WAIT_NOC, WAIT_CB_FRONT, WAIT_CB_BACK, WAIT_SEM, READ, WRITE, MCAST = range(7)
BINS = 200  # counter samples over the run


def events(run):
    """The run's events as records, and how many more it had than the engine keeps (sim.TRACE_EVENTS)."""
    dev = run.device
    if dev is None or dev.runs != run.serial:
        raise TensixError("only a device's last run can be traced; call save_trace before the next run")
    fd, tmp = tempfile.mkstemp(suffix=".events")
    os.close(fd)
    try:
        _, dropped = dev.sim.trace(tmp)
        return np.fromfile(tmp, EVENT), dropped
    finally:
        os.unlink(tmp)


def trace_events(run, ev):
    chip, stats = run.device.chip, run.stats
    us = 1e6 / chip.clock_hz
    peer = lambda p: f"DRAM bank {-p - 1}" if p < 0 else f"core {chip.core_at(p)}"
    out = []
    cores = sorted({core for core, _ in stats.threads})
    for core in cores:
        pid = chip.core_index(core)
        out.append({"name": "process_name", "ph": "M", "pid": pid, "tid": 0, "args": {"name": f"core {core} NoC {chip.noc_xy(core)}"}})
        out.append({"name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0, "args": {"sort_index": pid}})
    for (core, proc), th in stats.threads.items():
        pid, tid = chip.core_index(core), PROCS.index(proc)
        who = stats.describe(pid, tid)
        out.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": proc}})
        out.append({"name": who, "cat": "kernel", "ph": "X", "pid": pid, "tid": tid, "ts": th.launch * us,
                    "dur": (th.cycles - th.launch) * us, "args": {"busy cycles": th.busy, "waiting cycles": th.waiting}})
    names = {WAIT_NOC: lambda e: f"noc_async_{'read' if e['proc'] == 1 else 'write'}_barrier (NoC {e['arg']})",
             WAIT_CB_FRONT: lambda e: f"cb_wait_front(cb {e['arg']})", WAIT_CB_BACK: lambda e: f"cb_reserve_back(cb {e['arg']})",
             WAIT_SEM: lambda e: f"noc_semaphore_wait(L1 {e['arg']:#x})"}
    noc_tracks = set()
    for i, e in enumerate(ev):
        kind = int(e["kind"])
        pid, tid = int(e["core"]), int(e["proc"])
        ts, dur = int(e["start"]) * us, (int(e["end"]) - int(e["start"])) * us
        if kind in names:
            out.append({"name": names[kind](e), "cat": "wait", "ph": "X", "pid": pid, "tid": tid, "ts": ts, "dur": dur})
            continue
        track = 10 + int(e["arg"])  # a track per NoC of the issuing core
        noc_tracks.add((pid, track, int(e["arg"])))
        what = ("read from " + peer(int(e["peer"])) if kind == READ else "write to " + peer(int(e["peer"])) if kind == WRITE
                else f"multicast to {int(e['peer'])} cores")
        common = {"cat": "noc", "pid": pid, "tid": track, "id": i, "name": f"{what}, {int(e['bytes'])} B"}
        out.append({**common, "ph": "b", "ts": ts, "args": {"by": PROCS[tid], "cycles": int(e["end"] - e["start"])}})
        out.append({**common, "ph": "e", "ts": ts + dur})
    for pid, tid, noc in sorted(noc_tracks):
        out.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": f"NoC {noc} transfers"}})
    out += bank_counters(run, ev, us)
    return out


def bank_counters(run, ev, us):
    """Per DRAM bank, GB/s delivered in each of BINS slices of the run (a transfer's bytes spread over its span)."""
    chip, cycles = run.device.chip, max(run.cycles, 1)
    dram = ev[(ev["peer"] < 0) & ((ev["kind"] == READ) | (ev["kind"] == WRITE))]
    if not len(dram): return []
    width = -(-cycles // BINS)
    load = np.zeros((len(chip.dram_banks), BINS + 1))
    for e in dram:
        s, t = int(e["start"]) / width, max(int(e["end"]), int(e["start"]) + 1) / width
        b0, b1 = int(s), min(int(t), BINS)
        span = t - s
        for b in range(b0, b1 + 1):  # the share of the transfer inside bin b
            load[-int(e["peer"]) - 1, b] += e["bytes"] * max(0.0, min(t, b + 1) - max(s, b)) / span
    gbps = load * chip.clock_hz / width / 1e9
    out = [{"name": "process_name", "ph": "M", "pid": 100000, "tid": 0, "args": {"name": "DRAM banks"}}]
    for bank in range(len(chip.dram_banks)):
        for b in range(BINS + 1):
            out.append({"name": f"bank {bank} GB/s", "ph": "C", "pid": 100000, "tid": 0, "ts": b * width * us,
                        "args": {"GB/s": round(float(gbps[bank, b]), 3)}})
    return out


def save_trace(run, path):
    ev, dropped = events(run)
    doc = {"traceEvents": trace_events(run, ev), "displayTimeUnit": "ns",
           "otherData": {"chip": run.device.chip.name, "cycles": run.cycles, "clock_hz": run.device.chip.clock_hz,
                         "events_dropped": dropped}}
    if dropped:
        warnings.warn(f"the trace holds the run's first {len(ev)} events; {dropped} more were not kept "
                      f"(tensix.sim.TRACE_EVENTS)", stacklevel=3)
    with open(path, "w") as f:
        json.dump(doc, f)
