"""Keras convolutions: ``Conv1D/2D/3D``, ``DepthwiseConv2D``, ``SeparableConv2D``,
``Conv2DTranspose``.

Shapes follow Keras (``keras/src/ops/operation_utils.py``) through ``keras_conventions``::

    'valid': out = ⌊(in − dilation·(kernel − 1) − 1) / stride⌋ + 1
    'same' / 'causal': out = ⌈in / stride⌉  (padding split with the extra pixel at the end)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import ClassVar

from ..i18n import N_, tr, trn
from . import costs
from ._args import fmt_shape, fmt_tuple
from ._base import KERNEL_AXES, Layer, RFStep, Role, Shape, Weight, DeclaredWeight
from .framework import Framework
from ._errors import LayerError
from .conv import CHANNEL_BIAS, _param_lines
from .keras_conventions import (
    keras_activation, keras_data_format, keras_explain_axes, keras_pads, keras_padding, keras_tuple, keras_window_shape,
)
from .window import axis_letters, effective_kernels, join_spatial, keras_transposed_out_size, split_spatial, window_warnings


# the bias of a Keras convolution with ``filters``
_FILTER_BIAS = DeclaredWeight("bias", ("out",), Role.BIAS, N_("one value added to every position of each filter's output"))


class _KerasWindow(Layer):
    """What every Keras convolution shares (no fields): Keras' window shape rules, padding,
    receptive-field step, warnings and FLOPs. Subclasses give ``_out_channels`` and the weights."""

    framework: ClassVar[Framework] = Framework.KERAS
    groups: ClassVar[int] = 1  # overridden by the groups field of Conv1D/2D/3D

    def _require(self, *, given: dict, positive: tuple[str, ...]) -> None:
        """Each argument in ``given`` must be there (its value: the example the message offers), then
        each in ``positive`` a positive integer; the first that is not is the one named."""
        for arg, example in given.items():
            if getattr(self, arg) is None:
                raise LayerError(self.type_name, arg, tr("{arg} is required, e.g. {example}", arg=arg, example=f"{arg}={example}"))
        for arg in positive:
            _positive(self.type_name, arg, getattr(self, arg))

    def _common(self, *, allow_causal=False, check_dilated_strides=True):
        name, n = self.type_name, self.n
        k = keras_tuple(name, "kernel_size", self.kernel_size, n)
        s = keras_tuple(name, "strides", self.strides, n)
        d = keras_tuple(name, "dilation_rate", self.dilation_rate, n)
        if check_dilated_strides and max(s) > 1 and max(d) > 1:
            raise LayerError(name, "strides", tr("strides={strides} > 1 cannot be combined with dilation_rate={dilation_rate} > 1; use one or the other",
                                                   strides=fmt_tuple(s), dilation_rate=fmt_tuple(d)))
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_d", d)
        object.__setattr__(self, "_pad", keras_padding(name, self.padding, allow_causal=allow_causal))
        object.__setattr__(self, "_last", keras_data_format(name, self.data_format) == "channels_last")
        object.__setattr__(self, "_act", keras_activation(name, self.activation) not in (None, "linear"))

    def _in_channels(self, shape) -> tuple[int, tuple, tuple]:
        c, spatial, out = keras_window_shape(self.type_name, shape, self.n, self._last, self._k, self._s, self._d, self._pad)
        if c is None:
            raise LayerError(self.type_name, "input", tr("the channel dimension of {shape} must be known", shape=fmt_shape(shape)))
        return c, spatial, out

    def output_shape(self, shape):
        c, _, out = self._in_channels(shape)
        if c % self.groups:
            raise LayerError(self.type_name, "groups", tr("input channels {c} of {shape} are not divisible by groups={groups}", c=c, shape=fmt_shape(shape), groups=self.groups))
        return join_spatial(shape, self.n, self._last, self._out_channels(c), out)

    def _c(self, shape) -> int:
        return shape[-1] if self._last else shape[1]

    def flops(self, shape, out, macs):
        return costs.flops(macs, costs.numel(out) * (int(self.use_bias) + int(self._act)))

    def _pads(self, shape):
        spatial = split_spatial(shape, self.n, self._last)[1]
        return tuple(keras_pads(size, k, s, d, self._pad) for size, k, s, d in zip(spatial, self._k, self._s, self._d))

    def rf_step(self, shape):
        return RFStep(effective_kernels(self._k, self._d), self._s, tuple(a for a, _ in self._pads(shape)))

    def warnings(self, shape, out):
        spatial = split_spatial(shape, self.n, self._last)[1]
        o_spatial = split_spatial(out, self.n, self._last)[1]
        return window_warnings(self.type_name, spatial, o_spatial, self._k, self._s, self._pads(shape), self._d, self._pad == "same")



@dataclass(frozen=True)
class _KerasConvNd(_KerasWindow):
    """``keras.layers.ConvND(filters, kernel_size, strides=1, padding='valid', data_format=None,
    dilation_rate=1, groups=1, activation=None, use_bias=True)``; kernel
    ``(*kernel_size, in/groups, filters)``, bias ``(filters,)``."""

    declared_weights: ClassVar = (
        DeclaredWeight("kernel", (KERNEL_AXES, "in", "out"), Role.KERNEL, N_("one kernel per input channel of its group and filter; each filter sums its kernels' responses")),
        _FILTER_BIAS,
    )

    filters: int | None = None
    kernel_size: int | tuple = None
    strides: int | tuple = 1
    padding: str = "valid"  # 'valid', 'same' ('causal' for Conv1D)
    data_format: str | None = None  # None = 'channels_last'
    dilation_rate: int | tuple = 1
    groups: int = 1
    activation: str | None = None  # one FLOP per output element unless None/'linear'
    use_bias: bool = True
    n: ClassVar[int] = 2

    def __post_init__(self):
        name, n = self.type_name, self.n
        self._require(given={"filters": 32, "kernel_size": 3}, positive=("filters", "groups"))
        if self.filters % self.groups:
            raise LayerError(name, "filters", tr("{arg} is not divisible by {groups}; use a multiple of {g}", arg=f"filters={self.filters}", groups=f"groups={self.groups}", g=self.groups))
        self._common(allow_causal=n == 1)

    def _out_channels(self, c: int) -> int:
        return self.filters

    def weights(self, shape):
        w = (Weight("kernel", self._k + (self._c(shape) // self.groups, self.filters)),)
        return w + ((Weight("bias", (self.filters,)),) if self.use_bias else ())

    def macs(self, shape, out):
        oc = self._c(out)
        return costs.conv_macs(costs.numel(out) // oc if oc else 0, oc, self._c(shape) // self.groups, self._k)

    def explain(self, shape, out):
        c = self._c(shape)
        lines = keras_explain_axes(shape, out, self.n, self._last, self._k, self._s, self._d, self._pad)
        lines += _param_lines(self.filters, c, self.groups, self._k, self.use_bias, self.param_count(shape))
        oc = self._c(out)
        lines.append(tr("MACs = {positions} output positions × {filters} filters × {per}·{kernel} = {macs}",
                        positions=f"{costs.numel(out) // oc:,}", filters=oc, per=c // self.groups,
                        kernel="·".join(map(str, self._k)), macs=f"{self.macs(shape, out):,}"))
        if self._act:
            lines.append(tr("activation {name}: one FLOP per output element ({n})", name=f"'{self.activation}'", n=f"{costs.numel(out):,}"))
        return lines


def _positive(layer: str, name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise LayerError(layer, name, tr("{arg} must be a positive integer, got {got}", arg=name, got=f"{name}={value!r}"))


class Conv1D(_KerasConvNd, n=1):
    """``keras.layers.Conv1D``; 'causal' pads ``dilation·(kernel−1)`` on the left only.

    >>> Conv1D(16, 3, padding="causal").evaluate((None, 100, 8)).output_shape
    (None, 100, 16)
    """


class Conv2D(_KerasConvNd, n=2):
    """``keras.layers.Conv2D``: the tutorial's ``Conv2D(75, 3, padding='same')`` on 28×28×1.

    >>> r = Conv2D(75, (3, 3), strides=1, padding="same", activation="relu").evaluate((None, 28, 28, 1))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((None, 28, 28, 75), [(3, 3, 1, 75), (75,)], 750)
    """


class Conv3D(_KerasConvNd, n=3):
    """``keras.layers.Conv3D``."""


@dataclass(frozen=True)
class DepthwiseConv2D(_KerasWindow):
    """``keras.layers.DepthwiseConv2D(kernel_size, strides=1, padding='valid', depth_multiplier=1,
    data_format=None, dilation_rate=1, activation=None, use_bias=True)``.

    Every input channel gets its own ``depth_multiplier`` filters: kernel ``(kh, kw, C, depth_multiplier)``
    (Keras 3 names it ``kernel``), bias ``(C·depth_multiplier,)``; params = kh·kw·C·m + C·m.

    >>> r = DepthwiseConv2D(3, padding="same").evaluate((None, 56, 56, 32))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((None, 56, 56, 32), [(3, 3, 32, 1), (32,)], 320)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("kernel", (KERNEL_AXES, "in", "mult"), Role.KERNEL, N_("depth_multiplier kernels per input channel, each seeing only that channel")),
        CHANNEL_BIAS,
    )

    kernel_size: int | tuple = None
    strides: int | tuple = 1
    padding: str = "valid"
    depth_multiplier: int = 1
    data_format: str | None = None
    dilation_rate: int | tuple = 1
    activation: str | None = None
    use_bias: bool = True
    n: ClassVar[int] = 2

    def __post_init__(self):
        self._require(given={"kernel_size": 3}, positive=("depth_multiplier",))
        self._common(check_dilated_strides=False)

    def _out_channels(self, c):
        return c * self.depth_multiplier

    def weights(self, shape):
        c = self._c(shape)
        w = (Weight("kernel", self._k + (c, self.depth_multiplier)),)
        return w + ((Weight("bias", (c * self.depth_multiplier,)),) if self.use_bias else ())

    def macs(self, shape, out):
        oc = self._c(out)
        return costs.conv_macs(costs.numel(out) // oc if oc else 0, oc, 1, self._k)

    def explain(self, shape, out):
        c, m = self._c(shape), self.depth_multiplier
        lines = keras_explain_axes(shape, out, self.n, self._last, self._k, self._s, self._d, self._pad)
        kd = " × ".join(map(str, self._k))
        total = self.param_count(shape)
        lines.append(f"params = {kd} × {c} × {m}" + (f" + {c * m}" if self.use_bias else "") + f" = {total:,}")  # a formula: no words
        lines.append(trn("depthwise: each of the {channels} input channels is filtered by its own {n} kernel of {kernel}; channels are never mixed",
                         "depthwise: each of the {channels} input channels is filtered by its own {n} kernels of {kernel}; channels are never mixed",
                         m, channels=c, n=m, kernel="×".join(map(str, self._k))))
        lines.append(tr("MACs = {positions} output positions × {channels} channels × {kernel} = {macs}",
                        positions=f"{costs.numel(out) // self._c(out):,}", channels=c * m, kernel="·".join(map(str, self._k)), macs=f"{self.macs(shape, out):,}"))
        return lines


@dataclass(frozen=True)
class SeparableConv2D(_KerasWindow):
    """``keras.layers.SeparableConv2D(filters, kernel_size, strides=1, padding='valid', data_format=None,
    dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True)``: a depthwise conv then a 1×1 conv.

    depthwise_kernel ``(kh, kw, C, m)``, pointwise_kernel ``(1, 1, C·m, filters)``, bias ``(filters,)``;
    params = kh·kw·C·m + C·m·filters + filters; MACs = positions·C·m·kh·kw + positions·C·m·filters.

    >>> r = SeparableConv2D(64, 3, padding="same").evaluate((None, 56, 56, 32))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((None, 56, 56, 64), [(3, 3, 32, 1), (1, 1, 32, 64), (64,)], 2400)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("depthwise_kernel", (KERNEL_AXES, "in", "mult"), Role.KERNEL, N_("depth_multiplier spatial kernels per input channel, each seeing only that channel")),
        DeclaredWeight("pointwise_kernel", (KERNEL_AXES, "in", "out"), Role.KERNEL, N_("a 1×1 convolution mixing the depthwise outputs into the filters")),
        _FILTER_BIAS,
    )

    filters: int | None = None
    kernel_size: int | tuple = None
    strides: int | tuple = 1
    padding: str = "valid"
    data_format: str | None = None
    dilation_rate: int | tuple = 1
    depth_multiplier: int = 1
    activation: str | None = None
    use_bias: bool = True
    n: ClassVar[int] = 2

    def __post_init__(self):
        self._require(given={"filters": 64, "kernel_size": 3}, positive=("depth_multiplier", "filters"))
        self._common(check_dilated_strides=False)

    def _out_channels(self, c):
        return self.filters

    def weights(self, shape):
        c, m = self._c(shape), self.depth_multiplier
        w = (Weight("depthwise_kernel", self._k + (c, m)), Weight("pointwise_kernel", (1,) * self.n + (c * m, self.filters)))
        return w + ((Weight("bias", (self.filters,)),) if self.use_bias else ())

    def macs(self, shape, out):
        c, m = self._c(shape), self.depth_multiplier
        positions = costs.numel(out) // self.filters
        return costs.conv_macs(positions, c * m, 1, self._k) + costs.conv_macs(positions, self.filters, c * m, (1,) * self.n)

    def explain(self, shape, out):
        c, m, f = self._c(shape), self.depth_multiplier, self.filters
        lines = keras_explain_axes(shape, out, self.n, self._last, self._k, self._s, self._d, self._pad)
        kd = " × ".join(map(str, self._k))
        total = self.param_count(shape)
        lines.append(tr("params = {depthwise} (depthwise) + {pointwise} (pointwise){bias} = {total}", depthwise=f"{kd} × {c} × {m}", pointwise=f"{c * m} × {f}",
                        bias=f" + {f}" if self.use_bias else "", total=f"{total:,}"))
        positions = costs.numel(out) // f
        lines.append(tr("MACs = {positions} positions × ({depthwise} + {pointwise}) = {macs}", positions=f"{positions:,}",
                        depthwise=f"{c * m}·{'·'.join(map(str, self._k))}", pointwise=f"{c * m}·{f}", macs=f"{self.macs(shape, out):,}"))
        return lines


@dataclass(frozen=True)
class Conv2DTranspose(_KerasWindow):
    """``keras.layers.Conv2DTranspose(filters, kernel_size, strides=1, padding='valid', output_padding=None,
    data_format=None, dilation_rate=1, activation=None, use_bias=True)``; kernel ``(kh, kw, filters, C)``.

    With k' = dilation·(k−1)+1 (``keras/src/backend/common/backend_utils.py``; ``window.keras_transposed_out_size``)::

        'valid': out = (in − 1)·stride + k' + (output_padding if given else max(k', stride) − k')
        'same':  out = in·stride if output_padding is None else (in − 1)·stride + k' mod 2 + output_padding

    >>> r = Conv2DTranspose(32, 3, strides=2, padding="same").evaluate((None, 7, 7, 64))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((None, 14, 14, 32), [(3, 3, 32, 64), (32,)], 18464)
    """

    declared_weights: ClassVar = (
        DeclaredWeight("kernel", (KERNEL_AXES, "out", "in"), Role.KERNEL, N_("one kernel per filter and input channel, scattered into the output at every input position")),
        _FILTER_BIAS,
    )

    filters: int | None = None
    kernel_size: int | tuple = None
    strides: int | tuple = 1
    padding: str = "valid"
    output_padding: int | tuple | None = None
    data_format: str | None = None
    dilation_rate: int | tuple = 1
    activation: str | None = None
    use_bias: bool = True
    n: ClassVar[int] = 2

    def __post_init__(self):
        name = self.type_name
        self._require(given={"filters": 32, "kernel_size": 3}, positive=("filters",))
        k = keras_tuple(name, "kernel_size", self.kernel_size, self.n)
        s = keras_tuple(name, "strides", self.strides, self.n)
        op = None if self.output_padding is None else keras_tuple(name, "output_padding", self.output_padding, self.n, allow_zero=True)
        if op is not None and any(o >= st for o, st in zip(op, s)):
            raise LayerError(name, "output_padding", tr("output_padding={output_padding} must be smaller than strides={strides} in every dimension",
                                                              output_padding=fmt_tuple(op), strides=fmt_tuple(s)))
        self._common()
        object.__setattr__(self, "_op", op)

    def _eff(self):
        return effective_kernels(self._k, self._d)

    def output_shape(self, shape):
        name, n = self.type_name, self.n
        if len(shape) != n + 2:
            raise LayerError(name, "input", tr("expected a {want}-D input, got {rank}-D {shape}", want=n + 2, rank=len(shape), shape=fmt_shape(shape)))
        c, spatial = split_spatial(shape, n, self._last)
        if c is None:
            raise LayerError(name, "input", tr("the channel dimension of {shape} must be known", shape=fmt_shape(shape)))
        ops = self._op or (None,) * n
        out = tuple(keras_transposed_out_size(size, k, s, d, self._pad, op) for size, k, s, d, op in zip(spatial, self._k, self._s, self._d, ops))
        return join_spatial(shape, n, self._last, self.filters, out)

    def weights(self, shape):
        w = (Weight("kernel", self._k + (self.filters, self._c(shape))),)
        return w + ((Weight("bias", (self.filters,)),) if self.use_bias else ())

    def macs(self, shape, out):
        c = self._c(shape)
        return costs.transposed_conv_macs(costs.numel(shape) // c if c else 0, c, self.filters, self._k)

    def rf_step(self, shape):
        # The equivalent dilated-input convolution pads `left` pixels before the first input
        # (backend_utils._convert_conv_transpose_padding_args_from_keras_to_jax); see the torch version.
        ops = self._op or (None,) * self.n
        steps = []
        for e, s, op in zip(self._eff(), self._s, ops):
            if self._pad == "valid":
                left = e - 1
            else:
                pad_len = s + e - 2 if op is None else e + e % 2 - 2 + op
                left = min(pad_len // 2 + pad_len % 2, e - 1)
            steps.append((Fraction(e - 1, s) + 1, Fraction(1, s), Fraction(left, s)))
        return RFStep(*(tuple(x) for x in zip(*steps)))

    def warnings(self, shape, out):
        notes = []
        if self._op is None and any(s > 1 for s in self._s):
            notes.append(tr("{layer}: output_padding=None lets Keras pick the output size ({size}); set output_padding to pin it",
                            layer=self.type_name, size=fmt_tuple(split_spatial(out, self.n, self._last)[1])))
        if any(o <= 0 for o in split_spatial(out, self.n, self._last)[1]):
            notes.append(tr("{layer}: the output {shape} is empty", layer=self.type_name, shape=fmt_shape(out)))
        return tuple(notes)

    def explain(self, shape, out):
        c = self._c(shape)
        spatial, o_spatial = split_spatial(shape, self.n, self._last)[1], split_spatial(out, self.n, self._last)[1]
        ops = self._op or (None,) * self.n
        lines = []
        for ax, size, o, e, s, op in zip(axis_letters(self.n), spatial, o_spatial, self._eff(), self._s, ops):
            if self._pad == "valid":
                extra = f"max({e}, {s}) − {e}" if op is None else str(op)
                lines.append(f"{ax}_out = ({size} − 1)·{s} + {e} + {extra} = {o}  (padding='valid')")
            elif op is None:
                lines.append(f"{ax}_out = {size}·{s} = {o}  (padding='same')")
            else:
                lines.append(f"{ax}_out = ({size} − 1)·{s} + {e} mod 2 + {op} = {o}  (padding='same')")
        total = self.param_count(shape)
        formula = f"{' × '.join(map(str, self._k))} × {self.filters} × {c}" + (f" + {self.filters}" if self.use_bias else "")
        lines.append(f"params = {formula} = {total:,}")
        return lines
