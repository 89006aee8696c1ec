"""The timing model respects the chip's limits (ARCH.md's figures, in chips.py): no run moves more bytes through a DRAM
bank, a NoC link or an L1 port than its rate allows, and contention costs time: every core reading one bank is slower
than the same reads spread over the banks."""
import importlib
import numpy as np
import pytest
import tensix as tt

READ_MANY = r'''
#include "dataflow_api.h"
void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), first = get_arg_val<uint32_t>(1), step = get_arg_val<uint32_t>(2);
    uint32_t count = get_arg_val<uint32_t>(3), l1 = get_arg_val<uint32_t>(4), page = get_arg_val<uint32_t>(5);
    InterleavedAddrGen<true> pages = {src, page};
    for (uint32_t i = 0; i < count; i++) {
        noc_async_read(get_noc_addr(first + i * step, pages), l1 + (i % 4) * page, page);
        if (i % 4 == 3) noc_async_read_barrier();
    }
    noc_async_read_barrier();
}'''

READ_L1 = r'''
#include "dataflow_api.h"
void kernel_main() {
    uint32_t x = get_arg_val<uint32_t>(0), y = get_arg_val<uint32_t>(1), count = get_arg_val<uint32_t>(2);
    uint32_t from = get_arg_val<uint32_t>(3), l1 = get_arg_val<uint32_t>(4), page = get_arg_val<uint32_t>(5);
    for (uint32_t i = 0; i < count; i++) noc_async_read(get_noc_addr(x, y, from), l1, page);
    noc_async_read_barrier();
}'''

PAGE, COUNT = 2048, 32


def within_limits(run, chip):
    s, t = run.stats, chip.timing
    for b, (n, busy) in enumerate(s.banks):
        assert n <= t.dram_bytes_per_cycle * s.cycles + 1, f"bank {b}: {n} bytes in {s.cycles} cycles"
        assert busy <= s.cycles
    assert s.dram_gbps <= s.dram_peak_gbps * 1.001
    for k, (n, busy) in s.links.items():
        assert n <= t.noc_bytes_per_cycle * busy + t.noc_bytes_per_cycle, f"link {k}: {n} bytes in {busy} busy cycles"
        assert busy <= s.cycles, f"link {k} busy {busy} of {s.cycles} cycles"
    for core, (n, busy) in s.l1.items():
        assert n <= t.l1_bytes_per_cycle * s.cycles + 1 and busy <= s.cycles, f"L1 port of {core}"
    for (core, proc), th in s.threads.items():
        assert 0 <= th.busy <= th.cycles - th.launch and th.cycles <= s.cycles, (core, proc)
        # the math unit does at most one tile matmul per pass time at LoFi
        assert th.flops <= 2 * 32 ** 3 / t.matmul_pass_cycles * th.cycles, (core, proc)


@pytest.mark.parametrize("name", ["loopback", "dram_copy_all_cores", "ring", "eltwise_binary", "matmul_multi_core",
                                  "matmul_multicast", "softmax"])
def test_examples_within_physical_limits(dev, name):
    ok, run = importlib.import_module(f"tensix.examples.{name}").main(dev)
    assert ok
    within_limits(run, dev.chip)


def read_all(dev, pick):
    """Every core reads COUNT pages; pick(core index, i) -> (first page, step)."""
    src = dev.buffer(np.zeros(PAGE * 8 * COUNT * dev.chip.num_cores // 4, np.uint32), page=PAGE)
    l1 = dev.chip.l1_unreserved_base
    cores = tt.CoreRange((0, 0), (dev.chip.grid[0] - 1, dev.chip.grid[1] - 1))
    prog = tt.Program(dev, cores, reader=READ_MANY,
                      reader_args=lambda c: [src.addr, *pick(dev.chip.core_index(c)), COUNT, l1, PAGE])
    run = dev.run(prog)
    src.free()
    return run


def test_one_bank_is_slower_than_spread_reads(dev):
    one = read_all(dev, lambda i: (8 * i * COUNT, 8))   # pages 8k: all in bank 0
    spread = read_all(dev, lambda i: (i * COUNT, 1))    # consecutive pages: every bank
    moved = PAGE * COUNT * dev.chip.num_cores
    assert one.stats.banks[0][0] == moved and sum(b for b, _ in spread.stats.banks) == moved
    t = dev.chip.timing
    # one bank: no faster than its rate, and (the bank being the bottleneck) not far below it
    assert moved / t.dram_bytes_per_cycle <= one.cycles <= 1.5 * moved / t.dram_bytes_per_cycle + one.stats.launch
    assert one.cycles > 4 * spread.cycles
    within_limits(one, dev.chip)
    within_limits(spread, dev.chip)


READ_SAME = r'''
#include "dataflow_api.h"
void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), count = get_arg_val<uint32_t>(1), l1 = get_arg_val<uint32_t>(2);
    uint32_t page = get_arg_val<uint32_t>(3);
    InterleavedAddrGen<true> pages = {src, page};
    for (uint32_t i = 0; i < count; i++) noc_async_read(get_noc_addr(0, pages), l1, page);
    noc_async_read_barrier();
}'''


def test_a_bank_every_core_reads_at_once_is_never_idle_until_the_last_read(dev):
    """All cores issue their reads of one page at once, one barrier at the end: the bank has work queued from the first
    read's arrival on, so it serves them back to back. The scheduler runs core after core, so the later ones book far
    behind a stretch the earlier ones filled: a booking that skipped a free cycle would leave the bank idle and end
    later, one that took a busy cycle would end sooner."""
    src = dev.buffer(PAGE, page=PAGE)
    cores = tt.CoreRange((0, 0), (dev.chip.grid[0] - 1, dev.chip.grid[1] - 1))
    count, t = 16, dev.chip.timing
    prog = tt.Program(dev, cores, reader=READ_SAME, reader_args=[src.addr, count, dev.chip.l1_unreserved_base, PAGE])
    run = dev.run(prog)
    reads = count * dev.chip.num_cores
    bytes_, busy = run.stats.banks[0]
    assert bytes_ == reads * PAGE and busy >= reads * PAGE / t.dram_bytes_per_cycle
    w, h = dev.chip.noc_size
    # before the first read reaches the bank and after the last leaves it: one core's issues, the trip there and back
    # (read latency, hops), the packet's time on the links
    around = count * (t.api_cycles + t.noc_issue_cycles) + t.read_latency + 2 * t.hop_cycles * (w + h) + 2 * PAGE / t.noc_bytes_per_cycle
    assert busy <= run.cycles - run.stats.launch <= busy + around
    src.free()


def test_all_cores_reading_one_cores_l1_share_its_port(dev):
    cores = tt.CoreRange((0, 0), (dev.chip.grid[0] - 1, dev.chip.grid[1] - 1))
    l1 = dev.chip.l1_unreserved_base
    x, y = dev.chip.noc_xy((5, 4))
    prog = tt.Program(dev, cores, reader=READ_L1, reader_args=lambda c: [x, y, COUNT, l1, l1 + PAGE, PAGE])
    run = dev.run(prog)
    t = dev.chip.timing
    moved = PAGE * COUNT * dev.chip.num_cores
    assert run.stats.l1[(5, 4)][0] >= moved
    port = min(t.l1_bytes_per_cycle, t.noc_bytes_per_cycle)  # one port, or the one link into the core's router out
    assert run.cycles >= moved / port
    within_limits(run, dev.chip)


def test_stats_add_up_and_name_the_critical_thread(dev):
    ok, run = importlib.import_module("tensix.examples.dram_copy_all_cores").main(dev, mib=1)
    s = run.stats
    assert len(s.threads) == 2 * dev.chip.num_cores
    for (core, proc), th in s.threads.items():  # a data-movement thread is either busy or waiting on something
        assert th.launch + th.busy + th.waiting == th.cycles, (core, proc)
    key, who = s.critical()
    assert s.threads[key].cycles == max(th.cycles for th in s.threads.values())
    text = str(run)
    assert who in text and "GB/s" in text and "busiest link" in text


def test_timing_modes_give_the_same_bytes_and_ordered_is_close(dev):
    # the strictly time-ordered reference and the default calendars: same results; contention figures near each other
    mod = importlib.import_module("tensix.examples.dram_copy_all_cores")
    runs = {}
    for mode in ("calendar", "ordered", "simple"):
        d = tt.Device("e150", hang_seconds=5, echo=False, timing=mode)
        ok, runs[mode] = mod.main(d, mib=4)
        d.close()
        assert ok
    assert abs(runs["calendar"].cycles - runs["ordered"].cycles) <= 0.25 * runs["ordered"].cycles
    # threads switch at every NoC call in time order: multicasts from many senders stay right
    d = tt.Device("e150", hang_seconds=5, echo=False, timing="ordered")
    assert importlib.import_module("tensix.examples.matmul_multicast").main(d, size=256)[0]
    d.close()
    assert runs["simple"].cycles < runs["ordered"].cycles  # nothing shared: far too fast, as before the model


def test_a_launch_costs_time(dev):
    empty = tt.Program(dev, (0, 0), reader='#include "dataflow_api.h"\nvoid kernel_main() {}')
    run = dev.run(empty)
    t = dev.chip.timing
    assert run.cycles >= t.launch_program_cycles + t.launch_binary_cycles
    assert run.seconds < 10e-6  # tt-metal's goal for an empty program


def test_a_kernel_may_charge_cycles_for_its_scalar_work(dev):
    src = '#include "dataflow_api.h"\nvoid kernel_main() { tensix_charge_cycles(get_arg_val<uint32_t>(0)); }'
    compute = '#include "compute_kernel_api.h"\nnamespace NAMESPACE { void MAIN { tensix_charge_cycles(get_arg_val<uint32_t>(0)); } }'
    base = dev.run(tt.Program(dev, (0, 0), reader=src, compute=compute, reader_args=[0], compute_args=[0])).cycles
    for reader, math in ((100000, 0), (0, 200000)):
        run = dev.run(tt.Program(dev, (0, 0), reader=src, compute=compute, reader_args=[reader], compute_args=[math]))
        assert run.cycles == base + max(reader, math)
        key = ((0, 0), "TRISC" if math else "NCRISC")
        assert run.stats.threads[key].busy >= max(reader, math)


def test_a_multicast_takes_each_link_of_its_tree_once(dev):
    # core (0, 0) at NoC (1, 1) multicasts 8 KiB to the seven cores to its right, on NoC 0 (rightwards)
    src = r'''
#include "dataflow_api.h"
void kernel_main() {
    uint32_t l1 = get_arg_val<uint32_t>(0);
    noc_async_write_multicast(l1, get_noc_multicast_addr(2, 1, 8, 1, l1), 8192, 7);
    noc_async_write_barrier();
}'''
    run = dev.run(tt.Program(dev, (0, 0), writer=src, writer_args=[dev.chip.l1_unreserved_base]))
    links = run.stats.links
    assert sorted(links) == [(0, (x, 1), "x") for x in range(1, 8)]   # (1,1) -> (8,1): seven links, along x
    assert all(b == 8192 for b, _ in links.values())                  # each carried the data once, not once per core
    assert all(run.stats.l1[(x, 0)][0] == 8192 for x in range(1, 8))  # and each destination took it in
    assert run.cycles >= 8192 / dev.chip.timing.noc_bytes_per_cycle


def test_element_wise_cost_follows_the_format(dev):
    # tt-budabackend's fit: an add costs twice as much per tile on float32 values as on 16-bit ones
    ew = importlib.import_module("tensix.examples.eltwise_binary")
    a = np.ones((32, 32 * 16), np.float32)
    busy = {}
    for fmt in (tt.bfloat16, tt.float32):
        ta, tb = dev.buffer(tt.tilize(a), fmt=fmt), dev.buffer(tt.tilize(a), fmt=fmt)
        tc = dev.buffer(ta.size, page=ta.page)
        compute = tt.Kernel(ew.COMPUTE, "add", defines={"ELTWISE_OP": "add_tiles", "ELTWISE_OP_INIT": "add_tiles_init"})
        prog = tt.Program(dev, (0, 0), reader=ew.READER, compute=compute, writer=ew.WRITER, reader_args=[ta.addr, tb.addr, 16],
                          compute_args=[16], writer_args=[tc.addr, 16], cbs=[tt.CB(i, fmt, 2) for i in (0, 1, 16)])
        run = dev.run(prog)
        assert (tc.read(fmt) == 2).all()
        busy[fmt.name] = run.stats.threads[((0, 0), "TRISC")].busy
        for buf in (ta, tb, tc): buf.free()
    t = dev.chip.timing
    assert busy[tt.float32.name] - busy[tt.bfloat16.name] == 16 * t.binary_cycles
