"""Nothing silently wrong: Ctrl-C, runaway kernels, a killed parent, threads and fork. What needs a process of its own
(a signal to itself, a kill -9, a fork) runs in a subprocess."""
import os, shutil, signal, subprocess, sys, textwrap, threading, time, uuid
import numpy as np
import pytest
import tensix as tt
from tensix.examples import add_13_7

HEAD = '#include "dataflow_api.h"\n#include "debug/dprint.h"\n'
SPIN_API = HEAD + "void kernel_main() { for (;;) noc_async_write_barrier(); }"  # every call looks like progress
SPIN_PLAIN = HEAD + "void kernel_main() { for (volatile int i = 0;; i++) {} }"


def python(code, timeout=60, **kw):
    """Run `code` in a fresh Python; its stdout. The engine is built first: a compile must not eat the time allowed."""
    tt.build.engine()
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, **kw)


def add(dev, x, y, core=(0, 0)):
    """x + y over 1024 uint32 by add_13_7's kernel, on a Device that may be shared: the sums."""
    a, b, c = dev.buffer(np.full(1024, x, np.uint32)), dev.buffer(np.full(1024, y, np.uint32)), dev.buffer(4096)
    dev.run(tt.Program(dev, core, writer=add_13_7.KERNEL, writer_args=[dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr]))
    out = c.read(np.uint32)
    for buf in (a, b, c): buf.free()
    return out


# ---- Ctrl-C
@pytest.mark.parametrize("spin", [SPIN_API, SPIN_PLAIN], ids=["api-loop", "plain-loop"])
def test_ctrl_c_stops_the_run_and_the_device_then_gives_right_answers(spin):
    r = python(f"""
        import os, signal, threading, time, numpy as np, tensix as tt
        from tensix.examples import add_13_7
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a shell's background job starts with SIGINT ignored
        dev = tt.Device(echo=False, hang_seconds=60)
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        t = time.monotonic()
        try:
            dev.run(tt.Program(dev, (0, 0), writer={spin!r}))
            print("returned")
        except KeyboardInterrupt:
            print("interrupted after", round(time.monotonic() - t), "s")
        ok, run = add_13_7.main(dev)
        print("add_13_7", ok, run.cycles > 0, [name for (_, name) in run.cycles_by_thread])
    """, timeout=30)
    assert r.stdout.split("\n")[:2] == ["interrupted after 1 s", "add_13_7 True True ['BRISC']"], r.stdout + r.stderr


# ---- runaway kernels
@pytest.mark.parametrize("body", [
    "for (;;) noc_async_write_barrier();",
    "uint32_t l1 = get_arg_val<uint32_t>(0); for (;;) { noc_async_read(get_noc_addr(1, 1, l1 + 64), l1, 64); noc_async_read_barrier(); }",
    "for (uint32_t i = 0;; i++) { cb_reserve_back(0, 1); cb_push_back(0, 1); cb_wait_front(0, 1); cb_pop_front(0, 1); }",
])
def test_a_kernel_that_calls_the_api_for_ever_ends_with_a_hang_error_naming_it(dev, body):
    prog = tt.Program(dev, (1, 2), writer=tt.Kernel(HEAD + "void kernel_main() { " + body + " }", "runaway"),
                      writer_args=[dev.chip.l1_unreserved_base + 4096], cbs=[tt.CB(0, pages=1)])
    with pytest.raises(tt.HangError, match=r"writer kernel 'runaway' on core \(1, 2\) \(BRISC\) ran past 1000000 cycles"):
        dev.run(prog, max_cycles=10 ** 6)
    assert add(dev, 13, 7).tolist() == [20] * 1024


def test_the_cycle_budget_is_the_devices_and_a_run_may_raise_it():
    from tensix.sim import MAX_CYCLES
    loop = HEAD + "void kernel_main() { for (int i = 0; i < 20000; i++) noc_async_write_barrier(); }"  # 10 cycles a call
    with tt.Device(echo=False, max_cycles=100_000) as d:
        with pytest.raises(tt.HangError, match="ran past 100000 cycles"):
            d.run(tt.Program(d, (0, 0), writer=loop))
        assert 200_000 <= d.run(tt.Program(d, (0, 0), writer=loop), max_cycles=10 ** 6).cycles < 10 ** 6
    assert 10 ** 9 <= MAX_CYCLES <= 10 ** 12  # far past a real program (millions), reached by a runaway in seconds


def test_a_runaway_loop_of_noc_reads_stops_at_the_calendars_budget(monkeypatch):
    """The NoC's calendars grow with the simulated time: a loop of reads up to max_cycles (10^10) would take gigabytes.
    Past tensix.sim.CALENDAR_MB the run ends with an error naming the kernel, the core and what to change."""
    import tensix.sim
    monkeypatch.setattr(tensix.sim, "CALENDAR_MB", 16)
    body = ("uint32_t l1 = get_arg_val<uint32_t>(0);"
            "for (;;) { noc_async_read(get_noc_addr(3, 3, l1), l1 + 64, 32); noc_async_read_barrier(); }")
    with tt.Device(echo=False) as d:
        prog = tt.Program(d, (1, 2), writer=tt.Kernel(HEAD + "void kernel_main() { " + body + " }", "runaway_reads"),
                          writer_args=[d.chip.l1_unreserved_base])
        with pytest.raises(tt.KernelError, match=r"writer kernel 'runaway_reads' on core \(1, 2\) \(BRISC\).*calendars"
                                                 r".*passed 16 MB at cycle \d+.*TENSIX_TIMING=simple.*tensix\.sim\.CALENDAR_MB"):
            d.run(prog, max_cycles=10 ** 9)  # without the budget: a hang error after 0.5 GB
        assert add(d, 13, 7).tolist() == [20] * 1024  # a fresh engine, the same budget
        with pytest.raises(tt.HangError, match="ran past 1000000 cycles"):  # a million cycles of it stay within
            d.run(prog, max_cycles=10 ** 6)


def test_a_dprint_flood_ends_with_a_hang_error_and_prints_held_are_bounded():
    with tt.Device(echo=False, hang_seconds=1) as d:
        with pytest.raises(tt.HangError, match="writer kernel 'chatty'"):
            d.run(tt.Program(d, (0, 0), writer=tt.Kernel(HEAD + 'void kernel_main() { for (;;) DPRINT << "x" << ENDL(); }', "chatty")))
        n = tt.device.PRINTS_KEPT + 2500
        run = d.run(tt.Program(d, (0, 0), writer=HEAD + f"void kernel_main() {{ for (int i = 0; i < {n}; i++) DPRINT << i << ENDL(); }}"))
        assert len(run.prints) == tt.device.PRINTS_KEPT and run.prints_dropped == 2500
        assert run.prints[0] == "0:(x=0,y=0):BR: 2500" and run.prints[-1] == f"0:(x=0,y=0):BR: {n - 1}"
        long_line = d.run(tt.Program(d, (0, 0), writer=HEAD + 'void kernel_main() { for (int i = 0; i < 200000; i++) DPRINT << "y"; }'))
        assert [len(p) for p in long_line.prints] == [16 + 65536] * 3 + [16 + 200000 - 3 * 65536]


def test_a_reply_count_that_is_off_never_blinds_the_watchdog():
    """The host spins on the engine's count of replies before it sleeps in select (TENSIX_SPIN_US); a count that is
    off (a reply read before the engine counted it) may end the spin early, never leave the host in a read that no
    reply will end while the watchdog waits."""
    out = python(f"""
        import tensix as tt, tensix.sim as sim
        send = sim.Simulator._send
        def off_by_one(self, lines): send(self, lines); self.replies_seen -= 1
        sim.Simulator._send = off_by_one
        dev = tt.Device(echo=False, hang_seconds=1)
        try: dev.run(tt.Program(dev, (0, 0), writer={SPIN_PLAIN!r}))
        except tt.HangError as e: print(e)
    """, timeout=60, env={**os.environ, "TENSIX_SPIN_US": "200"})
    assert "ran 1 s without calling the kernel API" in out.stdout, out.stderr


# ---- a killed parent
def test_the_engine_dies_with_its_parent():
    tt.build.engine()
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import threading, time, tensix as tt
        dev = tt.Device(echo=False, hang_seconds=600)
        def tell():
            while dev.sim.engine is None: time.sleep(0.05)
            time.sleep(0.5)
            print(dev.sim.engine.pid, flush=True)
        threading.Thread(target=tell, daemon=True).start()
        dev.run(tt.Program(dev, (0, 0), writer={SPIN_API!r}), max_cycles=10 ** 18)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        engine = int(child.stdout.readline())
        assert alive(engine)
        child.kill()
        child.wait()
        t = time.monotonic()
        while alive(engine) and time.monotonic() - t < 1: time.sleep(0.02)
        assert not alive(engine), "the engine outlived its parent by a second"
    finally:
        child.kill()


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f: return f.read().rsplit(")", 1)[1].split()[0] not in "ZX"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_the_engine_outlives_the_thread_that_started_it():
    # Linux's parent-death signal comes when the thread that started the engine ends; the engine must not die of that.
    with tt.Device(echo=False) as d:
        t = threading.Thread(target=lambda: add(d, 1, 2))
        t.start(); t.join()
        engine = d.sim.engine.pid
        time.sleep(0.2)
        assert add(d, 13, 7).tolist() == [20] * 1024 and d.sim.engine.pid == engine


def test_an_engine_killed_between_runs_is_replaced_at_the_next():
    # the host learns of it when the run's command finds no reader on the pipe: it starts another engine and runs there
    with tt.Device(echo=False) as d:
        assert add(d, 1, 2).tolist() == [3] * 1024
        for _ in range(2):
            engine = d.sim.engine
            engine.kill(); engine.wait()
            assert add(d, 13, 7).tolist() == [20] * 1024 and d.sim.engine is not engine


# ---- threads
def test_threads_compiling_the_same_new_kernel_at_once():
    for attempt in range(3):
        src = add_13_7.KERNEL + f"// {uuid.uuid4()}\n"  # new to the cache: every thread compiles it
        devs = [tt.Device(echo=False) for _ in range(6)]
        results, start = [None] * len(devs), threading.Barrier(len(devs))

        def work(i):
            try:
                d = devs[i]
                a, b, c = d.buffer(np.full(1024, i, np.uint32)), d.buffer(np.full(1024, 100, np.uint32)), d.buffer(4096)
                prog = tt.Program(d, (0, 0), writer=src, writer_args=[d.chip.l1_unreserved_base, a.addr, b.addr, c.addr])
                start.wait()
                d.run(prog)
                results[i] = c.read(np.uint32).tolist() == [100 + i] * 1024
            except Exception as e:
                results[i] = repr(e)
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(devs))]
        for t in threads: t.start()
        for t in threads: t.join()
        for d in devs: d.close()
        assert results == [True] * len(devs)


def test_one_device_shared_by_threads_gives_each_its_own_results(dev):
    wrong = []
    src = HEAD + "void kernel_main() { DPRINT << get_arg_val<uint32_t>(4) << ENDL(); }"

    def work(k):
        try:
            a, b, c = dev.buffer(np.full(1024, k, np.uint32)), dev.buffer(np.full(1024, 100, np.uint32)), dev.buffer(4096)
            prog = tt.Program(dev, (k, 0), writer=add_13_7.KERNEL, reader=src,
                              writer_args=[dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr],
                              reader_args=[0, 0, 0, 0, k])
            for i in range(50):
                c.write(np.zeros(1024, np.uint32))
                run = dev.run(prog)
                if run.prints != [f"0:(x={k},y=0):NC: {k}"] or c.read(np.uint32).tolist() != [100 + k] * 1024:
                    wrong.append((k, i, run and run.prints))
        except Exception as e:
            wrong.append((k, repr(e)))
    threads = [threading.Thread(target=work, args=(k,)) for k in (1, 2, 3)]
    for t in threads: t.start()
    for t in threads: t.join()
    assert wrong == []


# ---- fork
def test_a_device_used_in_a_forked_child_says_so_and_the_parent_is_unharmed():
    r = python("""
        import os, numpy as np, tensix as tt
        from tensix.examples import add_13_7
        dev = tt.Device(echo=False)
        buf = dev.buffer(np.arange(8, dtype=np.uint32))
        assert add_13_7.main(dev)[0]
        pid = os.fork()
        if pid == 0:
            msgs = []
            for use in (lambda: add_13_7.main(dev), lambda: buf.read(np.uint32), lambda: dev.buffer(64)):
                try: use(); msgs.append("no error")
                except tt.TensixError as e: msgs.append(str(e))
            dev.close()  # must not stop the parent's engine
            print("child:", " | ".join(msgs), flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        print("parent:", add_13_7.main(dev)[0], buf.read(np.uint32).tolist())
    """)
    child, parent = r.stdout.strip().split("\n")
    assert parent == "parent: True [0, 1, 2, 3, 4, 5, 6, 7]", r.stdout + r.stderr
    msgs = child.removeprefix("child: ").split(" | ")
    assert len(msgs) == 3 and all("used in process" in m and "a fork of it" in m and "spawn" in m for m in msgs), child


# ---- the cache
@pytest.mark.parametrize("damage", ["truncated", "empty", "another kernel's binary"])
def test_a_damaged_cached_kernel_is_rebuilt_once_saying_so(dev, capfd, damage):
    src = add_13_7.KERNEL + f"// {uuid.uuid4()}\n"
    a, b, c = dev.buffer(np.full(1024, 13, np.uint32)), dev.buffer(np.full(1024, 7, np.uint32)), dev.buffer(4096)

    def run():
        c.write(np.zeros(1024, np.uint32))
        dev.reset()  # a fresh engine loads the kernel from the cache
        kernel = tt.Kernel(src, "cached")
        prog = tt.Program(dev, (0, 0), writer=kernel, writer_args=[dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr])
        dev.run(prog)
        assert c.read(np.uint32).tolist() == [20] * 1024
        return prog.binary("writer", kernel)
    path = run()
    other = tt.Program(dev, (0, 0), writer=OTHER).binary("writer", tt.Kernel(OTHER))
    capfd.readouterr()
    data = path.read_bytes()
    path.write_bytes({"truncated": data[:len(data) // 2], "empty": b"", "another kernel's binary": other.read_bytes()}[damage])
    assert run() == path
    assert capfd.readouterr().err.count(f"the cached kernel 'cached' {path} is damaged") == 1
    run()
    assert "damaged" not in capfd.readouterr().err
    for buf in (a, b, c): buf.free()


OTHER = HEAD + "void kernel_main() { uint32_t c = get_arg_val<uint32_t>(3); (void)c; }"  # runs, and writes nothing


def test_a_damaged_engine_binary_is_rebuilt_once_saying_so(tmp_path, monkeypatch, capfd):
    from tensix import build
    good = build.engine()
    monkeypatch.setenv("TENSIX_CACHE", str(tmp_path))
    copy = build.cache_dir() / good.name
    builds, real = [], build._compile

    def compile_copy(args, out, cwd, what, rename=None):  # compiling the engine takes a minute: its copy stands for it
        if what != "the tensix engine": return real(args, out, cwd, what, rename)
        builds.append(what)
        out.write_bytes(good.read_bytes()); out.chmod(0o755)
    monkeypatch.setattr(build, "_compile", compile_copy)
    assert build.engine() == copy and builds == ["the tensix engine"]
    copy.write_bytes(good.read_bytes()[:4096])
    capfd.readouterr()
    with tt.Device(echo=False) as d:
        assert add(d, 13, 7).tolist() == [20] * 1024
    assert builds == ["the tensix engine"] * 2 and "the cached engine" in capfd.readouterr().err
    with tt.Device(echo=False) as d:
        assert add(d, 1, 2).tolist() == [3] * 1024
    assert len(builds) == 2


# ---- errors that point at the right place
@pytest.mark.parametrize("body, match", [
    ("struct S { S() { for (volatile int i = 0;; i++) {} } } s;", r"writer kernel 'ctor' \(in its static constructors, as it loaded\) ran 2 s"),
    ("#include <cstdlib>\nstruct S { S() { abort(); } } s;", r"writer kernel 'ctor' \(in its static constructors, as it loaded\) crashed: SIGABRT"),
    ("#include <stdexcept>\nstruct S { S() { throw std::runtime_error(\"bad table\"); } } s;",
     r"writer kernel 'ctor' \(in its static constructors, as it loaded\): an uncaught C\+\+ exception: bad table"),
])
def test_a_static_constructor_that_fails_is_blamed_on_its_kernel(dev, body, match):
    src = HEAD + body + f"\n// {uuid.uuid4()}\nvoid kernel_main() {{}}"
    with pytest.raises(tt.KernelError, match=match):
        dev.run(tt.Program(dev, (3, 3), writer=tt.Kernel(src, "ctor"), reader=OTHER, reader_args=[0, 0, 0, 0]))
    assert add(dev, 13, 7).tolist() == [20] * 1024


def test_an_uncaught_cpp_exception_says_so_with_its_what(dev):
    src = HEAD + "#include <stdexcept>\nvoid kernel_main() { throw std::out_of_range(\"index 7 of 4\"); }"
    with pytest.raises(tt.KernelError, match=r"reader kernel 'thrower' on core \(2, 1\) \(NCRISC\): an uncaught C\+\+ exception: index 7 of 4"):
        dev.run(tt.Program(dev, (2, 1), reader=tt.Kernel(src, "thrower")))
    src = HEAD + "void kernel_main() { throw 42; }"
    with pytest.raises(tt.KernelError, match=r"an uncaught C\+\+ exception \(not a std::exception\)"):
        dev.run(tt.Program(dev, (2, 1), reader=tt.Kernel(src, "thrower")))
    assert add(dev, 13, 7).tolist() == [20] * 1024


def _dir_in_place(p):
    p.unlink()
    p.mkdir()
    (p / "x").write_text("x")


# What sits beside a kernel's binary (its sum, its list of reached headers) or in its place can be damaged too: each is
# healed once, never an exception at every run (w6b's probes: a non-UTF-8 `reached` raised UnicodeDecodeError for ever).
DAMAGE_BESIDE = {
    "sum garbage": lambda so: so.with_name(so.name + ".sum").write_text("garbage"),
    "sum a directory": lambda so: _dir_in_place(so.with_name(so.name + ".sum")),
    "binary a directory": _dir_in_place,
    "reached not text": lambda so: (so.parent / "reached").write_bytes(b"\x00\xff\xfe\n/nowhere\n"),
    "reached a directory": lambda so: _dir_in_place(so.parent / "reached"),
    "entry a file": lambda so: (shutil.rmtree(so.parent), so.parent.write_text("x")),
}


@pytest.mark.parametrize("damage", DAMAGE_BESIDE.values(), ids=DAMAGE_BESIDE.keys())
def test_damage_beside_a_cached_kernel_heals(dev, damage):
    src = add_13_7.KERNEL + f"// {uuid.uuid4()}\n"
    a, b, c = dev.buffer(np.full(1024, 13, np.uint32)), dev.buffer(np.full(1024, 7, np.uint32)), dev.buffer(4096)

    def run():
        c.write(np.zeros(1024, np.uint32))
        dev.reset()
        kernel = tt.Kernel(src, "cached")
        prog = tt.Program(dev, (0, 0), writer=kernel, writer_args=[dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr])
        dev.run(prog)
        assert c.read(np.uint32).tolist() == [20] * 1024
        return prog.binary("writer", kernel)
    damage(run())
    run()
    run()
    for buf in (a, b, c): buf.free()
