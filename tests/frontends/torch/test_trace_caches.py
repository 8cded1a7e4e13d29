"""What the trace remembers so that it is fast (issue 20) never changes what it reports.

* ``ops``: equal modules share one core layer, built once in the process; arguments that differ
  only in type (``1``, ``1.0``, ``True``) are not equal; an argument of another kind is never shared;
  a module the core refuses leaves nothing behind.
* ``_source.user_frame``: a model file edited and imported again shows its new line.
* ``ModelTree`` is checked against PyTorch's own walks around every summary the suite makes
  (``tests/conftest.py``); here the shared and tied cases, where the walks differ most.
"""

from __future__ import annotations

import dataclasses
import importlib
import linecache
import sys

import pytest
import torch.nn as nn

import convlens
from convlens.frontends.torch import ops

from .snapshot import assert_tree_is_pytorchs


def test_equal_modules_share_one_core_layer_and_unequal_ones_do_not():
    a, b = ops.core_layer(nn.Conv2d(8, 16, 3, padding=1)), ops.core_layer(nn.Conv2d(8, 16, 3, padding=1))
    assert a is b
    assert ops.core_layer(nn.Conv2d(8, 16, 3, padding=2)) is not a
    assert ops.core_layer(nn.Conv2d(8, 16, 3, padding=1, bias=False)) is not a


@pytest.mark.parametrize("values", [(1, 1.0), (1, True), (0.1, 0.1000000001), ((1, 2), (1.0, 2)), ("1", 1), (None, 0)])
def test_values_equal_in_python_but_not_in_print_have_different_keys(values):
    x, y = values
    assert ops._values_key((x,)) != ops._values_key((y,))


def test_an_argument_of_another_kind_is_not_shared():
    class Odd(nn.BatchNorm2d):
        pass

    m = nn.BatchNorm2d(4)
    m.eps = [1e-5]  # a list: no key; the core layer is built (or refused) for this module alone
    assert ops._values_key((m.eps,)) is None
    assert ops.core_layer(m) is not ops.core_layer(m) or ops.core_layer(m) is None


def test_a_module_the_core_refuses_leaves_nothing_cached():
    bad = nn.Conv2d(4, 8, 3)
    bad.groups = 3  # 4 channels do not split into 3 groups
    before = dict(ops._BUILT)
    assert ops.core_layer(bad) is None
    assert ops._BUILT == before
    bad.groups = 1
    assert ops.core_layer(bad) is not None


def test_the_layer_key_of_a_shared_layer_is_its_own():
    layer = ops.core_layer(nn.Conv2d(3, 5, 3))
    rebuilt = type(layer)(**{f.name: getattr(layer, f.name) for f in dataclasses.fields(layer) if f.init})
    assert rebuilt is not layer and ops.layer_key(rebuilt) == ops.layer_key(layer)
    assert ops.layer_key(layer) != ops.layer_key(ops.core_layer(nn.Conv2d(3, 5, 5)))


def test_an_edited_model_file_shows_its_new_line(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "edited_model.py"

    def load(text):
        path.write_text("from convlens.frontends.torch._source import user_frame\n"
                        f"def where():\n    return user_frame(1)  # {text}\n")
        sys.modules.pop("edited_model", None)
        importlib.invalidate_caches()
        linecache.checkcache(str(path))
        return importlib.import_module("edited_model").where()

    first = load("before")
    second = load("after the edit")
    assert first[0].endswith("edited_model.py:3") and second[0] == first[0]
    assert first[1].endswith("# before") and second[1].endswith("# after the edit")


def test_model_tree_of_shared_and_tied_modules_is_pytorchs():
    lin = nn.Linear(4, 4)
    inner = nn.Sequential(lin, nn.ReLU(), lin)
    model = nn.Sequential(inner, inner, nn.Linear(4, 4))
    model[2].weight = lin.weight  # tied
    assert_tree_is_pytorchs(model)
    s = convlens.summary(model, input_size=(2, 4))
    assert any("shared" in n for n in s.notes)
