"""A 1,000-layer network for bench_draw.py: 500 × (3×3 convolution, ReLU), 16 channels at 32×32."""

from __future__ import annotations

import torch.nn as nn


def deep(*, layers: int = 1000) -> nn.Sequential:
    blocks = []
    for _ in range(layers // 2):
        blocks += [nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()]
    return nn.Sequential(*blocks)
