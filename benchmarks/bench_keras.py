"""Benchmark: `convlens.summary` of a Keras model against Keras's own `model.summary()`, side by side
in one process.

Keras's ResNet50 (``keras.applications.ResNet50(weights=None)``, 224×224×3, 177 layers) is built
once; both summaries read the same built model object. Keras's ``model.summary()`` prints to a
throw-away ``print_fn``; convlens builds its record (shapes, weights, MACs, receptive field,
training memory, comparison with Keras's own figures) and renders the terminal table, so both
sides produce a table. Best of N warm runs, plus the first (cold) call of each.

Run: KERAS_BACKEND=torch python benchmarks/bench_keras.py [--repeat 5] [--model ResNet50]
"""

from __future__ import annotations

import argparse
import os
import warnings

from _timing import timed  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

os.environ.setdefault("KERAS_BACKEND", "torch")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--model", default="ResNet50", help="a keras.applications constructor (default ResNet50)")
    a = p.parse_args()

    import keras

    import convlens

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = getattr(keras.applications, a.model)(weights=None)
    lines: list[str] = []
    k_first, k_best = timed(lambda: model.summary(print_fn=lambda line, *args, **kw: lines.append(line)), a.repeat)
    c_first, c_best = timed(lambda: str(convlens.summary(model)), a.repeat)
    s = convlens.summary(model)
    print(f"keras.applications.{a.model}(weights=None) at {model.input_shape}, {len(model.layers)} layers, same built model, one process")
    print(f"  Keras model.summary() : first {k_first:6.3f} s   best of {a.repeat} {k_best:6.3f} s   params {model.count_params():,}")
    print(f"  convlens summary      : first {c_first:6.3f} s   best of {a.repeat} {c_best:6.3f} s   params {s.total_params:,}  MACs {s.total_macs:,}")
    ratio = k_best / c_best
    ok = ratio >= 1 and s.total_params == model.count_params() and not s.errors
    print(f"  ratio Keras/convlens (best): {ratio:.2f}x  -> {'PASS' if ok else 'FAIL'} (target: convlens faster, totals equal to Keras's)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
