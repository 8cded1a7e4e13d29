"""The patch-whitening start of the first convolution (train/whiten.py), checked with the real
convolution: its whitened outputs are decorrelated with the variances the eigenvalues give."""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from convlens.train.whiten import EPS, IMAGES, whiten_first_conv


def _images(n=600, channels=1, size=12, seed=0):
    g = torch.Generator().manual_seed(seed)
    base = torch.randint(0, 256, (n, channels, size, size), generator=g).float()
    smooth = F.avg_pool2d(F.pad(base, (1, 1, 1, 1), mode="replicate"), 3, stride=1)  # neighbouring pixels correlate
    return smooth.round().clamp(0, 255).to(torch.uint8)


def _stats(images):
    x = images.double() / 255
    return x.mean((0, 2, 3), keepdim=True).float(), x.std((0, 2, 3), keepdim=True).float()


@pytest.mark.parametrize("channels, kernel, filters", [(1, 2, 16), (3, 2, 24), (1, 3, 20), (3, 3, 64)])
def test_whitened_outputs_are_decorrelated_by_the_real_convolution(channels, kernel, filters):
    images = _images(channels=channels)
    mean, std = _stats(images)
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(channels, filters, kernel), nn.GELU(), nn.Conv2d(filters, 4, 3))
    before = net[0].weight.detach().clone()
    later = net[2].weight.detach().clone()
    assert whiten_first_conv(net, images, mean, std) == "0"
    d = channels * kernel * kernel
    w = net[0].weight.detach()
    assert torch.equal(w[d:2 * d], -w[:d]) and torch.equal(w[2 * d:], before[2 * d:]) and torch.equal(net[2].weight, later)
    # the real convolution (no bias) over the same normalised images: outputs 0..d-1 have the second
    # moment diag(λ / (λ + eps)) of the whitening, i.e. nearly the identity for every direction with variance
    x = ((images.double() / 255 - mean.double()) / std.double())
    out = F.conv2d(x, w[:d].double())  # (N, d, H', W')
    flat = out.transpose(0, 1).reshape(d, -1)
    moment = flat @ flat.T / flat.shape[1]
    patches = F.unfold(x, kernel).transpose(1, 2).reshape(-1, d)
    lam = torch.linalg.eigvalsh(patches.T @ patches / patches.shape[0])
    assert torch.allclose(moment, torch.diag(lam / (lam + EPS)), atol=1e-6)
    assert (lam / (lam + EPS)).max() > 0.99  # the strong directions come out with unit variance


def test_only_the_first_images_count_and_the_result_is_a_function_of_the_data():
    images = _images(n=IMAGES + 50)
    mean, std = _stats(images)
    a, b = nn.Conv2d(1, 8, 2), nn.Conv2d(1, 8, 2)
    whiten_first_conv(a, images, mean, std)
    changed = images.clone()
    changed[IMAGES:] = 0  # images past the first IMAGES do not enter the covariance
    whiten_first_conv(b, changed, mean, std)
    assert torch.equal(a.weight[:8], b.weight[:8])


@pytest.mark.parametrize("conv", [nn.Conv2d(1, 7, 2),  # 7 < 2 × 1 × 2 × 2 filters
                                  nn.Conv2d(2, 32, 2, groups=2), nn.Conv2d(1, 16, 2, dilation=2)],
                         ids=["too-few-filters", "grouped", "dilated"])
def test_a_first_convolution_that_cannot_take_it_is_left_alone(conv):
    images = _images(channels=conv.in_channels)
    before = conv.weight.detach().clone()
    assert whiten_first_conv(nn.Sequential(conv), images, *_stats(images)) is None
    assert torch.equal(conv.weight, before)
    assert whiten_first_conv(nn.Sequential(nn.Linear(4, 2)), images, *_stats(images)) is None  # no convolution at all
