"""Pictures of a run on the grid: every compute core shaded by how busy its busiest RISC-V was, the DRAM banks in place
with their share of the run spent busy, and the NoC links between nodes drawn by load (both NoCs added up). In the
terminal (`grid_text`, ANSI colour optional) or as a PNG (`grid_png`, needs matplotlib: pip install tensix[pictures])."""
SHADES = " .:-=+*#%@"  # 0% .. 100%
COLOURS = [46, 82, 118, 154, 190, 226, 220, 214, 208, 196]  # xterm-256 green -> red


def _level(share): return min(len(SHADES) - 1, int(share * len(SHADES))) if share > 0 else 0


def loads(stats):
    """(core busy share by NoC (x, y), bank busy share by NoC (x, y), link busy share by (x, y, "x" | "y")): 0..1."""
    chip, cycles = stats.chip, max(stats.cycles, 1)
    core = {}
    for (c, _), th in stats.threads.items():
        xy = chip.noc_xy(c)
        core[xy] = max(core.get(xy, 0.0), th.busy / max(th.cycles, 1))
    bank = {xy: busy / cycles for xy, (_, busy) in zip(chip.dram_banks, stats.banks)}
    link = {}
    w, h = chip.noc_size
    for (noc, (x, y), d), (_, busy) in stats.links.items():
        # draw the link on the side of the node it leaves towards: NoC 1's left/up link from (x, y) is NoC 0's from (x-1, y)
        if noc == 1: x, y = ((x - 1) % w, y) if d == "x" else (x, (y - 1) % h)
        link[(x, y, d)] = min(1.0, link.get((x, y, d), 0.0) + busy / cycles)
    return core, bank, link


class Picture(str):
    """Text whose repr is itself, so that a REPL shows `run.picture()` as the grid, not as an escaped string."""
    def __repr__(self): return str(self)


def grid_text(stats, colour=False):
    chip = stats.chip
    core, bank, link = loads(stats)
    w, h = chip.noc_size
    paint = (lambda s, share: f"\x1b[38;5;{COLOURS[_level(share)]}m{s}\x1b[0m") if colour else (lambda s, share: s)
    hchar = lambda s: " " if s <= 0 else "." if s < 0.25 else "-" if s < 0.6 else "="
    vchar = lambda s: " " if s <= 0 else "." if s < 0.25 else ":" if s < 0.6 else "|"
    lines = ["     " + "".join(f"{x:<4}" for x in range(w))]
    for y in range(h):
        row = f"{y:>3}  "
        for x in range(w):
            if (x, y) in core: row += paint(f"[{SHADES[_level(core[(x, y)])]}]", core[(x, y)])
            elif (x, y) in bank: row += paint(f"D{min(9, int(bank[(x, y)] * 10))} ", bank[(x, y)])
            else: row += "   "
            row += hchar(link.get((x, y, "x"), 0)) if x < w - 1 else ""
        lines.append(row)
        lines.append("     " + "".join(f" {vchar(link.get((x, y, 'y'), 0))}  " for x in range(w)))
    lines.append(f"  [ ] a core, by its busiest thread's busy share: '{SHADES}' = 0..100%;  D0..D9: a DRAM bank busy 0..90%+ "
                 f"of the run;  links . - = (across) . : | (down): busy under 25%, under 60%, more")
    return Picture("\n".join(lines))


def grid_png(stats, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("a PNG of the grid needs matplotlib: pip install 'tensix[pictures]'") from e
    chip = stats.chip
    core, bank, link = loads(stats)
    w, h = chip.noc_size
    fig, ax = plt.subplots(figsize=(w * 0.7 + 2, h * 0.7 + 1))
    cmap = plt.get_cmap("RdYlGn_r")
    for (x, y, d), share in link.items():
        x1, y1 = (x + 1, y) if d == "x" else (x, y + 1)
        if x1 < w and y1 < h: ax.plot([x, x1], [y, y1], color=cmap(share), linewidth=1 + 6 * share, zorder=1)
    for (x, y), share in core.items():
        ax.add_patch(plt.Rectangle((x - 0.35, y - 0.35), 0.7, 0.7, color=cmap(share), zorder=2))
    for (x, y), share in bank.items():
        ax.add_patch(plt.Rectangle((x - 0.35, y - 0.35), 0.7, 0.7, facecolor=cmap(share), edgecolor="black", hatch="//", zorder=2))
        ax.text(x, y, "D", ha="center", va="center", zorder=3)
    ax.set_xlim(-0.6, w - 0.4); ax.set_ylim(h - 0.4, -0.6); ax.set_aspect("equal")
    ax.set_xticks(range(w)); ax.set_yticks(range(h))
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, 100))
    fig.colorbar(sm, ax=ax, label="busy, % of the run (cores: busiest thread; banks and links: time booked)")
    ax.set_title(f"{chip.name}: {stats.cycles:,} cycles, {stats.dram_gbps:.1f} GB/s DRAM")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
