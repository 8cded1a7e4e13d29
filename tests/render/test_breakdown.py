"""The parameter total written out as the tutorials write it (``render._breakdown``)."""

from __future__ import annotations

import dataclasses

import pytest

from convlens.record import Summary
from convlens.render import _layers, breakdown

from .summaries import CASES, conv, summarize, vgg_block


def test_breakdown_reproduces_the_tutorial():
    assert breakdown(vgg_block()) == (
        "260,160 = (3×64×3×3 + 64) + (64×64×3×3 + 64) + (64×128×3×3 + 128) + (128×128×3×3 + 128)"
    )


@pytest.mark.parametrize("case, expected", [
    ("keras", "654,968 = (1×75×3×3 + 75) + (75×32×3×3 + 32) + (32 + 32 + 32 + 32) + (32×128×3×3 + 128)"
              " + (1152×512 + 512) + (512×10 + 10)"),
    ("empty", "0 (no layer has weights)"),
    ("residual", "3,504,522 = (1×32×3×3 + 32) + (32×64×1×1 + 64) + (32×64×3×3 + 64) + (64×64×3×3 + 64)"
                 " + (64×128×1×1 + 128) + (64×128×3×3 + 128) + (128×128×3×3 + 128) + (6272×512 + 512)"
                 " + 5,130 (not owned by any listed row)"),
])
def test_breakdown_cases(case, expected):
    s = CASES[case]()
    assert breakdown(s) == expected
    if s.layers and s.total_params:  # the written sum is the total
        terms = expected.split(" = ", 1)[1].replace("×", "*").replace(",", "").replace(" (not owned by any listed row)", "")
        assert eval(terms) == s.total_params  # noqa: S307 - our own arithmetic string


def _resnet_like(n_blocks: int) -> Summary:
    x = (1, 64, 56, 56)
    rows = [conv("stem", (1, 3, 56, 56), 64, 7, pad=3, bias=False)]
    for i in range(n_blocks):
        rows.append(conv(f"b{i}.conv1", x, 64, 3, pad=1, depth=1))
        rows.append(conv(f"b{i}.conv2", x, 64, 3, pad=1, depth=1))
    return summarize("resnet-like", "torch", (1, 3, 56, 56), rows)


def test_breakdown_groups_identical_terms_above_twelve():
    s = _resnet_like(8)  # 17 rows with weights
    assert breakdown(s) == f"{s.total_params:,} = 3×64×7×7 + 16 × (64×64×3×3 + 64)"


def test_breakdown_cuts_a_long_tail():
    x = (1, 8, 8, 8)
    rows = [conv(f"c{c}", (1, c, 8, 8), c + 1, 1) for c in range(1, 31)]  # 30 different terms
    s = summarize("wide", "torch", x, rows)
    text = breakdown(s)
    assert text.startswith(f"{s.total_params:,} = (1×2×1×1 + 2) + (2×3×1×1 + 3) + ")
    assert text.endswith(" + (11×12×1×1 + 12) + … (19 more terms)")
    assert text.count(" + (") == 10  # the joins between the 11 terms shown


def test_breakdown_states_parameters_outside_the_rows():
    s = vgg_block()
    s = dataclasses.replace(s, total_params=s.total_params + 100)  # e.g. a cls_token registered on the model, used functionally
    assert breakdown(s).endswith(" + 100 (not owned by any listed row)")


@pytest.mark.parametrize("dims, type_, expected", [
    ((64, 3, 3, 3), "Conv2d", (3, 64, 3, 3)),
    ((3, 3, 3, 64), "Conv2D", (3, 64, 3, 3)),
    ((64, 32, 4, 4), "ConvTranspose2d", (64, 32, 4, 4)),
    ((4, 4, 32, 64), "Conv2DTranspose", (64, 32, 4, 4)),
    ((512, 1152), "Linear", (1152, 512)),
    ((1152, 512), "Dense", (1152, 512)),
    ((10, 20), "Embedding", (10, 20)),
    ((64,), "BatchNorm2d", (64,)),
])
def test_weights_read_in_tutorial_order(dims, type_, expected):
    assert _layers.tutorial_order(dims, type_) == expected
