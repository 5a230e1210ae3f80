"""benches/run: build everything, measure Stratus against native code and peer runtimes,
and write a table, JSON and an SVG chart. See benches/README.md."""

import argparse
import datetime
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build  # noqa: E402
import measure  # noqa: E402
import memory64  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import svg  # noqa: E402
from common import REPO, loud, note  # noqa: E402

# Per mode: runs per pair; the largest size run (percent of the programs' full work);
# the longest run a pair is sized for (sizing.py); per-run timeout; time budget per
# pair; the time after which no new round starts; start-up runs; the seconds of extra
# work for the validation measurement; the JIT's compiles of the largest module per
# bounds mode (the best counts). Chosen so quick takes about 3 minutes and full
# under 20 on a 2-core machine (builds and first-time installs not counted).
MODES = {
    "quick": dict(runs=3, largest_percent=20, run_cap=0.3, timeout=60, pair_budget=3, deadline=100,
                  startup_runs=10, validate_seconds=0.5, validate_repeats=3, compile_rounds=5),
    "full": dict(runs=5, largest_percent=100, run_cap=2.5, timeout=300, pair_budget=15, deadline=780,
                 startup_runs=20, validate_seconds=2.0, validate_repeats=5, compile_rounds=20),
}
# An invalid size: the programs print their usage and exit 2 as soon as main starts.
USAGE_ARG = "percent=0"
# Peak RSS is measured at one small size for every runtime (see measure_rss).
RSS_PERCENT = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benches/run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small inputs, 3 runs (about 3 minutes)")
    parser.add_argument("--out", type=Path, default=REPO / "target/bench-results",
                        help="directory for results.json, slowdown.svg, table.txt (default target/bench-results)")
    parser.add_argument("--runs", type=int, help="runs per program and runtime (default: quick 3, full 5)")
    parser.add_argument("--programs-dir", type=Path, default=REPO / "target/bench-programs",
                        help="where benches/build.sh puts native/ and wasm/ (default target/bench-programs)")
    parser.add_argument("--only", help="comma-separated program names to run (default: all)")
    parser.add_argument("--runtimes", help="comma-separated runtime names to run besides native (default: all);"
                        " with --skip-install, peers left out are not installed either")
    parser.add_argument("--skip-build", action="store_true", help="use the existing builds, build nothing")
    parser.add_argument("--skip-install", action="store_true", help="use peers already installed, install none")
    parser.add_argument("--controls", action="store_true",
                        help="also run the interpreter with fuel and with a timeout armed, and the compiled "
                             "tiers with a checkpoint armed, for their overhead")
    parser.add_argument("--tier-up-thresholds", type=thresholds, default=[], metavar="N1,N2,...",
                        help="also run the tiered mode with each --tier-up-threshold N (stratus-auto-tN), "
                             "to tune the default")
    return parser.parse_args()


def thresholds(text: str) -> list[int]:
    """--tier-up-thresholds: comma-separated non-negative integers, each kept once (a
    repeated one would give two runtimes the same name)."""
    values = [value.strip() for value in text.split(",")]
    if not all(re.fullmatch("[0-9]+", value) for value in values):
        raise argparse.ArgumentTypeError(f"not a list of non-negative integers: {text!r}")
    return list(dict.fromkeys(map(int, values)))


def main() -> int:
    args = parse_args()
    mode = "quick" if args.quick else "full"
    settings = dict(MODES[mode])
    if args.runs:
        settings["runs"] = args.runs
    out = args.out.resolve()
    logs, work = out / "logs", out / "work"
    work.mkdir(parents=True, exist_ok=True)  # the programs' cwd: whatever they write lands here
    began = time.monotonic()

    # 1. Build.
    if not args.skip_build:
        if not build.build_stratus(logs):
            loud("cargo build --release failed: Stratus cannot be measured")
        build.build_programs(args.programs_dir, logs)
    hello = build.build_hello(args.programs_dir, logs)
    programs = all_programs = build.find_programs(args.programs_dir)
    if args.only:
        wanted = set(args.only.split(","))
        programs = [p for p in programs if p.name in wanted]
    if not programs:
        note(f"no programs found in {args.programs_dir}/{{native,wasm}}: only start-up and sizes are measured")

    # 2. Runtimes.
    runtimes = peers.all_runtimes(hello, logs, args.skip_install, args.tier_up_thresholds)
    wanted = set(args.runtimes.split(",")) if args.runtimes else None
    if wanted:
        runtimes = [r for r in runtimes if r.name == "native" or r.name in wanted]
    if args.controls:
        runtimes += peers.control_variants(runtimes)
    note("runtimes: " + ", ".join(r.name for r in runtimes))
    names = [r.name for r in runtimes]

    # 3. Start-up first: sizing the benchmarks subtracts it.
    note("start-up")
    startup = (measure.startup(hello, [], runtimes, settings["startup_runs"], work, 0, ("stdout", "hello"))
               if hello else {})
    startup_seconds = {name: s["median_seconds"] or 0.0 for name, s in startup.items()}

    # 4. Benchmarks, sized per runtime, interleaved.
    results = measure.benchmark(programs, runtimes, settings, startup_seconds, work)
    program_names = [p.name for p in programs]
    slow = report.slowdowns(results, program_names, names)

    # 4b. wasm64 against wasm32, compiled (when stratus-jit is measured).
    m64 = None
    if build.ARCH in ("x86-64", "AArch64") and (not wanted or "stratus-jit" in wanted):
        m64 = memory64.compare(args.programs_dir, set(args.only.split(",")) if args.only else None,
                               settings["runs"], settings["largest_percent"], settings["timeout"], work)

    # 5. Loading the largest program, validation, RSS, sizes.
    largest = max(programs, key=lambda p: p.wasm.stat().st_size, default=None)
    note("start-up on the largest program")
    startup_largest = (measure.startup(largest, [USAGE_ARG], runtimes + peers.load_variants(runtimes, hello),
                                       settings["startup_runs"], work, 2, ("stderr", "usage"))
                       if largest else {})
    note("decode+validate")
    validate = (measure.validate_throughput(largest.wasm, work, settings["validate_seconds"],
                                            settings["validate_repeats"]) if largest else None)
    # On the largest module built, even when --only leaves it out: the figure is about a
    # large module, and it costs a second or two.
    note("baseline JIT compile throughput")
    biggest = max(all_programs, key=lambda p: p.wasm.stat().st_size, default=None)
    compiled = (measure.compile_throughput(biggest.wasm, settings["compile_rounds"], settings["timeout"])
                if biggest else None)
    note("peak RSS")
    rss = measure_rss(hello, programs, runtimes, work, settings["timeout"])
    scratch = out / "stripped"
    sizes = {b.name: build.stripped_size(b, scratch) for b in build.BUILDS}

    # 6. Report.
    table = report.text_table(results, program_names, names, slow) + "\n\n" + report.legend(
        {r.name: r.describe for r in runtimes})
    extras = report.extras_text(startup, largest.name if largest else None, startup_largest, validate, compiled, sizes,
                                rss)
    extras += "\n\n" + "\n".join(memory64.lines(m64))
    figures = report.summary(slow, names, compiled, sizes)
    figures["memory64_over_wasm32"] = m64["geomean"] if m64 else None
    extras += "\n" + report.summary_text(figures)
    print(f"\nStratus benchmarks, {mode} mode, median of up to {settings['runs']} runs; "
          f"@P%: ran P% of the full work, compared with native code at the same P%\n")
    print(table)
    print(extras)
    invalid = [f"{p.program}/{p.runtime}@{p.percent}%: {p.error}"
               for p in [*results.pairs.values(), *results.baselines.values()] if p.error]
    invalid += [f"memory64 {name}: {e['error']}" for name, e in (m64 or {}).get("kernels", {}).items() if e["error"]]
    out.mkdir(parents=True, exist_ok=True)
    (out / "table.txt").write_text(table + "\n" + extras + "\n")
    wasm_runtimes = [n for n in names if n != "native"]
    if programs and wasm_runtimes:
        title = (f"Slowdown vs native code at the same size ({mode} mode, "
                 f"median of up to {settings['runs']} runs)")
        (out / "slowdown.svg").write_text(svg.chart(slow, program_names, wasm_runtimes, title))
    report.write_json(out / "results.json", {
        "mode": mode,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": report.machine(),
        "settings": settings,
        "runtimes": {r.name: r.describe for r in runtimes},
        "programs": {p.name: {"wasm_bytes": p.wasm.stat().st_size} for p in programs},
        "results": {p: {r: report.pair_json(results.pairs[(p, r)]) for r in names} for p in program_names},
        "native_at": {p: {str(percent): report.pair_json(pair) for (name, percent), pair
                          in sorted(results.baselines.items()) if name == p} for p in program_names},
        "slowdown": slow,
        "stratus_relative": {ours: {peer: report.relative_geomean(slow, ours, peer) for peer in wasm_runtimes
                                    if not peer.startswith("stratus-")}
                             for ours in wasm_runtimes if ours.startswith("stratus-")},
        "auto_over_jit": report.auto_over_jit(slow, names),
        "startup": startup,
        "startup_largest": {"program": largest.name if largest else None, "argument": USAGE_ARG,
                            "runtimes": startup_largest},
        "validate": validate,
        "compile": compiled,
        "peak_rss_kib": rss,
        "memory64": m64,
        "stratus_size": sizes,
        "summary": figures,
        "invalid": invalid,
        "wall_seconds": time.monotonic() - began,
    })
    note(f"wrote {out / 'results.json'}, {out / 'slowdown.svg'}, {out / 'table.txt'} "
         f"in {time.monotonic() - began:.0f} s")
    if invalid:
        loud(f"{len(invalid)} INVALID result(s):\n!!   " + "\n!!   ".join(invalid))
        return 1
    return 0


def measure_rss(hello, programs, runtimes, cwd: Path, timeout: float) -> dict:
    """Peak RSS of every runtime on hello world (its floor), on the largest module (most
    code to hold) and on the program that natively uses the most memory (the data)."""
    size = [measure.size_arg(RSS_PERCENT)]
    native_rss = {p.name: measure.peak_rss(runtimes[0].command(p, size), cwd, timeout) or 0
                  for p in programs}
    subjects = [hello] if hello else []
    if programs:
        largest = max(programs, key=lambda p: p.wasm.stat().st_size)
        hungriest = max(programs, key=lambda p: native_rss[p.name])
        subjects += [largest] if largest is hungriest else [largest, hungriest]
    # One small size for every runtime, so all hold the same data; full inputs under a
    # slow interpreter would cost minutes for one number.
    return {p.name: {r.name: measure.peak_rss(r.command(p, [] if p is hello else size), cwd, timeout)
                     for r in runtimes} for p in subjects}


def git_commit() -> str | None:
    result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    return result.stdout.strip() + ("+dirty" if dirty.strip() else "") if result.returncode == 0 else None


if __name__ == "__main__":
    sys.exit(main())
