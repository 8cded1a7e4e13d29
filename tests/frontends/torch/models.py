"""Small models written for the tests: each one carries one shape bug (or none)."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class BadResidual(nn.Module):
    """The shortcut keeps 14×14 while the main path strides to 7×7."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(64, 64, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(64, 64, 3, padding=1)
        self.shortcut = nn.Conv2d(64, 64, 1)

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return x + y  # BUG: x is (B, 64, 14, 14), y is (B, 64, 7, 7)


class BadBatchNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 32, 3, padding=1)
        self.bn = nn.BatchNorm2d(64)  # BUG: the conv gives 32 channels
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)  # (B, 32, 1, 1) -> (B, 32)
        return self.head(x)


class Unused(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)
        self.extra = nn.Linear(8, 100)  # defined but never called

    def forward(self, x):
        return self.fc(x)


class Twice(nn.Module):
    """One module called twice, and a weight tied between two Linear layers."""

    def __init__(self):
        super().__init__()
        self.block = nn.Linear(16, 16)
        self.enc = nn.Linear(16, 8, bias=False)
        self.dec = nn.Linear(8, 16, bias=False)
        self.dec.weight = nn.Parameter(self.enc.weight.t().detach().clone())
        self.tied = nn.Linear(16, 16)
        self.tied.weight = self.block.weight  # tied parameter

    def forward(self, x):
        x = self.block(x)
        x = self.block(x)
        x = self.tied(x)
        return self.dec(self.enc(x))


class MultiInput(nn.Module):
    def __init__(self):
        super().__init__()
        self.img = nn.Conv2d(3, 8, 3, padding=1)
        self.tab = nn.Linear(5, 8)

    def forward(self, image, table):
        a = self.img(image).mean(dim=(2, 3))  # (B, 8, H, W) -> (B, 8)
        return torch.cat([a, self.tab(table)], dim=1)


class _EncoderBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim, eps=1e-6)
        self.self_attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Dropout(0.0), nn.Linear(mlp, dim), nn.Dropout(0.0))

    def forward(self, x):
        y = self.ln_1(x)
        y, _ = self.self_attention(y, y, y, need_weights=False)
        x = x + y
        return x + self.mlp(self.ln_2(x))


class ViT(nn.Module):
    """torchvision's ViT-B/16 layout (86,567,656 parameters at the default sizes)."""

    def __init__(self, *, image_size=224, patch=16, dim=768, depth=12, heads=12, mlp=3072, num_classes=1000):
        super().__init__()
        self.patch = patch
        self.conv_proj = nn.Conv2d(3, dim, patch, stride=patch)
        seq = (image_size // patch) ** 2 + 1
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.zeros(1, seq, dim))
        self.layers = nn.Sequential(*[_EncoderBlock(dim, heads, mlp) for _ in range(depth)])
        self.ln = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.conv_proj(x)  # (B, 3, 224, 224) -> (B, 768, 14, 14)
        x = x.flatten(2).transpose(1, 2)  # -> (B, 196, 768)
        cls = self.class_token.expand(x.shape[0], -1, -1)  # (B, 1, 768)
        x = torch.cat([cls, x], dim=1) + self.pos_embedding  # (B, 197, 768)
        x = self.ln(self.layers(x))
        return self.head(x[:, 0])  # (B, 768) -> (B, 1000)


class SdpaAttention(nn.Module):
    """Attention written with F.scaled_dot_product_attention and a matmul, as in modern code."""

    def __init__(self, dim=64, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)  # -> 3 × (B, h, N, c/h)
        y = F.scaled_dot_product_attention(q, k, v)
        y = y.transpose(1, 2).reshape(b, n, c)  # (B, h, N, c/h) -> (B, N, C)
        scores = x @ x.transpose(1, 2)  # (B, N, N)
        return self.proj(y) + scores.mean(dim=-1, keepdim=True)
