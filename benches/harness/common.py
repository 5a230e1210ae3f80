"""Small shared helpers: paths, logging, running a setup command."""

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).resolve().parent


def note(message: str) -> None:
    # Progress goes to stderr so the table on stdout stays clean for copying.
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def loud(message: str) -> None:
    """Something the reader must not miss (a checksum mismatch, an invalid result)."""
    bar = "!" * 72
    print(f"{bar}\n!! {message}\n{bar}", file=sys.stderr, flush=True)


def setup(cmd: list[str], log: Path, cwd: Path = REPO, timeout: float = 1800) -> bool:
    """Runs a build or install step, its output in a log file; True if it succeeded.

    Set-up output is long and rarely interesting, so it goes to `log`, whose tail we
    show only when the step fails.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    note(f"$ {' '.join(cmd)}  (log: {log.relative_to(REPO) if log.is_relative_to(REPO) else log})")
    try:
        with open(log, "w") as out:
            ok = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, timeout=timeout).returncode == 0
    except (OSError, subprocess.TimeoutExpired) as error:
        with open(log, "a") as out:
            out.write(f"\n{error}\n")
        ok = False
    if not ok:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        note("failed; last lines of the log:\n    " + "\n    ".join(tail))
    return ok


def which(name: str) -> str | None:
    return shutil.which(name)
