"""Summaries built by hand (no framework) with the numbers PyTorch / Keras would report, the
totals computed from the rows: the inputs of every renderer test in this folder.

Regenerate the golden files with ``pytest tests/render --overwrite-golden`` and read the diff
before committing it.
"""

from __future__ import annotations


import csv
import dataclasses
import doctest
import io
import json
import re
from fractions import Fraction
from math import prod

import pytest

from convlens import render as render_pkg
from convlens.record import Diagnostic, LayerRow, MemoryEstimate, Summary, WeightInfo
from convlens.render import _breakdown, _common, _flow, _format, _layers, _table, breakdown, render
from convlens.render import compare as compare_mod
from convlens.render import detail as detail_mod
from convlens.render import receptive as receptive_mod
from convlens.render import markdown as markdown_mod
from convlens.render import terminal as terminal_mod
# ---------------------------------------------------------------------------------------------
# Builders: rows with the numbers PyTorch / Keras would report, totals summed from the rows.
# ---------------------------------------------------------------------------------------------


def numel(shape) -> int:
    return prod(1 if d is None else d for d in shape)


def conv(name, x, cout, k, *, pad=0, stride=1, depth=0, bias=True, source=None, calc=(), keras=False):
    """A PyTorch Conv2d (NCHW) or, with ``keras``, a Keras Conv2D (NHWC) row."""
    if keras:
        b, h, w, cin = x
    else:
        b, cin, h, w = x
    oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    out = (b, oh, ow, cout) if keras else (b, cout, oh, ow)
    kernel = (k, k, cin, cout) if keras else (cout, cin, k, k)
    weights = (WeightInfo("kernel" if keras else "weight", kernel),) + ((WeightInfo("bias", (cout,)),) if bias else ())
    macs = numel(out) * cin * k * k
    return LayerRow(name, "Conv2D" if keras else "Conv2d", depth, (x,), out, weights, macs=macs,
                    flops=2 * macs + (numel(out) if bias else 0), kind="layer" if keras else "module",
                    source=source, calculation=tuple(calc))


def linear(name, x, fout, *, depth=0, keras=False):
    fin = x[-1]
    out = x[:-1] + (fout,)
    w = WeightInfo("kernel", (fin, fout)) if keras else WeightInfo("weight", (fout, fin))
    macs = numel(out) * fin
    return LayerRow(name, "Dense" if keras else "Linear", depth, (x,), out, (w, WeightInfo("bias", (fout,))),
                    macs=macs, flops=2 * macs + numel(out), kind="layer" if keras else "module")


def pool(name, x, *, depth=0, repeated=False, keras=False):
    out = (x[0], x[1] // 2, x[2] // 2, x[3]) if keras else (x[0], x[1], x[2] // 2, x[3] // 2)
    return LayerRow(name, "MaxPooling2D" if keras else "MaxPool2d", depth, (x,), out, flops=numel(out),
                    kind="layer" if keras else "module", repeated=repeated)


def same(name, type_, x, *, depth=0, repeated=False, kind="module", weights=(), flops=True):
    return LayerRow(name, type_, depth, (x,), x, weights, flops=numel(x) if flops else 0, kind=kind, repeated=repeated)


def summarize(title, framework, x, layers, **extra) -> Summary:
    done = [r for r in layers if r.output_shape is not None]
    weights = [w for r in layers for w in r.weights]
    buffers = [w for r in layers for w in r.buffers]
    return Summary(
        title=title, framework=framework, input_shapes=(x,),
        output_shapes=(done[-1].output_shape,) if done and not extra.get("failed") else (),
        layers=layers,
        total_params=sum(w.numel for w in weights),
        trainable_params=sum(w.numel for w in weights if w.trainable),
        non_trainable_params=sum(w.numel for w in weights if not w.trainable),
        buffers=sum(w.numel for w in buffers),
        param_bytes=sum(w.numel * w.dtype_bytes for w in weights),
        buffer_bytes=sum(w.numel * w.dtype_bytes for w in buffers),
        total_macs=sum(r.macs for r in layers), total_flops=sum(r.flops for r in layers),
        **extra,
    )


# ---------------------------------------------------------------------------------------------
# The summaries under test
# ---------------------------------------------------------------------------------------------


def vgg_block() -> Summary:
    """Reference 004: two VGG stages, nn.Sequential of Conv2d(padding='same') and MaxPool2d, 224×224."""
    x = (1, 3, 224, 224)
    calc = (
        "H_out = ⌊(224 + 2×1 − 1×(3 − 1) − 1) / 1⌋ + 1 = 224",
        "params = 3×64×3×3 + 64 = 1,792",
        "MACs = 1×64×224×224 × 3×3×3 = 86,704,128",
    )
    c0 = conv("0", x, 64, 3, pad=1, calc=calc)
    c1 = conv("1", c0.output_shape, 64, 3, pad=1)
    p2 = pool("2", c1.output_shape)
    c3 = conv("3", p2.output_shape, 128, 3, pad=1)
    c4 = conv("4", c3.output_shape, 128, 3, pad=1)
    p5 = pool("5", c4.output_shape)
    layers = [c0, c1, p2, c3, c4, p5]
    params = 260_160
    memory = MemoryEstimate(parameters=4 * params, gradients=4 * params, optimizer=8 * params,
                            activations=4 * sum(numel(r.output_shape) for r in layers), inputs=4 * numel(x))
    return summarize(
        "VGG first two stages (reference 004)", "torch", x, layers, memory=memory,
        receptive_field={"size": [16, 16], "jump": [4, 4], "start": [Fraction(3, 2), Fraction(3, 2)], "global": False},
        notes=["MACs and FLOPs are counted for the whole batch of 1."],
    )


def residual_tutorial() -> Summary:
    """Reference 000: CNNWithResidual as written, flattened with torch.flatten, so fc1 =
    nn.Linear(128 * 7 * 7, 512) meets 128×3×3 = 1,152 features and fails."""
    x = (1, 1, 28, 28)
    rows = [conv("conv1", x, 32, 3, pad=1, source="tutorial.py:32")]
    rows.append(same("relu", "relu", rows[-1].output_shape, kind="function"))
    rows.append(pool("pool", rows[-1].output_shape))

    def block(name, x, cout):
        out = (x[0], cout, x[2], x[3])
        inner = [
            conv(f"{name}.shortcut", x, cout, 1, depth=1),
            conv(f"{name}.conv1", x, cout, 3, pad=1, depth=1),
            same(f"{name}.relu", "ReLU", out, depth=1),
            conv(f"{name}.conv2", out, cout, 3, pad=1, depth=1),
            LayerRow(f"{name}.add", "add", 1, (out, out), out, flops=numel(out), kind="function"),
            same(f"{name}.relu", "ReLU", out, depth=1, repeated=True),
        ]
        head = LayerRow(name, "ResidualBlock", 0, (x,), out, kind="container", is_leaf=False)
        return [head] + inner

    rows += block("resblock1", rows[-1].output_shape, 64)
    rows.append(pool("pool", rows[-1].output_shape, repeated=True))
    rows += block("resblock2", rows[-1].output_shape, 128)
    rows.append(pool("pool", rows[-1].output_shape, repeated=True))
    rows[-1] = dataclasses.replace(rows[-1], warnings=("MaxPool2d: the floor drops the last input row and column (7 → 3)",))
    flat = rows[-1].output_shape
    rows.append(LayerRow("flatten", "flatten", 0, (flat,), (1, numel(flat[1:])), kind="function", source="tutorial.py:45"))
    fc1_failure = "mat1 and mat2 shapes cannot be multiplied (1x1152 and 6272x512)"
    rows.append(LayerRow("fc1", "Linear", 0, ((1, 1152),), None,
                         (WeightInfo("weight", (512, 6272)), WeightInfo("bias", (512,))),
                         kind="module", source="tutorial.py:46", failed=fc1_failure))
    diag = Diagnostic(
        "error", "linear-in-features",
        "fc1 = nn.Linear(6272, 512) expects 128×7×7 = 6,272 input features but receives 1,152 = 128×3×3: "
        "three 2×2 max-pools take 28→14→7→3, so the map is 3×3, not 7×7",
        fix="self.fc1 = nn.Linear(128 * 3 * 3, 512)",
        layer="fc1", source="tutorial.py:38", code_line="        self.fc1 = nn.Linear(128 * 7 * 7, 512)",
    )
    s = summarize("CNNWithResidual (reference 000, as written)", "torch", x, rows, diagnostics=[diag], failed=True,
                  receptive_field={"size": [36, 36], "jump": [4, 4], "start": [Fraction(3, 2), Fraction(3, 2)], "global": False},
                  unused_params=["fc2.weight", "fc2.bias"])
    # fc2 = nn.Linear(512, 10) never ran: it has no row, but the model's totals count it
    fc2 = 512 * 10 + 10
    return dataclasses.replace(s, total_params=s.total_params + fc2, trainable_params=s.trainable_params + fc2,
                               param_bytes=s.param_bytes + 4 * fc2)


def keras_cnn() -> Summary:
    """A Keras Sequential MNIST CNN: None batch, channels-last shapes, BatchNormalization."""
    x = (None, 28, 28, 1)
    rows = [conv("conv2d", x, 75, 3, pad=1, keras=True)]
    rows.append(pool("max_pooling2d", rows[-1].output_shape, keras=True))
    rows.append(conv("conv2d_1", rows[-1].output_shape, 32, 3, keras=True))
    bn = rows[-1].output_shape
    rows.append(same("batch_normalization", "BatchNormalization", bn, kind="layer", weights=(
        WeightInfo("gamma", (32,)), WeightInfo("beta", (32,)),
        WeightInfo("moving_mean", (32,), trainable=False), WeightInfo("moving_variance", (32,), trainable=False))))
    rows.append(pool("max_pooling2d_1", bn, keras=True))
    rows.append(conv("conv2d_2", rows[-1].output_shape, 128, 3, pad=1, keras=True))
    rows.append(pool("max_pooling2d_2", rows[-1].output_shape, keras=True))
    flat = rows[-1].output_shape
    rows.append(LayerRow("flatten", "Flatten", 0, (flat,), (None, numel(flat[1:]))))
    rows.append(linear("dense", rows[-1].output_shape, 512, keras=True))
    rows.append(same("dropout", "Dropout", rows[-1].output_shape, kind="layer", flops=False))
    rows.append(linear("dense_1", rows[-1].output_shape, 10, keras=True))
    return summarize("sequential", "keras", x, rows, notes=["A None batch is counted as 1 in MACs and FLOPs."])


def empty() -> Summary:
    return summarize("nn.Identity()", "core", (1, 3, 32, 32), [])


def failed_pool() -> Summary:
    """Four 2×2 pools on an 8×8 input: the fourth meets a 1×1 map."""
    x = (1, 1, 8, 8)
    rows = [conv("conv1", x, 8, 3, pad=1)]
    for i in range(1, 4):
        rows.append(pool(f"pool{i}", rows[-1].output_shape))
    msg = "MaxPool2d 'pool4': kernel 2 > input 1×1; the input must be at least 2×2"
    rows.append(LayerRow("pool4", "MaxPool2d", 0, (rows[-1].output_shape,), None, kind="module",
                         source="smallnet.py:17", failed=msg))
    diag = Diagnostic("error", "maxpool2d-kernel-size", msg, "remove one pooling, or feed inputs of at least 16×16",
                      "pool4", "smallnet.py:17", "        x = self.pool4(x)")
    return summarize("SmallNet", "torch", x, rows, diagnostics=[diag], failed=True)


CASES = {"vgg": vgg_block, "residual": residual_tutorial, "keras": keras_cnn, "empty": empty, "failed": failed_pool}
EXT = {"table": "txt", "md": "md", "json": "json", "csv": "csv", "html": "html"}

