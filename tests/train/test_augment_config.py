"""Whole-tensor augmentation and the frozen config."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from convlens.train import augment
from convlens.train.config import Augment, Optimizer, TrainConfig


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_flip_mirrors_about_half_and_is_seeded():
    x = torch.arange(2 * 1 * 2 * 3, dtype=torch.uint8).reshape(2, 1, 2, 3).repeat(500, 1, 1, 1)
    a = augment.flip(x, _gen())
    flipped = (a == x.flip(-1)).flatten(1).all(1)
    assert 400 < int(flipped.sum()) < 600 and ((a == x).flatten(1).all(1) | flipped).all()
    assert torch.equal(a, augment.flip(x, _gen()))


def test_translate_shifts_within_the_bound_with_zero_fill():
    x = torch.zeros(300, 1, 9, 9, dtype=torch.uint8)
    x[:, :, 4, 4] = 255  # one bright pixel in the centre
    out = augment.translate(x, 2, _gen())
    assert out.dtype == torch.uint8 and out.shape == x.shape
    pos = (out[:, 0] == 255).flatten(1).float().argmax(1)
    rows, cols = pos // 9, pos % 9
    assert rows.min() == 2 and rows.max() == 6 and cols.min() == 2 and cols.max() == 6
    assert int((out == 255).sum()) == 300  # every image still holds its one pixel
    assert torch.equal(augment.translate(x, 0, _gen()), x)


def test_erase_zeroes_one_rectangle_in_about_half():
    x = torch.full((400, 1, 28, 28), 200, dtype=torch.uint8)
    out = augment.erase(x, _gen())
    zero = (out == 0).flatten(1).sum(1)
    hit = zero > 0
    assert 150 < int(hit.sum()) < 250
    assert (zero[hit] >= 0.02 * 784 * 0.5).all() and (zero[hit] <= 0.33 * 784 * 1.5).all()


def test_channel_stats_and_normalise():
    x = torch.tensor([0, 255], dtype=torch.uint8).view(2, 1, 1, 1).repeat(1, 1, 2, 2)
    mean, std = augment.channel_stats(x)
    assert mean == (0.5,) and abs(std[0] - 0.5345) < 1e-3
    y = augment.normalise(x, torch.tensor(mean).view(1, 1, 1, 1), torch.tensor(std).view(1, 1, 1, 1))
    assert y.dtype == torch.float32 and abs(float(y.mean())) < 1e-6


def test_config_is_frozen_round_trips_and_validates():
    c = TrainConfig(model="fastnet", augment=(Augment.FLIP,), optimizer=Optimizer.SGD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.epochs = 3
    d = c.to_dict()
    assert d["optimizer"] == "sgd" and d["augment"] == ["flip"] and type(d["optimizer"]) is str
    assert TrainConfig.from_dict(d) == c
    assert c.flip_tta and not TrainConfig(model="m", augment=()).flip_tta
    for bad, message in (({"epochs": 0}, "epochs must be at least 1"), ({"lr": 0}, "lr must be positive"),
                         ({"label_smoothing": 1}, r"label_smoothing must be in \[0, 1\)"), ({"model_args": "{x"}, "model_args is not JSON"),
                         ({"warmup": 0}, r"warmup must be in \(0, 1\)"), ({"warmup": 1.0}, r"warmup must be in \(0, 1\)")):
        with pytest.raises(ValueError, match=message):
            TrainConfig(model="m", **bad)
    with pytest.raises(ValueError, match="unknown config keys"):
        TrainConfig.from_dict({"model": "m", "colour": 1})


def test_training_commands_without_torch_say_how_to_install_it():
    import subprocess
    import sys

    block = "import sys; sys.modules['torch'] = None; sys.modules['numpy'] = None; from convlens.cli import main; "
    for argv in (["train"], ["eval", "run"], ["data", "list"]):
        p = subprocess.run([sys.executable, "-c", block + f"sys.exit(main({argv!r}))"], capture_output=True, text=True)
        assert p.returncode == 2 and "pip install torch==2.13.0" in p.stderr and "Traceback" not in p.stderr, (argv, p.stderr)
