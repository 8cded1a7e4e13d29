"""The report layer: breakdown, tutorial phrases, every format against golden files.

Summaries are built by hand here (no framework), with the totals computed from the rows, so
these tests pin the renderers alone. Regenerate the golden files with
``pytest tests/test_render.py --overwrite-golden`` and read the diff before committing it.
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
    rows[-1].warnings = ("MaxPool2d: the floor drops the last input row and column (7 → 3)",)
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

# ---------------------------------------------------------------------------------------------
# Parameter breakdown
# ---------------------------------------------------------------------------------------------


def test_breakdown_reproduces_the_tutorial():
    assert breakdown(vgg_block()) == (
        "260,160 = (3×64×3×3 + 64) + (64×64×3×3 + 64) + (64×128×3×3 + 128) + (128×128×3×3 + 128)"
    )


@pytest.mark.parametrize("case, expected", [
    ("keras", "654,968 = (1×75×3×3 + 75) + (75×32×3×3 + 32) + (32 + 32 + 32 + 32) + (32×128×3×3 + 128)"
              " + (1152×512 + 512) + (512×10 + 10)"),
    ("empty", "0 (no layer has weights)"),
    ("residual", "3,504,522 = (1×32×3×3 + 32) + (32×64×1×1 + 64) + (32×64×3×3 + 64) + (64×64×3×3 + 64)"
                 " + (64×128×1×1 + 128) + (64×128×3×3 + 128) + (128×128×3×3 + 128) + (6272×512 + 512)"
                 " + 5,130 (not owned by any listed row)"),
])
def test_breakdown_cases(case, expected):
    s = CASES[case]()
    assert breakdown(s) == expected
    if s.layers and s.total_params:  # the written sum is the total
        terms = expected.split(" = ", 1)[1].replace("×", "*").replace(",", "").replace(" (not owned by any listed row)", "")
        assert eval(terms) == s.total_params  # noqa: S307 - our own arithmetic string


def _resnet_like(n_blocks: int) -> Summary:
    x = (1, 64, 56, 56)
    rows = [conv("stem", (1, 3, 56, 56), 64, 7, pad=3, bias=False)]
    for i in range(n_blocks):
        rows.append(conv(f"b{i}.conv1", x, 64, 3, pad=1, depth=1))
        rows.append(conv(f"b{i}.conv2", x, 64, 3, pad=1, depth=1))
    return summarize("resnet-like", "torch", (1, 3, 56, 56), rows)


def test_breakdown_groups_identical_terms_above_twelve():
    s = _resnet_like(8)  # 17 rows with weights
    assert breakdown(s) == f"{s.total_params:,} = 3×64×7×7 + 16 × (64×64×3×3 + 64)"


def test_breakdown_cuts_a_long_tail():
    x = (1, 8, 8, 8)
    rows = [conv(f"c{c}", (1, c, 8, 8), c + 1, 1) for c in range(1, 31)]  # 30 different terms
    s = summarize("wide", "torch", x, rows)
    text = breakdown(s)
    assert text.startswith(f"{s.total_params:,} = (1×2×1×1 + 2) + (2×3×1×1 + 3) + ")
    assert text.endswith(" + (11×12×1×1 + 12) + … (19 more terms)")
    assert text.count(" + (") == 10  # the joins between the 11 terms shown


def test_breakdown_states_parameters_outside_the_rows():
    s = vgg_block()
    s = dataclasses.replace(s, total_params=s.total_params + 100)  # e.g. a cls_token registered on the model, used functionally
    assert breakdown(s).endswith(" + 100 (not owned by any listed row)")


@pytest.mark.parametrize("dims, type_, expected", [
    ((64, 3, 3, 3), "Conv2d", (3, 64, 3, 3)),
    ((3, 3, 3, 64), "Conv2D", (3, 64, 3, 3)),
    ((64, 32, 4, 4), "ConvTranspose2d", (64, 32, 4, 4)),
    ((4, 4, 32, 64), "Conv2DTranspose", (64, 32, 4, 4)),
    ((512, 1152), "Linear", (1152, 512)),
    ((1152, 512), "Dense", (1152, 512)),
    ((10, 20), "Embedding", (10, 20)),
    ((64,), "BatchNorm2d", (64,)),
])
def test_weights_read_in_tutorial_order(dims, type_, expected):
    assert _layers.tutorial_order(dims, type_) == expected


# ---------------------------------------------------------------------------------------------
# Tutorial flow phrases
# ---------------------------------------------------------------------------------------------


def _row(type_, x, out, weights=(), inputs=None):
    return LayerRow("r", type_, 0, inputs or (x,), out, tuple(WeightInfo("weight", w) for w in weights))


@pytest.mark.parametrize("framework, row, expected", [
    ("torch", _row("MaxPool2d", (1, 32, 28, 28), (1, 32, 14, 14)), "halves H and W: 28→14"),
    ("torch", _row("MaxPool2d", (1, 128, 7, 7), (1, 128, 3, 3)), "halves H and W: 7→3"),
    ("torch", _row("Conv2d", (1, 32, 14, 14), (1, 64, 14, 14), [(64, 32, 3, 3)]), "channels 32→64, size kept"),
    ("torch", _row("Conv2d", (1, 64, 56, 56), (1, 64, 56, 56), [(64, 64, 3, 3)]), "channels 64→64, size kept"),
    ("torch", _row("Conv2d", (1, 1, 28, 28), (1, 32, 26, 26), [(32, 1, 3, 3)]), "size 28→26 (3×3 kernel, no padding); channels 1→32"),
    ("torch", _row("Conv2d", (1, 1, 28, 28), (1, 1, 26, 26)), "size 28→26 (3×3 kernel, no padding)"),
    ("torch", _row("Conv2d", (1, 8, 28, 28), (1, 8, 26, 26), [(8, 8, 5, 5)]), "size 28→26 (5×5 kernel, padding 1)"),
    ("torch", _row("MaxPool2d", (1, 8, 28, 28), (1, 8, 26, 26)), "size 28→26 (3×3 window, no padding)"),
    ("torch", _row("Conv2d", (1, 3, 224, 224), (1, 64, 112, 112), [(64, 3, 7, 7)]), "halves H and W: 224→112; channels 3→64"),
    ("torch", _row("Conv2d", (1, 3, 224, 224), (1, 64, 55, 55), [(64, 3, 11, 11)]), "size 224→55 (11×11 kernel); channels 3→64"),
    ("torch", _row("Conv2d", (1, 3, 224, 224), (1, 96, 56, 56), [(96, 3, 4, 4)]), "divides H and W by 4: 224→56; channels 3→96"),
    ("torch", _row("Upsample", (1, 8, 14, 14), (1, 8, 28, 28)), "doubles H and W: 14→28"),
    ("torch", _row("AdaptiveAvgPool2d", (1, 512, 7, 7), (1, 512, 1, 1)), "pools H and W to 1: 7→1"),
    ("torch", _row("MaxPool2d", (1, 8, 28, 20), (1, 8, 14, 10)), "halves H and W: 28×20→14×10"),
    ("torch", _row("MaxPool1d", (1, 8, 100), (1, 8, 50)), "halves L: 100→50"),
    ("torch", _row("flatten", (1, 128, 3, 3), (1, 1152)), "flattens 128×3×3 → 1,152"),
    ("keras", _row("Flatten", (None, 3, 3, 128), (None, 1152)), "flattens 3×3×128 → 1,152"),
    ("keras", _row("GlobalAveragePooling2D", (None, 7, 7, 512), (None, 512)), "pools each channel's 7×7 to 1: 512 features"),
    ("keras", _row("Conv2D", (None, 28, 28, 1), (None, 26, 26, 32), [(3, 3, 1, 32)]), "size 28→26 (3×3 kernel, no padding); channels 1→32"),
    ("torch", _row("Linear", (1, 1152), (1, 512)), "features 1,152→512"),
    ("torch", _row("Linear", (1, 512), (1, 512)), "features 512→512"),
    ("torch", _row("ReLU", (1, 64, 56, 56), (1, 64, 56, 56)), "non-linearity, shape kept"),
    ("torch", _row("BatchNorm2d", (1, 64, 56, 56), (1, 64, 56, 56)), "normalises, shape kept"),
    ("keras", _row("Dropout", (None, 512), (None, 512)), "drops units in training, shape kept"),
    ("torch", _row("add", (1, 64, 14, 14), (1, 64, 14, 14), inputs=((1, 64, 14, 14),) * 2), "adds 2 inputs, shape kept"),
    ("torch", _row("cat", (1, 64, 14, 14), (1, 96, 14, 14), inputs=((1, 64, 14, 14), (1, 32, 14, 14))), "concatenates 2 inputs: channels 64+32→96"),
    ("torch", _row("view", (1, 6272), (1, 128, 7, 7)), "reshapes 6272 → 128×7×7"),
    ("torch", _row("MysteryOp", (1, 3, 8, 8), (1, 3, 8, 8)), "shape kept"),
    ("torch", LayerRow("fc1", "Linear", 0, ((1, 1152),), None, failed="mat1 and mat2 shapes cannot be multiplied"),
     "failed: mat1 and mat2 shapes cannot be multiplied"),
])
def test_tutorial_phrases(framework, row, expected):
    assert _flow.describe(row, framework) == expected


def test_tutorial_view_of_the_residual_network():
    text = render(residual_tutorial(), "table", style="tutorial", width=120)
    for phrase in (
        "channels 1→32, size kept", "halves H and W: 28→14", "channels 32→64, size kept",
        "halves H and W: 14→7", "channels 64→128, size kept", "halves H and W: 7→3",
        "flattens 128×3×3 → 1,152", "adds 2 inputs, shape kept",
        "✗ failed: see below", "✗ mat1 and mat2 shapes cannot be multiplied (1x1152 and 6272x512)",
    ):
        assert phrase in text, phrase


def test_tutorial_view_at_depth_0_groups_the_residual_blocks():
    text = render(residual_tutorial(), "table", style="tutorial", depth=0, width=120)
    assert "resblock1 (ResidualBlock)" in text and "resblock1.conv1" not in text
    assert "12 rows deeper than depth 0 are hidden" in text


# ---------------------------------------------------------------------------------------------
# Every format against its golden file
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(EXT))
@pytest.mark.parametrize("case", list(CASES))
def test_golden(case, fmt, golden):
    golden(f"{case}.{EXT[fmt]}", render(CASES[case](), fmt, width=100))


@pytest.mark.parametrize("name, case, options", [
    ("vgg_calculation.txt", "vgg", dict(show_calculation=True)),
    ("residual_tutorial.txt", "residual", dict(style="tutorial")),
    ("residual_tutorial.md", "residual", dict(style="tutorial")),
    ("residual_tutorial.html", "residual", dict(style="tutorial", depth=0)),
    ("residual_depth0.txt", "residual", dict(depth=0)),
    ("residual_narrow.txt", "residual", dict(width=60)),
    ("keras_tutorial.txt", "keras", dict(style="tutorial")),
    ("failed_color.txt", "failed", dict(color=True)),
])
def test_golden_options(name, case, options, golden):
    fmt = {"txt": "table", "md": "md", "html": "html"}[name.rsplit(".", 1)[1]]
    options.setdefault("width", 100)
    golden(name, render(CASES[case](), fmt, **options))


# ---------------------------------------------------------------------------------------------
# Properties of the formats
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_json_round_trip(case):
    s = CASES[case]()
    text = render(s, "json")
    assert json.loads(text) == s.to_dict()
    assert text == s.to_json()
    assert render(s, "json") == text  # stable


def test_json_fractions_are_numbers():
    d = json.loads(render(vgg_block(), "json"))
    assert d["receptive_field"]["start"] == [1.5, 1.5]
    assert d["layers"][0]["params"] == 1792


@pytest.mark.parametrize("case", list(CASES))
def test_csv_parses(case):
    s = CASES[case]()
    rows = list(csv.DictReader(io.StringIO(render(s, "csv"))))
    assert len(rows) == len(s.layers)
    assert sum(int(r["own_params"]) for r in rows) == sum(r.params for r in s.layers)
    for r, layer in zip(rows, s.layers):
        assert r["name"] == layer.name and r["type"] == layer.type


def test_csv_shapes_and_none():
    rows = list(csv.DictReader(io.StringIO(render(keras_cnn(), "csv"))))
    assert rows[0]["input_shape"] == "Nonex28x28x1" and rows[0]["output_shape"] == "Nonex28x28x75"
    rows = list(csv.DictReader(io.StringIO(render(vgg_block(), "csv"))))
    assert rows[2]["output_shape"] == "1x64x112x112"
    rows = list(csv.DictReader(io.StringIO(render(residual_tutorial(), "csv"))))
    add = next(r for r in rows if r["type"] == "add")
    assert add["input_shape"] == "1x64x14x14;1x64x14x14"


def _hostile() -> Summary:
    x = (1, 3, 8, 8)
    row = conv("<script>alert(1)</script>", x, 4, 3, pad=1)
    diag = Diagnostic("warning", "x", "a & b <b>bold</b>", fix="use \"quotes\" | pipes", layer="<script>",
                      source="m.py:3", code_line="x = '<script>'")
    return summarize("<img src=x onerror=alert(1)>", "torch", x, [row], diagnostics=[diag], notes=["<i>note</i>"])


def test_html_escapes_everything():
    text = render(_hostile(), "html")
    assert "<script>" not in text and "<img" not in text and "<b>bold" not in text and "<i>note" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert text.startswith('<div class="convlens">') and text.endswith("</div>")
    assert text == _hostile()._repr_html_()


def test_markdown_escapes_cells():
    text = render(_hostile(), "md")
    outside_code = re.sub(r"`[^`]*`", "", text)  # code spans show their text literally
    assert "<script>" not in outside_code and "<b>" not in outside_code and "<img" not in outside_code
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "use \"quotes\" \\| pipes" in text


def test_markdown_tables_have_equal_column_counts():
    for case in CASES:
        lines = [l for l in render(CASES[case](), "md").splitlines() if l.startswith("|")]
        counts = {len(l.replace("\\|", "").split("|")) for l in lines}
        assert len(counts) == 1, (case, counts)


# ---------------------------------------------------------------------------------------------
# The terminal table
# ---------------------------------------------------------------------------------------------


def test_terminal_totals_state_the_conventions():
    text = render(vgg_block(), "table", width=100)
    flat = " ".join(text.split())  # long values wrap on words at the terminal width
    assert "Total params:" in text and "260,160 (260.16 K)" in text
    assert "MACs = multiply–accumulates of conv/linear/matmul, bias excluded; FLOPs = 2×MACs + 1 per output" in flat
    assert "Total MACs:" in text and "4,710,924,288 (4.71 G)" in text
    assert "an estimate for one training step" in flat
    assert "parameters + gradients + Adam state" in flat
    assert "16×16 input pixels, jump 4×4, first output centred at (3/2, 3/2)" in flat
    assert "260,160 = (3×64×3×3 + 64) + (64×64×3×3 + 64)" in text


@pytest.mark.parametrize("width", [40, 60, 80, 100, 140])
@pytest.mark.parametrize("case", list(CASES))
def test_terminal_rows_fit_the_width(case, width):
    s = CASES[case]()
    lines = render(s, "table", width=width).splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("===="))
    end = next(i for i in range(len(lines) - 1, start, -1) if lines[i].startswith("===="))
    table = lines[start:end + 1]
    if width >= 60:  # narrower than that, the shapes themselves may not fit; rows still never wrap
        assert max(len(l) for l in table) <= width, "\n".join(table)
    # one line per row; the error lines under a failed row are indented deeper than any row here
    body = [l for l in table[3:-1] if len(l) - len(l.lstrip()) < 4]
    assert len(body) == max(1, len(s.layers))


def test_terminal_keeps_the_type_when_shortening_names():
    rows = [conv("encoder.stage4.block2.downsample.projection", (1, 3, 8, 8), 4, 1)]
    s = summarize("long names", "torch", (1, 3, 8, 8), rows)
    line = next(l for l in render(s, "table", width=72).splitlines() if "(Conv2d)" in l)
    assert "…" in line and line.startswith("encoder.") and len(line) <= 72


def test_terminal_depth_changes_rows_not_totals():
    full = render(residual_tutorial(), "table", width=100)
    top = render(residual_tutorial(), "table", width=100, depth=0)
    assert "resblock1.conv1" in full and "resblock1.conv1" not in top
    pick = lambda t: [l for l in t.splitlines() if l.startswith(("Total", "Trainable"))]  # noqa: E731
    assert pick(full) == pick(top)
    # the container shows its subtree's parameters: 2,112 + 18,496 + 36,928
    line = next(l for l in top.splitlines() if l.startswith("resblock1 (ResidualBlock)"))
    assert "57,536" in line


def test_terminal_marks_repeats_failures_and_unused():
    text = render(residual_tutorial(), "table", width=100)
    assert "↻ pool (MaxPool2d)" in text and "(shared)" not in text  # nothing to share in a pool
    assert "fc1 (Linear)" in text and "FAILED" in text
    assert "✗ mat1 and mat2 shapes cannot be multiplied (1x1152 and 6272x512)" in text
    assert "Unused parameters:" in text and "fc2.weight, fc2.bias" in text
    assert "ERROR [linear-in-features] fc1 at tutorial.py:38" in text
    assert "38 | self.fc1 = nn.Linear(128 * 7 * 7, 512)" in text
    assert "fix: self.fc1 = nn.Linear(128 * 3 * 3, 512)" in text


def test_terminal_marks_shared_parameters():
    x = (1, 8, 8, 8)
    first = conv("conv", x, 8, 3, pad=1)
    again = LayerRow("conv", "Conv2d", 0, (x,), x, macs=first.macs, flops=first.flops, repeated=True)
    text = render(summarize("shared", "torch", x, [first, again]), "table", width=100)
    line = next(l for l in text.splitlines() if l.startswith("↻ conv (Conv2d)"))
    assert "(shared)" in line and f"{first.macs:,}" in line


def test_row_warnings_print_once():
    s = residual_tutorial()
    warning = "MaxPool2d: the floor drops the last input row and column (7 → 3)"
    for fmt in ("table", "md", "html"):
        assert render(s, fmt, width=100).count(warning) == 1, fmt
    s = dataclasses.replace(s, diagnostics=s.diagnostics + (Diagnostic("warning", "layer-warning", warning, layer="pool"),))
    for fmt in ("table", "md", "html"):  # now in the diagnostics section, not under the row
        text = render(s, fmt, width=100)
        assert text.count(warning) == 1 and text.index(warning) > text.index("Diagnostics"), fmt


def test_diagnostics_format():
    text = render(residual_tutorial(), "diagnostics", width=100)
    assert text.startswith("Diagnostics: 1 error") and "fix: self.fc1 = nn.Linear(128 * 3 * 3, 512)" in text
    assert "Total params" not in text
    assert render(vgg_block(), "diagnostics") == (
        "No problems found in VGG first two stages (reference 004) on input [1, 3, 224, 224].")
    s = dataclasses.replace(failed_pool(), diagnostics=())
    assert render(s, "diagnostics", width=100) == (
        "✗ pool4 (MaxPool2d): MaxPool2d 'pool4': kernel 2 > input 1×1; the input must be at least 2×2")


def test_terminal_with_no_layers():
    text = render(empty(), "table", width=80)
    assert "(no layers)" in text and "Total params:" in text
    assert "\x1b[" not in text


def test_color_only_on_request():
    assert "\x1b[" not in render(failed_pool(), "table", width=100)
    assert "\x1b[31m" in render(failed_pool(), "table", width=100, color=True)


def test_str_uses_the_terminal_renderer():
    assert "Total params:" in str(vgg_block())


# ---------------------------------------------------------------------------------------------
# Options and formatting
# ---------------------------------------------------------------------------------------------


def test_unknown_format_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown format 'xml'; valid formats: table, json, md, csv, html, diagnostics"):
        render(vgg_block(), "xml")


@pytest.mark.parametrize("options, message", [
    (dict(depth=-1), "depth must be an int >= 0"),
    (dict(depth="1"), "depth must be an int >= 0"),
    (dict(style="fancy"), "style='fancy' is not one of 'default', 'tutorial'"),
    (dict(width=5), "width must be an int >= 20"),
])
def test_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        render(vgg_block(), "table", **options)


@pytest.mark.parametrize("fn, value, expected", [
    (_format.thousands, 1_814_073_344, "1,814,073,344"),
    (_format.compact, 1_814_073_344, "1.81 G"),
    (_format.compact, 11_689_512, "11.69 M"),
    (_format.nbytes, 44_712_345, "44.7 MB"),
    (_format.shape_x, (1, 64, 112, 112), "1x64x112x112"),
    (_format.fraction, Fraction(1, 2), "1/2"),
])
def test_format(fn, value, expected):
    assert fn(value) == expected


@pytest.mark.parametrize("framework, shape, expected", [
    ("keras", (None, 28, 28, 75), "(None, 28, 28, 75)"),
    ("torch", (1, 64, 112, 112), "[1, 64, 112, 112]"),
    ("core", (1, 64, 112, 112), "[1, 64, 112, 112]"),
    ("core", (None, 10), "(None, 10)"),
])
def test_shapes_as_the_framework_prints_them(framework, shape, expected):
    assert _format.shape(shape, framework) == expected


@pytest.mark.parametrize("module", [_format, _layers, markdown_mod, _breakdown, _common, _flow, _table, terminal_mod, render_pkg,
                                    detail_mod, receptive_mod, compare_mod])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------
# The views of the other commands: one layer in detail (calc), receptive fields (rf), and
# several models side by side (compare)
# ---------------------------------------------------------------------------------------------


def _lenet_conv1() -> Summary:
    """Conv2d(1, 20, 5, padding=2) on a batch of 16 MNIST digits, evaluated by the core."""
    from convlens.core import calc, layer
    from convlens.frontends.text import summary_of_layer

    options = dict(out_channels=20, kernel_size=5, padding=2)
    return summary_of_layer(calc("Conv2d", (16, 1, 28, 28), **options), spec=layer("Conv2d", **options).spec())


def test_layer_detail_of_a_conv(golden):
    text = render_pkg.layer_detail(_lenet_conv1())
    for expected in (
        "input            (16, 1, 28, 28)",
        "output           (16, 20, 28, 28)",
        "weights          weight (20, 1, 5, 5) = 500; bias (20,) = 20",
        "params           520 (trainable 520, non-trainable 0)",
        "MACs             6,272,000",
        "receptive field  5×5, jump 1×1, first centre at 0×0",
        "  H_out = ⌊(28 + 2·2 − 1·(5−1) − 1) / 1⌋ + 1 = 28",
        "  params = 20 × (1 × 5 × 5) + 20 = 520",
    ):
        assert expected in text.splitlines(), expected
    golden("detail_conv.txt", text)


@pytest.mark.parametrize("rf, expected", [
    (None, "unchanged (elementwise)"),
    ({"size": [], "jump": [], "start": [], "global": True}, "global (every output sees the whole input)"),
    ({"size": [2, 2], "jump": [1, 1], "start": [Fraction(1, 2), Fraction(-3, 2)], "global": False},
     "2×2, jump 1×1, first centre at 0.5×-1.5"),
])
def test_layer_detail_receptive_field(rf, expected):
    summary = _lenet_conv1()
    summary = dataclasses.replace(summary, layers=[dataclasses.replace(summary.layers[0], receptive_field=rf)])
    assert f"receptive field  {expected}" in render_pkg.layer_detail(summary).splitlines()


def _vgg16_features() -> Summary:
    from convlens.frontends.text import chain_summary
    from convlens.zoo.vgg_config import layer_calls

    calls = layer_calls("vgg16")
    return chain_summary(calls, (1, 3, 224, 224), title="VGG-16 features")


def test_receptive_table_of_vgg16(golden):
    text = render_pkg.receptive_table(_vgg16_features())
    pool5 = text.splitlines()[18]
    assert pool5.split() == ["17", "MaxPool2d(2,", "2)", "(1,", "512,", "7,", "7)", "212×212", "32×32", "15.5×15.5"]
    assert receptive_mod.FORMULA in text
    golden("receptive_vgg16.txt", text)


def test_receptive_json_keeps_fractions_as_numbers():
    rows = json.loads(render_pkg.receptive_json(_vgg16_features()))
    assert rows[-1] == {"layer": "17", "type": "MaxPool2d", "output_shape": [1, 512, 7, 7],
                        "receptive_field": {"size": [212, 212], "jump": [32, 32], "start": [15.5, 15.5], "global": False}}


def test_receptive_cells():
    assert receptive_mod.cells(None) == ("-", "-", "-")
    assert receptive_mod.cells({"size": [], "jump": [], "start": [], "global": True}) == ("global", "-", "-")


def resnet_stem() -> Summary:
    """timm/torchvision ResNet stem: Conv2d(3, 64, 7, stride=2, padding=3) on 224×224."""
    x = (1, 3, 224, 224)
    return summarize("ResNet stem", "torch", x, [conv("0", x, 64, 7, pad=3, stride=2)],
                     receptive_field={"size": [7, 7], "jump": [2, 2], "start": [0, 0], "global": False})


def test_comparison_of_two_summaries(golden):
    items = [("vgg-first-blocks", vgg_block()), ("resnet-stem", resnet_stem())]
    text = render_pkg.comparison(items, "table")
    assert "  resnet-stem: 27.5× fewer parameters than vgg-first-blocks" in text.splitlines()
    assert "  parameters: 9,472 = (3×64×7×7 + 64)" in text.splitlines()
    assert "  MACs: 118,013,952 = 118,013,952 (layer 0, Conv2d)" in text.splitlines()
    assert "  training memory: not estimated" in text.splitlines()
    golden("compare_vgg_stem.txt", text)
    md = render_pkg.comparison(items, "md")
    assert md.startswith("|  | vgg-first-blocks | resnet-stem |\n|---|---:|---:|")
    assert "- resnet-stem: 27.5× fewer parameters than vgg-first-blocks" in md
    golden("compare_vgg_stem.md", md)


@pytest.mark.parametrize("items, fmt, message", [
    ([("a", vgg_block())], "table", "at least two summaries"),
    ([("a", vgg_block()), ("b", vgg_block())], "html", "valid formats: table, md"),
])
def test_comparison_refuses(items, fmt, message):
    with pytest.raises(ValueError, match=message):
        render_pkg.comparison(items, fmt)


def _macs_rows(*rows) -> Summary:
    """Rows of (name, type, MACs) only: what the MACs breakdown reads."""
    x = (1, 1, 1, 1)
    layers = [LayerRow(name, type_, 0, (x,), x, macs=macs) for name, type_, macs in rows]
    return summarize("macs", "torch", x, layers)


@pytest.mark.parametrize("rows, expected", [
    ([("features.1", "Conv2d", 30), ("features.0", "Conv2d", 50), ("relu", "ReLU", 0)],
     "80 = 50 (features.0, Conv2d) + 30 (features.1, Conv2d)"),
    ([("1", "Conv2d", 7), ("", "matmul", 3)], "10 = 7 (layer 1, Conv2d) + 3 (the model, matmul)"),
    ([("relu", "ReLU", 0)], "0 (no layer multiplies)"),
    # more than six layers: same type and MACs are one term, terms ordered by what they add up to
    ([(f"block{i}.conv", "Conv2d", 10) for i in range(5)] + [("stem", "Conv2d", 40), ("fc", "Linear", 10), ("head", "Linear", 1)],
     "101 = 5 × 10 (block0.conv and 4 more, Conv2d) + 40 (stem, Conv2d) + 10 (fc, Linear) + 1 (head, Linear)"),
    # still more than six terms: the smallest are summed as the tail
    ([(str(i), "Conv2d", 100 - i) for i in range(8)],
     "772 = 100 (layer 0, Conv2d) + 99 (layer 1, Conv2d) + 98 (layer 2, Conv2d) + 97 (layer 3, Conv2d) + 96 (layer 4, Conv2d) "
     "+ 95 (layer 5, Conv2d) + 187 (2 more layers)"),
])
def test_macs_breakdown(rows, expected):
    assert compare_mod.macs_breakdown(_macs_rows(*rows)) == expected
