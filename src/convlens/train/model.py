"""The model to train: built from a zoo name or a ``file.py:Class`` target, and checked against
the data (channels, size, classes) with convlens's own summary before any training starts."""

from __future__ import annotations

import inspect
import json

import torch
import torch.nn as nn

from ..core.framework import Framework
from ..errors import UserError


class ModelMismatchError(UserError):
    """The model cannot take the data's images or does not output one logit per class."""


def _zoo_name(model: str) -> str | None:
    if model.startswith("zoo:"):
        return model[4:]
    return None if ":" in model else model


def build(model: str, model_args: str, *, channels: int, num_classes: int, device: str = "cpu") -> nn.Module:
    """Zoo models get ``num_classes`` and ``in_channels`` from the data when their factory takes
    them (and ``model_args`` does not set them); targets get ``model_args`` only."""
    args = json.loads(model_args)
    name = _zoo_name(model)
    if name is not None:
        from .. import zoo

        entry = zoo.get(name)  # UnknownModelError lists close names
        if entry.framework is not Framework.TORCH:
            raise ModelMismatchError(f"{entry.name} is a Keras model; convlens train trains PyTorch models")
        accepted = {p.name for p in inspect.signature(entry.load_factory()).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY}
        for key, value in (("num_classes", num_classes), ("in_channels", channels)):
            if key in accepted:
                args.setdefault(key, value)
        with torch.device(device):
            return zoo.build(entry.name, **args)
    from ..targets import Request, TargetError, resolve

    try:
        net = resolve(model, Request.make(args=args, device=device)).model
    except TargetError as exc:
        raise ModelMismatchError(str(exc)) from None
    if not isinstance(net, nn.Module):
        raise ModelMismatchError(f"{model} is not a PyTorch nn.Module; convlens train trains PyTorch models")
    return net


def check(model: str, model_args: str, *, channels: int, size: tuple[int, int], num_classes: int) -> int:
    """Build the model on the meta device and trace it on one (1, C, H, W) image; refuse with the
    reason when convlens's diagnostics find an error or the output is not (1, num_classes).
    Returns the parameter count."""
    from ..frontends.torch import SummaryError, summary

    net = build(model, model_args, channels=channels, num_classes=num_classes, device="meta")
    shape = (1, channels, *size)
    try:
        s = summary(net, shape, device="meta", memory=False)
    except SummaryError as exc:
        raise ModelMismatchError(f"{model}: {exc}") from None
    data = f"{channels}×{size[0]}×{size[1]} images"
    if s.errors:
        d = s.errors[0]
        where = f" at {d.layer}" if d.layer and d.layer not in d.message else ""
        fix = f"; {d.fix}" if d.fix else ""
        raise ModelMismatchError(f"{model} cannot train on {data}: {d.message}{where}{fix} "
                                 f"(see `convlens check` with --input {'x'.join(map(str, shape))})")
    if s.failed or not s.output_shapes:
        raise ModelMismatchError(f"{model}: the forward pass fails on {data} (see `convlens summary` with --input {'x'.join(map(str, shape))})")
    out = tuple(s.output_shapes[0])
    if out != (1, num_classes):
        raise ModelMismatchError(f"{model} outputs shape {out} for one {data[:-1]}, but the data has {num_classes} classes: "
                                 f"it must output (1, {num_classes}); e.g. --model-args '{{\"num_classes\": {num_classes}}}'")
    return s.total_params
