"""The Inside view's formula lines (render/unit.py): the numbers as written add up to the value written."""

from __future__ import annotations

import doctest

import pytest

from convlens.render import unit


def test_doctests():
    assert doctest.testmod(unit).failed == 0


@pytest.mark.parametrize("v, text", [(0.0, "0"), (-0.5, "−0.5"), (1234.5678, "1235"), (1e-7, "1e−07"), (None, "padding")])
def test_number(v, text):
    assert unit.number(v) == text


@pytest.mark.parametrize("channels, bias", [(1, None), (3, -0.75), (20, 0.125)])
def test_conv_lines_one_per_channel_then_the_total(channels, bias):
    window = [[[0.5 * (c + 1), -1.0], [0.0, 2.0]] for c in range(channels)]
    kernel = [[[1.0, 0.25], [3.0, -0.5]] for _ in range(channels)]
    sums = [0.5 * (c + 1) - 0.25 - 1.0 for c in range(channels)]
    value = sum(sums) + (bias or 0.0)
    lines = unit.conv_lines(window, kernel, bias, value, first_channel=4)
    assert len(lines) == channels + 1
    assert lines[0].startswith("channel 4: 0.5·1 + (−1)·0.25 + 0·3 + 2·(−0.5) = ")
    assert lines[-1].endswith(f"= {unit.number(value)}")
    assert ("+ bias" in lines[-1]) == (bias is not None) and ("(no bias)" in lines[-1]) == (bias is None)
    if channels > 16:  # many channels: their sum in one term instead of twenty
        assert f"({channels} channel sums)" in lines[-1]


def test_pool_and_linear_lines():
    assert unit.pool_lines([[1.0, 4.0], [2.0, 3.0]], 2.5, kind="avgpool")[0].startswith("value = (1 + 4 + 2 + 3) / 4 = 2.5")
    contributions = [(i, 1.0, 0.1 * (10 - i), 0.1 * (10 - i)) for i in range(10)]
    line = unit.linear_lines(contributions, 0.5, 6.0, shown=3)[0]
    assert "x[0]·w[0]" in line and "x[3]" not in line and "7 more" in line and line.endswith("+ bias 0.5 = 6")
