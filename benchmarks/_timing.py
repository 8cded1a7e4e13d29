"""Timing shared by the benchmark scripts (run as scripts, so this folder is on sys.path)."""

from __future__ import annotations

import statistics
import time


def timed(fn, repeat: int) -> tuple[float, float]:
    """(first call, best of ``repeat`` calls) of ``fn()``, in seconds."""
    first, best = None, float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        dt = time.perf_counter() - t
        first = dt if first is None else first
        best = min(best, dt)
    return first, best


def alternating(fns: dict, rounds: int) -> dict[str, list[float]]:
    """Each of ``fns`` (name -> function) called once per round, in turn (A, B, A, B, ...), so a
    change of machine load falls on every side alike. -> name -> the ``rounds`` times, in seconds."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return times


def spread(ts) -> str:
    """``median (min–max)`` of times in seconds, as printed by the benchmarks."""
    return f"{statistics.median(ts):.3f} s ({min(ts):.3f}–{max(ts):.3f})"


def load() -> str:
    """The machine's load average (1, 5, 15 min) from /proc/loadavg, or '?' where there is none."""
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"
