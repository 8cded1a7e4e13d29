"""The one builder: a row filled in step by step becomes a frozen row; the record carries output names."""

from __future__ import annotations

import dataclasses

import pytest

from convlens.frontends.build import RowDraft, assemble
from convlens.record import LayerRow, RowKind, WeightInfo


def test_a_draft_row_is_filled_in_then_frozen():
    draft = RowDraft(name="conv", type="Conv2d", depth=0, input_shapes=((1, 1, 28, 28),), output_shape=None, kind="module")
    draft.output_shape = (1, 20, 28, 28)
    draft.macs += 392_000
    draft.weights = (WeightInfo("weight", (20, 1, 5, 5)),)
    row = draft.freeze()
    assert isinstance(row, LayerRow) and row.kind is RowKind.MODULE
    assert (row.output_shape, row.macs, row.params, row.flops) == ((1, 20, 28, 28), 392_000, 500, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.macs = 0


@pytest.mark.parametrize("values, message", [
    (dict(type="Conv2d", depth=0, input_shapes=(), output_shape=None), "needs 'name'"),
    (dict(name="a", type="Conv2d", depth=0, input_shapes=(), output_shape=None, colour="red"), r"unknown fields \['colour'\]"),
])
def test_a_draft_names_what_is_missing_or_unknown(values, message):
    with pytest.raises(TypeError, match=message):
        RowDraft(**values)


def test_assemble_keeps_output_names_and_totals_given():
    row = LayerRow("fc", "Linear", 0, ((2, 4),), (2, 3), (WeightInfo("weight", (3, 4)),), macs=24, flops=48)
    s = assemble(title="t", framework="torch", input_shapes=[(2, 4)], output_shapes=[(2, 3)], rows=[row],
                 output_names=["logits"], totals={"total_params": 99})
    assert s.output_names == ("logits",) and s.total_params == 99 and s.trainable_params == 12 and s.total_flops == 48
