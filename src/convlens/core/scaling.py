"""Keras layers that scale and shift values elementwise: ``Rescaling``, ``Normalization`` and the
``LayerScale`` of ``keras.applications`` ConvNeXt.

Shape: unchanged. Cost (``costs``): no MACs; one FLOP per output element (a multiply-add per
value counts as one elementwise step, like a normalisation). Weights, as Keras counts them:

* ``Rescaling(scale, offset=0.0)``: none — ``x·scale + offset``.
* ``Normalization(axis=-1, mean=None, variance=None, invert=False)``: ``(x − mean)/√variance``.
  Given ``mean``/``variance``, no weights. Left to ``adapt()``, three *non-trainable* weights:
  ``mean`` and ``variance`` of the kept axes' sizes and a scalar ``count``
  (``keras/src/layers/preprocessing/normalization.py`` ``build``); EfficientNet's has 3+3+1 = 7.
* ``LayerScale(init_values, projection_dim)`` (``keras/src/applications/convnext.py``, Touvron et al.
  2021, arXiv:2103.17239): ``x·gamma`` with a trainable ``gamma`` of ``(projection_dim,)`` (Keras
  adds it without a name, so it reports the weight as ``variable``).
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
class _Scale(Layer):
    framework: ClassVar[Framework] = Framework.KERAS
    elementwise_flops: ClassVar[bool] = True

    def output_shape(self, shape):
        return tuple(shape)


@dataclass(frozen=True)
class Rescaling(_Scale):
    """``keras.layers.Rescaling(scale, offset=0.0)``: ``x·scale + offset``; no weights.

    >>> r = Rescaling(1 / 255).evaluate((None, 224, 224, 3))
    >>> r.output_shape, r.params, r.flops
    ((None, 224, 224, 3), 0, 150528)
    """

    scale: float | tuple = None
    offset: float | tuple = 0.0

    def __post_init__(self):
        if self.scale is None:
            raise LayerError(self.type_name, "scale", tr("scale is required, e.g. Rescaling(1/255)"))

    def explain(self, shape, out):
        return [tr("output shape {out} (same as input): x·{scale} + {offset}; no parameters", out=fmt_shape(out), scale=self.scale, offset=self.offset)]


def _axes(layer: str, axis) -> tuple[int, ...]:
    """Keras ``Normalization`` standardises ``axis`` to a tuple: None -> (), int -> (int,)."""
    if axis is None:
        return ()
    axes = (axis,) if isinstance(axis, int) and not isinstance(axis, bool) else tuple(axis) if isinstance(axis, (tuple, list)) else None
    if axes is None or any(isinstance(a, bool) or not isinstance(a, int) for a in axes):
        raise LayerError(layer, "axis", tr("axis must be an int, a tuple of ints or None, got axis={axis}", axis=repr(axis)))
    return axes


@dataclass(frozen=True)
class Normalization(_Scale):
    """``keras.layers.Normalization(axis=-1, mean=None, variance=None, invert=False)``.

    Statistics are kept per index of the ``axis`` axes (channels by default). Left to ``adapt()``
    (no ``mean`` given), Keras holds them as non-trainable weights ``mean``, ``variance`` (the
    kept axes' sizes) and ``count`` (a scalar): 2·C + 1 parameters.

    >>> r = Normalization().evaluate((None, 224, 224, 3))
    >>> [(w.name, w.shape, w.trainable) for w in r.weights], r.non_trainable_params
    ([('mean', (3,), False), ('variance', (3,), False), ('count', (), False)], 7)
    >>> Normalization(mean=[0.5, 0.4, 0.4], variance=[0.05, 0.05, 0.05]).evaluate((None, 32, 32, 3)).params
    0
    """

    axis: int | tuple | None = -1
    mean: float | tuple | None = None
    variance: float | tuple | None = None
    invert: bool = False

    def __post_init__(self):
        _axes(self.type_name, self.axis)
        if (self.mean is None) != (self.variance is None):
            raise LayerError(self.type_name, "mean", tr("give both mean and variance or neither, got mean={mean} and variance={variance}", mean=repr(self.mean), variance=repr(self.variance)))

    def _kept(self, shape) -> tuple[int, ...]:
        n = len(shape)
        axes = _axes(self.type_name, self.axis)
        bad = [a for a in axes if not -n <= a < n]
        if bad:
            raise LayerError(self.type_name, "axis", tr("axis={axis} is out of range for the {n}-D input {shape}; use axes in [-{n}, {last}]", axis=repr(self.axis), n=n, shape=fmt_shape(shape), last=n - 1))
        kept = tuple(sorted(a % n for a in axes))
        if len(set(kept)) != len(kept):
            raise LayerError(self.type_name, "axis", tr("axis={axis} names the same axis of the {n}-D input {shape} twice; name each axis once", axis=repr(self.axis), n=n, shape=fmt_shape(shape)))
        unknown = [a for a in kept if shape[a] is None]
        if unknown:
            raise LayerError(self.type_name, "axis", tr("the kept axis {axis} of {shape} must have a known size", axis=unknown[0], shape=fmt_shape(shape)))
        return kept

    def output_shape(self, shape):
        self._kept(shape)
        return tuple(shape)

    def weights(self, shape):
        if self.mean is not None:
            return ()
        stats = tuple(shape[a] for a in self._kept(shape))
        return (Weight("mean", stats, False), Weight("variance", stats, False), Weight("count", (), False))

    def explain(self, shape, out):
        if self.mean is not None:
            return [tr("output shape {out} (same as input): (x − mean)/√variance with the given statistics; no parameters", out=fmt_shape(out))]
        stats = tuple(shape[a] for a in self._kept(shape))
        n = 1
        for d in stats:
            n *= d
        return [tr("output shape {out} (same as input): (x − mean)/√variance per index of axes {axes}", out=fmt_shape(out), axes=self._kept(shape)),
                tr("params = mean {n} + variance {n} + count 1 = {total} (non-trainable, set by adapt())", n=n, total=f"{2 * n + 1:,}")]


@dataclass(frozen=True)
class LayerScale(_Scale):
    """ConvNeXt's ``LayerScale(init_values, projection_dim)``: ``x·gamma``, gamma ``(projection_dim,)``
    trainable, broadcast along the last axis.

    >>> r = LayerScale(1e-6, 96).evaluate((None, 56, 56, 96))
    >>> [w.shape for w in r.weights], r.params
    ([(96,)], 96)
    """

    init_values: float = None
    projection_dim: int = None

    def __post_init__(self):
        if isinstance(self.projection_dim, bool) or not isinstance(self.projection_dim, int) or self.projection_dim <= 0:
            raise LayerError(self.type_name, "projection_dim", tr("projection_dim must be a positive int, got {value}", value=repr(self.projection_dim)))

    def output_shape(self, shape):
        # x·gamma broadcasts like numpy: a size of 1 on either side stretches to the other
        last, p = shape[-1], self.projection_dim
        if last is not None and last != p and 1 not in (last, p):
            raise LayerError(self.type_name, "projection_dim", tr("projection_dim={p} does not broadcast against the last axis of {shape}; use projection_dim={last}", p=p, shape=fmt_shape(shape), last=last))
        return tuple(shape[:-1]) + (p if last == 1 else last,)

    def weights(self, shape):
        return (Weight("variable", (self.projection_dim,)),)  # Keras adds gamma without a name

    def explain(self, shape, out):
        return [tr("output shape {out} (same as input): x·gamma", out=fmt_shape(out)), f"params = gamma ({self.projection_dim},) = {self.projection_dim:,}"]
