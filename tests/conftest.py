import gc
import os
import subprocess
import pytest
import tensix as tt
from tensix import build


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


@pytest.fixture(scope="session")
def native_program(tmp_path_factory):
    """Compiles a C++ program against the engine's headers (tensix/native), for tests of one header's logic."""
    def compile(name, source):
        d = tmp_path_factory.mktemp(name)
        (d / f"{name}.cpp").write_text(source)
        subprocess.run([build.compiler()[0], "-std=c++17", "-O2", "-I", str(build.NATIVE), f"{name}.cpp", "-o", name],
                       cwd=d, check=True)
        return d / name
    return compile
