"""What can go wrong, named so that the user knows what to fix."""


class TensixError(Exception):
    """Base of every error tensix raises on purpose."""


class CompileError(TensixError):
    """A kernel (or the engine) did not compile; the message carries the compiler's words with the kernel's lines."""


class KernelError(TensixError):
    """A kernel did something the chip does not allow (a bad address, a bad circular-buffer call) or crashed.
    `core` is the logical core, `proc` the RISC-V (BRISC, NCRISC, TRISC), `kernel` the kernel's name."""

    def __init__(self, message, core=None, proc=None, kernel=None):
        super().__init__(message)
        self.core, self.proc, self.kernel = core, proc, kernel


class DeadlockError(KernelError):
    """Every thread still running waits on something no other thread will do. `blocked` lists them."""

    def __init__(self, message, blocked=()):
        super().__init__(message)
        self.blocked = list(blocked)


class HangError(KernelError):
    """A kernel ran past the time budget without waiting on anything: an endless loop, or a spin on plain memory."""
