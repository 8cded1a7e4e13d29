"""Benchmark: the Inside view's two answers for the default recipe's model (FastNet, widths 16-32-64-128,
on Fashion-MNIST), through the JSON API as the page calls it, beside a plain PyTorch forward of the
same checkpoint on the same image (the anchor: the work no view can avoid). The requests go through
the ASGI app in process (Starlette's TestClient), as the page's would, without the socket.

1. ``POST /api/inside`` for a test image not seen before (a forward with hooks, every layer's maps
   encoded) — target under 300 ms;
2. ``POST /api/inside/unit`` for a convolution unit of an image already shown — target under 50 ms.

A real run is trained first with the default recipe on a subset (``--epochs 1 --train-subset 1024``:
the weights' values do not change the time, the model's shape does), unless --run names one.

Run: python benchmarks/bench_inside.py [--repeat 20] [--run RUNS/NAME]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

TARGET_VIEW, TARGET_UNIT = 0.300, 0.050


def train_default(root: Path) -> Path:
    from convlens.cli import main

    folder = root / "default"
    code = main(["train", "--epochs", "1", "--train-subset", "1024", "--test-subset", "1000", "--progress", "off", "--out", str(folder)])
    if code:
        sys.exit(f"training the default recipe failed (exit {code})")
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--run", type=Path, default=None, help="a run folder of the default recipe (default: train one in a temporary folder)")
    args = ap.parse_args()

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from convlens.train.inference import load_trained
    from convlens.web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.run or train_default(Path(tmp))
        client = TestClient(create_app(runs=folder.parent))
        client.__enter__()
        run = folder.name
        client.post("/api/inside", json={"run": run, "test_index": 0})  # the model, test set and predictions loaded once

        view, unit = [], []
        for i in range(1, args.repeat + 1):
            t = time.perf_counter()
            r = client.post("/api/inside", json={"run": run, "test_index": i})  # a new image each time: no cache
            view.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
            layer = "group2.conv1"
            t = time.perf_counter()
            r = client.post("/api/inside/unit", json={"run": run, "test_index": i, "layer": layer, "channel": i % 64, "y": i % 13, "x": (3 * i) % 13})
            unit.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text

        trained = load_trained(folder)
        from convlens import data

        images = data.load(trained.config.data).test_images[1:args.repeat + 1]
        mean, std = trained.input.tensors("cpu")

        def plain(i):
            x = ((images[i].float() / 255 - mean[0]) / std[0])[None]
            with torch.no_grad():
                trained.net(x)

        anchor = []
        for i in range(args.repeat):
            t = time.perf_counter()
            plain(i)
            anchor.append(time.perf_counter() - t)
        client.__exit__(None, None, None)

    med = statistics.median
    print(f"default recipe's model ({trained.config.model} {trained.config.model_args}), {args.repeat} images, torch threads {torch.get_num_threads()}")
    print(f"  plain PyTorch forward (anchor)  median {1000 * med(anchor):7.1f} ms   max {1000 * max(anchor):7.1f} ms")
    print(f"  POST /api/inside  (new image)   median {1000 * med(view):7.1f} ms   max {1000 * max(view):7.1f} ms   "
          f"{med(view) / med(anchor):5.1f}× the forward   target < {1000 * TARGET_VIEW:.0f} ms: {'met' if med(view) < TARGET_VIEW else 'MISSED'}")
    print(f"  POST /api/inside/unit (conv)    median {1000 * med(unit):7.1f} ms   max {1000 * max(unit):7.1f} ms   "
          f"{med(unit) / med(anchor):5.1f}× the forward   target < {1000 * TARGET_UNIT:.0f} ms: {'met' if med(unit) < TARGET_UNIT else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
