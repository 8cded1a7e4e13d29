"""The conventions ``core/window.py`` and ``Layer`` hold once, checked against real PyTorch (and
exhaustively against the claims their docstrings make)."""

from __future__ import annotations

import pytest
import torch

from convlens.core import LAYERS, layer
from convlens.core.keras_conventions import keras_same_padding
from convlens.core.window import (
    axis_letters, effective_kernel, keras_transposed_out_size, same_pads_statically, transposed_out_size,
)

torch.set_num_threads(1)


@pytest.mark.parametrize("k, d", [(1, 1), (3, 1), (3, 2), (2, 3), (5, 4), (4, 2)])
def test_the_effective_kernel_is_the_smallest_input_pytorch_accepts(k, d):
    conv = torch.nn.Conv1d(1, 1, k, dilation=d)
    e = effective_kernel(k, d)
    assert conv(torch.zeros(1, 1, e)).shape[-1] == 1
    with pytest.raises(RuntimeError):
        conv(torch.zeros(1, 1, e - 1))


@pytest.mark.parametrize("size, k, s, p, d, op", [
    (7, 3, 2, 1, 1, 1), (7, 4, 2, 1, 1, 0), (5, 3, 1, 0, 2, 0), (1, 5, 3, 2, 1, 2), (4, 2, 3, 0, 2, 1), (9, 1, 2, 0, 1, 0),
])
def test_the_transposed_output_size_is_pytorchs(size, k, s, p, d, op):
    conv = torch.nn.ConvTranspose1d(1, 1, k, stride=s, padding=p, output_padding=op, dilation=d)
    assert transposed_out_size(size, k, s, p, d, op) == conv(torch.zeros(1, 1, size)).shape[-1]


def test_keras_transposed_output_size_follows_its_two_rules():
    # 'same' without output_padding: exactly in·stride, whatever the kernel
    assert {keras_transposed_out_size(7, k, 2, 1, "same", None) for k in range(1, 8)} == {14}
    # 'valid' without output_padding: never smaller than (in − 1)·stride + max(k', stride)
    assert keras_transposed_out_size(7, 2, 3, 1, "valid", None) == 6 * 3 + 3
    assert keras_transposed_out_size(7, 3, 2, 2, "valid", None) == 6 * 2 + 5


def test_same_pads_statically_exactly_when_keras_pads_one_symmetric_amount_for_every_size():
    for k in range(1, 8):
        for s in range(1, 4):
            for d in range(1, 4):
                pads = {keras_same_padding(size, k, s, d) for size in range(1, 41)}
                static = len(pads) == 1 and len({*next(iter(pads))}) == 1
                assert same_pads_statically(k, s, d) == static, (k, s, d, pads)


def test_axis_letters_name_pytorchs_dimensions():
    assert [axis_letters(n) for n in (1, 2, 3)] == ["L", "HW", "DHW"]


# the PyTorch layers that take an argument from their input, and the (input, argument) a real module accepts
FROM_INPUT = {
    "Conv1d": ((2, 3, 9), dict(out_channels=4, kernel_size=3)), "Conv2d": ((2, 3, 9, 9), dict(out_channels=4, kernel_size=3)),
    "Conv3d": ((2, 3, 5, 5, 5), dict(out_channels=4, kernel_size=3)),
    "ConvTranspose1d": ((2, 3, 9), dict(out_channels=4, kernel_size=3)), "ConvTranspose2d": ((2, 3, 9, 9), dict(out_channels=4, kernel_size=3)),
    "ConvTranspose3d": ((2, 3, 5, 5, 5), dict(out_channels=4, kernel_size=3)),
    "Linear": ((2, 5, 7), dict(out_features=4)),
    "BatchNorm1d": ((2, 3, 9), {}), "BatchNorm2d": ((2, 3, 9, 9), {}), "BatchNorm3d": ((2, 3, 5, 5, 5), {}),
    "InstanceNorm1d": ((2, 3, 9), dict(affine=True)), "InstanceNorm2d": ((2, 3, 9, 9), dict(affine=True)),
    "InstanceNorm3d": ((2, 3, 5, 5, 5), dict(affine=True)),
}


def test_the_layers_that_take_an_argument_from_the_input_are_declared():
    assert {name for name, cls in LAYERS.items() if cls.taken_from_input} == set(FROM_INPUT)


@pytest.mark.parametrize("name", sorted(FROM_INPUT))
def test_the_declared_input_dimension_is_the_one_pytorch_checks(name):
    shape, kwargs = FROM_INPUT[name]
    ((argument, dim),) = LAYERS[name].taken_from_input.items()
    value = shape[dim]
    module = getattr(torch.nn, name)(**{argument: value}, **kwargs).eval()
    module(torch.zeros(shape))  # the value from the declared dimension fits
    with pytest.raises((RuntimeError, ValueError)):  # InstanceNorm raises a ValueError
        getattr(torch.nn, name)(**{argument: value + 1}, **kwargs).eval()(torch.zeros(shape))
    # the core fills it in the same way when the layer leaves it out
    core = layer(name, **kwargs)
    assert core.arguments(input_shape=shape)[argument] == value
    assert core.evaluate(shape).output_shape == tuple(module(torch.zeros(shape)).shape)


def test_arguments_are_the_non_default_ones_in_the_frameworks_order():
    conv = layer("Conv2d", 1, 20, 5, padding=2, stride=(1, 1))
    assert conv.arguments() == {"in_channels": 1, "out_channels": 20, "kernel_size": 5, "stride": (1, 1), "padding": 2}
    plain = conv.arguments(plain=lambda v: v[0] if isinstance(v, tuple) and len(set(v)) == 1 else v)
    assert plain == {"in_channels": 1, "out_channels": 20, "kernel_size": 5, "padding": 2}  # (1, 1) reads as the default 1
    assert layer("Linear", out_features=10).arguments(input_shape=(4, 128)) == {"in_features": 128, "out_features": 10}
    assert layer("Linear", 64, 10).arguments(input_shape=(4, 128)) == {"in_features": 64, "out_features": 10}  # given: kept as written
    assert conv.code() == "Conv2d(in_channels=1, out_channels=20, kernel_size=5, stride=(1, 1), padding=2)"
