"""Pictures of a run and `tensix top`: the grid shows what the run did (the bank every core hammered is the busy one),
and top shows the device's state from another process's point of view."""
import gc
import importlib, json, re, sys
import numpy as np
import pytest
import tensix as tt
from tensix import top
from tensix.cli import main
from test_timing import read_all


def cells(text):
    return re.findall(r"\[(.)\]|D(\d)", text)


def test_grid_text_shows_the_hammered_bank(dev):
    run = read_all(dev, lambda i: (8 * i * 32, 8))  # every core reads bank 0 only
    text = run.picture()
    assert "\x1b[" not in text and "\x1b[" in run.picture(colour=True)
    assert isinstance(text, str) and repr(text) == text  # a REPL shows the picture, not an escaped string
    found = cells(text.rsplit("\n", 1)[0])  # the grid, not its legend
    cores = [c for c, d in found if c != "" or d == ""]
    banks = [int(d) for c, d in found if d != ""]
    assert len(cores) == dev.chip.num_cores and len(banks) == len(dev.chip.dram_banks)
    assert banks[0] == 9 and banks[1:] == [0] * (len(banks) - 1)  # bank 0 busy nearly all the run, the others idle


def test_grid_png(dev, tmp_path):
    pytest.importorskip("matplotlib")
    ok, run = importlib.import_module("tensix.examples.matmul_multicast").main(dev, size=256)
    run.save_picture(tmp_path / "grid.png")
    assert (tmp_path / "grid.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_top_shows_the_last_run(dev, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(top, "folder", lambda: tmp_path)
    buf = dev.buffer(np.zeros(1 << 18, np.uint32))
    ok, run = importlib.import_module("tensix.examples.loopback").main(dev)
    top.record(dev, run, force=True)
    assert main(["top"]) == 0
    out = capsys.readouterr().out
    assert f"{dev.runs:,}" in out and "e150" in out and "running" in out
    assert f"{run.cycles:,} cycles" in out and "last to finish" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    main(["top"])
    assert "\x1b[38;5;" in capsys.readouterr().out  # a terminal: the grid in colour
    monkeypatch.setenv("NO_COLOR", "1")  # no-color.org: set and not empty means no colour
    main(["top"])
    assert "\x1b[" not in capsys.readouterr().out
    state = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert state["dram_used"] >= buf.size
    buf.free()


def test_top_with_nothing_recorded(tmp_path, monkeypatch, capsys):
    gc.collect()  # as below: no device closed by the collector may record into tmp_path
    monkeypatch.setattr(top, "folder", lambda: tmp_path)
    assert main(["top"]) == 0
    assert "no simulated device has run" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["{}", "[1, 2]", '{"pid": "x", "when": 1}', '{"pid": 1, "when": "now"}', "null",
                                  '{"pid": 1, "when": 1, "chip": "e150"}'])
def test_top_passes_over_a_damaged_state(dev, tmp_path, monkeypatch, capsys, text):
    """A state from an older tensix, or one a user edited: top shows the good ones, never a traceback."""
    gc.collect()  # an earlier test's device, closed by the collector during this one, would record its state here too
    monkeypatch.setattr(top, "folder", lambda: tmp_path)
    (tmp_path / "1-bad.json").write_text(text)
    ok, run = importlib.import_module("tensix.examples.loopback").main(dev)
    top.record(dev, run, force=True)
    assert main(["top", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count("tensix top: simulated") == 1 and f"{run.cycles:,} cycles" in out


def test_a_run_of_one_thread_says_thread(dev):
    ok, run = importlib.import_module("tensix.examples.add_13_7").main(dev)  # one reader kernel on one core
    assert "(1 thread; launch" in str(run)
