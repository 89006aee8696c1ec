"""tt-metal's matmul_multi_core: the output tiles of C = A @ B split over the whole compute grid, each core running
matmul_single_core's kernels on its share (every core reads its A and B tiles from DRAM itself)."""
import tensix as tt
from tensix.examples.matmul_single_core import check, inputs, run_matmul


def main(dev=None, m=1024, k=1024, n=1024, fidelity="HiFi4"):
    dev = dev or tt.Device()
    a, b = inputs(m, k, n, seed=1)
    cols, rows = dev.chip.grid
    c, run = run_matmul(dev, a, b, tt.CoreRange((0, 0), (cols - 1, rows - 1)), fidelity)
    return check(c, a, b, fidelity)[0], run


if __name__ == "__main__":
    ok, run = main()
    print(f"matmul_multi_core 1024x1024x1024: {'PASS' if ok else 'FAIL'} ({run.cycles} cycles, {run.seconds * 1e3:.3f} ms on the chip)")
