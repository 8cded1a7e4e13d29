"""Inside a trained network: one image's every layer output, and what one output unit computed.

``look(trained, image)`` runs one uint8 (C, H, W) image through the checkpoint's model (float32,
eval mode, CPU, no gradient) with a forward hook on every leaf module, and keeps each module's
input and output. ``unit(pass_, layer, channel, y, x)`` then answers from those tensors alone:

* ``Conv2d``: the input window the kernel reads (zeros where the window lies in zero padding), the
  kernel of that output channel, the bias, and the value; value = Σ window × kernel + bias.
* ``MaxPool2d`` / ``AvgPool2d``: the window and which input won (max) or the mean (avg).
* ``Linear``: every input's contribution input[i] × weight[o, i], largest magnitude first.
* any other layer: the value, and the input value at the same position when shapes agree.

Where a window sits is the core's convention (``core`` layers' ``rf_step``: effective kernel,
stride, padding before the first pixel), not re-derived here; the receptive field on the image is
the summary record's (``frontends.torch.summary``), the one home of that arithmetic.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from fractions import Fraction

import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import core
from ..i18n import tr
from .evaluate import prepare
from .inference import Trained


class InsideError(ValueError):
    """A layer, channel or position that the model does not have."""


@dataclass(frozen=True, eq=False)
class LayerOutput:
    name: str  # module name, as `convlens features --layer list` prints it; "name#2" for its second call
    type: str  # the module's class name
    module: nn.Module
    input: torch.Tensor | None  # the module's first input without the batch dimension, None when not a tensor
    output: torch.Tensor  # without the batch dimension: (C, H, W) maps or (N,) features
    input_from: str | None  # the layer whose output is this layer's input; "input" for the image; None: computed in between


@dataclass(frozen=True, eq=False)
class Pass:
    """One image through the model: the exact input tensor, every leaf module's output, the logits."""

    input: torch.Tensor  # (C, H, W) float32: normalised, what the model received
    layers: tuple[LayerOutput, ...]
    logits: torch.Tensor  # (K,)
    probabilities: torch.Tensor  # (K,) softmax of the logits

    def layer(self, name: str) -> LayerOutput:
        for lo in self.layers:
            if lo.name == name:
                return lo
        names = ", ".join(lo.name for lo in self.layers)
        raise InsideError(tr("the model has no layer {name!r}; its layers are {names}", name=name, names=names))


_ONE_AT_A_TIME = threading.Lock()


def look(trained: Trained, image: torch.Tensor) -> Pass:
    """Run one uint8 (C, H, W) image through ``trained.net`` and keep every leaf module's input and output.

    One forward at a time, on one CPU thread (the thread count is restored after): one small image
    gains nothing from more, and on a loaded machine two spinning intra-op threads turned a 35 ms
    answer into 0.2–1 s (benchmarks/bench_inside.py)."""
    with _ONE_AT_A_TIME:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return _look(trained, image)
        finally:
            torch.set_num_threads(threads)


def _look(trained: Trained, image: torch.Tensor) -> Pass:
    net = trained.net
    mean, std = trained.input.tensors("cpu")
    x = prepare(image[None], mean, std, device="cpu", channels_last=False)  # (1, C, H, W) float32
    seen: list[tuple[str, nn.Module, object, object]] = []
    handles = []
    for name, m in net.named_modules():
        if name and not any(True for _ in m.children()):
            handles.append(m.register_forward_hook(lambda mod, args, out, name=name: seen.append((name, mod, args, out))))
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            out = net(x)
    finally:
        for h in handles:
            h.remove()
        net.train(was_training)
    producers = {id(x): "input"}
    layers, calls = [], {}
    for name, mod, args, o in seen:
        if not isinstance(o, torch.Tensor) or o.dim() < 2:
            continue  # an output that is not one batched tensor
        calls[name] = calls.get(name, 0) + 1
        label = name if calls[name] == 1 else f"{name}#{calls[name]}"  # a module called again (a shared activation)
        first = args[0] if args and isinstance(args[0], torch.Tensor) else None
        source = producers.get(id(first)) if first is not None else None
        layers.append(LayerOutput(label, type(mod).__name__, mod, None if first is None else first[0].float(), o[0].float(), source))
        producers[id(o)] = label
    logits = out[0].float()
    return Pass(x[0], tuple(layers), logits, logits.softmax(0))


@dataclass(frozen=True)
class Unit:
    """What one output unit computed, as numbers (the page and the formula writer lay them out)."""

    layer: str
    type: str
    channel: int
    y: int | None  # None for a (N,) feature output
    x: int | None
    value: float
    kind: str  # "conv", "maxpool", "avgpool", "linear" or "other"
    window: list | None = None  # conv: C_in×kh×kw; pool: kh×kw of the unit's channel (padding: 0 for conv and avg, None for max)
    kernel: list | None = None  # conv: C_in×kh×kw weights of output channel `channel`
    bias: float | None = None  # conv and linear; None when the layer has none
    in_channels: tuple[int, int] | None = None  # conv: the input channels [first, last + 1) the kernel reads (groups)
    rows: tuple[int, ...] = ()  # the input rows the window reads, in input coordinates (outside 0..H-1: padding)
    cols: tuple[int, ...] = ()
    stride: tuple[int, int] | None = None  # conv and pool: how far the window moves per output step (rows, cols)
    winner: tuple[int, int] | None = None  # maxpool: (row, col) in input coordinates of the largest input
    contributions: tuple[tuple[int, float, float, float], ...] = ()  # linear: (i, input, weight, input × weight), largest |product| first
    input_value: float | None = None  # other: the input at the same position, when the shapes agree


def _position(lo: LayerOutput, channel: int, y, x) -> tuple:
    out = lo.output
    if not 0 <= channel < out.shape[0]:
        raise InsideError(tr("layer {layer!r} has {n} channels (0 to {last}); channel {channel} is out of range", layer=lo.name,
                                n=out.shape[0], last=out.shape[0] - 1, channel=channel))
    if out.dim() == 1:
        return (channel,)
    if out.dim() != 3:
        raise InsideError(tr("layer {layer!r} outputs shape {shape}; units are shown for (C, H, W) maps and (N,) features only",
                                layer=lo.name, shape=tuple(out.shape)))
    h, w = out.shape[1:]
    if y is None or x is None:
        raise InsideError(tr("layer {layer!r} outputs {size} maps; give the unit's y (0 to {last_y}) and x (0 to {last_x})", layer=lo.name,
                                size=f"{h}×{w}", last_y=h - 1, last_x=w - 1))
    if not (0 <= y < h and 0 <= x < w):
        raise InsideError(tr("layer {layer!r} outputs {size} maps; (y={y}, x={x}) is outside, use y in 0 to {last_y} and x in 0 to {last_x}",
                                layer=lo.name, size=f"{h}×{w}", y=y, x=x, last_y=h - 1, last_x=w - 1))
    return (channel, y, x)


def _core_layer(m: nn.Module):
    """The core layer with the module's options: the home of its window convention (``rf_step``)."""
    if isinstance(m, nn.Conv2d):
        return core.layer("Conv2d", m.in_channels, m.out_channels, m.kernel_size, stride=m.stride, padding=m.padding,
                          dilation=m.dilation, groups=m.groups, bias=m.bias is not None, padding_mode=m.padding_mode)
    if isinstance(m, nn.MaxPool2d):
        return core.layer("MaxPool2d", m.kernel_size, stride=m.stride, padding=m.padding, dilation=m.dilation, ceil_mode=m.ceil_mode)
    return core.layer("AvgPool2d", m.kernel_size, stride=m.stride, padding=m.padding, ceil_mode=m.ceil_mode,
                      count_include_pad=m.count_include_pad)


def _window(lo: LayerOutput, y: int, x: int, kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[range, range, tuple[int, int]]:
    """The input rows and columns the window of output (y, x) reads, out·stride − padding + i·dilation, and the stride."""
    step = _core_layer(lo.module).rf_step((1, *lo.input.shape))
    (sy, sx), (py, px) = step.stride, step.padding
    rows = range(y * sy - py, y * sy - py + dilation[0] * (kernel[0] - 1) + 1, dilation[0])
    cols = range(x * sx - px, x * sx - px + dilation[1] * (kernel[1] - 1) + 1, dilation[1])
    return rows, cols, (sy, sx)


def _gather(plane: torch.Tensor, rows: range, cols: range, fill: float) -> torch.Tensor:
    """plane (..., H, W) at rows × cols, ``fill`` where a row or column is outside."""
    h, w = plane.shape[-2:]
    out = torch.full((*plane.shape[:-2], len(rows), len(cols)), fill, dtype=plane.dtype)
    oi = [i for i, r in enumerate(rows) if 0 <= r < h]  # the rows inside form one block of the window
    oj = [j for j, c in enumerate(cols) if 0 <= c < w]
    if oi and oj:
        sub = plane.index_select(-2, torch.tensor([rows[i] for i in oi])).index_select(-1, torch.tensor([cols[j] for j in oj]))
        out[..., oi[0]:oi[-1] + 1, oj[0]:oj[-1] + 1] = sub
    return out


def unit(p: Pass, layer: str, channel: int, y: int | None = None, x: int | None = None) -> Unit:
    lo = p.layer(layer)
    pos = _position(lo, channel, y, x)
    value = float(lo.output[pos])
    m = lo.module
    yy, xx = (pos[1], pos[2]) if len(pos) == 3 else (None, None)
    if isinstance(m, nn.Conv2d) and lo.input is not None:
        return _conv(lo, channel, yy, xx, value)
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)) and lo.input is not None and lo.input.dim() == 3:
        return _pool(lo, channel, yy, xx, value)
    if isinstance(m, nn.Linear) and lo.input is not None and lo.input.dim() == 1:
        w = m.weight.detach()[channel].float()
        products = lo.input * w
        order = products.abs().argsort(descending=True).tolist()
        contributions = tuple((i, float(lo.input[i]), float(w[i]), float(products[i])) for i in order)
        bias = None if m.bias is None else float(m.bias.detach()[channel])
        return Unit(lo.name, lo.type, channel, None, None, value, "linear", bias=bias, contributions=contributions)
    same = lo.input is not None and lo.input.shape == lo.output.shape
    return Unit(lo.name, lo.type, channel, yy, xx, value, "other", input_value=float(lo.input[pos]) if same else None)


def _conv(lo: LayerOutput, channel: int, y: int, x: int, value: float) -> Unit:
    m: nn.Conv2d = lo.module
    per = m.in_channels // m.groups
    first = channel // (m.out_channels // m.groups) * per  # the group's first input channel
    rows, cols, stride = _window(lo, y, x, m.kernel_size, m.dilation)
    plane = lo.input[first:first + per]
    if m.padding_mode == "zeros":
        window = _gather(plane, rows, cols, 0.0)
    else:  # reflect / replicate / circular: the values the padding mode puts there, as F.pad makes them
        step = _core_layer(m).rf_step((1, *lo.input.shape))
        py, px = step.padding
        ey = max(0, rows[-1] - (plane.shape[1] - 1))
        ex = max(0, cols[-1] - (plane.shape[2] - 1))
        padded = F.pad(plane[None], (px, ex, py, ey), mode=m.padding_mode)[0]
        window = padded[:, rows.start + py:rows.stop + py:rows.step, cols.start + px:cols.stop + px:cols.step]
    kernel = m.weight.detach()[channel].float()  # (C_in / groups, kh, kw)
    bias = None if m.bias is None else float(m.bias.detach()[channel])
    return Unit(lo.name, lo.type, channel, y, x, value, "conv", window=window.tolist(), kernel=kernel.tolist(), bias=bias,
                in_channels=(first, first + per), rows=tuple(rows), cols=tuple(cols), stride=stride)


def _pool(lo: LayerOutput, channel: int, y: int, x: int, value: float) -> Unit:
    m = lo.module
    k = tuple(m.kernel_size) if isinstance(m.kernel_size, tuple) else (m.kernel_size,) * 2
    d = (1, 1) if isinstance(m, nn.AvgPool2d) else (tuple(m.dilation) if isinstance(m.dilation, tuple) else (m.dilation,) * 2)
    rows, cols, stride = _window(lo, y, x, k, d)
    (h, w), (py, px) = lo.input.shape[1:], _pad(m)
    # ceil mode: the last window may run past the input and its padding; pooling clips it there
    rows = range(rows.start, min(rows.stop, h + py), rows.step)
    cols = range(cols.start, min(cols.stop, w + px), cols.step)
    if isinstance(m, nn.MaxPool2d):
        window = _gather(lo.input[channel], rows, cols, float("-inf"))
        flat = int(window.argmax())
        winner = (rows[flat // len(cols)], cols[flat % len(cols)])
        listed = [[None if v == float("-inf") else v for v in row] for row in window.tolist()]
        return Unit(lo.name, lo.type, channel, y, x, value, "maxpool", window=listed, rows=tuple(rows), cols=tuple(cols), stride=stride,
                    winner=winner)
    window = _gather(lo.input[channel], rows, cols, 0.0)
    return Unit(lo.name, lo.type, channel, y, x, value, "avgpool", window=window.tolist(), rows=tuple(rows), cols=tuple(cols), stride=stride)


def _pad(m) -> tuple[int, int]:
    p = m.padding
    return tuple(p) if isinstance(p, tuple) else (p, p)


def receptive_fields(trained: Trained) -> dict[str, dict]:
    """Module name -> the receptive field after it on the input image ({"size", "jump", "start"} per axis),
    from the summary record of the model traced on one input."""
    from ..frontends.torch import summary

    inp = trained.input
    s = summary(trained.net, (1, inp.channels, *inp.size), device="meta", memory=False)
    out, calls = {}, {}
    for row in s.layers:
        if row.is_leaf and row.receptive_field is not None:
            calls[row.name] = calls.get(row.name, 0) + 1
            out[row.name if calls[row.name] == 1 else f"{row.name}#{calls[row.name]}"] = row.receptive_field
    return out


def field_on_image(rf: dict | None, y: int, x: int, size: tuple[int, int]) -> dict | None:
    """The image rectangle unit (y, x) sees, clipped to the image: {"top", "left", "bottom", "right"} (inclusive),
    plus the unclipped size. Centre = start + index · jump; the field spans size pixels around it."""
    if rf is None:
        return None
    if rf.get("global"):
        return {"top": 0, "left": 0, "bottom": size[0] - 1, "right": size[1] - 1, "size": list(size)}
    box = []
    for index, n, sz, jump, start in zip((y, x), size, rf["size"], rf["jump"], rf["start"]):
        centre = Fraction(start) + index * Fraction(jump)
        lo = centre - Fraction(sz - 1, 2)
        hi = centre + Fraction(sz - 1, 2)
        box.append((max(0, int(lo)), min(n - 1, int(hi)), int(sz)))
    (top, bottom, sh), (left, right, sw) = box
    return {"top": top, "left": left, "bottom": bottom, "right": right, "size": [sh, sw]}
