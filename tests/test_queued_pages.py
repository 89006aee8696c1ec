"""Queued and posted compute work against pages rewritten behind its back: through another index of a shared buffer
(tilize, untilize, a reader), or through a pointer the kernel holds. Results follow the kernel's order with one thread
and with three."""
import numpy as np
import pytest
import tensix as tt
from tests.test_threads import twenty_runs, with_threads, HAZARD_READER, RAW_READER, WRITER

r16 = lambda t: tt.round_bfloat16(np.asarray(t, np.float32))

# A page cb 2 holds at its front (its operand cached by name: cb 2, address, pages popped), rewritten through cb 24,
# which shares the memory, by tilize_block rather than pack_tile: the next matmul must see the new bytes.
# Both kernels below: cb 0's first tile copied into cb 2, and multiplied from cb 2's front once (its operand cached).
HELD_PAGE = r"""
#include "compute_kernel_api/matmul.h"
#include "compute_kernel_api/tile_move_copy.h"
#include "compute_kernel_api/tilize.h"
#include "compute_kernel_api/untilize.h"
namespace NAMESPACE {
void mm_out() {
    mm_init_short(2, 1);
    tile_regs_acquire(); matmul_tiles(2, 1, 0, 0, 0, false); tile_regs_commit();
    cb_reserve_back(16, 1); tile_regs_wait(); pack_tile(0, 16); tile_regs_release(); cb_push_back(16, 1);
}
void MAIN {
    mm_init(0, 1, 2);
    cb_wait_front(0, 1); cb_wait_front(1, 1);
    tile_regs_acquire(); copy_tile_to_dst_init_short(0); copy_tile(0, 0, 0); tile_regs_commit();
    cb_reserve_back(2, 1); tile_regs_wait(); pack_tile(0, 2); tile_regs_release(); cb_push_back(2, 1);
    cb_wait_front(2, 1);
    mm_out();
"""
TILIZE_ALIAS = HELD_PAGE + r"""
    cb_reserve_back(24, 1);
#if UNTILIZE
    untilize_init_short(0); untilize_block(0, 1, 24); untilize_uninit(0);
#else
    tilize_init_short(0, 1, 24); tilize_block(0, 1, 24); tilize_uninit(0, 24);
#endif
    cb_push_back(24, 1);
    mm_out();
    cb_pop_front(2, 1); cb_wait_front(24, 1); cb_pop_front(24, 1);
} }"""


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("untilize", [0, 1])
def test_tilize_into_a_page_another_index_holds_retires_its_operand(threads, untilize):
    g = np.random.default_rng(8)
    a, b = ([g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(8)] for _ in range(2))
    faces = tt.tilize(a[0]).reshape(32, 32)  # the page's values in L1 order, read as 32 rows
    # tilize: rows (the page's L1 order) -> tile of those rows; untilize: tile -> its rows in L1, read back as a tile
    new = faces if not untilize else tt.untilize(a[0].reshape(-1), 32, 32)
    want = [r16(a[0] @ b[0]), r16(new @ b[0])]
    src = TILIZE_ALIAS.replace("#if UNTILIZE", "#if %d" % untilize)
    for got in twenty_runs(src, a, b, 2, threads, shared=True)[:2]:
        for i, (g_, w) in enumerate(zip(got, want)): assert np.array_equal(g_, w), f"tile {i}"


# The same page rewritten through cb 24 by the core's reader (a NoC read into get_write_ptr(24)), cb 2 still holding it
# at its front: the compute kernel's next matmul of cb 2's front must see the new bytes.
DM_ALIAS_READER = RAW_READER.rstrip("}") + r"""
    cb_wait_front(25, 1); cb_pop_front(25, 1);  // the compute kernel has multiplied cb 2's front once
#if IN_PLACE  // no second index: straight into the page cb 2 holds at its front, then a word through cb 24
    noc_async_read_tile(1, A, get_read_ptr(2)); noc_async_read_barrier(); cb_reserve_back(24, 1); cb_push_back(24, 1);
#else
    cb_reserve_back(24, 1); noc_async_read_tile(1, A, get_write_ptr(24)); noc_async_read_barrier(); cb_push_back(24, 1);
#endif
}"""
DM_ALIAS_COMPUTE = HELD_PAGE + r"""
    cb_reserve_back(25, 1); cb_push_back(25, 1);
    cb_wait_front(24, 1);
    mm_out();
    cb_pop_front(2, 1); cb_pop_front(24, 1);
} }"""


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("in_place", [0, 1])
def test_a_reader_writing_a_page_another_index_holds_retires_its_operand(threads, in_place):
    g = np.random.default_rng(9)
    a, b = [g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(2)], g.integers(-1, 2, (32, 32)).astype(np.float32)
    def run(dev):
        ta = dev.buffer(np.concatenate([tt.tilize(x) for x in a]), fmt=tt.bfloat16)
        tb = dev.buffer(tt.tilize(b), fmt=tt.bfloat16)
        tc = dev.buffer(2 * 2048, page=2048)
        prog = tt.Program(dev, (0, 0), reader=DM_ALIAS_READER.replace("#if IN_PLACE", f"#if {in_place}"), writer=WRITER.replace("8", "2"), reader_args=[ta.addr, tb.addr],
                          compute=tt.Kernel(DM_ALIAS_COMPUTE, "dm_alias"), writer_args=[tc.addr],
                          cbs=[tt.CB(0, tt.bfloat16, 1), tt.CB(1, tt.bfloat16, 1), tt.CB((2, 24), fmt=(tt.bfloat16, tt.bfloat16), pages=1),
                               tt.CB(25, tt.bfloat16, 1), tt.CB(16, tt.bfloat16, 2)])
        dev.run(prog)
        return [tt.untilize(t, 32, 32) for t in tc.read(tt.bfloat16).reshape(2, 1024)]
    got = with_threads(threads, run, "n150")
    assert np.array_equal(got[0], a[0] @ b)
    assert np.array_equal(got[1], a[1] @ b), "stale: a[0] @ b" if np.array_equal(got[1], a[0] @ b) else "other"


# A kernel that holds a pointer to its reserved output page writes a word after pack_tile: program order says the
# word wins over the packed tile (on the chip the packer has written the page once tile_regs_release... returns).
PATCH_COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
namespace NAMESPACE { void MAIN {
    mm_init(0, 1, 16);
    cb_wait_front(0, 1); cb_wait_front(1, 1);
    cb_reserve_back(16, 1);
    volatile uint16_t* p = (volatile uint16_t*)(uintptr_t)(get_local_cb_interface(16).fifo_wr_ptr << 4);
    tile_regs_acquire();
    for (uint32_t k = 0; k < 16; k++) matmul_tiles(0, 1, 0, 0, 0, false);  // enough to hand over (MIN_DEFERRED)
    tile_regs_commit(); tile_regs_wait(); pack_tile(0, 16); tile_regs_release();
#if READ
    uint16_t first = p[0];
    p[1] = first;  // [0][1] takes [0][0]'s value, as read after the pack
#else
    p[0] = 0x3f80;  // 1.0 at [0][0]
#endif
    cb_push_back(16, 1);
    cb_pop_front(0, 1); cb_pop_front(1, 1);
} }"""


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("read", [0, 1])
def test_a_store_through_a_held_pointer_after_pack_tile_comes_after_the_pack(threads, read):
    g = np.random.default_rng(5)
    a, b = (g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(2))
    def run(dev):
        ta, tb = dev.buffer(tt.tilize(a), fmt=tt.bfloat16), dev.buffer(tt.tilize(b), fmt=tt.bfloat16)
        tc = dev.buffer(2048, page=2048)
        dev.run(tt.Program(dev, (0, 0), reader=RAW_READER, writer=WRITER.replace("8", "1"),
                           compute=tt.Kernel(PATCH_COMPUTE.replace("#if READ", f"#if {read}"), "patch", fp32_dest_acc_en=True),
                           reader_args=[ta.addr, tb.addr], writer_args=[tc.addr],
                           cbs=[tt.CB(0, tt.bfloat16, 1), tt.CB(1, tt.bfloat16, 1), tt.CB(16, tt.bfloat16, 1)]))
        return tt.untilize(tc.read(tt.bfloat16), 32, 32)
    want = r16(16 * (a @ b))
    if read: want[0, 1] = want[0, 0]
    else: want[0, 0] = 1.0
    assert np.array_equal(with_threads(threads, run, "n150"), want)


# Sanity checks (expected to pass): the same page as in0 and in1; a loop of runs with new data each run.
SELF_COMPUTE = r"""
#include "compute_kernel_api/matmul.h"
namespace NAMESPACE { void MAIN {
    mm_init(0, 0, 16);
    cb_wait_front(0, 8); cb_wait_front(1, 8);
    for (uint32_t s = 0; s < 2; s++) {
        tile_regs_acquire();
        for (uint32_t k = 0; k < 8; k++) { matmul_tiles(0, 0, k, k, 0, false); matmul_tiles(0, 0, k, (k + 1) % 8, 1, s); }
        tile_regs_commit();
        cb_reserve_back(16, 2); tile_regs_wait(); pack_tile(0, 16); pack_tile(1, 16); tile_regs_release(); cb_push_back(16, 2);
    }
} }"""


@pytest.mark.parametrize("threads", [1, 3])
def test_same_page_as_in0_and_in1_and_new_data_each_run(threads):
    g = np.random.default_rng(12)
    def run(dev):
        from tests.test_threads import HAZARD_READER
        tb = dev.buffer(8 * 2048, page=2048)
        tc = dev.buffer(4 * 2048, page=2048)
        out = []
        for _ in range(4):
            a = [g.integers(-1, 2, (32, 32)).astype(np.float32) for _ in range(8)]
            ta = dev.buffer(np.concatenate([tt.tilize(x) for x in a]), fmt=tt.bfloat16)
            prog = tt.Program(dev, (0, 0), reader=HAZARD_READER, writer=WRITER.replace("8", "4"), reader_args=[ta.addr, tb.addr],
                              compute=tt.Kernel(SELF_COMPUTE, "self", fp32_dest_acc_en=True), writer_args=[tc.addr],
                              cbs=[tt.CB(0, tt.bfloat16, 8), tt.CB(1, tt.bfloat16, 8), tt.CB(16, tt.bfloat16, 4)])
            r = dev.run(prog)
            out.append((a, [tt.untilize(t, 32, 32) for t in tc.read(tt.bfloat16).reshape(4, 1024)], r.cycles_by_thread))
        return out
    for a, got, _ in with_threads(threads, run, "n150"):
        t0 = r16(sum(a[k] @ a[k] for k in range(8)))
        t1 = r16(sum(a[k] @ a[(k + 1) % 8] for k in range(8)))
        t1b = r16(sum(a[k] @ a[(k + 1) % 8].T for k in range(8)))
        for i, (g_, w) in enumerate(zip(got, [t0, t1, t0, t1b])): assert np.array_equal(g_, w), i
