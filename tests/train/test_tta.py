"""Test-time augmentation with moved views (``--tta-translate``), checked against views built another
way: the raw uint8 images shifted with a zero border (as the training's translation fills) and then
normalised, put through the real model one by one."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from convlens.cli import main
from convlens.train import checkpoint as ckpt
from convlens.train.augment import normalise, shifted
from convlens.train.config import TrainConfig
from convlens.train.evaluate import Input, evaluate, logits


def _raw_moved(images: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """uint8 images moved by (dy, dx) with a 0 border, written with roll and a mask."""
    h, w = images.shape[-2:]
    out = torch.roll(images, shifts=(dy, dx), dims=(-2, -1))
    rows, cols = torch.arange(h), torch.arange(w)
    keep = ((rows - dy >= 0) & (rows - dy < h))[:, None] & ((cols - dx >= 0) & (cols - dx < w))[None, :]
    return out * keep


def _images(n=6, c=2, h=7, w=9, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, c, h, w), generator=g, dtype=torch.uint8)


MEAN, STD = torch.tensor([0.3, 0.6]).view(1, 2, 1, 1), torch.tensor([0.2, 0.4]).view(1, 2, 1, 1)


@pytest.mark.parametrize("dy, dx", [(1, 1), (-1, -1), (2, -3), (0, 4), (-6, 0), (7, 0), (0, -9), (12, 12)])
def test_shifted_equals_moving_the_raw_image_with_a_black_border(dy, dx):
    raw = _images()
    got = shifted(normalise(raw, MEAN, STD), dy, dx, -MEAN / STD)
    want = normalise(_raw_moved(raw, dy, dx), MEAN, STD)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-6)


def test_shifted_keeps_channels_last():
    x = normalise(_images(), MEAN, STD).contiguous(memory_format=torch.channels_last)
    assert shifted(x, 1, 1, -MEAN / STD).is_contiguous(memory_format=torch.channels_last)


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(2, 4, 3), nn.ReLU(), nn.AdaptiveMaxPool2d(2), nn.Flatten(), nn.Linear(16, 5)).eval()


@pytest.mark.parametrize("flip", [True, False])
@pytest.mark.parametrize("t", [0, 1, 2])
def test_logits_average_the_views_with_the_moved_ones_weighing_half(flip, t):
    model, raw = _model(), _images()
    x = normalise(raw, MEAN, STD)
    with torch.no_grad():
        def run(images):
            return model(normalise(images, MEAN, STD))

        plain = [run(raw)] + ([run(raw.flip(-1))] if flip else [])
        want = sum(plain) / len(plain)
        if t:
            moved = [run(_raw_moved(r, s, s)) for s in (t, -t) for r in ([raw, raw.flip(-1)] if flip else [raw])]
            want = want / 2 + sum(moved) / len(moved) / 2
    got = logits(model, x, flip_tta=flip, bf16=False, translate=t, fill=-MEAN / STD)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("batch_size", [1, 4, 250])
def test_evaluate_counts_what_the_moved_views_predict_whatever_the_batch(batch_size):
    model, raw = _model(), _images(n=10)
    labels = torch.arange(10) % 5
    inp = Input(channels=2, size=(7, 9), mean=(0.3, 0.6), std=(0.2, 0.4))
    ev = evaluate(model, raw, labels, inp, num_classes=5, device="cpu", batch_size=batch_size, flip_tta=True, translate=1,
                  bf16=False, channels_last=False)
    out = logits(model, normalise(raw, MEAN, STD), flip_tta=True, bf16=False, translate=1, fill=-MEAN / STD)
    assert ev.count == 10 and ev.accuracy == pytest.approx(float((out.argmax(1) == labels).float().mean()))
    assert ev.loss == pytest.approx(float(F.cross_entropy(out, labels)), rel=1e-5)


def test_config_tta_translate_defaults_to_none_validates_and_follows_tta():
    assert TrainConfig(model="m").translate_tta == 0
    assert TrainConfig(model="m", tta_translate=1).translate_tta == 1
    assert TrainConfig(model="m", tta_translate=1, tta=False).translate_tta == 0  # --no-tta turns every view off
    with pytest.raises(ValueError, match="tta_translate"):
        TrainConfig(model="m", tta_translate=-1)
    saved = TrainConfig(model="m").to_dict()
    del saved["tta_translate"]  # a config saved before the option existed
    assert TrainConfig.from_saved(saved).translate_tta == 0


def test_a_run_with_tta_translate_records_it_and_eval_uses_the_same_views(tiny_args, tmp_path, capsys):
    out = tmp_path / "moved"
    assert main(["train", *tiny_args, "--tta-translate", "1", "--out", str(out)]) == 0
    state = ckpt.load(out)
    assert state["config"]["tta_translate"] == 1
    capsys.readouterr()
    assert main(["eval", str(out), "--format", "json"]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert ev["tta_translate"] == 1 and not ev["flip_tta"]  # mnist: no flip, so 3 views
    assert round(100 * ev["accuracy"], 2) == round(100 * state["metrics"][-1]["test_acc"], 2)
    assert main(["eval", str(out)]) == 0
    assert "TTA over 3 views (the image, moved by ±1 px)" in capsys.readouterr().out


def test_tta_translate_refuses_a_negative_value_in_one_line(tiny_args, tmp_path, capsys):
    assert main(["train", *tiny_args, "--tta-translate", "-1", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "tta_translate" in err and "must not be negative" in err
