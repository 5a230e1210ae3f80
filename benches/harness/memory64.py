"""The memory64 comparison: the array kernels built for wasm32 and for wasm64 from the
same source without libc (benches/build.sh: free32/ and free64/), each run by
`stratus run --tier jit --invoke run FILE PERCENT`, the two builds interleaved. The
guard region covers a 64-bit memory's addresses below 2^31 only, so each access tests
its address first (and checks a larger one against the length): the ratio is what
that, and 64-bit address arithmetic, cost. Each result is checked against native
code's checksum."""

import statistics
from pathlib import Path

from build import STRATUS
from report import geomean
from common import loud, note
from measure import run_once, size_arg

BITS = (32, 64)


def checksum_of(stdout: str) -> str | None:
    """`--invoke run` prints the i64 result in decimal: as the programs' hex checksum."""
    try:
        return f"{int(stdout.strip().splitlines()[-1]) & (1 << 64) - 1:016x}"
    except (ValueError, IndexError):
        return None


def compare(programs_dir: Path, only: set[str] | None, runs: int, percent: int, timeout: float,
            cwd: Path) -> dict | None:
    programs_dir = programs_dir.resolve()  # the runs' cwd is another directory
    kernels = sorted(p.stem for p in (programs_dir / "free64").glob("*.wasm")
                     if (programs_dir / "free32" / p.name).exists() and (not only or p.stem in only))
    if not kernels:
        note("no freestanding wasm32/wasm64 builds (benches/build.sh needs clang-19): no memory64 comparison")
        return None
    note(f"memory64: {', '.join(kernels)} as wasm32 and wasm64, {runs} runs at {percent}%")
    results = {}
    for name in kernels:
        native = run_once([str(programs_dir / "native" / name), size_arg(percent)], cwd, timeout)
        entry = {"checksum": native.checksum, "error": None, **{f"wasm{b}": [] for b in BITS}}
        for _ in range(runs):
            for bits in BITS:
                wasm = programs_dir / f"free{bits}" / f"{name}.wasm"
                sample = run_once([str(STRATUS), "run", "--tier", "jit", "--invoke", "run", str(wasm), str(percent)],
                                  cwd, timeout)
                got = checksum_of(sample.stdout)
                if sample.exit_code != 0 or got != native.checksum:
                    entry["error"] = (f"wasm{bits}: exit {sample.exit_code}, checksum {got} against native "
                                      f"{native.checksum}: {sample.stderr.strip()[:300]}")
                    loud(f"memory64 {name}: {entry['error']}")
                    break
                entry[f"wasm{bits}"].append(sample.seconds)
            if entry["error"]:
                break
        if not entry["error"]:
            for key, pick in (("best", min), ("median", statistics.median)):
                entry[f"ratio_{key}"] = pick(entry["wasm64"]) / pick(entry["wasm32"])
        results[name] = entry
    valid = [e for e in results.values() if not e["error"]]
    ratios = {key: geomean([e[f"ratio_{key}"] for e in valid]) for key in ("best", "median")}
    return {"percent": percent, "runs": runs, "kernels": results, "geomean": ratios}


def lines(found: dict | None) -> list[str]:
    if not found:
        return ["Memory64: not measured"]
    out = [f"Memory64 (the array kernels built for wasm32 and wasm64 without libc, stratus run --tier jit, "
               f"{found['runs']} runs each at {found['percent']}%,",
           "interleaved; wasm64 tests each address against 2^31, wasm32 leaves all to the guard region):",
           f"  {'kernel':10} {'wasm32 best':>12} {'median':>8} {'wasm64 best':>12} {'median':>8}"
           f"   wasm64/wasm32 best  median"]
    for name, e in found["kernels"].items():
        if e["error"]:
            out.append(f"  {name:10} INVALID: {e['error']}")
            continue
        w32, w64 = e["wasm32"], e["wasm64"]
        out.append(f"  {name:10} {min(w32):11.3f}s {statistics.median(w32):7.3f}s {min(w64):11.3f}s "
                   f"{statistics.median(w64):7.3f}s   {e['ratio_best']:18.3f} {e['ratio_median']:7.3f}")
    g = found["geomean"]
    if g["best"]:
        out.append(f"  {'geomean':10} {'':>12} {'':>8} {'':>12} {'':>8}   {g['best']:18.3f} {g['median']:7.3f}")
    return out
