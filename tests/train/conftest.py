"""A small learnable MNIST-format dataset on disk, and a tiny FastNet, so training tests take seconds."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import pytest
import torch

IDX_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
TINY = ["--model-args", json.dumps({"widths": {"stem": 8, "block1": 8, "block2": 8, "block3": 16}})]  # a stem of 8 filters: 2 × 1 × 2 × 2, whitened


def _idx(array: torch.Tensor) -> bytes:
    return bytes([0, 0, 8, array.dim()]) + b"".join(struct.pack(">I", s) for s in array.shape) + array.numpy().tobytes()


def _images(labels: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Class c: a bright bar at rows 2c..2c+4 plus noise, so a network can learn something."""
    n = labels.shape[0]
    x = torch.randint(0, 60, (n, 28, 28), generator=g, dtype=torch.uint8)
    for c in range(10):
        x[labels == c, 2 * c + 2:2 * c + 6, 4:24] = 220
    return x


@pytest.fixture(scope="session")
def mnist_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mnist")
    g = torch.Generator().manual_seed(1)
    train_labels = torch.randint(0, 10, (512,), generator=g)
    test_labels = torch.randint(0, 10, (128,), generator=g)
    for name, a in zip(IDX_NAMES, (_images(train_labels, g), train_labels.to(torch.uint8), _images(test_labels, g), test_labels.to(torch.uint8))):
        (folder / name).write_bytes(gzip.compress(_idx(a)))
    return folder


@pytest.fixture(scope="session")
def tiny_args(mnist_dir) -> list[str]:
    """CLI options for a 2-epoch run of a tiny FastNet on the fake MNIST."""
    return ["fastnet", *TINY, "--data", "mnist", "--data-dir", str(mnist_dir), "--epochs", "2", "--batch-size", "64", "--progress", "off"]


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, tiny_args) -> Path:
    from convlens.cli import main

    out = tmp_path_factory.mktemp("runs") / "tiny"
    assert main(["train", *tiny_args, "--out", str(out)]) == 0
    return out
