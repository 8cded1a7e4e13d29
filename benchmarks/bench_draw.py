"""Benchmark: `convlens draw` as a whole process, next to torchview where it installs.

1. ResNet-152 (zoo:resnet152, 1×3×224×224), every row drawn (``--depth`` unset), SVG written.
2. A 1,000-layer network (models_deep.py: 500 × (Conv2d 3×3, ReLU)), every row drawn, SVG written.

Each figure is a fresh ``python -m convlens draw … -o FILE`` process, start to exit (Python start,
imports, the trace, the layout by ``dot``, the file). torchview 0.2.7 (``pip install --no-deps
torchview``: it needs graphviz but not torchvision) draws the same model object in its own process
(``draw_graph(model, input_size, device="meta", depth=…)`` then ``.visual_graph.pipe("svg")``),
so both sides pay the same start-up; the runs alternate so that load on the machine hits both.
Without torchview, only convlens's figures are printed and the script says so.

Run: python benchmarks/bench_draw.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = (
    # label, convlens target and input, torchview's model expression, its input, depth for torchview (every level), limit (s)
    ("ResNet-152", ["zoo:resnet152"], "__import__('convlens.zoo', fromlist=['build']).build('resnet152')", (1, 3, 224, 224), 10, 5.0),
    ("1,000 layers", [f"{HERE}/models_deep.py:deep", "--input", "1x16x32x32"], "__import__('models_deep').deep()", (1, 16, 32, 32), 10, 15.0),
)

TORCHVIEW = """
import sys, torch
sys.path.insert(0, {here!r})
from torchview import draw_graph
with torch.device("meta"):
    model = {model}
g = draw_graph(model, input_size={size!r}, device="meta", depth={depth}, expand_nested=True)
open({out!r}, "wb").write(g.visual_graph.pipe(format="svg"))
"""


def wall(cmd) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")})
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}… failed: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
    return time.perf_counter() - t


def has_torchview() -> bool:
    return subprocess.run([sys.executable, "-c", "import torchview"], capture_output=True).returncode == 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3, help="alternating runs per side (the median is printed)")
    args = p.parse_args()
    tv = has_torchview()
    if not tv:
        print("torchview is not installed (pip install --no-deps torchview): convlens's figures only")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for label, target, model, size, depth, limit in CASES:
            ours, theirs = [], []
            for _ in range(args.runs):
                ours.append(wall([sys.executable, "-m", "convlens", "draw", *target, "-o", f"{tmp}/convlens.svg"]))
                if tv:
                    code = TORCHVIEW.format(here=HERE, model=model, size=size, depth=depth, out=f"{tmp}/torchview.svg")
                    theirs.append(wall([sys.executable, "-c", code]))
            mine = statistics.median(ours)
            line = f"{label:13s} convlens draw {mine:6.2f} s (median of {args.runs}; runs {', '.join(f'{x:.2f}' for x in ours)})"
            if tv:
                other = statistics.median(theirs)
                line += f"   torchview {other:6.2f} s   ratio convlens/torchview {mine / other:.2f}×"
            verdict = "under" if mine < limit else "OVER"
            print(f"{line}   [{verdict} the {limit:g} s goal]")
            ok &= mine < limit
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
