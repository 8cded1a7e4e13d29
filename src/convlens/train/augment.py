"""Augmentation and normalisation on whole uint8 tensors, not per sample in Python.

``augment_epoch`` redraws the augmented training set once per epoch, vectorised over all N images
(airbench's approach): a flip mask, one of (2t+1)² shifts per image, an erasing rectangle per image.
All randomness comes from the ``generator`` passed in, so an epoch is a pure function of its seed.
"""

from __future__ import annotations

import torch


def flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror (along W) a random half of the images (each with probability 1/2)."""
    mask = torch.rand(images.shape[0], generator=generator) < 0.5
    return torch.where(mask[:, None, None, None], images.flip(-1), images)


def shifted(images: torch.Tensor, dy: int, dx: int, fill: float | torch.Tensor = 0) -> torch.Tensor:
    """``images`` (N, C, H, W) moved by ``dy`` rows and ``dx`` columns (down and right when positive),
    the uncovered border set to ``fill``: a number, or a (1, C, 1, 1) tensor (the evaluation's moved
    views pass the normalised value of a 0 pixel). Keeps the memory format."""
    out = torch.empty_like(images)
    if isinstance(fill, torch.Tensor):
        out.copy_(fill.to(images.dtype).expand_as(images))
    else:
        out.fill_(fill)
    h, w = images.shape[-2:]
    if abs(dy) < h and abs(dx) < w:
        out[..., max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = images[..., max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def translate(images: torch.Tensor, pixels: int, generator: torch.Generator) -> torch.Tensor:
    """Shift each image by (dy, dx), each uniform in [-pixels, pixels]; the uncovered border is 0."""
    if pixels == 0:
        return images
    n = images.shape[0]
    draws = torch.randint(0, 2 * pixels + 1, (2, n), generator=generator)
    out = torch.empty_like(images)
    for i in range(2 * pixels + 1):  # one copy per distinct shift, each over all images that drew it
        for j in range(2 * pixels + 1):
            idx = ((draws[0] == i) & (draws[1] == j)).nonzero().squeeze(1)
            if idx.numel():
                out[idx] = shifted(images[idx], pixels - i, pixels - j)
    return out


def erase(images: torch.Tensor, generator: torch.Generator, *, p: float = 0.5, area: tuple[float, float] = (0.02, 0.33)) -> torch.Tensor:
    """Random erasing (Zhong et al., AAAI 2020) with square-ish rectangles: with probability ``p`` per
    image, a rectangle covering ``area`` of it (aspect 0.5-2) is set to 0."""
    n, _c, h, w = images.shape
    frac = torch.empty(n).uniform_(*area, generator=generator)
    aspect = torch.exp(torch.empty(n).uniform_(-0.6931, 0.6931, generator=generator))  # log-uniform in [1/2, 2]
    eh = (frac * h * w * aspect).sqrt().round().clamp(1, h).long()
    ew = (frac * h * w / aspect).sqrt().round().clamp(1, w).long()
    y0 = (torch.rand(n, generator=generator) * (h - eh + 1)).long()
    x0 = (torch.rand(n, generator=generator) * (w - ew + 1)).long()
    on = torch.rand(n, generator=generator) < p
    ys = torch.arange(h)[None, :, None]  # (1, H, 1)
    xs = torch.arange(w)[None, None, :]  # (1, 1, W)
    mask = ((ys >= y0[:, None, None]) & (ys < (y0 + eh)[:, None, None])
            & (xs >= x0[:, None, None]) & (xs < (x0 + ew)[:, None, None]) & on[:, None, None])  # (N, H, W)
    return images.masked_fill(mask[:, None], 0)


def augment_epoch(images: torch.Tensor, generator: torch.Generator, *, do_flip: bool, pixels: int, do_erase: bool) -> torch.Tensor:
    """The training set for one epoch: uint8 in, uint8 out, same shape."""
    if do_flip:
        images = flip(images, generator)
    if pixels:
        images = translate(images, pixels, generator)
    if do_erase:
        images = erase(images, generator)
    return images


def channel_stats(images: torch.Tensor) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and standard deviation of uint8 images, on the 0-1 scale."""
    x = images.transpose(0, 1).reshape(images.shape[1], -1).double() / 255  # (N, C, H, W) -> (C, N·H·W)
    return tuple(x.mean(1).tolist()), tuple(x.std(1).tolist())


def normalise(batch: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """uint8 (B, C, H, W) -> float32, ``(x/255 - mean) / std`` per channel; mean/std shaped (1, C, 1, 1)."""
    return (batch.float().div_(255) - mean) / std
