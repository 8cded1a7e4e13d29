"""Benchmark: the ResNet-152 summary of an earlier revision's convlens against the working tree's.

    python benchmarks/bench_revisions.py 4f8cd44 [--rounds 6] [--warm 5]

Extracts REV's ``src/`` (``git archive``) into a temporary folder and runs, ``--rounds`` times in
alternating order (old, new, new, old, ...), a new process per side that imports convlens from that
tree, builds ResNet-152 with torch's own weights and times ``convlens.summary`` at 1×3×224×224: the
first call, then the median of ``--warm`` more. Prints each side's medians (min–max) and the
per-round ratio new/old of the warm medians. Both sides run the same torch in the same Python, so
only convlens's code differs. Not a test: timings vary with machine load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile

from _timing import load  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import statistics, sys, time
sys.path.insert(0, sys.argv[1])
import torch
import convlens
from convlens.zoo import build
if not convlens.__file__.startswith(sys.argv[1]):
    raise SystemExit(f"imported {convlens.__file__}, not the tree under {sys.argv[1]}")
torch.manual_seed(0)
model = build("resnet152").eval()
def once():
    t = time.perf_counter()
    convlens.summary(model, input_size=(1, 3, 224, 224))
    return time.perf_counter() - t
first = once()
print(first, statistics.median(once() for _ in range(int(sys.argv[2]))))
"""


def extract(rev: str, into: str) -> str:
    """REV's src/ under ``into``; a bad revision is one line and exit 2."""
    archive = os.path.join(into, "src.tar")
    with open(archive, "wb") as out:
        p = subprocess.run(["git", "-C", ROOT, "archive", rev, "src"], stdout=out, stderr=subprocess.PIPE, text=False)
    if p.returncode != 0:
        sys.stderr.write(f"bench_revisions: cannot read src/ at {rev!r} ({p.stderr.decode(errors='replace').strip()}); give a commit of this repository\n")
        sys.exit(2)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return os.path.join(into, "src")


def one(src: str, warm: int) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": ""}
    out = subprocess.run([sys.executable, "-c", CHILD, src, str(warm)], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        sys.exit(1)
    first, median = map(float, out.stdout.split())
    return first, median


def ms(ts: list[float]) -> str:
    return f"{1000 * statistics.median(ts):.1f} ms ({1000 * min(ts):.1f}–{1000 * max(ts):.1f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the earlier revision (a commit, tag or branch of this repository)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--warm", type=int, default=5, help="warm calls per process after the first (their median is reported)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="convlens-rev-") as tmp:
        trees = {"old": extract(a.rev, tmp), "new": os.path.join(ROOT, "src")}
        print(f"ResNet-152 summary at 1x3x224x224: {a.rev} (old) against the working tree (new); {a.rounds} rounds alternating, "
              f"a new process per side; load average {load()}")
        res: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
        for r in range(a.rounds):
            for side in (("old", "new") if r % 2 == 0 else ("new", "old")):
                res[side].append(one(trees[side], a.warm))
    for side in ("old", "new"):
        print(f"  {side}: first call {ms([f for f, _ in res[side]])}, warm median {ms([w for _, w in res[side]])}")
    ratios = [n[1] / o[1] for o, n in zip(res["old"], res["new"])]
    print(f"  warm new/old per round: {' '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}   (load average {load()})")


if __name__ == "__main__":
    main()
