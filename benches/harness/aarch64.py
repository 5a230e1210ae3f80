"""benches/run-aarch64: Stratus's AArch64 back-end measured under qemu-user on an x86-64
machine. See benches/README.md, "AArch64 under qemu-user".

Everything measured runs under the same emulator, `qemu-aarch64 -L /`: the programs
compiled natively for aarch64 (`aarch64-linux-gnu-gcc -O2`, dynamically linked against
the arm64 libc that multiarch installs), and an aarch64 build of the `stratus` CLI
running the same .wasm files as the x86-64 suite with `--tier interp`, `--tier jit` and
`--tier auto`. Absolute times under emulation mean little; the ratios are the figures.

Reuses the x86-64 harness: sizing (sizing.py), interleaved rounds and checksum
verification (measure.py), the time table and JSON (report.py).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
from common import HARNESS, REPO, loud, note, setup, which  # noqa: E402
from peers import Runtime  # noqa: E402

TRIPLE = "aarch64-unknown-linux-gnu"
TARGET_DIR = "target"  # cargo keeps the cross build apart: target/aarch64-unknown-linux-gnu/
STRATUS_A64 = REPO / TARGET_DIR / TRIPLE / "release/stratus"
# `-L /`: the guest's dynamic loader and libc are the arm64 ones multiarch puts under
# /lib/aarch64-linux-gnu (libc6:arm64). NOT /usr/aarch64-linux-gnu: that mixes the
# cross toolchain's ld.so with libc6:arm64's libc.so.6 (see /work/shared/tools/aarch64-test).
QEMU = ["qemu-aarch64", "-L", "/"]
# The C compiler for the native aarch64 builds. -ffp-contract=off: gcc ignores the
# `#pragma STDC FP_CONTRACT OFF` in bench.h that clang honours, and on aarch64 it
# fuses a*b+c into fmadd by default, which changes the float programs' checksums
# (cholesky, matmul, ...) against the .wasm (WebAssembly has no fused multiply-add).
CC = "aarch64-linux-gnu-gcc"
NATIVE_CFLAGS = "-ffp-contract=off"
# Debian 12 packages: the emulator, the cross C toolchain, and Rust's aarch64 std for
# Debian's rustc (rustc-web, bookworm-security; >= 1.93 for the workspace).
PACKAGES = ["qemu-user", "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "rustc-web", "libstd-rust-web-dev:arm64"]
CARGO_ENV = {
    "RUSTC": "/usr/bin/rustc",
    "RUSTDOC": "/usr/bin/rustdoc",
    f"CARGO_TARGET_{TRIPLE.upper().replace('-', '_')}_LINKER": CC,
}

# Chosen so that one full run takes about 13 minutes of measuring (builds excluded) on
# this project's 2-vCPU machine. Under qemu the interpreter is ~20-40x native code under
# qemu, and 1 % of a program's work takes it 1-10 s, so it runs 1-2 %; native code and
# the JIT tiers run up to 20 %. A round takes about 150 s, so the deadline (no new
# round after it) usually leaves 4 of the 5 runs.
MODES = {
    "quick": dict(runs=2, largest_percent=2, run_cap=0.6, timeout=120, pair_budget=4, deadline=60,
                  startup_runs=3),
    "full": dict(runs=5, largest_percent=20, run_cap=2.0, timeout=300, pair_budget=10, deadline=560,
                 startup_runs=5),
}
TIERS = {
    "interp": "in-place interpreter",
    "jit": "baseline JIT, AArch64: every function compiled before it first runs",
    "auto": "tiered (the default): the interpreter, then the JIT for hot functions",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benches/run-aarch64", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="at most 2 %% of the work, 2 runs (smoke run)")
    parser.add_argument("--runs", type=int, help="runs per program and runtime (default: quick 3, full 5)")
    parser.add_argument("--out", type=Path, default=REPO / "target/bench-results-aarch64",
                        help="directory for results.json and table.txt (default target/bench-results-aarch64)")
    parser.add_argument("--programs-dir", type=Path, default=REPO / "target/bench-programs",
                        help="where benches/build.sh puts the .wasm files (default target/bench-programs)")
    parser.add_argument("--native-dir", type=Path, default=REPO / "target/bench-programs-aarch64",
                        help="where the aarch64 native programs go (default target/bench-programs-aarch64)")
    parser.add_argument("--only", help="comma-separated program names to run (default: all)")
    parser.add_argument("--skip-build", action="store_true", help="use the existing builds, build nothing")
    parser.add_argument("--no-install", action="store_true",
                        help="do not apt-get install missing packages (fail instead)")
    parser.add_argument("--x86-results", type=Path, default=REPO / "benches/results/results.json",
                        help="an x86-64 results.json whose slowdowns are printed beside ours for comparison")
    return parser.parse_args()


def install(logs: Path) -> bool:
    """What the mode needs on a fresh Debian 12 x86-64, as /work/shared/tools/aarch64-test
    installs it: arm64 as a foreign architecture, then the packages if any is missing."""
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    foreign = subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True, text=True).stdout.split()
    if "arm64" not in foreign and not setup([*sudo, "dpkg", "--add-architecture", "arm64"], logs / "dpkg-arch.log"):
        return False
    if subprocess.run(["dpkg", "-s", *PACKAGES], capture_output=True).returncode == 0:
        return True
    note("installing " + " ".join(PACKAGES))
    if subprocess.run([*sudo, "apt-get", "update"], env=env, capture_output=True).returncode != 0:
        note("apt-get update failed")
        return False
    return setup([*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y",
                  "--no-install-recommends", *PACKAGES], logs / "apt-get.log")


def build_stratus(logs: Path) -> bool:
    """The stratus CLI for aarch64 with Debian's rustc and its arm64 std (setup() takes
    no environment: `env` sets it). --target-dir always, so a CARGO_TARGET_DIR in the
    environment cannot leave us measuring a stale binary."""
    return setup(["env", "-u", "QEMU_LD_PREFIX", *[f"{k}={v}" for k, v in CARGO_ENV.items()], "cargo", "build",
                  "--release", "--target", TRIPLE, "-p", "stratus", "--target-dir", TARGET_DIR],
                 logs / "cargo-aarch64.log")


def build_programs(programs_dir: Path, native_dir: Path, logs: Path) -> bool:
    """The .wasm files as for x86-64 (benches/build.sh, which also builds x86-64 native
    code we do not use here), then the same sources natively for aarch64."""
    script = REPO / "benches/build.sh"
    ok = setup(["bash", str(script), str(programs_dir)], logs / "build-programs.log")
    return ok and setup(["env", f"CC={CC}", "NATIVE_ONLY=1", f"NATIVE_CFLAGS={NATIVE_CFLAGS}", "bash", str(script),
                         str(native_dir)], logs / "build-programs-aarch64.log")


def build_hello(programs_dir: Path, native_dir: Path, logs: Path) -> build.Program | None:
    """hello world natively for aarch64 and for wasm32-wasi: start-up under qemu, which
    the sizing subtracts."""
    src = HARNESS / "hello.c"
    native, wasm = native_dir / "startup/hello", programs_dir / "startup/hello.wasm"
    native.parent.mkdir(parents=True, exist_ok=True)
    wasm.parent.mkdir(parents=True, exist_ok=True)
    ok = setup([CC, "-O2", str(src), "-o", str(native)], logs / "hello-aarch64.log")
    ok = ok and setup(["clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", str(src), "-o", str(wasm)],
                      logs / "hello-wasm.log")
    return build.Program("hello", native, wasm) if ok else None


def find_programs(programs_dir: Path, native_dir: Path) -> list[build.Program]:
    programs = []
    for wasm in sorted((programs_dir / "wasm").glob("*.wasm")):
        native = native_dir / "native" / wasm.stem
        if native.exists():
            programs.append(build.Program(wasm.stem, native, wasm))
        else:
            note(f"{wasm.stem}: no aarch64 native build, skipped")
    return programs


def runtimes(probe: build.Program | None) -> list[Runtime]:
    qemu_version = subprocess.run(["qemu-aarch64", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    gcc_version = subprocess.run([CC, "-dumpfullversion"], capture_output=True, text=True).stdout.strip()
    found = [Runtime("native", f"{CC} {gcc_version} -O2 {NATIVE_CFLAGS}, dynamically linked; {qemu_version}, "
                     f"{' '.join(QEMU)} PROGRAM", lambda p, a: [*QEMU, str(p.native), *a], native=True)]
    for tier, what in TIERS.items():
        def command(p: build.Program, a: list[str], tier: str = tier) -> list[str]:
            return [*QEMU, str(STRATUS_A64), "run", "--dir", ".", "--tier", tier, str(p.wasm), *a]
        if probe is not None and (check := subprocess.run(command(probe, []), capture_output=True, text=True)).returncode:
            loud(f"stratus-{tier} fails on hello world under qemu: {' '.join(check.stderr.split())[:300]}")
            continue
        found.append(Runtime(f"stratus-{tier}", f"{' '.join(QEMU)} stratus run --tier {tier} ({what})", command))
    return found


RATIOS = [  # (column, numerator, denominator): None is native code
    ("jit/native", "stratus-jit", None),
    ("auto/native", "stratus-auto", None),
    ("interp/native", "stratus-interp", None),
    ("jit/interp", "stratus-jit", "stratus-interp"),
    ("auto/interp", "stratus-auto", "stratus-interp"),
    ("auto/jit", "stratus-auto", "stratus-jit"),
]


def ratio(slow: dict, program: str, top: str, bottom: str | None) -> float | None:
    """A ratio of two runtimes' times on one program: each runtime's slowdown is against
    native code at its own size, so this is well defined where their sizes differ."""
    mine = slow.get(top, {}).get("per_program", {}).get(program)
    if bottom is None:
        return mine
    theirs = slow.get(bottom, {}).get("per_program", {}).get(program)
    return mine / theirs if mine and theirs else None


def slowdowns_by(results: measure.Results, programs: list[str], runtimes: list[str],
                 time_of: Callable[[str, measure.Pair], float | None]) -> dict:
    """Like report.slowdowns, with time_of(runtime, pair) as the time of a pair (the
    median there) and native code's pair at the same size as the denominator."""
    table = {}
    for runtime in runtimes:
        row = {}
        for program in programs:
            pair = results.pairs[(program, runtime)]
            base = results.baselines.get((program, pair.percent))
            if base is None or base.error or pair.error or not base.samples or not pair.samples:
                continue
            mine, theirs = time_of(runtime, pair), time_of("native", base)
            if mine and theirs and mine > 0 and theirs > 0:
                row[program] = mine / theirs
        table[runtime] = {"per_program": row, "geomean": report.geomean(list(row.values())), "programs": len(row)}
    return table


def best(runtime: str, pair: measure.Pair) -> float:
    """The fastest run: on a machine shared with other work, the run least disturbed."""
    return min(s.seconds for s in pair.samples)


def less_startup(startup: dict[str, float]) -> Callable[[str, measure.Pair], float]:
    """The median less the runtime's hello-world start-up under qemu. Emulation inflates
    start-up far more than steady-state code: qemu translates each basic block the
    first time it runs, and start-up runs mostly cold code (hundreds of ms for stratus
    under qemu against ~2 ms natively on x86-64)."""
    return lambda runtime, pair: pair.median - startup.get(runtime, 0.0)


def ratio_table(slow: dict, programs: list[str], x86: dict | None) -> tuple[str, dict]:
    """Per program the ratios of RATIOS and their geomeans (over the programs where both
    sides are valid), and, from an x86-64 run, the same program's jit/native and
    interp/native on real hardware for comparison."""
    head = ["program", *[c for c, _, _ in RATIOS]]
    if x86:
        head += ["x86 jit/native", "x86 auto/native", "x86 interp/native"]
    rows, columns = [head], {c: {} for c, _, _ in RATIOS}
    for program in programs:
        row = [program]
        for column, top, bottom in RATIOS:
            value = ratio(slow, program, top, bottom)
            if value:
                columns[column][program] = value
            row.append(f"{value:.2f}x" if value else "-")
        if x86:
            for name in ("stratus-jit", "stratus-auto", "stratus-interp"):
                value = x86.get(name, {}).get("per_program", {}).get(program)
                row.append(f"{value:.2f}x" if value else "-")
        rows.append(row)
    means = {c: report.geomean(list(v.values())) for c, v in columns.items()}
    last = ["geomean", *[f"{means[c]:.2f}x" if means[c] else "-" for c, _, _ in RATIOS]]
    if x86:
        for name in ("stratus-jit", "stratus-auto", "stratus-interp"):
            per = x86.get(name, {}).get("per_program", {})
            value = report.geomean([per[p] for p in programs if p in per])
            last.append(f"{value:.2f}x" if value else "-")
    rows.append(last)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    rule = "  ".join("-" * w for w in widths)
    lines.insert(1, rule)
    lines.insert(len(lines) - 1, rule)
    return "\n".join(lines), {"per_program": columns, "geomean": means}


def main() -> int:
    args = parse_args()
    mode = "quick" if args.quick else "full"
    settings = dict(MODES[mode])
    if args.runs:
        settings["runs"] = args.runs
    out = args.out.resolve()
    logs, work = out / "logs", out / "work"
    work.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()

    if not args.skip_build:
        if not args.no_install and not install(logs):
            loud("installing the aarch64 packages failed")
            return 1
        if not which("qemu-aarch64") or not which(CC):
            loud(f"qemu-aarch64 or {CC} missing (install {' '.join(PACKAGES)})")
            return 1
        if not build_stratus(logs):
            loud("cargo build --release --target aarch64-unknown-linux-gnu failed: nothing to measure")
            return 1
        if not build_programs(args.programs_dir, args.native_dir, logs):
            loud("building the programs failed")
            return 1
    built = time.monotonic()
    hello = build_hello(args.programs_dir, args.native_dir, logs)
    programs = find_programs(args.programs_dir, args.native_dir)
    if args.only:
        wanted = set(args.only.split(","))
        programs = [p for p in programs if p.name in wanted]
    if not STRATUS_A64.exists():
        loud(f"{STRATUS_A64.relative_to(REPO)} missing")
        return 1
    found = runtimes(hello)
    names = [r.name for r in found]
    note("runtimes (all under qemu-aarch64 -L /): " + ", ".join(names))

    note("start-up")
    startup = (measure.startup(hello, [], found, settings["startup_runs"], work, 0, ("stdout", "hello"))
               if hello else {})
    startup_seconds = {name: s["median_seconds"] or 0.0 for name, s in startup.items()}
    results = measure.benchmark(programs, found, settings, startup_seconds, work)
    program_names = [p.name for p in programs]
    slow = report.slowdowns(results, program_names, names)

    x86 = None
    if args.x86_results.exists():
        x86_doc = json.loads(args.x86_results.read_text())
        x86 = x86_doc.get("slowdown")
        x86_from = f"{args.x86_results.relative_to(REPO)} (commit {x86_doc.get('commit', '?')[:7]}, {x86_doc.get('date', '?')})"
    ratios, ratio_json = ratio_table(slow, program_names, x86)
    fastest = slowdowns_by(results, program_names, names, best)
    best_ratios, best_json = ratio_table(fastest, program_names, None)
    net = slowdowns_by(results, program_names, names, less_startup(startup_seconds))
    net_ratios, net_json = ratio_table(net, program_names, None)
    times = report.text_table(results, program_names, names, slow)
    commit = git_commit()
    header = (f"Stratus on AArch64 under qemu-user ({mode} mode, median of up to {settings['runs']} runs), "
              f"commit {commit}, {datetime.date.today().isoformat()}\n"
              f"Every column runs under `{' '.join(QEMU)}` on an x86-64 host: ratios, not absolute times, are the "
              f"figures.\nRatios of times; each runtime's time is compared with native code at the same size "
              f"(@P%: P% of the full work), so ratios between two runtimes hold where their sizes differ.")
    text = "\n\n".join([
        header,
        ratios + (f"\nx86 columns: the x86-64 suite on real hardware, {x86_from}, for comparison." if x86 else ""),
        "The same ratios from each pair's fastest run instead of its median (this machine is shared):\n"
        + best_ratios,
        "The same ratios with each median time less its runtime's hello-world start-up under qemu (below), which\n"
        "emulation inflates most (a rough correction: it also takes out loading, but not compiling, each program):\n"
        + net_ratios,
        "Times under qemu (median) and slowdown against native code under qemu at the same size:\n" + times,
        report.legend({r.name: r.describe for r in found}),
        "Start-up under qemu (hello world, process start to exit, median):\n" + "\n".join(report.startup_lines(startup)),
    ])
    invalid = [f"{p.program}/{p.runtime}@{p.percent}%: {p.error}"
               for p in [*results.pairs.values(), *results.baselines.values()] if p.error]
    if invalid:
        text += "\n\nINVALID results:\n  " + "\n  ".join(invalid)
    wall = time.monotonic() - began
    text += (f"\n\nWall time: {wall:.0f} s in all, {wall - (built - began):.0f} s measuring "
             f"(machine: {report.machine()['cpu']}, {report.machine()['cpus']} CPUs, shared)")
    print("\n" + text)
    (out / "table.txt").write_text(text + "\n")
    report.write_json(out / "results.json", {
        "mode": mode,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": report.machine(),
        "emulator": " ".join(QEMU),
        "settings": settings,
        "runtimes": {r.name: r.describe for r in found},
        "results": {p: {r: report.pair_json(results.pairs[(p, r)]) for r in names} for p in program_names},
        "native_at": {p: {str(percent): report.pair_json(pair) for (name, percent), pair
                          in sorted(results.baselines.items()) if name == p} for p in program_names},
        "slowdown": slow,
        "ratios": ratio_json,
        "ratios_best": best_json,
        "ratios_less_startup": net_json,
        "startup": startup,
        "invalid": invalid,
        "wall_seconds": wall,
        "build_seconds": built - began,
    })
    note(f"wrote {out / 'results.json'}, {out / 'table.txt'} in {wall:.0f} s")
    if invalid:
        loud(f"{len(invalid)} INVALID result(s):\n!!   " + "\n!!   ".join(invalid))
        return 1
    return 0


def git_commit() -> str | None:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    return result.stdout.strip() + ("+dirty" if dirty.strip() else "") if result.returncode == 0 else None


if __name__ == "__main__":
    sys.exit(main())
