"""tinygrad on the grid: importing this registers tinygrad's device TT (`DEV=TT`), without touching tinygrad's files.

tinygrad finds device X as the module tinygrad.runtime.ops_x exporting XDevice; a finder on sys.meta_path supplies
tinygrad.runtime.ops_tt from tensix.tinygrad.device when tinygrad asks for it, so this import costs nothing until then.
`import tensix` installs it too. As a pytest plugin (`python -m pytest -p tensix.tinygrad ...`) it also makes TT the
default device, so tinygrad's own test files run on it unmodified."""
import importlib, importlib.abc, importlib.util, os, sys

MODULE = "tinygrad.runtime.ops_tt"


class _OpsTT(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name == MODULE else None
    def create_module(self, spec): return importlib.import_module("tensix.tinygrad.device")
    def exec_module(self, module): pass


def chip_name() -> str: return os.environ.get("TENSIX_DEVICE", "n150")  # the simulated chip


def fp32_register() -> bool:
    """Whether the chip's destination register holds float32 and 32-bit integer words (Wormhole, Blackhole); Grayskull's
    holds bfloat16, so its arithmetic rounds to 8 bits of mantissa and integers are exact only up to 256."""
    import tensix as tt  # here, not above: `import tensix` imports this module
    return tt.CHIPS[chip_name()].arch != "grayskull"


if not any(isinstance(f, _OpsTT) for f in sys.meta_path): sys.meta_path.append(_OpsTT())


def pytest_load_initial_conftests(early_config, parser, args):
    os.environ.setdefault("DEV", "TT")  # before the tests import tinygrad, which reads DEV once
