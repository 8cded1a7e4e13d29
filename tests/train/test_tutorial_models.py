"""The tutorials' models train on data their input fits: the corrected residual CNN on 28×28 grey
images, AlexNet-CIFAR and ResNet-18-CIFAR on CIFAR-10 batches (small files in the real format)."""

from __future__ import annotations

import pickle

import pytest

from convlens.cli import main
from convlens.train import checkpoint as ckpt


@pytest.fixture(scope="module")
def cifar_dir(tmp_path_factory):
    np = pytest.importorskip("numpy")
    folder = tmp_path_factory.mktemp("cifar") / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)

    def batch(n):
        return pickle.dumps({b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), b"labels": [int(v) for v in rng.integers(0, 10, n)]}, protocol=2)

    for i in range(1, 6):
        (folder / f"data_batch_{i}").write_bytes(batch(4))
    (folder / "test_batch").write_bytes(batch(8))
    (folder / "batches.meta").write_bytes(pickle.dumps({b"label_names": [f"c{i}".encode() for i in range(10)]}, protocol=2))
    return folder.parent


@pytest.mark.parametrize("model", ["alexnet-cifar", "resnet18-cifar"])
def test_cifar_tutorial_models_train_one_epoch(model, cifar_dir, tmp_path):
    out = tmp_path / model
    args = ["train", model, "--data", "cifar10", "--data-dir", str(cifar_dir), "--epochs", "1", "--batch-size", "6",
            "--out", str(out), "--progress", "off"]
    assert main(args) == 0
    state = ckpt.load(out)
    assert state["epoch"] == 1 and state["input"]["channels"] == 3 and state["input"]["size"] == [32, 32]


def test_corrected_residual_cnn_trains_on_28x28(mnist_dir, tmp_path):
    out = tmp_path / "res"
    assert main(["train", "residual-cnn", "--data", "mnist", "--data-dir", str(mnist_dir), "--train-subset", "64",
                 "--test-subset", "32", "--epochs", "1", "--batch-size", "16", "--out", str(out), "--progress", "off"]) == 0
    assert len(ckpt.load(out)["metrics"]) == 1


def test_a_28x28_model_is_refused_on_cifar_before_training(cifar_dir, tmp_path, capsys):
    # the 28×28 residual CNN on 32×32 colour images: refused with the reason before training
    assert main(["train", "residual-cnn", "--data", "cifar10", "--data-dir", str(cifar_dir), "--out", str(tmp_path / "x"), "--progress", "off"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("convlens: residual-cnn cannot train on 3×32×32 images") and "Traceback" not in err
