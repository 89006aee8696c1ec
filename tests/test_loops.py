"""Loops work: the same program a thousand times gives the same bytes and cycles, and memory does not grow."""
import os
import numpy as np
import tensix as tt
from tensix.examples import add_13_7, ring


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))


def test_a_thousand_runs_same_answer_no_growth(dev):
    a = dev.buffer(np.full(1024, 13, np.uint32))
    b = dev.buffer(np.full(1024, 7, np.uint32))
    c = dev.buffer(4096)
    prog = tt.Program(dev, (0, 0), writer=add_13_7.KERNEL, writer_args=[dev.chip.l1_unreserved_base, a.addr, b.addr, c.addr])
    first = dev.run(prog)
    for i in range(1000):
        if i == 100: before = (rss_kib(os.getpid()), rss_kib(dev.sim.engine.pid))
        c.write(np.zeros(1024, np.uint32))
        r = dev.run(prog)
        assert r.cycles_by_thread == first.cycles_by_thread
        assert (c.read(np.uint32) == 20).all()
    after = (rss_kib(os.getpid()), rss_kib(dev.sim.engine.pid))
    assert after[0] - before[0] < 2048 and after[1] - before[1] < 512, (before, after)
    for buf in (a, b, c): buf.free()


def test_many_core_programs_are_deterministic(dev):
    runs = [ring.main(dev, laps=2) for _ in range(20)]
    assert all(ok for ok, _ in runs)
    assert len({tuple(sorted(r.cycles_by_thread.items())) for _, r in runs}) == 1


def test_buffers_allocate_and_free_in_a_loop_without_leaking_space(dev):
    used = dict(dev.dram.used)
    for i in range(300):
        bufs = [dev.buffer(np.arange(n, dtype=np.uint32), page=256) for n in (64, 1000, 5000)]
        for b in bufs: b.free()
    assert dev.dram.used == used


def test_compute_programs_loop_without_growth(dev):
    from tensix.examples import eltwise_binary as eb
    a = tt.round_bfloat16(np.random.default_rng(0).standard_normal((64, 64)))
    first, _ = eb.run_op(dev, "mul", a, a)
    for i in range(300):
        if i == 50: before = rss_kib(dev.sim.engine.pid)
        c, _ = eb.run_op(dev, "mul", a, a)
        assert np.array_equal(c, first)
    assert rss_kib(dev.sim.engine.pid) - before < 512


def test_kernel_globals_start_afresh_every_run(dev):
    src = '#include "dataflow_api.h"\n#include "debug/dprint.h"\nuint32_t counter = 5;\n' \
          'void kernel_main() { static uint32_t calls; counter++; calls++; DPRINT << counter << " " << calls << ENDL(); }'
    prog = tt.Program(dev, (0, 0), writer=src)
    assert [dev.run(prog).prints for _ in range(3)] == [["0:(x=0,y=0):BR: 6 1"]] * 3


def test_closing_devices_gives_their_memory_back(open_fds):
    fds = open_fds()
    for _ in range(5):
        d = tt.Device(echo=False)
        d.buffer(np.ones(1 << 20, np.uint32))  # memory the close must give back
        add_13_7.main(d)
        d.close()
    assert open_fds() == fds


def test_each_thread_has_its_own_copy_of_kernel_globals(dev):
    # One source runs as reader and writer on four cores; the two hand pages back and forth, so the threads interleave.
    src = r"""
#include "dataflow_api.h"
uint32_t total = 100;  // on the chip, every RISC-V of every core has its own
void kernel_main() {
    uint32_t me = get_arg_val<uint32_t>(0), out = get_arg_val<uint32_t>(1), writer = get_arg_val<uint32_t>(2);
    for (uint32_t i = 0; i < 5; i++) {
        total += me;
        if (writer) { cb_wait_front(0, 1); cb_pop_front(0, 1); } else { cb_reserve_back(0, 1); cb_push_back(0, 1); }
    }
    if (writer) {
        *(volatile uint32_t*)get_write_ptr(1) = total;
        InterleavedAddrGen<true> o = {out, 4};
        noc_async_write(get_write_ptr(1), get_noc_addr(me - 1, o), 4);
        noc_async_write_barrier();
    }
}"""
    cores = list(tt.CoreRange((0, 0), (3, 0)))
    out = dev.buffer(16, page=4)
    prog = tt.Program(dev, cores, reader=src, writer=src, reader_args=lambda c: [cores.index(c) + 1, out.addr, 0],
                      writer_args=lambda c: [cores.index(c) + 1, out.addr, 1], cbs=[tt.CB(0, page=32, pages=1), tt.CB(1, page=32, pages=1)])
    for _ in range(2):
        dev.run(prog)
        assert out.read(np.uint32).tolist() == [100 + 5 * i for i in (1, 2, 3, 4)]
    out.free()
