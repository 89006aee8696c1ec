"""Data movement on the simulated chip: the examples, and the kernel API's corners."""
import importlib
import numpy as np
import pytest
import tensix as tt

HEAD = '#include "dataflow_api.h"\n#include "debug/dprint.h"\n'


@pytest.mark.parametrize("name", ["add_13_7", "loopback", "dram_copy_all_cores", "ring", "eltwise_binary", "eltwise_sfpu",
                                  "matmul_single_core", "matmul_multi_core", "matmul_multicast", "reduce", "transpose", "softmax"])
def test_examples_pass(dev, name):
    ok, run = importlib.import_module(f"tensix.examples.{name}").main(dev)
    assert ok and run.cycles > 0


def test_l1_pointers_name_the_same_address_on_every_core(dev):
    # Each core writes its own index through a pointer at one L1 address, then NoC-reads the previous core's word there.
    src = HEAD + """
    void kernel_main() {
        uint32_t addr = get_arg_val<uint32_t>(0), me = get_arg_val<uint32_t>(1), out = get_arg_val<uint32_t>(2);
        volatile uint32_t* p = (volatile uint32_t*)addr;
        *p = me * 7 + 1;
        noc_semaphore_inc(get_noc_addr(get_arg_val<uint32_t>(3), get_arg_val<uint32_t>(4), get_semaphore(0)), 1);
        noc_semaphore_wait((volatile uint32_t*)get_semaphore(0), 1);   // the previous core has written its word
        noc_async_read(get_noc_addr(get_arg_val<uint32_t>(5), get_arg_val<uint32_t>(6), addr), addr + 32, 4);
        noc_async_read_barrier();
        InterleavedAddrGen<true> o = {out, 4};
        noc_async_write(addr + 32, get_noc_addr(me, o), 4);
        noc_async_write_barrier();
    }"""
    cores = list(tt.CoreRange((0, 0), (3, 1)))
    out = dev.buffer(4 * len(cores), page=4)
    nxt = {c: cores[(i + 1) % len(cores)] for i, c in enumerate(cores)}
    prev = {c: cores[i - 1] for i, c in enumerate(cores)}
    a = dev.chip.l1_unreserved_base
    prog = tt.Program(dev, cores, writer=src, semaphores=[0],
                      writer_args=lambda c: [a, cores.index(c), out.addr, *dev.chip.noc_xy(nxt[c]), *dev.chip.noc_xy(prev[c])])
    dev.run(prog)
    assert out.read(np.uint32).tolist() == [((i - 1) % len(cores)) * 7 + 1 for i in range(len(cores))]
    out.free()


def test_noc1_sees_mirrored_coordinates_and_reaches_the_same_bank(dev):
    src = HEAD + """
    void kernel_main() {
        uint32_t a = get_arg_val<uint32_t>(0), l1 = get_arg_val<uint32_t>(1);
        InterleavedAddrGen<true> g = {a, 64};
        noc_async_read(get_noc_addr(5, g), l1, 64);              // page 5: bank 5
        noc_async_read_barrier();
        volatile uint32_t* p = (volatile uint32_t*)l1;
        p[0] = my_x[noc_index]; p[1] = my_y[noc_index]; p[2] = my_x[0]; p[3] = my_y[0];
        noc_async_write(l1, get_noc_addr(5, g), 64);
        noc_async_write_barrier();
    }"""
    data = np.arange(16 * 8, dtype=np.uint32)
    buf = dev.buffer(data, page=64)
    dev.run(tt.Program(dev, (2, 3), reader=src, reader_args=[buf.addr, dev.chip.l1_unreserved_base]))  # reader: NoC 1
    page5 = buf.read(np.uint32)[80:96]
    x, y = dev.chip.noc_xy((2, 3))
    assert page5[:4].tolist() == [13 - 1 - x, 12 - 1 - y, x, y]
    assert page5[4:].tolist() == data[84:96].tolist()
    buf.free()


def test_multicast_reaches_every_core_of_the_rectangle_but_the_sender(dev):
    src = HEAD + """
    void kernel_main() {
        uint32_t a = get_arg_val<uint32_t>(0), sender = get_arg_val<uint32_t>(1), out = get_arg_val<uint32_t>(2);
        uint32_t x0 = get_arg_val<uint32_t>(3), y0 = get_arg_val<uint32_t>(4), x1 = get_arg_val<uint32_t>(5), y1 = get_arg_val<uint32_t>(6);
        uint32_t me = get_arg_val<uint32_t>(7), n = get_arg_val<uint32_t>(8);
        volatile uint32_t* p = (volatile uint32_t*)a;
        volatile uint32_t* flag = (volatile uint32_t*)get_semaphore(0);
        if (sender) {
            p[0] = 0xC0FFEE + get_arg_val<uint32_t>(9);
            noc_async_write_multicast(a, get_noc_multicast_addr(x0, y0, x1, y1, a), 16, n - 1);
            noc_async_write_barrier();
            noc_semaphore_set(flag, 1);
            noc_semaphore_set_multicast(get_semaphore(0), get_noc_multicast_addr(x0, y0, x1, y1, get_semaphore(0)), n - 1);
        } else {
            noc_semaphore_wait(flag, 1);
        }
        InterleavedAddrGen<true> o = {out, 4};
        noc_async_write(a, get_noc_addr(me, o), 4);
        noc_async_write_barrier();
        noc_semaphore_set(flag, 0);
    }"""
    cores = list(tt.CoreRange((1, 1), (3, 2)))
    out = dev.buffer(4 * len(cores), page=4)
    (x0, y0), (x1, y1) = dev.chip.noc_xy((1, 1)), dev.chip.noc_xy((3, 2))
    for noc in (0, 1):
        out.write(np.zeros(len(cores), np.uint32))
        prog = tt.Program(dev, cores, writer=tt.Kernel(src, noc=noc), semaphores=[0], writer_args=lambda c: [
            dev.chip.l1_unreserved_base, c == (2, 2), out.addr, x0, y0, x1, y1, cores.index(c), len(cores), noc])
        dev.run(prog)
        assert out.read(np.uint32).tolist() == [0xC0FFEE + noc] * len(cores)
    out.free()


def test_circular_buffers_wrap_and_keep_order(dev):
    # 50 pages through a 3-page buffer, pushed and popped in different step sizes.
    reader = HEAD + """
    void kernel_main() {
        for (uint32_t i = 0; i < 50; i++) {
            cb_reserve_back(0, 1);
            *(volatile uint32_t*)get_write_ptr(0) = i * i;
            cb_push_back(0, 1);
        }
    }"""
    writer = HEAD + """
    void kernel_main() {
        uint32_t out = get_arg_val<uint32_t>(0), l1 = get_arg_val<uint32_t>(1);
        volatile uint32_t* acc = (volatile uint32_t*)l1;
        for (uint32_t i = 0; i < 50; i++) {
            cb_wait_front(0, 1);
            acc[i] = *(volatile uint32_t*)get_read_ptr(0) + get_tile_size(0) * 1000000 + (uint32_t)get_dataformat(0);
            cb_pop_front(0, 1);
        }
        InterleavedAddrGen<true> o = {out, 200};
        noc_async_write(l1, get_noc_addr(0, o), 200);
        noc_async_write_barrier();
    }"""
    out = dev.buffer(200)
    l1 = dev.chip.l1_size - 4096
    prog = tt.Program(dev, (0, 0), reader=reader, writer=writer, writer_args=[out.addr, l1],
                      cbs=[tt.CB(0, tt.uint32, pages=3, page=32)])
    dev.run(prog)
    assert out.read(np.uint32).tolist() == [i * i + 32 * 1000000 + 24 for i in range(50)]
    out.free()


def test_compile_time_args_defines_and_dprint(dev):
    src = HEAD + """
    void kernel_main() {
        constexpr uint32_t a = get_compile_time_arg_val(0);
        constexpr uint32_t b = get_compile_time_arg_val(1);
        DPRINT << "sum=" << a + b << " hex=" << HEX() << SETW(4) << 255u << DEC() << " " << SCALE << ENDL();
        DPRINT << "arg " << get_arg_val<uint32_t>(0) << ENDL();
    }"""
    prog = tt.Program(dev, tt.CoreRange((0, 0), (1, 0)), writer=tt.Kernel(src, compile_args=[40, 2], defines={"SCALE": 7}),
                      writer_args=lambda c: [c[0] + 100])
    run = dev.run(prog)
    assert run.prints == ["0:(x=0,y=0):BR: sum=42 hex=  ff 7", "0:(x=0,y=0):BR: arg 100",
                          "0:(x=1,y=0):BR: sum=42 hex=  ff 7", "0:(x=1,y=0):BR: arg 101"]


def test_enqueue_runs_commands_in_order(dev):
    src = HEAD + """
    void kernel_main() {
        uint32_t a = get_arg_val<uint32_t>(0), l1 = get_arg_val<uint32_t>(1);
        InterleavedAddrGen<true> g = {a, 64};
        noc_async_read(get_noc_addr(0, g), l1, 64);
        noc_async_read_barrier();
        volatile uint32_t* p = (volatile uint32_t*)l1;
        for (int i = 0; i < 16; i++) p[i] *= 3;
        noc_async_write(l1, get_noc_addr(0, g), 64);
        noc_async_write_barrier();
    }"""
    buf = dev.buffer(64)
    prog = tt.Program(dev, (0, 0), writer=src, writer_args=[buf.addr, dev.chip.l1_unreserved_base])
    got = []
    dev.enqueue_write(buf, np.arange(16, dtype=np.uint32))
    dev.enqueue(prog)
    dev.enqueue_read(buf, np.uint32, got)
    dev.enqueue(prog)
    dev.enqueue_read(buf, np.uint32, got)
    assert dev.finish().cycles > 0
    assert [g.tolist() for g in got] == [[3 * i for i in range(16)], [9 * i for i in range(16)]]
    buf.free()


@pytest.mark.parametrize("chip", ["e75", "n150", "p100a", "p150"])
def test_other_chips_run_the_examples(chip):
    with tt.Device(chip, echo=False) as d:
        for name in ("add_13_7", "ring"):
            assert importlib.import_module(f"tensix.examples.{name}").main(d)[0]


def test_tile_reads_and_writes_with_the_fast_address_generator(dev):
    # Tiles of bfloat16 cross from one interleaved buffer to another through a circular buffer, reversed in order.
    reader = HEAD + """
    void kernel_main() {
        uint32_t src = get_arg_val<uint32_t>(0), n = get_arg_val<uint32_t>(1);
        const InterleavedAddrGenFast<true> s = {.bank_base_address = src, .page_size = get_tile_size(0), .data_format = get_dataformat(0)};
        for (uint32_t i = 0; i < n; i++) {
            cb_reserve_back(0, 1);
            noc_async_read_tile(n - 1 - i, s, get_write_ptr(0));
            noc_async_read_barrier();
            cb_push_back(0, 1);
        }
    }"""
    writer = HEAD + """
    void kernel_main() {
        uint32_t dst = get_arg_val<uint32_t>(0), n = get_arg_val<uint32_t>(1);
        const InterleavedAddrGenFast<true> d = {.bank_base_address = dst, .page_size = 2048, .data_format = DataFormat::Float16_b};
        for (uint32_t i = 0; i < n; i++) {
            cb_wait_front(0, 1);
            noc_async_write_tile(i, d, get_read_ptr(0));
            noc_async_write_barrier();
            cb_pop_front(0, 1);
        }
    }"""
    x = np.random.default_rng(3).standard_normal((64, 320)).astype(np.float32)
    src = dev.buffer(tt.tilize(x), fmt=tt.bfloat16)
    dst = dev.buffer(src.size, page=2048)
    n = src.pages
    dev.run(tt.Program(dev, (5, 5), reader=reader, writer=writer, reader_args=[src.addr, n], writer_args=[dst.addr, n],
                       cbs=[tt.CB(0, tt.bfloat16, pages=2)]))
    tiles = dst.read(tt.bfloat16).reshape(n, 1024)[::-1].reshape(-1)
    assert np.array_equal(tt.untilize(tiles, 64, 320), tt.round_bfloat16(x))
    src.free(); dst.free()


def test_bank_ids_and_partial_pages(dev):
    src = HEAD + """
    void kernel_main() {
        uint32_t a = get_arg_val<uint32_t>(0), l1 = get_arg_val<uint32_t>(1);
        const InterleavedAddrGen<true> g = {a, 64};
        g.noc_async_read_partial_page(9, l1, 32, 32);                          // the second half of page 9 (bank 1)
        noc_async_read(get_noc_addr_from_bank_id<true>(1, a + 64 + 32), l1 + 32, 32);  // the same bytes, by bank
        noc_async_read_barrier();
        g.noc_async_write_page(0, l1, 64);
        noc_async_write_barrier();
    }"""
    data = np.arange(16 * 16, dtype=np.uint32)
    buf = dev.buffer(data, page=64)
    dev.run(tt.Program(dev, (0, 0), writer=src, writer_args=[buf.addr, dev.chip.l1_unreserved_base]))
    half = data[9 * 16 + 8:10 * 16]
    assert buf.read(np.uint32)[:16].tolist() == list(half) + list(half)
    buf.free()


from hypothesis import given, settings, strategies as st


@given(st.integers(1, 8), st.integers(0, 7), st.integers(0, 7), st.integers(1, 6))
@settings(max_examples=25, deadline=None)
def test_circular_buffers_keep_every_page_in_order_whatever_the_batch_sizes(dev, pages, p, q, rounds):
    # The reader pushes batches of one size, the writer pops batches of another; both divide the buffer, as tt-metal
    # requires (other sizes wrap mid-batch or deadlock, and the engine says so).
    divisors = [d for d in range(1, pages + 1) if pages % d == 0]
    p, q = divisors[p % len(divisors)], divisors[q % len(divisors)]
    total = rounds * p * q
    reader = HEAD + """
    void kernel_main() {
        uint32_t size = get_arg_val<uint32_t>(0), batches = get_arg_val<uint32_t>(1), next = 0;
        for (uint32_t b = 0; b < batches; b++) {
            cb_reserve_back(0, size);
            for (uint32_t i = 0; i < size; i++) *(volatile uint32_t*)(get_write_ptr(0) + i * 16) = next++;
            cb_push_back(0, size);
        }
    }"""
    writer = HEAD + """
    void kernel_main() {
        uint32_t size = get_arg_val<uint32_t>(0), batches = get_arg_val<uint32_t>(1);
        uint32_t out = get_arg_val<uint32_t>(2), l1 = get_arg_val<uint32_t>(3), k = 0;
        for (uint32_t b = 0; b < batches; b++) {
            cb_wait_front(0, size);
            for (uint32_t i = 0; i < size; i++) ((volatile uint32_t*)l1)[k++] = *(volatile uint32_t*)(get_read_ptr(0) + i * 16);
            cb_pop_front(0, size);
        }
        InterleavedAddrGen<true> o = {out, 4 * k};
        noc_async_write(l1, get_noc_addr(0, o), 4 * k);
        noc_async_write_barrier();
    }"""
    out = dev.buffer(4 * total)
    try:
        dev.run(tt.Program(dev, (0, 0), reader=reader, writer=writer, reader_args=[p, total // p],
                           writer_args=[q, total // q, out.addr, dev.chip.l1_size - 4096],
                           cbs=[tt.CB(0, tt.uint32, pages=pages, page=16)]))
        assert out.read(np.uint32).tolist() == list(range(total))
    finally:
        out.free()


def test_stateful_one_packet_reads_and_writes(dev):
    src = HEAD + """
    void kernel_main() {
        uint32_t a = get_arg_val<uint32_t>(0), l1 = get_arg_val<uint32_t>(1);
        InterleavedAddrGen<true> g = {a, 4096};
        uint64_t base = g.get_noc_addr(0);
        noc_async_read_one_packet_set_state(base, 64);
        for (uint32_t i = 0; i < 4; i++) noc_async_read_one_packet_with_state((uint32_t)base + i * 64, l1 + (3 - i) * 64);
        noc_async_read_barrier();
        noc_async_write_one_packet_set_state(base, 256);
        noc_async_write_one_packet_with_state(l1, (uint32_t)base + 256);
        noc_async_write_barrier();
    }"""
    data = np.arange(1024, dtype=np.uint32)
    buf = dev.buffer(data)
    dev.run(tt.Program(dev, (0, 0), writer=src, writer_args=[buf.addr, dev.chip.l1_unreserved_base]))
    got = buf.read(np.uint32)
    assert got[64:128].tolist() == np.concatenate([data[48:64], data[32:48], data[16:32], data[0:16]]).tolist()
    assert np.array_equal(got[:64], data[:64]) and np.array_equal(got[128:], data[128:])
    buf.free()


def test_a_large_multicast_with_the_sender_included(dev):
    # 64 KiB to a 2 x 2 rectangle that holds the sender (loopback_src): the copies split over two threads, the
    # sender's own copy last, since source and destination overlap there.
    src = HEAD + """
    void kernel_main() {
        uint32_t l1 = get_arg_val<uint32_t>(0), out = get_arg_val<uint32_t>(1), me = get_arg_val<uint32_t>(2);
        uint32_t x0 = get_arg_val<uint32_t>(3), y0 = get_arg_val<uint32_t>(4), x1 = get_arg_val<uint32_t>(5), y1 = get_arg_val<uint32_t>(6);
        volatile uint32_t* p = (volatile uint32_t*)l1;
        volatile uint32_t* done = (volatile uint32_t*)get_semaphore(0);
        if (me == 0) {
            for (uint32_t i = 0; i < 16384 + 8; i++) p[i] = i * 3;
            noc_async_write_multicast_loopback_src(l1, get_noc_multicast_addr(x0, y0, x1, y1, l1 + 32), 65536, 4);
            noc_async_write_barrier();
            noc_semaphore_set_multicast_loopback_src(get_semaphore(1), get_noc_multicast_addr(x0, y0, x1, y1, get_semaphore(0)), 4);
        }
        noc_semaphore_wait(done, 7);
        InterleavedAddrGen<true> o = {out, 65536};
        noc_async_write(l1 + 32, get_noc_addr(me, o), 65536);
        noc_async_write_barrier();
    }"""
    cores = list(tt.CoreRange((0, 0), (1, 1)))
    out = dev.buffer(4 * 65536, page=65536)
    (x0, y0), (x1, y1) = dev.chip.noc_xy((0, 0)), dev.chip.noc_xy((1, 1))
    prog = tt.Program(dev, cores, writer=src, semaphores=[0, 7],
                      writer_args=lambda c: [dev.chip.l1_unreserved_base, out.addr, cores.index(c), x0, y0, x1, y1])
    dev.run(prog)
    want = (np.arange(16384, dtype=np.uint32) * 3)
    assert all(np.array_equal(page, want) for page in out.read(np.uint32).reshape(4, 16384))
    out.free()
