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


def _check_torch_channels(layer, *, example_kernel: int) -> None:
    """The construction checks PyTorch's ``_ConvNd`` makes on channels and groups."""
    name = layer.type_name
    if layer.out_channels is None:
        raise LayerError(name, "out_channels", "out_channels is required, e.g. out_channels=32")
    if layer.kernel_size is None:
        raise LayerError(name, "kernel_size", f"kernel_size is required, e.g. kernel_size={example_kernel}")
    g = layer.groups
    if isinstance(g, bool) or not isinstance(g, int) or g <= 0:
        raise LayerError(name, "groups", f"groups must be a positive integer, got groups={g!r}")
    if layer.in_channels is not None and layer.in_channels % g:
        raise LayerError(name, "in_channels", f"in_channels={layer.in_channels} is not divisible by groups={g}; use a multiple of {g}")
    if layer.out_channels % g:
        raise LayerError(name, "out_channels", f"out_channels={layer.out_channels} is not divisible by groups={g}; use a multiple of {g}")


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
        _check_torch_channels(self, example_kernel=3)
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
        object.__setattr__(self, "_pad_pairs", self._compute_pads())

    # padding on each side per axis: (before, after)
    def _pads(self) -> tuple[tuple[int, int], ...]:
        return self._pad_pairs

    def _compute_pads(self) -> tuple[tuple[int, int], ...]:
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
        if 0 in spatial:
            raise LayerError(name, "input", f"input {fmt_shape(shape)} has an empty spatial dimension; only the batch (or channel) dimension may be 0")
        expected = self.in_channels
        if expected is not None and c != expected:
            raise LayerError(name, "in_channels", f"in_channels={expected} but the input {fmt_shape(shape)} has {c} channels; use in_channels={c}")
        if c % self.groups:
            raise LayerError(name, "groups", f"input channels {c} are not divisible by groups={self.groups}")
        bad = [v for v in self._s if v <= 0]
        if bad:
            raise LayerError(name, "stride", f"stride must be positive, got stride={fmt_tuple(self._s)}")
        if self.padding_mode == "zeros" and any(v < 0 for v in self._p):
            # other padding modes go through F.pad, where a negative padding crops
            raise LayerError(name, "padding", f"padding must be >= 0 with padding_mode='zeros', got padding={fmt_tuple(self._p)}")
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
    if groups == 1 and per == 1:
        lines.append(f"each of the {out_channels} filters holds one {kdesc} kernel for the single input channel; its response is one output channel")
    elif groups == 1:
        lines.append(
            f"each of the {out_channels} filters holds {per} kernels of {kdesc}, one per input channel; "
            f"their {per} responses are summed into one output channel"
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
        # input rows (not padding) that no window reaches; when the stride already skips pixels
        # between windows, the stride warning below says it
        dropped = size + a - covered
        if dropped > 0 and s <= d * (k - 1) + 1:
            notes.append(f"{layer}: the floor drops the last {dropped} input row{'s' if dropped != 1 else ''}/column{'s' if dropped != 1 else ''} ({size} → {o}): no window reaches {'them' if dropped != 1 else 'it'}; pad or crop so that (in + padding − kernel) is divisible by the stride")
        if s > d * (k - 1) + 1:
            notes.append(f"{layer}: stride {s} is larger than the kernel {d * (k - 1) + 1}: {s - d * (k - 1) - 1} pixel{'s' if s - d * (k - 1) - 1 != 1 else ''} between windows are never seen")
        if same and a != b:  # Keras' 'same' with a stride pads by what the size needs, not by the kernel alone
            notes.append(f"{layer}: 'same' padding is asymmetric here ({a} before, {b} after): the extra pixel goes at the end, so the windows are not centred")
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
        _check_torch_channels(self, example_kernel=4)
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
        if 0 in spatial:
            raise LayerError(name, "input", f"input {fmt_shape(shape)} has an empty spatial dimension; only the batch (or channel) dimension may be 0")
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
        # An output of exactly 0 is backend-dependent in PyTorch: the reference kernels raise "Output size
        # is too small", the oneDNN path (chosen by groups, strides, sizes, threads) returns an empty
        # tensor. convlens always rejects it; a negative size raises everywhere.
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


# ---------------------------------------------------------------------------------------
# Keras
# ---------------------------------------------------------------------------------------
# Names ``keras.activations.get`` accepts (Keras 3.x); 'linear' and None add no work.
KERAS_ACTIVATIONS = frozenset({
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu",
    "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign",
    "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
})


def keras_tuple(layer: str, name: str, value, n: int, *, allow_zero: bool = False) -> tuple[int, ...]:
    """Keras ``standardize_tuple``: an int is repeated ``n`` times, a tuple must have exactly ``n``
    entries, every entry > 0 (>= 0 with ``allow_zero``).

    >>> keras_tuple("Conv2D", "strides", 2, 2)
    (2, 2)
    """
    if isinstance(value, (tuple, list)) and len(value) != n:
        raise LayerError(layer, name, f"{name} must be an int or a tuple of {n} ints, got {tuple(value)!r}")
    return ntuple(layer, name, value, n, minimum=0 if allow_zero else 1)


def keras_activation(layer: str, activation) -> str | None:
    """Check a Keras ``activation`` argument; returns it lower-cased (None stays None)."""
    if activation is None:
        return None
    if not isinstance(activation, str) or activation.lower() not in KERAS_ACTIVATIONS:
        raise LayerError(layer, "activation", f"activation={activation!r} is not a Keras activation; use None or one of {', '.join(sorted(KERAS_ACTIVATIONS))}")
    return activation.lower()


def keras_data_format(layer: str, data_format) -> str:
    """Keras ``standardize_data_format``: None means 'channels_last' (the default image_data_format)."""
    if data_format is None:
        return "channels_last"
    fmt = str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise LayerError(layer, "data_format", f"data_format={data_format!r} must be 'channels_last' or 'channels_first'")
    return fmt


def keras_padding(layer: str, padding, *, allow_causal: bool = False) -> str:
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if not isinstance(padding, str) or padding.lower() not in allowed:
        raise LayerError(layer, "padding", f"padding={padding!r} must be one of {', '.join(map(repr, allowed))}")
    return padding.lower()


def keras_window_out(size: int, kernel: int, stride: int, dilation: int, padding: str) -> int:
    """One spatial output size of a Keras conv/pool (``keras/src/ops/operation_utils.py``).

    'valid': ⌊(in − dilation·(kernel − 1) − 1) / stride⌋ + 1; 'same' and 'causal': ⌈in / stride⌉.

    >>> keras_window_out(14, 3, 2, 1, "valid"), keras_window_out(7, 2, 2, 1, "same")
    (6, 4)
    """
    if padding == "valid":
        return conv_out_size(size, kernel, stride, 0, dilation)
    return -(-size // stride)


def keras_pads(size: int, kernel: int, stride: int, dilation: int, padding: str) -> tuple[int, int]:
    """Padding (before, after) a Keras window sweep applies: 0 for 'valid', the TensorFlow split
    for 'same', ``dilation·(kernel − 1)`` before for 'causal'.

    >>> keras_pads(7, 2, 2, 1, "same"), keras_pads(10, 3, 1, 2, "causal")
    ((0, 1), (4, 0))
    """
    if padding == "same":
        return keras_same_padding(size, kernel, stride, dilation)
    if padding == "causal":
        return dilation * (kernel - 1), 0
    return 0, 0


def _keras_window_shape(layer: str, shape: Shape, n: int, channels_last: bool, kernel, strides, dilation, padding, what: str = "kernel_size"):
    """Shared input checks and spatial output of every Keras conv: exactly n+2 dims, known
    channels, and for 'valid' a positive output."""
    if len(shape) != n + 2:
        raise LayerError(layer, "input", f"expected a {n + 2}-D input (batch, {'spatial..., channels' if channels_last else 'channels, spatial...'}), got {len(shape)}-D {fmt_shape(shape)}")
    c, spatial = _spatial(shape, n, channels_last)
    out = tuple(keras_window_out(size, k, s, d, padding) for size, k, s, d in zip(spatial, kernel, strides, dilation))
    if any(o <= 0 for o in out) and padding == "valid":
        eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise LayerError(
            layer, what,
            f"computed output size {fmt_tuple(out)} would be zero or negative: input {fmt_tuple(spatial)}, {what} {fmt_tuple(kernel)} "
            f"(dilated {fmt_tuple(eff)}), strides {fmt_tuple(strides)}, padding='valid'; use padding='same' or an input of at least {fmt_tuple(eff)}",
        )
    return c, spatial, out


def _keras_explain_axes(shape, out, n, channels_last, kernel, strides, dilation, padding) -> list[str]:
    spatial = _spatial(shape, n, channels_last)[1]
    o_spatial = _spatial(out, n, channels_last)[1]
    axes = "DHW"[3 - n:] if n > 1 else "L"
    lines = []
    for ax, size, o, k, s, d in zip(axes, spatial, o_spatial, kernel, strides, dilation):
        if padding == "valid":
            lines.append(f"{ax}_out = ⌊({size} − {d}·({k}−1) − 1) / {s}⌋ + 1 = {o}  (padding='valid')")
        else:
            a, b = keras_pads(size, k, s, d, padding)
            lines.append(f"{ax}_out = ⌈{size} / {s}⌉ = {o}  (padding='{padding}': {a} before, {b} after)")
    return lines


class _KerasWindow(Layer):
    """What every Keras convolution shares (no fields): Keras' window shape rules, padding,
    receptive-field step, warnings and FLOPs. Subclasses give ``_out_channels`` and the weights."""

    framework: ClassVar[str] = "keras"
    groups: ClassVar[int] = 1  # overridden by the groups field of Conv1D/2D/3D

    def _common(self, *, allow_causal=False, check_dilated_strides=True):
        name, n = self.type_name, self.n
        k = keras_tuple(name, "kernel_size", self.kernel_size, n)
        s = keras_tuple(name, "strides", self.strides, n)
        d = keras_tuple(name, "dilation_rate", self.dilation_rate, n)
        if check_dilated_strides and max(s) > 1 and max(d) > 1:
            raise LayerError(name, "strides", f"strides={fmt_tuple(s)} > 1 cannot be combined with dilation_rate={fmt_tuple(d)} > 1; use one or the other")
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_d", d)
        object.__setattr__(self, "_pad", keras_padding(name, self.padding, allow_causal=allow_causal))
        object.__setattr__(self, "_last", keras_data_format(name, self.data_format) == "channels_last")
        object.__setattr__(self, "_act", keras_activation(name, self.activation) not in (None, "linear"))

    def _in_channels(self, shape) -> tuple[int, tuple, tuple]:
        c, spatial, out = _keras_window_shape(self.type_name, shape, self.n, self._last, self._k, self._s, self._d, self._pad)
        if c is None:
            raise LayerError(self.type_name, "input", f"the channel dimension of {fmt_shape(shape)} must be known")
        return c, spatial, out

    def output_shape(self, shape):
        c, _, out = self._in_channels(shape)
        if c % self.groups:
            raise LayerError(self.type_name, "groups", f"input channels {c} of {fmt_shape(shape)} are not divisible by groups={self.groups}")
        return _with_spatial(shape, self.n, self._last, self._out_channels(c), out)

    def _c(self, shape) -> int:
        return shape[-1] if self._last else shape[1]

    def flops(self, shape, out, macs):
        return costs.flops(macs, costs.numel(out) * (int(self.use_bias) + int(self._act)))

    def _pads(self, shape):
        spatial = _spatial(shape, self.n, self._last)[1]
        return tuple(keras_pads(size, k, s, d, self._pad) for size, k, s, d in zip(spatial, self._k, self._s, self._d))

    def rf_step(self, shape):
        return RFStep(tuple(d * (k - 1) + 1 for k, d in zip(self._k, self._d)), self._s, tuple(a for a, _ in self._pads(shape)))

    def warnings(self, shape, out):
        spatial = _spatial(shape, self.n, self._last)[1]
        o_spatial = _spatial(out, self.n, self._last)[1]
        return _window_warnings(self.type_name, spatial, o_spatial, self._k, self._s, self._pads(shape), self._d, self._pad == "same")



@dataclass(frozen=True)
class _KerasConvNd(_KerasWindow):
    """``keras.layers.ConvND(filters, kernel_size, strides=1, padding='valid', data_format=None,
    dilation_rate=1, groups=1, activation=None, use_bias=True)``; kernel
    ``(*kernel_size, in/groups, filters)``, bias ``(filters,)``."""

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
        if self.filters is None:
            raise LayerError(name, "filters", "filters is required, e.g. filters=32")
        if self.kernel_size is None:
            raise LayerError(name, "kernel_size", "kernel_size is required, e.g. kernel_size=3")
        _positive(name, "filters", self.filters)
        _positive(name, "groups", self.groups)
        if self.filters % self.groups:
            raise LayerError(name, "filters", f"filters={self.filters} is not divisible by groups={self.groups}; use a multiple of {self.groups}")
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
        lines = _keras_explain_axes(shape, out, self.n, self._last, self._k, self._s, self._d, self._pad)
        lines += _param_lines(self.filters, c, self.groups, self._k, self.use_bias)
        oc = self._c(out)
        lines.append(f"MACs = {costs.numel(out) // oc:,} output positions × {oc} filters × {c // self.groups}·{'·'.join(map(str, self._k))} = {self.macs(shape, out):,}")
        if self._act:
            lines.append(f"activation '{self.activation}': one FLOP per output element ({costs.numel(out):,})")
        return lines


def _positive(layer: str, name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise LayerError(layer, name, f"{name} must be a positive integer, got {name}={value!r}")


@dataclass(frozen=True)
class Conv1D(_KerasConvNd):
    """``keras.layers.Conv1D``; 'causal' pads ``dilation·(kernel−1)`` on the left only.

    >>> Conv1D(16, 3, padding="causal").evaluate((None, 100, 8)).output_shape
    (None, 100, 16)
    """

    n: ClassVar[int] = 1


@dataclass(frozen=True)
class Conv2D(_KerasConvNd):
    """``keras.layers.Conv2D``: the tutorial's ``Conv2D(75, 3, padding='same')`` on 28×28×1.

    >>> r = Conv2D(75, (3, 3), strides=1, padding="same", activation="relu").evaluate((None, 28, 28, 1))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((None, 28, 28, 75), [(3, 3, 1, 75), (75,)], 750)
    """

    n: ClassVar[int] = 2


@dataclass(frozen=True)
class Conv3D(_KerasConvNd):
    n: ClassVar[int] = 3


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
        if self.kernel_size is None:
            raise LayerError(self.type_name, "kernel_size", "kernel_size is required, e.g. kernel_size=3")
        _positive(self.type_name, "depth_multiplier", self.depth_multiplier)
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
        lines = _keras_explain_axes(shape, out, self.n, self._last, self._k, self._s, self._d, self._pad)
        kd = " × ".join(map(str, self._k))
        total = _prod(self._k) * c * m + (c * m if self.use_bias else 0)
        lines.append(f"params = {kd} × {c} × {m}" + (f" + {c * m}" if self.use_bias else "") + f" = {total:,}")
        lines.append(f"depthwise: each of the {c} input channels is filtered by its own {m} kernel{'s' if m != 1 else ''} of {'×'.join(map(str, self._k))}; channels are never mixed")
        lines.append(f"MACs = {costs.numel(out) // self._c(out):,} output positions × {c * m} channels × {'·'.join(map(str, self._k))} = {self.macs(shape, out):,}")
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
        if self.filters is None:
            raise LayerError(self.type_name, "filters", "filters is required, e.g. filters=64")
        if self.kernel_size is None:
            raise LayerError(self.type_name, "kernel_size", "kernel_size is required, e.g. kernel_size=3")
        _positive(self.type_name, "depth_multiplier", self.depth_multiplier)
        _positive(self.type_name, "filters", self.filters)
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
        lines = _keras_explain_axes(shape, out, self.n, self._last, self._k, self._s, self._d, self._pad)
        kd = " × ".join(map(str, self._k))
        total = _prod(self._k) * c * m + c * m * f + (f if self.use_bias else 0)
        lines.append(f"params = {kd} × {c} × {m} (depthwise) + {c * m} × {f} (pointwise)" + (f" + {f}" if self.use_bias else "") + f" = {total:,}")
        positions = costs.numel(out) // f
        lines.append(f"MACs = {positions:,} positions × ({c * m}·{'·'.join(map(str, self._k))} + {c * m}·{f}) = {self.macs(shape, out):,}")
        return lines


@dataclass(frozen=True)
class Conv2DTranspose(_KerasWindow):
    """``keras.layers.Conv2DTranspose(filters, kernel_size, strides=1, padding='valid', output_padding=None,
    data_format=None, dilation_rate=1, activation=None, use_bias=True)``; kernel ``(kh, kw, filters, C)``.

    With k' = dilation·(k−1)+1 (``keras/src/backend/common/backend_utils.py``)::

        'valid': out = (in − 1)·stride + k' + (output_padding if given else max(k', stride) − k')
        'same':  out = in·stride if output_padding is None else (in − 1)·stride + k' mod 2 + output_padding

    >>> r = Conv2DTranspose(32, 3, strides=2, padding="same").evaluate((None, 7, 7, 64))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((None, 14, 14, 32), [(3, 3, 32, 64), (32,)], 18464)
    """

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
        if self.filters is None:
            raise LayerError(name, "filters", "filters is required, e.g. filters=32")
        if self.kernel_size is None:
            raise LayerError(name, "kernel_size", "kernel_size is required, e.g. kernel_size=3")
        _positive(name, "filters", self.filters)
        k = keras_tuple(name, "kernel_size", self.kernel_size, self.n)
        s = keras_tuple(name, "strides", self.strides, self.n)
        op = None if self.output_padding is None else keras_tuple(name, "output_padding", self.output_padding, self.n, allow_zero=True)
        if op is not None and any(o >= st for o, st in zip(op, s)):
            raise LayerError(name, "output_padding", f"output_padding={fmt_tuple(op)} must be smaller than strides={fmt_tuple(s)} in every dimension")
        self._common()
        object.__setattr__(self, "_op", op)

    def _eff(self):
        return tuple(d * (k - 1) + 1 for k, d in zip(self._k, self._d))

    def _out_size(self, size, e, s, op):
        if self._pad == "valid":
            return (size - 1) * s + e + (max(e, s) - e if op is None else op)
        return size * s if op is None else (size - 1) * s + e % 2 + op

    def output_shape(self, shape):
        name, n = self.type_name, self.n
        if len(shape) != n + 2:
            raise LayerError(name, "input", f"expected a {n + 2}-D input, got {len(shape)}-D {fmt_shape(shape)}")
        c, spatial = _spatial(shape, n, self._last)
        if c is None:
            raise LayerError(name, "input", f"the channel dimension of {fmt_shape(shape)} must be known")
        ops = self._op or (None,) * n
        out = tuple(self._out_size(size, e, s, op) for size, e, s, op in zip(spatial, self._eff(), self._s, ops))
        return _with_spatial(shape, n, self._last, self.filters, out)

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
            notes.append(f"{self.type_name}: output_padding=None lets Keras pick the output size ({fmt_tuple(_spatial(out, self.n, self._last)[1])}); set output_padding to pin it")
        if any(o <= 0 for o in _spatial(out, self.n, self._last)[1]):
            notes.append(f"{self.type_name}: the output {fmt_shape(out)} is empty")
        return tuple(notes)

    def explain(self, shape, out):
        c = self._c(shape)
        spatial, o_spatial = _spatial(shape, self.n, self._last)[1], _spatial(out, self.n, self._last)[1]
        ops = self._op or (None,) * self.n
        lines = []
        for ax, size, o, e, s, op in zip("DHW"[3 - self.n:] if self.n > 1 else "L", spatial, o_spatial, self._eff(), self._s, ops):
            if self._pad == "valid":
                extra = f"max({e}, {s}) − {e}" if op is None else str(op)
                lines.append(f"{ax}_out = ({size} − 1)·{s} + {e} + {extra} = {o}  (padding='valid')")
            elif op is None:
                lines.append(f"{ax}_out = {size}·{s} = {o}  (padding='same')")
            else:
                lines.append(f"{ax}_out = ({size} − 1)·{s} + {e} mod 2 + {op} = {o}  (padding='same')")
        total = _prod(self._k) * self.filters * c + (self.filters if self.use_bias else 0)
        lines.append(f"params = {' × '.join(map(str, self._k))} × {self.filters} × {c}" + (f" + {self.filters}" if self.use_bias else "") + f" = {total:,}")
        return lines
