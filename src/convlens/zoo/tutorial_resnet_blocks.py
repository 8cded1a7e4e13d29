"""The first layers and blocks compared by parameter count in a ResNet paper review (tistory; reference 004).

Entries (parameters; input):

* ``vgg-first-blocks`` — VGG's first two conv blocks: 260,160; 1×3×224×224
* ``resnet-stem`` — ResNet's 7×7/2 conv + 2×2 max-pool: 9,472; 1×3×224×224
* ``plain-block`` — two 3×3 convs, no shortcut, 64 -> 64: 73,856; 1×64×56×56
* ``bottleneck-block`` — 1×1-3×3-1×1 + identity, 64 -> 64: 45,248; 1×64×56×56
* ``bottleneck-block-projection`` — 1×1-3×3-1×1 + 1×1 conv shortcut, 64 -> 128, stride 2: 57,728; 1×64×56×56

As in the review, every conv has a bias and there is no BatchNorm or activation: these modules
exist to count parameters, e.g. 45,248 = (64·64·1·1 + 64) + (64·64·3·3 + 64) + (64·64·1·1 + 64).
"""

from __future__ import annotations

import torch
import torch.nn as nn


def vgg_first_blocks() -> nn.Sequential:
    """VGG's conv1_1 … conv2_2 with their pools; 260,160 = 1,792 + 36,928 + 73,856 + 147,584."""
    return nn.Sequential(
        nn.Conv2d(in_channels=3, out_channels=64, kernel_size=3, stride=1, padding="same"),
        nn.Conv2d(in_channels=64, out_channels=64, kernel_size=3, stride=1, padding="same"),
        nn.MaxPool2d(kernel_size=2, stride=2),  # (64, 224, 224) -> (64, 112, 112)
        nn.Conv2d(in_channels=64, out_channels=128, kernel_size=3, stride=1, padding="same"),
        nn.Conv2d(in_channels=128, out_channels=128, kernel_size=3, stride=1, padding="same"),
        nn.MaxPool2d(kernel_size=2, stride=2),  # (128, 112, 112) -> (128, 56, 56)
    )


def resnet_stem() -> nn.Sequential:
    """ResNet's first layer; 9,472 = 3·64·7·7 + 64. (The review pools 2×2/2; torchvision uses 3×3/2, padding 1.)"""
    return nn.Sequential(
        nn.Conv2d(in_channels=3, out_channels=64, kernel_size=7, stride=2, padding=3),  # (3, 224, 224) -> (64, 112, 112)
        nn.MaxPool2d(kernel_size=2, stride=2),  # -> (64, 56, 56)
    )


class ConvBlock(nn.Module):
    """The review's plain block: two convs with the same kernel, stride and padding, no shortcut.

    As written, ``stride`` applies to *both* convs.
    """

    def __init__(self, in_channels: int, out_channels: int, *, kernel_size: int = 3, stride: int = 1, padding: int | str = "same"):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=padding)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=padding)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)
        x = self.conv2(x)
        return x


class BottleneckBlock(nn.Module):
    """1×1 -> k×k -> 1×1 convs (all ``out_channels`` wide) added to the identity shortcut.

    Fixed from the review: its ``forward`` ran ``x = conv1(x); x = conv2(x); x = conv3(x)`` and then
    ``return x + y`` with ``y`` never defined (a ``NameError``). Here the branch is kept in ``y`` and
    added to the untouched input ``x`` — the identity shortcut the review's solid-line arrow means.
    The layers and the 45,248 parameters are unchanged. The identity needs ``in_channels ==
    out_channels`` and ``stride == 1``; other shapes need ``ProjectionBottleneckBlock``.
    """

    def __init__(self, in_channels: int, out_channels: int, *, kernel_size: int = 3, stride: int = 1, padding: int | str = "same"):
        super().__init__()
        if in_channels != out_channels or stride != 1:
            raise ValueError(
                f"BottleneckBlock: an identity shortcut needs in_channels == out_channels and stride == 1; "
                f"received in_channels={in_channels}, out_channels={out_channels}, stride={stride}; "
                f"use ProjectionBottleneckBlock for a change of shape"
            )
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=1, padding=0)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=padding)
        self.conv3 = nn.Conv2d(out_channels, out_channels, kernel_size=1, stride=1, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv1(x)
        y = self.conv2(y)
        y = self.conv3(y)
        return x + y


class ProjectionBottleneckBlock(nn.Module):
    """The review's dashed-line bottleneck: the branch ends at ``2 × out_channels`` and a 1×1 conv
    (``conv_shortcut``, with the block's stride) projects the input to match. Written correctly in the review.
    """

    def __init__(self, in_channels: int, out_channels: int, *, kernel_size: int = 3, stride: int = 2, padding: int | str = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=1, padding=0)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=kernel_size, stride=stride, padding=padding)
        self.conv3 = nn.Conv2d(out_channels, out_channels * 2, kernel_size=1, stride=1, padding=0)
        self.conv_shortcut = nn.Conv2d(in_channels, out_channels * 2, kernel_size=1, stride=stride, padding=0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv1(x)  # (B, 64, 56, 56) -> (B, 64, 56, 56)
        y = self.conv2(y)  # -> (B, 64, 28, 28)
        y = self.conv3(y)  # -> (B, 128, 28, 28)
        x = self.conv_shortcut(x)  # (B, 64, 56, 56) -> (B, 128, 28, 28)
        return x + y


def plain_block() -> ConvBlock:
    """``ConvBlock(64, 64, kernel_size=3, stride=1, padding='same')``: 73,856 = 2 × (64·64·3·3 + 64)."""
    return ConvBlock(64, 64, kernel_size=3, stride=1, padding="same")


def bottleneck_block() -> BottleneckBlock:
    """``BottleneckBlock(64, 64, kernel_size=3, stride=1, padding='same')``: 45,248."""
    return BottleneckBlock(64, 64, kernel_size=3, stride=1, padding="same")


def bottleneck_block_projection() -> ProjectionBottleneckBlock:
    """``BottleneckBlock(64, 64, kernel_size=3, stride=2, padding=1)`` with ``conv_shortcut``: 64 -> 128, 57,728."""
    return ProjectionBottleneckBlock(64, 64, kernel_size=3, stride=2, padding=1)
