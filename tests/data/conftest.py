"""Writers for small files in the real dataset formats, so every loader's real code path runs."""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import tarfile
from pathlib import Path

import pytest
import torch

IDX_NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def idx_bytes(array: torch.Tensor) -> bytes:
    """The IDX encoding of a uint8 tensor: magic 00 00 08 NDIM, big-endian sizes, data."""
    return bytes([0, 0, 8, array.dim()]) + b"".join(struct.pack(">I", s) for s in array.shape) + array.numpy().tobytes()


def write_idx_dataset(folder: Path, *, n_train=40, n_test=20, size=28, classes=10, compress=True, seed=0) -> dict:
    g = torch.Generator().manual_seed(seed)
    arrays = {
        IDX_NAMES[0]: torch.randint(0, 256, (n_train, size, size), generator=g, dtype=torch.uint8),
        IDX_NAMES[1]: torch.randint(0, classes, (n_train,), generator=g).to(torch.uint8),
        IDX_NAMES[2]: torch.randint(0, 256, (n_test, size, size), generator=g, dtype=torch.uint8),
        IDX_NAMES[3]: torch.randint(0, classes, (n_test,), generator=g).to(torch.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, a in arrays.items():
        raw = idx_bytes(a)
        if compress:
            (folder / name).write_bytes(gzip.compress(raw))
        else:
            (folder / name.removesuffix(".gz")).write_bytes(raw)
    return arrays


def cifar_batch(n: int, classes: int, *, label_key="labels", seed=0, labels=None) -> tuple[bytes, torch.Tensor, list[int]]:
    """A pickle as CIFAR's python batches are: protocol 2, a dict with a NumPy uint8 'data' array."""
    import numpy as np

    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = labels if labels is not None else [int(v) for v in rng.integers(0, classes, n)]
    blob = pickle.dumps({b"batch_label": b"testing batch", label_key.encode(): labels, b"data": data, b"filenames": [b"x.png"] * n}, protocol=2)
    return blob, torch.from_numpy(data.copy()).reshape(n, 3, 32, 32), labels


def write_cifar10(folder: Path, *, per_batch=6, archive=False) -> dict:
    names = [f"c{i}" for i in range(10)]
    files = {"batches.meta": pickle.dumps({b"label_names": [n.encode() for n in names], b"num_vis": 3072}, protocol=2)}
    expected = {"train": [], "test": None}
    for i in range(1, 6):
        blob, imgs, labels = cifar_batch(per_batch, 10, seed=i)
        files[f"data_batch_{i}"] = blob
        expected["train"].append((imgs, labels))
    blob, imgs, labels = cifar_batch(per_batch, 10, seed=99)
    files["test_batch"] = blob
    expected["test"] = (imgs, labels)
    folder.mkdir(parents=True, exist_ok=True)
    if archive:
        with tarfile.open(folder / "cifar-10-python.tar.gz", "w:gz") as tar:
            for name, blob in files.items():
                info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
                info.size = len(blob)
                tar.addfile(info, io.BytesIO(blob))
    else:
        sub = folder / "cifar-10-batches-py"
        sub.mkdir()
        for name, blob in files.items():
            (sub / name).write_bytes(blob)
    return {"classes": names, **expected}


@pytest.fixture
def idx_writer():
    return write_idx_dataset


@pytest.fixture
def cifar10_writer():
    return write_cifar10


@pytest.fixture
def cifar_batch_maker():
    return cifar_batch
