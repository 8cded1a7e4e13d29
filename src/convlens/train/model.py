"""The model to train: built from a zoo name or a ``file.py:Class`` target, and checked against
the data (channels, size, classes) with convlens's own summary before any training starts."""

from __future__ import annotations

import inspect
import json

import torch
import torch.nn as nn

from ..core.framework import Framework
from ..errors import UserError
from ..i18n import tr


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
            raise ModelMismatchError(tr("{model} is a Keras model; convlens train trains PyTorch models", model=entry.name))
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
        raise ModelMismatchError(tr("{model} is not a PyTorch nn.Module; convlens train trains PyTorch models", model=model))
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
    size_text = f"{channels}×{size[0]}×{size[1]}"
    given = "x".join(map(str, shape))
    if s.errors:
        d = s.errors[0]
        problem = d.message
        if d.layer and d.layer not in d.message:
            problem = tr("{message} at {layer}", message=d.message, layer=d.layer)
        if d.fix:
            problem = f"{problem}; {d.fix}"
        raise ModelMismatchError(tr("{model} cannot train on {size} images: {problem} (see `convlens check` with --input {input})",
                                    model=model, size=size_text, problem=problem, input=given))
    if s.failed or not s.output_shapes:
        raise ModelMismatchError(tr("{model}: the forward pass fails on {size} images (see `convlens summary` with --input {input})",
                                    model=model, size=size_text, input=given))
    out = tuple(s.output_shapes[0])
    if out != (1, num_classes):
        raise ModelMismatchError(tr("{model} outputs shape {shape} for one {size} image, but the data has {n} classes: it must output "
                                    "(1, {n}); e.g. --model-args {example}", model=model, shape=out, size=size_text, n=num_classes,
                                    example=f"'{{\"num_classes\": {num_classes}}}'"))
    return s.total_params
