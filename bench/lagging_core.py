"""The NoC calendars when cores lag behind a resource others booked solid: every core of a row reads the same DRAM
page over and over (small reads, one barrier at the end), so the bank and the links near it are busy from the first
core's start to its end, and the scheduler, running one core after another, has each later core book from its own
early start into that stretch (a convolution's gathered reads on tinygrad do the same). Before the calendars jumped
over full buckets, each booking walked the stretch bucket by bucket: the engine's time grew with the square of the
reads.

    python bench/lagging_core.py [reads per core] [cores]
"""
import sys
import tensix as tt
from measure import interleaved, load, ms, usage

READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), n = get_arg_val<uint32_t>(1), size = get_arg_val<uint32_t>(2);
    uint64_t from = get_noc_addr_from_bank_id<true>(0, src);
    uint32_t l1 = get_write_ptr(0);
    for (uint32_t i = 0; i < n; i++) noc_async_read(from, l1, size);
    noc_async_read_barrier();
}"""


def main(reads=4000, cores=8, size=64):
    dev = tt.Device(echo=False)
    buf = dev.buffer(size, page=size)
    prog = tt.Program(dev, [(x, 0) for x in range(cores)], reader=tt.Kernel(READER, "lagging_reader"),
                      reader_args=[buf.addr, reads, size], cbs=[tt.CB(0, tt.bfloat16, 1)])
    last = {}
    r = interleaved({"tensix": lambda: last.update(run=dev.run(prog))}, repeat=5, dev=dev)
    print(f"{cores} cores x {reads} reads of {size} B from one DRAM bank ({load()}): {ms(r['tensix'])}; "
          f"{last['run'].cycles} chip cycles")
    dev.close()


if __name__ == "__main__":
    usage(__doc__)
    main(*map(int, sys.argv[1:3]))
