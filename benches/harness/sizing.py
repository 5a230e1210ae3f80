"""How much of each program's work a runtime runs.

The programs take a size, `percent=P` of their full work (benches/programs/bench.h).
Native code runs the full size, 0.2-2 s. Under a fast runtime the full size fits the
time per run we can afford; under a slow interpreter (hundreds of times native) it does
not, so that runtime runs a smaller share, and its slowdown is taken against native code
running exactly the same share: the same argument, so the same work and checksum.

Sizes come from a short ladder, so native code runs few of them. A runtime's size is
found by probing: first at the smallest size, then at the largest size the last probe
predicts to fit the cap, until the prediction lands on a size already run. One probe
predicts from the runtime's time less its start-up, divided by native code's work at the
same size (its slowdown on this program); native work at other sizes is interpolated
between its runs at the smallest and the largest size (work is close to linear in P,
but each program has a little fixed set-up). A probe at 1 % under a runtime that takes
150 ms to start says little; the next, larger probe corrects it.
"""

from typing import Callable

LADDER = (1, 2, 5, 10, 20, 50, 100)
PROBE = LADDER[0]
MAX_PROBES = 4


def predict(percent: int, seconds: float, startup: float, native: Callable[[int], float],
            largest: int, cap: float) -> int:
    """The largest size (up to `largest`) whose run is predicted to fit `cap`, from one
    run of `seconds` at `percent`. native(P) is native code's work at P, start-up less."""
    slowdown = max(seconds - startup, 0.0) / native(percent)
    return max((p for p in LADDER if p <= largest and startup + slowdown * native(p) <= cap), default=PROBE)


def native_work(at_probe: float, at_largest: float, native_startup: float,
                largest: int) -> Callable[[int], float]:
    """Native work (seconds, start-up less) at any size, interpolated linearly."""
    low = max(at_probe - native_startup, 1e-4)
    high = max(at_largest - native_startup, low)
    return lambda p: low + (high - low) * (p - PROBE) / max(largest - PROBE, 1)


def find_size(run: Callable[[int], float | None], startup: float, native: Callable[[int], float],
              largest: int, cap: float) -> int | None:
    """Probes with run(P) (seconds, or None if the run failed) and returns the size to
    measure, or None if a probe failed. run keeps its samples: a size probed last is
    measured with that probe among its runs."""
    percent, tried = PROBE, set()
    for _ in range(MAX_PROBES):
        seconds = run(percent)
        if seconds is None:
            return None
        tried.add(percent)
        percent = predict(percent, seconds, startup, native, largest, cap)
        if percent in tried:
            break
    return percent
