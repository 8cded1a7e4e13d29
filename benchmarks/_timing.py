"""Timing shared by the benchmark scripts (run as scripts, so this folder is on sys.path)."""

from __future__ import annotations

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
