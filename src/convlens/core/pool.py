"""PyTorch pooling: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``,
``AdaptiveMaxPool1d/2d/3d`` (Keras's pooling layers: ``pool_keras``).

The window sweep is the convolution's (``window.conv_out_size``, ``window.pool_out_size``); this
file adds only what pooling changes. PyTorch (``aten/src/ATen/native/Pool.h``,
``pooling_output_shape_pad_lr``)::

    floor mode: out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1
    ceil mode:  out = ⌈(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌉ + 1,
                minus 1 if that last window would start at or after in + padding
                (every window must start inside the input or the left padding)

and ``padding <= kernel // 2``. Cost: no MACs; one FLOP per output element (``costs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from ..i18n import N_, tr
from . import costs
from ._args import fmt_shape, fmt_tuple, ntuple
from ._base import Layer, RFStep
from ._errors import LayerError
from .window import axis_letters, effective_kernels, pool_out_size, window_warnings


@dataclass(frozen=True)
class _TorchPoolNd(Layer):
    """Shared by ``MaxPoolNd`` and ``AvgPoolNd``; subclasses fix the fields and their order."""

    n: ClassVar[int] = 2
    elementwise_flops: ClassVar[bool] = True
    _input_at_least_kernel: ClassVar[bool] = False  # AvgPool3d only (aten pool3d_shape_check)

    def __post_init__(self):
        name, n = self.type_name, self.n
        if self.kernel_size is None:
            raise LayerError(name, "kernel_size", tr("{arg} is required, e.g. {example}", arg="kernel_size", example="kernel_size=2"))
        k = ntuple(name, "kernel_size", self.kernel_size, n)
        # stride=None (or an empty tuple, as F.max_pool2d accepts) means stride = kernel_size
        s = k if self.stride is None or self.stride == () or self.stride == [] else ntuple(name, "stride", self.stride, n)
        p = ntuple(name, "padding", self.padding, n)
        d = ntuple(name, "dilation", getattr(self, "dilation", 1), n)
        for arg, vals in (("kernel_size", k), ("stride", s), ("dilation", d)):
            if any(v <= 0 for v in vals):
                raise LayerError(name, arg, tr("{arg} must be > 0 in every dimension, got {got}", arg=arg, got=f"{arg}={fmt_tuple(vals)}"))
        if any(v < 0 for v in p):
            raise LayerError(name, "padding", tr("{arg} must be >= 0, got {got}", arg="padding", got=f"padding={fmt_tuple(p)}"))
        if any(pv > kv // 2 for pv, kv in zip(p, k)):
            raise LayerError(name, "padding", tr("padding={padding} must be at most half the kernel_size={kernel_size} (padding <= {most})",
                                                    padding=fmt_tuple(p), kernel_size=fmt_tuple(k), most=fmt_tuple(tuple(kv // 2 for kv in k))))
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_p", p)
        object.__setattr__(self, "_d", d)

    def output_shape(self, shape):
        name, n = self.type_name, self.n
        if len(shape) not in (n + 1, n + 2):
            raise LayerError(name, "input", tr("expected a {unbatched}-D (unbatched) or {batched}-D (batched) input {layout}, got {rank}-D {shape}",
                                              unbatched=n + 1, batched=n + 2, layout=f"(N, C, {', '.join(axis_letters(n))})", rank=len(shape), shape=fmt_shape(shape)))
        non_batch = shape if len(shape) == n + 1 else shape[1:]
        if any(v == 0 for v in non_batch):
            raise LayerError(name, "input", tr("every dimension but the batch must be non-zero, got {shape}", shape=fmt_shape(shape)))
        spatial = tuple(shape[-n:])
        if self._input_at_least_kernel and any(v < k for v, k in zip(spatial, self._k)):
            raise LayerError(name, "kernel_size", tr("input {size} is smaller than kernel_size={kernel_size}; {layer} needs the unpadded input to be at least {kernel_size}",
                                                        size=fmt_tuple(spatial), kernel_size=fmt_tuple(self._k), layer=name))
        out = tuple(pool_out_size(size, k, s, p, d, self.ceil_mode) for size, k, s, p, d in zip(spatial, self._k, self._s, self._p, self._d))
        if any(o < 1 for o in out):
            eff = effective_kernels(self._k, self._d)
            raise LayerError(
                name, "kernel_size",
                tr("kernel {kernel} (dilated {dilated}) is larger than the padded input {padded} (input {size} + padding {padding}), "
                   "output would be {out}; the padded input must be at least {dilated}",
                   kernel=fmt_tuple(self._k), dilated=fmt_tuple(eff), padded=fmt_tuple(tuple(v + 2 * p for v, p in zip(spatial, self._p))),
                   size=fmt_tuple(spatial), padding=fmt_tuple(tuple(2 * p for p in self._p)), out=fmt_tuple(out)),
            )
        return tuple(shape[:-n]) + out

    def rf_step(self, shape):
        return RFStep(effective_kernels(self._k, self._d), self._s, self._p)

    def warnings(self, shape, out):
        if self.ceil_mode:
            return ()
        return window_warnings(self.type_name, shape[-self.n:], out[-self.n:], self._k, self._s, tuple((p, p) for p in self._p), self._d, False)

    def explain(self, shape, out):
        lines = []
        for ax, size, o, k, s, p, d in zip(axis_letters(self.n), shape[-self.n:], out[-self.n:], self._k, self._s, self._p, self._d):
            if self.ceil_mode:
                lines.append(tr("{formula}  (ceil_mode; the last window must start inside the input or left padding)",
                                formula=f"{ax}_out = ⌈({size} + 2·{p} − {d}·({k}−1) − 1) / {s}⌉ + 1 = {o}"))
            else:
                lines.append(f"{ax}_out = ⌊({size} + 2·{p} − {d}·({k}−1) − 1) / {s}⌋ + 1 = {o}")
        lines.append(tr(self._cost_line, flops=f"{costs.numel(out):,}"))
        return lines


@dataclass(frozen=True)
class _MaxPool(_TorchPoolNd):
    """``nn.MaxPoolNd(kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False)``."""

    kernel_size: int | tuple = None
    stride: int | tuple | None = None  # None: stride = kernel_size
    padding: int | tuple = 0  # implicit -inf padding, at most kernel_size // 2
    dilation: int | tuple = 1
    return_indices: bool = False  # adds a second output of the same shape; counted as one here
    ceil_mode: bool = False
    _cost_line: ClassVar[str] = N_("params = 0; one max per output element: {flops} FLOPs")  # explain()'s last line


class MaxPool1d(_MaxPool, n=1):
    """``nn.MaxPool1d``."""


class MaxPool2d(_MaxPool, n=2):
    """``nn.MaxPool2d``: 7×7 → 3×3 with a 2×2 pool (the floor drops the last row and column).

    >>> r = MaxPool2d(2).evaluate((1, 64, 7, 7))
    >>> r.output_shape, r.flops, r.warnings[0][:54]
    ((1, 64, 3, 3), 576, 'MaxPool2d: the floor drops the last 1 input row/column')
    >>> MaxPool2d(3, stride=2, padding=1).evaluate((1, 64, 112, 112)).output_shape  # ResNet stem
    (1, 64, 56, 56)
    """


class MaxPool3d(_MaxPool, n=3):
    """``nn.MaxPool3d``."""


@dataclass(frozen=True)
class _AvgPool(_TorchPoolNd):
    """``nn.AvgPoolNd(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
    divisor_override=None)``; ``count_include_pad`` changes the values, never the shape."""

    kernel_size: int | tuple = None
    stride: int | tuple | None = None
    padding: int | tuple = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    _cost_line: ClassVar[str] = N_("params = 0; one mean per output element: {flops} FLOPs")

    def __post_init__(self):
        _TorchPoolNd.__post_init__(self)
        if self.divisor_override is not None and (isinstance(self.divisor_override, bool) or not isinstance(self.divisor_override, int) or self.divisor_override == 0):
            raise LayerError(self.type_name, "divisor_override", tr("divisor_override must be None or a non-zero int, got {got}", got=repr(self.divisor_override)))


@dataclass(frozen=True)
class AvgPool1d(_AvgPool):
    """``nn.AvgPool1d`` (no ``divisor_override`` in PyTorch's signature)."""

    divisor_override: ClassVar[None] = None
    n: ClassVar[int] = 1


class AvgPool2d(_AvgPool, n=2):
    """``nn.AvgPool2d``.

    >>> AvgPool2d(3, stride=2, padding=1, ceil_mode=True).evaluate((1, 8, 6, 6)).output_shape
    (1, 8, 4, 4)
    """


@dataclass(frozen=True)
class AvgPool3d(_AvgPool):
    """``nn.AvgPool3d``; unlike 1-D/2-D, PyTorch also requires the *unpadded* input to be at least the kernel."""

    n: ClassVar[int] = 3
    _input_at_least_kernel: ClassVar[bool] = True


def adaptive_window(size: int, out: int, i: int) -> tuple[int, int]:
    """Input window [start, end) of adaptive-pool output ``i``: start = ⌊i·in/out⌋, end = ⌈(i+1)·in/out⌉.

    >>> [adaptive_window(7, 3, i) for i in range(3)]
    [(0, 3), (2, 5), (4, 7)]
    """
    return (i * size) // out, -(-((i + 1) * size) // out)


@dataclass(frozen=True)
class _AdaptivePoolNd(Layer):
    output_size: int | tuple | None = None  # an entry None keeps that input size
    n: ClassVar[int] = 2
    elementwise_flops: ClassVar[bool] = True
    _max: ClassVar[bool] = False

    def __post_init__(self):
        name, n = self.type_name, self.n
        value = self.output_size
        if isinstance(value, (tuple, list)) and len(value) == n and all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in value):
            out = tuple(value)
        elif value is None and n == 1:
            raise LayerError(name, "output_size", tr("{arg} is required, e.g. {example}", arg="output_size", example="output_size=1"))
        else:
            out = ntuple(name, "output_size", value, n)
        if any(v is not None and v < 0 for v in out):
            raise LayerError(name, "output_size", tr("output_size must be >= 0 (or None to keep a size), got {got}", got=repr(out)))
        object.__setattr__(self, "_o", out)

    def output_shape(self, shape):
        name, n = self.type_name, self.n
        if len(shape) not in (n + 1, n + 2):
            raise LayerError(name, "input", tr("expected a {unbatched}-D (unbatched) or {batched}-D (batched) input, got {rank}-D {shape}",
                                              unbatched=n + 1, batched=n + 2, rank=len(shape), shape=fmt_shape(shape)))
        out = tuple(size if o is None else o for size, o in zip(shape[-n:], self._o))
        # Which dimensions must be non-empty differs by kernel (aten AdaptiveAveragePooling*.cpp):
        # max pooling and 3-D average pooling check every dimension after the first, 1-D/2-D average
        # pooling only the spatial ones, and an all-ones average is a plain mean that checks nothing.
        if self._max or n == 3:
            checked = shape[1:] if not (not self._max and all(o == 1 for o in out)) else ()
        else:
            checked = () if all(o == 1 for o in out) else shape[-n:]
        if 0 in checked:
            raise LayerError(name, "input", tr("input {shape} has an empty dimension that {layer} cannot pool; only the first (batch) dimension may be 0", shape=fmt_shape(shape), layer=name))
        return tuple(shape[:-n]) + out

    def rf_step(self, shape):
        spatial, out = shape[-self.n:], self.output_shape(shape)[-self.n:]
        if all(o == 1 for o in out):
            return RFStep(tuple(spatial), tuple(spatial), (0,) * self.n, is_global=True)
        kernel = tuple(max((lambda w: w[1] - w[0])(adaptive_window(s, o, i)) for i in range(o)) if o else s for s, o in zip(spatial, out))
        stride = tuple(_whole(Fraction(s, o)) if o else s for s, o in zip(spatial, out))
        return RFStep(kernel, stride, (0,) * self.n)

    def warnings(self, shape, out):
        notes = []
        for size, o in zip(shape[-self.n:], out[-self.n:]):
            if o and size % o:
                notes.append(tr("{layer}: input {size} is not a multiple of output {out}; windows overlap and differ in size ({windows})",
                                layer=self.type_name, size=size, out=o, windows=f"⌊i·{size}/{o}⌋ .. ⌈(i+1)·{size}/{o}⌉"))
            if o > size:
                notes.append(tr("{layer}: output {out} is larger than the input {size}; input pixels are repeated", layer=self.type_name, out=o, size=size))
        return tuple(dict.fromkeys(notes))

    def explain(self, shape, out):
        lines = [tr("output size = {out} (output_size={output_size}), whatever the input {size}",
                    out=fmt_tuple(out[-self.n:]), output_size=repr(self.output_size), size=fmt_tuple(shape[-self.n:]))]
        lines.append(tr("window i covers input {window}", window="[⌊i·in/out⌋, ⌈(i+1)·in/out⌉)"))
        lines.append(tr("params = 0; one FLOP per output element: {flops}", flops=f"{costs.numel(out):,}"))
        return lines


def _whole(x):
    return int(x) if isinstance(x, Fraction) and x.denominator == 1 else x


class AdaptiveAvgPool1d(_AdaptivePoolNd, n=1):
    """``nn.AdaptiveAvgPool1d``."""


class AdaptiveAvgPool2d(_AdaptivePoolNd, n=2):
    """``nn.AdaptiveAvgPool2d(output_size)``: out = output_size, whatever the input.

    >>> r = AdaptiveAvgPool2d((1, 1)).evaluate((1, 2048, 7, 7))
    >>> r.output_shape, r.receptive_field.is_global
    ((1, 2048, 1, 1), True)
    """


class AdaptiveAvgPool3d(_AdaptivePoolNd, n=3):
    """``nn.AdaptiveAvgPool3d``."""


@dataclass(frozen=True)
class _AdaptiveMax(_AdaptivePoolNd):
    return_indices: bool = False
    _max: ClassVar[bool] = True


class AdaptiveMaxPool1d(_AdaptiveMax, n=1):
    """``nn.AdaptiveMaxPool1d``."""


class AdaptiveMaxPool2d(_AdaptiveMax, n=2):
    """``nn.AdaptiveMaxPool2d(output_size, return_indices=False)``; None keeps an input size.

    >>> AdaptiveMaxPool2d((None, 7)).evaluate((1, 8, 10, 9)).output_shape
    (1, 8, 10, 7)
    """


class AdaptiveMaxPool3d(_AdaptiveMax, n=3):
    """``nn.AdaptiveMaxPool3d``."""
