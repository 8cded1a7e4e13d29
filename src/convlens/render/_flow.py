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
from . import _format as f
from ._layers import Kind, kernel_size, kind

_AXES = {1: "L", 2: "H and W", 3: "D, H and W"}

_SAME_SHAPE = {
    Kind.ACTIVATION: "non-linearity, shape kept",
    Kind.NORM: "normalises, shape kept",
    Kind.DROPOUT: "drops units in training, shape kept",
    Kind.IDENTITY: "passes the input through",
}


def _split(shape, channels_last: bool):
    """``(channels, spatial sizes)`` of a batched tensor."""
    if channels_last:
        return shape[-1], tuple(shape[1:-1])
    return shape[1], tuple(shape[2:])


def _size(sp) -> str:
    """One number for a square (cubic) map, ``28×20`` otherwise."""
    return f.thousands(sp[0]) if len(set(sp)) == 1 else f.times(sp)


def _spatial(row, sp_in, sp_out) -> str:
    axes = _AXES.get(len(sp_in), "the spatial axes")
    change = f"{_size(sp_in)}→{_size(sp_out)}"
    if sp_in == sp_out:
        return "size kept"
    if all(i >= 2 and o == i // 2 for i, o in zip(sp_in, sp_out)):
        return f"halves {axes}: {change}"
    if all(o == 2 * i for i, o in zip(sp_in, sp_out)):
        return f"doubles {axes}: {change}"
    k = kind(row.type)
    shrink = tuple(i - o for i, o in zip(sp_in, sp_out))
    kern = next((k for w in row.weights if (k := kernel_size(w.shape, row.type, w.name))), None)
    if all(d > 0 for d in shrink):
        if kern is not None:  # a conv: the kernel is known, so the padding follows (stride 1)
            pads = tuple(stride1_padding(i, o, kk) for i, o, kk in zip(sp_in, sp_out, kern))
            if all(p == 0 for p in pads):
                return f"size {change} ({f.times(kern)} kernel, no padding)"
            if all(isinstance(p, int) and p > 0 for p in pads):
                return f"size {change} ({f.times(kern)} kernel, padding {_size(pads)})"
        elif k in (Kind.CONV, Kind.POOL):  # stride 1, no padding: the window is the shrink + 1
            what = "kernel" if k is Kind.CONV else "window"
            return f"size {change} ({f.times(tuple(d + 1 for d in shrink))} {what}, no padding)"
    if all(o == 1 for o in sp_out):
        return f"pools {axes} to 1: {change}"
    factors = {i // o for i, o in zip(sp_in, sp_out) if o}
    if len(factors) == 1 and (q := factors.pop()) > 1 and all(i == o * q for i, o in zip(sp_in, sp_out)):
        return f"divides {axes} by {q}: {change}"
    if kern is not None:
        return f"size {change} ({f.times(kern)} kernel)"
    return f"size {change}"


def _merge(row, ins, out, channels_last) -> str | None:
    k = kind(row.type)
    n = len(ins)
    if all(tuple(s) == tuple(out) for s in ins):
        verb = {Kind.ADD: "adds", Kind.MULTIPLY: "multiplies"}.get(k, "merges")
        return f"{verb} {n} inputs, shape kept"
    if len(out) >= 3 and all(len(s) == len(out) for s in ins):
        chans = [_split(s, channels_last)[0] for s in ins]
        c_out, sp_out = _split(out, channels_last)
        if None not in chans and sum(chans) == c_out:
            return f"concatenates {n} inputs: channels {'+'.join(f.thousands(c) for c in chans)}→{f.thousands(c_out)}"
    return None


def describe(row, framework: str) -> str:
    """The tutorial's "what it does" for one row.

    ``framework`` is the summary's: ``"keras"`` reads tensors channels-last.
    """
    if row.failed:
        return f"failed: {row.failed}"
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
        spatial = _spatial(row, sp_in, sp_out)
        convish = k in (Kind.CONV, Kind.CONV_TRANSPOSE)
        if c_in != c_out or (convish and spatial == "size kept"):
            channels = f"channels {f.thousands(c_in)}→{f.thousands(c_out)}"
            return f"{channels}, size kept" if spatial == "size kept" else f"{spatial}; {channels}"
        if spatial == "size kept":
            return _SAME_SHAPE.get(k, "shape kept")
        return spatial
    if len(x) >= 3 and len(out) == 2:
        feats = x[1:]
        if None not in feats and out[1] == prod(feats):
            return f"flattens {f.times(feats)} → {f.thousands(out[1])}"
        c_in, sp_in = _split(x, channels_last)
        if out[1] == c_in:
            return f"pools each channel's {f.times(sp_in)} to 1: {f.thousands(c_in)} features"
        return f"reshapes {f.times(feats)} → {f.thousands(out[1])}"
    if len(x) == 2 and len(out) == 2:
        if x[1] != out[1] or k is Kind.LINEAR:
            return f"features {f.thousands(x[1])}→{f.thousands(out[1])}"
        return _SAME_SHAPE.get(k, "shape kept")
    if x == out:
        return _SAME_SHAPE.get(k, "shape kept")
    return f"reshapes {f.times(x[1:])} → {f.times(out[1:])}"
