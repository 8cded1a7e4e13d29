"""Issue 20 (time to accuracy): --precision auto from the CPU's flags, the EMA of the weights (evaluated,
saved and resumed), and the images/s and accuracy thresholds every run prints and records."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn as nn

from convlens.train import checkpoint as ckpt
from convlens.train import hardware
from convlens.train.config import Augment, Precision, TrainConfig
from convlens.train.ema import EMA
from convlens.train.loop import speed_summary, summary_lines


@pytest.mark.parametrize("flags, expected", [({"avx512f", "avx512_bf16"}, Precision.BF16), ({"avx512f", "amx_bf16", "amx_tile"}, Precision.BF16),
                                             ({"avx2", "avx512f", "avx512bw"}, Precision.FP32), (set(), Precision.FP32)])
def test_auto_precision_is_bf16_only_with_native_bf16(monkeypatch, flags, expected):
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setattr(hardware.platform, "machine", lambda: "x86_64")
    assert hardware.resolve_precision(Precision.AUTO, torch.device("cpu")) is expected
    assert hardware.resolve_precision(Precision.FP32, torch.device("cpu")) is Precision.FP32  # an explicit choice stays
    assert hardware.resolve_precision(Precision.BF16, torch.device("cpu")) is Precision.BF16


def test_auto_precision_is_fp32_off_x86(monkeypatch):
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx512_bf16"}))
    monkeypatch.setattr(hardware.platform, "machine", lambda: "arm64")
    assert hardware.resolve_precision(Precision.AUTO, torch.device("cpu")) is Precision.FP32


def test_process_age_counts_from_the_process_start():
    age = hardware.process_age()
    assert 0 < age < 24 * 3600


def test_old_configs_read_without_ema_and_with_bf16():
    old = TrainConfig(model="fastnet").to_dict()
    del old["ema"], old["warmup"]
    old["precision"] = "bf16"
    cfg = TrainConfig.from_saved(old)
    assert cfg.ema == 0 and cfg.precision is Precision.BF16 and cfg.warmup == 0.25  # how those runs trained: --resume stays exact
    new = TrainConfig.from_dict({"model": "fastnet"})
    assert new.ema == 0.99 and new.warmup == 0.1  # a new run's config keeps the defaults


@pytest.mark.parametrize("warmup", [0.1, 0.25, 0.5])
def test_onecycle_peaks_after_the_warmup_fraction_of_the_steps(warmup):
    from convlens.train.loop import _scheduler

    cfg = TrainConfig(model="fastnet", warmup=warmup, lr=1e-2)
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=cfg.lr)
    sched = _scheduler(cfg, opt, 200)
    lrs = []
    for _ in range(200):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    peak = max(range(200), key=lrs.__getitem__)
    assert abs(peak - warmup * 200) <= 1 and lrs[peak] == pytest.approx(1e-2)
    assert lrs[0] == pytest.approx(1e-2 / 25) and lrs[-1] < 1e-4  # from lr/25 up, then down to about 0
    with pytest.raises(ValueError, match="ema must be in"):
        TrainConfig(model="fastnet", ema=1.0)


@pytest.mark.parametrize("preset", [None, "fast", "long"])
def test_the_command_trains_with_the_recipe_s_average_and_precision(preset):
    """`convlens train` (and each --preset) builds its config with the EMA and --precision auto that
    the benchmark measured, not the defaults of a config saved before they existed."""
    from convlens.cli import build_parser
    from convlens.cli.train import config_from_args

    argv = ["train"] + (["--preset", preset] if preset else [])
    cfg = config_from_args(build_parser().parse_args(argv))
    assert cfg.ema == 0.99 and cfg.precision is Precision.AUTO


def test_the_long_preset_is_the_recipe_docs_train_md_measured(capsys):
    """docs/train.md's three-seed table of `--preset long` (issue 20's fifth round) is of this recipe:
    the wider FastNet with the default's whitened stem, 10 % warm-up and logit scale 1/3, flip, 2-pixel
    translation and random erasing, flip TTA only, 18 epochs; and the help that names it says so."""
    from convlens.cli import build_parser, main
    from convlens.cli.train import config_from_args

    cfg = config_from_args(build_parser().parse_args(["train", "--preset", "long"]))
    assert (cfg.model, cfg.epochs, cfg.warmup, cfg.translate, cfg.whiten, cfg.ema) == ("fastnet", 18, 0.1, 2, True, 0.99)
    assert cfg.augment == (Augment.FLIP, Augment.TRANSLATE, Augment.ERASE) and (cfg.flip_tta, cfg.translate_tta) == (True, 0)
    assert json.loads(cfg.model_args) == {"widths": {"stem": 24, "block1": 64, "block2": 128, "block3": 256}, "scale": 0.3333}
    with pytest.raises(SystemExit) as exit_:  # `convlens train --help`, as a user reads it
        main(["train", "--help", "--lang", "en"])
    assert exit_.value.code == 0
    assert "long (widths 24-64-128-256, 18 epochs, EMA, whitened stem, random erasing)" in " ".join(capsys.readouterr().out.split())


def test_ema_averages_parameters_and_batchnorm_statistics():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    ema = EMA(net, 0.5)
    before = net[0].weight.detach().clone()
    with torch.no_grad():
        net[0].weight.add_(1.0)
    net(torch.randn(4, 1, 5, 5))  # training mode: running statistics and num_batches_tracked move
    ema.update()  # warm-up: decay min(0.5, 2/11) = 2/11, so the average moves 9/11 of the way
    assert torch.allclose(ema.model[0].weight, before + 9 / 11)
    assert torch.allclose(ema.model[1].running_mean, 9 / 11 * net[1].running_mean)
    assert int(ema.model[1].num_batches_tracked) == 1 and ema.steps == 1
    assert not any(p.requires_grad for p in ema.model.parameters())


def _rows(accs, epoch_s=10.0):
    return [{"epoch": i + 1, "test_acc": a, "epoch_time_s": epoch_s, "images_per_s": 3000.0, "elapsed_s": 5 + epoch_s * (i + 1)}
            for i, a in enumerate(accs)]


def test_speed_summary_reports_the_first_crossing_of_each_threshold():
    s = speed_summary(_rows([0.905, 0.925, 0.921, 0.935, 0.9405]))
    assert s["reached"] == {"90": {"epoch": 1, "elapsed_s": 15.0}, "92": {"epoch": 2, "elapsed_s": 25.0}, "93": {"epoch": 4, "elapsed_s": 45.0},
                            "94": {"epoch": 5, "elapsed_s": 55.0}, "95": None}
    assert s["images_per_s"] == 3000 and s["epoch_time_s"] == 10 and s["elapsed_s"] == 55 and s["final_test_acc"] == 0.9405
    lines = summary_lines(s)
    assert lines[0] == "speed: 3,000 training images/s, 10.0 s per epoch with the test evaluation; 55 s from the command's start"
    assert "reached 93 % test accuracy first after epoch 4, 45 s from the command's start" in lines
    assert lines[-1] == "95 % test accuracy not reached in 5 epochs"
    old = [{k: v for k, v in r.items() if k != "elapsed_s"} for r in _rows([0.95])]  # a checkpoint from before elapsed_s
    assert speed_summary(old)["reached"]["95"] == {"epoch": 1, "elapsed_s": 10.0}


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_the_last_line_says_when_the_test_ran_in_bf16(tmp_path, tiny_args, capsys, precision):
    """The per-epoch test runs in the training's precision and ``convlens eval`` in float32; on the long
    preset's final weights the two differed by up to 0.06 points, so the last line says which it was."""
    from convlens.cli import main

    out = tmp_path / precision
    assert main(["train", *tiny_args, "--precision", precision, "--out", str(out)]) == 0
    done = capsys.readouterr().out.splitlines()[-1]
    acc = f"{100 * ckpt.load(out)['metrics'][-1]['test_acc']:.2f}%"
    if precision == "bf16":
        assert done.startswith(f"done: test accuracy {acc} after 2 epochs (bf16 evaluation; convlens eval recomputes it in float32); wrote ")
    else:
        assert done.startswith(f"done: test accuracy {acc} after 2 epochs; wrote "), done


def test_korean_summary_has_no_english_sentence():
    from i18n.english import english

    from convlens.i18n import language

    with language("ko"):
        lines = summary_lines(speed_summary(_rows([0.931, 0.95]), resumed=True))
    assert not [line for line in lines if english(line)], lines


def test_a_run_prints_and_records_the_thresholds_and_saves_the_ema(tmp_path, tiny_args, capsys):
    from convlens.cli import main

    out = tmp_path / "ema"
    assert main(["train", *tiny_args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    state = ckpt.load(out)
    cfg = TrainConfig.from_saved(state["config"])
    result = json.loads((out / "run.json").read_text())["result"]
    assert set(result["reached"]) == {"90", "92", "93", "94", "95"} and result["epochs"] == 2 and result["images_per_s"] > 0
    assert printed[-1].startswith("done: test accuracy") and any(line.startswith("speed: ") for line in printed)
    assert any(line.startswith("reached 90 % test accuracy") or line.startswith("90 % test accuracy not") for line in printed)
    assert json.loads((out / "run.json").read_text())["precision"] in ("bf16", "fp32")
    assert all(r["elapsed_s"] > 0 for r in state["metrics"])
    if cfg.ema:  # the default recipe: "model" is the average that was tested; the raw weights are kept for --resume
        assert set(state["training_model"]) == set(state["model"]) and state["ema_steps"] == 2 * 8
        assert any(not torch.equal(state["model"][k], state["training_model"][k]) for k in state["model"])
    saved = torch.load(out / "model_state_dict.pt", weights_only=True)
    assert all(torch.equal(saved[k], state["model"][k]) for k in saved)
