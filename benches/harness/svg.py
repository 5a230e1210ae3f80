"""A hand-written SVG chart: grouped bars of slowdown against native, per program and
runtime, on a log scale, with a geometric-mean group at the end (after the seed paper's
figures). No plotting library: the harness stays stdlib-only."""

import math
from html import escape

# Colour-blind-safe palette (Okabe-Ito), in runtime order.
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

BAR, GAP, LEFT, RIGHT, TOP, PLOT_H, BOTTOM = 9, 14, 64, 20, 56, 300, 110


def chart(slow: dict, programs: list[str], runtimes: list[str], title: str) -> str:
    """slow: {runtime: {"per_program": {program: ratio}, "geomean": ratio}}; runtimes
    excludes native (it is the 1x line). Missing ratios (invalid or absent) show as a red
    cross at the foot of the group, so a failure is visible, not a hole."""
    groups = programs + ["geomean"]

    def value(runtime: str, group: str) -> float | None:
        return slow[runtime]["geomean"] if group == "geomean" else slow[runtime]["per_program"].get(group)

    values = [v for r in runtimes for g in groups if (v := value(r, g))]
    lo = 10 ** math.floor(math.log10(min(values + [1.0])))
    hi = 10 ** math.ceil(math.log10(max(values + [2.0]) * 1.05))
    span = math.log10(hi) - math.log10(lo)

    def y(v: float) -> float:
        return TOP + PLOT_H * (1 - (math.log10(v) - math.log10(lo)) / span)

    # Wide enough for the title and legend even with few programs; bars widen to fill
    # the space (up to 3x) rather than huddle on the left.
    legend_w = sum(24 + 7 * len(r) for r in runtimes) + 110
    width = max(LEFT + len(groups) * (len(runtimes) * BAR + GAP) + GAP + RIGHT, LEFT + legend_w + RIGHT, 7.5 * len(title) + 40)
    group_w = (width - LEFT - RIGHT - GAP) / len(groups)
    bar = min(3 * BAR, (group_w - GAP) / len(runtimes))
    height = TOP + PLOT_H + BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    # Grid and axis labels at 1, 2, 5 x each decade.
    decade = lo
    while decade <= hi:
        for step in (1, 2, 5):
            v = decade * step
            if lo <= v <= hi:
                major = step == 1
                out.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                           f'stroke="{"#bbb" if major else "#e6e6e6"}" stroke-width="1"/>')
                out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}x</text>')
        decade *= 10
    out.append(f'<text transform="translate(16 {TOP + PLOT_H / 2}) rotate(-90)" text-anchor="middle">'
               f'slowdown vs native (log scale, lower is better)</text>')
    # Bars.
    for gi, group in enumerate(groups):
        x0 = LEFT + GAP + gi * group_w
        if group == "geomean":
            out.append(f'<rect x="{x0 - GAP / 2}" y="{TOP}" width="{group_w:.1f}" height="{PLOT_H}" fill="#f3f3f3"/>')
        for ri, runtime in enumerate(runtimes):
            x = x0 + ri * bar
            v = value(runtime, group)
            colour = COLOURS[ri % len(COLOURS)]
            if v is None:
                out.append(f'<text x="{x + bar / 2}" y="{TOP + PLOT_H - 3}" text-anchor="middle" '
                           f'fill="#d00" font-weight="bold">×</text>')
                continue
            top = y(v)
            out.append(f'<rect x="{x}" y="{top:.1f}" width="{bar - 1:.1f}" height="{TOP + PLOT_H - top:.1f}" '
                       f'fill="{colour}"><title>{escape(runtime)} on {escape(group)}: {v:.2f}x</title></rect>')
            if group == "geomean":
                out.append(f'<text transform="translate({x + bar / 2 + 3:.1f} {top - 3:.1f}) rotate(-90)" '
                           f'font-size="9">{v:.2f}</text>')
        label_x = x0 + len(runtimes) * bar / 2
        weight = ' font-weight="bold"' if group == "geomean" else ""
        out.append(f'<text transform="translate({label_x:.1f} {TOP + PLOT_H + 8}) rotate(45)"{weight}>'
                   f'{escape(group)}</text>')
    # The native line, over the bars.
    out.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y(1):.1f}" y2="{y(1):.1f}" stroke="black" '
               f'stroke-dasharray="4 3"/>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{width - LEFT - RIGHT}" height="{PLOT_H}" fill="none" stroke="#444"/>')
    # Legend, in one row under the title.
    lx = LEFT
    for ri, runtime in enumerate(runtimes):
        out.append(f'<rect x="{lx}" y="30" width="10" height="10" fill="{COLOURS[ri % len(COLOURS)]}"/>')
        out.append(f'<text x="{lx + 14}" y="39">{escape(runtime)}</text>')
        lx += 24 + 7 * len(runtime)
    out.append(f'<text x="{lx}" y="39">- - native = 1x</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
