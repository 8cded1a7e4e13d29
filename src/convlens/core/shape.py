"""Layers that move elements without computing: PyTorch ``Flatten``, ``Unflatten``, ``ZeroPad2d``,
``PixelShuffle``, ``Upsample``, ``Identity``; Keras ``Flatten`` (as ``KerasFlatten``) and
``ZeroPadding2D``.

PyTorch and Keras both name a layer ``Flatten`` with different rules (PyTorch flattens
``start_dim..end_dim``, Keras everything but the batch). The core registry is keyed by class
name, so the Keras one is ``KerasFlatten`` here; ``core.KERAS_ALIASES`` maps the Keras spelling
``Flatten`` to it when a chain is read as Keras (``layer("Flatten", framework="keras")``).

Cost: 0 MACs, 0 FLOPs (``Upsample`` in a non-nearest mode: one FLOP per output element).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from . import costs
from ._args import fmt_shape, fmt_tuple, ntuple, ranks_text
from ._base import Layer, RFStep
from .framework import Framework
from ._errors import LayerError
from .keras_conventions import keras_data_format, keras_tuple
from .window import join_spatial, split_spatial
from ..i18n import tr

_FLAT = RFStep((), (), (), is_global=True)  # the spatial layout is gone after a flatten


def _canon_dim(layer: str, arg: str, dim, rank: int) -> int:
    """PyTorch dimension wrapping: ``dim`` in [-rank, rank) (a 0-d tensor counts as rank 1)."""
    r = max(rank, 1)
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise LayerError(layer, arg, tr("{arg} must be an int, got {value}", arg=arg, value=repr(dim)))
    if not -r <= dim < r:
        raise LayerError(layer, arg, tr("{arg}={dim} is out of range for a {rank}-D input; use a dimension in [-{r}, {last}]", arg=arg, dim=dim, rank=rank, r=r, last=r - 1))
    return dim % r


@dataclass(frozen=True)
class Flatten(Layer):
    """``nn.Flatten(start_dim=1, end_dim=-1)``: dimensions start_dim..end_dim become their product.

    >>> Flatten().evaluate((16, 25, 4, 4)).output_shape
    (16, 400)
    >>> Flatten(0, 1).evaluate((2, 3, 5)).output_shape
    (6, 5)
    """

    start_dim: int = 1
    end_dim: int = -1

    def output_shape(self, shape):
        name, r = self.type_name, len(shape)
        s = _canon_dim(name, "start_dim", self.start_dim, r)
        e = _canon_dim(name, "end_dim", self.end_dim, r)
        if s > e:
            raise LayerError(name, "start_dim", tr("start_dim={start} comes after end_dim={end} for a {rank}-D input {shape}; use start_dim <= end_dim", start=self.start_dim, end=self.end_dim, rank=r, shape=fmt_shape(shape)))
        if r == 0:
            return (1,)
        return tuple(shape[:s]) + (costs.numel(shape[s:e + 1]),) + tuple(shape[e + 1:])

    def rf_step(self, shape):
        return _FLAT

    def explain(self, shape, out):
        return [tr("{shape} -> {out}: dimensions {start}..{end} multiplied together; no parameters, no FLOPs", shape=fmt_shape(shape), out=fmt_shape(out), start=self.start_dim, end=self.end_dim)]


@dataclass(frozen=True)
class KerasFlatten(Layer):
    """``keras.layers.Flatten(data_format=None)``: every dimension but the batch becomes one
    (a 1-D input gives ``(batch, 1)``; an unknown dimension makes the product unknown).

    >>> KerasFlatten().evaluate((None, 4, 4, 25)).output_shape
    (None, 400)
    """

    framework: ClassVar[Framework] = Framework.KERAS
    data_format: str | None = None  # channels_first transposes first; the shape is the same

    def __post_init__(self):
        keras_data_format(self.type_name, self.data_format)

    @property
    def type_name(self) -> str:
        return "Flatten"

    def output_shape(self, shape):
        if len(shape) < 1:
            raise LayerError(self.type_name, "input", tr("expects at least a 1-D input (batch, …), got {shape}", shape=fmt_shape(shape)))
        return (shape[0], costs.numel(shape[1:]))

    def rf_step(self, shape):
        return _FLAT

    def explain(self, shape, out):
        dims = " × ".join(str(d) for d in shape[1:]) or "1"
        return [tr("{shape} -> {out}: {dims} = {n} features per sample; no parameters", shape=fmt_shape(shape), out=fmt_shape(out), dims=dims, n=f"{out[1]:,}")]


@dataclass(frozen=True)
class Unflatten(Layer):
    """``nn.Unflatten(dim, unflattened_size)``: dimension ``dim`` is split into ``unflattened_size``
    (one entry may be -1, inferred); the product must equal the size of ``dim``.

    >>> Unflatten(1, (16, 5, 5)).evaluate((8, 400)).output_shape
    (8, 16, 5, 5)
    """

    dim: int = None
    unflattened_size: tuple = None

    def __post_init__(self):
        u = self.unflattened_size
        if self.dim is None or u is None:
            raise LayerError(self.type_name, "dim", tr("dim and unflattened_size are required, got dim={dim}, unflattened_size={size}", dim=repr(self.dim), size=repr(u)))
        if not isinstance(u, (tuple, list)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in u):
            raise LayerError(self.type_name, "unflattened_size", tr("unflattened_size must be a tuple of ints, got {value}", value=repr(u)))

    def output_shape(self, shape):
        name = self.type_name
        d = _canon_dim(name, "dim", self.dim, len(shape))
        if len(shape) == 0:
            raise LayerError(name, "input", tr("cannot unflatten a 0-D input"))
        sizes, size = list(self.unflattened_size), shape[d]
        inferred = [i for i, v in enumerate(sizes) if v == -1]
        if len(inferred) > 1 or any(v < -1 for v in sizes):
            raise LayerError(name, "unflattened_size", tr("unflattened_size={sizes} may hold at most one -1 and no other negative size", sizes=tuple(sizes)))
        known = math.prod(v for v in sizes if v != -1)
        if inferred:
            if known == 0 or size % known:
                raise LayerError(name, "unflattened_size", tr("unflattened_size={sizes} cannot split dimension {d} of size {size} ({shape})", sizes=tuple(sizes), d=d, size=size, shape=fmt_shape(shape)))
            sizes[inferred[0]] = size // known
        elif known != size:
            raise LayerError(name, "unflattened_size", tr("unflattened_size={sizes} multiplies to {known}, but dimension {d} of {shape} is {size}", sizes=tuple(sizes), known=known, d=d, shape=fmt_shape(shape), size=size))
        return tuple(shape[:d]) + tuple(sizes) + tuple(shape[d + 1:])


@dataclass(frozen=True)
class ZeroPad2d(Layer):
    """``nn.ZeroPad2d(padding)``: int or (left, right, top, bottom); W_out = W + left + right,
    H_out = H + top + bottom (a negative padding crops; the crops alone may empty the input but not go below 0).

    >>> ZeroPad2d((1, 2, 0, 3)).evaluate((1, 3, 10, 10)).output_shape
    (1, 3, 13, 13)
    """

    padding: int | tuple = None

    def __post_init__(self):
        p = ntuple(self.type_name, "padding", self.padding, 4)
        object.__setattr__(self, "_p", p)

    def output_shape(self, shape):
        name = self.type_name
        if len(shape) < 2:
            raise LayerError(name, "input", tr("pads the last two dimensions, so needs at least a 2-D input, got {shape}", shape=fmt_shape(shape)))
        left, right, top, bottom = self._p
        # negative pads crop first (aten constant_pad_nd narrows), so the crops alone must leave >= 0
        cropped = (shape[-2] + min(top, 0) + min(bottom, 0), shape[-1] + min(left, 0) + min(right, 0))
        if min(cropped) < 0:
            raise LayerError(name, "padding", tr("the negative entries of padding (left, right, top, bottom)={padding} crop {size} to a negative size {cropped}", padding=self._p, size=fmt_tuple(shape[-2:]), cropped=fmt_tuple(cropped)))
        h, w = shape[-2] + top + bottom, shape[-1] + left + right
        return tuple(shape[:-2]) + (h, w)

    def rf_step(self, shape):
        left, _, top, _ = self._p
        return RFStep((1, 1), (1, 1), (top, left))

    def explain(self, shape, out):
        left, right, top, bottom = self._p
        return [f"H_out = {shape[-2]} + {top} + {bottom} = {out[-2]}", f"W_out = {shape[-1]} + {left} + {right} = {out[-1]}"]


@dataclass(frozen=True)
class ZeroPadding2D(Layer):
    """``keras.layers.ZeroPadding2D(padding=(1, 1), data_format=None)``: int, (sym_h, sym_w) or
    ((top, bottom), (left, right)).

    >>> ZeroPadding2D(((1, 2), (3, 4))).evaluate((None, 28, 28, 3)).output_shape
    (None, 31, 35, 3)
    """

    framework: ClassVar[Framework] = Framework.KERAS
    padding: int | tuple = (1, 1)
    data_format: str | None = None

    def __post_init__(self):
        name, p = self.type_name, self.padding
        if isinstance(p, int) and not isinstance(p, bool):
            pads = ((p, p), (p, p))
            keras_tuple(name, "padding", p, 1, allow_zero=True)
        elif isinstance(p, (tuple, list)) and len(p) == 2:
            pads = (keras_tuple(name, "padding", p[0], 2, allow_zero=True), keras_tuple(name, "padding", p[1], 2, allow_zero=True))
        else:
            raise LayerError(name, "padding", tr("padding must be an int, (sym_height, sym_width) or ((top, bottom), (left, right)), got {value}", value=repr(p)))
        object.__setattr__(self, "_p", pads)
        object.__setattr__(self, "_last", keras_data_format(name, self.data_format) == "channels_last")

    def output_shape(self, shape):
        if len(shape) != 4:
            raise LayerError(self.type_name, "input", tr("expected a 4-D input, got {rank}-D {shape}", rank=len(shape), shape=fmt_shape(shape)))
        c, (h, w) = split_spatial(shape, 2, self._last)
        (t, b), (l, r) = self._p
        return join_spatial(shape, 2, self._last, c, (h + t + b, w + l + r))

    def rf_step(self, shape):
        return RFStep((1, 1), (1, 1), (self._p[0][0], self._p[1][0]))

    def explain(self, shape, out):
        (t, b), (l, r) = self._p
        (h, w), (ho, wo) = split_spatial(shape, 2, self._last)[1], split_spatial(out, 2, self._last)[1]
        return [f"H_out = {h} + {t} + {b} = {ho}", f"W_out = {w} + {l} + {r} = {wo}"]


@dataclass(frozen=True)
class PixelShuffle(Layer):
    """``nn.PixelShuffle(upscale_factor)``: (*, C·r², H, W) -> (*, C, H·r, W·r).

    >>> PixelShuffle(3).evaluate((1, 18, 8, 8)).output_shape
    (1, 2, 24, 24)
    """

    upscale_factor: int = None

    def __post_init__(self):
        r = self.upscale_factor
        if isinstance(r, bool) or not isinstance(r, int) or r <= 0:
            raise LayerError(self.type_name, "upscale_factor", tr("upscale_factor must be a positive int, got {value}", value=repr(r)))

    def output_shape(self, shape):
        name, r = self.type_name, self.upscale_factor
        if len(shape) < 3:
            raise LayerError(name, "input", tr("expects at least a 3-D input (*, C, H, W), got {shape}", shape=fmt_shape(shape)))
        c, h, w = shape[-3:]
        if c % (r * r):
            raise LayerError(name, "upscale_factor", tr("the input's {c} channels ({shape}) are not divisible by upscale_factor² = {r2}", c=c, shape=fmt_shape(shape), r2=r * r))
        return tuple(shape[:-3]) + (c // (r * r), h * r, w * r)

    def rf_step(self, shape):
        f = Fraction(1, self.upscale_factor)
        return RFStep((1, 1), (f, f), (0, 0))

    def explain(self, shape, out):
        r = self.upscale_factor
        return [f"C_out = {shape[-3]} / {r}² = {out[-3]}", f"H_out = {shape[-2]}·{r} = {out[-2]}", f"W_out = {shape[-1]}·{r} = {out[-1]}"]


_UPSAMPLE_RANKS = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5), "linear": (3,), "bilinear": (4,), "bicubic": (4,), "trilinear": (5,)}


@dataclass(frozen=True)
class Upsample(Layer):
    """``nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None,
    recompute_scale_factor=None)``: out = size, or ⌊in · scale_factor⌋ per spatial dimension.

    >>> Upsample(scale_factor=2, mode="bilinear").evaluate((1, 64, 28, 28)).output_shape
    (1, 64, 56, 56)
    >>> Upsample(scale_factor=1.5).evaluate((1, 8, 7, 7)).output_shape  # ⌊7·1.5⌋ = 10
    (1, 8, 10, 10)
    """

    size: int | tuple | None = None
    scale_factor: float | tuple | None = None
    mode: str = "nearest"
    align_corners: bool | None = None
    recompute_scale_factor: bool | None = None

    def __post_init__(self):
        name = self.type_name
        if self.mode not in _UPSAMPLE_RANKS:
            raise LayerError(name, "mode", tr("mode={mode} is not one of {choices}", mode=repr(self.mode), choices=', '.join(map(repr, _UPSAMPLE_RANKS))))
        if self.align_corners is not None and self.mode in ("nearest", "nearest-exact", "area"):
            raise LayerError(name, "align_corners", tr("align_corners can only be set with the interpolating modes linear, bilinear, bicubic, trilinear; got mode={mode}", mode=repr(self.mode)))

    def _sizes(self, shape):
        name, n = self.type_name, len(shape) - 2
        if self.size is not None and self.scale_factor is not None:
            raise LayerError(name, "size", tr("only one of size={size} and scale_factor={scale} may be given", size=repr(self.size), scale=repr(self.scale_factor)))
        if self.size is None and self.scale_factor is None:
            raise LayerError(name, "size", tr("either size or scale_factor must be given, e.g. scale_factor=2"))
        spatial = tuple(shape[2:])
        if self.size is not None:
            if isinstance(self.size, (tuple, list)) and len(self.size) != n:
                raise LayerError(name, "size", tr("{arg}={value} has {k} entries but the input {shape} has {n} spatial dimensions", arg="size", value=repr(tuple(self.size)), k=len(self.size), shape=fmt_shape(shape), n=n))
            return spatial, ntuple(name, "size", self.size, n)
        sf = self.scale_factor
        if isinstance(sf, (tuple, list)):
            if len(sf) != n:
                raise LayerError(name, "scale_factor", tr("{arg}={value} has {k} entries but the input {shape} has {n} spatial dimensions", arg="scale_factor", value=repr(tuple(sf)), k=len(sf), shape=fmt_shape(shape), n=n))
        else:
            sf = (sf,) * n
        return spatial, tuple(math.floor(v * float(f)) for v, f in zip(spatial, sf))

    def output_shape(self, shape):
        name = self.type_name
        ranks = _UPSAMPLE_RANKS[self.mode]
        spatial, out = self._sizes(shape) if len(shape) >= 3 else ((), ())
        if len(shape) not in ranks:
            raise LayerError(name, "mode", tr("mode={mode} needs a {ranks} input, got {rank}-D {shape}", mode=repr(self.mode), ranks=ranks_text(ranks), rank=len(shape), shape=fmt_shape(shape)))
        # 'area' is adaptive average pooling, which accepts an empty output; the others need every size > 0
        if any(v <= 0 for v in spatial + (out if self.mode != "area" else ())) or any(v < 0 for v in out):
            raise LayerError(name, "input", tr("input {size} and output {out} sizes must all be > 0", size=fmt_tuple(spatial), out=fmt_tuple(out)))
        return tuple(shape[:2]) + out

    def flops(self, shape, out, macs):
        return 0 if self.mode.startswith("nearest") else costs.numel(out)

    def rf_step(self, shape):
        spatial, out = shape[2:], self.output_shape(shape)[2:]
        if 0 in out:
            return None
        return RFStep((1,) * len(out), tuple(Fraction(i, o) if i % o else i // o for i, o in zip(spatial, out)), (0,) * len(out))

    def explain(self, shape, out):
        if self.size is not None:
            return [tr("output size = size = {size}", size=fmt_tuple(out[2:]))]
        return [f"out = ⌊{i} · {self.scale_factor}⌋ = {o}" for i, o in zip(shape[2:], out[2:])]


@dataclass(frozen=True)
class Identity(Layer):
    """``nn.Identity()``: output = input.

    >>> Identity().evaluate((1, 3, 4, 4)).output_shape
    (1, 3, 4, 4)
    """

    def output_shape(self, shape):
        return tuple(shape)
