"""The one serialiser of the record (``convlens.record.serialize``), checked against an independent
reading of the record: ``dataclasses.asdict`` with the conventions the serialiser states."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

import pytest

import convlens.design as design
from convlens.record import Severity, WeightInfo, weight_totals
from convlens.record.serialize import number, plain, summary_dict
from convlens.render import jsonout

EXAMPLES = Path(design.__file__).with_name("examples")


def _oracle(summary) -> dict:
    """What the serialiser must give, by another road: asdict's deep copy, cleaned."""
    def clean(obj):
        if isinstance(obj, Fraction):
            return obj.numerator if obj.denominator == 1 else obj.numerator / obj.denominator
        if isinstance(obj, StrEnum):
            return str(obj.value)
        if isinstance(obj, dict):
            return {k: clean(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [clean(v) for v in obj]
        return obj

    d = clean(dataclasses.asdict(summary))
    for row, source in zip(d["layers"], summary.layers):
        row["params"] = sum(w.numel for w in source.weights)
        if not source.connected_to:
            del row["connected_to"]
    if summary.memory is not None:
        d["memory"]["total"] = sum(v for k, v in d["memory"].items() if isinstance(v, int))
    return d


@pytest.mark.parametrize("name", ["residual-cnn", "residual-cnn-as-written", "keras-cnn", "inception", "mobilenet-inverted-residual"])
def test_the_record_becomes_the_same_plain_data_as_asdict_gives(name):
    s = design.summary(EXAMPLES / f"{name}.yaml")
    d = summary_dict(s)
    assert d == _oracle(s) == s.to_dict()
    assert json.loads(jsonout.render(s)) == d  # the JSON writer prints that dictionary


def test_a_keras_graph_keeps_its_connections():
    keras = pytest.importorskip("keras")
    import convlens

    inputs = keras.Input(shape=(8, 8, 3), batch_size=1)
    a = keras.layers.Conv2D(4, 3, padding="same", name="a")(inputs)
    b = keras.layers.Conv2D(4, 1, name="b")(inputs)
    s = convlens.summary(keras.Model(inputs, keras.layers.Add(name="add")([a, b])))
    d = summary_dict(s)
    assert [r["connected_to"] for r in d["layers"] if r["name"] == "add"] == [["a", "b"]]
    assert d == _oracle(s)


def test_fractions_become_numbers_and_only_fractions():
    assert [number(x) for x in (Fraction(6, 3), Fraction(-3, 2), 3, 3.0, 0.1)] == [2, -1.5, 3, 3.0, 0.1]
    assert type(number(Fraction(6, 3))) is int and type(number(3.0)) is float  # a whole float stays a float (momentum 1.0)
    assert plain((Severity.WARNING, [Fraction(1, 4)], {"k": (1, None)})) == ["warning", [0.25], {"k": [1, None]}]


def test_weight_totals_count_trainable_and_bytes_per_dtype():
    weights = [WeightInfo("gamma", (32,)), WeightInfo("moving_mean", (32,), trainable=False, dtype_bytes=2)]
    buffers = [WeightInfo("running_var", (8,), trainable=False, dtype_bytes=8)]
    assert weight_totals(weights, buffers) == {"total_params": 64, "trainable_params": 32, "non_trainable_params": 32,
                                               "buffers": 8, "param_bytes": 32 * 4 + 32 * 2, "buffer_bytes": 64}
    assert weight_totals([], []) == dict.fromkeys(("total_params", "trainable_params", "non_trainable_params", "buffers", "param_bytes", "buffer_bytes"), 0)
