"""Merges of several inputs: PyTorch ``add`` (``torch.add`` / ``a + b``) and ``cat`` (``torch.cat``);
Keras ``Add`` and ``Concatenate``. Each takes a list of input shapes (``n_inputs = 0``).

Shapes follow each framework: PyTorch broadcasts like numpy (right-aligned; a size of 1 stretches);
Keras ``Add`` broadcasts every dimension but the batch, whose known sizes must agree. ``cat`` and
``Concatenate`` need every dimension but the joined one to match. Cost (``costs``): an add is one
FLOP per output element for each input after the first; a concatenation copies and costs 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from . import costs
from ._args import fmt_shape
from ._base import Layer
from .framework import Framework
from ._errors import LayerError
from ..i18n import tr


def _differ(layer: str, a, b, dims) -> LayerError:
    return LayerError(layer, "inputs", tr("shapes {a} and {b} differ in dims {dims}", a=fmt_shape(a), b=fmt_shape(b), dims=','.join(map(str, dims))))


def broadcast(layer: str, a, b, *, unknown_ok: bool = False) -> tuple:
    """numpy broadcasting of two shapes, right-aligned; ``None`` (Keras: unknown) stays unknown.

    >>> broadcast("add", (1, 64, 14, 14), (64, 1, 1))
    (1, 64, 14, 14)
    """
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out, bad = [], []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if unknown_ok and (x is None or y is None):
            out.append(None if x in (None, 1) or y in (None, 1) else x)
        elif x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            bad.append(i)
    if bad:
        raise _differ(layer, a, b, bad)
    return tuple(out)


@dataclass(frozen=True)
class _Merge(Layer):
    n_inputs: ClassVar[int] = 0

    def flops(self, shape, out, macs):
        return 0

    def explain(self, shape, out):
        return [f"{' , '.join(fmt_shape(s) for s in shape)} -> {fmt_shape(out)}"]


class add(_Merge):  # noqa: N801 - PyTorch's own function name
    """``torch.add(a, b)`` / ``a + b``: numpy broadcasting; one FLOP per output element.

    >>> add().evaluate([(1, 64, 56, 56), (1, 64, 56, 56)]).flops
    200704
    >>> add().evaluate([(1, 64, 14, 14), (1, 64, 7, 7)])
    Traceback (most recent call last):
    ...
    convlens.core._errors.LayerError: add: shapes (1, 64, 14, 14) and (1, 64, 7, 7) differ in dims 2,3
    """

    def output_shape(self, shapes):
        if len(shapes) != 2:
            raise LayerError(self.type_name, "inputs", tr("takes exactly 2 inputs, got {n}: {shapes}", n=len(shapes), shapes=', '.join(map(fmt_shape, shapes))))
        return broadcast(self.type_name, shapes[0], shapes[1])

    def flops(self, shape, out, macs):
        return costs.numel(out)


@dataclass(frozen=True)
class cat(_Merge):  # noqa: N801 - PyTorch's own function name
    """``torch.cat(tensors, dim=1)``: same rank, every dimension but ``dim`` equal; sizes along ``dim`` add.

    >>> cat(dim=1).evaluate([(1, 64, 28, 28), (1, 32, 28, 28)]).output_shape
    (1, 96, 28, 28)
    """

    dim: int = 1

    def output_shape(self, shapes):
        return _concat(self.type_name, "dim", shapes, self.dim, unknown_ok=False)


def _concat(layer, arg, shapes, axis, *, unknown_ok):
    first = shapes[0]
    r = len(first)
    if r == 0:
        raise LayerError(layer, "inputs", tr("zero-dimensional inputs cannot be concatenated: {shapes}", shapes=', '.join(map(fmt_shape, shapes))))
    if not -r <= axis < r:
        raise LayerError(layer, arg, tr("{arg}={axis} is out of range for {r}-D inputs; use {arg} in [-{r}, {last}]", arg=arg, axis=axis, r=r, last=r - 1))
    ax = axis % r
    out = list(first)
    for s in shapes[1:]:
        if len(s) != r:
            raise LayerError(layer, "inputs", tr("inputs must have the same rank, got {a} ({ra}-D) and {b} ({rb}-D)", a=fmt_shape(first), ra=r, b=fmt_shape(s), rb=len(s)))
        bad = [i for i in range(r) if i != ax and s[i] != out[i] and not (unknown_ok and (s[i] is None or out[i] is None))]
        if bad:
            raise _differ(layer, first, s, bad)
        for i in range(r):
            if i != ax and out[i] is None:
                out[i] = s[i]
        out[ax] = None if out[ax] is None or s[ax] is None else out[ax] + s[ax]
    return tuple(out)


@dataclass(frozen=True)
class Add(_Merge):
    """``keras.layers.Add()``: broadcasts every dimension but the batch (sizes of 1 stretch, ranks may
    differ); the known batch sizes must agree. One FLOP per output element per extra input.

    >>> Add().evaluate([(None, 14, 14, 64), (None, 14, 14, 64)]).output_shape
    (None, 14, 14, 64)
    """

    framework: ClassVar[Framework] = Framework.KERAS

    def output_shape(self, shapes):
        name = self.type_name
        if any(len(s) == 0 for s in shapes):
            raise LayerError(name, "inputs", tr("every input needs a batch dimension, got {shapes}", shapes=', '.join(map(fmt_shape, shapes))))
        batches = {s[0] for s in shapes} - {None}
        if len(batches) > 1:
            raise LayerError(name, "inputs", tr("inputs have different batch sizes: {shapes}", shapes=', '.join(map(fmt_shape, shapes))))
        out = tuple(shapes[0][1:])
        for s in shapes[1:]:
            try:
                out = broadcast(name, out, tuple(s[1:]), unknown_ok=True)
            except LayerError:
                raise LayerError(name, "inputs", tr("shapes {a} and {b} cannot be added: every dimension but the batch must match or be 1", a=fmt_shape(shapes[0]), b=fmt_shape(s))) from None
        return (batches.pop() if batches else None,) + out

    def flops(self, shape, out, macs):
        return costs.numel(out) * (len(shape) - 1)


@dataclass(frozen=True)
class Concatenate(_Merge):
    """``keras.layers.Concatenate(axis=-1)``: every dimension but ``axis`` must match (unknown
    sizes match anything).

    >>> Concatenate().evaluate([(None, 28, 28, 64), (None, 28, 28, 32)]).output_shape
    (None, 28, 28, 96)
    """

    framework: ClassVar[Framework] = Framework.KERAS
    axis: int = -1

    def output_shape(self, shapes):
        return _concat(self.type_name, "axis", shapes, self.axis, unknown_ok=True)
