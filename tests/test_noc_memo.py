"""A run that makes the last run's NoC bookings again gets the last run's answers without booking them (noc.cpp): so
every run's cycles and NoC report must be what a fresh device, which has booked nothing before, gives for the same
program, whatever ran before it on the device: the same program, one whose traffic ends earlier or later, or one
that differs in the middle of the run."""
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
        if (mcast && i % 3 == 0)  // to the cores (1, 1) to (2, 1), beside their own copies
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


def run(dev, variant):
    counts, firsts, mcast, waits = VARIANTS[variant]
    a, b = dev.buffer(64 * 2048, page=2048), dev.buffer(64 * 2048, page=2048)
    (x0, y0), (x1, y1) = dev.chip.noc_xy((1, 1)), dev.chip.noc_xy((2, 1))
    l1 = dev.chip.l1_unreserved_base

    def args(core):
        i = CORES.index(core)
        return [a.addr, b.addr, firsts[i], counts[i], l1, int(mcast and i == 0), x0, y0, x1, y1, waits[i]]
    r = dev.run(tt.Program(dev, CORES, reader=tt.Kernel(COPY, "copy"), reader_args=args))
    a.free(); b.free()
    return r.cycles_by_thread, r.stats_text


@pytest.mark.parametrize("timing", ["calendar", "ordered"])
def test_runs_after_other_runs_time_as_on_a_fresh_device(timing):
    fresh = {}
    for variant in VARIANTS:
        with tt.Device(echo=False, timing=timing) as d: fresh[variant] = run(d, variant)
    assert len({str(f) for f in fresh.values()}) == len(VARIANTS)  # each variant's traffic times differently
    order = ["base", "base", "shorter", "base", "longer at the end", "base", "other tiles in the middle",
             "other tiles in the middle", "base", "later in the middle", "base", "no multicast", "base", "shorter",
             "shorter", "base"]
    with tt.Device(echo=False, timing=timing) as d:
        for i, variant in enumerate(order):
            assert run(d, variant) == fresh[variant], f"run {i} ({variant}) after {order[:i]}"
