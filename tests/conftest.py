import gc
import os
import pytest
import tensix as tt


@pytest.fixture(scope="module")
def dev():
    d = tt.Device("e150", hang_seconds=2, echo=False)
    yield d
    d.close()


@pytest.fixture
def open_fds():
    """The files this process holds open, after a garbage collection: devices dropped by earlier tests close their
    memory files when collected, which must not count against (or hide a leak in) the test that measures."""
    def files():
        gc.collect()
        return sorted(os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd") if os.path.exists(f"/proc/self/fd/{fd}"))
    return files
