"""The sandbox: once started, the engine refuses the system calls a kernel has no business making, and a kernel that
tries one gets a KernelError naming the call and its line; Device(sandbox=False) or TENSIX_SANDBOX=0 turns it off."""
import os, sys, uuid
import pytest
import tensix as tt
from tensix.examples import add_13_7

HEAD = "\n".join(f"#include <{h}>" for h in ("cstdio", "cstdlib", "unistd.h", "fcntl.h", "signal.h", "sys/socket.h", "netinet/in.h", "sys/resource.h", "sched.h")) + \
    '\n#include "dataflow_api.h"\n'
LINE = HEAD.count("\n") + 2  # the body's line in the kernel
pytestmark = pytest.mark.skipif(sys.platform != "linux" or os.uname().machine not in ("x86_64", "aarch64"),
                                reason="the sandbox is a seccomp filter: Linux on x86-64 and AArch64")


def run(dev, body):
    # the call's result is used, so it is no tail call, which the stack would not show
    src = HEAD + "void kernel_main() {\n    volatile long r = " + body + ";\n    (void)r;\n}\n"
    return dev.run(tt.Program(dev, (1, 0), writer=tt.Kernel(src, "intruder")))


@pytest.mark.parametrize("body, call", [
    ('execl("/bin/sh", "sh", "-c", "true", (char*)0)', "execve"),
    ("fork()", "clone"),
    ("kill(getppid(), 0)", "kill"),
    ('open("{path}", O_WRONLY | O_CREAT, 0644)', "openat"),
    ('open("/etc/hostname", O_RDWR)', "openat"),
    ("socket(AF_INET, SOCK_STREAM, 0)", "socket"),
    ('unlink("{path}")', "unlink" if os.uname().machine == "x86_64" else "unlinkat"),
    # fcntl(F_SETOWN) makes a pipe's I/O signal another process (w6b found kernels sending the host SIGUSR1 this way)
    ("fcntl(1, F_SETOWN, getppid())", "fcntl"),
    ("fcntl(1, F_SETSIG, SIGTERM)", "fcntl"),
    # prlimit on the host would set its limits (w6b: RLIMIT_NOFILE 3 broke the Python process); here only asked
    ("prlimit(getppid(), RLIMIT_NOFILE, nullptr, nullptr)", "prlimit64"),
    # a thread may choose its own processors (the engine's helpers do), never another process's
    ("sched_setaffinity(getppid(), 0, nullptr)", "sched_setaffinity"),
])
def test_a_forbidden_system_call_is_a_kernel_error_naming_it_and_its_line(dev, tmp_path, body, call):
    path = tmp_path / "made-by-a-kernel"
    with pytest.raises(tt.KernelError, match=rf"writer kernel 'intruder' on core \(1, 0\) \(BRISC\) made the system call "
                                             rf"{call}, at line {LINE} of the kernel, which the sandbox refuses"):
        run(dev, body.format(path=path))
    assert not path.exists()
    assert add_13_7.main(dev)[0] and dev.sim.sandboxed


def test_system_which_blocks_signals_is_still_refused_and_said_so(dev):
    with pytest.raises(tt.KernelError, match=r"intruder.*SIGSYS \(a system call the sandbox refuses, made with signals blocked"):
        run(dev, 'system("touch /tmp/tensix-should-not-exist")')
    assert add_13_7.main(dev)[0]


def test_what_kernels_may_do_still_works(dev):
    run(dev, 'open("/etc/hostname", O_RDONLY)')  # reading: dlopen needs it, so a kernel has it too (README)
    run(dev, "getpid() + (long)malloc(1 << 24)")  # memory
    run(dev, "write(1, \"\", 0)")  # stdout
    run(dev, 'printf("%s", "")')  # stdio asks whether stdout is a terminal
    run(dev, "prlimit(0, RLIMIT_STACK, nullptr, nullptr) + prlimit(getpid(), RLIMIT_NOFILE, nullptr, nullptr)")  # its own
    run(dev, "sched_setaffinity(0, 0, nullptr)")  # its own thread's (here refused by the OS: an empty set)
    run(dev, "fcntl(1, F_GETFL) + fcntl(1, F_GETFD) + fcntl(1, F_SETFD, FD_CLOEXEC)")  # what stdio and dlopen ask


def test_the_sandbox_turns_off(tmp_path, monkeypatch):
    path = tmp_path / f"{uuid.uuid4()}"
    with tt.Device(echo=False, sandbox=False) as d:
        run(d, f'open("{path}", O_WRONLY | O_CREAT, 0644)')
        assert path.exists() and d.sim.sandboxed is False and d.sim.unsandboxed_why == "it was turned off"
    monkeypatch.setenv("TENSIX_SANDBOX", "0")
    with tt.Device(echo=False) as d:
        run(d, f'unlink("{path}")')
        assert not path.exists()
