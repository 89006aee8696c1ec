"""The init calls tt-metal's compute API needs on silicon, added to a rendered compute kernel.

On the chip each tile op runs in a mode the unpacker, the math engine, the SFPU and the packer were configured for by
an init call (tt_metal/include/compute_kernel_api/*.h): copy_tile_to_dst_init_short sets the unpacker to move a tile
into srcA and the math engine to copy it to the register (tile_move_copy.h), transpose_wh_init_short the same with the
transpose (transpose_wh.h), reduce_init the unpacker for A and the scaler, the math engine's reduce and the packer's
edge mask, undone by reduce_uninit (reduce.h), mm_init_short the matmul's unpack and math (matmul.h), tilize_init the
unpacker's tilize mode, undone by tilize_uninit (tilize.h), pack_untilize_dst_init_short the packer's untilize mode,
undone by pack_untilize_uninit (pack_untilize.h); each SFPU op's *_tile_init loads that op's constants and address
mode, so it is due again after another SFPU op's init. The kernel starts with compute_kernel_hw_startup
(compute_kernel_hw_startup.h; 2024's binary_op_init_common).

This pass walks the kernel's statements with the mode each unit is known to be in (a set of possible modes after
branches and loop back edges) and inserts an init where a tile op needs a mode the unit may not be in: once where the
mode changes, before a loop where its body keeps one mode. The simulator's inits are no-ops, so results stay the same."""
import re

CALL = re.compile(r"\s*([A-Za-z_][A-Za-z_0-9]*)\s*(<[^()]*>)?\s*\((.*)\)\s*$", re.S)
GUARD = re.compile(r"\s*if\s*\((?:[^()]|\([^()]*\))*\)\s*")
SCALAR = {"add_unary_tile", "sub_unary_tile", "mul_unary_tile", "div_unary_tile"}  # binop_with_scalar.h
BITWISE = {"bitwise_and_binary_tile", "bitwise_or_binary_tile", "bitwise_xor_binary_tile"}  # binary_bitwise_sfpu.h
SHIFT = {"binary_left_shift_tile", "binary_right_shift_tile", "binary_logical_right_shift_tile"}  # binary_shift.h
TEMPLATED_INIT = {"lt_int_tile", "mul_int_tile"}  # binary_comp.h, mul_int_sfpu.h: init<DataFormat>()
SFPU_OTHER = {"eqz_tile_int32": "eqz_tile_init()", "nez_tile_int32": "nez_tile_init()",  # eltwise_unary/comp.h
              "fill_tile_int": "fill_tile_init()", "copy_dest_values": "copy_dest_values_init()",
              "negative_tile_int32": "negative_tile_init()"}  # eltwise_unary/negative.h
NOT_TILE_OPS = {"pack_tile", "copy_tile", "transpose_wh_tile", "matmul_tiles", "reduce_tile"}


def formats(name, a):
    """{unit: (cb, reconfig call, None)}: the circular buffers whose data format the call's unpacker sources and packer
    use (a matmul unpacks in0 to srcB and in1 to srcA; tilize_block packs into its output). The mode inits leave the
    formats as they were ("This does not reconfigure the unpacker data types", tile_move_copy.h); a buffer in another
    format than the one configured needs reconfig_data_format_srca/srcb or pack_reconfig_data_format (compute_kernel_api/
    reconfig_data_format.h, pack.h; compute_kernel_hw_startup.h says so). Here any other buffer counts as another format."""
    srca = a[1] if name == "matmul_tiles" else a[0] if name in ("copy_tile", "transpose_wh_tile", "tilize_block", "reduce_tile") else None
    srcb = a[0] if name == "matmul_tiles" else a[1] if name == "reduce_tile" else None
    pack = a[1] if name == "pack_tile" else a[0] if name == "pack_untilize_dst" else a[2] if name == "tilize_block" else None
    out = {}
    if srca: out["srca"] = (("fmt", srca), f"reconfig_data_format_srca({srca})", None)
    if srcb: out["srcb"] = (("fmt", srcb), f"reconfig_data_format_srcb({srcb})", None)
    if pack: out["packfmt"] = (("fmt", pack), f"pack_reconfig_data_format({pack})", None)
    return out


def need(name, targs, args):
    """{unit: (mode, init call, uninit call or None)} the call needs, or {} for a call that is no tile op; the formats
    first (a reconfig goes before the op's init, as in tt-metal's kernels)."""
    a = [x.strip() for x in args.split(",")]
    return {**formats(name, a), **modes(name, targs, a)}


def modes(name, targs, a):
    if name == "copy_tile": return {"unpack": (("copy", a[0]), f"copy_tile_to_dst_init_short({a[0]})", None)}
    if name == "transpose_wh_tile": return {"unpack": (("transpose", a[0]), f"transpose_wh_init_short({a[0]})", None)}
    if name == "matmul_tiles": return {"unpack": (("mm", a[0], a[1]), f"mm_init_short({a[0]}, {a[1]})", None)}
    if name == "tilize_block":
        return {"unpack": (("tilize", *a[:3]), f"tilize_init({a[0]}, {a[1]}, {a[2]})", f"tilize_uninit({a[0]}, {a[2]})")}
    if name == "reduce_tile":  # the packer's edge mask for the reduced row too: reduce_uninit before the next pack
        return {"unpack": (("reduce", targs, a[0], a[1]), f"reduce_init{targs}({a[0]}, {a[1]}, 16)", "reduce_uninit()")}
    if name == "pack_tile": return {"unpack": ("no reduce", None, None), "pack": ("tiles", None, None)}
    if name == "pack_untilize_dst":
        return {"unpack": ("no reduce", None, None),
                "pack": (("untilize", targs, a[0]), f"pack_untilize_dst_init_short{targs}({a[0]})", f"pack_untilize_uninit({a[0]})")}
    if name == "sfpu_reduce":
        return {"sfpu": (name + targs, f"sfpu_reduce_init{targs[:targs.rindex(',')]}>()", None)}
    if name in SFPU_OTHER: return {"sfpu": (name, SFPU_OTHER[name], None)}
    if name.endswith("_tile") and name not in NOT_TILE_OPS:
        init = "binop_with_scalar_tile_init()" if name in SCALAR else "binary_bitwise_tile_init()" if name in BITWISE else \
            "binary_shift_tile_init()" if name in SHIFT else f"{name}_init{targs or ''}()" if name in TEMPLATED_INIT else \
            "fill_tile_init()" if name == "fill_tile" else f"{name}_init()"
        return {"sfpu": (init, init, None)}  # ops that share an init share its mode
    return {}


def parse(src, i=0):
    """The statements of src from i to the closing brace: [(start, text)] or [(start, header, [body], else-body or
    None)]; returns them and the index after the brace."""
    out = []
    while True:
        while i < len(src) and src[i] in " \t\n": i += 1
        if i >= len(src) or src[i] == "}": return out, i + 1
        j, depth = i, 0
        while not (depth == 0 and src[j] in ";{"):
            depth += (src[j] == "(") - (src[j] == ")")
            j += 1
        text = src[i:j]
        if src[j] == ";":
            out.append((i, text)); i = j + 1
            continue
        body, k = parse(src, j + 1)
        m = re.match(r"\s*else\s*\{", src[k:])
        other = None
        if m: other, k = parse(src, k + m.end())
        out.append((i, text, body, other))
        i = k


def join(a, b): return {u: a.get(u, {None}) | b.get(u, {None}) for u in set(a) | set(b)}


def walk(stmts, state, ins):
    """Runs the statements on state ({unit: set of possible modes}); appends (offset, text) insertions to ins (or
    nothing if ins is None). Returns the state after."""
    state = dict(state)
    for s in stmts:
        if len(s) == 4:  # a block: a loop may run its body again from its end; a branch may be skipped
            start, header, body, other = s
            if not header.strip():  # a bare block
                state = walk(body, state, ins)
            elif header.strip().startswith("for"):
                pre = ""
                for u, (mode, init, _) in hoistable(body).items():
                    if state.get(u) != {mode} and init:
                        pre += leave(state, u, mode) + init + "; "
                        state[u] = {mode}
                if ins is not None and pre: ins.append((start, pre))
                entry = state
                while True:
                    end = walk(body, entry, None)
                    new = join(state, end)
                    if new == entry: break
                    entry = new
                state = join(state, walk(body, entry, ins))
            else:
                after = walk(body, state, ins)
                state = join(after, walk(other, state, ins) if other is not None else state)
            continue
        start, text = s
        if (g := GUARD.match(text)):  # `if (c) call(...);`: the call may be skipped
            state = join(state, walk([(start + g.end(), text[g.end():])], state, ins))
            continue
        m = CALL.match(text)
        if not m: continue
        un, pre = "", ""  # the uninits first: tilize_uninit restores the unpacker for its buffer's format (tilize.h)
        for u, (mode, init, _) in need(m.group(1), m.group(2) or "", m.group(3)).items():
            if mode == "no reduce":
                if any(x and x[0] == "reduce" for x in state.get(u, ())):
                    un += "reduce_uninit(); "
                    state[u] = {x for x in state[u] if not (x and x[0] == "reduce")} or {None}
            elif state.get(u) != {mode}:
                un, pre = un + leave(state, u, mode), pre + (init + "; " if init else "")
                state[u] = {mode}
        if ins is not None and un + pre: ins.append((start, un + pre))
    return state


UNINITS = {}  # mode -> its uninit call, as need() says


def leave(state, unit, mode):
    """The uninit calls of the modes the unit may be in that must be undone before another mode."""
    return "".join(UNINITS[x] + "; " for x in sorted(state.get(unit, ()), key=str) if x != mode and x in UNINITS)


def hoistable(body):
    """{unit: (mode, init, uninit)} for the units every tile op of a loop body needs in one mode and no statement of
    the body changes: their init can go before the loop."""
    seen = {}
    def go(stmts):
        for s in stmts:
            if len(s) == 4:
                go(s[2]); go(s[3] or [])
                continue
            m = CALL.match(s[1])
            if not m: continue
            for u, n in need(m.group(1), m.group(2) or "", m.group(3)).items():
                if n[0] == "no reduce": continue  # changes nothing but a reduce's mode, which is no body's one mode
                seen.setdefault(u, set()).add(n)
    go(body)
    return {u: next(iter(ns)) for u, ns in seen.items() if len(ns) == 1 and next(iter(ns))[0] is not None and next(iter(ns))[2] is None}


def add_inits(src):
    """The compute kernel source src with its inits: compute_kernel_hw_startup first, then an init wherever a tile op
    needs a mode its unit may not be in."""
    m = re.search(r"void MAIN\s*\{", src)
    stmts, _ = parse(src, m.end())
    calls = []
    def collect(ss):
        for s in ss:
            if len(s) == 4: collect(s[2]); collect(s[3] or [])
            elif (c := CALL.match(s[1])) and (n := need(c.group(1), c.group(2) or "", c.group(3))):
                for u, (mode, _, uninit) in n.items():
                    if uninit: UNINITS[mode] = uninit
                calls.append(n)
    collect(stmts)
    ins = []
    # the start-up configures the unpacker, math and packer for the first op's circular buffers (tt-metal asks the
    # same ones as the next init's)
    first = lambda unit: next((n[unit][0][1] for n in calls if unit in n), None)
    in0, out_cb = first("srca") or "0", first("packfmt") or "16"
    in1 = first("srcb") or in0
    walk(stmts, {"unpack": {None}, "pack": {"tiles"}, "sfpu": {None}, "srca": {("fmt", in0)}, "srcb": {("fmt", in1)},
                 "packfmt": {("fmt", out_cb)}}, ins)
    ins.append((stmts[0][0] if stmts else m.end(), f"compute_kernel_hw_startup({in0}, {in1}, {out_cb});\n    "))
    for at, text in sorted(ins, key=lambda x: x[0], reverse=True): src = src[:at] + text + src[at:]
    return src
