"""Host arguments are checked where they enter, so a wrong type or value is a TensixError naming the argument, what
it got and what it takes, never a silent coercion (2.5 -> 2, "123" -> [1, 2, 3]) or a TypeError from deep inside.
numpy integers are integers here."""
import array, math, numbers, os
import numpy as np
from .errors import TensixError


def _got(v):
    text = repr(v)
    return f"{text[:60]}..." if len(text) > 60 else text + ("" if type(v) in (int, float, str) else f" ({type(v).__name__})")


def integer(name, v, lo=None, hi=None, bools=False):
    """v as an int, if it is an integer (int or numpy integer; a bool only if `bools`) in [lo, hi]."""
    if isinstance(v, (bool, np.bool_)) and bools: return int(v)
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
        raise TensixError(f"{name} takes an integer{_range(lo, hi)}; got {_got(v)}")
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise TensixError(f"{name} takes an integer{_range(lo, hi)}; got {v}")
    return v


def _range(lo, hi):
    if lo is not None and hi is not None: return f" from {lo} to {hi}"
    if lo is not None: return " >= 1" if lo == 1 else f" >= {lo}"
    return f" <= {hi}" if hi is not None else ""


def u32(name, v):
    """A 32-bit word: what a kernel's runtime and compile-time args hold. Negative values wrap, as int32 would;
    True and False are 1 and 0, as in C++."""
    v = integer(name, v, bools=True)
    if not -(1 << 31) <= v < (1 << 32): raise TensixError(f"{name}: {v} does not fit in 32 bits (-2**31 to 2**32 - 1)")
    return v & 0xFFFFFFFF


def words(name, vals, limit=None, unit="values"):
    """A list of 32-bit words: a list, tuple or 1-D integer array; never a string or a single number. `name` may be a
    function that makes it: only an error calls it (a runtime arg function runs at every run, on every core)."""
    if isinstance(vals, np.ndarray):
        if vals.ndim != 1: raise TensixError(f"{_name(name)} takes a list of integers; got a {vals.ndim}-D array")
        vals = vals.tolist()
    if not isinstance(vals, (list, tuple, range)):
        raise TensixError(f"{_name(name)} takes a list of integers; got {_got(vals)}")
    if limit is not None and len(vals) > limit:
        raise TensixError(f"{_name(name)}: {len(vals)} {unit}; the limit is {limit}")
    try:  # the common case, quickly (a runtime arg function runs at every run, on every core): integers in 0 to 2**32 - 1
        return array.array("I", vals).tolist()  # "I": 4 bytes; it takes what has __index__ (bools, numpy integers)
    except (TypeError, OverflowError):  # a negative to wrap, or something to name
        return [u32(f"{_name(name)}[{i}]", v) for i, v in enumerate(vals)]


def _name(name): return name() if callable(name) else name


def seconds(name, v, text=False):
    """A positive, finite number of seconds (from a string too, if `text`: an environment variable)."""
    if isinstance(v, str) and text:
        try: f = float(v)
        except ValueError: f = 0
        if not (math.isfinite(f) and f > 0): raise TensixError(f"{name} takes a number of seconds > 0; got {v!r}")
        return f
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.number)) or not math.isfinite(v) or v <= 0:
        raise TensixError(f"{name} takes a number of seconds > 0; got {_got(v)}")
    return float(v)


def boolean(name, v):
    if not isinstance(v, (bool, np.bool_)): raise TensixError(f"{name} takes True or False; got {_got(v)}")
    return bool(v)


def env_flag(name, default: bool) -> bool:
    """An on/off environment variable: 1/on/true/yes or 0/off/false/no, any case; unset is `default`. Anything else
    is an error rather than a guess, so a typo never leaves a safety feature silently off (or on)."""
    text = os.environ.get(name)
    if text is None or text.strip() == "": return default
    if (t := text.strip().lower()) in ("1", "on", "true", "yes"): return True
    if t in ("0", "off", "false", "no"): return False
    raise TensixError(f"{name}={text!r}; it takes 1/on/true/yes or 0/off/false/no")


def instance(name, v, kind, what, none=False):
    if (v is None and none) or isinstance(v, kind): return v
    raise TensixError(f"{name} takes {what}; got {_got(v)}")


def path(name, v):
    """A file path (str or os.PathLike); never an int, which open() would take as a file descriptor (1 is stdout,
    written over and then closed)."""
    if isinstance(v, (str, os.PathLike)) and str(v): return v
    raise TensixError(f"{name} takes a file path (a str or pathlib.Path); got {_got(v)}")


def numeric(dt):
    """Whether a numpy dtype holds numbers: numpy's own, or ml_dtypes' (bfloat16, which the formats return)."""
    return dt.kind in "biufc" or dt.type.__module__ == "ml_dtypes"


def data(name, v):
    """Array data for a buffer: bytes, or a numpy array (or list) of numbers; never text or objects, which have no
    bytes a kernel could use."""
    if isinstance(v, (bytes, bytearray, memoryview)): return np.frombuffer(v, np.uint8)
    if isinstance(v, str): raise TensixError(f"{name} takes an array of numbers or bytes; got a str (encode it first)")
    try:
        arr = np.asarray(v)
    except Exception:
        raise TensixError(f"{name} takes an array of numbers or bytes; got {_got(v)}") from None
    if arr.ndim == 0: raise TensixError(f"{name} takes an array of numbers or bytes; got {_got(v)}, a single value")
    if not numeric(arr.dtype):
        raise TensixError(f"{name} takes an array of numbers or bytes; got {_got(v)} (dtype {arr.dtype})")
    if arr.size == 0: raise TensixError(f"{name} is empty; a buffer holds at least one byte")
    return arr
