"""Keras ``Cropping1D/2D/3D`` and ``UpSampling1D/2D/3D``: one implementation over the spatial rank.

Per spatial axis (``keras/src/layers/reshaping/cropping2d.py``, ``up_sampling2d.py``)::

    Cropping:    out = in − before − after        (Keras raises unless before + after < in)
    UpSampling:  out = in · size                  (every pixel repeated ``size`` times, 'nearest')

Cost (``costs``): none for cropping and 'nearest' upsampling (elements are copied); 'bilinear'
and the other interpolations: one FLOP per output element. No weights.

Receptive field (``RFStep``): a crop is a 1-wide window with a stride of 1 and a *negative*
padding (the first output pixel is input pixel ``before``); an upsampling is a 1-wide window with
a stride of ``1/size`` (``size`` outputs per input pixel).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from . import costs
from ._args import fmt_shape
from ._base import Layer, RFStep
from .framework import Framework
from ._errors import LayerError
from .keras_conventions import keras_data_format, keras_tuple
from .window import axis_letters, join_spatial, split_spatial
from ..i18n import tr

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")


@dataclass(frozen=True)
class _Resample(Layer):
    framework: ClassVar[Framework] = Framework.KERAS
    n: ClassVar[int] = 2

    def _layout(self, shape):
        if len(shape) != self.n + 2:
            layout = ", ".join([tr("batch")] + [tr("spatial")] * self.n + [tr("channels")])  # (batch, spatial, spatial, channels)
            raise LayerError(self.type_name, "input", tr("expected a {rank}-D input ({layout}), got {got}-D {shape}", rank=self.n + 2, layout=layout, got=len(shape), shape=fmt_shape(shape)))
        return split_spatial(shape, self.n, self._last)


@dataclass(frozen=True)
class _CroppingNd(_Resample):
    """``keras.layers.CroppingND(cropping, data_format=None)``: an int, one (before, after) pair or
    int per axis, or a pair per axis."""

    cropping: int | tuple = 1
    data_format: str | None = None

    def __post_init__(self):
        name, n, c = self.type_name, self.n, self.cropping
        object.__setattr__(self, "_last", keras_data_format(name, self.data_format) == "channels_last" if n > 1 else True)
        if n == 1:
            pairs = (keras_tuple(name, "cropping", c, 2, allow_zero=True),)
        elif isinstance(c, int) and not isinstance(c, bool):
            pairs = ((c, c),) * n
            keras_tuple(name, "cropping", c, 1, allow_zero=True)
        elif isinstance(c, (tuple, list)) and len(c) == n:
            pairs = tuple(keras_tuple(name, "cropping", p, 2, allow_zero=True) for p in c)
        else:
            raise LayerError(name, "cropping", tr("cropping must be an int, a tuple of {n} ints or a tuple of {n} (before, after) pairs, got {value}", n=n, value=repr(c)))
        object.__setattr__(self, "_pairs", pairs)

    def output_shape(self, shape):
        c, spatial = self._layout(shape)
        out = []
        for size, (a, b) in zip(spatial, self._pairs):
            if size is not None and a + b >= size:
                raise LayerError(self.type_name, "cropping", tr("cropping {a} + {b} leaves nothing of the input {shape} (size {size}); the crop must be smaller than the input", a=a, b=b, shape=fmt_shape(shape), size=size))
            out.append(None if size is None else size - a - b)
        return join_spatial(shape, self.n, self._last, c, tuple(out))

    def rf_step(self, shape):
        return RFStep((1,) * self.n, (1,) * self.n, tuple(-a for a, _ in self._pairs))

    def explain(self, shape, out):
        spatial, o = self._layout(shape)[1], split_spatial(out, self.n, self._last)[1]
        axes = axis_letters(self.n)
        return [f"{ax}_out = {i} − {a} − {b} = {v}" for ax, i, (a, b), v in zip(axes, spatial, self._pairs, o)] + [tr("no parameters; elements are copied")]


class Cropping1D(_CroppingNd, n=1):
    """``keras.layers.Cropping1D(cropping=(1, 1))``.

    >>> Cropping1D((2, 3)).evaluate((None, 10, 4)).output_shape
    (None, 5, 4)
    """


@dataclass(frozen=True)
class Cropping2D(_CroppingNd):
    """``keras.layers.Cropping2D(cropping=((0, 0), (0, 0)))``.

    >>> Cropping2D(((0, 1), (0, 1))).evaluate((None, 22, 22, 96)).output_shape  # NASNet
    (None, 21, 21, 96)
    """

    cropping: int | tuple = ((0, 0), (0, 0))
    n: ClassVar[int] = 2


@dataclass(frozen=True)
class Cropping3D(_CroppingNd):
    """``keras.layers.Cropping3D(cropping=((1, 1), (1, 1), (1, 1)))``.

    >>> Cropping3D().evaluate((None, 8, 8, 8, 2)).output_shape
    (None, 6, 6, 6, 2)
    """

    cropping: int | tuple = ((1, 1), (1, 1), (1, 1))
    n: ClassVar[int] = 3


@dataclass(frozen=True)
class _UpSamplingNd(_Resample):
    """``keras.layers.UpSamplingND(size, data_format=None[, interpolation='nearest'])``."""

    size: int | tuple = 2
    data_format: str | None = None

    def __post_init__(self):
        name = self.type_name
        object.__setattr__(self, "_last", keras_data_format(name, self.data_format) == "channels_last" if self.n > 1 else True)
        if self.n == 1 and (isinstance(self.size, bool) or not isinstance(self.size, int)):
            raise LayerError(name, "size", tr("size must be an int for {layer}, got size={value}", layer=name, value=repr(self.size)))
        object.__setattr__(self, "_size", keras_tuple(name, "size", self.size, self.n))

    def output_shape(self, shape):
        c, spatial = self._layout(shape)
        return join_spatial(shape, self.n, self._last, c, tuple(None if i is None else i * s for i, s in zip(spatial, self._size)))

    def flops(self, shape, out, macs):
        return 0 if getattr(self, "interpolation", "nearest") == "nearest" else costs.numel(out)

    def rf_step(self, shape):
        return RFStep((1,) * self.n, tuple(Fraction(1, s) if s > 1 else 1 for s in self._size), (0,) * self.n)

    def explain(self, shape, out):
        spatial, o = self._layout(shape)[1], split_spatial(out, self.n, self._last)[1]
        axes = axis_letters(self.n)
        how = getattr(self, "interpolation", "nearest")
        return [f"{ax}_out = {i} · {s} = {v}" for ax, i, s, v in zip(axes, spatial, self._size, o)] + [tr("no parameters; {how} interpolation", how=f"'{how}'")]


class UpSampling1D(_UpSamplingNd, n=1):
    """``keras.layers.UpSampling1D(size=2)``.

    >>> UpSampling1D(3).evaluate((None, 10, 4)).output_shape
    (None, 30, 4)
    """


@dataclass(frozen=True)
class UpSampling2D(_UpSamplingNd):
    """``keras.layers.UpSampling2D(size=(2, 2), data_format=None, interpolation='nearest')``.

    >>> UpSampling2D(2).evaluate((None, 7, 7, 64)).output_shape
    (None, 14, 14, 64)
    >>> UpSampling2D((2, 3), interpolation="bilinear").evaluate((None, 4, 4, 1)).flops
    96
    """

    size: int | tuple = (2, 2)
    interpolation: str = "nearest"
    n: ClassVar[int] = 2

    def __post_init__(self):
        super().__post_init__()
        if str(self.interpolation).lower() not in _INTERPOLATIONS:
            raise LayerError(self.type_name, "interpolation", tr("interpolation={value} is not one of {choices}", value=repr(self.interpolation), choices=', '.join(map(repr, _INTERPOLATIONS))))


@dataclass(frozen=True)
class UpSampling3D(_UpSamplingNd):
    """``keras.layers.UpSampling3D(size=(2, 2, 2))``.

    >>> UpSampling3D().evaluate((None, 4, 4, 4, 8)).output_shape
    (None, 8, 8, 8, 8)
    """

    size: int | tuple = (2, 2, 2)
    n: ClassVar[int] = 3


__all__ = ["Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D", "UpSampling3D"]
