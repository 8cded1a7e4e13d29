"""Keras activation layers: ``ReLU``, ``LeakyReLU``, ``ELU``, ``Softmax``, ``PReLU``.

PyTorch uses the same class names for different arguments, so the core names them ``KerasReLU``
… and ``core.KERAS_ALIASES`` maps the Keras spelling to them (as for ``KerasFlatten``). Their
``type_name`` is the Keras name, so rows read ``re_lu (ReLU)`` as in ``model.summary()``.

Shape: unchanged. Cost (``costs``): one FLOP per output element, no MACs. Only ``PReLU`` has
weights: ``alpha`` of the input's shape without the batch, with a size of 1 on every
``shared_axes`` axis (``keras/src/layers/activations/prelu.py``).
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
class _KerasActivation(Layer):
    framework: ClassVar[Framework] = Framework.KERAS
    elementwise_flops: ClassVar[bool] = True
    keras_name: ClassVar[str] = ""

    @property
    def type_name(self) -> str:
        return self.keras_name

    def output_shape(self, shape):
        return tuple(shape)


def _number(layer: str, name: str, value, *, allow_none: bool = False, minimum: float | None = None) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LayerError(layer, name, tr("{name} must be a number or None, got {name}={value}", name=name, value=repr(value)) if allow_none else tr("{name} must be a number, got {name}={value}", name=name, value=repr(value)))
    if minimum is not None and value < minimum:
        raise LayerError(layer, name, tr("{name} must be >= {minimum}, got {name}={value}", name=name, minimum=minimum, value=repr(value)))


@dataclass(frozen=True)
class KerasReLU(_KerasActivation):
    """``keras.layers.ReLU(max_value=None, negative_slope=0.0, threshold=0.0)``:
    ``min(max_value, x)`` for x >= threshold, ``negative_slope·(x − threshold)`` below; MobileNetV2
    uses ``ReLU(6.0)``. One FLOP per output element.

    >>> r = KerasReLU(6.0).evaluate((None, 112, 112, 32))
    >>> r.output_shape, r.params, r.flops
    ((None, 112, 112, 32), 0, 401408)
    """

    keras_name: ClassVar[str] = "ReLU"
    max_value: float | None = None
    negative_slope: float = 0.0
    threshold: float = 0.0

    def __post_init__(self):
        _number(self.type_name, "max_value", self.max_value, allow_none=True, minimum=0)
        _number(self.type_name, "negative_slope", self.negative_slope, minimum=0)
        _number(self.type_name, "threshold", self.threshold)


@dataclass(frozen=True)
class KerasLeakyReLU(_KerasActivation):
    """``keras.layers.LeakyReLU(negative_slope=0.3)``: x for x >= 0, else negative_slope·x.

    >>> KerasLeakyReLU().evaluate((None, 10)).flops
    10
    """

    keras_name: ClassVar[str] = "LeakyReLU"
    negative_slope: float = 0.3

    def __post_init__(self):
        _number(self.type_name, "negative_slope", self.negative_slope, minimum=0)


@dataclass(frozen=True)
class KerasELU(_KerasActivation):
    """``keras.layers.ELU(alpha=1.0)``: x for x > 0, else alpha·(eˣ − 1).

    >>> KerasELU().evaluate((None, 4, 4, 2)).output_shape
    (None, 4, 4, 2)
    """

    keras_name: ClassVar[str] = "ELU"
    alpha: float = 1.0

    def __post_init__(self):
        _number(self.type_name, "alpha", self.alpha)


@dataclass(frozen=True)
class KerasSoftmax(_KerasActivation):
    """``keras.layers.Softmax(axis=-1)``: exp(x)/Σexp(x) along ``axis`` (an int or a tuple of ints).

    >>> KerasSoftmax().evaluate((None, 1000)).flops
    1000
    """

    keras_name: ClassVar[str] = "Softmax"
    axis: int | tuple = -1

    def warnings(self, shape, out):
        # Keras builds the layer whatever the axis; the error comes only when data flows through it
        axes = self.axis if isinstance(self.axis, (tuple, list)) else (self.axis,)
        if any(isinstance(a, bool) or not isinstance(a, int) or not -len(shape) <= a < len(shape) for a in axes):
            return (tr("{layer}: axis={axis} is out of range for the input {shape}; the first real call will fail; use an axis in [-{r}, {last}]", layer=self.type_name, axis=repr(self.axis), shape=fmt_shape(shape), r=len(shape), last=len(shape) - 1),)
        return ()


@dataclass(frozen=True)
class KerasPReLU(_KerasActivation):
    """``keras.layers.PReLU(shared_axes=None)``: x for x >= 0, else alpha·x with a learned alpha per
    element of one sample, shared (size 1) along ``shared_axes`` (1-based, the batch is axis 0).

    >>> r = KerasPReLU(shared_axes=(1, 2)).evaluate((None, 28, 28, 16))
    >>> [w.shape for w in r.weights], r.params
    ([(1, 1, 16)], 16)
    """

    keras_name: ClassVar[str] = "PReLU"
    shared_axes: tuple | int | None = None

    def _shared(self, shape) -> set[int]:
        axes = () if self.shared_axes is None else (self.shared_axes,) if isinstance(self.shared_axes, int) else tuple(self.shared_axes)
        for a in axes:
            if isinstance(a, bool) or not isinstance(a, int) or not 1 <= a < len(shape):
                raise LayerError(self.type_name, "shared_axes", tr("shared_axes={axes} must name axes 1..{last} of the input {shape} (0 is the batch)", axes=repr(self.shared_axes), last=len(shape) - 1, shape=fmt_shape(shape)))
        return set(axes)

    def output_shape(self, shape):
        alpha = self._alpha(shape)
        if any(d is None for d in alpha):
            raise LayerError(self.type_name, "input", tr("every non-shared axis of {shape} must be known to size alpha; share the unknown axes with shared_axes", shape=fmt_shape(shape)))
        return tuple(shape)

    def _alpha(self, shape) -> tuple:
        shared = self._shared(shape)
        return tuple(1 if i in shared else d for i, d in enumerate(shape) if i > 0)

    def weights(self, shape):
        return (Weight("alpha", self._alpha(shape)),)

    def explain(self, shape, out):
        a = self._alpha(shape)
        n = 1
        for d in a:
            n *= d
        return [tr("output shape {out} (same as input)", out=fmt_shape(out)),
                tr("params = alpha {shape} = {n} (one slope per element, shared along axes {axes})", shape=fmt_shape(a), n=f"{n:,}", axes=self.shared_axes)]
