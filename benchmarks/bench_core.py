"""How fast the core computes: Conv2d evaluations per second on one CPU core, and VGG-16.

    python benchmarks/bench_core.py

(a) a prebuilt layer's ``evaluate`` (shape, weights, params, MACs; no worked calculation);
(b) ``core.calc`` including building the layer from its arguments;
(c) recomputing the whole VGG-16 feature chain (13 conv + 5 pool) with ``core.network``.
Target: 50,000 Conv2d evaluations per second for (a) and (b). Not a test: timings vary by machine.
"""

from __future__ import annotations

import os
import platform
import time

from convlens.core import calc, layer
from convlens.core.network import evaluate
from convlens.zoo.vgg_config import core_layers

TARGET = 50_000  # Conv2d evaluations per second


def per_second(fn, *, seconds: float = 1.0) -> float:
    """Best rate of three runs of about ``seconds / 3`` each."""
    n, best = 1000, 0.0
    for _ in range(3):
        start = time.perf_counter()
        count = 0
        while time.perf_counter() - start < seconds / 3:
            for _ in range(n):
                fn()
            count += n
        best = max(best, count / (time.perf_counter() - start))
    return best


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    shape = (16, 1, 28, 28)
    conv = layer("Conv2d", 1, 20, 5, padding=2)

    def prebuilt():
        r = conv.evaluate(shape)
        return r.output_shape, r.weights, r.params, r.macs

    def with_construction():
        r = calc("Conv2d", shape, 1, 20, 5, padding=2)
        return r.output_shape, r.weights, r.params, r.macs

    a = per_second(prebuilt)
    b = per_second(with_construction)
    vgg = core_layers("vgg16")
    v = per_second(lambda: evaluate(vgg, (1, 3, 224, 224)), seconds=1.0)
    print(f"python {platform.python_version()} on {platform.machine()}, one core")
    print(f"(a) Conv2d.evaluate, prebuilt layer : {a:>10,.0f} /s  {'PASS' if a >= TARGET else 'FAIL'} (target {TARGET:,}/s)")
    print(f"(b) calc('Conv2d', ...) with build  : {b:>10,.0f} /s  {'PASS' if b >= TARGET else 'FAIL'} (target {TARGET:,}/s)")
    print(f"(c) VGG-16 features, whole network  : {1e6 / v:>10,.1f} µs per recomputation ({v:,.0f} /s; 18 layers + receptive fields)")
    return 0 if min(a, b) >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
