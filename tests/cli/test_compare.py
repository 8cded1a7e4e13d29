"""`convlens compare`: models side by side, their totals written out, and ratios to the first."""

from __future__ import annotations

import json

import pytest

from convlens.cli import main

pytest.importorskip("torch")


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_vgg_first_blocks_against_resnet_stem(capsys):
    code, out, err = _run(capsys, "compare", "zoo:vgg-first-blocks", "zoo:resnet-stem")
    assert code == 0, err
    assert "resnet-stem: 27.5× fewer parameters than vgg-first-blocks" in out
    assert "resnet-stem: 39.9× fewer MACs than vgg-first-blocks" in out  # 4,710,924,288 / 118,013,952
    assert "260,160 = (3×64×3×3 + 64) + (64×64×3×3 + 64) + (64×128×3×3 + 128) + (128×128×3×3 + 128)" in out
    assert "9,472 = (3×64×7×7 + 64)" in out
    assert "1x128x56x56" in out and "1x64x56x56" in out


def test_json_holds_the_numbers(capsys):
    code, out, _ = _run(capsys, "compare", "zoo:resnet18", "zoo:resnet50", "--format", "json")
    assert code == 0
    data = json.loads(out)
    a, b = data["models"]
    assert (a["label"], a["parameters"], a["macs"]) == ("resnet18", 11_689_512, 1_814_073_344)
    assert b["parameters"] == 25_557_032 and b["output_shapes"] == [[1, 1000]]
    assert b["ratios_to_first"]["parameters"] == pytest.approx(11_689_512 / 25_557_032)
    assert a["training_memory_bytes"] > 4 * a["parameters"]  # at least the weights themselves


def test_one_input_for_all_targets(capsys):
    code, out, _ = _run(capsys, "compare", "zoo:residual-cnn", "zoo:mnist-conv", "--input", "2x1x28x28", "--format", "json")
    assert code == 0
    models = json.loads(out)["models"]
    assert [m["input_size"] for m in models] == [[2, 1, 28, 28]] * 2
    assert models[1]["output_shapes"] == [[2, 20, 28, 28]]


def test_markdown_table(capsys):
    code, out, _ = _run(capsys, "compare", "zoo:plain-block", "zoo:bottleneck-block", "--format", "md")
    assert code == 0
    assert out.startswith("|  | plain-block | bottleneck-block |")
    assert "- bottleneck-block: 1.63× fewer parameters than plain-block" in out  # 73,856 / 45,248


def test_as_written_bug_shows_in_the_comparison(capsys):
    _, out, _ = _run(capsys, "compare", "zoo:residual-cnn", "zoo:residual-cnn-as-written", "--format", "json")
    fixed, bad = json.loads(out)["models"]
    assert bad["parameters"] - fixed["parameters"] == (6272 - 1152) * 512
    assert fixed["failed"] is False
    assert bad["failed"] or bad["diagnostics"], "the as-written network must be flagged"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compare", "zoo:resnet18"], "at least two targets"),
        (["compare", "zoo:resnet18", "zoo:resnet-19"], "did you mean"),
        (["compare", "zoo:resnet18", "zoo:keras-tutorial-cnn-keras"], "PyTorch port zoo:keras-tutorial-cnn"),
        (["compare", "zoo:resnet18", "zoo:resnet34", "--input", "1xfoo"], "is not a shape"),
    ],
)
def test_users_mistakes_are_one_line_exit_2(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_ratio_sentence_wording():
    from convlens.render.compare import ratio, ratio_sentence

    assert ratio_sentence("b", "parameters", ratio(100, 100), "a", "fewer", "more") == "b: the same parameters as a"
    assert ratio_sentence("b", "training memory", ratio(10, 40), "a", "less", "more") == "b: 4.00× more training memory than a"
    assert ratio(0, 5) is None
