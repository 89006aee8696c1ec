"""The race detector's cost when every core writes into one core's L1 (a gather): each write is checked against the
writes there before it that share its 512-byte stretches of L1 (all of them, before session 11: quadratic). Runs the
same program on a device with the detector, then on one without.

    python bench/l1_gather.py [writes per core]     # default 100: 107 cores x 100 writes of 32 bytes into core (0, 0)
"""
import sys
import tensix as tt
from measure import interleaved, load, ms, usage

WRITER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t dst = get_arg_val<uint32_t>(0), me = get_arg_val<uint32_t>(1), n = get_arg_val<uint32_t>(2);
    uint32_t x = get_arg_val<uint32_t>(3), y = get_arg_val<uint32_t>(4);
    for (uint32_t i = 0; i < n; i++) {
        noc_async_write(get_write_ptr(0), get_noc_addr(x, y, dst + (me * n + i) * 32), 32);
        noc_async_write_barrier();
    }
}"""


def senders(dev):
    return [(x, y) for y in range(dev.chip.grid[1]) for x in range(dev.chip.grid[0])][1:]


def gather(dev, n):
    cores = senders(dev)
    base = dev.chip.l1_unreserved_base + 64 * 1024  # past the senders' circular buffer
    if len(cores) * n * 32 > dev.chip.l1_size - base: raise SystemExit(f"{n} writes per core do not fit in one L1")
    return tt.Program(dev, cores, writer=WRITER, cbs=[tt.CB(0, tt.bfloat16, 1)],
                      writer_args=lambda c: [base, cores.index(c), n, *dev.chip.noc_xy((0, 0))])


def main(n=100):
    devs = {"races on": tt.Device(echo=False), "races off": tt.Device(echo=False, races=False)}
    progs = {k: gather(d, n) for k, d in devs.items()}
    r = {k: interleaved({k: lambda k=k: devs[k].run(progs[k])}, dev=devs[k])[k] for k in devs}
    print(f"{len(senders(devs['races on']))} cores x {n} writes of 32 bytes into one core's L1 ({load()}): " +
          "; ".join(f"{k} {ms(v)}" for k, v in r.items()))
    for d in devs.values(): d.close()


if __name__ == "__main__":
    usage(__doc__)
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
