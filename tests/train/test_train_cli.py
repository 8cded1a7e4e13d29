"""`convlens train`, `eval`, `predict`, `features` end to end on a tiny model and a small MNIST-format set."""

from __future__ import annotations

import csv
import re
import json
from pathlib import Path

import pytest
import torch

from convlens.cli import main
from convlens.train import CheckpointError
from convlens.train import checkpoint as ckpt

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
PNG = b"\x89PNG\r\n\x1a\n"


def test_run_folder_holds_everything(trained_run, capsys):
    files = {p.name for p in trained_run.iterdir()}
    assert {"config.json", "run.json", "log.txt", "metrics.csv", "curves.png", "confusion.png", "checkpoint.pt", "model_state_dict.pt"} <= files
    assert not [f for f in files if f.endswith(".tmp")]
    for png in ("curves.png", "confusion.png"):
        assert (trained_run / png).read_bytes()[:8] == PNG
    config = json.loads((trained_run / "config.json").read_text())
    assert config["data"] == "mnist" and config["epochs"] == 2 and config["optimizer"] == "adamw"
    assert config["augment"] == ["translate"]  # no flips for digits
    run = json.loads((trained_run / "run.json").read_text())
    assert run["seed"] == 0 and run["torch"] == torch.__version__ and "git_commit" in run and run["data"]["train_images"] == 512
    rows = list(csv.DictReader(open(trained_run / "metrics.csv")))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert set(rows[0]) == {"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "epoch_time_s", "images_per_s"}
    progress = json.loads((trained_run / "progress.json").read_text())  # the last record: the run is done
    assert progress["phase"] == "done" and progress["epoch"] == progress["epochs"] == 2 and progress["batch"] == progress["batches"]
    assert progress["images"] == 512 and progress["time_left_s"] == 0 and progress["elapsed_s"] > 0
    assert progress["train_loss"] == pytest.approx(float(rows[-1]["train_loss"])) and progress["train_accuracy"] == pytest.approx(float(rows[-1]["train_acc"]))
    log = (trained_run / "log.txt").read_text().splitlines()
    assert log[0].startswith("training fastnet (") and log[2].startswith("epoch 1/2  train loss") and log[-1].startswith("done: test accuracy")
    assert log[1] == "stem: its first filters start as the whitening transform of the training images' patches" and run["whitened"] == "stem"
    state = ckpt.load(trained_run)
    assert state["epoch"] == 2 and set(state) >= {"model", "optimizer", "scheduler", "rng", "config", "classes", "input", "metrics"}
    plain = torch.load(trained_run / "model_state_dict.pt", weights_only=True)
    assert set(plain) == set(state["model"])


def test_train_refuses_a_model_that_does_not_fit_the_data(mnist_dir, tmp_path, capsys):
    base = ["--data", "mnist", "--data-dir", str(mnist_dir), "--out", str(tmp_path / "r"), "--progress", "off"]
    assert main(["train", "alexnet-cifar", *base]) == 2
    err = capsys.readouterr().err
    assert err.startswith("convlens: alexnet-cifar cannot train on 1×28×28 images:") and "Traceback" not in err
    assert main(["train", "residual-cnn-as-written", *base]) == 2
    assert "cannot train on 1×28×28 images" in capsys.readouterr().err
    assert main(["train", "resnet18", *base]) == 2  # 3 input channels, 1 given
    assert "cannot train on 1×28×28" in capsys.readouterr().err
    assert main(["train", "no-such-net", *base]) == 2
    assert "zoo: no model named 'no-such-net'" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_train_option_errors_are_one_line(mnist_dir, tmp_path, capsys):
    base = ["fastnet", "--data", "mnist", "--data-dir", str(mnist_dir), "--progress", "off"]
    for extra, message in ((["--epochs", "0"], "epochs must be at least 1"), (["--augment", "flip,spin"], "unknown spin"),
                           (["--model-args", "{oops"], "--model-args is not JSON"), (["--warmup", "1.5"], "warmup must be in (0, 1), got 1.5"),
                           (["--model-args", '{"scale": 0}'], "scale (the fixed factor of the logits) must be positive"),
                           (["--data-dir", str(tmp_path / "none")], "mnist: dataset not found")):
        assert main(["train", *base, *extra]) == 2
        assert message in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path / "none")]) == 2
    assert "no such checkpoint" in capsys.readouterr().err


def test_resume_refuses_options_that_differ_from_the_saved_ones_and_finished_runs(trained_run, tiny_args, capsys):
    assert main(["train", "--resume", str(trained_run), "--epochs", "5"]) == 2
    err = capsys.readouterr().err
    assert "--epochs: the run has 2, given 5" in err and len(err.strip().splitlines()) == 1
    assert main(["train", *tiny_args, "--seed", "3", "--lr", "0.004", "--out", "elsewhere", "--resume", str(trained_run)]) == 2
    err = capsys.readouterr().err
    assert "--seed: the run has 0, given 3" in err and "--out elsewhere is not the run folder" in err and "--lr" not in err  # 0.004 is the saved lr
    assert main(["train", "mnist-conv", "--preset", "long", "--resume", str(trained_run)]) == 2
    err = capsys.readouterr().err
    assert "MODEL: the run has fastnet, given mnist-conv" in err and "--preset long: the run has 2, given 18" in err
    # the same command line as the run's own (a job script after a preemption): accepted, and the run is complete
    for same in ([], [*tiny_args, "--out", str(trained_run)], ["zoo:fastnet", "--epochs", "2", "--seed", "0"]):
        assert main(["train", *same, "--resume", str(trained_run)]) == 2
        assert "already finished all 2 epochs" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["truncated", "garbage", "foreign", "state_dict", "object", "old-version"])
def test_bad_checkpoints_give_a_clear_error(trained_run, tmp_path, kind, capsys):
    path = tmp_path / "checkpoint.pt"
    good = (trained_run / "checkpoint.pt").read_bytes()
    expected = {
        "truncated": "not a readable checkpoint, truncated or corrupt", "garbage": "not a readable checkpoint",
        "foreign": "not a convlens checkpoint (it holds a dict with keys", "state_dict": "a plain state_dict",
        "object": "refused: it holds objects other than tensors", "old-version": "checkpoint format version 0",
    }[kind]
    if kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "garbage":
        path.write_bytes(b"hello" * 100)
    elif kind == "foreign":
        torch.save({"epoch": 3, "net": {"w": torch.zeros(1)}}, path)
    elif kind == "state_dict":
        path.write_bytes((trained_run / "model_state_dict.pt").read_bytes())
    elif kind == "object":
        torch.save({"format": "convlens-checkpoint", "payload": torch.nn.Linear(1, 1)}, path)
    else:
        state = ckpt.load(trained_run)
        state["version"] = 0
        torch.save(state, path)
    with pytest.raises(CheckpointError, match=re.escape(expected)):
        ckpt.load(path)
    assert main(["eval", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected.split(" (")[0] in err and "Traceback" not in err


def test_eval_prints_accuracy_per_class_and_confusion(trained_run, tmp_path, capsys):
    assert main(["eval", str(trained_run), "-o", str(tmp_path / "c.png")]) == 0
    out = capsys.readouterr().out
    state = ckpt.load(trained_run)
    acc = 100 * state["metrics"][-1]["test_acc"]
    assert f"accuracy  {acc:.2f}%" in out  # float32 here, bf16 in training: equal on this easy set
    assert "class  correct  images  accuracy" in out and "confusion matrix (rows: true class" in out
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG


def test_eval_output_draws_by_suffix_and_refuses_a_file_that_is_no_picture(trained_run, tmp_path, capsys):
    assert main(["eval", str(trained_run), "--format", "json", "--output", str(tmp_path / "c.svg")]) == 0
    assert b"<svg" in (tmp_path / "c.svg").read_bytes()[:1000]
    capsys.readouterr()
    assert main(["eval", str(trained_run), "-o", str(tmp_path / "c.txt")]) == 2
    err = capsys.readouterr().err
    assert "c.txt" in err and ".png" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.txt").exists()


def test_predict_converts_other_sizes_and_modes_with_a_note(trained_run, mnist_dir, tmp_path, capsys):
    from PIL import Image

    from convlens import data

    ds = data.load("mnist", data_dir=mnist_dir)
    Image.fromarray(ds.test_images[0, 0].numpy(), mode="L").save(tmp_path / "a.png")
    Image.fromarray(ds.test_images[1, 0].numpy(), mode="L").convert("RGB").resize((56, 56)).save(tmp_path / "b.png")
    assert main(["predict", str(trained_run), str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--top-k", "2"]) == 0
    cap = capsys.readouterr()
    assert "note: b.png: converted from mode RGB to L" in cap.err and "note: b.png: resized from 56×56 to 28×28" in cap.err
    assert "a.png" not in cap.err
    lines = cap.out.splitlines()
    assert lines[0].endswith("a.png") and len(lines) == 6 and lines[1].strip().endswith("%")
    probs = [float(l.split()[-1].rstrip("%")) for l in lines[1:3]]
    assert probs[0] >= probs[1]
    assert main(["predict", str(trained_run), str(tmp_path / "nope.png")]) == 2
    assert "nope.png: no such image file" in capsys.readouterr().err


def test_features_draws_maps_and_filters(trained_run, mnist_dir, tmp_path, capsys):
    from PIL import Image

    Image.new("L", (28, 28), 128).save(tmp_path / "x.png")
    assert main(["features", str(trained_run), str(tmp_path / "x.png"), "--layer", "group1.conv1", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "wrote" in out and "8 of 8 channels of group1.conv1, each 27×27" in out and "8 of 8 filters of stem, each 2×2" in out
    assert (tmp_path / "features-x-group1_conv1.png").read_bytes()[:8] == PNG
    assert (tmp_path / "filters-stem.png").read_bytes()[:8] == PNG
    assert main(["features", str(trained_run), str(tmp_path / "x.png"), "--layer", "group1.conv"]) == 2
    assert "fastnet has no layer 'group1.conv'; did you mean group1.conv2, group1.conv1" in capsys.readouterr().err


@pytest.mark.skipif(not FASHION_DIR.is_dir(), reason="Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)")
def test_real_fashion_mnist_smoke_run(tmp_path, capsys):
    args = ["train", "fastnet", "--model-args", '{"widths": {"stem": 4, "block1": 8, "block2": 8, "block3": 16}}', "--epochs", "1",
            "--train-subset", "2000", "--test-subset", "500", "--out", str(tmp_path / "f"), "--progress", "off"]
    assert main(args) == 0
    rows = list(csv.DictReader(open(tmp_path / "f" / "metrics.csv")))
    assert len(rows) == 1
    assert json.loads((tmp_path / "f" / "run.json").read_text())["data"]["notes"] == ["SHA-256 of the decompressed files verified"]
    assert "Ankle boot" in ckpt.load(tmp_path / "f")["classes"]


def test_eval_and_predict_print_numbers_with_format_json(trained_run, mnist_dir, tmp_path, capsys):
    from PIL import Image

    from convlens import data

    assert main(["eval", str(trained_run), "--format", "json"]) == 0
    ev = json.loads(capsys.readouterr().out)
    state = ckpt.load(trained_run)
    assert round(100 * ev["accuracy"], 2) == round(100 * state["metrics"][-1]["test_acc"], 2)
    assert sum(c["correct"] for c in ev["classes"]) == sum(ev["confusion"][i][i] for i in range(len(ev["classes"])))
    assert sum(map(sum, ev["confusion"])) == ev["images"] == sum(c["images"] for c in ev["classes"])
    ds = data.load("mnist", data_dir=mnist_dir)
    Image.fromarray(ds.test_images[0, 0].numpy(), mode="L").save(tmp_path / "a.png")
    assert main(["predict", str(trained_run), str(tmp_path / "a.png"), "--top-k", "3", "--format", "json"]) == 0
    (one,) = json.loads(capsys.readouterr().out)
    probs = [c["probability"] for c in one["top"]]
    assert one["image"].endswith("a.png") and len(probs) == 3 and probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6


@pytest.mark.parametrize("where, message", [("file", "is a file; give a folder for the run"), ("file/run", "lies under"), ("run", "already holds a run")])
def test_an_out_that_cannot_hold_a_new_run_is_one_line_exit_2(trained_run, tiny_args, tmp_path, capsys, where, message):
    (tmp_path / "file").write_text("not a folder")
    out = trained_run if where == "run" else tmp_path / where
    assert main(["train", *tiny_args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (tmp_path / "file").read_text() == "not a folder"
