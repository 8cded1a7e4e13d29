"""The user's model is never changed by a summary (issue 8), on meta and on the CPU.

``tests/conftest.py`` already wraps every summary in ``snapshot``/``assert_unchanged``; the cases
here are the models that used to be damaged, plus what the summary must *report* about them, and a
check that the helper itself catches each kind of change.
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import parametrize, prune

import convlens
from convlens import zoo

from .snapshot import assert_unchanged, snapshot

DEVICES = ["meta", "cpu"]


def shared_linear():
    lin = nn.Linear(10, 10)
    return nn.Sequential(lin, nn.ReLU(), lin), (2, 10)


def shared_batchnorm():
    bn = nn.BatchNorm1d(10)
    return nn.Sequential(nn.Linear(10, 10), bn, nn.ReLU(), bn), (4, 10)


def pruned():
    m = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 4))
    prune.l1_unstructured(m[0], "weight", amount=0.5)
    prune.random_unstructured(m[3], "bias", amount=0.5)
    return m, (2, 3, 8, 8)


def weight_normed():
    return nn.Sequential(torch.nn.utils.weight_norm(nn.Linear(6, 5)), nn.ReLU()), (3, 6)


def spectral_normed():
    return nn.Sequential(torch.nn.utils.spectral_norm(nn.Linear(6, 5)), nn.Tanh()), (3, 6)


class _Symmetric(nn.Module):
    def forward(self, w):
        return w.triu() + w.triu(1).transpose(0, 1)


def parametrized():
    lin = nn.Linear(6, 6)
    parametrize.register_parametrization(lin, "weight", _Symmetric())
    return nn.Sequential(lin, nn.ReLU()), (2, 6)


def hooked():
    m = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3))
    m.calls = []
    m[0].register_forward_hook(lambda mod, i, o: m.calls.append(("fwd", o)))
    m[2].register_forward_pre_hook(lambda mod, i: m.calls.append(("pre", i)))
    m[2].register_full_backward_hook(lambda mod, gi, go: m.calls.append(("bwd", go)))
    return m, (1, 1, 10, 10)


def caching():
    class Caching(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.last = None

        def forward(self, x):
            self.last = x  # a forward that writes an attribute of the module
            return self.fc(x)

    return Caching(), (2, 4)


def trained_batchnorm():
    m = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
    m.train()
    return m, (2, 3, 8, 8)


def lazy():
    return nn.Sequential(nn.LazyConv2d(8, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(10)), (2, 3, 10, 10)


CASES = [lazy, shared_linear, shared_batchnorm, pruned, weight_normed, spectral_normed, parametrized, hooked, caching, trained_batchnorm]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_model_is_unchanged(case, device):
    model, size = case()
    before = snapshot(model, size)
    s = convlens.summary(model, input_size=size, device=device)
    assert not s.failed, s.diagnostics
    assert_unchanged(before, model, size)


@pytest.mark.parametrize("device", DEVICES)
def test_a_failing_forward_leaves_the_model_unchanged(device):
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(5, 2))
    prune.l1_unstructured(model[0], "weight", amount=0.3)
    before = snapshot(model, (1, 3, 8, 8))
    s = convlens.summary(model, input_size=(1, 3, 8, 8), device=device)
    assert s.errors
    assert_unchanged(before, model, (1, 3, 8, 8))


@pytest.mark.parametrize("device", DEVICES)
def test_observing_hooks_are_not_called(device):
    model, size = hooked()
    convlens.summary(model, input_size=size, device=device)
    from convlens.frontends.torch import check

    check(model, size, device=device)
    assert model.calls == []


def test_shared_parameters_are_counted_once_and_named():
    model, size = shared_linear()
    s = convlens.summary(model, input_size=size)
    assert s.total_params == 110
    assert sum(r.params for r in s.layers) == 110
    assert any("shared" in n and "'0'" in n and "'2'" in n for n in s.notes), s.notes


def test_tied_weights_are_counted_once_and_named():
    a, b = nn.Linear(8, 8), nn.Linear(8, 8)
    b.weight = a.weight
    s = convlens.summary(nn.Sequential(a, b), input_size=(1, 8))
    assert s.total_params == 64 + 8 + 8
    assert any("0.weight" in n and "1.weight" in n and "shared" in n for n in s.notes), s.notes


@pytest.mark.parametrize("device", DEVICES)
def test_computational_hooks_take_effect(device):
    # pruning: the stored parameters (weight_orig) are reported, and the note says so
    model, size = pruned()
    s = convlens.summary(model, input_size=size, device=device)
    expected = sum(p.numel() for p in model.parameters())
    assert s.total_params == expected == 8 * 3 * 9 + 8 + 4 * 288 + 4
    assert any("pruned" in n and "weight_orig" in n for n in s.notes), s.notes
    assert s.output_shapes == ((2, 4),)
    # parametrize: the parametrised weight is used (shape from the parametrization's output)
    model, size = parametrized()
    s = convlens.summary(model, input_size=size, device=device)
    assert s.output_shapes == ((2, 6),) and s.total_params == 42
    assert s.layers[0].macs == 2 * 36


def test_the_helper_catches_each_kind_of_change():
    model, size = trained_batchnorm()
    changes = [
        lambda m: m[0].weight.data.add_(1),  # values written in place
        lambda m: setattr(m[0], "weight", nn.Parameter(m[0].weight.detach().clone())),  # replaced
        lambda m: m[1].running_mean.add_(1),  # a buffer
        lambda m: m.eval(),  # a training flag
        lambda m: m[0].weight.requires_grad_(False),
        lambda m: m[2].register_forward_hook(lambda *a: None),
        lambda m: setattr(m[1], "cached", torch.zeros(1)),
    ]
    for change in changes:
        model, size = trained_batchnorm()
        before = snapshot(model, size)
        change(model)
        with pytest.raises(AssertionError):
            assert_unchanged(before, model, size)


TORCH_ZOO = [e for e in zoo.entries() if e.framework == "torch"]
SMALL_INPUT = 1_000_000  # elements of the documented input up to which device='cpu' also runs


@pytest.mark.parametrize("entry", TORCH_ZOO, ids=lambda e: e.name)
def test_every_zoo_model_with_real_weights_is_unchanged(entry):
    torch.manual_seed(0)
    model = zoo.build(entry.name)  # real weights on the CPU, as a user has them
    model.train()
    size = tuple(entry.input_size)
    before = snapshot(model, size)
    convlens.summary(model, input_size=size)
    assert_unchanged(before, model, size)
    if sum(p.numel() for p in model.parameters()) < 30_000_000:
        convlens.summary(model, input_size=size, device="cpu")
        assert_unchanged(before, model, size)


def test_functional_only_model_on_cpu():
    class F1(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(4, 3, 3, 3))

        def forward(self, x):
            return F.max_pool2d(F.conv2d(x, self.w), 2)

    m = F1()
    before = snapshot(m, (1, 3, 10, 10))
    convlens.summary(m, input_size=(1, 3, 10, 10), device="cpu")
    assert_unchanged(before, m, (1, 3, 10, 10))


@pytest.mark.parametrize("device", DEVICES)
def test_lazy_modules_report_what_initialisation_gives_without_initialising(device):
    model, size = lazy()
    for _ in range(2):  # and a second summary finds the module as lazy as the first
        s = convlens.summary(model, input_size=size, device=device)
        assert isinstance(model[0], nn.LazyConv2d) and model[0].has_uninitialized_params()
    reference = copy.deepcopy(model)
    reference(torch.zeros(size))  # initialise a copy: the counts the summary must give
    assert s.total_params == sum(p.numel() for p in reference.parameters()) == 8 * 27 + 8 + 10 * 512 + 10
    assert [r.params for r in s.layers if r.type.startswith("Lazy")] == [224, 5130]
    assert s.layers[0].calculation and s.layers[0].macs == 2 * 8 * 64 * 27
    assert sum("lazy" in n for n in s.notes) == 2
