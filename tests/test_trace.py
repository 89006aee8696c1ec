"""run.save_trace writes the trace-event JSON Perfetto and chrome://tracing open: the fields the format requires, a
process per core, a track per RISC-V, slices for the waits and NoC transfers the run really had."""
import importlib, json
import pytest
import tensix as tt
from tensix.cli import main


def check_format(doc):
    assert isinstance(doc["traceEvents"], list) and doc["traceEvents"]
    open_async = {}
    for e in doc["traceEvents"]:
        assert isinstance(e["name"], str) and e["ph"] in "XbeMC" and isinstance(e["pid"], int), e
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "thread_name", "process_sort_index") and e["args"], e
            continue
        assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
        if e["ph"] == "X": assert e["dur"] >= 0 and isinstance(e["tid"], int), e
        if e["ph"] == "C": assert all(isinstance(v, (int, float)) for v in e["args"].values()), e
        if e["ph"] in "be":  # async slices pair up by (cat, id), the end no earlier than the begin
            key = (e["cat"], e["id"])
            if e["ph"] == "b": open_async[key] = e["ts"]
            else: assert e["ts"] >= open_async.pop(key), e
    assert not open_async


def test_trace_of_a_copy_has_cores_threads_waits_and_transfers(dev, tmp_path):
    ok, run = importlib.import_module("tensix.examples.dram_copy_all_cores").main(dev, mib=1)
    path = tmp_path / "copy.json"
    run.save_trace(path)
    doc = json.loads(path.read_text())
    check_format(doc)
    ev = doc["traceEvents"]
    procs = {e["pid"] for e in ev if e["name"] == "process_name" and e["args"]["name"].startswith("core")}
    assert len(procs) == dev.chip.num_cores
    threads = {(e["pid"], e["args"]["name"]) for e in ev if e["name"] == "thread_name"}
    assert {name for _, name in threads} >= {"BRISC", "NCRISC", "NoC 0 transfers", "NoC 1 transfers"}
    kernels = [e for e in ev if e.get("cat") == "kernel"]
    assert len(kernels) == 2 * dev.chip.num_cores
    assert max(e["ts"] + e["dur"] for e in kernels) <= run.seconds * 1e6 + 1e-6
    reads = [e for e in ev if e["ph"] == "b" and e["name"].startswith("read from DRAM bank")]
    writes = [e for e in ev if e["ph"] == "b" and e["name"].startswith("write to DRAM bank")]
    assert len(reads) == len(writes) == (1 << 20) // 2048  # one per page
    assert any(e["cat"] == "wait" and e["name"].startswith("cb_wait_front(cb 0)") for e in ev if e["ph"] == "X")
    assert any(e["ph"] == "C" and e["name"] == "bank 0 GB/s" and e["args"]["GB/s"] > 0 for e in ev)


def test_only_the_last_run_can_be_traced(dev, tmp_path):
    _, first = importlib.import_module("tensix.examples.add_13_7").main(dev)
    importlib.import_module("tensix.examples.add_13_7").main(dev)
    with pytest.raises(tt.TensixError, match="last run"):
        first.save_trace(tmp_path / "old.json")


def test_tensix_trace_command(tmp_path, capsys):
    out = tmp_path / "loop.json"
    assert main(["trace", "loopback", "-o", str(out)]) == 0
    check_format(json.loads(out.read_text()))
    assert "trace written" in capsys.readouterr().out


def test_a_trace_keeps_the_runs_first_events_and_says_how_many_more_there_were(dev, tmp_path, monkeypatch):
    copy = importlib.import_module("tensix.examples.dram_copy_all_cores")
    copy.main(dev, mib=1)[1].save_trace(tmp_path / "all.json")
    everything = json.loads((tmp_path / "all.json").read_text())
    assert everything["otherData"]["events_dropped"] == 0
    transfers = lambda doc: sum(e["ph"] == "b" for e in doc["traceEvents"])
    monkeypatch.setattr(tt.sim, "TRACE_EVENTS", 100)
    small = tt.Device("e150", echo=False)
    try:
        run = copy.main(small, mib=1)[1]
        with pytest.warns(UserWarning, match=r"the trace holds the run's first 100 events; \d+ more were not kept"):
            run.save_trace(tmp_path / "kept.json")
    finally:
        small.close()
    kept = json.loads((tmp_path / "kept.json").read_text())
    check_format(kept)
    assert 0 < transfers(kept) <= 100 < transfers(everything)
    waits = lambda doc: sum(e.get("cat") == "wait" for e in doc["traceEvents"])
    assert transfers(kept) + waits(kept) + kept["otherData"]["events_dropped"] == transfers(everything) + waits(everything)
