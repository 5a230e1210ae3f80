"""The results as a text table and as JSON."""

import json
import math
import platform
import subprocess
from pathlib import Path

from measure import Pair, Results


def geomean(values: list[float]) -> float | None:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def slowdowns(results: Results, programs: list[str], runtimes: list[str]) -> dict:
    """{runtime: {program: slowdown vs native code at the same size}} over valid results
    only, plus a geomean per runtime taken over the programs it completed validly."""
    table = {}
    for runtime in runtimes:
        row = {}
        for program in programs:
            pair = results.pairs[(program, runtime)]
            base = results.baselines.get((program, pair.percent))
            if base is None or base.error or pair.error or not base.samples or not pair.samples:
                continue
            row[program] = pair.median / base.median
        table[runtime] = {"per_program": row, "geomean": geomean(list(row.values())), "programs": len(row)}
    return table


def machine() -> dict:
    model, cpus = platform.processor() or "unknown", None
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
            elif key.strip() == "CPU(s)":
                cpus = int(value.strip())
    except OSError:
        pass
    return {"cpu": model, "cpus": cpus, "kernel": platform.release(), "arch": platform.machine()}


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f}ms" if seconds < 1 else f"{seconds:.2f}s"


def text_table(results: Results, programs: list[str], runtimes: list[str], slow: dict) -> str:
    """One row per program: each runtime's median time, the share of the full work it
    ran when less than all of it (@P%), and its slowdown against native code at the same
    share. INVALID marks a result that failed (mismatch, crash, timeout)."""
    head = ["program"] + runtimes
    rows = [head]
    for program in programs:
        row = [program]
        for runtime in runtimes:
            pair = results.pairs[(program, runtime)]
            time = fmt_time(pair.median) + (f" @{pair.percent}%" if pair.percent != 100 else "")
            if pair.error:
                row.append("INVALID")
            elif runtime == "native":
                row.append(time)
            else:
                ratio = slow[runtime]["per_program"].get(program)
                row.append(f"{time} ({ratio:.2f}x)" if ratio else time)
        rows.append(row)
    rows.append(["geomean"] + [
        "1.00x" if r == "native" else (f"{slow[r]['geomean']:.2f}x" if slow[r]["geomean"] else "-")
        for r in runtimes
    ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(len(lines) - 1, "  ".join("-" * w for w in widths))
    stratus = [r for r in runtimes if r.startswith("stratus-")]
    peers = [r for r in runtimes if r != "native" and r not in stratus]
    for ours in stratus:
        relative = [f"{peer} {ratio:.2f}" for peer in peers if (ratio := relative_geomean(slow, ours, peer))]
        if relative:
            lines.append(f"{ours} time relative to: " + ", ".join(relative))
    for tiered, ratio in auto_over_jit(slow, runtimes).items():
        lines.append(f"{tiered} / stratus-jit geomean: {ratio:.2f}x")
    return "\n".join(lines)


def legend(runtimes: dict[str, str]) -> str:
    """What each column is: {name: description}, as in the JSON's `runtimes`."""
    width = max(map(len, runtimes), default=0)
    return "\n".join(["Runtimes:"] + [f"  {name:{width}}  {describe}" for name, describe in runtimes.items()])


def relative_geomean(slow: dict, runtime: str, other: str) -> float | None:
    """Geomean over the programs both completed of runtime's slowdown over other's:
    below 1, runtime is the faster."""
    mine, theirs = slow[runtime]["per_program"], slow[other]["per_program"]
    return geomean([mine[p] / theirs[p] for p in mine if p in theirs])


def auto_over_jit(slow: dict, runtimes: list[str]) -> dict[str, float]:
    """What tiering costs or saves against compiling everything up front: for
    `stratus-auto` and each `stratus-auto-tN`, the geomean over the programs both
    completed of its time over `stratus-jit`'s (as slowdowns, so at the same size even
    where the sizing chose different ones). Empty unless both tiers were measured."""
    if "stratus-jit" not in runtimes:
        return {}
    tiered = [r for r in runtimes if r == "stratus-auto" or r.startswith("stratus-auto-t")]
    return {r: ratio for r in tiered if (ratio := relative_geomean(slow, r, "stratus-jit"))}


def extras_text(startup: dict, largest: str | None, startup_largest: dict, validate: dict | None,
                compiled: dict | None, sizes: dict, rss: dict) -> str:
    lines = ["", "Start-up (hello world, process start to exit, median):"]
    lines += startup_lines(startup)
    if largest:
        lines += ["", f"Start-up on the largest program ({largest}.wasm, process start to the usage",
                  "message its main prints at once for an invalid size, median):"]
        lines += startup_lines(startup_largest)
    lines.append("")
    if validate:
        lines.append(f"Decode+validate ({validate['program']}.wasm, {validate['module_bytes']} bytes, "
                     f"{validate['copies']} copies): {validate['mib_per_second']:.1f} MiB/s, "
                     f"{validate['seconds_per_module'] * 1000:.2f} ms per module")
    else:
        lines.append("Decode+validate: not measured")
    lines += compile_lines(compiled)
    if rss:
        programs = list(rss)
        runtimes = list(rss[programs[0]])
        width = max([16, *map(len, runtimes)])
        lines += ["", "Peak RSS (GNU time %M, one run each):",
                  "  " + "runtime".ljust(width) + "".join(f"{p:>14}" for p in programs)]
        for name in runtimes:
            lines.append(f"  {name:{width}}" + "".join(f"{kib(rss[p][name]):>14}" for p in programs))
    lines += ["", "stratus binary size (bytes as built, with line tables / stripped copy):"]
    for build, s in sizes.items():
        if not s:
            lines.append(f"  {build:12} not built")
            continue
        stripped = s["stripped_bytes"]
        lines.append(f"  {build:12} {s['bytes']:>10} / " + (f"{stripped:>9} ({stripped / 1024:>5.0f} KiB)"
                                                          if stripped else "strip failed")
                     + f"   {s['features']}")
    return "\n".join(lines)


BOUNDS = {"guard": "guard region", "explicit": "explicit checks"}


def summary(slow: dict, runtimes: list[str], compiled: dict | None, sizes: dict) -> dict:
    """The headline figures, gathered from the rest: each runtime's geomean slowdown,
    the JIT's compile throughput and code size ratio per bounds mode, stripped sizes."""
    modes = compiled["modes"] if compiled else {}
    return {
        "geomean_slowdown": {r: slow[r]["geomean"] for r in runtimes if r != "native"},
        "compile_program": compiled["program"] if compiled else None,
        "compile_mb_per_second": {mode: m["mb_per_second"] for mode, m in modes.items()},
        "code_size_ratio": {mode: m["code_size_ratio"] for mode, m in modes.items()},
        "stripped_bytes": {build: s["stripped_bytes"] if s else None for build, s in sizes.items()},
    }


def summary_text(figures: dict) -> str:
    lines = ["", "Summary:"]
    slowdowns = [f"{r} {v:.2f}x" for r, v in figures["geomean_slowdown"].items() if v]
    lines.append("  geomean slowdown vs native: " + (", ".join(slowdowns) or "none"))
    if figures["compile_program"]:
        rates = figures["compile_mb_per_second"]
        ratios = figures["code_size_ratio"]
        lines.append(f"  baseline JIT compile throughput on {figures['compile_program']}.wasm: " + ", ".join(
            f"{rates[mode]:.1f} MB/s ({BOUNDS.get(mode, mode)}, machine code {ratios[mode]:.2f}x the code section)"
            for mode in rates))
    else:
        lines.append("  baseline JIT compile throughput: not measured")
    if figures.get("memory64_over_wasm32"):
        g = figures["memory64_over_wasm32"]
        lines.append(f"  wasm64 over wasm32 (stratus-jit, geomean): {g['best']:.3f} best, {g['median']:.3f} median")
    lines.append("  stratus stripped: " + ", ".join(
        f"{build} {size / 1024:.0f} KiB" if size else f"{build} -" for build, size in figures["stripped_bytes"].items()))
    return "\n".join(lines)


def compile_lines(compiled: dict | None) -> list[str]:
    if not compiled:
        return ["", "Baseline JIT compile throughput: not measured"]
    modes = compiled["modes"]
    first = next(iter(modes.values()))
    lines = ["", f"Baseline JIT compile throughput ({compiled['program']}.wasm, {first['functions']} functions, "
                 f"{first['code_section_bytes']} bytes of code section, best of {compiled['rounds']}):"]
    for mode, m in modes.items():
        lines.append(f"  {BOUNDS.get(mode, mode):16} {m['mb_per_second']:6.1f} MB/s  {m['best_ms']:7.2f} ms   "
                     f"{m['machine_code_bytes']} bytes of machine code, {m['code_size_ratio']:.2f}x the code section")
    return lines


def startup_lines(startup: dict) -> list[str]:
    width = max([20, *map(len, startup)])
    return [f"  {name:{width}} {fmt_time(s['median_seconds']):>10}" + (f"   ERROR {s['error']}" if s["error"] else "")
            for name, s in startup.items()]


def kib(value: int | None) -> str:
    return "-" if value is None else f"{value / 1024:.1f} MiB"


def write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def pair_json(pair: Pair) -> dict:
    return {
        "percent": pair.percent,
        "median_seconds": pair.median,
        "seconds": [s.seconds for s in pair.samples],
        "runs": len(pair.samples),
        "checksum": pair.samples[0].checksum if pair.samples else None,
        "valid": pair.error is None and bool(pair.samples),
        "error": pair.error,
    }
