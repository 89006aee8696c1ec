"""Compiling: the engine and every kernel are built from source with the host C++ compiler on first use, and cached by
a hash of everything that goes into them (default ~/.cache/tensix, or TENSIX_CACHE). A second launch of the same
program, in this process or another, compiles nothing."""
import functools, os, platform, re, shutil, sys, tempfile, threading
from pathlib import Path
from .errors import CompileError, TensixError

NATIVE = Path(__file__).parent / "native"
INCLUDE = NATIVE / "include"


def _sha256(data=b""):
    import hashlib  # on first use: loading OpenSSL would add milliseconds to `import tensix`
    return hashlib.sha256(data)


def cache_dir() -> Path:
    return Path(os.environ.get("TENSIX_CACHE") or Path.home() / ".cache" / "tensix")


@functools.lru_cache(None)
def compiler() -> tuple:
    """(path, identity) of the host C++ compiler: $CXX, else g++, clang++ or c++. The identity, part of every cache
    key, is its version line, where it is, and a hash of the file itself (a changed wrapper script is a new compiler)."""
    import subprocess
    for name in ([os.environ["CXX"]] if os.environ.get("CXX") else []) + ["g++", "clang++", "c++"]:
        path = shutil.which(name)
        if path:
            version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
            real = os.path.realpath(path)
            with open(real, "rb") as f: digest = _sha256(f.read()).hexdigest()[:16]
            return path, f"{version} ({real} {digest})"
    raise TensixError("tensix compiles kernels with the host C++ compiler and found none: install g++ "
                      "(Debian/Ubuntu: apt install g++) or clang++, or set CXX to a C++17 compiler")


@functools.lru_cache(None)
def _native_hash() -> str:
    h = _sha256()
    for f in sorted(NATIVE.rglob("*")):  # the host library (native/host) is no part of the engine or a kernel
        if f.is_file() and f.suffix in (".h", ".hpp", ".cpp") and NATIVE / "host" not in f.parents: h.update(f.relative_to(NATIVE).as_posix().encode() + f.read_bytes())
    return h.hexdigest()


def _key(*parts) -> str:
    return _sha256(repr((parts, _native_hash(), compiler()[1])).encode()).hexdigest()[:24]


# What a compiler error means, in the user's terms: the first pattern found gives the hint. `void MAIN {` outside a
# compute build (MAIN is the compute build's define): g++ and clang++ word it differently.
HINTS = {r"error: variable or field .MAIN. declared void|error: variable has incomplete type 'void'\n\s*void MAIN\b":
             "this looks like a compute kernel (MAIN); pass it as compute=",
         r"for .-march=. switch": "TENSIX_ENGINE_MARCH sets it: unset it, or give a value this compiler knows (x86-64-v3, ...)",
         r"wrapper\.cpp:\d+:\d+: error: .*tensix_compute": "a compute kernel defines its entry as `namespace NAMESPACE { void MAIN { ... } }`",
         r"wrapper\.cpp:\d+:\d+: error: .*kernel_main": "a kernel defines its entry as `void kernel_main() { ... }` (a compute "
                                                      "kernel in 2024's API: `namespace NAMESPACE { void MAIN { ... } }`)"}


def _compile(args, out: Path, cwd: Path, what: str, rename=None):
    """Run the compiler into a temporary file and move it into place, so a cache entry is whole or absent."""
    import subprocess
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-", suffix=out.suffix)
    os.close(fd)
    try:
        r = subprocess.run([compiler()[0], *args, "-o", tmp], capture_output=True, text=True, cwd=cwd)
        if r.returncode:
            text = rename(r.stderr) if rename else r.stderr
            hints = [h for pattern, h in HINTS.items() if re.search(pattern, text)]
            raise CompileError(f"{what} failed to compile:\n{text}".rstrip() + "".join(f"\nhint: {h}" for h in hints[:1]))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp): os.unlink(tmp)


@functools.lru_cache(None)
def _cpu() -> str:
    """The processor's features: the engine is built for this processor (-march=native), so its cache entry is too."""
    try:
        flags = next((line for line in open("/proc/cpuinfo") if line.startswith(("flags", "Features"))), "")
    except OSError:
        flags = ""
    return platform.machine() + _sha256(flags.encode()).hexdigest()[:8]


def engine_flags() -> list:
    """-ffp-contract=off: no fused multiply-adds but those written, so every sum rounds as written and results match
    across processors. -march: this processor's, or TENSIX_ENGINE_MARCH's: x86-64-v3 (AVX2 and FMA, no AVX-512) runs
    here the products a processor without AVX512_BF16 runs, x86-64 the portable ones (tests/test_threads.py checks
    they give the same bits). The engine is a process of its own: built for more than this processor has, its runs end
    with an illegal instruction, reported; the user's Python lives on."""
    march = os.environ.get("TENSIX_ENGINE_MARCH", "") or "native"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]*", march):
        raise TensixError(f"TENSIX_ENGINE_MARCH takes a -march value for the engine's build (native, x86-64-v3, "
                          f"znver3, ...); got {march!r}")
    return ["-std=c++17", "-O3", f"-march={march}", "-ffp-contract=off", "-g", "-pthread"]


# ---- cache entries are checked before use: a truncated file, or another binary in an entry's place, is rebuilt
def _sum_of(out: Path) -> Path: return out.with_name(out.name + ".sum")


def _digest(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {_file_hash(str(path), st.st_mtime_ns, st.st_size)}"


def _replace(tmp, path: Path):
    """os.replace, over whatever damage sits at `path`: a directory there (by hand, or a stray tool) would make
    every later build of the entry fail, so it goes."""
    if path.is_dir() and not path.is_symlink(): shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)


def _seal(tmp: Path, out: Path):
    """Move a freshly built `tmp` to `out`, with its size and content hash beside it (written first: an entry is whole
    or absent, and a reader never sees a new binary with no sum)."""
    _write(_sum_of(out), _digest(tmp) + "\n")
    _replace(tmp, out)


def _usable(out: Path, what: str) -> bool:
    """Whether a cache entry exists and is what was built there. A damaged one is reported (then rebuilt)."""
    try:
        expected = _sum_of(out).read_text().strip()
    except OSError:
        return False  # absent, or built before entries had sums (or interrupted): build it, quietly
    try:
        if _digest(out) == expected: return True
    except OSError:
        pass
    print(f"tensix: the cached {what} {out} is damaged (its size or content differ from when it was built); "
          f"rebuilding it", file=sys.stderr, flush=True)
    return False


def engine() -> Path:
    """The simulator engine executable, compiled once per source version, compiler, processor and -march."""
    flags = engine_flags()
    out = cache_dir() / f"engine-{_key('engine', flags, _cpu())}"
    if not _usable(out, "engine"):
        out.parent.mkdir(parents=True, exist_ok=True)
        print(f"tensix: compiling the simulator engine with {Path(compiler()[0]).name} (once; cached in {cache_dir()})",
              file=sys.stderr, flush=True)
        tmp = out.with_name(f".{out.name}.{_tag()}")
        _compile([*flags, *map(str, sorted(NATIVE.glob("*.cpp"))), "-ldl"], tmp, NATIVE, "the tensix engine")
        _seal(tmp, out)
    return out


HOST_FLAGS = ["-std=c++17", "-O3", "-march=native", "-fPIC", "-shared"]


def host_library() -> Path:
    """The host's native helpers (native/host/*.cpp: format conversion and tilizing straight into the banks) as a
    shared library for ctypes, compiled once per source version, compiler and processor, like the engine."""
    sources = sorted((NATIVE / "host").glob("*.cpp"))
    key = _key('host', HOST_FLAGS, _cpu(), [f.read_bytes() for f in [*sources, NATIVE / "cpus.h"]])
    out = cache_dir() / f"host-{key}.so"
    if not _usable(out, "host library"):
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.stem}.{_tag()}.so")
        _compile([*HOST_FLAGS, *map(str, sources)], tmp, NATIVE, "tensix's host library")
        _seal(tmp, out)
    return out


WRAPPER = """// generated by tensix: the build's defines, what the firmware includes, the kernel's source, then the entry the engine calls
#include "defines.h"
{prelude}
#include "kernel.cpp"
extern "C" {{
__attribute__((visibility("default"))) TxApi* tensix_api;
__attribute__((visibility("default"))) void tensix_kernel_entry() {{ {call}; }}
}}
"""
# -z norelro keeps a kernel's data writable, so the engine can restore its globals before each run;
# stack-clash protection makes a frame larger than the stack hit the guard gap instead of jumping it;
# --no-undefined turns a call to something that exists nowhere into a compile error, not a failed load;
# -MMD lists every header the kernel reaches, so a changed header is a new binary (see _reached);
# no sibling calls: a kernel's last API call (its final barrier) returns into the kernel, so an error there names its line.
KERNEL_FLAGS = ["-std=c++17", "-O2", "-g", "-fPIC", "-shared", "-fvisibility=hidden", "-fstack-clash-protection",
                "-fno-optimize-sibling-calls", "-Wl,-Bsymbolic", "-Wl,-z,norelro", "-Wl,--no-undefined", "-MMD"]


def _tag() -> str:
    """Names this process's and thread's temporary files: a program's kernels compile in parallel threads."""
    return f"{os.getpid()}-{threading.get_ident()}"


def _write(path: Path, text: str):
    """Write whole or not at all: another process may be compiling the same kernel."""
    tmp = path.with_name(f".{path.name}.{_tag()}")
    tmp.write_text(text)
    _replace(tmp, path)


def directories(name, dirs) -> list:
    """`dirs` checked: a list of existing directories (a str is one directory, not a list of one-letter ones)."""
    if isinstance(dirs, (str, bytes, os.PathLike)) or not isinstance(dirs, (list, tuple)):
        hint = " (a str: put it in a list)" if isinstance(dirs, (str, os.PathLike)) else ""
        raise TensixError(f"{name} takes a list of directories; got {dirs!r}{hint}")
    for i, p in enumerate(dirs):
        if not isinstance(p, (str, os.PathLike)): raise TensixError(f"{name}[{i}] takes a directory (a str or path); got {p!r}")
        if not Path(p).expanduser().is_dir(): raise TensixError(f"{name}[{i}]: {p} is not a directory")
    return list(dirs)


def include_path(includes=()) -> list:
    """The kernel's include directories: its own, then TENSIX_INCLUDE's (os.pathsep-separated), absolute. A directory
    that is not there is named: the compiler would skip it and then fail on a header, far from the cause."""
    for p in (env := [p for p in os.environ.get("TENSIX_INCLUDE", "").split(os.pathsep) if p]):
        if not Path(p).expanduser().is_dir(): raise TensixError(f"TENSIX_INCLUDE: {p} is not a directory")
    return [str(Path(p).expanduser().resolve()) for p in [*includes, *env]]


@functools.lru_cache(4096)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    return _sha256(Path(path).read_bytes()).hexdigest()


def _reached(d: Path):
    """A hash of the headers the entry's last compile reached (its `reached` list), as they are now; None if one is
    gone or the entry has no list."""
    try:
        h = _sha256()
        for path in (d / "reached").read_text().splitlines():
            st = os.stat(path)
            h.update(path.encode() + _file_hash(path, st.st_mtime_ns, st.st_size).encode())
        return h.hexdigest()[:16]
    except (OSError, ValueError):  # ValueError: a damaged list that is not text
        return None


def _record_reached(d: Path, deps: Path):
    """From the compiler's dependency list, the headers outside the entry, written to `reached`."""
    text = deps.read_text().replace("\\\n", " ")
    deps.unlink()
    paths = re.split(r"(?<!\\)\s+", text.split(":", 1)[1].strip()) if ":" in text else []
    paths = [str((d / p.replace("\\ ", " ")).resolve()) for p in paths if p]
    _write(d / "reached", "\n".join(sorted({p for p in paths if Path(p).parent != d.resolve()})))


def _define_lines(defines: dict) -> list:
    return [f"#define {k}" if v is None else f"#define {k} {v}" for k, v in defines.items()]


def kernel(source: str, name: str, prelude: str, call: str, defines: dict, includes=(), cached_only=False) -> Path:
    """A kernel as a shared object. `prelude` is what the chip's firmware puts before the kernel, `call` runs its
    entry point, `defines` holds compile-time args, NoC index and the user's defines, `includes` the user's include
    directories. Cached by all of those, the compiler and its flags, and the content of every header it reaches.
    With cached_only, None when the cache has no entry for it (nothing is compiled then)."""
    includes = include_path(includes)
    memo = (str(cache_dir()), source, prelude, call, tuple(sorted(defines.items())), tuple(includes), tuple(KERNEL_FLAGS),
            compiler()[1], _native_hash())
    seen = _seen.get(memo)
    if seen and _stats(seen[1]) == seen[2]: return seen[0]
    key = _key("kernel", source, prelude, call, sorted(defines.items()), includes, KERNEL_FLAGS)
    d = cache_dir() / "kernels" / key[:2] / key
    reached = _reached(d)
    if reached and _usable(d / f"kernel-{reached}.so", f"kernel {name!r}"): return _remember(memo, d, d / f"kernel-{reached}.so")
    if cached_only and not reached: return None  # a damaged entry is rebuilt now, said once
    if d.is_file(): d.unlink()  # damage in the entry's place
    d.mkdir(parents=True, exist_ok=True)
    lines = _define_lines(defines)
    _write(d / "kernel.cpp", source)
    _write(d / "defines.h", "#pragma once\n" + "\n".join(lines) + "\n")
    _write(d / "wrapper.cpp", WRAPPER.format(prelude=prelude, call=call))
    flags = [*KERNEL_FLAGS, f"-I{INCLUDE}", f"-I{d}", *[f"-I{p}" for p in includes], "wrapper.cpp"]
    # The compiler names kernel.cpp by its path in the cache and a define by its line in defines.h; the user knows
    # them by the kernel's name and the define's own words.
    def rename(text):
        text = re.sub(r"In file included from wrapper\.cpp:\d+[:,]\n", "", text)
        text = re.sub(r"(\S*/)?defines\.h:(\d+)(:\d+)?", 
                      lambda m: f"define {lines[int(m[2]) - 2][8:].replace(' ', '=', 1)}" if 2 <= int(m[2]) < len(lines) + 2 else m[0], text)
        return re.sub(r"(\S*/)?kernel\.cpp\b", lambda m: name, text)
    tmp, deps = d / f".kernel-{_tag()}.so", d / f".deps-{_tag()}.d"
    _compile([*flags[:-1], "-MF", deps.name, flags[-1]], tmp, d, f"kernel {name}", rename)
    _record_reached(d, deps)
    out = d / f"kernel-{_reached(d)}.so"
    _seal(tmp, out)
    return _remember(memo, d, out)


# Kernels this process found usable, with what the check read: the entry's files and every header it reached. A new
# Program of the same kernels (each run of an example makes one) then stats those files instead of hashing its key
# and reading its lists again; any change to one of them (a header edited, an entry damaged) takes the full check.
_seen = {}


def _stats(paths):
    try:
        return [(st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_mode) for st in map(os.stat, paths)]
    except OSError:
        return None


def _remember(memo, d: Path, out: Path) -> Path:
    try:
        paths = [out, _sum_of(out), d / "reached", *(d / "reached").read_text().splitlines()]
    except (OSError, ValueError):
        return out
    stats = _stats(paths)
    if stats is not None:
        if len(_seen) > 4096: _seen.clear()
        _seen[memo] = (out, paths, stats)
    return out
