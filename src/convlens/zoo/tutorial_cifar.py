"""CIFAR-10 (3×32×32) networks of "파이토치로 알아보는 합성곱 신경망" (reference 003), layer for layer.

Both networks come from the same tutorial and share its input size, so they share this file:

* ``AlexNetCIFAR`` — AlexNet scaled to 32×32: convs 64-192-384-256-256 (the last one 1×1),
  three 2×2 max-pools, classifier 2304 -> 1024 -> 512 -> 10. 4,617,546 parameters.
* ``ResNetCIFAR`` — ResNet-18/34 for CIFAR: 3×3 stem without max-pool, four stages of
  ``ResidualBlock`` (two 3×3 conv-BN, 1×1 conv-BN projection when the shape changes),
  ``AvgPool2d(4)``, ``Linear(512, 10)``. ResNet-18-CIFAR has 11,173,962 parameters.

Module names are the tutorial's (``features``/``classifier``; ``base``, ``layer1``…, ``gap``, ``fc``,
``conv_block``, ``downsample``), so the tutorial's saved ``state_dict`` files load into these.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class AlexNetCIFAR(nn.Module):
    def __init__(self, *, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 3), nn.ReLU(),  # (3, 32, 32) -> (64, 30, 30)
            nn.MaxPool2d(2, 2),  # -> (64, 15, 15)
            nn.Conv2d(64, 192, 3, padding=1), nn.ReLU(),  # -> (192, 15, 15)
            nn.MaxPool2d(2, 2),  # -> (192, 7, 7): floor(15 / 2)
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),  # -> (384, 7, 7)
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),  # -> (256, 7, 7)
            nn.Conv2d(256, 256, 1), nn.ReLU(),  # -> (256, 7, 7)
            nn.MaxPool2d(2, 2),  # -> (256, 3, 3)
        )
        self.classifier = nn.Sequential(
            nn.Dropout(0.5),
            nn.Linear(256 * 3 * 3, 1024), nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(1024, 512), nn.ReLU(),
            nn.Linear(512, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)  # (B, 3, 32, 32) -> (B, 256, 3, 3)
        # the tutorial writes x.view(-1, 256 * 3 * 3): identical at 32×32; flatten(1) keeps the
        # batch at any other size, so a wrong input fails in the Linear instead of folding the batch
        x = x.flatten(1)  # (B, 256, 3, 3) -> (B, 2304)
        x = self.classifier(x)  # -> (B, 10)
        return x


class ResidualBlock(nn.Module):
    """Two 3×3 conv-BN (ReLU between), plus a 1×1 conv-BN ``downsample`` when stride or channels change."""

    expansion = 1

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.stride = stride
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.conv_block = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv_block(x)  # (B, C_in, H, W) -> (B, C_out, H / stride, W / stride)
        if self.downsample is not None:
            x = self.downsample(x)  # shortcut to the same shape
        return F.relu(x + out)


# one width per stage; each variant is its blocks per stage
WIDTHS = (64, 128, 256, 512)
RESNET18_CIFAR = (2, 2, 2, 2)
RESNET34_CIFAR = (3, 4, 6, 3)


class ResNetCIFAR(nn.Module):
    def __init__(self, num_blocks: tuple[int, int, int, int], *, num_classes: int = 10):
        super().__init__()
        self.in_channels = WIDTHS[0]
        self.base = nn.Sequential(
            nn.Conv2d(3, WIDTHS[0], kernel_size=3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(WIDTHS[0]),
            nn.ReLU(),
        )
        self.layer1 = self._make_layer(WIDTHS[0], num_blocks[0], stride=1)
        self.layer2 = self._make_layer(WIDTHS[1], num_blocks[1], stride=2)
        self.layer3 = self._make_layer(WIDTHS[2], num_blocks[2], stride=2)
        self.layer4 = self._make_layer(WIDTHS[3], num_blocks[3], stride=2)
        self.gap = nn.AvgPool2d(4)
        self.fc = nn.Linear(WIDTHS[3], num_classes)

    def _make_layer(self, out_channels: int, num_blocks: int, stride: int) -> nn.Sequential:
        """``num_blocks`` blocks; only the first has ``stride`` (e.g. 3 blocks, stride 2 -> strides [2, 1, 1])."""
        layers = []
        for s in [stride] + [1] * (num_blocks - 1):
            layers.append(ResidualBlock(self.in_channels, out_channels, s))
            self.in_channels = out_channels
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.base(x)  # (B, 3, 32, 32) -> (B, 64, 32, 32)
        out = self.layer1(out)  # -> (B, 64, 32, 32)
        out = self.layer2(out)  # -> (B, 128, 16, 16)
        out = self.layer3(out)  # -> (B, 256, 8, 8)
        out = self.layer4(out)  # -> (B, 512, 4, 4)
        out = self.gap(out)  # -> (B, 512, 1, 1)
        out = out.view(out.size(0), -1)  # (B, 512, 1, 1) -> (B, 512)
        out = self.fc(out)  # -> (B, 10)
        return out


def alexnet_cifar(*, num_classes: int = 10) -> AlexNetCIFAR:
    return AlexNetCIFAR(num_classes=num_classes)


def resnet18_cifar(*, num_classes: int = 10) -> ResNetCIFAR:
    return ResNetCIFAR(RESNET18_CIFAR, num_classes=num_classes)


def resnet34_cifar(*, num_classes: int = 10) -> ResNetCIFAR:
    return ResNetCIFAR(RESNET34_CIFAR, num_classes=num_classes)
