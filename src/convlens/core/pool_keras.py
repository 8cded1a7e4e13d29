"""Keras pooling: ``MaxPooling1D/2D/3D``, ``AveragePooling1D/2D/3D``,
``GlobalAveragePooling1D/2D/3D``, ``GlobalMaxPooling1D/2D/3D``.

The window sweep is Keras's (``keras_conventions.keras_window_out``: 'valid' floors, 'same' is
⌈in/stride⌉); pooling has no weights and costs one FLOP per output element (``costs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..i18n import N_, tr
from . import costs
from ._args import fmt_shape, fmt_tuple
from ._base import Layer, RFStep
from .framework import Framework
from ._errors import LayerError
from .keras_conventions import keras_data_format, keras_pads, keras_padding, keras_tuple, keras_window_out
from .window import axis_letters, join_spatial, split_spatial, window_warnings


@dataclass(frozen=True)
class _KerasPoolNd(Layer):
    """``keras.layers.MaxPoolingND / AveragePoolingND(pool_size, strides=None, padding='valid',
    data_format=None)``; strides None = pool_size; 'same' gives ⌈in / stride⌉
    (``compute_pooling_output_shape``)."""

    framework: ClassVar[Framework] = Framework.KERAS
    elementwise_flops: ClassVar[bool] = True
    pool_size: int | tuple = 2
    strides: int | tuple | None = None
    padding: str = "valid"
    data_format: str | None = None
    n: ClassVar[int] = 2
    _cost_line: ClassVar[str] = N_("params = 0; one max per output element: {flops} FLOPs")  # explain()'s last line

    def __post_init__(self):
        name, n = self.type_name, self.n
        k = keras_tuple(name, "pool_size", self.pool_size, n)
        s = k if self.strides is None else keras_tuple(name, "strides", self.strides, n)
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_pad", keras_padding(name, self.padding))
        object.__setattr__(self, "_last", keras_data_format(name, self.data_format) == "channels_last")

    def output_shape(self, shape):
        name, n = self.type_name, self.n
        if len(shape) != n + 2:
            raise LayerError(name, "input", tr("expected a {want}-D input, got {rank}-D {shape}", want=n + 2, rank=len(shape), shape=fmt_shape(shape)))
        c, spatial = split_spatial(shape, n, self._last)
        out = tuple(keras_window_out(size, k, s, 1, self._pad) for size, k, s in zip(spatial, self._k, self._s))
        if self._pad == "valid" and any(o <= 0 for o in out):
            raise LayerError(name, "pool_size", tr("computed output size {out} would be zero or negative: input {size}, pool_size {pool_size}, strides {strides}; use padding='same' or an input of at least {pool_size}",
                                                       out=fmt_tuple(out), size=fmt_tuple(spatial), pool_size=fmt_tuple(self._k), strides=fmt_tuple(self._s)))
        return join_spatial(shape, n, self._last, c, out)

    def _pads(self, shape):
        spatial = split_spatial(shape, self.n, self._last)[1]
        return tuple(keras_pads(size, k, s, 1, self._pad) for size, k, s in zip(spatial, self._k, self._s))

    def rf_step(self, shape):
        return RFStep(self._k, self._s, tuple(a for a, _ in self._pads(shape)))

    def warnings(self, shape, out):
        spatial, o_spatial = split_spatial(shape, self.n, self._last)[1], split_spatial(out, self.n, self._last)[1]
        return window_warnings(self.type_name, spatial, o_spatial, self._k, self._s, self._pads(shape), (1,) * self.n, self._pad == "same")

    def explain(self, shape, out):
        spatial, o_spatial = split_spatial(shape, self.n, self._last)[1], split_spatial(out, self.n, self._last)[1]
        lines = []
        for ax, size, o, k, s, (a, b) in zip(axis_letters(self.n), spatial, o_spatial, self._k, self._s, self._pads(shape)):
            if self._pad == "valid":
                lines.append(f"{ax}_out = ⌊({size} − {k}) / {s}⌋ + 1 = {o}  (padding='valid')")
            else:
                lines.append(tr("{formula}  (padding='same': {before} before, {after} after)", formula=f"{ax}_out = ⌈{size} / {s}⌉ = {o}", before=a, after=b))
        lines.append(tr(self._cost_line, flops=f"{costs.numel(out):,}"))
        return lines


class MaxPooling1D(_KerasPoolNd, n=1):
    """``keras.layers.MaxPooling1D``."""


class MaxPooling2D(_KerasPoolNd, n=2):
    """``keras.layers.MaxPooling2D``: the tutorial's ``MaxPooling2D((2, 2), strides=2, padding='same')``.

    >>> MaxPooling2D((2, 2), strides=2, padding="same").evaluate((None, 7, 7, 25)).output_shape
    (None, 4, 4, 25)
    """


class MaxPooling3D(_KerasPoolNd, n=3):
    """``keras.layers.MaxPooling3D``."""


class _KerasAveragePoolNd(_KerasPoolNd):
    _cost_line = N_("params = 0; one mean per output element: {flops} FLOPs")  # what each window computes, as explain() says it


class AveragePooling1D(_KerasAveragePoolNd, n=1):
    """``keras.layers.AveragePooling1D``."""


class AveragePooling2D(_KerasAveragePoolNd, n=2):
    """``keras.layers.AveragePooling2D``; 'valid' floors: 7×7 → 3×3.

    >>> AveragePooling2D(2).evaluate((None, 7, 7, 8)).output_shape
    (None, 3, 3, 8)
    """


class AveragePooling3D(_KerasAveragePoolNd, n=3):
    """``keras.layers.AveragePooling3D``."""


@dataclass(frozen=True)
class _KerasGlobalPoolNd(Layer):
    """``keras.layers.GlobalXPoolingND(data_format=None, keepdims=False)``: (B, *spatial, C) → (B, C),
    or (B, 1, ..., 1, C) with keepdims."""

    framework: ClassVar[Framework] = Framework.KERAS
    elementwise_flops: ClassVar[bool] = True
    data_format: str | None = None
    keepdims: bool = False
    n: ClassVar[int] = 2
    _explained: ClassVar[str] = N_("{change}: one mean over all {positions} positions per channel")  # explain()'s first line

    def __post_init__(self):
        object.__setattr__(self, "_last", keras_data_format(self.type_name, self.data_format) == "channels_last")

    def output_shape(self, shape):
        n = self.n
        if len(shape) != n + 2:
            raise LayerError(self.type_name, "input", tr("expected a {want}-D input, got {rank}-D {shape}", want=n + 2, rank=len(shape), shape=fmt_shape(shape)))
        c = split_spatial(shape, n, self._last)[0]
        if self.keepdims:
            return join_spatial(shape, n, self._last, c, (1,) * n)
        return (shape[0], c)

    def flops(self, shape, out, macs):
        return costs.numel(out)

    def rf_step(self, shape):
        spatial = split_spatial(shape, self.n, self._last)[1]
        return RFStep(spatial, spatial, (0,) * self.n, is_global=True)

    def explain(self, shape, out):
        spatial = split_spatial(shape, self.n, self._last)[1]
        return [tr(self._explained, change=f"{fmt_shape(shape)} -> {fmt_shape(out)}", positions=fmt_tuple(spatial)),
                tr("params = 0; FLOPs = {flops} (one per output element)", flops=f"{costs.numel(out):,}")]


class GlobalAveragePooling1D(_KerasGlobalPoolNd, n=1):
    """``keras.layers.GlobalAveragePooling1D``."""


class GlobalAveragePooling2D(_KerasGlobalPoolNd, n=2):
    """``keras.layers.GlobalAveragePooling2D``.

    >>> GlobalAveragePooling2D().evaluate((None, 7, 7, 512)).output_shape
    (None, 512)
    >>> GlobalAveragePooling2D(keepdims=True).evaluate((None, 7, 7, 512)).output_shape
    (None, 1, 1, 512)
    """


class GlobalAveragePooling3D(_KerasGlobalPoolNd, n=3):
    """``keras.layers.GlobalAveragePooling3D``."""


class _KerasGlobalMaxPoolNd(_KerasGlobalPoolNd):
    _explained = N_("{change}: one max over all {positions} positions per channel")


class GlobalMaxPooling1D(_KerasGlobalMaxPoolNd, n=1):
    """``keras.layers.GlobalMaxPooling1D``."""


class GlobalMaxPooling2D(_KerasGlobalMaxPoolNd, n=2):
    """``keras.layers.GlobalMaxPooling2D``."""


class GlobalMaxPooling3D(_KerasGlobalMaxPoolNd, n=3):
    """``keras.layers.GlobalMaxPooling3D``."""
