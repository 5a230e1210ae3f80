"""Timing: one run of one command, the interleaved benchmark rounds, start-up, and
decode+validate throughput."""

import os
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import sizing
from build import COMPILE_SPEED, STRATUS, Program
from common import loud, note
from peers import Runtime

CHECKSUM = re.compile(r"^checksum:\s*(.+?)\s*$", re.MULTILINE)


@dataclass
class Sample:
    seconds: float
    max_rss_kib: int
    exit_code: int | None  # None: killed by the timeout
    stdout: str
    stderr: str

    @property
    def checksum(self) -> str | None:
        found = CHECKSUM.findall(self.stdout)
        return found[-1] if found else None


def run_once(cmd: list[str], cwd: Path, timeout: float) -> Sample:
    """Runs cmd to completion; wall time from just before the fork to the reap.

    We reap the child ourselves with os.wait4 so the timer thread can kill it on a
    timeout. Output goes to files, not pipes, so nobody has to drain them while we wait.
    (wait4 also reports a peak RSS, but Linux carries the forking parent's high-water
    mark across exec, so for children of this Python process it never reads below
    ~18 MiB; peak_rss() below measures memory properly.)
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:  # the whole session: runners like node or python may have children
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen never waits again
        out.seek(0)
        err.seek(0)
        code = None if timed_out.is_set() else proc.returncode
        return Sample(elapsed, usage.ru_maxrss, code,
                      out.read().decode(errors="replace"), err.read().decode(errors="replace"))


@dataclass
class Pair:
    """All runs of one program under one runtime, at one size."""
    program: str
    runtime: str
    percent: int  # the share of the program's full work each run does
    samples: list[Sample] = field(default_factory=list)
    wanted: int = 0
    error: str | None = None  # set: the result is invalid, and says why

    @property
    def median(self) -> float | None:
        return statistics.median(s.seconds for s in self.samples) if self.samples else None

    def take(self, runtime: Runtime, program: Program, cwd: Path, timeout: float) -> Sample | None:
        """One run; a failure marks the pair invalid (loudly) and returns None."""
        sample = run_once(runtime.command(program, [size_arg(self.percent)]), cwd, timeout)
        if sample.exit_code is None:
            self.error = f"timed out after {timeout:.0f} s"
        elif sample.exit_code != 0:
            self.error = f"exit code {sample.exit_code}: {sample.stderr.strip()[:300]}"
        elif sample.checksum is None:
            self.error = "printed no 'checksum:' line"
        if self.error:
            loud(f"{program.name} under {runtime.name} at {self.percent}%: {self.error}")
            return None
        self.samples.append(sample)
        return sample


def size_arg(percent: int) -> str:
    """The programs' size argument (benches/programs/bench.h)."""
    return f"percent={percent}"


@dataclass
class Results:
    """pairs[(program, runtime)]: each runtime at the size chosen for it (native: full
    size); baselines[(program, percent)]: native code at every size some runtime uses,
    the denominator of that runtime's slowdown."""
    pairs: dict[tuple[str, str], Pair]
    baselines: dict[tuple[str, int], Pair]

    def baseline(self, pair: Pair) -> Pair:
        return self.baselines[(pair.program, pair.percent)]


def benchmark(programs: list[Program], runtimes: list[Runtime], settings: dict,
              startup: dict[str, float], cwd: Path) -> Results:
    """Sizes every (program, runtime) pair (sizing.py), then runs interleaved rounds.

    Each round runs every program once under every runtime and natively at every size in
    use, so a slow drift of the machine (thermal, noisy neighbours) spreads over all
    runtimes instead of landing on whichever ran last. The order rotates by round so
    none is always first after a program switch.

    A pair whose first run is slow gets fewer runs (at least one), so that runs x time
    stays within the pair budget. For the same reason no new round starts after the
    deadline (the first always completes, so every pair has at least one run). The
    number of runs actually taken is recorded.
    """
    runs, timeout, largest = settings["runs"], settings["timeout"], settings["largest_percent"]
    native = next(r for r in runtimes if r.native)
    by_name = {r.name: r for r in runtimes}
    pairs: dict[tuple[str, str], Pair] = {}
    baselines: dict[tuple[str, int], Pair] = {}
    note(f"sizing: probing each program under each runtime (largest size {largest}%)")
    for program in programs:
        top = Pair(program.name, native.name, largest, wanted=runs)
        probe = Pair(program.name, native.name, sizing.PROBE, wanted=runs)
        pairs[(program.name, native.name)] = baselines[(program.name, largest)] = top
        baselines[(program.name, sizing.PROBE)] = probe
        if not (top.take(native, program, cwd, timeout) and probe.take(native, program, cwd, timeout)):
            for runtime in runtimes[1:]:  # nothing to compare with
                pairs[(program.name, runtime.name)] = Pair(program.name, runtime.name, largest,
                                                           error="native run failed")
            continue
        work = sizing.native_work(probe.median, top.median, startup.get(native.name, 0.0), largest)
        for runtime in runtimes:
            if program.name in runtime.lacks:
                pairs[(program.name, runtime.name)] = Pair(program.name, runtime.name, largest, wanted=0)
            elif not runtime.native:
                pairs[(program.name, runtime.name)] = pair = size_pair(
                    program, runtime, runs, startup.get(runtime.name, 0.0), work, settings, cwd)
                baselines.setdefault((program.name, pair.percent),
                                     Pair(program.name, native.name, pair.percent, wanted=runs))
    used = {(p.program, p.percent) for p in pairs.values()}
    baselines = {key: pair for key, pair in baselines.items() if key in used}
    note("sizes below the largest: " + (", ".join(
        f"{p.runtime} {p.program} {p.percent}%" for p in pairs.values() if p.percent != largest) or "none"))

    began = time.monotonic()
    for round_ in range(runs):
        if round_ > 0 and time.monotonic() - began > settings["deadline"]:
            note(f"past the {settings['deadline']:.0f} s deadline after {round_} round(s): no more rounds")
            break
        note(f"round {round_ + 1}/{runs}")
        for program in programs:
            jobs = [p for (name, _), p in sorted(baselines.items()) if name == program.name]
            jobs += [pairs[(program.name, r.name)] for r in runtimes if not r.native]
            shift = round_ % len(jobs)
            for pair in jobs[shift:] + jobs[:shift]:
                if pair.error or len(pair.samples) >= pair.wanted:
                    continue
                if pair.take(by_name[pair.runtime], program, cwd, timeout) and len(pair.samples) == 1:
                    pair.wanted = max(1, min(runs, int(settings["pair_budget"] // max(pair.median, 1e-9))))
            note(f"  {program.name:12} " + "  ".join(
                f"{p.runtime}@{p.percent}%={p.median or 0:.3f}s" for p in jobs))
    results = Results(pairs, baselines)
    verify(results)
    return results


def size_pair(program: Program, runtime: Runtime, runs: int, startup: float, work, settings: dict,
              cwd: Path) -> Pair:
    """The pair to measure for program under runtime, at the size sizing.py finds; the
    probe run at that size, if any, is its first sample."""
    probes: dict[int, Pair] = {}

    def run(percent: int) -> float | None:
        pair = probes.setdefault(percent, Pair(program.name, runtime.name, percent, wanted=runs))
        sample = pair.take(runtime, program, cwd, settings["timeout"])
        return sample.seconds if sample else None

    percent = sizing.find_size(run, startup, work, settings["largest_percent"], settings["run_cap"])
    if percent is None:  # a probe failed: that failed pair is the result
        return next(p for p in probes.values() if p.error)
    return probes.get(percent) or Pair(program.name, runtime.name, percent, wanted=runs)


def verify(results: Results) -> None:
    """Every checksum of every run must equal native code's at the same size. A mismatch
    marks the result invalid and is reported loudly; it is never silently dropped."""
    for reference in results.baselines.values():
        expected = {s.checksum for s in reference.samples}
        if len(expected) > 1:
            reference.error = f"native checksum differs between runs: {sorted(expected)}"
            loud(f"{reference.program} at {reference.percent}%: {reference.error}")
    for pair in results.pairs.values():
        expected = {s.checksum for s in results.baseline(pair).samples}
        got = {s.checksum for s in pair.samples} - expected
        if expected and got and not pair.error:
            pair.error = f"checksum mismatch: native {sorted(expected)}, got {sorted(got)}"
            loud(f"{pair.program} under {pair.runtime}: {pair.error} -- RESULT INVALID")


def startup(subject: Program, args: list[str], runtimes: list[Runtime], runs: int, cwd: Path,
            status: int, says: tuple[str, str]) -> dict[str, dict]:
    """Process start to exit of `subject` run with `args`, interleaved like the
    benchmarks. A run counts if it exits with `status` and prints says[1] on says[0]
    ("stdout" or "stderr"): hello world prints hello; a benchmark program given an
    invalid size prints its usage and exits 2 as soon as its main starts, so it times
    loading, validating and instantiating the module."""
    samples: dict[str, list[Sample]] = {r.name: [] for r in runtimes}
    errors: dict[str, str] = {}
    for _ in range(runs):
        for runtime in runtimes:
            if runtime.name in errors:
                continue
            sample = run_once(runtime.command(subject, args), cwd, timeout=60)
            if sample.exit_code != status or says[1] not in getattr(sample, says[0]):
                errors[runtime.name] = f"exit {sample.exit_code}: {sample.stderr.strip()[:300]}"
                loud(f"{subject.name} {' '.join(args)} under {runtime.name} failed: {errors[runtime.name]}")
                continue
            samples[runtime.name].append(sample)
    return {
        name: {
            "median_seconds": statistics.median(s.seconds for s in got) if got else None,
            "min_seconds": min(s.seconds for s in got) if got else None,
            "runs": len(got),
            "error": errors.get(name),
        }
        for name, got in samples.items()
    }


def validate_throughput(wasm: Path, cwd: Path, target_seconds: float, repeats: int) -> dict | None:
    """Decode+validate speed of `stratus validate`, without its process start-up.

    `stratus validate` takes many files, so we time it on 1 copy and on K copies of the
    same module (the same path K times) and divide the extra bytes by the extra time:
    start-up, reading the binary's pages in and printing cancel out. K is chosen so the
    extra work takes about target_seconds. Each timing is the median of `repeats`.
    """
    if not STRATUS.exists():
        return None
    size = wasm.stat().st_size

    def timed(copies: int) -> float | None:
        times = []
        for _ in range(repeats):
            s = run_once([str(STRATUS), "validate", *[str(wasm)] * copies], cwd, timeout=300)
            if s.exit_code != 0:
                loud(f"stratus validate {wasm.name} failed: {s.stderr.strip()[:300]}")
                return None
            times.append(s.seconds)
        return statistics.median(times)

    one, eight = timed(1), timed(8)
    if one is None or eight is None:
        return None
    per_copy = max((eight - one) / 7, 1e-6)
    copies = max(8, min(5000, int(target_seconds / per_copy) + 1))
    many = timed(copies)
    if many is None:
        return None
    seconds = max(many - one, 1e-9)
    return {
        "program": wasm.stem, "module_bytes": size, "copies": copies,
        "one_copy_seconds": one, "many_copies_seconds": many,
        "seconds_per_module": seconds / (copies - 1),
        "mib_per_second": size * (copies - 1) / seconds / 2**20,
        "method": "median wall time of `stratus validate` on K copies minus on 1 copy",
    }


# One line per bounds mode of jit-x64/examples/compile_speed.rs, e.g.
# "x.wasm: Guard: 1375 functions, 1024591 bytes of code section in 44.58 ms: 23.0 MB/s;
# 6077951 bytes of machine code (5.93x)".
COMPILE_LINE = re.compile(
    r": (?P<mode>\w+): (?P<functions>\d+) functions, (?P<code_bytes>\d+) bytes of code section in "
    r"(?P<ms>[\d.]+) ms: (?P<mb_per_second>[\d.]+) MB/s; (?P<machine_bytes>\d+) bytes of machine code")


def compile_throughput(wasm: Path, rounds: int, timeout: float) -> dict | None:
    """The baseline JIT's compile throughput on `wasm`: the compile_speed example
    compiles the module's code section `rounds` times per bounds mode (the guard region,
    and explicit checks) and reports the best time, in MB/s (10^6 bytes) of code section
    compiled, in-process: no start-up, decoding or validation in it."""
    if not COMPILE_SPEED.exists():
        return None
    sample = run_once([str(COMPILE_SPEED), str(wasm), str(rounds)], wasm.parent, timeout)
    modes = {}
    for match in COMPILE_LINE.finditer(sample.stdout):
        code_bytes, machine_bytes = int(match["code_bytes"]), int(match["machine_bytes"])
        modes[match["mode"].lower()] = {
            "functions": int(match["functions"]), "code_section_bytes": code_bytes,
            # From the bytes and the time rather than the printed MB/s, for one more digit.
            "best_ms": float(match["ms"]), "mb_per_second": code_bytes / float(match["ms"]) / 1e3,
            "machine_code_bytes": machine_bytes, "code_size_ratio": machine_bytes / code_bytes,
        }
    if sample.exit_code != 0 or not modes:
        loud(f"compile_speed {wasm.name} failed (exit {sample.exit_code}): "
             f"{(sample.stderr or sample.stdout).strip()[:300]}")
        return None
    return {"program": wasm.stem, "rounds": rounds, "modes": modes, "output": sample.stdout.strip(),
            "method": "jit-x64/examples/compile_speed.rs: best of `rounds` in-process compiles of the code section"}


TIME = Path("/usr/bin/time")


def peak_rss(cmd: list[str], cwd: Path, timeout: float) -> int | None:
    """Peak resident set of one run, in KiB, by GNU time (`%M`).

    GNU time is a small process, so the child it forks starts from a tiny high-water
    mark and %M is the program's own peak (plus the runtime's, for runners like node).
    """
    if not TIME.exists():
        return None
    with tempfile.NamedTemporaryFile(mode="r") as report:
        sample = run_once([str(TIME), "-f", "%M", "-o", report.name, *cmd], cwd, timeout)
        if sample.exit_code != 0:
            return None
        try:
            return int(report.read().split()[-1])
        except (ValueError, IndexError):
            return None
