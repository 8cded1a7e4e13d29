"""Every format against its golden file; JSON, CSV, HTML and Markdown specifics."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from convlens.record import Diagnostic, Summary
from convlens.render import render

from .summaries import CASES, EXT, conv, keras_cnn, residual_tutorial, summarize, vgg_block


@pytest.mark.parametrize("fmt", list(EXT))
@pytest.mark.parametrize("case", list(CASES))
def test_golden(case, fmt, golden):
    golden(f"{case}.{EXT[fmt]}", render(CASES[case](), fmt, width=100))


@pytest.mark.parametrize("name, case, options", [
    ("vgg_calculation.txt", "vgg", dict(show_calculation=True)),
    ("residual_tutorial.txt", "residual", dict(style="tutorial")),
    ("residual_tutorial.md", "residual", dict(style="tutorial")),
    ("residual_tutorial.html", "residual", dict(style="tutorial", depth=0)),
    ("residual_depth0.txt", "residual", dict(depth=0)),
    ("residual_narrow.txt", "residual", dict(width=60)),
    ("keras_tutorial.txt", "keras", dict(style="tutorial")),
    ("failed_color.txt", "failed", dict(color=True)),
])
def test_golden_options(name, case, options, golden):
    fmt = {"txt": "table", "md": "md", "html": "html"}[name.rsplit(".", 1)[1]]
    options.setdefault("width", 100)
    golden(name, render(CASES[case](), fmt, **options))


# ---------------------------------------------------------------------------------------------
# Properties of the formats
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_json_round_trip(case):
    s = CASES[case]()
    text = render(s, "json")
    assert json.loads(text) == s.to_dict()
    assert text == s.to_json()
    assert render(s, "json") == text  # stable


def test_json_fractions_are_numbers():
    d = json.loads(render(vgg_block(), "json"))
    assert d["receptive_field"]["start"] == [1.5, 1.5]
    assert d["layers"][0]["params"] == 1792


@pytest.mark.parametrize("case", list(CASES))
def test_csv_parses(case):
    s = CASES[case]()
    rows = list(csv.DictReader(io.StringIO(render(s, "csv"))))
    assert len(rows) == len(s.layers)
    assert sum(int(r["own_params"]) for r in rows) == sum(r.params for r in s.layers)
    for r, layer in zip(rows, s.layers):
        assert r["name"] == layer.name and r["type"] == layer.type


def test_csv_shapes_and_none():
    rows = list(csv.DictReader(io.StringIO(render(keras_cnn(), "csv"))))
    assert rows[0]["input_shape"] == "Nonex28x28x1" and rows[0]["output_shape"] == "Nonex28x28x75"
    rows = list(csv.DictReader(io.StringIO(render(vgg_block(), "csv"))))
    assert rows[2]["output_shape"] == "1x64x112x112"
    rows = list(csv.DictReader(io.StringIO(render(residual_tutorial(), "csv"))))
    add = next(r for r in rows if r["type"] == "add")
    assert add["input_shape"] == "1x64x14x14;1x64x14x14"


def _hostile() -> Summary:
    x = (1, 3, 8, 8)
    row = conv("<script>alert(1)</script>", x, 4, 3, pad=1)
    diag = Diagnostic("warning", "x", "a & b <b>bold</b>", fix="use \"quotes\" | pipes", layer="<script>",
                      source="m.py:3", code_line="x = '<script>'")
    return summarize("<img src=x onerror=alert(1)>", "torch", x, [row], diagnostics=[diag], notes=["<i>note</i>"])


def test_html_escapes_everything():
    text = render(_hostile(), "html")
    assert "<script>" not in text and "<img" not in text and "<b>bold" not in text and "<i>note" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert text.startswith('<div class="convlens">') and text.endswith("</div>")
    shown = _hostile()._repr_html_()  # the table, then the diagram (when Graphviz is installed)
    assert shown.startswith(text) and "<script>" not in shown and "<img" not in shown and "<b>bold" not in shown


def test_markdown_escapes_cells():
    text = render(_hostile(), "md")
    outside_code = re.sub(r"`[^`]*`", "", text)  # code spans show their text literally
    assert "<script>" not in outside_code and "<b>" not in outside_code and "<img" not in outside_code
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "use \"quotes\" \\| pipes" in text


def test_markdown_tables_have_equal_column_counts():
    for case in CASES:
        lines = [l for l in render(CASES[case](), "md").splitlines() if l.startswith("|")]
        counts = {len(l.replace("\\|", "").split("|")) for l in lines}
        assert len(counts) == 1, (case, counts)
