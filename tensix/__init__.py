"""tensix: program Tenstorrent Tensix-grid chips from Python, on an embedded simulator of the chip.

    dev = tensix.Device()                      # a simulated Grayskull e150
    buf = dev.buffer(np.arange(1024, dtype=np.uint32))
    prog = tensix.Program(dev, cores=(0, 0), reader=KERNEL_SOURCE, reader_args=[buf.addr])
    run = dev.run(prog)
"""
__version__ = "0.1.0"  # pyproject.toml reads it from here
from .chips import CHIPS, Chip
from .device import Buffer, Device, Run
from .errors import CompileError, DeadlockError, HangError, KernelError, TensixError
from .formats import (DataFormat, FORMATS, bfloat16, bfp4_b, bfp8_b, float16, float32, int32, round_bfloat16, tilize, uint8,
                      uint16, uint32, untilize)
from .program import CB, CoreRange, Kernel, Program, TensorAccessorArgs, UnpackToDestMode
from . import tinygrad as _tinygrad_device  # tinygrad finds device TT (DEV=TT); nothing is imported until it asks

__all__ = ["__version__", "CHIPS", "Chip", "Buffer", "Device", "Run", "CompileError", "DeadlockError", "HangError", "KernelError",
           "TensixError", "DataFormat", "FORMATS", "bfloat16", "bfp4_b", "bfp8_b", "float16", "float32", "int32", "round_bfloat16",
           "tilize", "uint8", "uint16", "uint32", "untilize", "CB", "CoreRange", "Kernel", "Program", "TensorAccessorArgs",
           "UnpackToDestMode"]
