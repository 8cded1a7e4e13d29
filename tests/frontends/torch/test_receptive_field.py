"""The printed receptive field against one measured from input gradients of a real forward.

Nets with several branches that merge (add, cat), functional pools and convolutions and
non-square kernels; every weight positive and no nonlinearity, so an input pixel influences the
centre output exactly when it lies in that output's receptive field. Max pooling passes the
gradient to one pixel per window, so the measurement sums gradients over a batch of random
inputs (seeded), which reaches every pixel of every window.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import convlens


def _positive(model: nn.Module) -> nn.Module:
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand_like(p) + 0.1)
    return model


def measured_rf(model: nn.Module, shape) -> list[int]:
    """Extent, per spatial axis, of the input pixels whose gradient reaches the centre output pixel."""
    torch.manual_seed(0)
    x = torch.rand((64,) + tuple(shape[1:]), requires_grad=True)
    out = model(x)
    centre = tuple(s // 2 for s in out.shape[2:])
    out[(slice(None), slice(None)) + centre].sum().backward()
    touched = x.grad.abs().sum(dim=(0, 1)) > 0
    extents = []
    for axis in range(touched.dim()):
        other = tuple(a for a in range(touched.dim()) if a != axis)
        idx = touched.any(dim=other).nonzero().flatten() if other else touched.nonzero().flatten()
        extents.append(int(idx.max() - idx.min() + 1))
    return extents


class FunctionalPools(nn.Module):
    """conv → F.max_pool2d → conv: 8×8 (the issue's example; module-only tracing said 5×5)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 2, 3)
        self.c2 = nn.Conv2d(2, 2, 3)

    def forward(self, x):
        return self.c2(F.max_pool2d(self.c1(x), 2))


class AddBranches(nn.Module):
    """A centred 3×3 conv added to a 3×3 pool shifted by one pixel: the union of the windows is 4×4
    (keeping the larger branch's field gave 3×3)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)

    def forward(self, x):
        a = self.conv(x)  # (B, 2, H, W)
        b = F.avg_pool2d(F.pad(x, (0, 2, 0, 2)), 3, stride=1)  # (B, 2, H, W): output i sees inputs i..i+2
        return a + b


class NonSquare(nn.Module):
    """Two branches with non-square kernels, merged by cat, then a functional conv and pool."""

    def __init__(self):
        super().__init__()
        self.tall = nn.Conv2d(1, 2, (7, 1), padding=(3, 0))
        self.wide = nn.Conv2d(1, 2, (3, 9), padding=(1, 4))
        self.mix = nn.Parameter(torch.rand(3, 4, 3, 5))

    def forward(self, x):
        y = torch.cat([self.tall(x), F.max_pool2d(self.wide(x), 3, stride=1, padding=1)], dim=1)  # (B, 4, H, W)
        y = F.conv2d(y, self.mix, padding=(1, 2), stride=2)
        return F.avg_pool2d(y, (2, 3))


class Inception(nn.Module):
    """Four branches of different fields, concatenated; then strided convolutions."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(1, 1, 1)
        self.b3 = nn.Sequential(nn.Conv2d(1, 1, 1), nn.Conv2d(1, 1, 3, padding=1))
        self.b5 = nn.Sequential(nn.Conv2d(1, 1, (5, 3), padding=(2, 1)))
        self.head = nn.Conv2d(4, 1, (3, 5), stride=(2, 1))

    def forward(self, x):
        p = F.max_pool2d(x, 3, stride=1, padding=1)
        y = torch.cat([self.b1(x), self.b3(x), self.b5(x), p], dim=1)
        return self.head(F.interpolate(y, scale_factor=1) + y)


CASES = [(FunctionalPools, (1, 1, 40, 40), [8, 8]), (AddBranches, (1, 2, 30, 30), [4, 4]),
         (NonSquare, (1, 1, 60, 60), None), (Inception, (1, 1, 41, 41), None)]


@pytest.mark.parametrize(("cls", "shape", "expected"), CASES, ids=lambda c: getattr(c, "__name__", None))
@pytest.mark.parametrize("device", ["meta", "cpu"])
def test_printed_receptive_field_is_the_measured_one(cls, shape, expected, device):
    model = _positive(cls())
    s = convlens.summary(model, input_size=shape, device=device)
    assert not s.errors and not s.failed
    measured = measured_rf(model, shape)
    if expected is not None:
        assert measured == expected
    assert list(s.receptive_field["size"]) == measured


def test_functional_pools_and_convs_have_rows_with_calculation():
    s = convlens.summary(_positive(NonSquare()), input_size=(1, 1, 60, 60))
    rows = {r.type: r for r in s.layers if r.kind == "function"}
    assert rows["max_pool2d"].code == "MaxPool2d(kernel_size=3, stride=1, padding=1)"
    assert any("H_out" in line for line in rows["max_pool2d"].calculation)
    conv = rows["conv2d"]
    assert conv.code.startswith("Conv2d(in_channels=4, out_channels=3, kernel_size=(3, 5)")
    assert conv.output_shape == (1, 3, 30, 30)
    assert conv.macs == 30 * 30 * 3 * 4 * 3 * 5
    assert conv.receptive_field is not None
