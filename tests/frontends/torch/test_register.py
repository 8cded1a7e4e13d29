"""Teaching convlens a custom module or function (``frontends.torch.ops.register``).

A user's own convolution (its own weight, ``F.conv2d`` in its forward) is one unmapped container
with a function row inside until it is registered; then it is one layer: its row has the core
layer's code and worked calculation, the parameters PyTorch counts and the MACs PyTorch's own
FLOP counter counts (``torch.utils.flop_counter``), and the ``torch.fx`` walk stops at it.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

import convlens
from convlens import core
from convlens.frontends.torch import ops
from convlens.frontends.torch.walk import walk


class MyConv(nn.Module):
    """A 'same' 3×3 convolution written by hand: its own weight, F.conv2d in forward."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.cin, self.cout, self.stride = cin, cout, stride
        self.weight = nn.Parameter(torch.randn(cout, cin, 3, 3))
        self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, stride=self.stride, padding=1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = MyConv(3, 16, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.pool(torch.relu(self.stem(x))).flatten(1))


def my_conv(module):
    return core.layer("Conv2d", module.cin, module.cout, 3, stride=module.stride, padding=1)


@pytest.fixture
def registered():
    ops.register(MyConv, my_conv)
    yield
    ops.unregister(MyConv)


def pytorch_macs(module, x):
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2


@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_a_registered_module_is_one_layer_with_the_real_shape_params_and_macs(registered, device):
    model = Net()
    x = torch.randn(2, 3, 32, 30)
    s = convlens.summary(model, input_size=tuple(x.shape), device=device)
    stem = next(r for r in s.layers if r.name == "stem")
    assert stem.type == "MyConv" and stem.is_leaf and stem.kind == "module"
    assert stem.output_shape == tuple(model.stem(x).shape) == (2, 16, 16, 15)
    assert sum(w.numel for w in stem.weights) == sum(p.numel() for p in model.stem.parameters()) == 448
    assert stem.macs == pytorch_macs(model.stem, x) == 2 * 16 * 15 * 16 * 27
    assert stem.code == my_conv(model.stem).code() and stem.calculation
    assert not [r for r in s.layers if r.name.startswith("stem/")]  # F.conv2d inside is the layer's implementation
    assert s.receptive_field is not None and s.receptive_field["size"][0] >= 3  # the core's step counts
    assert not [d for d in s.diagnostics if d.severity == "error"]


def test_without_registration_the_module_is_a_container_of_its_functional_call():
    s = convlens.summary(Net(), input_size=(2, 3, 32, 30))
    stem = next(r for r in s.layers if r.name == "stem")
    assert stem.code is None and not stem.calculation
    assert [r.type for r in s.layers if r.name.startswith("stem/")] == ["conv2d"]


def test_a_registered_module_the_input_contradicts_is_diagnosed_and_the_trace_goes_on(registered):
    class Wrong(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = MyConv(4, 16)  # the input has 3 channels
            self.fc = nn.Linear(16, 10)

        def forward(self, x):
            return self.fc(self.stem(x).mean((2, 3)))

    s = convlens.summary(Wrong(), input_size=(1, 3, 8, 8))
    assert [d.layer for d in s.diagnostics if d.code == "layer-mismatch"] == ["stem"]
    assert next(r for r in s.layers if r.name == "fc").output_shape == (1, 10)  # went on with the shape it would give


def test_a_registered_function_gets_the_core_layers_row():
    class UsesLinear(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(5, 12))

        def forward(self, x):
            return F.linear(x, self.w)

    def linear(x, weight, bias=None):
        return core.layer("Linear", x.shape[-1], weight.shape[0], bias=bias is not None)

    before = convlens.summary(UsesLinear(), input_size=(4, 12))
    ops.register(F.linear, linear)
    try:
        after = convlens.summary(UsesLinear(), input_size=(4, 12))
    finally:
        ops.unregister(F.linear)
    row = next(r for r in after.layers if r.type == "linear")
    assert row.code == core.layer("Linear", 12, 5, bias=False).code() and row.calculation
    assert row.macs == next(r for r in before.layers if r.type == "linear").macs == 4 * 12 * 5
    assert next(r for r in before.layers if r.type == "linear").code is None


def test_registering_a_built_in_class_replaces_its_entry_until_unregistered():
    def as_identity(module):
        return core.layer("Identity")

    ops.register(nn.ReLU, as_identity)
    try:
        assert ops.core_layer(nn.ReLU()).type_name == "Identity"
    finally:
        ops.unregister(nn.ReLU)
    assert ops.core_layer(nn.ReLU()).type_name == "ReLU"


def test_the_fx_walk_stops_at_a_registered_module(registered):
    steps = walk(Net()).steps
    assert [(s.name, s.layer.type_name if s.layer else s.kind) for s in steps][:2] == [("stem", "Conv2d"), ("relu", "ReLU")]
    assert steps[0].layer.code() == my_conv(Net().stem).code()


@pytest.mark.parametrize("target, handler, says", [
    ("Conv2d", my_conv, "must be an nn.Module subclass or a function"),
    (int, my_conv, "must be an nn.Module subclass or a function"),
    (MyConv, "Conv2d", "the handler must be a callable"),
])
def test_register_refuses_what_it_cannot_use(target, handler, says):
    with pytest.raises(ops.RegistrationError, match=says):
        ops.register(target, handler)
    assert not ops.is_mapped(MyConv(1, 1))
