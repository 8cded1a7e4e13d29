"""Cold start: whole processes, as a user runs them, convlens against torchinfo.

Three commands, each run ``--runs`` times (default 7), alternating, and the median wall time of
each printed with its spread (min–max), the ratio to torchinfo's median and the load average:

* ``torchinfo``: a script that imports torch, builds the hand-written ResNet-50
  (``benchmarks/resnet50_handwritten.py``) and prints ``torchinfo.summary(model, input_size=(1, 3, 224, 224))``;
* ``convlens``: the same script with ``convlens.summary``;
* ``convlens CLI``: ``python -m convlens summary benchmarks/resnet50_handwritten.py:ResNet50 --input 1x3x224x224``;
* ``floor``: the same script without any summary (Python, ``import torch``, the model built), the
  whole-script time no library can go below: its ratio is what a library costing nothing would read.

Run: ``python benchmarks/bench_coldstart.py [--runs 7] [--no-bytecode]``. The child processes
write and read Python's bytecode cache as a normal install does (``PYTHONDONTWRITEBYTECODE`` is
removed from their environment); ``--no-bytecode`` sets ``PYTHONDONTWRITEBYTECODE=1`` for them
instead, so every process recompiles convlens (torch's installed .pyc files are not affected).
It also reports whether each convlens process imported torch._dynamo or sympy (the ~1 s that
used to make the difference), and each script's own part: the time from ``import convlens`` (or
``import torchinfo``) to the printed summary, measured inside the process, with the same torch
import and the same model built before it. The whole script cannot get much below torchinfo's,
whose own part is ~0.2 s of a ~2.8 s process on the 2-core machine (the rest is Python, torch's
import and the model's weights); the own parts are what the two libraries do.

Each script process is also cut in three by wall clocks (the parent's before the launch and after
the exit, the child's around the own part): *before* (Python, torch, the model built: the same code
in every script), *own*, and *after* (from the printed summary to the process's end: freeing what the
library left, the interpreter's exit). The last line does the arithmetic of the whole-script goal
(≤ 0.9× torchinfo's): what it leaves convlens's own part is 0.9× torchinfo's median script minus the
median *before* of all scripts and convlens's median *after*; below zero, no library can meet it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from _timing import load  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "resnet50_handwritten.py")

SCRIPT = """
import sys, time
sys.path.insert(0, {here!r})
import torch
from resnet50_handwritten import ResNet50
model = ResNet50()
start, wall = time.perf_counter(), time.time()
{call}
sys.stdout.flush()
print("own", time.perf_counter() - start, wall, time.time(), file=sys.stderr)
print(sorted(n for n in ("torch._dynamo", "sympy") if n in sys.modules), file=sys.stderr)
"""


def script(lib: str | None) -> str:
    call = f"import {lib}\nprint({lib}.summary(model, input_size=(1, 3, 224, 224)))" if lib else "pass"
    return SCRIPT.format(here=HERE, call=call)


def commands() -> dict[str, list[str]]:
    return {
        "torchinfo": [sys.executable, "-c", script("torchinfo")],
        "convlens": [sys.executable, "-c", script("convlens")],
        "convlens CLI": [sys.executable, "-m", "convlens", "summary", f"{MODEL}:ResNet50", "--input", "1x3x224x224"],
        # the part every such script shares and no library can remove: Python, torch, the model's weights
        "floor": [sys.executable, "-c", script(None)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-bytecode", action="store_true",
                        help="run the processes with PYTHONDONTWRITEBYTECODE=1 (convlens recompiled in each)")
    opts = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if opts.no_bytecode:
        # Without cached bytecode every process recompiles the convlens modules it imports, which a
        # normal install does once; torch's installed .pyc files are not affected.
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:  # a warm-up that writes the bytecode cache (as a first run after install does)
        subprocess.run([sys.executable, "-c", "import convlens.cli, convlens.targets, convlens.frontends.torch, "
                        "convlens.render, convlens.core; convlens.core.LAYERS.get('Conv2d')"], check=True, env=env)
        for cmd in commands().values():
            subprocess.run(cmd, capture_output=True, env=env)
    start_load = load()
    times: dict[str, list[float]] = {name: [] for name in commands()}
    own: dict[str, list[float]] = {name: [] for name in commands()}
    before: dict[str, list[float]] = {name: [] for name in commands()}
    after: dict[str, list[float]] = {name: [] for name in commands()}
    imported: dict[str, str] = {}
    for _ in range(opts.runs):
        for name, cmd in commands().items():  # alternating: each round runs every command once
            start, launched = time.perf_counter(), time.time()
            out = subprocess.run(cmd, capture_output=True, text=True, env=env)
            times[name].append(time.perf_counter() - start)
            ended = time.time()
            if out.returncode not in (0, 1):
                raise SystemExit(f"{name} failed: {out.stderr[-500:]}")
            for line in out.stderr.splitlines():
                if line.startswith("own "):
                    seconds, own_start, own_end = map(float, line.split()[1:])
                    own[name].append(seconds)
                    before[name].append(own_start - launched)
                    after[name].append(ended - own_end)
                elif line.startswith("["):
                    imported[name] = line
    base = statistics.median(times["torchinfo"])
    print(f"bytecode cache {'off (PYTHONDONTWRITEBYTECODE=1)' if opts.no_bytecode else 'on'}; {opts.runs} rounds; "
          f"load average {start_load} at the start, {load()} at the end")
    print(f"{'process':<14}{'median s':>10}{'min–max s':>13}{'ratio':>8}   runs (s)")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<14}{med:>10.2f}{f'{min(ts):.2f}–{max(ts):.2f}':>13}{med / base:>7.2f}×   {' '.join(f'{t:.2f}' for t in ts)}")
    for name in ("convlens", "convlens CLI", "floor"):
        pairs = sorted(c / t for c, t in zip(times[name], times["torchinfo"]))
        print(f"{name}: per-round ratio to torchinfo {pairs[0]:.2f}–{pairs[-1]:.2f}, median {statistics.median(pairs):.2f}×")
    print("Each script's own part (from `import <library>` to the printed summary, the same torch and model before it):")
    for name in ("torchinfo", "convlens"):
        ts = own[name]
        print(f"  {name:<10} median {statistics.median(ts):.3f} s ({min(ts):.3f}–{max(ts):.3f})")
    ratio = statistics.median(own["convlens"]) / statistics.median(own["torchinfo"])
    print(f"  own-part ratio convlens/torchinfo {ratio:.2f}× -> {'PASS' if ratio <= 1 else 'FAIL'} "
          f"(convlens's own part no more than torchinfo's real forward)")
    floor = statistics.median(times["floor"]) / base
    print(f"floor: the same script without any summary (Python, import torch, the model built) is {floor:.2f}× of "
          f"torchinfo's whole script; a library whose own part cost nothing would read {floor:.2f}×")
    print("Where each script's time goes, medians in s (before: Python, torch, the model; own; after: from the "
          "printed summary to the process's end):")
    for name in ("torchinfo", "convlens", "floor"):
        print(f"  {name:<10} before {statistics.median(before[name]):.3f}  own {statistics.median(own[name]):.3f}  "
              f"after {statistics.median(after[name]):.3f}  (after: {min(after[name]):.3f}–{max(after[name]):.3f})")
    whole = statistics.median(times["convlens"]) / base
    shared = statistics.median([t for name in ("torchinfo", "convlens", "floor") for t in before[name]])
    budget = 0.9 * base - shared - statistics.median(after["convlens"])
    print(f"whole-script goal ≤ 0.9×: convlens read {whole:.2f}× -> {'PASS' if whole <= 0.9 else 'FAIL'}; it leaves "
          f"convlens's own part 0.9 × {base:.3f} − before {shared:.3f} − convlens's after "
          f"{statistics.median(after['convlens']):.3f} = {budget:+.3f} s (its own part: {statistics.median(own['convlens']):.3f} s)"
          + (" — below zero: no library can meet the goal here" if budget < 0 else ""))
    for name, mods in imported.items():
        print(f"{name}: imported {mods}")


if __name__ == "__main__":
    main()
