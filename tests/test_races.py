"""The race detector: each of the bugs that give intermittent wrong answers on silicon (a page used before the NoC has
delivered it, a source reused before the NoC has taken it, a semaphore that overtakes its data, two unordered writers)
is a KernelError naming the call, its line and the transfer it races with; the same kernel with its barrier passes;
races=False turns the detector off."""
import numpy as np
import pytest
import tensix as tt

HEAD = '#include "dataflow_api.h"\n'

# reader: one page per iteration from DRAM into cb 0; BARRIER is the line that must not be missing
READER = HEAD + """void kernel_main() {
    uint32_t src = get_arg_val<uint32_t>(0), n = get_arg_val<uint32_t>(1);
    InterleavedAddrGen<true> pages = {src, 2048};
    for (uint32_t i = 0; i < n; i++) {
        cb_reserve_back(0, 1);
        noc_async_read_page(i, pages, get_write_ptr(0));
        READ_BARRIER
        cb_push_back(0, 1);
    }
}"""
WRITER = HEAD + """void kernel_main() {
    uint32_t dst = get_arg_val<uint32_t>(0), n = get_arg_val<uint32_t>(1);
    InterleavedAddrGen<true> pages = {dst, 2048};
    for (uint32_t i = 0; i < n; i++) {
        cb_wait_front(0, 1);
        noc_async_write(get_read_ptr(0), get_noc_addr(i, pages), 2048);
        WRITE_BARRIER
        cb_pop_front(0, 1);
    }
}"""


def copy(dev, read_barrier=True, write_barrier=True, n=8):
    data = np.arange(n * 512, dtype=np.uint32)
    src, dst = dev.buffer(data, page=2048), dev.buffer(data.nbytes, page=2048)
    rd = READER.replace("READ_BARRIER", "noc_async_read_barrier();" if read_barrier else "")
    wr = WRITER.replace("WRITE_BARRIER", "noc_async_write_barrier();" if write_barrier else "")
    prog = tt.Program(dev, (0, 0), reader=tt.Kernel(rd, "reader"), writer=tt.Kernel(wr, "writer"),
                      reader_args=[src.addr, n], writer_args=[dst.addr, n], cbs=[tt.CB(0, page=2048, pages=2)])
    try:
        dev.run(prog)
        return np.array_equal(dst.read(np.uint32), data)
    finally:
        src.free(); dst.free()


def test_pushing_a_page_before_its_read_lands(dev):
    assert copy(dev)
    with pytest.raises(tt.KernelError, match=r"cb_push_back\(cb 0, 1\) at line 9 of the kernel: .*NoC read into them in flight \(issued by NCRISC at line 7.*noc_async_read_barrier") as e:
        copy(dev, read_barrier=False)
    assert "reader" in str(e.value) and "(0, 0)" in str(e.value)


def test_popping_a_page_while_a_write_from_it_is_in_flight(dev):
    with pytest.raises(tt.KernelError, match=r"cb_pop_front\(cb 0, 1\) at line 9 of the kernel: .*NoC write from them in flight \(issued by BRISC at line 7.*noc_async_write_barrier"):
        copy(dev, write_barrier=False)


def test_reading_into_the_source_of_a_write_in_flight(dev):
    src = HEAD + """void kernel_main() {
        uint32_t l1 = get_arg_val<uint32_t>(0), buf = get_arg_val<uint32_t>(1);
        InterleavedAddrGen<true> pages = {buf, 2048};
        noc_async_write(l1, get_noc_addr(0, pages), 2048);
        noc_async_read(get_noc_addr(1, pages), l1, 2048);
        noc_async_read_barrier();
        noc_async_write_barrier();
    }"""
    buf = dev.buffer(4096, page=2048)
    prog = tt.Program(dev, (0, 0), writer=tt.Kernel(src, "reuse"), writer_args=[dev.chip.l1_unreserved_base, buf.addr])
    with pytest.raises(tt.KernelError, match=r"noc_async_read into L1 .* at line 6 of the kernel overwrites the source of a NoC write still in flight .*BRISC at line 5"):
        dev.run(prog)
    buf.free()


SIGNAL = HEAD + """void kernel_main() {
    uint32_t l1 = get_arg_val<uint32_t>(0), x = get_arg_val<uint32_t>(1), y = get_arg_val<uint32_t>(2), role = get_arg_val<uint32_t>(3);
    if (role == 0) {
        noc_async_write(l1, get_noc_addr(x, y, l1), 8192, 0);
        BARRIER
        noc_semaphore_inc(get_noc_addr(get_arg_val<uint32_t>(4), get_arg_val<uint32_t>(5), get_semaphore(0)), 1, 1);  // NoC 1
    } else {
        noc_semaphore_wait((volatile uint32_t*)get_semaphore(0), 1);
    }
}"""


def signal(dev, barrier):
    a, b = (3, 2), (0, 0)  # NoC 0 goes the long way round from a to b, NoC 1 the short way
    l1 = dev.chip.l1_unreserved_base
    (x, y), (w, h) = dev.chip.noc_xy(b), dev.chip.noc_size  # NoC 1 names the core by its mirrored coordinates
    prog = tt.Program(dev, [a, b], writer=tt.Kernel(SIGNAL.replace("BARRIER", "noc_async_write_barrier();" if barrier else ""), "signal"),
                      semaphores=[0], writer_args=lambda c: [l1, x, y, 0 if c == a else 1, w - 1 - x, h - 1 - y])
    return dev.run(prog)


def test_a_semaphore_signalled_before_its_data_lands(dev):
    signal(dev, barrier=True)
    with pytest.raises(tt.KernelError, match=r"semaphore at L1 .* signalled .*before the data written there by BRISC at line 5.*noc_async_write_barrier"):
        signal(dev, barrier=False)


UNORDERED = HEAD + """void kernel_main() {
    uint32_t l1 = get_arg_val<uint32_t>(0), x = get_arg_val<uint32_t>(1), y = get_arg_val<uint32_t>(2), wait = get_arg_val<uint32_t>(3);
    if (wait) noc_semaphore_wait((volatile uint32_t*)get_semaphore(0), 1);
    noc_async_write(l1, get_noc_addr(x, y, l1 + 4096), 2048);
    noc_async_write_barrier();
    if (!wait) noc_semaphore_inc(get_noc_addr(get_arg_val<uint32_t>(4), get_arg_val<uint32_t>(5), get_semaphore(0)), 1);
}"""


def two_writers(dev, ordered):
    a, b, target = (0, 0), (1, 0), (2, 0)
    l1 = dev.chip.l1_unreserved_base
    args = lambda c: [l1, *dev.chip.noc_xy(target), int(ordered and c == b), *dev.chip.noc_xy(b)]
    prog = tt.Program(dev, [a, b], writer=tt.Kernel(UNORDERED, "two_writers"), semaphores=[0], writer_args=args)
    return dev.run(prog)


def test_two_cores_writing_one_l1_range_unordered(dev):
    two_writers(dev, ordered=True)  # b waits for a's semaphore, sent after a's write landed
    with pytest.raises(tt.KernelError, match=r"NoC write at line 5 of the kernel to L1 .* of the core at NoC \(3,1\) .*overlaps a write there from the core at NoC \(1,1\) BRISC at line 5.*nothing ordering them"):
        two_writers(dev, ordered=False)


def test_the_detector_can_be_turned_off(dev):
    d = tt.Device("e150", hang_seconds=5, echo=False, races=False)
    try:
        assert copy(d, read_barrier=False, write_barrier=False)  # bytes move at the call here: right, but racy on silicon
        signal(d, barrier=False)
        two_writers(d, ordered=False)
    finally:
        d.close()


SIZED = HEAD + """void kernel_main() {
    uint32_t l1 = get_arg_val<uint32_t>(0), x = get_arg_val<uint32_t>(1), y = get_arg_val<uint32_t>(2);
    uint32_t offset = get_arg_val<uint32_t>(3), size = get_arg_val<uint32_t>(4);
    noc_async_write(l1, get_noc_addr(x, y, l1 + 8192 + offset), size);
    noc_async_write_barrier();
}"""


@pytest.mark.parametrize("offset, size, clash", [(2032, 16, True), (2048, 16, False), (1008, 1104, True), (0, 2048, True),
                                                 (-16, 16, False), (-16, 32, True), (1520, 512, True)])
def test_an_unordered_write_clashes_exactly_when_its_bytes_meet_the_others(dev, offset, size, clash):
    """Core a writes 2048 bytes, core b `size` bytes at `offset` from a's start, both at once: found by byte, whichever
    stretch of L1 (the detector looks writes up by 512-byte granules) each begins and ends in."""
    a, b, target = (0, 0), (1, 0), (2, 0)
    l1 = dev.chip.l1_unreserved_base
    writes = {a: (0, 2048), b: (offset, size)}
    prog = tt.Program(dev, [a, b], writer=tt.Kernel(SIZED, "sized"),
                      writer_args=lambda c: [l1, *dev.chip.noc_xy(target), writes[c][0] % (1 << 32), writes[c][1]])
    if clash:
        with pytest.raises(tt.KernelError, match=r"overlaps a write there from the core at NoC \(1,1\)"):
            dev.run(prog)
    else:
        dev.run(prog)


def test_writes_of_an_earlier_run_never_clash(dev):
    """The same bytes written at the same cycles by one core in a run, by another in the next: no clash (the detector
    keeps its tables from run to run, emptied, not freed)."""
    target, l1 = (2, 0), dev.chip.l1_unreserved_base
    for core in [(0, 0), (1, 0), (0, 0)]:
        dev.run(tt.Program(dev, [core], writer=tt.Kernel(SIZED, "sized"),
                           writer_args=lambda c: [l1, *dev.chip.noc_xy(target), 0, 2048]))
