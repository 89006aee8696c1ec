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


def test_every_engine_source_and_kernel_header_ships_in_the_package():
    """pyproject's packages and package-data cover every file the engine or a kernel compiles from (a wheel once left
    out noc/, internal/ and experimental/: every data-movement kernel failed to compile after `pip install`). Patterns
    expand as setuptools expands them: a recursive glob from the package's folder, following links."""
    import glob, os, tomllib
    from pathlib import Path
    root = Path(__file__).parent.parent
    conf = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    data = conf["package-data"]
    shipped = {os.path.realpath(f) for pkg in conf["packages"] for pat in data.get("*", []) + data.get(pkg, [])
               for f in glob.glob(str(root / pkg.replace(".", "/") / pat), recursive=True)}
    missing = [str(Path(d, f).relative_to(root)) for d, _, files in os.walk(root / "tensix" / "native", followlinks=True)
               for f in files if f.endswith((".h", ".hpp", ".cpp")) and os.path.realpath(Path(d, f)) not in shipped]
    assert not missing, missing


def test_global_options_go_before_or_after_the_command(monkeypatch):
    from tensix import cli
    seen = []
    monkeypatch.setattr(cli, "demo", lambda args: seen.append(args.device))
    for argv in (["demo", "--device", "n150"], ["--device", "n150", "demo"], ["--device", "p150", "demo", "--device", "n150"]):
        assert cli.main(argv) == 0
    monkeypatch.setenv("TENSIX_DEVICE", "e75")
    assert cli.main(["demo"]) == 0  # the environment's default survives a subcommand given no --device
    assert seen == ["n150", "n150", "n150", "e75"]
    r = tensix("info", "--device", "n150")
    assert r.returncode == 0 and r.stdout.startswith("n150 (wormhole)"), r.stdout + r.stderr


def test_version_is_the_installed_distributions():
    import importlib.metadata, tensix as tt
    r = tensix("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"tensix {importlib.metadata.version('tensix')}" == f"tensix {tt.__version__}"


def test_a_reader_that_goes_away_is_no_traceback():
    """`tensix info | head`: the pipe's reader has gone before tensix writes; that ends it quietly (as cat does)."""
    p = subprocess.Popen([sys.executable, "-m", "tensix.cli", "info"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=600) != 0 and err == "", err
