"""torchinfo's own test-suite models (our versions, ``torchinfo_models.py``): no error diagnostic; the total
parameters torchinfo 1.8.0's ``summary(...).total_params`` gives, computed here; and total MACs equal to half
of FlopCounterMode's FLOPs on a real forward of the same input."""

from __future__ import annotations

import warnings

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import convlens

from .torchinfo_models import CASES

torchinfo = pytest.importorskip("torchinfo")


def _torchinfo_total(case):
    if case.torchinfo_call is not None:
        return case.torchinfo_call(torchinfo.summary, case.build()).total_params
    return torchinfo.summary(case.build(), input_data=case.inputs(), verbose=0, device="cpu").total_params


def _summary(case):
    return convlens.summary(case.build(), input_data=case.inputs())


def _flop_counter_macs(case):
    """Half of FlopCounterMode's FLOPs on a real CPU forward. oneDNN off: its fused LSTM layer is one operation
    FlopCounterMode does not count; without it nn.LSTM runs as the matrix products it does count."""
    model, data = case.build(), case.inputs()
    with warnings.catch_warnings(), torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as fc:
        warnings.simplefilter("ignore")
        model(**data) if isinstance(data, dict) else model(*data)
    return fc.get_total_flops() // 2


def _cases():
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case.known_failure, strict=True)] if case.known_failure else []
        yield pytest.param(case, marks=marks, id=case.name)


@pytest.mark.parametrize("case", list(_cases()))
def test_torchinfo_model_has_no_error_and_torchinfos_total(case):
    s = _summary(case)
    assert tuple(d.code for d in s.errors) == case.errors, [d.message for d in s.errors]
    if case.torchinfo_fails:
        with pytest.raises(Exception):
            _torchinfo_total(case)
        assert s.total_params == sum(p.numel() for p in case.build().parameters())
    else:
        assert s.total_params == _torchinfo_total(case) + case.convention


@pytest.mark.parametrize("case", list(_cases()))
def test_torchinfo_model_macs_are_half_of_flop_counters_flops(case):
    s = _summary(case)
    if case.macs is not None:  # a bug convlens repairs: its count of the repaired model (see the case)
        try:
            real = _flop_counter_macs(case)
        except RuntimeError:  # the real forward stops at the bug
            real = None
        assert s.total_macs == case.macs != real
    else:
        assert s.total_macs == _flop_counter_macs(case)


def test_a_parameter_assigned_in_forward_is_counted_and_the_model_left_as_it_was():
    from .torchinfo_models import UninitializedParameterModel

    model = UninitializedParameterModel()
    for device in ("meta", "cpu"):
        s = convlens.summary(model, (2, 2), device=device)
        assert s.total_params == s.trainable_params == 128 and s.layers[0].params == 128
    assert isinstance(model.param, torch.nn.UninitializedParameter)  # still the user's uninitialised one


@pytest.mark.parametrize("name", ["DictParameter", "EdgecaseInputOutputModel", "NumpyModel", "EmptyModule"])
def test_a_model_without_a_tensor_argument_says_which_device_ran_it(name):
    """The note comes from the device the trace ran on, not from the inputs: these take a dict of ints, a numpy
    array, an empty dict or nothing, so no argument is a tensor to tell."""
    case = next(c for c in CASES if c.name == name)
    on_cpu = convlens.summary(torch.nn.Linear(1, 1), (1, 1), device="cpu").notes[-1]
    on_meta = convlens.summary(torch.nn.Linear(1, 1), (1, 1)).notes[-1]
    assert convlens.summary(case.build(), input_data=case.inputs(), device="cpu").notes[-1] == on_cpu != on_meta


def test_tensors_inside_a_dict_argument_are_the_summarys_inputs():
    x = {256: torch.randn(10, 1), 512: [torch.randn(10, 1)]}
    s = convlens.summary(next(c for c in CASES if c.name == "DictParameter").build(), input_data={"x": x, "scale_factor": 5})
    assert s.input_shapes == ((10, 1), (10, 1))
