"""FastNet: a small, fast CIFAR-10 network in the style of the fastest published training recipes.

Modelled on Keller Jordan's airbench94 ("94% on CIFAR-10 in 3.29 seconds on a single GPU",
arXiv:2404.00498, 2024), itself descended from Page's ResNet-9 / DAWNBench recipe (2018) and
tysam-code's hlb-CIFAR10: a 2×2 stem conv, then three groups of
``conv -> max-pool -> BN -> GELU -> conv -> BN -> GELU`` (pooling *before* the norm halves its
cost), a final 3×3 max-pool, a bias-free linear head and a fixed output scale of 1/9.

Differences from airbench94, kept simple for teaching: the stem is a trainable conv (airbench
fixes its weights to a patch-whitening transform), and BatchNorm has its usual affine scale.
Not a published model, so its numbers are computed here: 1,972,792 parameters and
118,147,360 MACs at 1×3×32×32 (convs and the linear layer; see ``convlens.core.costs``).
"""

from __future__ import annotations

import torch
import torch.nn as nn

WIDTHS = {"stem": 24, "block1": 64, "block2": 256, "block3": 256}


class Conv(nn.Conv2d):
    """3×3, 'same' padding, no bias (BatchNorm follows)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__(in_channels, out_channels, kernel_size=3, padding="same", bias=False)


class ConvGroup(nn.Module):
    """conv -> 2×2 max-pool -> BN -> GELU -> conv -> BN -> GELU; halves H and W."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv1 = Conv(in_channels, out_channels)
        self.pool = nn.MaxPool2d(2)
        self.norm1 = nn.BatchNorm2d(out_channels)
        self.conv2 = Conv(out_channels, out_channels)
        self.norm2 = nn.BatchNorm2d(out_channels)
        self.activ = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        x = self.pool(x)  # (B, C, H, W) -> (B, C, H / 2, W / 2), floor
        x = self.activ(self.norm1(x))
        x = self.conv2(x)
        x = self.activ(self.norm2(x))
        return x


class FastNet(nn.Module):
    def __init__(self, *, widths: dict[str, int] | None = None, num_classes: int = 10, in_channels: int = 3, scale: float = 1 / 9):
        super().__init__()
        w = dict(WIDTHS if widths is None else widths)
        missing = set(WIDTHS) - set(w)
        if missing:
            raise ValueError(f"FastNet: widths needs the keys {sorted(WIDTHS)}; received {sorted(w)} (missing {sorted(missing)})")
        if not scale > 0:
            raise ValueError(f"FastNet: scale (the fixed factor of the logits) must be positive; received {scale!r}")
        self.scale = scale  # fixed logit scale (airbench: 1/9), keeps the early softmax soft
        self.stem = nn.Conv2d(in_channels, w["stem"], kernel_size=2, padding=0)
        self.stem_act = nn.GELU()
        self.group1 = ConvGroup(w["stem"], w["block1"])
        self.group2 = ConvGroup(w["block1"], w["block2"])
        self.group3 = ConvGroup(w["block2"], w["block3"])
        self.pool = nn.MaxPool2d(3)
        self.head = nn.Linear(w["block3"], num_classes, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem_act(self.stem(x))  # (B, 3, 32, 32) -> (B, 24, 31, 31)
        x = self.group1(x)  # -> (B, 64, 15, 15)
        x = self.group2(x)  # -> (B, 256, 7, 7)
        x = self.group3(x)  # -> (B, 256, 3, 3)
        x = self.pool(x)  # -> (B, 256, 1, 1)
        x = x.flatten(1)  # (B, 256, 1, 1) -> (B, 256)
        x = self.head(x) * self.scale  # -> (B, 10)
        return x


def fastnet(*, widths: dict[str, int] | None = None, num_classes: int = 10, in_channels: int = 3, scale: float = 1 / 9) -> FastNet:
    return FastNet(widths=widths, num_classes=num_classes, in_channels=in_channels, scale=scale)
