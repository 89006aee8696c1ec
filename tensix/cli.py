"""The `tensix` command: run the examples (demo), show the device (info), trace an example (trace), the last run (top)."""
import argparse, importlib, os, sys, time
from .chips import CHIPS

EXAMPLES = ["add_13_7", "loopback", "dram_copy_all_cores", "ring", "eltwise_binary", "eltwise_sfpu", "matmul_single_core",
            "matmul_multi_core", "matmul_multicast", "reduce", "transpose", "softmax", "matmul_bias_gelu", "tilize_untilize",
            "layernorm", "where_today"]  # where_today: today's tt-metal dialect


def info(args):
    from .device import Device
    c = Device(args.device).chip
    cols, rows = c.grid
    print(f"{c.name} ({c.arch}), simulated: {c.num_cores} compute cores ({cols} x {rows}), {c.clock_hz / 1e9:g} GHz")
    print(f"  L1     {c.l1_size // 1024} KiB per core; programs use {c.l1_unreserved_base:#x}..{c.l1_size:#x}")
    print(f"  DRAM   {len(c.dram_banks)} banks x {c.dram_bank_size >> 30} GiB at NoC {' '.join(f'({x},{y})' for x, y in c.dram_banks)}")
    print(f"  NoC    {c.noc_size[0]} x {c.noc_size[1]}, two one-way tori, {c.timing.noc_bytes_per_cycle:g} B/cycle per link")
    if c.estimated: print(f"  estimated: {c.estimated}")
    letter = {(x, y): "C" for x in c.worker_x for y in c.worker_y}
    letter.update({xy: "D" for xy in c.dram_banks})
    legend = ["C compute core (logical (0,0) is the first C of the top row)", "D DRAM bank"]
    for mark, what, places in c.landmarks:
        letter.update({xy: mark for xy in places})
        legend.append(f"{mark} {what}")
    print("\nThe NoC grid, x across, y down:")
    print("     " + "".join(f"{x:>3}" for x in range(c.noc_size[0])))
    for y in range(c.noc_size[1]):
        print(f"  {y:>2} " + "".join(f"{letter.get((x, y), '.'):>3}" for x in range(c.noc_size[0])))
    print("\n".join(f"  {line}" for line in legend + [". nothing a kernel addresses"]))


def demo(args):
    from . import build
    from .device import Device
    dev = Device(args.device, echo=False)
    build.engine()  # its one-time compile notice before the table, not inside it
    print(f"tensix demo on a simulated {dev.chip.name} (first run compiles the engine and kernels; later runs reuse them)")
    print(f"{'example':<22}{'result':<8}{'cycles':>10}{'on chip':>12}{'DRAM':>11}{'TFLOPS':>8}{'wall':>10}")
    failed = 0
    for name in EXAMPLES:
        t0 = time.perf_counter()
        try:
            ok, run = importlib.import_module(f"tensix.examples.{name}").main(dev)
            cycles, chip_us = run.cycles, f"{run.seconds * 1e6:.1f} us"
            gbps, tflops = f"{run.stats.dram_gbps:.1f} GB/s", f"{run.stats.tflops:.2f}"
        except Exception as e:  # one example failing must not hide the others
            ok, cycles, chip_us, gbps, tflops = False, "-", "-", "-", "-"
            print(f"{name}: {type(e).__name__}: {e}", file=sys.stderr)
        failed += not ok
        print(f"{name:<22}{'PASS' if ok else 'FAIL':<8}{cycles:>10}{chip_us:>12}{gbps:>11}{tflops:>8}{(time.perf_counter() - t0) * 1e3:>8.0f} ms")
    dev.close()
    print(f"{len(EXAMPLES) - failed} passed, {failed} failed")
    return 1 if failed else 0


def trace(args):
    from .device import Device
    if args.example not in EXAMPLES: sys.exit(f"tensix trace: no example {args.example!r}; the examples: {', '.join(EXAMPLES)}")
    dev = Device(args.device, echo=False)
    ok, run = importlib.import_module(f"tensix.examples.{args.example}").main(dev)
    path = args.output or f"{args.example}.trace.json"
    run.save_trace(path)
    print(run)
    print(f"{args.example}: {'PASS' if ok else 'FAIL'}; trace written to {path} (open it at https://ui.perfetto.dev)")
    dev.close()
    return 0 if ok else 1


def top(args):
    from .top import main as show
    return show(args.watch, args.all)


def main(argv=None):
    from . import __version__
    p = argparse.ArgumentParser(prog="tensix", description="Program Tenstorrent Tensix chips from Python, on a simulator of the chip.")
    p.add_argument("--version", action="version", version=f"tensix {__version__}")
    p.add_argument("--device", default=os.environ.get("TENSIX_DEVICE", "e150"), choices=sorted(CHIPS), help="which chip to simulate")
    # The global options are also taken after the command (`tensix demo --device n150`); there they are SUPPRESSed
    # when absent, so they do not undo one given before the command.
    glob = argparse.ArgumentParser(add_help=False)
    glob.add_argument("--device", default=argparse.SUPPRESS, choices=sorted(CHIPS), help="which chip to simulate")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("demo", parents=[glob], help="run every example and print one table")
    sub.add_parser("info", parents=[glob], help="show the device: chip, grid, cores, L1, DRAM banks")
    t = sub.add_parser("top", help="the simulated device's state and its last run: grid, memory, bandwidth, hot spots")
    t.add_argument("--watch", action="store_true", help="redraw every second (live for a program in another process)")
    t.add_argument("--all", action="store_true", help="every device that has run, not only the freshest")
    t = sub.add_parser("trace", parents=[glob], help="run an example and write a Perfetto trace of it")
    t.add_argument("example", help=f"one of: {', '.join(EXAMPLES)}")
    t.add_argument("-o", "--output", help="where to write the trace (default EXAMPLE.trace.json)")
    args = p.parse_args(argv)
    try:
        code = {"demo": demo, "info": info, "trace": trace, "top": top}[args.cmd](args) or 0
        sys.stdout.flush()  # here, not at exit, so that a reader that has gone (`tensix info | head`) is caught below
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the exit's own flush would fail again
        return 1


if __name__ == "__main__":
    sys.exit(main())
