"""The tutorial view's "what it does" phrases (``render._flow``)."""

from __future__ import annotations


import pytest

from convlens.record import LayerRow, WeightInfo
from convlens.render import _flow, render

from .summaries import residual_tutorial


def _row(type_, x, out, weights=(), inputs=None):
    return LayerRow("r", type_, 0, inputs or (x,), out, tuple(WeightInfo("weight", w) for w in weights))


@pytest.mark.parametrize("framework, row, expected", [
    ("torch", _row("MaxPool2d", (1, 32, 28, 28), (1, 32, 14, 14)), "halves H and W: 28→14"),
    ("torch", _row("MaxPool2d", (1, 128, 7, 7), (1, 128, 3, 3)), "halves H and W: 7→3"),
    ("torch", _row("Conv2d", (1, 32, 14, 14), (1, 64, 14, 14), [(64, 32, 3, 3)]), "channels 32→64, size kept"),
    ("torch", _row("Conv2d", (1, 64, 56, 56), (1, 64, 56, 56), [(64, 64, 3, 3)]), "channels 64→64, size kept"),
    ("torch", _row("Conv2d", (1, 1, 28, 28), (1, 32, 26, 26), [(32, 1, 3, 3)]), "size 28→26 (3×3 kernel, no padding); channels 1→32"),
    ("torch", _row("Conv2d", (1, 1, 28, 28), (1, 1, 26, 26)), "size 28→26 (3×3 kernel, no padding)"),
    ("torch", _row("Conv2d", (1, 8, 28, 28), (1, 8, 26, 26), [(8, 8, 5, 5)]), "size 28→26 (5×5 kernel, padding 1)"),
    ("torch", _row("MaxPool2d", (1, 8, 28, 28), (1, 8, 26, 26)), "size 28→26 (3×3 window, no padding)"),
    ("torch", _row("Conv2d", (1, 3, 224, 224), (1, 64, 112, 112), [(64, 3, 7, 7)]), "halves H and W: 224→112; channels 3→64"),
    ("torch", _row("Conv2d", (1, 3, 224, 224), (1, 64, 55, 55), [(64, 3, 11, 11)]), "size 224→55 (11×11 kernel); channels 3→64"),
    ("torch", _row("Conv2d", (1, 3, 224, 224), (1, 96, 56, 56), [(96, 3, 4, 4)]), "divides H and W by 4: 224→56; channels 3→96"),
    ("torch", _row("Upsample", (1, 8, 14, 14), (1, 8, 28, 28)), "doubles H and W: 14→28"),
    ("torch", _row("AdaptiveAvgPool2d", (1, 512, 7, 7), (1, 512, 1, 1)), "pools H and W to 1: 7→1"),
    ("torch", _row("MaxPool2d", (1, 8, 28, 20), (1, 8, 14, 10)), "halves H and W: 28×20→14×10"),
    ("torch", _row("MaxPool1d", (1, 8, 100), (1, 8, 50)), "halves L: 100→50"),
    ("torch", _row("flatten", (1, 128, 3, 3), (1, 1152)), "flattens 128×3×3 → 1,152"),
    ("keras", _row("Flatten", (None, 3, 3, 128), (None, 1152)), "flattens 3×3×128 → 1,152"),
    ("keras", _row("GlobalAveragePooling2D", (None, 7, 7, 512), (None, 512)), "pools each channel's 7×7 to 1: 512 features"),
    ("keras", _row("Conv2D", (None, 28, 28, 1), (None, 26, 26, 32), [(3, 3, 1, 32)]), "size 28→26 (3×3 kernel, no padding); channels 1→32"),
    ("torch", _row("Linear", (1, 1152), (1, 512)), "features 1,152→512"),
    ("torch", _row("Linear", (1, 512), (1, 512)), "features 512→512"),
    ("torch", _row("ReLU", (1, 64, 56, 56), (1, 64, 56, 56)), "non-linearity, shape kept"),
    ("torch", _row("BatchNorm2d", (1, 64, 56, 56), (1, 64, 56, 56)), "normalises, shape kept"),
    ("keras", _row("Dropout", (None, 512), (None, 512)), "drops units in training, shape kept"),
    ("torch", _row("add", (1, 64, 14, 14), (1, 64, 14, 14), inputs=((1, 64, 14, 14),) * 2), "adds 2 inputs, shape kept"),
    ("torch", _row("cat", (1, 64, 14, 14), (1, 96, 14, 14), inputs=((1, 64, 14, 14), (1, 32, 14, 14))), "concatenates 2 inputs: channels 64+32→96"),
    ("torch", _row("view", (1, 6272), (1, 128, 7, 7)), "reshapes 6272 → 128×7×7"),
    ("torch", _row("MysteryOp", (1, 3, 8, 8), (1, 3, 8, 8)), "shape kept"),
    ("torch", LayerRow("fc1", "Linear", 0, ((1, 1152),), None, failed="mat1 and mat2 shapes cannot be multiplied"),
     "failed: mat1 and mat2 shapes cannot be multiplied"),
])
def test_tutorial_phrases(framework, row, expected):
    assert _flow.describe(row, framework) == expected


def test_tutorial_view_of_the_residual_network():
    text = render(residual_tutorial(), "table", style="tutorial", width=120)
    for phrase in (
        "channels 1→32, size kept", "halves H and W: 28→14", "channels 32→64, size kept",
        "halves H and W: 14→7", "channels 64→128, size kept", "halves H and W: 7→3",
        "flattens 128×3×3 → 1,152", "adds 2 inputs, shape kept",
        "✗ failed: see below", "✗ mat1 and mat2 shapes cannot be multiplied (1x1152 and 6272x512)",
    ):
        assert phrase in text, phrase


def test_tutorial_view_at_depth_0_groups_the_residual_blocks():
    text = render(residual_tutorial(), "table", style="tutorial", depth=0, width=120)
    assert "resblock1 (ResidualBlock)" in text and "resblock1.conv1" not in text
    assert "12 rows below depth 1 are hidden; containers and totals include them." in text  # the user's numbering (--depth 1)
