"""A token goes round the whole grid: each core waits on its semaphore, takes the token from its own L1 through a
pointer, adds one, writes it into the next core's L1 over the NoC and increments that core's semaphore. After
`laps` times round, the first core writes the token to DRAM: it must equal laps x cores."""
import numpy as np
import tensix as tt

KERNEL = r"""
#include "dataflow_api.h"

void kernel_main() {
    uint32_t next_x = get_arg_val<uint32_t>(0), next_y = get_arg_val<uint32_t>(1);
    uint32_t first = get_arg_val<uint32_t>(2), laps = get_arg_val<uint32_t>(3), out_addr = get_arg_val<uint32_t>(4);
    uint32_t token_addr = get_arg_val<uint32_t>(5);
    volatile tt_l1_ptr uint32_t* token = (volatile tt_l1_ptr uint32_t*)token_addr;  // same address on every core
    volatile tt_l1_ptr uint32_t* arrived = (volatile tt_l1_ptr uint32_t*)get_semaphore(0);
    uint64_t next_token = get_noc_addr(next_x, next_y, token_addr);
    uint64_t next_arrived = get_noc_addr(next_x, next_y, get_semaphore(0));
    if (first) *token = 0;
    for (uint32_t lap = 0; lap < laps; lap++) {
        if (!first || lap > 0) {
            noc_semaphore_wait(arrived, 1);
            noc_semaphore_set(arrived, 0);
        }
        *token = *token + 1;
        noc_async_write(token_addr, next_token, 4);
        noc_async_write_barrier();  // the token lands before the semaphore says so
        noc_semaphore_inc(next_arrived, 1);
    }
    if (first) {
        noc_semaphore_wait(arrived, 1);
        noc_semaphore_set(arrived, 0);
        InterleavedAddrGen<true> out = {out_addr, 4};
        noc_async_write(token_addr, out.get_noc_addr(0), 4);
        noc_async_write_barrier();
    }
}
"""


def ring_order(cols, rows):
    """A cycle through every core in which neighbours are adjacent: down column 0, then snake back up the rest."""
    order = [(0, y) for y in range(rows)]
    for i, y in enumerate(reversed(range(rows))):
        xs = range(1, cols) if i % 2 == 0 else reversed(range(1, cols))
        order += [(x, y) for x in xs]
    return order


def main(dev=None, laps=3):
    dev = dev or tt.Device()
    cols, rows = dev.chip.grid
    order = ring_order(cols, rows)
    after = {c: order[(i + 1) % len(order)] for i, c in enumerate(order)}
    out = dev.buffer(np.zeros(4, np.uint32))
    token_addr = dev.chip.l1_unreserved_base
    args = lambda core: [*dev.chip.noc_xy(after[core]), core == order[0], laps, out.addr, token_addr]  # noqa: E731
    prog = tt.Program(dev, tt.CoreRange((0, 0), (cols - 1, rows - 1)), writer=tt.Kernel(KERNEL, "ring"), writer_args=args,
                      semaphores=[0])
    run = dev.run(prog)
    ok = int(out.read(np.uint32)[0]) == laps * len(order)
    out.free()
    return ok, run


if __name__ == "__main__":
    ok, run = main()
    print(f"ring: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e6:.1f} us on the chip)")
