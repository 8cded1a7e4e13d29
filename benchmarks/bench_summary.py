"""Benchmark: `convlens.summary` against torchinfo 1.8.0, side by side in one process.

1. ResNet-152 at 1×3×224×224, the same CPU model object handed to both (torchinfo runs a real
   forward; convlens runs on the meta device). Best of N warm runs, plus the first (cold) call.
2. A 10-billion-parameter Wide ResNet summarised from a ``file.py:factory`` target by the
   ``convlens summary`` command in a child process: wall time and peak memory (ru_maxrss).
   torchinfo needs the model built with real weights first: 41.9 GB of float32 on a machine
   with less memory than that, so it is not attempted; the figure is computed and printed.

Run: python benchmarks/bench_summary.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

from _timing import timed  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

HERE = os.path.dirname(os.path.abspath(__file__))


def resnet152_side_by_side(repeat: int) -> bool:
    import torch
    import torchinfo

    import convlens
    from convlens.zoo import build

    torch.manual_seed(0)
    model = build("resnet152").eval()
    size = (1, 3, 224, 224)
    t_first, t_best = timed(lambda: torchinfo.summary(model, input_size=size, verbose=0), repeat)
    c_first, c_best = timed(lambda: convlens.summary(model, input_size=size), repeat)
    ti = torchinfo.summary(model, input_size=size, verbose=0)
    cl = convlens.summary(model, input_size=size)
    print("ResNet-152 at 1x3x224x224, same nn.Module object, one process")
    print(f"  torchinfo 1.8.0 : first {t_first:6.3f} s   best of {repeat} {t_best:6.3f} s   params {ti.total_params:,}  mult-adds {ti.total_mult_adds:,}")
    print(f"  convlens        : first {c_first:6.3f} s   best of {repeat} {c_best:6.3f} s   params {cl.total_params:,}  MACs {cl.total_macs:,}")
    ratio = t_best / c_best
    print(f"  ratio torchinfo/convlens (best): {ratio:.2f}x  -> {'PASS' if ratio >= 1 else 'FAIL'} (target: convlens no slower)")
    return ratio >= 1


def ten_billion() -> bool:
    import torch

    from models_10b import wide_resnet50_30

    with torch.device("meta"):
        n = sum(p.numel() for p in wide_resnet50_30().parameters())
    need = n * 4
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cmd = [sys.executable, "-m", "convlens", "summary", os.path.join(HERE, "models_10b.py") + ":wide_resnet50_30",
           "--input", "1x3x224x224", "--format", "json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    import json

    total = json.loads(p.stdout)["total_params"] if p.returncode == 0 else None
    print(f"Wide ResNet-50-30, {n:,} parameters, from a file.py:factory target (convlens summary command, child process)")
    print(f"  convlens  : exit {p.returncode}, {wall:.2f} s wall (process start and imports included), peak RSS {peak_kb / 1024:.0f} MiB, total_params {total:,}" if total else f"  convlens failed: {p.stderr.strip()}")
    print(f"  torchinfo : would first build the weights: {need / 1e9:.1f} GB of float32 > {ram / 1e9:.1f} GB of RAM here; not attempted")
    ok = p.returncode == 0 and wall < 10 and peak_kb / 1024 < 2048 and total == n
    print(f"  target: < 10 s and < 2 GB peak -> {'PASS' if ok else 'FAIL'}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    sys.path.insert(0, HERE)
    ok = resnet152_side_by_side(a.repeat)
    print()
    ok = ten_billion() and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
