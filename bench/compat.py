"""How much of a tt-metal checkout's kernel tree compiles unchanged with tensix.

    python bench/compat.py PATH [-j JOBS] [--list] [--show TEXT]

Every kernel source under PATH's tt_eager/ and ttnn/ (in a kernels/ folder), tt_metal/kernels/ and
tt_metal/programming_examples/ (a file that defines kernel_main or MAIN) is compiled as tt-metal's host would build
it: the include directories tt-metal's build gives a kernel (USER_INCLUDES: the checkout's root and, in today's
layout, ttnn/, ttnn/cpp/ and tt_metal/api/; its helper headers are the user's code) less the kernel API's own
(tt_metal/hw/inc, tt-llk, hostdevcommon), which tensix provides; the kind (compute, reader or
writer) found from the source, 32 compile-time args of 1 (or 2, see ARG_VALUES), a distinct value for each named
compile-time arg the source asks for, and the defines tt-metal's host passes to such kernels
(HOST_DEFINES). Prints how many compile, and the names still missing ranked by how many kernels each blocks.
"""
import argparse, collections, functools, os, re, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import tensix as tt
from tensix.chips import CHIPS
from tensix.program import compile_kernel

# What tt-metal's op factories define for the kernels they build (their names; one plausible value each). A kernel
# that uses one of these unconditionally cannot be built without it, on the chip as here.
HOST_DEFINES = {
    "ELTWISE_OP": "add_tiles", "ELTWISE_OP_TYPE": "EltwiseBinaryType::ELWADD",
    "BCAST_LLKOP": "EltwiseBinaryType::ELWADD", "BCAST_DIM": "BroadcastType::ROW", "BCAST_OP": "add_tiles_bcast",
    "BCAST_OP_INIT": "add_bcast_rows_init_short", "BCAST_SPECIFIC": None,
    "REDUCE_OP": "PoolType::SUM", "REDUCE_DIM": "ReduceDim::REDUCE_ROW", "ELTWISE_OP_CODE": "0",
    "EXP_APPROX": "0", "WINDOW_INNER": "1", "LOOP_COUNT": "1", "LOOP_SIZE": "1", "ENABLE_FP32_DEST_ACC": "0",
}
# Compile-time args are all 1; a kernel that checks its args' values (a static_assert, a narrowing to bool) is tried
# again with all 2, then all 32 (a tile width: max pool wants 16 or a multiple of 32 channels), then arg i = i (ttnn's
# tilize and untilize kernels assert that their input and output circular buffers, two args, differ).
ARG_VALUES = (1, 2, 32, None)
ARG_VALUE_ERRORS = re.compile(r"static assertion failed|narrowing conversion")
ROOTS = [("tt_eager", True), ("ttnn", True), ("tt_metal/kernels", False), ("tt_metal/programming_examples", False)]
# tt-metal's jit_build (build.cpp) gives every kernel these, beside the kernel API's directories; a 2024 checkout has
# only the root of them
USER_INCLUDES = ["", "ttnn", "ttnn/cpp", "tt_metal/api"]
# Metal 2.0's generated bindings a source reaches by name (tt-metal's host declares them; here each name gets one)
BINDING = re.compile(r"(?<![\w:])(args|dfb|sem|tensor)::(\w+)")
NAMED_ARG = re.compile(r'get_named_compile_time_arg_val\(\s*"(\w+)"\s*\)')
ENTRY = re.compile(r"\bvoid\s+kernel_main\s*\(|\bvoid\s+MAIN\b")
COMPUTE = re.compile(r"\bnamespace\s+NAMESPACE\b|\bvoid\s+MAIN\b|#\s*include\s*[<\"](compute_kernel_api|api/compute|[^\">]*/kernel/compute/)")


def kernel_sources(root: Path) -> list:
    out = []
    for sub, needs_kernels_dir in ROOTS:
        for f in sorted((root / sub).rglob("*.cpp")):
            rel = f.relative_to(root)
            if needs_kernels_dir and "kernels" not in rel.parts[:-1]: continue
            if ENTRY.search(f.read_text(errors="replace")): out.append(rel)
    return out


def kind_of(rel: Path, src: str) -> str:
    # today's compute kernels may include nothing but a ttnn kernel_lib helper, which brings the compute API in
    if COMPUTE.search(src) or ("compute" in rel.parts[:-1] and "kernel_lib/" in src): return "compute"
    return "writer" if "writer" in rel.name else "reader"


# Compiler messages that name what is missing, most specific first.
MISSING = [r"fatal error: (\S+): No such file", r"'([\w:]+)' was not declared in this scope", r"'(\w+)' is not a member of '([\w:]+)'",
           r"'([\w:]+)' has not been declared", r"'([\w:]+)' does not name a type", r"no matching function for call to '([\w:]+)[(<]",
           r"undefined reference to `([\w:]+)", r"'(\w+)' was not declared", r"'(\w+)' is not a class, namespace",
           r"'(\w+)' is not a template", r"no member named '(\w+)'"]


def missing_names(text: str) -> list:
    names = []
    for line in text.replace("\u2018", "'").replace("\u2019", "'").splitlines():
        if "error" not in line: continue
        for pat in MISSING:
            m = re.search(pat, line)
            if m:
                name = m[1] if m.lastindex == 1 or "is not a member" not in pat else f"{m[2]}::{m[1]}"
                if name not in names: names.append(name)
                break
        else:
            m = re.search(r"error: (.*)", line)
            if m and not names: names.append("(other) " + re.sub(r"'[^']*'", "'...'", m[1])[:70])
    return names or ["(unparsed)"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", type=Path)
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    p.add_argument("--list", action="store_true", help="print each failing kernel and what it misses")
    p.add_argument("--show", default=None, help="print the full compiler output of failing kernels whose path contains this")
    args = p.parse_args(argv)
    root = args.path.resolve()
    rels = kernel_sources(root)
    chip = CHIPS["e150"]
    # as tt-metal's build gives a kernel its program's circular buffers (their page sizes and formats as constants):
    # here every index, a bfloat16 tile
    includes = [root / d for d in USER_INCLUDES if (root / d).is_dir()]
    cbs = {i: (tt.bfloat16.tile_bytes, tt.bfloat16.code) for i in range(chip.num_circular_buffers)}

    @functools.lru_cache(None)
    def tensor_buffer():  # a DRAM buffer for tensor:: bindings; only its layout reaches the binary
        return tt.Device("e150").buffer(2048, page=2048)

    def build(rel):
        src = (root / rel).read_text(errors="replace")
        kind = kind_of(rel, src)
        err = None
        # today's named compile-time args: each name the source asks for, a value of its own (they are often CB indices)
        named = {n: i for i, n in enumerate(dict.fromkeys(NAMED_ARG.findall(src)))}
        # Metal 2.0 bindings: every args:: name a compile-time value (so `constexpr auto x = get_arg(args::x)` holds
        # whichever kind the host chose), every dfb:: a buffer index, sem:: an id, tensor:: a DRAM buffer
        bound = collections.defaultdict(dict)
        for space, n in BINDING.findall(src): bound[space].setdefault(n, len(bound[space]) + 1)
        named.update({n: v for n, v in bound["args"].items() if n not in named})
        metal2 = dict(dfbs=bound["dfb"], semaphores=bound["sem"], tensors={n: tensor_buffer() for n in bound["tensor"]})
        for value in ARG_VALUES:
            args = list(range(chip.max_compile_time_args)) if value is None else [value] * chip.max_compile_time_args
            # tt-metal's build includes the kernel file by its path: its quoted includes start from its own folder
            k = tt.Kernel(src, str(rel), compile_args=args, defines=HOST_DEFINES, includes=[(root / rel).parent, *includes],
                          named_args=named, **metal2)
            try:
                compile_kernel(chip, kind, k, cbs)
                return rel, kind, None
            except tt.CompileError as e:
                err = str(e)
                if not ARG_VALUE_ERRORS.search(err): break
        return rel, kind, err

    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(build, rels))
    wall = time.perf_counter() - t0
    failed = [(rel, kind, err) for rel, kind, err in results if err]
    blocks, alone = collections.Counter(), collections.Counter()
    for rel, kind, err in failed:
        names = missing_names(err)
        blocks.update(names)
        if len(names) == 1: alone[names[0]] += 1
        if args.list: print(f"FAIL {rel} ({kind}): {', '.join(names)}")
        if args.show and args.show in str(rel): print(err)
    ok = len(results) - len(failed)
    print(f"{root}: {ok} of {len(results)} kernel sources compile ({100 * ok / max(1, len(results)):.1f}%), "
          f"{wall:.0f} s wall with {args.jobs} jobs")
    if blocks:
        print(f"{'kernels':>8} {'alone':>6}  missing")
        for name, n in blocks.most_common(40): print(f"{n:>8} {alone[name]:>6}  {name}")


if __name__ == "__main__":
    sys.exit(main())
