"""PyTorch convolutions: ``Conv1d/2d/3d``, one implementation over a tuple of spatial sizes
(``torch/nn/modules/conv.py``, "Shape:" sections)::

    out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1

The window arithmetic is ``window``'s; transposed convolutions are ``conv_transpose``, Keras's
convolutions ``conv_keras`` (Keras's conventions: ``keras_conventions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..i18n import N_, tr, trn
from . import costs
from ._args import fmt_shape, fmt_tuple, ntuple
from ._base import KERNEL_AXES, Layer, RFStep, Role, Shape, Weight, DeclaredWeight
from ._errors import LayerError
from .window import axis_letters, conv_out_size, effective_kernels, join_spatial, split_spatial, window_warnings

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


# the bias of every convolution whose outputs are channels (PyTorch's, Keras's depthwise)
CHANNEL_BIAS = DeclaredWeight("bias", ("out",), Role.BIAS, N_("one value added to every position of each output channel"))


def _check_torch_channels(layer, *, example_kernel: int) -> None:
    """The construction checks PyTorch's ``_ConvNd`` makes on channels and groups."""
    name = layer.type_name
    if layer.out_channels is None:
        raise LayerError(name, "out_channels", tr("{arg} is required, e.g. {example}", arg="out_channels", example="out_channels=32"))
    if layer.kernel_size is None:
        raise LayerError(name, "kernel_size", tr("{arg} is required, e.g. {example}", arg="kernel_size", example=f"kernel_size={example_kernel}"))
    g = layer.groups
    if isinstance(g, bool) or not isinstance(g, int) or g <= 0:
        raise LayerError(name, "groups", tr("{arg} must be a positive integer, got {got}", arg="groups", got=f"groups={g!r}"))
    if layer.in_channels is not None and layer.in_channels % g:
        raise LayerError(name, "in_channels", tr("{arg} is not divisible by {groups}; use a multiple of {g}", arg=f"in_channels={layer.in_channels}", groups=f"groups={g}", g=g))
    if layer.out_channels % g:
        raise LayerError(name, "out_channels", tr("{arg} is not divisible by {groups}; use a multiple of {g}", arg=f"out_channels={layer.out_channels}", groups=f"groups={g}", g=g))


def _check_torch_input(layer, shape: Shape) -> tuple[int, tuple[int, ...]]:
    """(channels, spatial sizes) of a PyTorch conv's input, after the checks ``_ConvNd.forward``
    makes on it: unbatched or batched rank, no empty spatial size, the channels ``in_channels`` and
    ``groups`` expect."""
    name, n = layer.type_name, layer.n
    if len(shape) not in (n + 1, n + 2):
        raise LayerError(name, "input", tr("expected a {unbatched}-D (unbatched) or {batched}-D (batched) input {layout}, got {rank}-D {shape}",
                                              unbatched=n + 1, batched=n + 2, layout=f"(N, C, {', '.join(axis_letters(n))})", rank=len(shape), shape=fmt_shape(shape)))
    c, spatial = split_spatial(shape, n, False)
    if 0 in spatial:
        raise LayerError(name, "input", tr("input {shape} has an empty spatial dimension; only the batch (or channel) dimension may be 0", shape=fmt_shape(shape)))
    if layer.in_channels is not None and c != layer.in_channels:
        raise LayerError(name, "in_channels", tr("in_channels={want} but the input {shape} has {c} channels; use in_channels={c}", want=layer.in_channels, shape=fmt_shape(shape), c=c))
    if c % layer.groups:
        raise LayerError(name, "groups", tr("input channels {c} are not divisible by groups={groups}", c=c, groups=layer.groups))
    return c, spatial


# ---------------------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _TorchConvNd(Layer):
    """``nn.ConvNd(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')``; weight ``(out, in/groups, *kernel)``."""

    declared_weights: ClassVar = (
        DeclaredWeight("weight", ("out", "in", KERNEL_AXES), Role.KERNEL, N_("one kernel per output channel and input channel of its group; each output channel sums its kernels' responses")),
        CHANNEL_BIAS,
    )
    taken_from_input: ClassVar = {"in_channels": 1}

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
            raise LayerError(name, "padding_mode", tr("{arg} is not one of {choices}", arg=f"padding_mode={self.padding_mode!r}", choices=", ".join(map(repr, _PADDING_MODES))))
        k = ntuple(name, "kernel_size", self.kernel_size, n)
        s = ntuple(name, "stride", self.stride, n)
        d = ntuple(name, "dilation", self.dilation, n)
        if isinstance(self.padding, str):
            if self.padding not in ("same", "valid"):
                raise LayerError(name, "padding", tr("padding={padding} is not valid; use 'same', 'valid' or an int/tuple", padding=repr(self.padding)))
            if self.padding == "same" and any(v != 1 for v in s):
                raise LayerError(name, "padding", tr("padding='same' is not supported for strided convolutions (stride={stride}); use stride=1 or an explicit padding such as padding={padding}",
                                                       stride=fmt_tuple(s), padding=(max(k) - 1) // 2))
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
            for e in effective_kernels(self._k, self._d):  # stride 1 only: a fixed total of k' − 1
                total = e - 1
                out.append((total // 2, total - total // 2))
            return tuple(out)
        return tuple((p, p) for p in self._p)

    def _check(self, shape: Shape) -> tuple[int, tuple[int, ...]]:
        name = self.type_name
        c, spatial = _check_torch_input(self, shape)
        bad = [v for v in self._s if v <= 0]
        if bad:
            raise LayerError(name, "stride", tr("{arg} must be positive, got {got}", arg="stride", got=f"stride={fmt_tuple(self._s)}"))
        if self.padding_mode == "zeros" and any(v < 0 for v in self._p):
            # other padding modes go through F.pad, where a negative padding crops
            raise LayerError(name, "padding", tr("padding must be >= 0 with padding_mode='zeros', got padding={padding}", padding=fmt_tuple(self._p)))
        if any(v <= 0 for v in self._k):
            raise LayerError(name, "kernel_size", tr("{arg} must be positive, got {got}", arg="kernel_size", got=f"kernel_size={fmt_tuple(self._k)}"))
        if any(v <= 0 for v in self._d):
            raise LayerError(name, "dilation", tr("{arg} must be positive, got {got}", arg="dilation", got=f"dilation={fmt_tuple(self._d)}"))
        pads = self._pads()
        if self.padding_mode != "zeros":
            for size, (a, b) in zip(spatial, pads):
                if self.padding_mode == "reflect" and max(a, b) >= size:
                    raise LayerError(name, "padding", tr("padding_mode='reflect' needs padding < input size, got padding {padding} for size {size}", padding=max(a, b), size=size))
                if self.padding_mode == "circular" and max(a, b) > size:
                    raise LayerError(name, "padding", tr("padding_mode='circular' needs padding <= input size, got padding {padding} for size {size}", padding=max(a, b), size=size))
                if self.padding_mode == "replicate" and size == 0 and (a or b):
                    raise LayerError(name, "input", tr("padding_mode='replicate' needs a non-empty input, got {shape}", shape=fmt_shape(shape)))
        padded = tuple(size + a + b for size, (a, b) in zip(spatial, pads))
        eff = effective_kernels(self._k, self._d)
        if any(pv < e for pv, e in zip(padded, eff)):
            raise LayerError(
                name, "kernel_size",
                tr("kernel {kernel} (dilated {dilated}) is larger than the padded input {padded} (input {size} + padding {padding}); "
                   "the padded input must be at least {dilated}",
                   kernel=fmt_tuple(self._k), dilated=fmt_tuple(eff), padded=fmt_tuple(padded), size=fmt_tuple(spatial),
                   padding=fmt_tuple(tuple(a + b for a, b in pads))),
            )
        return c, spatial

    def output_shape(self, shape):
        c, spatial = self._check(shape)
        out = tuple(
            conv_out_size(size, k, s, a + b, d)
            for size, k, s, (a, b), d in zip(spatial, self._k, self._s, self._pads(), self._d)
        )
        return join_spatial(shape, self.n, False, self.out_channels, out)

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
            effective_kernels(self._k, self._d),
            self._s,
            tuple(a for a, _ in self._pads()),
        )

    def warnings(self, shape, out):
        return window_warnings(self.type_name, shape[-self.n:], out[-self.n:], self._k, self._s, self._pads(), self._d, self.padding == "same")

    def explain(self, shape, out):
        c = shape[-1 - self.n]
        lines = []
        axes = axis_letters(self.n)
        pads = self._pads()
        for ax, size, o, k, s, (a, b), d in zip(axes, shape[-self.n:], out[-self.n:], self._k, self._s, pads, self._d):
            pad = f"2·{a}" if a == b else f"{a} + {b}"
            lines.append(f"{ax}_out = ⌊({size} + {pad} − {d}·({k}−1) − 1) / {s}⌋ + 1 = {o}")
        lines += _param_lines(self.out_channels, c, self.groups, self._k, self.bias, self.param_count(shape))
        lines.append(tr("MACs = {positions} output positions × {filters} filters × {per}·{kernel} = {macs}",
                        positions=f"{costs.numel(out) // self.out_channels:,}", filters=self.out_channels, per=c // self.groups,
                        kernel="·".join(map(str, self._k)), macs=f"{self.macs(shape, out):,}"))
        return lines


def _param_lines(out_channels: int, in_channels: int, groups: int, kernel: tuple[int, ...], bias: bool, total: int) -> list[str]:
    per = in_channels // groups
    kdesc = "×".join(map(str, kernel))
    formula = f"{out_channels} × ({per} × {' × '.join(map(str, kernel))})" + (f" + {out_channels}" if bias else "")
    lines = [f"params = {formula} = {total:,}"]  # a formula: no words
    if groups == 1 and per == 1:
        lines.append(tr("each of the {filters} filters holds one {kernel} kernel for the single input channel; its response is one output channel",
                        filters=out_channels, kernel=kdesc))
    elif groups == 1:
        lines.append(tr("each of the {filters} filters holds {per} kernels of {kernel}, one per input channel; their {per} responses are summed into one output channel",
                        filters=out_channels, per=per, kernel=kdesc))
    else:
        out_per = out_channels // groups
        if groups == in_channels:
            split = tr("groups={groups} (depthwise): the {channels} input channels are split into {groups} groups of {per}", groups=groups, channels=in_channels, per=per)
        else:
            split = tr("groups={groups}: the {channels} input channels are split into {groups} groups of {per}", groups=groups, channels=in_channels, per=per)
        if per == 1:
            sees = trn("each group's {n} filter sees only its own {per} channel", "each group's {n} filters see only its own {per} channel", out_per, n=out_per, per=per)
        else:
            sees = trn("each group's {n} filter sees only its own {per} channels", "each group's {n} filters see only its own {per} channels", out_per, n=out_per, per=per)
        lines.append(f"{split}; {sees}")  # two sentences, each a message
    return lines


class Conv1d(_TorchConvNd, n=1):
    """``nn.Conv1d``."""


class Conv2d(_TorchConvNd, n=2):
    """``nn.Conv2d``.

    >>> r = Conv2d(1, 20, 5, padding=2).evaluate((16, 1, 28, 28))
    >>> r.output_shape, [w.shape for w in r.weights], r.params
    ((16, 20, 28, 28), [(20, 1, 5, 5), (20,)], 520)
    """


class Conv3d(_TorchConvNd, n=3):
    """``nn.Conv3d``."""
