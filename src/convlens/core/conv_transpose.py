"""PyTorch transposed convolutions: ``ConvTranspose1d/2d/3d`` (``torch/nn/modules/conv.py``)::

    out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from ..i18n import N_, tr, trn
from . import costs
from ._args import fmt_tuple, ntuple
from ._base import KERNEL_AXES, Layer, RFStep, Role, Weight, DeclaredWeight
from ._errors import LayerError
from .conv import CHANNEL_BIAS, _check_torch_channels, _check_torch_input
from .window import axis_letters, effective_kernels, join_spatial, transposed_out_size


@dataclass(frozen=True)
class _TorchConvTransposeNd(Layer):
    """``nn.ConvTransposeNd(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros')``;
    weight ``(in, out/groups, *kernel)``."""

    declared_weights: ClassVar = (
        DeclaredWeight("weight", ("in", "out", KERNEL_AXES), Role.KERNEL, N_("one kernel per input channel and output channel of its group, scattered into the output at every input position")),
        CHANNEL_BIAS,
    )
    taken_from_input: ClassVar = {"in_channels": 1}

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
            raise LayerError(name, "padding_mode", tr("only padding_mode='zeros' is supported for {layer}, got {got}", layer=name, got=repr(self.padding_mode)))
        if isinstance(self.padding, str):
            raise LayerError(name, "padding", tr("{layer} takes an int or tuple padding, got {got}", layer=name, got=repr(self.padding)))
        object.__setattr__(self, "_k", ntuple(name, "kernel_size", self.kernel_size, n))
        object.__setattr__(self, "_s", ntuple(name, "stride", self.stride, n))
        object.__setattr__(self, "_p", ntuple(name, "padding", self.padding, n))
        object.__setattr__(self, "_op", ntuple(name, "output_padding", self.output_padding, n))
        object.__setattr__(self, "_d", ntuple(name, "dilation", self.dilation, n))

    def output_shape(self, shape):
        name, n = self.type_name, self.n
        c, spatial = _check_torch_input(self, shape)
        for arg, vals in (("kernel_size", self._k), ("stride", self._s), ("dilation", self._d)):
            if any(v <= 0 for v in vals):
                raise LayerError(name, arg, tr("{arg} must be positive, got {got}", arg=arg, got=f"{arg}={fmt_tuple(vals)}"))
        for arg, vals in (("padding", self._p), ("output_padding", self._op)):
            if any(v < 0 for v in vals):
                raise LayerError(name, arg, tr("{arg} must be >= 0, got {got}", arg=arg, got=f"{arg}={fmt_tuple(vals)}"))
        for op, s, d in zip(self._op, self._s, self._d):
            if op >= max(s, d):
                raise LayerError(name, "output_padding", tr("output_padding={output_padding} must be smaller than stride {stride} or dilation {dilation}",
                                                              output_padding=fmt_tuple(self._op), stride=fmt_tuple(self._s), dilation=fmt_tuple(self._d)))
        out = tuple(
            transposed_out_size(size, k, s, p, d, op)
            for size, k, s, p, op, d in zip(spatial, self._k, self._s, self._p, self._op, self._d)
        )
        # An output of exactly 0 is backend-dependent in PyTorch: the reference kernels raise "Output size
        # is too small", the oneDNN path (chosen by groups, strides, sizes, threads) returns an empty
        # tensor. convlens always rejects it; a negative size raises everywhere.
        if any(o <= 0 for o in out):
            raise LayerError(name, "padding", tr("output size {out} would be zero or negative for input {size} with padding {padding}; reduce padding",
                                                out=fmt_tuple(out), size=fmt_tuple(spatial), padding=fmt_tuple(self._p)))
        return join_spatial(shape, n, False, self.out_channels, out)

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
        eff = effective_kernels(self._k, self._d)
        return RFStep(
            tuple(Fraction(e - 1, s) + 1 for e, s in zip(eff, self._s)),
            tuple(Fraction(1, s) for s in self._s),
            tuple(Fraction(e - 1 - p, s) for e, p, s in zip(eff, self._p, self._s)),
        )

    def warnings(self, shape, out):
        """Warn only where ``output_padding`` really decides the size a user expects.

        The matching convolution maps every size in ``o − op .. o − op + s − 1`` to the input
        size; of those, ``s × in`` is the one an upsampling by ``s`` is meant to give. The warning
        is made when that size is in the range but ``output_padding`` picks another one
        (``ConvTranspose2d(k=3, s=2, p=1)`` gives ``2·in − 1``); ``k=2, s=2`` or ``k=4, s=2, p=1``
        give ``2·in`` exactly and are not warned about.
        """
        notes = []
        for size, o, k, s, p, op, d in zip(shape[-self.n:], out[-self.n:], self._k, self._s, self._p, self._op, self._d):
            low = o - op
            wanted = s * size
            if s > 1 and o != wanted and low <= wanted <= low + s - 1:
                notes.append(tr(
                    "{layer}: output_padding={output_padding} gives {out}, not {stride}×{size} = {wanted}: the matching convolution maps "
                    "every size {low}..{high} to {size}; use output_padding={fix} for {wanted}",
                    layer=self.type_name, output_padding=op, out=o, stride=s, size=size, wanted=wanted, low=low, high=low + s - 1, fix=wanted - low))
        return tuple(dict.fromkeys(notes))

    def explain(self, shape, out):
        c = shape[-1 - self.n]
        axes = axis_letters(self.n)
        lines = [
            f"{ax}_out = ({size} − 1)·{s} − 2·{p} + {d}·({k}−1) + {op} + 1 = {o}"
            for ax, size, o, k, s, p, op, d in zip(axes, shape[-self.n:], out[-self.n:], self._k, self._s, self._p, self._op, self._d)
        ]
        per = self.out_channels // self.groups
        total = self.param_count(shape)
        formula = f"{c} × ({per} × {' × '.join(map(str, self._k))})" + (f" + {self.out_channels}" if self.bias else "")
        lines.append(f"params = {formula} = {total:,}")
        lines.append(trn("each of the {channels} input channels scatters a {kernel} kernel into {n} output channel; overlapping contributions are summed",
                         "each of the {channels} input channels scatters a {kernel} kernel into {n} output channels; overlapping contributions are summed",
                         per, channels=c, kernel="×".join(map(str, self._k)), n=per))
        return lines


class ConvTranspose1d(_TorchConvTransposeNd, n=1):
    """``nn.ConvTranspose1d``."""


class ConvTranspose2d(_TorchConvTransposeNd, n=2):
    """``nn.ConvTranspose2d``."""


class ConvTranspose3d(_TorchConvTransposeNd, n=3):
    """``nn.ConvTranspose3d``."""
