"""A run that makes its program's last run's NoC bookings again gets their answers without booking them (noc.cpp): so
every run's cycles and NoC report must be what a fresh device, which has booked nothing before, gives for the same
program, whatever ran before it on the device: the same program, one whose traffic ends earlier or later, or one
that differs in the middle of the run, and other programs in between."""
import re
import pytest
import tensix as tt

COPY = r'''
#include "dataflow_api.h"
void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), dst = get_arg_val<uint32_t>(1), first = get_arg_val<uint32_t>(2);
    uint32_t count = get_arg_val<uint32_t>(3), l1 = get_arg_val<uint32_t>(4), mcast = get_arg_val<uint32_t>(5);
    InterleavedAddrGen<true> in = {src, 2048}, out = {dst, 2048};
    tensix_charge_cycles(get_arg_val<uint32_t>(10));
    for (uint32_t i = 0; i < count; i++) {
        noc_async_read(get_noc_addr(first + i, in), l1, 2048);
        noc_async_read_barrier();
        noc_async_write(l1, get_noc_addr(first + i, out), 2048);
        if (mcast && i % 3 == 0)  // to two other cores, beside their own copies
            noc_async_write_multicast(l1, get_noc_multicast_addr(get_arg_val<uint32_t>(6), get_arg_val<uint32_t>(7),
                                      get_arg_val<uint32_t>(8), get_arg_val<uint32_t>(9), l1 + 4096), 2048, 2);
        noc_async_write_barrier();
    }
}'''

CORES = [(x, y) for y in range(2) for x in range(3)]
FIRST = [0, 8, 16, 24, 32, 40]
VARIANTS = {  # name: (tiles per core, first tile of each core, multicast, a wait before it starts), in CORES' order
    "base": ([8] * 6, FIRST, True, [0] * 6),
    "shorter": ([5] * 6, FIRST, True, [0] * 6),
    "longer at the end": ([8] * 5 + [11], FIRST, True, [0] * 6),
    "other tiles in the middle": ([8] * 6, [0, 8, 16, 28, 32, 40], True, [0] * 6),
    "later in the middle": ([8] * 6, FIRST, True, [0, 0, 0, 20000, 0, 0]),  # the same packets, from another time on
    "no multicast": ([8] * 6, FIRST, False, [0] * 6),
}


def run(dev, variant, program="copy"):  # programs of other names are other kernel binaries, with the same code
    counts, firsts, mcast, waits = VARIANTS[variant]
    a, b = dev.buffer(64 * 2048, page=2048), dev.buffer(64 * 2048, page=2048)
    l1 = dev.chip.l1_unreserved_base
    to = {0: ((1, 1), (2, 1)), 5: ((0, 0), (1, 0))}  # the cores that multicast, and the rectangle each sends to

    def args(core):
        i = CORES.index(core)
        (x0, y0), (x1, y1) = map(dev.chip.noc_xy, to.get(i, ((0, 0), (0, 0))))
        return [a.addr, b.addr, firsts[i], counts[i], l1, int(mcast and i in to), x0, y0, x1, y1, waits[i]]
    r = dev.run(tt.Program(dev, CORES, reader=tt.Kernel(COPY, program, defines={"PROGRAM": program}), reader_args=args))
    a.free(); b.free()
    return r


def timing(r):  # a run's cycles and NoC report, without the counts of bookings made and repeated
    return r.cycles_by_thread, re.sub(r'"repeated": \d+, "booked": \d+, ', "", r.stats_text)


MIXED = [  # (program, variant): two programs, each with its log
    ("copy", "base"), ("other", "base"), ("copy", "base"), ("other", "shorter"), ("copy", "base"), ("other", "base"),
    ("copy", "other tiles in the middle"), ("other", "base"), ("copy", "base"),
    ("copy", "later in the middle"), ("other", "no multicast"), ("copy", "later in the middle"), ("other", "base"),
    ("copy", "shorter"), ("other", "longer at the end")]


@pytest.mark.parametrize("mode", ["calendar", "ordered"])
def test_runs_after_other_runs_time_as_on_a_fresh_device(mode):
    fresh = {}
    for variant in VARIANTS:
        with tt.Device(echo=False, timing=mode) as d: fresh[variant] = timing(run(d, variant))
    assert len({str(f) for f in fresh.values()}) == len(VARIANTS)  # each variant's traffic times differently
    order = ["base", "base", "shorter", "base", "longer at the end", "base", "other tiles in the middle",
             "other tiles in the middle", "base", "later in the middle", "base", "no multicast", "base", "shorter",
             "shorter", "base"]
    with tt.Device(echo=False, timing=mode) as d:
        for i, variant in enumerate(order):
            assert timing(run(d, variant)) == fresh[variant], f"run {i} ({variant}) after {order[:i]}"
        for i, (program, variant) in enumerate(MIXED):
            assert timing(run(d, variant, program)) == fresh[variant], f"run {i} ({program}, {variant}) after {MIXED[:i]}"


def test_a_run_that_repeats_its_programs_last_books_nothing(dev):
    """Its packets and multicasts (two senders, each to other cores) all take their timing from its program's last run,
    with other programs run in between."""
    first, _, again = run(dev, "base"), run(dev, "shorter", "other"), run(dev, "base")
    total = first.stats.bookings_made + first.stats.bookings_repeated
    assert total > 6 * 8 * 2 and (again.stats.bookings_made, again.stats.bookings_repeated) == (0, total)
    assert timing(again) == timing(first)


def test_more_programs_than_the_logs_hold_still_time_right(dev):
    """A program whose log made way for others' (noc.cpp keeps the last 16) books afresh, right."""
    want = timing(run(dev, "later in the middle"))
    for i in range(17):
        dev.run(tt.Program(dev, CORES[:2], reader=tt.Kernel(COPY, f"program_{i}", defines={"PROGRAM": str(i)}),
                           reader_args=lambda core: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000 * i]))
    again = run(dev, "later in the middle")
    assert again.stats.bookings_repeated == 0 and timing(again) == want
