"""The engine's helper threads: results (bytes and cycles) are the same whatever the number of threads, and the engine
counts only the processors it may use."""
import os, platform, subprocess, sys, time
import numpy as np
import pytest
import tensix as tt
from tensix import reference
from tensix.examples import matmul_multicast, matmul_single_core
from tensix.examples.matmul_single_core import inputs

READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t a = get_arg_val<uint32_t>(0), b = get_arg_val<uint32_t>(1);
    const InterleavedAddrGenFast<true> A = {a, get_tile_size(0), get_dataformat(0)}, B = {b, get_tile_size(1), get_dataformat(1)};
    cb_reserve_back(0, 1); noc_async_read_tile(0, A, get_write_ptr(0));
    cb_reserve_back(1, 8);
    for (uint32_t i = 0; i < 8; i++) noc_async_read_tile(i, B, get_write_ptr(1) + i * get_tile_size(1));
    noc_async_read_barrier();
    cb_push_back(0, 1); cb_push_back(1, 8);
}"""
# 8 destination tiles, each a @ b[d] accumulated `repeats` times in a float32 register (a bfloat16 one would stop
# changing once the sums are large): all of it queued until the register is packed, so the engine may share the
# destination tiles out between threads.
COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
namespace NAMESPACE { void MAIN {
    uint32_t repeats = get_arg_val<uint32_t>(0);
    mm_init(0, 1, 16);
    cb_wait_front(0, 1); cb_wait_front(1, 8);
    acquire_dst(tt::DstMode::Full);
    for (uint32_t r = 0; r < repeats; r++)
        for (uint32_t d = 0; d < 8; d++) matmul_tiles(0, 1, 0, d, d, false);
    cb_reserve_back(16, 8);
    for (uint32_t d = 0; d < 8; d++) pack_tile(d, 16);
    cb_push_back(16, 8);
    release_dst(tt::DstMode::Full);
} }"""
WRITER = r"""
#include "dataflow_api.h"
void kernel_main() {
    const InterleavedAddrGenFast<true> C = {get_arg_val<uint32_t>(0), get_tile_size(16), get_dataformat(16)};
    cb_wait_front(16, 8);
    for (uint32_t i = 0; i < 8; i++) noc_async_write_tile(i, C, get_read_ptr(16) + i * get_tile_size(16));
    noc_async_write_barrier();
    cb_pop_front(16, 8);
}"""
REPEATS = 512  # enough work that helpers wake up in time to take some of it
rng = np.random.default_rng(11)
A = tt.round_bfloat16(rng.standard_normal((32, 32)))
B = [tt.round_bfloat16(rng.standard_normal((32, 32))) for _ in range(8)]


def many_matmuls(dev):
    a = dev.buffer(tt.tilize(A), fmt=tt.bfloat16)
    b = dev.buffer(np.concatenate([tt.tilize(x) for x in B]), fmt=tt.bfloat16)
    c = dev.buffer(8 * 4096, page=4096)
    compute = tt.Kernel(COMPUTE, "many_matmuls", fp32_dest_acc_en=True)
    run = dev.run(tt.Program(dev, (0, 0), reader=READER, compute=compute, writer=WRITER, reader_args=[a.addr, b.addr],
                             compute_args=[REPEATS], writer_args=[c.addr],
                             cbs=[tt.CB(0, tt.bfloat16, 1), tt.CB(1, tt.bfloat16, 8), tt.CB(16, tt.float32, 8)]))
    out = c.read(tt.float32).reshape(8, 1024)
    return [tt.untilize(t, 32, 32) for t in out], run


def engine_threads(dev):
    return len(os.listdir(f"/proc/{dev.sim.engine.pid}/task"))


def with_threads(n, f, chip="e150"):
    """f(device) on an engine started with TENSIX_THREADS=n."""
    old = os.environ.get("TENSIX_THREADS")
    os.environ["TENSIX_THREADS"] = str(n)
    try:
        with tt.Device(chip, echo=False) as dev:
            result = f(dev)
            assert engine_threads(dev) == n
            return result
    finally:
        if old is None: del os.environ["TENSIX_THREADS"]
        else: os.environ["TENSIX_THREADS"] = old


def on_engine(f, chip="e150", **env):
    """f(device) on an engine started with these environment variables set."""
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with tt.Device(chip, echo=False) as dev: return f(dev)
    finally:
        for k, v in old.items():
            if v is None: del os.environ[k]
            else: os.environ[k] = v


def test_queued_matmuls_shared_between_threads_give_the_reference_and_the_same_bytes():
    results = {n: with_threads(n, many_matmuls, "n150") for n in (1, 3)}
    for d in range(8):  # a @ b[d], `REPEATS` times along k, the register rounding after each
        want = reference.matmul(np.tile(A, REPEATS), np.tile(B[d], (REPEATS, 1)), fp32_dest=True)
        # numpy sums the 16384 products in another order: float32 rounding differs by a few hundred ulps of the
        # products' magnitude (a random walk over k), whatever BLAS kernel this machine's numpy picks
        scale = np.abs(A) @ np.abs(B[d]) * REPEATS
        assert np.all(np.abs(results[1][0][d] - want) <= 3e-5 * scale)
    (one, run1), (three, run3) = results[1], results[3]
    assert all(np.array_equal(x.view(np.uint32), y.view(np.uint32)) for x, y in zip(one, three))
    assert run1.cycles_by_thread == run3.cycles_by_thread


# Each core flushes 128 queued matmuls into 8 tiles and unpacks 96 operand tiles at a time: both are shared out, a
# tile a chunk. With k blocks of 2 tiles (as at 4096^3), a flush is 16 matmuls into 8 tiles: two chunks of four.
@pytest.mark.parametrize("fidelity, threads, block_w", [("HiFi4", (1, 2, 4), None), ("HiFi3", (1, 3), None),
                                                        ("LoFi", (1, 3), None), ("HiFi4", (1, 3), 2)])
def test_matmul_multicast_is_bit_identical_with_one_and_with_several_threads(fidelity, threads, block_w):
    a, b = inputs(512, 512, 512, seed=5)
    run = lambda dev: matmul_multicast.run_matmul(dev, a, b, (4, 4), block_w, fidelity)
    results = {n: with_threads(n, run) for n in threads}
    (c1, r1) = results[1]
    assert reference.matmul_matches(c1, a, b, fidelity)
    for c, r in results.values():
        assert np.array_equal(c.view(np.uint32), c1.view(np.uint32))
        assert r.cycles_by_thread == r1.cycles_by_thread


# The operands of queued matmuls are unpacked late (with the matmuls, by any thread), but as their pages were when
# matmul_tiles named them: here in0's one page is popped and refilled between two matmuls into the same tile.
REFILL_READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    uint32_t a = get_arg_val<uint32_t>(0), b = get_arg_val<uint32_t>(1), n = get_arg_val<uint32_t>(2);
    const InterleavedAddrGenFast<true> A = {a, get_tile_size(0), get_dataformat(0)}, B = {b, get_tile_size(1), get_dataformat(1)};
    cb_reserve_back(1, 1); noc_async_read_tile(0, B, get_write_ptr(1)); noc_async_read_barrier(); cb_push_back(1, 1);
    for (uint32_t i = 0; i < n; i++) {
        cb_reserve_back(0, 1); noc_async_read_tile(i, A, get_write_ptr(0)); noc_async_read_barrier(); cb_push_back(0, 1);
    }
}"""
REFILL_COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
namespace NAMESPACE { void MAIN {
    uint32_t n = get_arg_val<uint32_t>(0);
    mm_init(0, 1, 16);
    cb_wait_front(1, 1);
    acquire_dst(tt::DstMode::Full);
    for (uint32_t i = 0; i < n; i++) { cb_wait_front(0, 1); matmul_tiles(0, 1, 0, 0, 0, false); cb_pop_front(0, 1); }
    cb_reserve_back(16, 1); pack_tile(0, 16); cb_push_back(16, 1);
    release_dst(tt::DstMode::Full);
} }"""


@pytest.mark.parametrize("threads", [1, 2])
def test_a_queued_matmul_uses_its_operand_page_as_it_was_before_the_pop(threads):
    a_tiles = [tt.round_bfloat16(rng.standard_normal((32, 32))) for _ in range(3)]
    def run(dev):
        a = dev.buffer(np.concatenate([tt.tilize(x) for x in a_tiles]), fmt=tt.bfloat16)
        b = dev.buffer(tt.tilize(B[0]), fmt=tt.bfloat16)
        c = dev.buffer(2048, page=2048)
        dev.run(tt.Program(dev, (0, 0), reader=REFILL_READER, compute=REFILL_COMPUTE, writer=WRITER.replace("8", "1"),
                           reader_args=[a.addr, b.addr, 3], compute_args=[3], writer_args=[c.addr],
                           cbs=[tt.CB(0, tt.bfloat16, 1), tt.CB(1, tt.bfloat16, 1), tt.CB(16, tt.bfloat16, 1)]))
        return tt.untilize(c.read(tt.bfloat16), 32, 32)
    got = with_threads(threads, run)
    assert reference.matmul_matches(got, np.hstack(a_tiles), np.vstack([B[0]] * 3))


# Batches of matmuls, posted to a helper when one is free, that touch each other's pages: the second packs into the
# pages the first packed (popped unread between), the third multiplies those pages (at its end), the fourth packs into
# them perhaps before the third has read them, and a copy_tile reads the fourth's. Whichever thread runs which batch
# first, each sees the pages as the kernel's order left them. The values are small integers: every sum is exact in any
# order.
HAZARD_READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    const InterleavedAddrGenFast<true> A = {get_arg_val<uint32_t>(0), get_tile_size(0), get_dataformat(0)};
    const InterleavedAddrGenFast<true> B = {get_arg_val<uint32_t>(1), get_tile_size(1), get_dataformat(1)};
    cb_reserve_back(0, 8); cb_reserve_back(1, 8);
    for (uint32_t i = 0; i < 8; i++) {
        noc_async_read_tile(i, A, get_write_ptr(0) + i * get_tile_size(0));
        noc_async_read_tile(i, B, get_write_ptr(1) + i * get_tile_size(1));
    }
    noc_async_read_barrier();
    cb_push_back(0, 8); cb_push_back(1, 8);
}"""
HAZARD_COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
#include "compute_kernel_api/tile_move_copy.h"
namespace NAMESPACE {
void sixteen(uint32_t in, uint32_t step) {  // register tiles 0 and 1, eight matmuls each
    tile_regs_acquire();
    for (uint32_t k = 0; k < 8; k++) {
        matmul_tiles(in, 1, in == 0 ? (k + step) % 8 : k % 2, k, 0, false);
        matmul_tiles(in, 1, in == 0 ? (k + step + 3) % 8 : (k + 1) % 2, (k + 5) % 8, 1, false);
    }
    tile_regs_commit();
}
void late(uint32_t in) {  // 48 matmuls, the scratch pages only in the last two: a helper reads them late
    tile_regs_acquire();
    for (uint32_t k = 0; k < 24; k++) {
        matmul_tiles(k == 23 ? in : 0, 1, k == 23 ? 0 : k % 8, k % 8, 0, false);
        matmul_tiles(k == 23 ? in : 0, 1, k == 23 ? 1 : (k + 3) % 8, (k + 5) % 8, 1, false);
    }
    tile_regs_commit();
}
void pack_two(uint32_t cb) {
    cb_reserve_back(cb, 2); tile_regs_wait(); pack_tile(0, cb); pack_tile(1, cb); tile_regs_release(); cb_push_back(cb, 2);
}
void MAIN {
    mm_init(0, 1, 2);
    cb_wait_front(0, 8); cb_wait_front(1, 8);
    sixteen(0, 0); pack_two(2);
    cb_wait_front(2, 2); cb_pop_front(2, 2);
    sixteen(0, 1); pack_two(2);
    cb_wait_front(2, 2); late(2); pack_two(16); cb_pop_front(2, 2);
    sixteen(0, 2); pack_two(2);
    cb_wait_front(2, 2);
    tile_regs_acquire(); copy_tile_to_dst_init_short(2); copy_tile(2, 0, 0); copy_tile(2, 1, 1); tile_regs_commit();
    pack_two(16); cb_pop_front(2, 2);
} }"""


def hazard_reference(a, b):
    packed = lambda *tiles: [tt.round_bfloat16(t.astype(np.float32)) for t in tiles]  # float32 sums, exact here
    def sixteen(step):  # as the kernel's sixteen(0, step)
        return packed(sum(a[(k + step) % 8] @ b[k] for k in range(8)), sum(a[(k + step + 3) % 8] @ b[(k + 5) % 8] for k in range(8)))
    y = sixteen(1)
    return packed(sum(a[k % 8] @ b[k % 8] for k in range(23)) + y[0] @ b[7],
                  sum(a[(k + 3) % 8] @ b[(k + 5) % 8] for k in range(23)) + y[1] @ b[4]) + sixteen(2)


def twenty_runs(compute, a, b, tiles, threads, shared=False):
    """The outputs of 20 runs of `compute` between HAZARD_READER (8 tiles each of a and b into cbs 0 and 1) and a
    writer of `tiles` from cb 16, with a float32 register (Wormhole): helpers take batches as they wake, so each run
    may order them differently. `shared`: cb 24 shares cb 2's memory."""
    scratch = tt.CB((2, 24), fmt=(tt.bfloat16, tt.bfloat16), pages=2) if shared else tt.CB(2, tt.bfloat16, 2)
    def run(dev):
        ta = dev.buffer(np.concatenate([tt.tilize(x) for x in a]), fmt=tt.bfloat16)
        tb = dev.buffer(np.concatenate([tt.tilize(x) for x in b]), fmt=tt.bfloat16)
        tc = dev.buffer(tiles * 2048, page=2048)
        prog = tt.Program(dev, (0, 0), reader=HAZARD_READER, writer=WRITER.replace("8", str(tiles)), reader_args=[ta.addr, tb.addr],
                          compute=tt.Kernel(compute, "hazards", fp32_dest_acc_en=True), writer_args=[tc.addr],
                          cbs=[tt.CB(0, tt.bfloat16, 8), tt.CB(1, tt.bfloat16, 8), scratch, tt.CB(16, tt.bfloat16, tiles)])
        outs = []
        for _ in range(20):
            dev.run(prog)
            outs.append([tt.untilize(t, 32, 32) for t in tc.read(tt.bfloat16).reshape(tiles, 1024)])
        return outs
    return with_threads(threads, run, "n150")


@pytest.mark.parametrize("threads", [1, 3])
def test_batches_that_share_pages_see_them_in_the_kernels_order(threads):
    g = np.random.default_rng(3)
    a, b = ([g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(8)] for _ in range(2))
    for got in twenty_runs(HAZARD_COMPUTE, a, b, 4, threads):
        for g_, w in zip(got, hazard_reference(a, b)): assert np.array_equal(g_, w)


# Circular buffers 2 and 24 share their memory: a batch packs into the pages through 24 while an earlier one still
# reads them through 2 (nothing popped), and a copy_tile then reads them through 2. Each sees them in the kernel's order.
SHARED_COMPUTE = HAZARD_COMPUTE.split("void MAIN")[0] + r"""void MAIN {
    mm_init(0, 1, 2);
    cb_wait_front(0, 8); cb_wait_front(1, 8);
    sixteen(0, 0); pack_two(2);
    cb_wait_front(2, 2); late(2); pack_two(16);
    sixteen(0, 1); pack_two(24);
    tile_regs_acquire(); copy_tile_to_dst_init_short(2); copy_tile(2, 0, 0); copy_tile(2, 1, 1); tile_regs_commit();
    pack_two(16);
    cb_pop_front(2, 2); cb_wait_front(24, 2); cb_pop_front(24, 2);
} }"""


# Then the same pages read again as matmul operands through 2: operands are cached by name (buffer, address, pages
# popped), which the pack through 24 left as it was (a helper's review found it).
SHARED_CACHE_COMPUTE = SHARED_COMPUTE.replace(
    "tile_regs_acquire(); copy_tile_to_dst_init_short(2); copy_tile(2, 0, 0); copy_tile(2, 1, 1); tile_regs_commit();", "late(2);")
# And a page a queued pack writes through 24, unpacked at once through 2 (transpose_wh_tile), not through a queue.
SHARED_UNPACK_COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
#include "compute_kernel_api/transpose_wh.h"
namespace NAMESPACE { void MAIN {
    mm_init(0, 1, 2);
    cb_wait_front(0, 8); cb_wait_front(1, 8);
    for (uint32_t s = 0; s < 2; s++) {
        acquire_dst(tt::DstMode::Full);
        for (uint32_t k = 0; k < 8; k++) { matmul_tiles(0, 1, (k + s) % 8, k, 0, false); matmul_tiles(0, 1, (k + s + 3) % 8, (k + 5) % 8, 1, false); }
        if (s == 0) { cb_reserve_back(2, 2); pack_tile(0, 2); pack_tile(1, 2); release_dst(tt::DstMode::Full); cb_push_back(2, 2); continue; }
        cb_wait_front(2, 2);
        cb_reserve_back(24, 2); pack_tile(0, 24); pack_tile(1, 24);
        transpose_wh_init_short(2); transpose_wh_tile(2, 0, 2); transpose_wh_tile(2, 1, 3);
        cb_reserve_back(16, 2); pack_tile(2, 16); pack_tile(3, 16);
        release_dst(tt::DstMode::Full);
        cb_push_back(24, 2); cb_push_back(16, 2);
    }
    cb_pop_front(2, 2); cb_wait_front(24, 2); cb_pop_front(24, 2);
} }"""


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("then", ["copy", "matmul", "transpose"])
def test_batches_see_pages_of_circular_buffers_that_share_memory_in_the_kernels_order(threads, then):
    g = np.random.default_rng(6)
    a, b = ([g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(8)] for _ in range(2))
    r = lambda t: tt.round_bfloat16(t.astype(np.float32))
    sixteen = lambda step: [r(sum(a[(k + step) % 8] @ b[k] for k in range(8))), r(sum(a[(k + step + 3) % 8] @ b[(k + 5) % 8] for k in range(8)))]
    late = lambda y: [r(sum(a[k % 8] @ b[k % 8] for k in range(23)) + y[0] @ b[7]), r(sum(a[(k + 3) % 8] @ b[(k + 5) % 8] for k in range(23)) + y[1] @ b[4])]
    compute, want = {"copy": (SHARED_COMPUTE, late(sixteen(0)) + sixteen(1)),
                     "matmul": (SHARED_CACHE_COMPUTE, late(sixteen(0)) + late(sixteen(1))),
                     "transpose": (SHARED_UNPACK_COMPUTE, [t.T for t in sixteen(1)])}[then]
    for got in twenty_runs(compute, a, b, len(want), threads, shared=True):
        for i, (g_, w) in enumerate(zip(got, want)): assert np.array_equal(g_, w), f"tile {i}"


# A copy_tile behind posted batches is queued too (the batch brings its partial sums back itself). It reads its page as
# the kernel left it: the page is popped, and a later batch packs into it again, which a helper (taking the newest
# first) may run before the batch that reads it. A tile only copied is packed as it was read.
RELOAD_COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
#include "compute_kernel_api/tile_move_copy.h"
namespace NAMESPACE {
void pack_two(uint32_t cb) {
    cb_reserve_back(cb, 2); tile_regs_wait(); pack_tile(0, cb); pack_tile(1, cb); tile_regs_release(); cb_push_back(cb, 2);
}
void block(uint32_t s, uint32_t t) {  // register tiles 0 and 1, eight matmuls each
    tile_regs_acquire();
    for (uint32_t k = 0; k < 8; k++) { matmul_tiles(0, 1, (k + s) % 8, k, 0, false); matmul_tiles(0, 1, (k + t) % 8, (k + 1) % 8, 1, false); }
    tile_regs_commit();
}
void reload(uint32_t step, bool only_copy_1) {  // register tiles 0 and 1 from cb 2's front, popped, then matmuls
    cb_wait_front(2, 2);
    tile_regs_acquire(); copy_tile_to_dst_init_short(2); copy_tile(2, 0, 0); copy_tile(2, 1, 1); cb_pop_front(2, 2);
    mm_init_short(0, 1);
    for (uint32_t k = 0; k < 8; k++) {
        matmul_tiles(0, 1, (k + step) % 8, k, 0, false);
        if (!only_copy_1) matmul_tiles(0, 1, (k + step + 3) % 8, (k + 5) % 8, 1, false);
    }
    tile_regs_commit();
}
void MAIN {
    mm_init(0, 1, 2);
    cb_wait_front(0, 8); cb_wait_front(1, 8);
    for (uint32_t step = 0; step < 3; step++) {
        block(0, 1); pack_two(2);
        reload(step, false); pack_two(16);
        block(2, 5); pack_two(2);  // into the pages the batch before read
        reload(step + 4, true); pack_two(16);
    }
} }"""


@pytest.mark.parametrize("threads", [1, 3])
def test_a_queued_copy_tile_reads_its_page_as_the_kernel_left_it(threads):
    g = np.random.default_rng(4)
    a, b = ([g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(8)] for _ in range(2))
    r = lambda t: tt.round_bfloat16(t.astype(np.float32))  # float32 sums, exact here; packed to bfloat16
    block = lambda s, t: [r(sum(a[(k + s) % 8] @ b[k] for k in range(8))), r(sum(a[(k + t) % 8] @ b[(k + 1) % 8] for k in range(8)))]
    want = []
    for step in range(3):
        y = block(0, 1)
        want += [r(y[0] + sum(a[(k + step) % 8] @ b[k] for k in range(8))), r(y[1] + sum(a[(k + step + 3) % 8] @ b[(k + 5) % 8] for k in range(8)))]
        y = block(2, 5)
        want += [r(y[0] + sum(a[(k + step + 4) % 8] @ b[k] for k in range(8))), y[1]]
    for got in twenty_runs(RELOAD_COMPUTE, a, b, 12, threads):
        for i, (g_, w) in enumerate(zip(got, want)): assert np.array_equal(g_, w), f"tile {i}"


# A compute kernel that writes a popped page through a raw pointer (tt-metal's compute kernels may): the matmul queued
# before still multiplies the page as it was. dst = A @ B + 0 @ B.
RAW_READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    const InterleavedAddrGenFast<true> A = {get_arg_val<uint32_t>(0), get_tile_size(0), get_dataformat(0)};
    const InterleavedAddrGenFast<true> B = {get_arg_val<uint32_t>(1), get_tile_size(1), get_dataformat(1)};
    cb_reserve_back(0, 1); cb_reserve_back(1, 1);
    noc_async_read_tile(0, A, get_write_ptr(0)); noc_async_read_tile(0, B, get_write_ptr(1));
    noc_async_read_barrier();
    cb_push_back(0, 1); cb_push_back(1, 1);
}"""
RAW_COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
#define POINTER (volatile uint16_t*)(uintptr_t)(get_local_cb_interface(0).fifo_wr_ptr << 4)
namespace NAMESPACE { void MAIN {
    mm_init(0, 1, 16);
    volatile uint16_t* saved = POINTER;  // a kernel may keep its buffer's address from the start (SAVED)
    cb_wait_front(0, 1); cb_wait_front(1, 1);
    tile_regs_acquire();
    matmul_tiles(0, 1, 0, 0, 0, false);
#if IN_PLACE  // the page rewritten where it is, at the front (its name unchanged: the operand cache must forget it)
    volatile uint16_t* p = (volatile uint16_t*)(uintptr_t)(get_local_cb_interface(0).fifo_rd_ptr << 4);
    for (uint32_t i = 0; i < 1024; i++) p[i] = 0;
#else
    cb_pop_front(0, 1);
    cb_reserve_back(0, 1);
    volatile uint16_t* p = SAVED ? saved : POINTER;
    for (uint32_t i = 0; i < 1024; i++) p[i] = 0;
    cb_push_back(0, 1);
#endif
    cb_wait_front(0, 1);
    matmul_tiles(0, 1, 0, 0, 0, false);
    tile_regs_commit();
    cb_reserve_back(16, 1); tile_regs_wait(); pack_tile(0, 16); tile_regs_release(); cb_push_back(16, 1);
    cb_pop_front(0, 1);
} }"""


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("saved, in_place", [(0, 0), (1, 0), (0, 1)])
def test_a_queued_matmul_reads_its_page_before_the_kernel_rewrites_it_through_a_pointer(threads, saved, in_place):
    g = np.random.default_rng(5)
    a, b = (g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(2))
    def run(dev):
        ta, tb = dev.buffer(tt.tilize(a), fmt=tt.bfloat16), dev.buffer(tt.tilize(b), fmt=tt.bfloat16)
        tc = dev.buffer(2048, page=2048)
        dev.run(tt.Program(dev, (0, 0), reader=RAW_READER, writer=WRITER.replace("8", "1"), compute=tt.Kernel(RAW_COMPUTE, "raw", defines={"SAVED": saved, "IN_PLACE": in_place}),
                           reader_args=[ta.addr, tb.addr], writer_args=[tc.addr],
                           cbs=[tt.CB(0, tt.bfloat16, 1), tt.CB(1, tt.bfloat16, 1), tt.CB(16, tt.bfloat16, 1)]))
        return tt.untilize(tc.read(tt.bfloat16), 32, 32)
    assert np.array_equal(with_threads(threads, run, "n150"), a @ b)


# Sub-blocks that bring 8 tiles of partial sums back and add 8 matmuls to them, on 16 cores sharing one DRAM bank: with
# helpers the copy_tiles are queued too (batching), yet which sub-blocks are handed over, and so the order the cores
# run in and the clock, is the same as with one thread.
SCHED_READER = r"""
#include "dataflow_api.h"
void kernel_main() {
    const InterleavedAddrGenFast<true> A = {get_arg_val<uint32_t>(0), get_tile_size(0), get_dataformat(0)};
    const InterleavedAddrGenFast<true> B = {get_arg_val<uint32_t>(1), get_tile_size(1), get_dataformat(1)};
    cb_reserve_back(1, 8);
    for (uint32_t i = 0; i < 8; i++) noc_async_read_tile(i, B, get_write_ptr(1) + i * get_tile_size(1));
    noc_async_read_barrier(); cb_push_back(1, 8);
    for (uint32_t s = 0; s < 7; s++) {
        cb_reserve_back(0, 8);
        for (uint32_t i = 0; i < 8; i++) for (uint32_t r = 0; r < 4; r++) noc_async_read_tile(i * 12, A, get_write_ptr(0) + i * get_tile_size(0));
        noc_async_read_barrier();
        cb_push_back(0, 8);
    }
}"""
SCHED_WRITER = r"""
#include "dataflow_api.h"
void kernel_main() {
    const InterleavedAddrGenFast<true> C = {get_arg_val<uint32_t>(0), get_tile_size(16), get_dataformat(16)};
    uint32_t first = get_arg_val<uint32_t>(1);
    for (uint32_t i = 0; i < 48; i++) {
        cb_wait_front(16, 1);
        for (uint32_t r = 0; r < 4; r++) noc_async_write_tile((first + i) * 12, C, get_read_ptr(16));
        noc_async_write_barrier();
        cb_pop_front(16, 1);
    }
}"""
SCHED_COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
#include "compute_kernel_api/tile_move_copy.h"
namespace NAMESPACE { void MAIN {
    mm_init(0, 1, 2);
    cb_wait_front(1, 8); cb_wait_front(0, 8);
    tile_regs_acquire();
    for (uint32_t d = 0; d < 8; d++) { matmul_tiles(0, 1, d, d, d, false); matmul_tiles(0, 1, (d + 1) % 8, d, d, false); }
    tile_regs_commit(); cb_reserve_back(2, 8); tile_regs_wait();
    for (uint32_t d = 0; d < 8; d++) pack_tile(d, 2);
    tile_regs_release(); cb_push_back(2, 8);
    cb_pop_front(0, 8);
    for (uint32_t s = 0; s < 6; s++) {
        cb_wait_front(0, 8); cb_wait_front(2, 8);
        tile_regs_acquire();
#if INTERLEAVE  // each tile brought back just before its own matmuls: one thread's copy_tile flushed those before it
        for (uint32_t d = 0; d < 8; d++) {
            copy_tile_to_dst_init_short(2); copy_tile(2, d, d);
            mm_init_short(0, 1);
            matmul_tiles(0, 1, (d + 2 + s) % 8, d, d, false); matmul_tiles(0, 1, (d + 3 + s) % 8, d, d, false);
        }
        cb_pop_front(2, 8);
#else
        copy_tile_to_dst_init_short(2);
        for (uint32_t d = 0; d < 8; d++) copy_tile(2, d, d);
        cb_pop_front(2, 8);
        mm_init_short(0, 1);
        for (uint32_t d = 0; d < 8; d++) matmul_tiles(0, 1, (d + 2 + s) % 8, d, d, false);
#endif
        tile_regs_commit();
        cb_reserve_back(2, 8); cb_reserve_back(16, 8); tile_regs_wait();
        for (uint32_t d = 0; d < 8; d++) pack_tile(d, 2);
        for (uint32_t d = 0; d < 8; d++) pack_tile(d, 16);
        tile_regs_release(); cb_push_back(16, 8); cb_push_back(2, 8);
        cb_pop_front(0, 8);
    }
} }"""


@pytest.mark.parametrize("interleave", [0, 1])
def test_queued_copy_tiles_leave_the_schedule_as_one_thread_has_it(interleave):
    g = np.random.default_rng(7)
    a = [g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(8 * 12)]
    b = [g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(8)]
    def run(dev):
        ta = dev.buffer(np.concatenate([tt.tilize(x) for x in a]), fmt=tt.bfloat16)
        tb = dev.buffer(np.concatenate([tt.tilize(x) for x in b]), fmt=tt.bfloat16)
        tc = dev.buffer(16 * 48 * 12 * 2048, page=2048)
        prog = tt.Program(dev, tt.CoreRange((0, 0), (3, 3)), reader=SCHED_READER, writer=SCHED_WRITER,
                          compute=tt.Kernel(SCHED_COMPUTE, "reloads", defines={"INTERLEAVE": interleave}), reader_args=[ta.addr, tb.addr],
                          writer_args=lambda c: [tc.addr, (c[1] * 4 + c[0]) * 48],
                          cbs=[tt.CB(0, tt.bfloat16, 16), tt.CB(1, tt.bfloat16, 8), tt.CB(2, tt.bfloat16, 8), tt.CB(16, tt.bfloat16, 48)])
        runs = []
        for _ in range(3):
            r = dev.run(prog)
            runs.append((tc.read(tt.bfloat16).reshape(16 * 48, 12, 1024)[:, 0], r.cycles_by_thread))
        return runs
    want = []
    for s in range(6):
        for d in range(8):
            x = a[d * 12] @ b[d] + a[(d + 1) % 8 * 12] @ b[d]
            x = x + sum(a[(d + 2 + t + i) % 8 * 12] @ b[d] for t in range(s + 1) for i in range(1 + interleave))
            want.append(x)
    assert max(abs(x).max() for x in want) <= 256  # every sum exact in bfloat16, as the register rounds
    results = {n: with_threads(n, run, "n150") for n in (1, 3)}
    cycles = results[1][0][1]
    for n, runs in results.items():
        for out, got_cycles in runs:
            for t, tile in enumerate(out): assert np.array_equal(tt.untilize(tile, 32, 32), want[t % 48]), (n, t)
            assert got_cycles == cycles, f"{n} threads"


COUNT = """
import os, numpy as np, tensix as tt
os.sched_setaffinity(0, {cpu})
with tt.Device(echo=False) as dev:
    dev.run(tt.Program(dev, (0, 0), writer='#include "dataflow_api.h"\\nvoid kernel_main() {{}}'))
    print(len(os.listdir(f"/proc/{{dev.sim.engine.pid}}/task")))
"""


@pytest.mark.parametrize("cpus", [1, 2])
def test_the_engine_uses_the_processors_its_affinity_allows(cpus):
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < cpus: pytest.skip(f"this machine lets the tests use {len(allowed)} processors")
    env = {k: v for k, v in os.environ.items() if k != "TENSIX_THREADS"}
    out = subprocess.run([sys.executable, "-c", COUNT.format(cpu=set(allowed[:cpus]))], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) <= cpus  # a cgroup quota may allow fewer
    if cpus == 1: assert int(out.stdout) == 1


def cpus_allowed(pid, tid):
    """The processors thread `tid` of process `pid` may run on (the kernel's Cpus_allowed_list: "0-2,5")."""
    status = open(f"/proc/{pid}/task/{tid}/status").read()
    spans = status.split("Cpus_allowed_list:")[1].split()[0].split(",")
    return {c for span in spans for c in range(int(span.split("-")[0]), int(span.split("-")[-1]) + 1)}


def test_a_helper_keeps_off_the_processor_of_the_engines_thread():
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2: pytest.skip("this machine lets the tests use one processor")

    def helpers_masks(dev):
        many_matmuls(dev)  # shared work: the helpers wake up, each first choosing where it may run
        pid = dev.sim.engine.pid
        for _ in range(500):  # a helper woken but not yet scheduled (a busy machine) has not chosen yet
            masks = [cpus_allowed(pid, tid) for tid in map(int, os.listdir(f"/proc/{pid}/task")) if tid != pid]
            if any(m != allowed for m in masks): return masks
            time.sleep(0.01)
        return masks
    masks = with_threads(3, helpers_masks, "n150")
    assert any(m < allowed and len(allowed - m) == 1 for m in masks), (allowed, masks)


def test_an_engine_does_its_run_alone_while_another_engine_runs():
    """Engines sharing a cache directory hold its engines.lock shared while they run shared work: one that finds
    another running (here this test holds the lock) does that run alone, so its helpers never wake and never choose
    where to run; after its run the lock is free again."""
    import fcntl
    from tensix.build import cache_dir
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2: pytest.skip("this machine lets the tests use one processor")

    def masks_after_run(dev):
        with open(cache_dir() / "engines.lock", "a") as other:  # another engine, running
            fcntl.flock(other, fcntl.LOCK_SH)
            many_matmuls(dev)
        with open(cache_dir() / "engines.lock") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the engine let go of it at the run's end
        pid = dev.sim.engine.pid
        time.sleep(1)  # a helper woken by the run has long chosen its processors by now
        return [cpus_allowed(pid, tid) for tid in map(int, os.listdir(f"/proc/{pid}/task")) if tid != pid]
    assert all(m == allowed for m in with_threads(3, masks_after_run, "n150"))


def awkward_operands():
    """a @ b along six k tiles, where some tile pairs' products or sums leave float32's normal range: on a processor
    with AVX512_BF16 those take fused multiply-adds, the rest VDPBF16PS, which reads denormals as zero."""
    rng = np.random.default_rng(7)
    a, b = tt.round_bfloat16(rng.uniform(-1, 1, (64, 192))), tt.round_bfloat16(rng.uniform(-1, 1, (192, 64)))
    sign = lambda shape: np.where(rng.random(shape) < 0.5, -1, 1).astype(np.float32)
    half_to_one = lambda shape: tt.round_bfloat16(rng.uniform(0.5, 1, shape))
    # k tile 1: tiny times tiny, products near 2^-121 (exact), sums of them may cancel below 2^-126
    a[:32, 32:64] = sign((32, 32)) * half_to_one((32, 32)) * np.float32(2 ** -60)
    b[32:64, :32] = sign((32, 32)) * half_to_one((32, 32)) * np.float32(2 ** -60)
    # k tile 2: row 32 of a holds only denormals (m * 2^-133), so its row of c is their products' sums (exact)
    a[32] = 0
    a[32, 64:96] = sign(32) * rng.integers(1, 128, 32) * np.float32(2 ** -133)
    b[64:96] = sign((32, 64)) * half_to_one((32, 64)) * 2
    a[33, :32] = -0.0
    # k tile 3: an infinity in row 0 of a, times a positive row of b
    a[0, 96] = np.inf
    b[96] = half_to_one(64)
    # k tile 4: row 1 of a near 2^100 times b near 2^30: products overflow to infinity
    a[:32, 128:160] *= np.float32(2 ** -40)
    a[1, 128:160] = half_to_one(32) * np.float32(2 ** 100)
    b[128:160] = half_to_one((32, 64)) * np.float32(2 ** 30)
    return a, b


@pytest.mark.parametrize("fidelity", ["HiFi4", "HiFi2", "LoFi"])
def test_matmuls_through_vdpbf16ps_and_fused_multiply_adds_give_the_same_bits(fidelity):
    a, b = awkward_operands()
    run = lambda dev: matmul_single_core.run_matmul(dev, a, b, [(0, 0), (1, 0)], fidelity)
    # =0: VDPBF16PS wherever it sums right, even where the multiply-adds are the faster (unset picks the faster)
    (c, r), (portable, rp) = on_engine(run, TENSIX_PORTABLE_MATH="0"), on_engine(run, TENSIX_PORTABLE_MATH="1")
    assert np.all(np.isinf(c[:2])) and np.all(c[32] != 0) and np.all(np.abs(c[32]) < 2 ** -120)
    with np.errstate(over="ignore"):  # row 1's products overflow, as on the chip
        assert reference.matmul_matches(c, a, b, fidelity)
    assert np.array_equal(c.view(np.uint32), portable.view(np.uint32))
    assert r.cycles_by_thread == rp.cycles_by_thread
    # into a float32 register too
    many = on_engine(many_matmuls, "n150", TENSIX_PORTABLE_MATH="0"), on_engine(many_matmuls, "n150", TENSIX_PORTABLE_MATH="1")
    assert all(np.array_equal(x.view(np.uint32), y.view(np.uint32)) for x, y in zip(many[0][0], many[1][0]))


@pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64 instruction sets")
def test_engines_built_for_avx2_and_for_plain_x86_64_give_the_same_bits_as_this_processors():
    """Each instruction set has its own tile products (VDPBF16PS, AVX-512 or AVX2 multiply-adds, portable C++): an
    engine built for AVX2 and FMA (as on a processor without AVX-512) and one for the x86-64 baseline (the portable
    loops, as on ARM) give this processor's bits, into a bfloat16 register and into a float32 one."""
    a, b = awkward_operands()
    single = lambda dev: matmul_single_core.run_matmul(dev, a, b, [(0, 0), (1, 0)], "HiFi4")
    both = lambda dev: (single(dev), many_matmuls(dev))
    runs = {march: on_engine(both, "n150", TENSIX_ENGINE_MARCH=march) for march in ("", "x86-64-v3", "x86-64")}
    (c, r), (many, _) = runs[""]
    with np.errstate(over="ignore"):  # row 1's products overflow, as on the chip
        assert reference.matmul_matches(c, a, b, "HiFi4")
    for (c2, r2), (many2, _) in (runs["x86-64-v3"], runs["x86-64"]):
        assert np.array_equal(c.view(np.uint32), c2.view(np.uint32)) and r.cycles_by_thread == r2.cycles_by_thread
        assert all(np.array_equal(x.view(np.uint32), y.view(np.uint32)) for x, y in zip(many, many2))


def test_a_bad_engine_march_is_named():
    with pytest.raises(tt.TensixError, match="TENSIX_ENGINE_MARCH"):
        on_engine(many_matmuls, "n150", TENSIX_ENGINE_MARCH="native; rm")
