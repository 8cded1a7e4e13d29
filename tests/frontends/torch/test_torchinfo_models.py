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


def _cases():
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case.known_failure, strict=True)] if case.known_failure else []
        yield pytest.param(case, marks=marks, id=case.name)


@pytest.mark.parametrize("case", list(_cases()))
def test_torchinfo_model_has_no_error_and_torchinfos_total(case):
    s = convlens.summary(case.build(), list(case.shapes), dtypes=list(case.dtypes) or None)
    assert tuple(d.code for d in s.errors) == case.errors, [d.message for d in s.errors]
    if case.torchinfo_fails:
        with pytest.raises(Exception):
            _torchinfo_total(case)
        assert s.total_params == sum(p.numel() for p in case.build().parameters())
    else:
        assert s.total_params == _torchinfo_total(case) + case.convention


def test_a_parameter_assigned_in_forward_is_counted_and_the_model_left_as_it_was():
    from .torchinfo_models import UninitializedParameterModel

    model = UninitializedParameterModel()
    for device in ("meta", "cpu"):
        s = convlens.summary(model, (2, 2), device=device)
        assert s.total_params == s.trainable_params == 128 and s.layers[0].params == 128
    assert isinstance(model.param, torch.nn.UninitializedParameter)  # still the user's uninitialised one
