"""For comparison only: the same element-wise add and matmul on tt-lang-sim (Tenstorrent's pure-Python functional
simulator of TT-Lang kernels, no timing model), written as its tutorials write them, each call from torch tensors to a
torch result like bench/eltwise_add.py and bench/matmul.py do from numpy, beside numpy float32. tt-lang-sim is never a
dependency of tensix: install it into a separate environment and run this file with its runner.

    python -m venv /tmp/ttlang && /tmp/ttlang/bin/pip install tt-lang-sim
    /tmp/ttlang/bin/tt-lang-sim bench/ttlang_sim.py [add_size] [matmul_size]      # default 4096 1024
"""
import os, sys, time
import numpy as np
import torch
import ttnn
import ttl

TILE, BLOCK = 32, 4  # blocks of 4 x 4 tiles, as the tutorials use


def to_device(t):
    return ttnn.from_torch(t, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device, memory_config=ttnn.DRAM_MEMORY_CONFIG)


def per_node(n_blocks, grid): return -(-n_blocks // grid)


@ttl.operation(grid="full")
def add_op(a: ttnn.Tensor, b: ttnn.Tensor, y: ttnn.Tensor):
    rows, cols = a.shape[0] // TILE // BLOCK, a.shape[1] // TILE // BLOCK
    grid_cols, grid_rows = ttl.grid_size(dims=2)
    rpn, cpn = per_node(rows, grid_rows), per_node(cols, grid_cols)
    a_dfb = ttl.make_dataflow_buffer_like(a, shape=(BLOCK, BLOCK), block_count=2)
    b_dfb = ttl.make_dataflow_buffer_like(b, shape=(BLOCK, BLOCK), block_count=2)
    y_dfb = ttl.make_dataflow_buffer_like(y, shape=(BLOCK, BLOCK), block_count=2)

    def blocks():
        node_col, node_row = ttl.node(dims=2)
        for r in range(node_row * rpn, min(rows, (node_row + 1) * rpn)):
            for c in range(node_col * cpn, min(cols, (node_col + 1) * cpn)):
                yield slice(r * BLOCK, (r + 1) * BLOCK), slice(c * BLOCK, (c + 1) * BLOCK)

    @ttl.compute()
    def compute():
        for _ in blocks():
            with a_dfb.wait() as x, b_dfb.wait() as z, y_dfb.reserve() as out:
                out.store(x + z)

    @ttl.datamovement()
    def read():
        for rs, cs in blocks():
            with a_dfb.reserve() as x, b_dfb.reserve() as z:
                tx = ttl.copy(a[rs, cs], x)
                tz = ttl.copy(b[rs, cs], z)
                tx.wait()
                tz.wait()

    @ttl.datamovement()
    def write():
        for rs, cs in blocks():
            with y_dfb.wait() as out:
                tx = ttl.copy(out, y[rs, cs])
                tx.wait()


@ttl.operation(grid="full")
def matmul_op(a: ttnn.Tensor, b: ttnn.Tensor, y: ttnn.Tensor):
    m_blocks, n_blocks, k_blocks = a.shape[0] // TILE // BLOCK, b.shape[1] // TILE // BLOCK, a.shape[1] // TILE // BLOCK
    grid_n, grid_m = ttl.grid_size(dims=2)
    mpn, npn = per_node(m_blocks, grid_m), per_node(n_blocks, grid_n)
    a_dfb = ttl.make_dataflow_buffer_like(a, shape=(BLOCK, BLOCK), block_count=2)
    b_dfb = ttl.make_dataflow_buffer_like(b, shape=(BLOCK, BLOCK), block_count=2)
    acc_dfb = ttl.make_dataflow_buffer_like(y, shape=(BLOCK, BLOCK), block_count=2)
    y_dfb = ttl.make_dataflow_buffer_like(y, shape=(BLOCK, BLOCK), block_count=2)

    def blocks():
        node_n, node_m = ttl.node(dims=2)
        for m in range(node_m * mpn, min(m_blocks, (node_m + 1) * mpn)):
            for n in range(node_n * npn, min(n_blocks, (node_n + 1) * npn)):
                yield m, n

    @ttl.datamovement()
    def read():
        for m, n in blocks():
            for k in range(k_blocks):
                with a_dfb.reserve() as x, b_dfb.reserve() as z:
                    tx = ttl.copy(a[m * BLOCK:(m + 1) * BLOCK, k * BLOCK:(k + 1) * BLOCK], x)
                    tz = ttl.copy(b[k * BLOCK:(k + 1) * BLOCK, n * BLOCK:(n + 1) * BLOCK], z)
                    tx.wait()
                    tz.wait()

    @ttl.compute()
    def compute():
        for _ in blocks():
            with acc_dfb.reserve() as acc:
                acc.store(ttl.block.fill(0, shape=acc.shape))
            for _ in range(k_blocks):
                with a_dfb.wait() as x, b_dfb.wait() as z, acc_dfb.wait() as pre:
                    with acc_dfb.reserve() as acc:
                        acc.store(pre + x @ z)
            with acc_dfb.wait() as acc, y_dfb.reserve() as out:
                out.store(acc + ttl.block.fill(0, shape=acc.shape))

    @ttl.datamovement()
    def write():
        for m, n in blocks():
            with y_dfb.wait() as out:
                tx = ttl.copy(out, y[m * BLOCK:(m + 1) * BLOCK, n * BLOCK:(n + 1) * BLOCK])
                tx.wait()


def run(op, a, b, rows, cols):
    y = to_device(torch.zeros((rows, cols), dtype=torch.bfloat16))
    op(to_device(a), to_device(b), y)
    return ttnn.to_torch(y)


def timed(cases, repeat=3):
    got = {k: [] for k in cases}
    for _ in range(repeat):
        for k, f in cases.items():
            c0, t0 = time.process_time(), time.perf_counter()
            f()
            got[k].append((time.perf_counter() - t0, time.process_time() - c0))
    return {k: np.median(np.array(v), axis=0) for k, v in got.items()}


def report(what, r):
    load = f"load {os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} CPUs"
    base = r["numpy"][0]
    print(f"{what} ({load}): " + "; ".join(f"{k} {w * 1e3:.1f} ms (CPU {c * 1e3:.0f} ms)" for k, (w, c) in r.items()) +
          f"; ratio {r['tt-lang-sim'][0] / base:.1f}x numpy")


device = ttnn.open_device(device_id=0)
try:
    n_add = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
    n_mm = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    x, y = (torch.randn((n_add, n_add), dtype=torch.bfloat16) for _ in range(2))
    xf, yf = x.float().numpy(), y.float().numpy()
    out = run(add_op, x, y, n_add, n_add)
    assert torch.allclose(out.float(), (x + y).float(), rtol=1e-2, atol=1e-2)
    report(f"element-wise add {n_add}x{n_add} bfloat16", timed({"numpy": lambda: xf + yf,
                                                                 "tt-lang-sim": lambda: run(add_op, x, y, n_add, n_add)}))
    a, b = (torch.randn((n_mm, n_mm), dtype=torch.bfloat16) for _ in range(2))
    af, bf = a.float().numpy(), b.float().numpy()
    out = run(matmul_op, a, b, n_mm, n_mm)
    assert torch.allclose(out.float(), torch.from_numpy(af @ bf), rtol=5e-2, atol=1.0)
    report(f"matmul {n_mm}^3 bfloat16", timed({"numpy": lambda: af @ bf, "tt-lang-sim": lambda: run(matmul_op, a, b, n_mm, n_mm)}))
finally:
    ttnn.close_device(device)
