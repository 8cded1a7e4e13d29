"""`convlens train --tensorboard`: event files in the run folder, read back with TensorBoard's own reader."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator", reason="--tensorboard needs the tensorboard package")


def test_tensorboard_scalars_per_epoch_confusion_and_filters(tmp_path, tiny_args):
    import csv
    import json

    from convlens.cli import main

    out = tmp_path / "run"
    assert main(["train", *tiny_args, "--tensorboard", "--out", str(out)]) == 0
    assert list(out.glob("events.out.tfevents.*"))
    assert json.loads((out / "config.json").read_text())["tensorboard"] is True
    acc = event_accumulator.EventAccumulator(str(out), size_guidance={event_accumulator.IMAGES: 0, event_accumulator.SCALARS: 0})
    acc.Reload()
    tags = acc.Tags()
    with open(out / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for tag, column in (("loss/train", "train_loss"), ("accuracy/test", "test_acc"), ("learning_rate", "lr"), ("images_per_s", "images_per_s")):
        assert tag in tags["scalars"]
        events = acc.Scalars(tag)
        assert [e.step for e in events] == [1, 2]  # one value per epoch
        assert [e.value for e in events] == pytest.approx([float(r[column]) for r in rows], rel=1e-6)
    assert "confusion_matrix" in tags["images"] and "filters/stem" in tags["images"]
    filters = acc.Images("filters/stem")[-1]
    # the tiny FastNet's stem: 8 filters of 2×2 in a 3×3 grid one pixel apart, enlarged 8×: (3·3−1)·8 = 64 pixels a side
    assert (filters.width, filters.height) == (64, 64)


def test_without_the_tensorboard_package_it_says_how_to_install_it(tmp_path, tiny_args, monkeypatch, capsys):
    import sys

    from convlens.cli import main

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # as if tensorboard were not installed
    out = tmp_path / "run"
    assert main(["train", *tiny_args, "--tensorboard", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--tensorboard needs the tensorboard package" in err and "pip install" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()  # refused before the run folder is made
