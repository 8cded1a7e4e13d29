"""Evaluation shared by training, ``convlens eval``, ``predict`` and ``features``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .augment import normalise, shifted


@dataclass(frozen=True)
class Input:
    """How the model expects its input: set by the training data, stored in every checkpoint."""

    channels: int
    size: tuple[int, int]  # (H, W)
    mean: tuple[float, ...]  # per channel, 0-1 scale
    std: tuple[float, ...]

    def tensors(self, device) -> tuple[torch.Tensor, torch.Tensor]:
        shape = (1, self.channels, 1, 1)
        return torch.tensor(self.mean, device=device).view(shape), torch.tensor(self.std, device=device).view(shape)

    def to_dict(self) -> dict:
        return {"channels": self.channels, "size": list(self.size), "mean": list(self.mean), "std": list(self.std)}

    @classmethod
    def from_dict(cls, d: dict) -> "Input":
        return cls(int(d["channels"]), tuple(d["size"]), tuple(d["mean"]), tuple(d["std"]))


def autocast(device: torch.device, bf16: bool):
    if not bf16:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def prepare(batch: torch.Tensor, mean, std, *, device, channels_last: bool) -> torch.Tensor:
    """uint8 (B, C, H, W) on the CPU -> normalised float32 on ``device``."""
    x = normalise(batch.to(device, non_blocking=True), mean, std)
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def black(mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """The normalised value of a 0 pixel, (1, C, 1, 1): what the moved test views' border is set to,
    as the training's translation leaves a 0 border before normalising."""
    return normalise(torch.zeros_like(mean, dtype=torch.uint8), mean, std)


def _mean_logits(model: nn.Module, views: list[torch.Tensor]) -> torch.Tensor:
    return sum(model(v).float() for v in views) / len(views)


@torch.no_grad()
def logits(model: nn.Module, x: torch.Tensor, *, flip_tta: bool, bf16: bool, translate: int = 0,
           fill: torch.Tensor | None = None) -> torch.Tensor:
    """float32 logits, the mean over the test-time views: the image and, with ``flip_tta``, its mirror.
    With ``translate`` t > 0 also those views moved by (t, t) and (-t, -t) pixels (border at ``fill``,
    required then); the moved views weigh half of the result (airbench's level-2 test-time
    augmentation: 6 views with the flip instead of 2)."""
    base = [x, x.flip(-1)] if flip_tta else [x]
    with autocast(x.device, bf16):
        out = _mean_logits(model, base)
        if translate:
            assert fill is not None  # the caller's normalised 0 pixel: evaluate and predict pass it
            moved = [shifted(v, s, s, fill) for s in (translate, -translate) for v in base]
            out = (out + _mean_logits(model, moved)) / 2
    return out


@dataclass
class Evaluation:
    loss_sum: float  # summed cross-entropy (no label smoothing; with TTA, of the views' mean logits)
    count: int
    confusion: torch.Tensor  # (K, K) int64, rows = true class

    @property
    def loss(self) -> float:
        return self.loss_sum / max(self.count, 1)

    @property
    def accuracy(self) -> float:
        return float(self.confusion.diag().sum()) / max(self.count, 1)

    def per_class(self) -> list[float]:
        totals = self.confusion.sum(1).clamp(min=1)
        return (self.confusion.diag().double() / totals).tolist()


# Test images per forward pass. 250 rather than 1000: bf16 forwards of the long preset's FastNet ran
# ~1.3x as many images/s at 250 on the 2-core AMD machine (docs/train.md); the results do not depend on it.
EVAL_BATCH = 250


@torch.no_grad()
def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, inp: Input, *, num_classes: int, device,
             batch_size: int = EVAL_BATCH, flip_tta: bool, translate: int = 0, bf16: bool, channels_last: bool) -> Evaluation:
    was_training = model.training
    model.eval()
    try:
        mean, std = inp.tensors(device)
        fill = black(mean, std)
        loss_sum, confusion = 0.0, torch.zeros(num_classes, num_classes, dtype=torch.int64)
        for i in range(0, images.shape[0], batch_size):
            x = prepare(images[i:i + batch_size], mean, std, device=device, channels_last=channels_last)
            y = labels[i:i + batch_size]
            out = logits(model, x, flip_tta=flip_tta, bf16=bf16, translate=translate, fill=fill).cpu()
            loss_sum += float(F.cross_entropy(out, y, reduction="sum"))
            confusion += torch.bincount(y * num_classes + out.argmax(1), minlength=num_classes ** 2).view(num_classes, num_classes)
        return Evaluation(loss_sum, int(images.shape[0]), confusion)
    finally:
        model.train(was_training)
