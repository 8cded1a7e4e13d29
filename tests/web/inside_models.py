"""A model that is correct but unusual on purpose, for the Inside view's window arithmetic: stride,
bias, an even kernel with 'same' padding (asymmetric), groups, dilation, reflect and circular padding,
ceil-mode average and max pooling, a linear head with a bias."""

from __future__ import annotations

import torch
import torch.nn as nn


class Odd(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.a = nn.Conv2d(1, 4, 3, stride=2, padding=1)  # (B, 1, 28, 28) -> (B, 4, 14, 14)
        self.b = nn.Conv2d(4, 4, 2, padding="same", groups=2, bias=False)  # pads 0 before, 1 after
        self.c = nn.Conv2d(4, 6, 3, padding=2, dilation=2, padding_mode="reflect")  # -> (B, 6, 14, 14)
        self.d = nn.Conv2d(6, 6, (1, 3), stride=(1, 2), padding=(0, 1), padding_mode="circular")  # -> (B, 6, 14, 7)
        self.act = nn.ReLU()
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)  # -> (B, 6, 8, 4)
        self.max = nn.MaxPool2d(2, ceil_mode=True)  # -> (B, 6, 4, 2)
        self.head = nn.Linear(6 * 4 * 2, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.a(x))
        x = self.act(self.b(x))
        x = self.c(x)
        x = self.d(x)
        x = self.max(self.avg(x))
        x = x.flatten(1)  # (B, 6, 4, 2) -> (B, 48)
        return self.head(x)
