"""torchinfo's own test-suite models (our versions, ``torchinfo_models.py``): no error diagnostic, and
the total parameters torchinfo 1.8.0's ``summary(...).total_params`` gives, computed here."""

from __future__ import annotations

import pytest
import torch

import convlens

from .torchinfo_models import CASES

torchinfo = pytest.importorskip("torchinfo")


def _torchinfo_total(case):
    data = [torch.zeros(s, dtype=dt) if not dt.is_floating_point else torch.randn(s)
            for s, dt in zip(case.shapes, case.dtypes or (torch.float32,) * len(case.shapes))]
    return torchinfo.summary(case.build(), input_data=data, verbose=0, device="cpu").total_params


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_torchinfo_model_has_no_error_and_torchinfos_total(case):
    s = convlens.summary(case.build(), list(case.shapes), dtypes=list(case.dtypes) or None)
    assert tuple(d.code for d in s.errors) == case.errors, [d.message for d in s.errors]
    assert s.total_params == _torchinfo_total(case)


def test_a_parameter_assigned_in_forward_is_counted_and_the_model_left_as_it_was():
    from .torchinfo_models import UninitializedParameterModel

    model = UninitializedParameterModel()
    for device in ("meta", "cpu"):
        s = convlens.summary(model, (2, 2), device=device)
        assert s.total_params == s.trainable_params == 128 and s.layers[0].params == 128
    assert isinstance(model.param, torch.nn.UninitializedParameter)  # still the user's uninitialised one
