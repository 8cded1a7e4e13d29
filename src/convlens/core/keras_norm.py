"""Keras ``LayerNormalization``: statistics over the ``axis`` axes of each sample.

``keras.layers.LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True,
rms_scaling=False)`` (``keras/src/layers/normalization/layer_normalization.py``): gamma (if
``scale`` or ``rms_scaling``) and beta (if ``center`` and not ``rms_scaling``), both trainable, each
of the sizes of the ``axis`` axes. Shape unchanged; cost one FLOP per output element, no MACs
(``costs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._args import fmt_shape
from ._base import Layer, Weight
from .framework import Framework
from ._errors import LayerError
from ..i18n import tr


@dataclass(frozen=True)
class LayerNormalization(Layer):
    """``keras.layers.LayerNormalization``; ConvNeXt-Tiny's first one on 56×56×96:

    >>> r = LayerNormalization(epsilon=1e-6).evaluate((None, 56, 56, 96))
    >>> [(w.name, w.shape) for w in r.weights], r.params
    ([('gamma', (96,)), ('beta', (96,))], 192)
    >>> LayerNormalization(axis=(1, 2)).evaluate((None, 4, 5, 6)).params
    40
    """

    framework: ClassVar[Framework] = Framework.KERAS
    elementwise_flops: ClassVar[bool] = True
    axis: int | tuple = -1
    epsilon: float = 1e-3
    center: bool = True
    scale: bool = True
    rms_scaling: bool = False

    def _stat_shape(self, shape) -> tuple[int, ...]:
        axes = tuple(self.axis) if isinstance(self.axis, (tuple, list)) else (self.axis,)
        n = len(shape)
        for a in axes:
            if isinstance(a, bool) or not isinstance(a, int) or not -n <= a < n:
                raise LayerError(self.type_name, "axis", tr("axis={axis} is out of range for the {n}-D input {shape}; use axes in [-{n}, {last}]", axis=repr(self.axis), n=n, shape=fmt_shape(shape), last=n - 1))
        dims = tuple(shape[a] for a in (sorted(axes) if isinstance(self.axis, (tuple, list)) else axes))
        if None in dims:
            raise LayerError(self.type_name, "axis", tr("the normalised axes {axes} of {shape} must have known sizes", axes=repr(self.axis), shape=fmt_shape(shape)))
        return dims

    def output_shape(self, shape):
        self._stat_shape(shape)
        return tuple(shape)

    def weights(self, shape):
        dims = self._stat_shape(shape)
        w = (Weight("gamma", dims),) if self.scale or self.rms_scaling else ()
        return w + ((Weight("beta", dims),) if self.center and not self.rms_scaling else ())

    def explain(self, shape, out):
        dims = self._stat_shape(shape)
        n = 1
        for d in dims:
            n *= d
        k = len(self.weights(shape))
        return [tr("output shape {out} (same as input); mean and variance over axis {axis} of each sample", out=fmt_shape(out), axis=self.axis),
                f"params = {k} × {n} (gamma{', beta' if k == 2 else ''}) = {k * n:,}"]
