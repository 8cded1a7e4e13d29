"""Keras ``Reshape`` and ``Permute``: they move elements, computing nothing (0 MACs, 0 FLOPs).

``Reshape(target_shape)`` keeps the batch and gives every sample ``target_shape``; one entry
may be -1, solved so the element count is unchanged (``keras/src/ops/operation_utils.py``
``compute_reshape_output_shape``; unknown when a non-batch input size is unknown).
``Permute(dims)`` reorders the non-batch axes; ``dims`` counts from 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from . import costs
from ._args import fmt_shape
from ._base import Layer, RFStep
from .framework import Framework
from ._errors import LayerError
from ..i18n import tr

_MOVED = RFStep((), (), (), is_global=True)  # the spatial layout is no longer the input's


@dataclass(frozen=True)
class Reshape(Layer):
    """``keras.layers.Reshape(target_shape)``; EfficientNet's squeeze-excite reshape:

    >>> Reshape((1, 1, 32)).evaluate((None, 32)).output_shape
    (None, 1, 1, 32)
    >>> Reshape((-1, 8)).evaluate((None, 4, 4, 2)).output_shape  # 32 elements = 4 × 8
    (None, 4, 8)
    """

    framework: ClassVar[Framework] = Framework.KERAS
    target_shape: tuple = None

    def __post_init__(self):
        t = self.target_shape
        if not isinstance(t, (tuple, list)) or any(isinstance(d, bool) or not isinstance(d, int) or (d <= 0 and d != -1) for d in t):
            raise LayerError(self.type_name, "target_shape", tr("target_shape must be a tuple of positive ints with at most one -1, got {value}", value=repr(t)))
        if list(t).count(-1) > 1:
            raise LayerError(self.type_name, "target_shape", tr("target_shape={value} has more than one -1; at most one size can be solved", value=repr(tuple(t))))

    def output_shape(self, shape):
        target = tuple(self.target_shape)
        sample = shape[1:]
        known = costs.numel(d for d in target if d != -1)
        if None in sample:
            return (shape[0],) + tuple(None if d == -1 else d for d in target)
        n = costs.numel(sample)
        if -1 in target:
            if known == 0 or n % known:
                raise LayerError(self.type_name, "target_shape", tr("target_shape={target} cannot hold the {count} elements of a sample of {shape}: {n} is not a multiple of {known}", target=repr(target), count=f"{n:,}", shape=fmt_shape(shape), n=n, known=known))
            return (shape[0],) + tuple(n // known if d == -1 else d for d in target)
        if known != n:
            raise LayerError(self.type_name, "target_shape", tr("target_shape={target} holds {known} elements but a sample of {shape} has {n}; the product must be {n}", target=repr(target), known=f"{known:,}", shape=fmt_shape(shape), n=f"{n:,}"))
        return (shape[0],) + target

    def rf_step(self, shape):
        out = self.output_shape(shape)
        return None if tuple(out[1:-1]) == tuple(shape[1:-1]) else _MOVED

    def explain(self, shape, out):
        return [tr("{shape} -> {out}: {n} elements per sample, moved, not computed; no parameters", shape=fmt_shape(shape), out=fmt_shape(out), n=f"{costs.numel(shape[1:]):,}")]


@dataclass(frozen=True)
class Permute(Layer):
    """``keras.layers.Permute(dims)``: ``dims`` is a permutation of 1..rank−1.

    >>> Permute((2, 1)).evaluate((None, 10, 64)).output_shape
    (None, 64, 10)
    """

    framework: ClassVar[Framework] = Framework.KERAS
    dims: tuple = None

    def output_shape(self, shape):
        dims = tuple(self.dims) if isinstance(self.dims, (tuple, list)) else None
        if dims is None or sorted(dims) != list(range(1, len(shape))):
            raise LayerError(self.type_name, "dims", tr("dims={dims} must be a permutation of 1..{last} for the input {shape}", dims=repr(self.dims), last=len(shape) - 1, shape=fmt_shape(shape)))
        return (shape[0],) + tuple(shape[d] for d in dims)

    def rf_step(self, shape):
        return _MOVED

    def explain(self, shape, out):
        return [tr("{shape} -> {out}: axes reordered as {dims}; no parameters", shape=fmt_shape(shape), out=fmt_shape(out), dims=tuple(self.dims))]
