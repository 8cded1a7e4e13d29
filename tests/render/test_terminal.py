"""The terminal report: widths, totals, marks, diagnostics."""

from __future__ import annotations

import dataclasses

import pytest

from convlens.record import Diagnostic, LayerRow
from convlens.render import render

from .summaries import CASES, conv, empty, failed_pool, residual_tutorial, summarize, vgg_block


def test_terminal_totals_state_the_conventions():
    text = render(vgg_block(), "table", width=100)
    flat = " ".join(text.split())  # long values wrap on words at the terminal width
    assert "Total params:" in text and "260,160 (260.16 K)" in text
    assert "MACs = multiply–accumulates of conv/linear/matmul, bias excluded; FLOPs = 2×MACs + 1 per output" in flat
    assert "Total MACs:" in text and "4,710,924,288 (4.71 G)" in text
    assert "an estimate for one training step" in flat
    assert "parameters + gradients + Adam state" in flat
    assert "16×16 input pixels, jump 4×4, first output centred at (3/2, 3/2)" in flat
    assert "260,160 = (3×64×3×3 + 64) + (64×64×3×3 + 64)" in text


@pytest.mark.parametrize("width", [40, 60, 80, 100, 140])
@pytest.mark.parametrize("case", list(CASES))
def test_terminal_rows_fit_the_width(case, width):
    s = CASES[case]()
    lines = render(s, "table", width=width).splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("===="))
    end = next(i for i in range(len(lines) - 1, start, -1) if lines[i].startswith("===="))
    table = lines[start:end + 1]
    if width >= 60:  # narrower than that, the shapes themselves may not fit; rows still never wrap
        assert max(len(l) for l in table) <= width, "\n".join(table)
    # one line per row; the error lines under a failed row are indented deeper than any row here
    body = [l for l in table[3:-1] if len(l) - len(l.lstrip()) < 4]
    assert len(body) == max(1, len(s.layers))


def test_terminal_keeps_the_type_when_shortening_names():
    rows = [conv("encoder.stage4.block2.downsample.projection", (1, 3, 8, 8), 4, 1)]
    s = summarize("long names", "torch", (1, 3, 8, 8), rows)
    line = next(l for l in render(s, "table", width=72).splitlines() if "(Conv2d)" in l)
    assert "…" in line and line.startswith("encoder.") and len(line) <= 72


def test_terminal_depth_changes_rows_not_totals():
    full = render(residual_tutorial(), "table", width=100)
    top = render(residual_tutorial(), "table", width=100, depth=0)
    assert "resblock1.conv1" in full and "resblock1.conv1" not in top
    pick = lambda t: [l for l in t.splitlines() if l.startswith(("Total", "Trainable"))]  # noqa: E731
    assert pick(full) == pick(top)
    # the container shows its subtree's parameters: 2,112 + 18,496 + 36,928
    line = next(l for l in top.splitlines() if l.startswith("resblock1 (ResidualBlock)"))
    assert "57,536" in line


def test_terminal_marks_repeats_failures_and_unused():
    text = render(residual_tutorial(), "table", width=100)
    assert "↻ pool (MaxPool2d)" in text and "(shared)" not in text  # nothing to share in a pool
    assert "fc1 (Linear)" in text and "FAILED" in text
    assert "✗ mat1 and mat2 shapes cannot be multiplied (1x1152 and 6272x512)" in text
    assert "Unused parameters:" in text and "fc2.weight, fc2.bias" in text
    assert "ERROR [linear-in-features] fc1 at tutorial.py:38" in text
    assert "38 | self.fc1 = nn.Linear(128 * 7 * 7, 512)" in text
    assert "fix: self.fc1 = nn.Linear(128 * 3 * 3, 512)" in text


def test_terminal_marks_shared_parameters():
    x = (1, 8, 8, 8)
    first = conv("conv", x, 8, 3, pad=1)
    again = LayerRow("conv", "Conv2d", 0, (x,), x, macs=first.macs, flops=first.flops, repeated=True)
    text = render(summarize("shared", "torch", x, [first, again]), "table", width=100)
    line = next(l for l in text.splitlines() if l.startswith("↻ conv (Conv2d)"))
    assert "(shared)" in line and f"{first.macs:,}" in line


def test_row_warnings_print_once():
    s = residual_tutorial()
    warning = "MaxPool2d: the floor drops the last input row and column (7 → 3)"
    for fmt in ("table", "md", "html"):
        assert render(s, fmt, width=100).count(warning) == 1, fmt
    s = dataclasses.replace(s, diagnostics=s.diagnostics + (Diagnostic("warning", "layer-warning", warning, layer="pool"),))
    for fmt in ("table", "md", "html"):  # now in the diagnostics section, not under the row
        text = render(s, fmt, width=100)
        assert text.count(warning) == 1 and text.index(warning) > text.index("Diagnostics"), fmt


def test_diagnostics_format():
    text = render(residual_tutorial(), "diagnostics", width=100)
    assert text.startswith("Diagnostics: 1 error") and "fix: self.fc1 = nn.Linear(128 * 3 * 3, 512)" in text
    assert "Total params" not in text
    assert render(vgg_block(), "diagnostics") == (
        "No problems found in VGG first two stages (reference 004) on input [1, 3, 224, 224].")
    s = dataclasses.replace(failed_pool(), diagnostics=())
    assert render(s, "diagnostics", width=100) == (
        "✗ pool4 (MaxPool2d): MaxPool2d 'pool4': kernel 2 > input 1×1; the input must be at least 2×2")


def test_terminal_with_no_layers():
    text = render(empty(), "table", width=80)
    assert "(no layers)" in text and "Total params:" in text
    assert "\x1b[" not in text


def test_color_only_on_request():
    assert "\x1b[" not in render(failed_pool(), "table", width=100)
    assert "\x1b[31m" in render(failed_pool(), "table", width=100, color=True)


def test_str_uses_the_terminal_renderer():
    assert "Total params:" in str(vgg_block())
