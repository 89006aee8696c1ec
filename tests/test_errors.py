"""Trying to break it: every bad kernel, address and program gets an error naming what to fix, and the device
keeps working afterwards."""
import re
import pytest
import tensix as tt

HEAD = '#include "dataflow_api.h"\n'


def run(dev, writer=None, reader=None, args=(), cbs=(), core=(0, 0), **kw):
    return dev.run(tt.Program(dev, core, writer=writer and tt.Kernel(writer, "w"), reader=reader and tt.Kernel(reader, "r"),
                              writer_args=list(args), reader_args=list(args), cbs=cbs, **kw))


def still_works(dev):
    from tensix.examples import add_13_7
    assert add_13_7.main(dev)[0]


def test_deadlock_names_each_blocked_thread_and_its_circular_buffer(dev):
    reader = HEAD + "void kernel_main() { cb_wait_front(1, 1); }"
    writer = HEAD + "void kernel_main() { cb_reserve_back(0, 1); cb_push_back(0, 1); cb_wait_front(2, 1); }"
    with pytest.raises(tt.DeadlockError) as e:
        run(dev, writer, reader, core=(3, 4), cbs=[tt.CB(0, pages=1), tt.CB(1, pages=1), tt.CB(2, pages=1)])
    msg = str(e.value)
    assert "reader kernel 'r' on core (3, 4) (NCRISC) waits in cb_wait_front(cb 1, 1) at line 2 of the kernel: 0 of 1 pages filled" in msg
    assert "writer kernel 'w' on core (3, 4) (BRISC) waits in cb_wait_front(cb 2, 1) at line 2" in msg
    assert len(e.value.blocked) == 2
    still_works(dev)


def test_polling_gives_way_and_a_poll_nothing_answers_is_a_deadlock(dev):
    reader = HEAD + "void kernel_main() { cb_reserve_back(0, 1); cb_push_back(0, 1); }"
    writer = HEAD + "void kernel_main() { while (!cb_pages_available_at_front(0, 1)) {} cb_pop_front(0, 1); }"
    run(dev, writer, reader, cbs=[tt.CB(0, pages=1)])  # the writer polls first; the reader's push answers it
    with pytest.raises(tt.DeadlockError, match=r"writer kernel 'w' on core \(0, 0\) \(BRISC\) waits in a loop polling "
                                               r"cb_pages_\*\(cb 0, 1\), which nothing will change"):
        run(dev, HEAD + "void kernel_main() { while (!cb_pages_available_at_front(0, 1)) {} }", cbs=[tt.CB(0, pages=1)])


def test_deadlock_on_a_semaphore_across_cores(dev):
    src = HEAD + "void kernel_main() { noc_semaphore_wait((volatile uint32_t*)get_semaphore(0), 5); }"
    with pytest.raises(tt.DeadlockError, match=r"core \(1, 0\).*noc_semaphore_wait\(L1 0x1aa00, 5\) at line 2 of the kernel: it holds 2"):
        dev.run(tt.Program(dev, tt.CoreRange((0, 0), (1, 0)), writer=src, semaphores=[2]))


def test_kernel_that_never_waits_is_stopped_and_named(dev):
    src = HEAD + "void kernel_main() { volatile uint32_t* p = (volatile uint32_t*)get_arg_val<uint32_t>(0); while (*p == 0) {} }"
    with pytest.raises(tt.HangError, match=r"writer kernel 'w' on core \(2, 2\) \(BRISC\) ran 2 s without calling the kernel API"):
        run(dev, src, args=[dev.chip.l1_unreserved_base + 64], core=(2, 2))
    still_works(dev)


@pytest.mark.parametrize("body, what", [
    ("volatile uint32_t* p = (volatile uint32_t*)0x200000; *p = 1;", r"SIGSEGV \(a bad memory access\) at address 0x200000 \(not an L1 address\)"),
    ("volatile uint32_t* p = (volatile uint32_t*)8; *p = 1;", "SIGSEGV"),
    ("__builtin_trap();", "SIGILL"),
    ("abort();", "SIGABRT"),
    ("volatile int z = 0; volatile int x = 5 / z; (void)x;", "SIGFPE"),
    ("volatile char big[4 << 20]; big[0] = 1; big[(4 << 20) - 1] = 2;", "it overflowed its 1 MiB stack"),
    ("volatile char big[(1 << 20) + (64 << 10)]; big[0] = 1;", "it overflowed its 1 MiB stack"),  # a frame past the guard gap
])
def test_a_crashing_kernel_raises_names_the_line_and_leaves_python_and_the_device_usable(dev, body, what):
    src = HEAD + "#include <cstdlib>\nvoid kernel_main() {\n    " + body + "\n}\n"
    with pytest.raises(tt.KernelError, match=r"writer kernel 'w' on core \(1, 1\) \(BRISC\) crashed: " + what) as e:
        run(dev, src, core=(1, 1))
    assert e.value.core == dev.chip.core_index((1, 1)) and e.value.proc == 0
    if what.startswith("SIGSEGV (a bad"): assert "at line 4 of the kernel" in str(e.value)
    still_works(dev)


@pytest.mark.parametrize("body, match", [
    ("noc_async_read(get_noc_addr(1, 0, 0x40000000), L1, 64);", r"DRAM bank 0 address 0x40000000 \+ 64 bytes is outside"),
    ("noc_async_read(get_noc_addr(1, 0, 0), L1, 32);", r"DRAM bank 0 address 0 \+ 32 bytes is outside the bank's usable range \[0x20"),
    ("noc_async_read(get_noc_addr(0, 3, 64), L1, 32);", r"NoC address \(x=0,y=3\) 0x40 names no core or DRAM bank"),
    ("noc_async_read(get_noc_addr(1, 0, 64), 0x100, 32);", r"L1 0x100 on the core at NoC \(1,1\) is in the reserved region"),
    ("noc_async_read(get_noc_addr(1, 0, 64), 0xFFFF0, 32);", r"runs past the end of L1"),
    ("noc_async_read(get_noc_addr(1, 0, 72), L1, 32);", r"DRAM address 0x48 and local L1 address 0x1e000 differ modulo 32"),
    ("noc_async_write(L1 + 4, get_noc_addr(2, 2, L1), 32);", r"remote L1 address 0x1e000 and local L1 address 0x1e004 differ modulo 16"),
    ("noc_async_write(L1, get_noc_addr(14, 2, L1), 32);", r"NoC address \(x=14,y=2\) 0x1e000 is off the 13x12 grid"),
    ("noc_async_write(L1, get_noc_addr(0, 11, L1), 32);", r"names no core or DRAM bank"),
    ("noc_semaphore_set_remote(L1, get_noc_addr(2, 2, 0x100));", r"noc_semaphore_set_remote: L1 0x100 on the core at NoC \(2,2\) is in the reserved region"),
    ("noc_async_read_barrier(2);", r"noc_async_read_barrier: noc 2 does not exist"),
    ("noc_semaphore_inc(get_noc_addr(1, 0, 64), 1);", r"noc_semaphore_inc: targets DRAM bank 0"),
    ("cb_reserve_back(40, 1);", r"circular buffer index 40 is out of range"),
    ("cb_reserve_back(3, 1);", r"circular buffer 3 is not configured on this core"),
    ("cb_reserve_back(0, 3);", r"cb_reserve_back\(cb 0, 3\): the buffer holds 2 pages"),
    ("cb_push_back(0, 1); cb_push_back(0, 1); cb_push_back(0, 1);", r"cb_push_back\(cb 0, 1\): only 0 pages are free; reserve them first"),
    ("cb_pop_front(0, 1);", r"cb_pop_front\(cb 0, 1\): only 0 pages are filled"),
    ("get_arg_val<uint32_t>(7);", r"get_arg_val\(7\): this kernel was given 0 runtime args"),
    ("get_semaphore(9);", r"get_semaphore\(9\): a core has 4 semaphores"),
    ("noc_async_write_multicast(L1, get_noc_multicast_addr(1, 1, 2, 2, L1), 32, 2);", r"num_dests is 2 but the rectangle \(1,1\)-\(2,2\) holds 3 destination cores"),
])
def test_bad_addresses_and_calls_name_the_kernel_core_line_and_what_is_wrong(dev, body, match):
    src = HEAD + "void kernel_main() { constexpr uint32_t L1 = 0x1e000;\n" + body + " }"  # the call on line 3
    with pytest.raises(tt.KernelError) as e:
        run(dev, src, cbs=[tt.CB(0, pages=2)])
    said = str(e.value)
    assert re.match(r"writer kernel 'w' on core \(0, 0\) \(BRISC\): \w+(\([^)]*\))? at line 3 of the kernel: ", said), said
    assert re.search(match, said.replace(" at line 3 of the kernel", "")), said
    still_works(dev)


def test_a_noc_transfer_running_past_its_circular_buffer_is_an_error(dev):
    # A circular buffer owns pages * page bytes of L1 (tt-metal's CircularBufferConfig total size) and the next one
    # starts right after it: 4096 bytes into a buffer of one 2048-byte page would land half in circular buffer 1.
    buf = dev.buffer(8192)
    cbs = [tt.CB(0, pages=1), tt.CB(1, pages=1)]
    read = HEAD + ("void kernel_main() {\n  uint32_t l1 = get_write_ptr(0);\n"
                   "  noc_async_read(get_noc_addr(1, 0, get_arg_val<uint32_t>(0)), l1, 4096);\n  noc_async_read_barrier(); }")
    with pytest.raises(tt.KernelError, match=r"reader kernel 'r' on core \(0, 0\) \(NCRISC\): noc_async_read at line 4 of the "
                       r"kernel: L1 0x1e000 \+ 4096 bytes on the core at NoC \(1,1\) starts in circular buffer 0 "
                       r"\[0x1e000, 0x1e800\) and runs 2048 bytes past its end"):
        run(dev, reader=read, args=[buf.addr], cbs=cbs)
    write = HEAD + ("void kernel_main() { uint32_t l1 = get_write_ptr(1);\n"
                    "  noc_async_write(l1, get_noc_addr(1, 1, l1 + 1024), 2048); noc_async_write_barrier(); }")
    with pytest.raises(tt.KernelError, match=r"noc_async_write at line 3 of the kernel: L1 0x1ec00 \+ 2048 bytes .* circular "
                       r"buffer 1 \[0x1e800, 0x1f000\)"):
        run(dev, write, cbs=cbs)
    ok = read.replace("4096", "2048")  # the whole page: fine
    run(dev, reader=ok, args=[buf.addr], cbs=cbs)
    still_works(dev)


@pytest.mark.parametrize("call", ["noc_async_read(get_noc_addr(1, 0, 64), 0x1e000, 32);", "noc_async_write_barrier();",
                                  "noc_semaphore_inc(get_noc_addr(1, 1, get_semaphore(0)), 1);"])
def test_a_noc_call_in_a_compute_kernel_is_an_error(dev, call):
    # tt-metal's TRISCs have no NoC: dataflow_api.h may be included (the compat sweep compiles such kernels) but a NoC
    # call cannot run on a card, so it stops the run, naming the call's line.
    src = ('#include "compute_kernel_api.h"\n#include "dataflow_api.h"\nnamespace NAMESPACE { void MAIN {\n'
           f"    {call}\n}} }}")
    with pytest.raises(tt.KernelError, match=r"compute kernel 'c' on core \(0, 0\) \(TRISC\): noc_\w+ at line 4 of the kernel: "
                       "compute kernels have no NoC; move this to the reader or writer"):
        dev.run(tt.Program(dev, (0, 0), compute=tt.Kernel(src, "c"), semaphores=[0]))
    still_works(dev)


def test_compile_errors_carry_the_kernel_name_and_line(dev):
    src = HEAD + "void kernel_main() {\n    uint32_t x = 1\n}\n"
    with pytest.raises(tt.CompileError, match=r"kernel w failed to compile:[\s\S]*w:4:1: error: expected"):
        run(dev, src)


def test_a_kernel_without_its_entry_point_gets_a_hint(dev):
    with pytest.raises(tt.CompileError, match="hint: a compute kernel defines its entry as `namespace NAMESPACE"):
        dev.run(tt.Program(dev, (0, 0), compute='#include "compute_kernel_api.h"\nnamespace NAMESPACE { void MAINN() {} }'))
    with pytest.raises(tt.CompileError, match="hint: a kernel defines its entry as `void kernel_main"):  # today's dialect
        dev.run(tt.Program(dev, (0, 0), compute='#include "api/compute/common.h"\nvoid kernel_man() {}'))
    with pytest.raises(tt.CompileError, match="hint: a kernel defines its entry as `void kernel_main"):
        dev.run(tt.Program(dev, (0, 0), writer=HEAD + "void main2() {}"))
    compute = '#include "compute_kernel_api/eltwise_binary.h"\nnamespace NAMESPACE { void MAIN { add_tiles_init(); } }'
    with pytest.raises(tt.CompileError, match=r"hint: this looks like a compute kernel \(MAIN\); pass it as compute=$"):
        dev.run(tt.Program(dev, (0, 0), reader=compute))  # a compute kernel given as a data-movement one


def test_an_api_call_the_simulator_lacks_fails_to_compile_naming_it(dev):
    src = HEAD + "void kernel_main() {\n  noc_async_read_tile_dram_sharded(0, 0, 0);\n}\n"
    with pytest.raises(tt.CompileError, match=r"w:3:3: error: .noc_async_read_tile_dram_sharded. was not declared"):
        run(dev, src)


def test_compile_time_arg_out_of_range_fails_to_compile(dev):
    src = HEAD + "void kernel_main() { constexpr uint32_t x = get_compile_time_arg_val(2); (void)x; }"
    with pytest.raises(tt.CompileError, match="KERNEL_COMPILE_TIME_ARG_2"):
        dev.run(tt.Program(dev, (0, 0), writer=tt.Kernel(src, "w", compile_args=[1, 2])))


def test_program_mistakes_are_caught_on_the_host(dev):
    ok = HEAD + "void kernel_main() {}"
    with pytest.raises(tt.TensixError, match=r"core \(12, 0\) is outside the e150's 12x9 grid"):
        tt.Program(dev, (12, 0), writer=ok)
    with pytest.raises(tt.TensixError, match=r"core \(1, 1\) is in two core sets"):
        tt.Program(dev, tt.CoreRange((0, 0), (1, 1)), writer=ok).add((1, 1), writer=ok)
    with pytest.raises(tt.TensixError, match="256 runtime args; the limit is 255"):
        run(dev, ok, args=range(256))
    with pytest.raises(tt.TensixError, match="circular buffer 0 is given twice"):
        run(dev, ok, cbs=[tt.CB(0), tt.CB(0)])
    with pytest.raises(tt.TensixError, match="a page is a positive multiple of 16 bytes"):
        run(dev, ok, cbs=[tt.CB(0, page=100)])
    with pytest.raises(tt.TensixError, match="the circular buffers need"):
        run(dev, ok, cbs=[tt.CB(0, pages=1000)])
    with pytest.raises(tt.TensixError, match="5 semaphores asked for"):
        run(dev, ok, semaphores=[0] * 5)
    with pytest.raises(tt.TensixError, match="does not fit in 32 bits"):
        run(dev, ok, args=[1 << 32])
    with pytest.raises(tt.TensixError, match="unknown device 'e300'"):
        tt.Device("e300")


def test_circular_buffers_may_not_reach_l1_buffers(dev):
    big = dev.buffer(900 * 1024, l1=True, page=900 * 1024)
    try:
        with pytest.raises(tt.TensixError, match="reach L1 .* past the lowest L1 buffer"):
            run(dev, HEAD + "void kernel_main() {}", cbs=[tt.CB(0, pages=20)])
    finally:
        big.free()


def test_reset_then_run(dev):
    dev.reset()
    still_works(dev)


def test_no_compiler_is_one_clear_error(monkeypatch):
    from tensix import build
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CXX", raising=False)
    build.compiler.cache_clear()
    try:
        with pytest.raises(tt.TensixError, match="found none: install g\\+\\+"):
            build.compiler()
    finally:
        build.compiler.cache_clear()


def test_odd_kernel_names_and_cache_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("TENSIX_CACHE", str(tmp_path / "a cache with spaces"))
    with tt.Device(echo=False) as d:
        with pytest.raises(tt.CompileError, match=r"C:\\kernels\\reader:2:"):
            d.run(tt.Program(d, (0, 0), writer=tt.Kernel(HEAD + "void kernel_main() { oops }", name=r"C:\kernels\reader")))
        from tensix.examples import add_13_7
        assert add_13_7.main(d)[0]


def test_wormhole_noc_addresses_keep_their_36_bit_local_part_honest():
    src = HEAD + "void kernel_main() { noc_async_read(get_noc_addr(0, 0, 64) + (1ull << 32), 0x1e000, 32); }"
    with tt.Device("n150", echo=False) as d:
        with pytest.raises(tt.KernelError, match="has a local address past 32 bits"):
            d.run(tt.Program(d, (0, 0), writer=tt.Kernel(src, "w")))
