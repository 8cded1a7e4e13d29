"""28×28 MNIST networks from two tutorials, layer for layer.

* ``CNNWithResidual`` — "ConvNet shape 계산" (velog, 2025; reference 000): a 3×3 stem, two
  residual blocks with 1×1 projection shortcuts, three 2×2 max-pools and two linear layers.
  The tutorial's own table says the last pool gives (3, 3, 128) = 1152 features, but its code
  writes ``nn.Linear(128 * 7 * 7, 512)`` and ``x.view(-1, 128 * 7 * 7)``.
  ``CNNWithResidual`` keeps that code exactly; it builds, and it is convlens's showcase
  of shape-bug diagnosis: ``view(-1, 6272)`` folds 49 images of 1152 features into 9 rows of
  6272, and raises for any batch whose 1152·B is not a multiple of 6272 (batch 1 included).
  ``CNNWithResidualFixed`` is the corrected network: ``Linear(128 * 3 * 3, 512)`` and ``x.flatten(1)``.
* ``mnist_conv`` — "2D Convolution operation" (tistory, 2022; reference 001):
  ``nn.Conv2d(1, 20, kernel_size=5, stride=1, padding=2)`` on a 16×1×28×28 MNIST batch.
"""

from __future__ import annotations

import torch
import torch.nn as nn


class ResidualBlock(nn.Module):
    """Two 3×3 convs (padding 1, with bias) plus a 1×1 conv shortcut, then ReLU — as in the tutorial.

    The shortcut is always a 1×1 conv, even when the channel counts already match.
    """

    def __init__(self, in_channels, out_channels):
        super(ResidualBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        self.shortcut = nn.Conv2d(in_channels, out_channels, kernel_size=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        shortcut = self.shortcut(x)  # (B, C_in, H, W) -> (B, C_out, H, W)
        x = self.conv1(x)
        x = self.relu(x)
        x = self.conv2(x)
        x = x + shortcut
        x = self.relu(x)
        return x


class CNNWithResidual(nn.Module):
    """The tutorial's network, verbatim (only comments added). Its shape bug is kept on purpose.

    The third pool leaves (B, 128, 3, 3) = 1152 features per image, but ``fc1`` expects
    128 * 7 * 7 = 6272 and ``view(-1, 6272)`` regroups the batch to fit: 49 images become 9 rows,
    and any batch whose 1152·B is not a multiple of 6272 (batch 1 included) raises in ``view``.
    """

    def __init__(self):
        super(CNNWithResidual, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3, padding=1)
        self.resblock1 = ResidualBlock(32, 64)
        self.resblock2 = ResidualBlock(64, 128)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(128 * 7 * 7, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = self.conv1(x)  # (B, 1, 28, 28) -> (B, 32, 28, 28)
        x = self.pool(torch.relu(x))  # -> (B, 32, 14, 14)
        x = self.resblock1(x)  # -> (B, 64, 14, 14)
        x = self.pool(x)  # -> (B, 64, 7, 7)
        x = self.resblock2(x)  # -> (B, 128, 7, 7)
        x = self.pool(x)  # -> (B, 128, 3, 3): floor(7 / 2) = 3, not 7
        # (B, 128, 3, 3) -> (B * 1152 / 6272, 6272): folds the batch, or raises when it does not divide
        x = x.view(-1, 128 * 7 * 7)  # Flatten the tensor
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        return x


class CNNWithResidualFixed(nn.Module):
    """The same network corrected: ``fc1`` sized for the 128 × 3 × 3 = 1152 features the pools leave,
    and ``flatten(1)``, which keeps the batch dimension (a wrong size then fails in ``fc1``, loudly).
    Module names are the tutorial's, so only ``fc1.weight`` differs in shape.
    """

    def __init__(self, *, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3, padding=1)
        self.resblock1 = ResidualBlock(32, 64)
        self.resblock2 = ResidualBlock(64, 128)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc1 = nn.Linear(128 * 3 * 3, 512)
        self.fc2 = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv1(x)  # (B, 1, 28, 28) -> (B, 32, 28, 28)
        x = self.pool(torch.relu(x))  # -> (B, 32, 14, 14)
        x = self.resblock1(x)  # -> (B, 64, 14, 14)
        x = self.pool(x)  # -> (B, 64, 7, 7)
        x = self.resblock2(x)  # -> (B, 128, 7, 7)
        x = self.pool(x)  # -> (B, 128, 3, 3)
        x = x.flatten(1)  # (B, 128, 3, 3) -> (B, 1152)
        x = torch.relu(self.fc1(x))  # -> (B, 512)
        x = self.fc2(x)  # -> (B, 10)
        return x


def residual_cnn_as_written() -> CNNWithResidual:
    """Reference 000 exactly: ``nn.Linear(128 * 7 * 7, 512)`` and ``x.view(-1, 128 * 7 * 7)``."""
    return CNNWithResidual()


def residual_cnn(*, num_classes: int = 10) -> CNNWithResidualFixed:
    """Reference 000 corrected: ``nn.Linear(128 * 3 * 3, 512)`` and ``x.flatten(1)``."""
    return CNNWithResidualFixed(num_classes=num_classes)


def mnist_conv() -> nn.Conv2d:
    """Reference 001: one conv, 1 -> 20 channels, 5×5, stride 1, padding (5 - 1) / 2 = 2; weight (20, 1, 5, 5)."""
    return nn.Conv2d(in_channels=1, out_channels=20, kernel_size=5, stride=1, padding=2)
