"""Convolutions: PyTorch ``Conv1d/2d/3d``, ``ConvTranspose1d/2d/3d``; Keras ``Conv1D/2D/3D``,
``DepthwiseConv2D``, ``SeparableConv2D``, ``Conv2DTranspose``.

One implementation serves every spatial rank: the shape formula is written once, over a tuple of
spatial sizes.

PyTorch (``torch/nn/modules/conv.py``, "Shape:" sections)::

    out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1
    transposed: out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1

Keras (``keras/src/ops/operation_utils.py``)::

    'valid': out = ⌊(in − dilation·(kernel − 1) − 1) / stride⌋ + 1
    'same' / 'causal': out = ⌈in / stride⌉  (padding split with the extra pixel at the end)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import ClassVar

from . import costs
from ._args import fmt_shape, fmt_tuple, ntuple
from ._base import Layer, RFStep, Shape, Weight
from ._errors import LayerError

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
# Keras arguments that change nothing convlens computes (initialisers, regularisers, names).
KERAS_IGNORED = {
    "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
    "activity_regularizer", "kernel_constraint", "bias_constraint", "name", "trainable",
    "dtype", "depthwise_initializer", "pointwise_initializer", "depthwise_regularizer",
    "pointwise_regularizer", "depthwise_constraint", "pointwise_constraint", "lora_rank",
    "lora_alpha", "input_shape", "input_dim", "autocast",
}


def conv_out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """One spatial output size of a convolution or pooling window sweep, floor mode.

    >>> conv_out_size(28, 5, 1, 4, 1)  # Conv2d(1, 20, 5, padding=2) on 28×28
    28
    >>> conv_out_size(7, 2, 2, 0, 1)   # MaxPool2d(2) on 7×7 drops the last row
    3
    """
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def keras_same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """Keras/TensorFlow ``'same'`` padding (before, after); the extra pixel goes after.

    >>> keras_same_padding(28, 3, 2, 1)  # out = ⌈28/2⌉ = 14 needs (14−1)·2 + 3 − 28 = 1 pixel
    (0, 1)
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def _spatial(shape: Shape, n: int, channels_last: bool) -> tuple[int, tuple[int, ...]]:
    if channels_last:
        return shape[-1], tuple(shape[-1 - n:-1])
    return shape[-1 - n], tuple(shape[-n:])


def _with_spatial(shape: Shape, n: int, channels_last: bool, channels: int, spatial: tuple[int, ...]) -> Shape:
    if channels_last:
        return tuple(shape[:-1 - n]) + spatial + (channels,)
    return tuple(shape[:-1 - n]) + (channels,) + spatial


def _batch(shape: Shape, n: int) -> int:
    lead = shape[: len(shape) - n - 1]
    return costs.numel(lead)


# ---------------------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _TorchConvNd(Layer):
    """``nn.ConvNd(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')``; weight ``(out, in/groups, *kernel)``."""

    in_channels: int | None = None  # None: taken from the input
    out_channels: int | None = None
    kernel_size: int | tuple = None
    stride: int | tuple = 1
    padding: int | tuple | str = 0  # int, tuple, 'valid' or 'same' (stride 1 only)
    dilation: int | tuple = 1
    groups: int = 1
    bias: bool = True
    padding_mode: str = "zeros"
    n: ClassVar[int] = 2

    def __post_init__(self):
        name, n = self.type_name, self.n
        if self.out_channels is None:
            raise LayerError(name, "out_channels", "out_channels is required, e.g. out_channels=32")
        if self.kernel_size is None:
            raise LayerError(name, "kernel_size", "kernel_size is required, e.g. kernel_size=3")
        if isinstance(self.groups, bool) or not isinstance(self.groups, int) or self.groups <= 0:
            raise LayerError(name, "groups", f"groups must be a positive integer, got groups={self.groups!r}")
        if self.in_channels is not None and self.in_channels % self.groups:
            raise LayerError(name, "in_channels", f"in_channels={self.in_channels} is not divisible by groups={self.groups}; use a multiple of {self.groups}")
        if self.out_channels % self.groups:
            raise LayerError(name, "out_channels", f"out_channels={self.out_channels} is not divisible by groups={self.groups}; use a multiple of {self.groups}")
        if self.padding_mode not in _PADDING_MODES:
            raise LayerError(name, "padding_mode", f"padding_mode={self.padding_mode!r} is not one of {', '.join(map(repr, _PADDING_MODES))}")
        k = ntuple(name, "kernel_size", self.kernel_size, n)
        s = ntuple(name, "stride", self.stride, n)
        d = ntuple(name, "dilation", self.dilation, n)
        if isinstance(self.padding, str):
            if self.padding not in ("same", "valid"):
                raise LayerError(name, "padding", f"padding={self.padding!r} is not valid; use 'same', 'valid' or an int/tuple")
            if self.padding == "same" and any(v != 1 for v in s):
                raise LayerError(name, "padding", f"padding='same' is not supported for strided convolutions (stride={fmt_tuple(s)}); use stride=1 or an explicit padding such as padding={(max(k) - 1) // 2}")
            p = (0,) * n
        else:
            p = ntuple(name, "padding", self.padding, n)
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_p", p)
        object.__setattr__(self, "_d", d)

    # padding on each side per axis: (before, after)
    def _pads(self) -> tuple[tuple[int, int], ...]:
        if self.padding == "same":
            out = []
            for k, d in zip(self._k, self._d):
                total = d * (k - 1)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        return tuple((p, p) for p in self._p)

    def _check(self, shape: Shape) -> tuple[int, tuple[int, ...]]:
        name, n = self.type_name, self.n
        if len(shape) not in (n + 1, n + 2):
            raise LayerError(name, "input", f"expected a {n + 1}-D (unbatched) or {n + 2}-D (batched) input (N, C, {', '.join('DHW'[3 - n:])}), got {len(shape)}-D {fmt_shape(shape)}")
        c, spatial = _spatial(shape, n, False)
        expected = self.in_channels
        if expected is not None and c != expected:
            raise LayerError(name, "in_channels", f"in_channels={expected} but the input {fmt_shape(shape)} has {c} channels; use in_channels={c}")
        if c % self.groups:
            raise LayerError(name, "groups", f"input channels {c} are not divisible by groups={self.groups}")
        bad = [v for v in self._s if v <= 0]
        if bad:
            raise LayerError(name, "stride", f"stride must be positive, got stride={fmt_tuple(self._s)}")
        if any(v < 0 for v in self._p):
            raise LayerError(name, "padding", f"padding must be >= 0, got padding={fmt_tuple(self._p)}")
        if any(v <= 0 for v in self._k):
            raise LayerError(name, "kernel_size", f"kernel_size must be positive, got kernel_size={fmt_tuple(self._k)}")
        if any(v <= 0 for v in self._d):
            raise LayerError(name, "dilation", f"dilation must be positive, got dilation={fmt_tuple(self._d)}")
        pads = self._pads()
        if self.padding_mode != "zeros":
            for size, (a, b) in zip(spatial, pads):
                if self.padding_mode == "reflect" and max(a, b) >= size:
                    raise LayerError(name, "padding", f"padding_mode='reflect' needs padding < input size, got padding {max(a, b)} for size {size}")
                if self.padding_mode == "circular" and max(a, b) > size:
                    raise LayerError(name, "padding", f"padding_mode='circular' needs padding <= input size, got padding {max(a, b)} for size {size}")
                if self.padding_mode == "replicate" and size == 0 and (a or b):
                    raise LayerError(name, "input", f"padding_mode='replicate' needs a non-empty input, got {fmt_shape(shape)}")
        padded = tuple(size + a + b for size, (a, b) in zip(spatial, pads))
        eff = tuple(d * (k - 1) + 1 for k, d in zip(self._k, self._d))
        if any(pv < e for pv, e in zip(padded, eff)):
            raise LayerError(
                name, "kernel_size",
                f"kernel {fmt_tuple(self._k)} (dilated {fmt_tuple(eff)}) is larger than the padded input {fmt_tuple(padded)} "
                f"(input {fmt_tuple(spatial)} + padding {fmt_tuple(tuple(a + b for a, b in pads))}); the padded input must be at least {fmt_tuple(eff)}",
            )
        return c, spatial

    def output_shape(self, shape):
        c, spatial = self._check(shape)
        out = tuple(
            conv_out_size(size, k, s, a + b, d)
            for size, k, s, (a, b), d in zip(spatial, self._k, self._s, self._pads(), self._d)
        )
        return _with_spatial(shape, self.n, False, self.out_channels, out)

    def weights(self, shape):
        c = shape[-1 - self.n]
        w = (Weight("weight", (self.out_channels, c // self.groups) + self._k),)
        return w + ((Weight("bias", (self.out_channels,)),) if self.bias else ())

    def macs(self, shape, out):
        c = shape[-1 - self.n]
        return costs.conv_macs(costs.numel(out) // self.out_channels, self.out_channels, c // self.groups, self._k)

    def flops(self, shape, out, macs):
        return costs.flops(macs, costs.numel(out) if self.bias else 0)

    def rf_step(self, shape):
        return RFStep(
            tuple(d * (k - 1) + 1 for k, d in zip(self._k, self._d)),
            self._s,
            tuple(a for a, _ in self._pads()),
        )

    def warnings(self, shape, out):
        return _window_warnings(self.type_name, shape[-self.n:], out[-self.n:], self._k, self._s, self._pads(), self._d, self.padding == "same")

    def explain(self, shape, out):
        c = shape[-1 - self.n]
        lines = []
        axes = "DHW"[3 - self.n:] if self.n > 1 else "L"
        pads = self._pads()
        for ax, size, o, k, s, (a, b), d in zip(axes, shape[-self.n:], out[-self.n:], self._k, self._s, pads, self._d):
            pad = f"2·{a}" if a == b else f"{a} + {b}"
            lines.append(f"{ax}_out = ⌊({size} + {pad} − {d}·({k}−1) − 1) / {s}⌋ + 1 = {o}")
        lines += _param_lines(self.out_channels, c, self.groups, self._k, self.bias)
        lines.append(f"MACs = {costs.numel(out) // self.out_channels:,} output positions × {self.out_channels} filters × {c // self.groups}·{'·'.join(map(str, self._k))} = {self.macs(shape, out):,}")
        return lines


def _param_lines(out_channels: int, in_channels: int, groups: int, kernel: tuple[int, ...], bias: bool) -> list[str]:
    per = in_channels // groups
    kdesc = "×".join(map(str, kernel))
    total = out_channels * per * _prod(kernel) + (out_channels if bias else 0)
    formula = f"{out_channels} × ({per} × {' × '.join(map(str, kernel))})" + (f" + {out_channels}" if bias else "")
    lines = [f"params = {formula} = {total:,}"]
    if groups == 1:
        lines.append(
            f"each of the {out_channels} filters holds {per} kernel{'s' if per != 1 else ''} of {kdesc}, one per input channel; "
            f"their {per} response{'s are' if per != 1 else ' is'} summed into one output channel"
        )
    else:
        out_per = out_channels // groups
        depthwise = groups == in_channels
        lines.append(
            f"groups={groups}{' (depthwise)' if depthwise else ''}: the {in_channels} input channels are split into {groups} groups of {per}; "
            f"each group's {out_per} filter{'s' if out_per != 1 else ''} see{'s' if out_per == 1 else ''} only its own {per} channel{'s' if per != 1 else ''}"
        )
    return lines


def _prod(values) -> int:
    n = 1
    for v in values:
        n *= v
    return n


def _window_warnings(layer, spatial, out, kernel, stride, pads, dilation, same) -> tuple[str, ...]:
    """Warnings shared by every sliding-window layer (conv and pool)."""
    notes = []
    for size, o, k, s, (a, b), d in zip(spatial, out, kernel, stride, pads, dilation):
        if size is None or o is None:
            continue
        covered = (o - 1) * s + d * (k - 1) + 1
        dropped = size + a + b - covered
        if dropped > 0 and not (same and dropped <= b):
            notes.append(f"{layer}: the floor drops the last {dropped} row{'s' if dropped != 1 else ''}/column{'s' if dropped != 1 else ''} of the padded input ({size} → {o}); pad or crop to make (in + padding − kernel) divisible by the stride")
        if s > d * (k - 1) + 1:
            notes.append(f"{layer}: stride {s} is larger than the kernel {d * (k - 1) + 1}: {s - d * (k - 1) - 1} pixel{'s' if s - d * (k - 1) - 1 != 1 else ''} between windows are never seen")
        if same and (d * (k - 1)) % 2 == 1:
            notes.append(f"{layer}: even kernel {k} with 'same' padding pads asymmetrically ({a} before, {b} after)")
    return tuple(dict.fromkeys(notes))


@dataclass(frozen=True)
class Conv1d(_TorchConvNd):
    n: ClassVar[int] = 1


@dataclass(frozen=True)
class Conv2d(_TorchConvNd):
    """``nn.Conv2d``.

    >>> r = Conv2d(1, 20, 5, padding=2).evaluate((16, 1, 28, 28))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((16, 20, 28, 28), [(20, 1, 5, 5), (20,)], 520)
    """

    n: ClassVar[int] = 2


@dataclass(frozen=True)
class Conv3d(_TorchConvNd):
    n: ClassVar[int] = 3


@dataclass(frozen=True)
class _TorchConvTransposeNd(Layer):
    """``nn.ConvTransposeNd(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros')``;
    weight ``(in, out/groups, *kernel)``."""

    in_channels: int | None = None
    out_channels: int | None = None
    kernel_size: int | tuple = None
    stride: int | tuple = 1
    padding: int | tuple = 0
    output_padding: int | tuple = 0
    groups: int = 1
    bias: bool = True
    dilation: int | tuple = 1
    padding_mode: str = "zeros"
    n: ClassVar[int] = 2

    def __post_init__(self):
        name, n = self.type_name, self.n
        if self.out_channels is None:
            raise LayerError(name, "out_channels", "out_channels is required, e.g. out_channels=32")
        if self.kernel_size is None:
            raise LayerError(name, "kernel_size", "kernel_size is required, e.g. kernel_size=4")
        if isinstance(self.groups, bool) or not isinstance(self.groups, int) or self.groups <= 0:
            raise LayerError(name, "groups", f"groups must be a positive integer, got groups={self.groups!r}")
        if self.in_channels is not None and self.in_channels % self.groups:
            raise LayerError(name, "in_channels", f"in_channels={self.in_channels} is not divisible by groups={self.groups}; use a multiple of {self.groups}")
        if self.out_channels % self.groups:
            raise LayerError(name, "out_channels", f"out_channels={self.out_channels} is not divisible by groups={self.groups}; use a multiple of {self.groups}")
        if self.padding_mode != "zeros":
            raise LayerError(name, "padding_mode", f"only padding_mode='zeros' is supported for {name}, got {self.padding_mode!r}")
        if isinstance(self.padding, str):
            raise LayerError(name, "padding", f"{name} takes an int or tuple padding, got {self.padding!r}")
        object.__setattr__(self, "_k", ntuple(name, "kernel_size", self.kernel_size, n))
        object.__setattr__(self, "_s", ntuple(name, "stride", self.stride, n))
        object.__setattr__(self, "_p", ntuple(name, "padding", self.padding, n))
        object.__setattr__(self, "_op", ntuple(name, "output_padding", self.output_padding, n))
        object.__setattr__(self, "_d", ntuple(name, "dilation", self.dilation, n))

    def output_shape(self, shape):
        name, n = self.type_name, self.n
        if len(shape) not in (n + 1, n + 2):
            raise LayerError(name, "input", f"expected a {n + 1}-D (unbatched) or {n + 2}-D (batched) input, got {len(shape)}-D {fmt_shape(shape)}")
        c, spatial = _spatial(shape, n, False)
        if self.in_channels is not None and c != self.in_channels:
            raise LayerError(name, "in_channels", f"in_channels={self.in_channels} but the input {fmt_shape(shape)} has {c} channels; use in_channels={c}")
        if c % self.groups:
            raise LayerError(name, "groups", f"input channels {c} are not divisible by groups={self.groups}")
        for arg, vals in (("kernel_size", self._k), ("stride", self._s), ("dilation", self._d)):
            if any(v <= 0 for v in vals):
                raise LayerError(name, arg, f"{arg} must be positive, got {arg}={fmt_tuple(vals)}")
        for arg, vals in (("padding", self._p), ("output_padding", self._op)):
            if any(v < 0 for v in vals):
                raise LayerError(name, arg, f"{arg} must be >= 0, got {arg}={fmt_tuple(vals)}")
        for op, s, d in zip(self._op, self._s, self._d):
            if op >= max(s, d):
                raise LayerError(name, "output_padding", f"output_padding={fmt_tuple(self._op)} must be smaller than stride {fmt_tuple(self._s)} or dilation {fmt_tuple(self._d)}")
        out = tuple(
            (size - 1) * s - 2 * p + d * (k - 1) + op + 1
            for size, k, s, p, op, d in zip(spatial, self._k, self._s, self._p, self._op, self._d)
        )
        if any(o <= 0 for o in out):
            raise LayerError(name, "padding", f"output size {fmt_tuple(out)} would be zero or negative for input {fmt_tuple(spatial)} with padding {fmt_tuple(self._p)}; reduce padding")
        return _with_spatial(shape, n, False, self.out_channels, out)

    def weights(self, shape):
        c = shape[-1 - self.n]
        w = (Weight("weight", (c, self.out_channels // self.groups) + self._k),)
        return w + ((Weight("bias", (self.out_channels,)),) if self.bias else ())

    def macs(self, shape, out):
        c = shape[-1 - self.n]
        return costs.transposed_conv_macs(costs.numel(shape) // c, c, self.out_channels // self.groups, self._k)

    def flops(self, shape, out, macs):
        return costs.flops(macs, costs.numel(out) if self.bias else 0)

    def rf_step(self, shape):
        # Output pixel o sees inputs i with 0 <= o + p − i·s <= d(k−1): in input units the window
        # spans (k'−1)/s + 1 pixels, moves 1/s per output, and starts (k'−1−p)/s before the first input.
        eff = tuple(d * (k - 1) + 1 for k, d in zip(self._k, self._d))
        return RFStep(
            tuple(Fraction(e - 1, s) + 1 for e, s in zip(eff, self._s)),
            tuple(Fraction(1, s) for s in self._s),
            tuple(Fraction(e - 1 - p, s) for e, p, s in zip(eff, self._p, self._s)),
        )

    def warnings(self, shape, out):
        notes = []
        for size, o, k, s, p, op, d in zip(shape[-self.n:], out[-self.n:], self._k, self._s, self._p, self._op, self._d):
            if s > 1:
                low = o - op
                notes.append(
                    f"{self.type_name}: output size is ambiguous without output_padding: the matching convolution maps every size "
                    f"{low}..{low + s - 1} to {size}; output_padding={op} gives {o}" + (f" (use output_padding={s - 1} for {low + s - 1})" if op == 0 else "")
                )
        return tuple(dict.fromkeys(notes))

    def explain(self, shape, out):
        c = shape[-1 - self.n]
        axes = "DHW"[3 - self.n:] if self.n > 1 else "L"
        lines = [
            f"{ax}_out = ({size} − 1)·{s} − 2·{p} + {d}·({k}−1) + {op} + 1 = {o}"
            for ax, size, o, k, s, p, op, d in zip(axes, shape[-self.n:], out[-self.n:], self._k, self._s, self._p, self._op, self._d)
        ]
        per = self.out_channels // self.groups
        total = c * per * _prod(self._k) + (self.out_channels if self.bias else 0)
        lines.append(f"params = {c} × ({per} × {' × '.join(map(str, self._k))})" + (f" + {self.out_channels}" if self.bias else "") + f" = {total:,}")
        lines.append(f"each of the {c} input channels scatters a {'×'.join(map(str, self._k))} kernel into {per} output channel{'s' if per != 1 else ''}; overlapping contributions are summed")
        return lines


@dataclass(frozen=True)
class ConvTranspose1d(_TorchConvTransposeNd):
    n: ClassVar[int] = 1


@dataclass(frozen=True)
class ConvTranspose2d(_TorchConvTransposeNd):
    n: ClassVar[int] = 2


@dataclass(frozen=True)
class ConvTranspose3d(_TorchConvTransposeNd):
    n: ClassVar[int] = 3
