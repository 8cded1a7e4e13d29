""""What it does", in words, for the tutorial flow view, derived from a row's shapes and type.

Axes are read NCHW (channels after the batch) for PyTorch and core rows, NHWC (channels last)
for Keras summaries, for any 3-D to 5-D tensor. The phrases follow the hand-drawn tables:

    halves H and W: 28→14              channels 32→64, size kept
    flattens 128×3×3 → 1,152           features 1,152→512
    size 28→26 (3×3 kernel, no padding)
"""

from __future__ import annotations

from math import prod

from ..core.window import stride1_padding
from ..core.framework import Framework
from ..i18n import N_, tr
from . import _format as f
from ._layers import Kind, kernel_size, kind

_AXES = {1: "L", 2: N_("H and W"), 3: N_("D, H and W")}

_SAME_SHAPE = {
    Kind.ACTIVATION: N_("non-linearity, shape kept"),
    Kind.NORM: N_("normalises, shape kept"),
    Kind.DROPOUT: N_("drops units in training, shape kept"),
    Kind.IDENTITY: N_("passes the input through"),
}
SHAPE_KEPT = N_("shape kept")


def _kept(k) -> str:
    """The phrase of a row that keeps its shape, by its family."""
    return tr(_SAME_SHAPE.get(k, SHAPE_KEPT))


def _split(shape, channels_last: bool):
    """``(channels, spatial sizes)`` of a batched tensor."""
    if channels_last:
        return shape[-1], tuple(shape[1:-1])
    return shape[1], tuple(shape[2:])


def _size(sp) -> str:
    """One number for a square (cubic) map, ``28×20`` otherwise."""
    return f.thousands(sp[0]) if len(set(sp)) == 1 else f.times(sp)


def _spatial(row, sp_in, sp_out) -> str:
    """The phrase of what happens to the spatial size (``sp_in != sp_out``)."""
    axes = tr(_AXES.get(len(sp_in), N_("the spatial axes")))
    change = f"{_size(sp_in)}→{_size(sp_out)}"
    if all(i >= 2 and o == i // 2 for i, o in zip(sp_in, sp_out)):
        return tr("halves {axes}: {change}", axes=axes, change=change)
    if all(o == 2 * i for i, o in zip(sp_in, sp_out)):
        return tr("doubles {axes}: {change}", axes=axes, change=change)
    k = kind(row.type)
    shrink = tuple(i - o for i, o in zip(sp_in, sp_out))
    kern = next((k for w in row.weights if (k := kernel_size(w.shape, row.type, w.name))), None)
    if all(d > 0 for d in shrink):
        if kern is not None:  # a conv: the kernel is known, so the padding follows (stride 1)
            pads = tuple(stride1_padding(i, o, kk) for i, o, kk in zip(sp_in, sp_out, kern))
            if all(p == 0 for p in pads):
                return tr("size {change} ({kernel} kernel, no padding)", change=change, kernel=f.times(kern))
            if all(isinstance(p, int) and p > 0 for p in pads):
                return tr("size {change} ({kernel} kernel, padding {padding})", change=change, kernel=f.times(kern), padding=_size(pads))
        elif k is Kind.CONV:  # stride 1, no padding: the window is the shrink + 1
            return tr("size {change} ({kernel} kernel, no padding)", change=change, kernel=f.times(tuple(d + 1 for d in shrink)))
        elif k is Kind.POOL:
            return tr("size {change} ({window} window, no padding)", change=change, window=f.times(tuple(d + 1 for d in shrink)))
    if all(o == 1 for o in sp_out):
        return tr("pools {axes} to 1: {change}", axes=axes, change=change)
    factors = {i // o for i, o in zip(sp_in, sp_out) if o}
    if len(factors) == 1 and (q := factors.pop()) > 1 and all(i == o * q for i, o in zip(sp_in, sp_out)):
        return tr("divides {axes} by {q}: {change}", axes=axes, q=q, change=change)
    if kern is not None:
        return tr("size {change} ({kernel} kernel)", change=change, kernel=f.times(kern))
    return tr("size {change}", change=change)


def _merge(row, ins, out, channels_last) -> str | None:
    k = kind(row.type)
    n = len(ins)
    if all(tuple(s) == tuple(out) for s in ins):
        if k is Kind.ADD:
            return tr("adds {n} inputs, shape kept", n=n)
        if k is Kind.MULTIPLY:
            return tr("multiplies {n} inputs, shape kept", n=n)
        return tr("merges {n} inputs, shape kept", n=n)
    if len(out) >= 3 and all(len(s) == len(out) for s in ins):
        chans = [_split(s, channels_last)[0] for s in ins]
        c_out, sp_out = _split(out, channels_last)
        if None not in chans and sum(chans) == c_out:
            return tr("concatenates {n} inputs: channels {parts}→{total}", n=n, parts="+".join(f.thousands(c) for c in chans),
                      total=f.thousands(c_out))
    return None


def describe(row, framework: str) -> str:
    """The tutorial's "what it does" for one row, in the current language.

    ``framework`` is the summary's: ``"keras"`` reads tensors channels-last.
    """
    if row.failed:
        return tr("failed: {error}", error=row.failed)
    ins = [tuple(s) for s in row.input_shapes if s is not None]
    out = row.output_shape
    if out is None or not ins:
        return "--"
    out = tuple(out)
    channels_last = framework == Framework.KERAS
    k = kind(row.type)
    if len(ins) > 1:
        text = _merge(row, ins, out, channels_last)
        if text:
            return text
    x = ins[0]
    if 3 <= len(x) <= 5 and len(out) == len(x):
        c_in, sp_in = _split(x, channels_last)
        c_out, sp_out = _split(out, channels_last)
        kept = sp_in == sp_out
        convish = k in (Kind.CONV, Kind.CONV_TRANSPOSE)
        if c_in != c_out or (convish and kept):
            c_in, c_out = f.thousands(c_in), f.thousands(c_out)
            if kept:
                return tr("channels {c_in}→{c_out}, size kept", c_in=c_in, c_out=c_out)
            return tr("{spatial}; channels {c_in}→{c_out}", spatial=_spatial(row, sp_in, sp_out), c_in=c_in, c_out=c_out)
        if kept:
            return _kept(k)
        return _spatial(row, sp_in, sp_out)
    if len(x) >= 3 and len(out) == 2:
        feats = x[1:]
        if None not in feats and out[1] == prod(feats):
            return tr("flattens {shape} → {n}", shape=f.times(feats), n=f.thousands(out[1]))
        c_in, sp_in = _split(x, channels_last)
        if out[1] == c_in:
            return tr("pools each channel's {size} to 1: {n} features", size=f.times(sp_in), n=f.thousands(c_in))
        return tr("reshapes {shape} → {n}", shape=f.times(feats), n=f.thousands(out[1]))
    if len(x) == 2 and len(out) == 2:
        if x[1] != out[1] or k is Kind.LINEAR:
            return tr("features {n_in}→{n_out}", n_in=f.thousands(x[1]), n_out=f.thousands(out[1]))
        return _kept(k)
    if x == out:
        return _kept(k)
    return tr("reshapes {shape} → {n}", shape=f.times(x[1:]), n=f.times(out[1:]))
