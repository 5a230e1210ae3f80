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

from build import STRATUS, Program
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
    """All runs of one program under one runtime."""
    program: str
    runtime: str
    samples: list[Sample] = field(default_factory=list)
    wanted: int = 0
    error: str | None = None  # set: the result is invalid, and says why

    @property
    def median(self) -> float | None:
        return statistics.median(s.seconds for s in self.samples) if self.samples else None


def benchmark(programs: list[Program], runtimes: list[Runtime], mode: str, runs: int,
              timeout: float, pair_budget: float, deadline: float, cwd: Path) -> dict[tuple[str, str], Pair]:
    """Interleaved rounds: each round runs every program once under every runtime, so a
    slow drift of the machine (thermal, noisy neighbours) spreads over all runtimes
    instead of landing on whichever ran last. The order of runtimes rotates by round
    so none is always first after a program switch.

    A pair whose first run is slow gets fewer runs (at least one), so that
    runs x time stays within pair_budget: the quick mode must stay quick even under a
    slow interpreter. The number of runs actually taken is recorded. For the same
    reason no new round starts after `deadline` seconds (the first always completes, so
    every pair has at least one run).
    """
    pairs = {(p.name, r.name): Pair(p.name, r.name, wanted=runs) for p in programs for r in runtimes}
    began = time.monotonic()
    for round_ in range(runs):
        if round_ > 0 and time.monotonic() - began > deadline:
            note(f"past the {deadline:.0f} s deadline after {round_} round(s): no more rounds")
            break
        note(f"round {round_ + 1}/{runs}")
        for program in programs:
            shift = round_ % len(runtimes)
            for runtime in runtimes[shift:] + runtimes[:shift]:
                pair = pairs[(program.name, runtime.name)]
                if pair.error or len(pair.samples) >= pair.wanted:
                    continue
                sample = run_once(runtime.command(program, [mode]), cwd, timeout)
                if sample.exit_code is None:
                    pair.error = f"timed out after {timeout:.0f} s"
                elif sample.exit_code != 0:
                    pair.error = f"exit code {sample.exit_code}: {sample.stderr.strip()[:300]}"
                elif sample.checksum is None:
                    pair.error = "printed no 'checksum:' line"
                if pair.error:
                    loud(f"{program.name} under {runtime.name}: {pair.error}")
                    continue
                pair.samples.append(sample)
                if len(pair.samples) == 1:
                    pair.wanted = max(1, min(runs, int(pair_budget // max(sample.seconds, 1e-9))))
            note(f"  {program.name:12} " + "  ".join(
                f"{r.name}={pairs[(program.name, r.name)].median or 0:.3f}s" for r in runtimes))
    verify(pairs, programs, runtimes)
    return pairs


def verify(pairs, programs, runtimes) -> None:
    """Every checksum of every run must equal the native one. A mismatch marks the
    result invalid and is reported loudly; it is never silently dropped."""
    for program in programs:
        reference = pairs[(program.name, "native")]
        expected = {s.checksum for s in reference.samples}
        if len(expected) > 1:
            reference.error = f"native checksum differs between runs: {sorted(expected)}"
            loud(f"{program.name}: {reference.error}")
        if not expected:
            continue
        want = sorted(expected)[0]
        for runtime in runtimes:
            pair = pairs[(program.name, runtime.name)]
            got = {s.checksum for s in pair.samples} - {want}
            if got and not pair.error:
                pair.error = f"checksum mismatch: native {want}, got {sorted(got)}"
                loud(f"{program.name} under {runtime.name}: {pair.error} -- RESULT INVALID")


def startup(hello: Program, runtimes: list[Runtime], runs: int, cwd: Path) -> dict[str, dict]:
    """Process start to exit of hello world, interleaved like the benchmarks."""
    samples: dict[str, list[Sample]] = {r.name: [] for r in runtimes}
    errors: dict[str, str] = {}
    for _ in range(runs):
        for runtime in runtimes:
            if runtime.name in errors:
                continue
            sample = run_once(runtime.command(hello, []), cwd, timeout=60)
            if sample.exit_code != 0 or "hello" not in sample.stdout:
                errors[runtime.name] = f"exit {sample.exit_code}: {sample.stderr.strip()[:300]}"
                loud(f"hello under {runtime.name} failed: {errors[runtime.name]}")
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
