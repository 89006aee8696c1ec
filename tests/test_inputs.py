"""Strict host inputs: every argument is checked where it enters; a wrong one is a TensixError naming the argument, what
it got and what it takes, never a silent coercion or another exception. numpy integers are integers."""
import os
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
import tensix as tt
from tensix.examples import add_13_7

HEAD = '#include "dataflow_api.h"\n'
OK = HEAD + "void kernel_main() {}"
SUM = HEAD + """void kernel_main() {   // writes the sum of its runtime args, and its compile-time args, to DRAM
    uint32_t out = get_arg_val<uint32_t>(0), l1 = get_arg_val<uint32_t>(1), n = get_arg_val<uint32_t>(2), s = 0;
    for (uint32_t i = 3; i < 3 + n; i++) s += get_arg_val<uint32_t>(i);
    volatile uint32_t* p = (volatile uint32_t*)l1;
    p[0] = s; p[1] = KERNEL_COMPILE_TIME_ARG_COUNT > 0 ? get_compile_time_arg_val(0) : 0;
    p[2] = *(volatile uint32_t*)get_semaphore(0);
    InterleavedAddrGen<true> o = {out, 16};
    noc_async_write(l1, get_noc_addr(0, o), 16); noc_async_write_barrier();
}"""


@pytest.mark.parametrize("make, match", [
    (lambda d: d.buffer(2.5), r"buffer\(data\) takes an array of numbers or bytes; got 2.5"),
    (lambda d: d.buffer("abc"), r"buffer\(data\) takes an array of numbers or bytes; got a str"),
    (lambda d: d.buffer(0), r"buffer\(size\) takes an integer >= 1; got 0"),
    (lambda d: d.buffer(True), r"buffer\(data\) takes an array of numbers or bytes; got True"),
    (lambda d: d.buffer([]), r"buffer\(data\) is empty"),
    (lambda d: d.buffer([object()]), r"buffer\(data\) takes an array of numbers or bytes; got .*dtype object"),
    (lambda d: d.buffer(np.arange(10)), r"buffer\(data\) holds int64 values, which no format of the chip has: convert them"),
    (lambda d: d.buffer(64).write([0.5] * 8), r"write\(data\) holds float64 values, .* or give fmt="),
    (lambda d: tt.Program(d, (0, 0), riter=OK), r"Program\(\) has no keyword 'riter' \(did you mean writer=\?\); it takes cores and reader="),
    (lambda d: tt.Program(d, writer=OK), r"Program\(\): writer= given without cores; give cores="),
    (lambda d: d.buffer(4096, page=0), r"buffer\(page\) takes an integer >= 1; got 0"),
    (lambda d: d.buffer(4096, page=1.5), r"buffer\(page\) takes an integer >= 1; got 1.5"),
    (lambda d: d.buffer(4096, l1=1), r"buffer\(l1\) takes True or False; got 1"),
    (lambda d: d.buffer(4096, fmt=np.float32), r"buffer\(fmt\) takes a tensix format .*; got <class 'numpy.float32'>"),
    (lambda d: d.buffer(np.arange(7, dtype=np.float32), fmt=tt.bfp8_b), r"cannot encode it as Bfp8_b: .*whole tiles"),
    (lambda d: d.buffer(64).read(count=-1), r"read\(count\) takes an integer from 0 to 64; got -1"),
    (lambda d: d.buffer(64).read(np.uint32, count=17), r"read\(count\) takes an integer from 0 to 16; got 17"),
    (lambda d: d.buffer(64).read(count=2.0), r"read\(count\) takes an integer from 0 to 64; got 2.0"),
    (lambda d: d.buffer(6).read(np.uint32), r"read\(fmt=uint32\): the buffer's 6 bytes are not a whole number of 4-byte values"),
    (lambda d: d.buffer(64).read("text"), r"read\(fmt\) takes a numpy number type .*; got 'text'"),
    (lambda d: d.buffer(64).read(np.str_), r"read\(fmt\) takes a numpy number type"),
    (lambda d: d.buffer(64).write("hello"), r"write\(data\) takes an array of numbers or bytes; got a str"),
    (lambda d: d.buffer(64).write(np.zeros(17, np.uint32)), r"writing 68 bytes into a buffer of 64"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, writer_args=[1.7]), r"writer_args\[0\] takes an integer; got 1.7"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, writer_args="123"), r"writer_args takes a list of integers; got '123'"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, writer_args=5), r"writer_args takes a list of integers; got 5"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, writer_args={(0, 0): [1, "2"]}), r"writer_args\[\(0, 0\)\]\[1\] takes an integer; got '2'"),
    (lambda d: d.run(tt.Program(d, (0, 0), writer=OK, writer_args=lambda c: [0.5])), r"writer_args\(\(0, 0\)\)\[0\] takes an integer; got 0.5"),
    (lambda d: d.run(tt.Program(d, (0, 0), writer=tt.Kernel(OK, "k", compile_args=[2 ** 40 + 5]))),
     r"writer kernel 'k': compile_args\[0\]: 1099511627781 does not fit in 32 bits"),
    (lambda d: d.run(tt.Program(d, (0, 0), writer=tt.Kernel(OK, "k", compile_args=[1.5]))), r"compile_args\[0\] takes an integer; got 1.5"),
    (lambda d: d.run(tt.Program(d, (0, 0), writer=tt.Kernel(OK, "k", noc=2))), r"noc takes an integer from 0 to 1; got 2"),
    (lambda d: d.run(tt.Program(d, (0, 0), writer=tt.Kernel(OK, "k", defines={"X": [1]}))), r"defines\['X'\] takes a str, a number or None"),
    (lambda d: d.run(tt.Program(d, (0, 0), writer=tt.Kernel(OK, "k", defines={"1X": 1}))), r"defines takes a dict of macro names"),
    (lambda d: d.run(tt.Program(d, (0, 0), writer=tt.Kernel(b"src", "k"))), r"source takes C\+\+ source as a str"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, semaphores=[1.5]), r"semaphores\[0\] takes an integer; got 1.5"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, semaphores=[-1]), r"semaphores\[0\] takes an integer from 0 to 4294967295; got -1"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, semaphores=3), r"semaphores takes a list of integers; got 3"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, cbs=[0]), r"cbs takes a list of tt.CB; got \[0\]"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, cbs=[tt.CB(0, pages=1.5)]), r"CB\(0\).pages takes an integer >= 1; got 1.5"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, cbs=[tt.CB(0, page=0)]), r"CB\(0\).page takes an integer >= 1; got 0"),
    (lambda d: tt.Program(d, (0, 0), writer=OK, cbs=[tt.CB(0, fmt="bf16")]), r"CB\(0\).fmt takes a tensix format"),
    (lambda d: tt.Program(d, (0.5, 0), writer=OK), r"cores takes a core \(x, y\) of two integers; got \(0.5, 0\)"),
    (lambda d: tt.Program(d, [], writer=OK), r"cores takes .*; got \[\]"),
    (lambda d: tt.Program(d, tt.CoreRange((0, 0), (10 ** 9, 10 ** 9)), writer=OK), r"core \(1000000000, 1000000000\) is outside"),
    (lambda d: tt.Program(d, (0, 0), writer=5), r"writer takes kernel source \(a str\) or a tt.Kernel; got 5"),
    (lambda d: tt.Program("dev", (0, 0), writer=OK), r"Program\(device\) takes a tt.Device; got 'dev'"),
    (lambda d: tt.Program(d, (0, 0), writer=OK).semaphore(1.0), r"semaphore\(index\) takes an integer from 0 to 3; got 1.0"),
    (lambda d: d.run(tt.Program(d, (0, 0), writer=OK), max_cycles=0), r"max_cycles takes an integer from 1 to"),
    (lambda d: d.run("prog"), r"enqueue\(program\) takes a tt.Program; got 'prog'"),
    (lambda d: d.enqueue_write("buf", b"x"), r"enqueue_write\(buf\) takes a Buffer of this device; got 'buf'"),
    (lambda d: d.enqueue_write(d.buffer(64), "text"), r"enqueue_write\(data\) takes an array of numbers or bytes; got a str"),
    (lambda d: d.enqueue_read(d.buffer(64), "text"), r"read\(fmt\) takes a numpy number type"),
    (lambda d: d.enqueue_read(d.buffer(64), np.uint8, out=()), r"enqueue_read\(out\) takes a list the array is appended to, or None; got \(\)"),
    (lambda d: tt.Device(hang_seconds=0), r"Device\(hang_seconds\) takes a number of seconds > 0; got 0"),
    (lambda d: tt.Device(hang_seconds=-1), r"Device\(hang_seconds\) takes a number of seconds > 0; got -1"),
    (lambda d: tt.Device(hang_seconds=float("nan")), r"Device\(hang_seconds\) takes a number of seconds > 0; got nan"),
    (lambda d: tt.Device(hang_seconds="1"), r"Device\(hang_seconds\) takes a number of seconds > 0; got '1'"),
    (lambda d: tt.Device(max_cycles=1.5), r"Device\(max_cycles\) takes an integer from 1 to"),
    (lambda d: tt.Device(5), r"unknown device 5; known: e150"),
    (lambda d: tt.Device(echo="no"), r"Device\(echo\) takes True or False; got 'no'"),
])
def test_a_wrong_host_argument_is_a_tensix_error_naming_it(dev, make, match):
    with pytest.raises(tt.TensixError, match=match):
        make(dev)


def test_hang_seconds_from_the_environment_is_checked_too(monkeypatch):
    monkeypatch.setenv("TENSIX_HANG_SECONDS", "0")
    with pytest.raises(tt.TensixError, match=r"TENSIX_HANG_SECONDS takes a number of seconds > 0; got '0'"):
        tt.Device()


@pytest.mark.parametrize("us", ["fast", "-1", "2e6", "nan", "inf"])
def test_spin_time_from_the_environment_is_checked(monkeypatch, open_fds, us):
    monkeypatch.setenv("TENSIX_SPIN_US", us)
    fds = open_fds()
    with pytest.raises(tt.TensixError, match=rf"TENSIX_SPIN_US takes microseconds, 0 to 1000000 \(0: no spinning\); got '{us}'"):
        tt.Device()
    assert open_fds() == fds  # no memory file left open


@pytest.mark.parametrize("value", ["2", "offf", "disabled"])
@pytest.mark.parametrize("name", ["TENSIX_RACES", "TENSIX_SANDBOX"])
def test_an_on_off_variable_with_an_unknown_value_is_an_error(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(tt.TensixError, match=rf"{name}='{value}'; it takes 1/on/true/yes or 0/off/false/no"):
        tt.Device()


@pytest.mark.parametrize("value", ["0", "false", "No", "OFF"])
def test_the_race_detector_turns_off_with_any_spelling_of_off(monkeypatch, value):
    monkeypatch.setenv("TENSIX_RACES", value)
    assert tt.Device().sim.races is False


@pytest.mark.parametrize("start, end", [((0.5, 0), (1, 1)), ((0, 0), (1, "1")), ((2, 2), (1, 1)), ((0, 0), (True, 1))])
def test_a_bad_core_range_is_refused_where_it_is_made(start, end):
    with pytest.raises(tt.TensixError, match=r"CoreRange"):
        tt.CoreRange(start, end)


def test_numpy_integers_are_integers_everywhere(dev):
    i = np.int64
    a = dev.buffer(np.full(1024, 13, np.uint32), page=i(4096))
    b = dev.buffer(np.full(1024, 7, np.uint32))
    c = dev.buffer(i(4096), page=np.uint16(4096))
    prog = tt.Program(dev, tt.CoreRange((i(0), np.int32(0)), (i(0), i(0))), writer=add_13_7.KERNEL,
                      writer_args=np.array([dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr], np.uint32))
    dev.run(prog, max_cycles=i(10 ** 9))
    assert c.read(np.uint32, count=np.uint8(3)).tolist() == [20, 20, 20]
    prog = tt.Program(dev, (np.uint8(1), i(1)), writer=tt.Kernel(SUM, "sum", compile_args=[np.uint32(7)]), semaphores=[i(9)],
                      writer_args={(i(1), i(1)): [c.addr, dev.chip.l1_unreserved_base, 2, np.int16(-1), np.uint64(3)]})
    dev.run(prog)
    assert c.read(np.uint32, count=3).tolist() == [2, 7, 9]  # -1 wraps as int32 would: 0xFFFFFFFF + 3


def test_use_after_close_and_after_free_say_so():
    d = tt.Device(echo=False)
    buf = d.buffer(64)
    freed = d.buffer(128)
    freed.free()
    assert repr(freed) == "Buffer(DRAM, freed, size=128, page=128)"
    with pytest.raises(tt.TensixError, match=r"this buffer \(128 bytes\) was freed"):
        freed.read()
    prog = tt.Program(d, (0, 0), writer=OK)
    d.close()
    for use in (buf.read, lambda: buf.write(b"x"), lambda: d.run(prog), lambda: d.buffer(64), d.finish, d.reset,
                lambda: d.enqueue(prog)):
        with pytest.raises(tt.TensixError, match="this device is closed; make a new tt.Device()"):
            use()
    buf.free()  # freeing after close is harmless
    d.close()  # and so is closing twice


def test_a_failing_queued_command_says_what_was_not_done(dev):
    a, b = dev.buffer(64), dev.buffer(64)
    out = []
    dev.enqueue_write(a, np.arange(16, dtype=np.uint32))
    dev.enqueue_read(a, np.uint32, out)
    dev.enqueue_read(b, np.uint32, out)
    dev.enqueue_write(a, np.zeros(16, np.uint32))
    dev.enqueue(tt.Program(dev, (0, 0), writer=OK))
    b.free()
    with pytest.raises(tt.TensixError, match=r"was freed.*\n\(command 3 of the queue failed; the 2 after it were not carried "
                                             r"out: write, run\)") as e:
        dev.finish()
    assert e.value.not_done == ["write", "run"]
    assert [o.tolist() for o in out] == [list(range(16))] and a.read(np.uint32).tolist() == list(range(16))
    assert dev.queue == [] and dev.finish() is None


# ---- fuzzing the host API: any input is a correct result or a TensixError
ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.integers(-3, 70), st.floats(allow_nan=True),
    st.text(max_size=4), st.binary(max_size=8), st.sampled_from([np.int64(3), np.uint32(64), np.float32(2), np.bool_(True),
                                                                 np.uint8, np.float64, tt.bfloat16, tt.uint32, object()]),
    st.lists(st.integers(-2 ** 40, 2 ** 40), max_size=4), st.tuples(st.integers(-2, 14), st.integers(-2, 14)),
    st.builds(lambda n, t: np.arange(n).astype(t), st.integers(0, 40), st.sampled_from([np.uint8, np.int32, np.float32, np.float64])),
    st.dictionaries(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.lists(st.integers(0, 9), max_size=2), max_size=2),
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def either(f):
    """f()'s result, or None if it raised a TensixError; anything else fails the test."""
    try:
        return f()
    except tt.TensixError:
        return None


@FUZZ
@given(size=ANYTHING, page=ANYTHING, l1=ANYTHING, fmt=ANYTHING, read_fmt=ANYTHING, count=ANYTHING)
def test_fuzz_buffers(dev, size, page, l1, fmt, read_fmt, count):
    buf = either(lambda: dev.buffer(size, page=page, l1=l1, fmt=fmt))
    if buf is None: return
    try:
        if fmt is None and not isinstance(size, (int, np.integer)):  # data of its own bytes: they read back
            data = bytes(size) if isinstance(size, bytes) else np.asarray(size).tobytes()
            assert buf.read()[:len(data)].tobytes() == data
        either(lambda: buf.write(size, fmt if isinstance(fmt, tt.DataFormat) else None))
        vals = either(lambda: buf.read(read_fmt, count=count))
        if vals is not None and count is not None: assert len(vals) == count
    finally:
        buf.free()


@FUZZ
@given(cores=ANYTHING, args=ANYTHING, sems=ANYTHING, cbs=ANYTHING, max_cycles=ANYTHING)
def test_fuzz_programs(dev, cores, args, sems, cbs, max_cycles):
    prog = either(lambda: tt.Program(dev, cores, writer=tt.Kernel(OK, "ok"), writer_args=args, semaphores=sems,
                                     cbs=cbs))
    if prog is not None:
        run = either(lambda: dev.run(prog, max_cycles=max_cycles))
        if run is not None: assert len(run.cycles_by_thread) == sum(len(on.kernels) for on in prog.on_core.values())


@FUZZ
@given(name=ANYTHING, hang=ANYTHING, max_cycles=ANYTHING, echo=ANYTHING, cb=ANYTHING)
def test_fuzz_devices_and_circular_buffers(name, hang, max_cycles, echo, cb):
    d = either(lambda: tt.Device(name, hang_seconds=hang, max_cycles=max_cycles, echo=echo))
    if d is not None: d.close()
    either(lambda: tt.CB(cb, pages=cb, page=cb))


# ---- what the features added since the first pass take: each a TensixError naming the argument (w6b's probes)
@pytest.mark.parametrize("make, match", [
    (lambda d, tmp: tt.TensorAccessorArgs(5), r"TensorAccessorArgs\(buffer\) takes a Buffer; got 5"),
    (lambda d, tmp: tt.TensorAccessorArgs(None), r"TensorAccessorArgs\(buffer\) takes a Buffer; got None"),
    # a str is one directory, not a list of one-letter ones
    (lambda d, tmp: tt.Kernel(OK, includes=str(tmp)), r"includes takes a list of directories; got '.*' \(a str: put it in a list\)"),
    (lambda d, tmp: tt.Kernel(OK, includes=5), r"includes takes a list of directories; got 5"),
    (lambda d, tmp: tt.Kernel(OK, includes=[5]), r"includes\[0\] takes a directory \(a str or path\); got 5"),
    (lambda d, tmp: tt.Kernel(OK, includes=[str(tmp / "absent")]), r"includes\[0\]: .*absent is not a directory"),
    (lambda d, tmp: tt.Program(d).kernel((0, 0), ["reader"], OK), r"kernel kind \['reader'\]: one of 'reader'"),
    (lambda d, tmp: d.run(tt.Program(d, (0, 0), compute=tt.Kernel("void kernel_main() {}", math_fidelity=["HiFi4"]))),
     r"math_fidelity \['HiFi4'\]; one of LoFi"),
])
def test_newer_features_check_their_arguments(make, match, tmp_path):
    with tt.Device() as d, pytest.raises(tt.TensixError, match=match):
        make(d, tmp_path)


def test_tensix_include_names_a_missing_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("TENSIX_INCLUDE", str(tmp_path / "nowhere"))
    with tt.Device() as d, pytest.raises(tt.TensixError, match=r"TENSIX_INCLUDE: .*nowhere is not a directory"):
        d.run(tt.Program(d, (0, 0), reader=OK))


@pytest.mark.parametrize("path", [1, 99, None, 2.5])
def test_save_trace_takes_a_path_not_a_file_descriptor(path):
    """open(1, "w") is stdout: an integer path would write the trace over it and then close it."""
    with tt.Device() as d:
        run = d.run(tt.Program(d, (0, 0), reader=OK))
        with pytest.raises(tt.TensixError, match=r"save_trace\(path\) takes a file path"):
            run.save_trace(path)
        with pytest.raises(tt.TensixError, match=r"save_picture\(path\) takes a file path"):
            run.save_picture(path)
    import os
    os.fstat(1)  # stdout is still open
