import subprocess, sys


def tensix(*args):
    return subprocess.run([sys.executable, "-m", "tensix.cli", *args], capture_output=True, text=True, timeout=600)


def test_demo_runs_every_example_and_passes():
    r = tensix("demo")
    assert r.returncode == 0, r.stdout + r.stderr
    for name in ("add_13_7", "loopback", "dram_copy_all_cores", "ring"):
        assert any(line.startswith(name) and "PASS" in line for line in r.stdout.splitlines()), r.stdout
    from tensix.cli import EXAMPLES
    assert f"{len(EXAMPLES)} passed, 0 failed" in r.stdout


def test_info_shows_the_grid():
    r = tensix("--device", "e150", "info")
    assert r.returncode == 0 and "108 compute cores (12 x 9)" in r.stdout and "8 banks" in r.stdout


def test_help():
    r = tensix("--help")
    assert r.returncode == 0 and "demo" in r.stdout and "info" in r.stdout
