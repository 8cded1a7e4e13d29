"""The writers' options, number formatting and the render modules' doctests."""

from __future__ import annotations

import doctest
from fractions import Fraction

import pytest

from convlens import render as render_pkg
from convlens.render import _breakdown, _common, _flow, _format, _layers, _table, compare as compare_mod, detail as detail_mod, markdown as markdown_mod, receptive as receptive_mod, render, terminal as terminal_mod

from .summaries import vgg_block


def test_unknown_format_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown format 'xml'; valid formats: table, json, md, csv, html, diagnostics"):
        render(vgg_block(), "xml")


@pytest.mark.parametrize("options, message", [
    (dict(depth=-1), "depth must be an int >= 0"),
    (dict(depth="1"), "depth must be an int >= 0"),
    (dict(style="fancy"), "style='fancy' is not one of 'default', 'tutorial'"),
    (dict(width=5), "width must be an int >= 20"),
])
def test_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        render(vgg_block(), "table", **options)


@pytest.mark.parametrize("fn, value, expected", [
    (_format.thousands, 1_814_073_344, "1,814,073,344"),
    (_format.compact, 1_814_073_344, "1.81 G"),
    (_format.compact, 11_689_512, "11.69 M"),
    (_format.nbytes, 44_712_345, "44.7 MB"),
    (_format.shape_x, (1, 64, 112, 112), "1x64x112x112"),
    (_format.fraction, Fraction(1, 2), "1/2"),
])
def test_format(fn, value, expected):
    assert fn(value) == expected


@pytest.mark.parametrize("framework, shape, expected", [
    ("keras", (None, 28, 28, 75), "(None, 28, 28, 75)"),
    ("torch", (1, 64, 112, 112), "[1, 64, 112, 112]"),
    ("core", (1, 64, 112, 112), "[1, 64, 112, 112]"),
    ("core", (None, 10), "(None, 10)"),
])
def test_shapes_as_the_framework_prints_them(framework, shape, expected):
    assert _format.shape(shape, framework) == expected


@pytest.mark.parametrize("module", [_format, _layers, markdown_mod, _breakdown, _common, _flow, _table, terminal_mod, render_pkg,
                                    detail_mod, receptive_mod, compare_mod])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
