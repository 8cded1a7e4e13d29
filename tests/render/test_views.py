"""The other commands' views: one layer in detail (calc), receptive fields (rf), models side by side (compare)."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import pytest

from convlens import render as render_pkg
from convlens.record import LayerRow, Summary
from convlens.render import compare as compare_mod, receptive as receptive_mod

from .summaries import conv, summarize, vgg_block


def _lenet_conv1() -> Summary:
    """Conv2d(1, 20, 5, padding=2) on a batch of 16 MNIST digits, evaluated by the core."""
    from convlens.core import calc, layer
    from convlens.frontends.build import summary_of_layer

    options = dict(out_channels=20, kernel_size=5, padding=2)
    return summary_of_layer(calc("Conv2d", (16, 1, 28, 28), **options), code=layer("Conv2d", **options).code())


def test_layer_detail_of_a_conv(golden):
    text = render_pkg.layer_detail(_lenet_conv1())
    for expected in (
        "input            (16, 1, 28, 28)",
        "output           (16, 20, 28, 28)",
        "weights          weight (20, 1, 5, 5) = 500; bias (20,) = 20",
        "params           520 (trainable 520, non-trainable 0)",
        "MACs             6,272,000",
        "receptive field  5×5, jump 1×1, first centre at 0×0",
        "  H_out = ⌊(28 + 2·2 − 1·(5−1) − 1) / 1⌋ + 1 = 28",
        "  params = 20 × (1 × 5 × 5) + 20 = 520",
    ):
        assert expected in text.splitlines(), expected
    golden("detail_conv.txt", text)


@pytest.mark.parametrize("rf, expected", [
    (None, "unchanged (elementwise)"),
    ({"size": [], "jump": [], "start": [], "global": True}, "global (every output sees the whole input)"),
    ({"size": [2, 2], "jump": [1, 1], "start": [Fraction(1, 2), Fraction(-3, 2)], "global": False},
     "2×2, jump 1×1, first centre at 0.5×-1.5"),
])
def test_layer_detail_receptive_field(rf, expected):
    summary = _lenet_conv1()
    summary = dataclasses.replace(summary, layers=[dataclasses.replace(summary.layers[0], receptive_field=rf)])
    assert f"receptive field  {expected}" in render_pkg.layer_detail(summary).splitlines()


def _vgg16_features() -> Summary:
    from convlens.frontends.chain import chain_summary
    from convlens.zoo.vgg_config import layer_calls

    calls = layer_calls("vgg16")
    return chain_summary(calls, (1, 3, 224, 224), title="VGG-16 features")


def test_receptive_table_of_vgg16(golden):
    text = render_pkg.receptive_table(_vgg16_features())
    pool5 = text.splitlines()[18]
    assert pool5.split() == ["17", "MaxPool2d(2,", "2)", "(1,", "512,", "7,", "7)", "212×212", "32×32", "15.5×15.5"]
    assert receptive_mod.FORMULA in text
    golden("receptive_vgg16.txt", text)


def test_receptive_json_keeps_fractions_as_numbers():
    rows = json.loads(render_pkg.receptive_json(_vgg16_features()))
    assert rows[-1] == {"layer": "17", "type": "MaxPool2d", "output_shape": [1, 512, 7, 7],
                        "receptive_field": {"size": [212, 212], "jump": [32, 32], "start": [15.5, 15.5], "global": False}}


def test_receptive_cells():
    assert receptive_mod.cells(None) == ("-", "-", "-")
    assert receptive_mod.cells({"size": [], "jump": [], "start": [], "global": True}) == ("global", "-", "-")


def resnet_stem() -> Summary:
    """timm/torchvision ResNet stem: Conv2d(3, 64, 7, stride=2, padding=3) on 224×224."""
    x = (1, 3, 224, 224)
    return summarize("ResNet stem", "torch", x, [conv("0", x, 64, 7, pad=3, stride=2)],
                     receptive_field={"size": [7, 7], "jump": [2, 2], "start": [0, 0], "global": False})


def test_comparison_of_two_summaries(golden):
    items = [("vgg-first-blocks", vgg_block()), ("resnet-stem", resnet_stem())]
    text = render_pkg.comparison(items, "table")
    assert "  resnet-stem: 27.5× fewer parameters than vgg-first-blocks" in text.splitlines()
    assert "  parameters: 9,472 = (3×64×7×7 + 64)" in text.splitlines()
    assert "  MACs: 118,013,952 = 118,013,952 (layer 0, Conv2d)" in text.splitlines()
    assert "  training memory: not estimated" in text.splitlines()
    golden("compare_vgg_stem.txt", text)
    md = render_pkg.comparison(items, "md")
    assert md.startswith("|  | vgg-first-blocks | resnet-stem |\n|---|---:|---:|")
    assert "- resnet-stem: 27.5× fewer parameters than vgg-first-blocks" in md
    golden("compare_vgg_stem.md", md)


@pytest.mark.parametrize("items, fmt, message", [
    ([("a", vgg_block())], "table", "at least two summaries"),
    ([("a", vgg_block()), ("b", vgg_block())], "html", "valid formats: table, md"),
])
def test_comparison_refuses(items, fmt, message):
    with pytest.raises(ValueError, match=message):
        render_pkg.comparison(items, fmt)


def _macs_rows(*rows) -> Summary:
    """Rows of (name, type, MACs) only: what the MACs breakdown reads."""
    x = (1, 1, 1, 1)
    layers = [LayerRow(name, type_, 0, (x,), x, macs=macs) for name, type_, macs in rows]
    return summarize("macs", "torch", x, layers)


@pytest.mark.parametrize("rows, expected", [
    ([("features.1", "Conv2d", 30), ("features.0", "Conv2d", 50), ("relu", "ReLU", 0)],
     "80 = 50 (features.0, Conv2d) + 30 (features.1, Conv2d)"),
    ([("1", "Conv2d", 7), ("", "matmul", 3)], "10 = 7 (layer 1, Conv2d) + 3 (the model, matmul)"),
    ([("relu", "ReLU", 0)], "0 (no layer multiplies)"),
    # more than six layers: same type and MACs are one term, terms ordered by what they add up to
    ([(f"block{i}.conv", "Conv2d", 10) for i in range(5)] + [("stem", "Conv2d", 40), ("fc", "Linear", 10), ("head", "Linear", 1)],
     "101 = 5 × 10 (block0.conv and 4 more, Conv2d) + 40 (stem, Conv2d) + 10 (fc, Linear) + 1 (head, Linear)"),
    # still more than six terms: the smallest are summed as the tail
    ([(str(i), "Conv2d", 100 - i) for i in range(8)],
     "772 = 100 (layer 0, Conv2d) + 99 (layer 1, Conv2d) + 98 (layer 2, Conv2d) + 97 (layer 3, Conv2d) + 96 (layer 4, Conv2d) "
     "+ 95 (layer 5, Conv2d) + 187 (2 more layers)"),
])
def test_macs_breakdown(rows, expected):
    assert compare_mod.macs_breakdown(_macs_rows(*rows)) == expected
