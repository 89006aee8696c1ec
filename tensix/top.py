"""`tensix top`: a tt-smi-style view of the simulated devices, from the state each Device leaves after its runs.

A Device records a small JSON state (chip, process, programs run, L1 and DRAM in use, the last run's summary and grid
picture) in the cache's top/ folder: after its first run, then at most once a second, and when it closes. `tensix top`
shows the freshest one (or every live one with --all), and with --watch redraws it every second: live for a program
running in another process, to within that second."""
import os, time
from pathlib import Path
from . import build

EVERY = 1.0  # seconds between state writes of one device


def folder(): return build.cache_dir() / "top"


def record(dev, run, force=False):
    """Called after each run (cheap unless a second has passed since the last write)."""
    now = time.monotonic()
    if not force and now - getattr(dev, "_top_written", -EVERY) < EVERY: return
    dev._top_written = now
    import json
    c = dev.chip
    s = run.stats if run is not None else None
    state = {"pid": os.getpid(), "chip": c.name, "arch": c.arch, "cores": c.num_cores, "when": time.time(), "runs": dev.runs,
             "l1_used": sum(dev.l1.used.values()), "l1_free": c.l1_size - c.l1_unreserved_base - sum(dev.l1.used.values()),
             "dram_used": sum(dev.dram.used.values()) * len(c.dram_banks), "dram_size": c.dram_bank_size * len(c.dram_banks)}
    if s is not None:
        key, who = s.critical()
        state["last"] = {"cycles": s.cycles, "us": s.seconds * 1e6, "dram_gbps": s.dram_gbps, "tflops": s.tflops,
                         "threads": len(s.threads), "summary": str(s), "picture": run.picture(colour=True),
                         "active_cores": len({k[0] for k in s.threads})}
    path = folder() / f"{os.getpid()}-{id(dev):x}.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache: top just has nothing to show


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def states():
    """Every recorded device state, the freshest first (with whether its process still runs)."""
    import json
    out = []
    for p in folder().glob("*.json"):
        try: st = json.loads(p.read_text())
        except (OSError, ValueError): continue
        # a state from another tensix version, or edited by hand, is passed over rather than a traceback
        if not (isinstance(st, dict) and type(st.get("pid")) is int and st["pid"] > 0
                and isinstance(st.get("when"), (int, float))): continue
        st["alive"] = _alive(st["pid"])
        try: render(st)
        except (KeyError, TypeError, ValueError, AttributeError): continue
        if not st["alive"] and time.time() - st["when"] > 86400:
            p.unlink(missing_ok=True)  # a day-old state of a process that has ended
            continue
        out.append(st)
    return sorted(out, key=lambda s: -s["when"])


def render(st):
    mib = lambda n: f"{n / (1 << 20):,.1f} MiB"
    age = time.time() - st["when"]
    lines = [f"tensix top: simulated {st['chip']} ({st['arch']}), {st['cores']} compute cores, in process {st['pid']} "
             f"({'running' if st['alive'] else 'ended'}); state from {age:.0f} s ago",
             f"  programs run {st['runs']:,}   L1 buffers {mib(st['l1_used'])} per core (free {mib(st['l1_free'])})   "
             f"DRAM in use {mib(st['dram_used'])} of {st['dram_size'] >> 30} GiB"]
    last = st.get("last")
    if last:
        lines += [f"  last run: {last['cycles']:,} cycles = {last['us']:.1f} us on {last['active_cores']} core{'s' * (last['active_cores'] != 1)}; "
                  f"DRAM {last['dram_gbps']:.1f} GB/s; {last['tflops']:.2f} TFLOPS", "", last["picture"], "", last["summary"]]
    else:
        lines.append("  no program run yet")
    return "\n".join(lines)


def main(watch=False, all_devices=False):
    import re, sys
    # Colour and clearing the screen only on a terminal, and no colour where NO_COLOR is set (no-color.org).
    tty = sys.stdout.isatty()
    colour = tty and not os.environ.get("NO_COLOR")
    while True:
        found = states()
        text = "\n\n".join(render(s) for s in (found if all_devices else found[:1])) or \
            f"tensix top: no simulated device has run a program yet (states live in {folder()})"
        if not colour: text = re.sub(r"\x1b\[[0-9;]*m", "", text)
        if watch and tty: print("\x1b[H\x1b[2J", end="")
        print(text, flush=True)
        if not watch: return 0
        try: time.sleep(1)
        except KeyboardInterrupt: return 0
