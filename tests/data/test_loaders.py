"""Every loader's real code path on small files in the real formats, and every validation error."""

from __future__ import annotations

import gzip
import os
import pickle
from pathlib import Path

import pytest
import torch

from convlens import data
from convlens.data import DataError

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.parametrize("compress", [True, False])
def test_mnist_idx_reads_images_and_labels(tmp_path, idx_writer, compress):
    arrays = idx_writer(tmp_path, compress=compress)
    ds = data.load("mnist", data_dir=tmp_path)
    assert ds.train_images.shape == (40, 1, 28, 28) and ds.train_images.dtype == torch.uint8
    assert torch.equal(ds.train_images[:, 0], arrays["train-images-idx3-ubyte.gz"])
    assert torch.equal(ds.test_labels, arrays["t10k-labels-idx1-ubyte.gz"].long())
    assert ds.classes == tuple(str(i) for i in range(10))
    assert "no decompressed checksum is recorded" in ds.notes[0]


def _rewrite(path: Path, fn) -> None:
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(fn(raw)))


@pytest.mark.parametrize("file, change, message", [
    ("train-images-idx3-ubyte.gz", lambda b: b"\x00\x00\x09\x03" + b[4:], "declares type 0x09 with 3 dimensions"),
    ("train-images-idx3-ubyte.gz", lambda b: b"PK\x03\x04" + b[4:], "not an IDX file"),
    ("train-images-idx3-ubyte.gz", lambda b: b[:-100], "the file is truncated or corrupt"),
    ("t10k-labels-idx1-ubyte.gz", lambda b: b[:-1] + b"\x0b", "label 11 is outside 0..9"),
    ("t10k-labels-idx1-ubyte.gz", lambda b: b[:4] + (19).to_bytes(4, "big") + b[8:-1], "20 images but"),
])
def test_idx_validation_names_the_file_and_the_problem(tmp_path, idx_writer, file, change, message):
    idx_writer(tmp_path)
    _rewrite(tmp_path / file, change)
    with pytest.raises(DataError) as e:
        data.load("mnist", data_dir=tmp_path)
    assert message in str(e.value)
    assert str(e.value).startswith(str(tmp_path))


def test_broken_gzip_and_missing_file(tmp_path, idx_writer):
    idx_writer(tmp_path)
    f = tmp_path / "train-labels-idx1-ubyte.gz"
    f.write_bytes(f.read_bytes()[:20])
    with pytest.raises(DataError, match="gzip stream is broken"):
        data.load("mnist", data_dir=tmp_path)
    f.unlink()
    with pytest.raises(DataError, match="incomplete: missing train-labels-idx1-ubyte.gz"):
        data.load("mnist", data_dir=tmp_path)


def test_fashion_mnist_checksums_the_decompressed_content(tmp_path, idx_writer):
    idx_writer(tmp_path)  # right format, wrong content
    with pytest.raises(DataError, match="checksum mismatch: the decompressed content has SHA-256"):
        data.load("fashion-mnist", data_dir=tmp_path)


def test_missing_dataset_says_how_to_get_it(tmp_path):
    with pytest.raises(DataError) as e:
        data.load("fashion-mnist", data_dir=tmp_path / "nowhere")
    msg = str(e.value)
    assert "apt-get install dataset-fashion-mnist" in msg and "convlens data get fashion-mnist" in msg and "--data-dir" in msg
    with pytest.raises(DataError, match="unknown dataset 'svhn'; known: fashion-mnist, mnist"):
        data.load("svhn")


@pytest.mark.parametrize("archive", [False, True])
def test_cifar10_batches_folder_and_archive(tmp_path, cifar10_writer, archive):
    expected = cifar10_writer(tmp_path, archive=archive)
    ds = data.load("cifar10", data_dir=tmp_path)
    assert ds.classes == tuple(expected["classes"])
    assert ds.train_images.shape == (30, 3, 32, 32) and ds.test_images.shape == (6, 3, 32, 32)
    assert torch.equal(ds.train_images[:6], expected["train"][0][0])
    assert ds.train_labels[:6].tolist() == expected["train"][0][1]
    assert torch.equal(ds.test_images, expected["test"][0])


def test_cifar100_reads_fine_labels(tmp_path, cifar_batch_maker):
    sub = tmp_path / "cifar-100-python"
    sub.mkdir()
    train, imgs, labels = cifar_batch_maker(8, 100, label_key="fine_labels")
    test, _, _ = cifar_batch_maker(4, 100, label_key="fine_labels", seed=3)
    (sub / "train").write_bytes(train)
    (sub / "test").write_bytes(test)
    (sub / "meta").write_bytes(pickle.dumps({b"fine_label_names": [f"k{i}".encode() for i in range(100)]}, protocol=2))
    ds = data.load("cifar100", data_dir=tmp_path)
    assert len(ds.classes) == 100 and ds.train_labels.tolist() == labels and torch.equal(ds.train_images, imgs)


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_cifar_pickle_never_runs_pickled_code(tmp_path, cifar10_writer, monkeypatch):
    cifar10_writer(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cifar-10-batches-py" / "data_batch_3").write_bytes(pickle.dumps({"data": _Evil(), "labels": []}, protocol=2))
    with pytest.raises(DataError, match=r"data_batch_3: the pickle asks for (posix|os|nt)\.system, which a CIFAR batch never contains"):
        data.load("cifar10", data_dir=tmp_path)
    assert not (tmp_path / "pwned").exists()


def test_cifar_label_range_and_truncation(tmp_path, cifar10_writer, cifar_batch_maker):
    cifar10_writer(tmp_path)
    f = tmp_path / "cifar-10-batches-py" / "test_batch"
    blob, _, _ = cifar_batch_maker(4, 10, labels=[0, 11, 3, 12])
    f.write_bytes(blob)
    with pytest.raises(DataError, match=r"test_batch: label 11 is outside 0..9 \(2 such labels\)"):
        data.load("cifar10", data_dir=tmp_path)
    f.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataError, match="test_batch: not a readable CIFAR batch"):
        data.load("cifar10", data_dir=tmp_path)


def test_image_folder_converts_mode_and_size_with_a_note(tmp_path):
    from PIL import Image

    for split in ("train", "test"):
        for cls, colour in (("cat", 10), ("dog", 200)):
            (tmp_path / split / cls).mkdir(parents=True)
            for i in range(3):
                Image.new("L", (16, 16), colour + i).save(tmp_path / split / cls / f"{i}.png")
    Image.new("RGB", (20, 12), (255, 0, 0)).save(tmp_path / "train" / "cat" / "odd.png")
    ds = data.load("imagefolder", data_dir=tmp_path)
    assert ds.classes == ("cat", "dog")
    assert ds.train_images.shape == (7, 3, 16, 16)  # one colour image: all RGB, resized to the common 16×16
    assert ds.train_labels.tolist() == [0, 0, 0, 0, 1, 1, 1]
    assert any("1 of 13 images had another size" in n for n in ds.notes)
    (tmp_path / "test" / "dog" / "bad.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="bad.png: not a readable image"):
        data.load("imagefolder", data_dir=tmp_path)


def test_image_folder_needs_train_and_test(tmp_path):
    (tmp_path / "train" / "a").mkdir(parents=True)
    with pytest.raises(DataError, match="needs the sub-folders train/ and test/.*missing test/"):
        data.load("imagefolder", data_dir=tmp_path)
    with pytest.raises(DataError, match="imagefolder needs --data-dir"):
        data.load("imagefolder")


@pytest.mark.skipif(not FASHION_DIR.is_dir(), reason="Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)")
def test_real_fashion_mnist_from_the_debian_package():
    ds = data.load("fashion-mnist")
    assert ds.train_images.shape == (60000, 1, 28, 28) and ds.test_images.shape == (10000, 1, 28, 28)
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"
    assert torch.bincount(ds.test_labels).tolist() == [1000] * 10
    assert ds.notes == ("SHA-256 of the decompressed files verified",)
