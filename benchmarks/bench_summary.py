"""Benchmark: `convlens.summary` against torchinfo 1.8.0, side by side in one process.

1. ResNet-152 at 1×3×224×224, the same CPU model object handed to both (torchinfo runs a real
   forward; convlens runs on the meta device). The first call of each (torchinfo's, then
   convlens's) is reported on its own; then ``--repeat`` rounds alternate convlens, torchinfo,
   convlens, ... and the MEDIAN of each side (with its min–max spread) gives the ratio
   convlens/torchinfo (target ≤ 0.4×). The load average is printed with it.
2. A 10-billion-parameter Wide ResNet summarised from a ``file.py:factory`` target by the
   ``convlens summary`` command in a child process: wall time and peak memory (its own ru_maxrss,
   read by a small launcher so that this process's memory is not folded in).
   torchinfo needs the model built with real weights first: 41.9 GB of float32 on a machine
   with less memory than that, so it is not attempted; the figure is computed and printed.

Run: python benchmarks/bench_summary.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from _timing import alternating, load, spread  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

HERE = os.path.dirname(os.path.abspath(__file__))


def resnet152_side_by_side(repeat: int) -> bool:
    import torch
    import torchinfo

    import convlens
    from convlens.zoo import build

    torch.manual_seed(0)
    model = build("resnet152").eval()
    size = (1, 3, 224, 224)
    fns = {"convlens": lambda: convlens.summary(model, input_size=size),
           "torchinfo": lambda: torchinfo.summary(model, input_size=size, verbose=0)}
    first = alternating(dict(reversed(fns.items())), 1)  # each one's first call in the process
    times = alternating(fns, repeat)
    ti = torchinfo.summary(model, input_size=size, verbose=0)
    cl = convlens.summary(model, input_size=size)
    print(f"ResNet-152 at 1x3x224x224, same nn.Module object, one process; load average {load()}")
    print(f"  torchinfo 1.8.0 : first {first['torchinfo'][0]:6.3f} s   median of {repeat} {spread(times['torchinfo'])}"
          f"   params {ti.total_params:,}  mult-adds {ti.total_mult_adds:,}")
    print(f"  convlens        : first {first['convlens'][0]:6.3f} s   median of {repeat} {spread(times['convlens'])}"
          f"   params {cl.total_params:,}  MACs {cl.total_macs:,}")
    ratio = statistics.median(times["convlens"]) / statistics.median(times["torchinfo"])
    pairs = sorted(c / t for c, t in zip(times["convlens"], times["torchinfo"]))
    print(f"  ratio convlens/torchinfo (medians, alternating): {ratio:.2f}x  (per round {pairs[0]:.2f}–{pairs[-1]:.2f})"
          f"  -> {'PASS' if ratio <= 0.4 else 'FAIL'} (target: <= 0.4x)")
    return ratio <= 0.4


# runs argv[1:] and prints its output, then its peak resident memory in KiB (ru_maxrss) on a line of its own
_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
out = child.stdout.read()
_, status, usage = os.wait4(child.pid, 0)
sys.stdout.write(out.decode() + "\\n" + str(usage.ru_maxrss) + "\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def ten_billion() -> bool:
    import torch

    from models_10b import wide_resnet50_30

    with torch.device("meta"):
        n = sum(p.numel() for p in wide_resnet50_30().parameters())
    need = n * 4
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    cmd = [sys.executable, "-m", "convlens", "summary", os.path.join(HERE, "models_10b.py") + ":wide_resnet50_30",
           "--input", "1x3x224x224", "--format", "json"]
    # The peak is read by a small launcher process: a child started straight from this one (which holds
    # torch and a ResNet-152, ~600 MB) is counted with this process's memory until it execs, so its
    # ru_maxrss would be this process's. The launcher's own ~10 MB is the most that can be folded in.
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t
    *out, peak = p.stdout.rstrip("\n").rsplit("\n", 1) if p.stdout.strip() else ("", "0")
    peak_kb = int(peak)
    import json

    total = json.loads(out[0])["total_params"] if p.returncode == 0 else None
    print(f"Wide ResNet-50-30, {n:,} parameters, from a file.py:factory target (convlens summary command, child process)")
    print(f"  convlens  : exit {p.returncode}, {wall:.2f} s wall (process start and imports included), peak RSS {peak_kb / 1024:.0f} MiB, total_params {total:,}" if total else f"  convlens failed: {p.stderr.strip()}")
    print(f"  torchinfo : would first build the weights: {need / 1e9:.1f} GB of float32 > {ram / 1e9:.1f} GB of RAM here; not attempted")
    ok = p.returncode == 0 and wall < 10 and peak_kb / 1024 < 2048 and total == n
    print(f"  target: < 10 s and < 2 GB peak -> {'PASS' if ok else 'FAIL'}   (load average {load()})")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=9)
    a = ap.parse_args()
    sys.path.insert(0, HERE)
    ok = resnet152_side_by_side(a.repeat)
    print()
    ok = ten_billion() and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
