"""Training-step throughput of the default recipe's FastNet under each precision and memory format.

    python benchmarks/bench_train_options.py [--rounds 3] [--steps 20] [--preset fast]

Builds the preset's FastNet once per option (bf16 autocast or fp32, channels-last or NCHW) and
trains each on the same random batch of 256 1×28×28 images with fused AdamW, the loop's step
(forward, cross-entropy, backward, optimizer step), ``--steps`` steps per option per round,
alternating the options round by round so a change of machine load falls on all alike. Prints each
option's images per wall second (median, min–max) and per CPU-second, and which one
``--precision auto`` picks on this machine. This is how to tell whether the default (bf16 +
channels-last where the CPU has native bf16) is the fastest choice on a given CPU. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from _timing import load  # noqa: E402  (benchmarks/ is on sys.path when a script runs)

OPTIONS = (("bf16", True), ("bf16", False), ("fp32", False), ("fp32", True))


def main():
    from convlens.train import hardware
    from convlens.train import model as models
    from convlens.train.config import PRESETS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--preset", choices=sorted(PRESETS), default="fast")
    a = ap.parse_args()
    preset = PRESETS[a.preset]
    torch.manual_seed(0)
    x0, y = torch.randn(256, 1, 28, 28), torch.randint(0, 10, (256,))

    def make(channels_last: bool):
        net = models.build(preset["model"], preset["model_args"], channels=1, num_classes=10)
        if channels_last:
            net = net.to(memory_format=torch.channels_last)
        return net, torch.optim.AdamW(net.parameters(), lr=1e-3, fused=True)

    def run(option, net, opt, steps: int) -> tuple[float, float]:
        precision, channels_last = option
        x = x0.contiguous(memory_format=torch.channels_last) if channels_last else x0
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(steps):
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                out = net(x)
            loss = F.cross_entropy(out.float(), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return steps * 256 / (time.perf_counter() - wall), steps * 256 / (time.process_time() - cpu)

    nets = {o: make(o[1]) for o in OPTIONS}
    for o in OPTIONS:
        run(o, *nets[o], 5)  # oneDNN builds its kernels on the first steps
    results: dict = {o: [] for o in OPTIONS}
    for _ in range(a.rounds):
        for o in OPTIONS:
            results[o].append(run(o, *nets[o], a.steps))
    print(f"FastNet '{a.preset}', batch 256, {torch.get_num_threads()} threads, torch {torch.__version__}; "
          f"{a.rounds} rounds of {a.steps} steps, alternating; load average {load()}")
    for o in OPTIONS:
        wall = [w for w, _ in results[o]]
        cpu = [c for _, c in results[o]]
        print(f"  {o[0]} {'channels-last' if o[1] else 'NCHW':13s}  {statistics.median(wall):7,.0f} images/s "
              f"({min(wall):,.0f}–{max(wall):,.0f})   {statistics.median(cpu):6,.0f} per CPU-second")
    native = hardware.native_bf16(torch.device("cpu"))
    print(f"--precision auto here: {'bf16' if native else 'fp32'} (native bf16 flags: {native}); load average {load()}")


if __name__ == "__main__":
    main()
