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
        assert th.busy >= 0 and th.cycles <= s.cycles, (core, proc)
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
    for th in s.threads.values():
        assert th.launch + th.busy + th.waiting == th.cycles
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
    assert runs["simple"].cycles < runs["ordered"].cycles  # nothing shared: far too fast, as before the model


def test_a_launch_costs_time(dev):
    empty = tt.Program(dev, (0, 0), reader='#include "dataflow_api.h"\nvoid kernel_main() {}')
    run = dev.run(empty)
    t = dev.chip.timing
    assert run.cycles >= t.launch_program_cycles + t.launch_binary_cycles
    assert run.seconds < 10e-6  # tt-metal's goal for an empty program
