"""The core's layers in Korean (issue 19): ``convlens calc`` of Linear, BatchNorm2d, Flatten and a Keras
Dense chain against golden Korean files, a chain whose Linear does not fit (exit 2 in both languages,
the Korean message naming the fix), and no English sentence in any line these layers write in Korean:
worked calculations, warnings, errors, weight sentences and a network's errors.

The table labels ("Layer (type)", "Input shape", ...) and the summary's notes come from ``render/``,
the conv and pool lines from the conv/pool files: they are still English in the golden files until
their Korean lands (the goldens are regenerated then, ``--overwrite-golden``). The ``english()``
checks here read only the lines the layers below produce.
"""

from __future__ import annotations

import re

import pytest

from convlens.cli import main
from convlens.core import LayerError
from convlens.core._base import Layer
from convlens.core.elementwise import Dropout, Dropout2d, KerasDropout, PReLU, GELU, Softmax, Activation
from convlens.core.keras_activation import KerasPReLU, KerasReLU, KerasSoftmax
from convlens.core.keras_conventions import KERAS_ACTIVATIONS, keras_activation, keras_data_format, keras_explain_axes, keras_padding, keras_tuple, keras_window_shape
from convlens.core.keras_embedding import KerasEmbedding
from convlens.core.keras_merge import CustomScaleLayer, Multiply
from convlens.core.keras_norm import LayerNormalization
from convlens.core.keras_reshape import Permute, Reshape
from convlens.core.linear import Dense, Embedding, Linear
from convlens.core.memory import ACTIVATIONS_ESTIMATE, FORMULA
from convlens.core.merge import Add, Concatenate, add, cat
from convlens.core.network import INPUT, NetworkError, Node, evaluate
from convlens.core.norm import BatchNorm1d, BatchNorm2d, BatchNormalization, GroupNorm, InstanceNorm2d, LayerNorm
from convlens.core.reported import InputLayer, Reported
from convlens.core.resample import Cropping1D, Cropping2D, UpSampling1D, UpSampling2D
from convlens.core.scaling import LayerScale, Normalization, Rescaling
from convlens.core.shape import Flatten, Identity, KerasFlatten, PixelShuffle, Unflatten, Upsample, ZeroPad2d, ZeroPadding2D
from convlens.i18n import language, tr
from i18n.english import english

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# names inside formulas and lists of choices, code in every language: ``params = gamma (96,) = 96``
FORMULA_NAMES = {"params", "mean", "variance", "count", "gamma", "beta", "alpha"} | set(KERAS_ACTIVATIONS)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- convlens calc in Korean: golden files ---------------------------------------------------

CALCS = {
    "calc_linear.txt": ("calc", "Linear(400, 512)", "--input", "16x400"),
    "calc_batchnorm2d.txt": ("calc", "BatchNorm2d(64)", "--input", "16x64x28x28"),
    "calc_flatten.txt": ("calc", "Flatten()", "--input", "16x25x4x4"),
    "calc_keras_dense_chain.txt": ("calc", "layers.Conv2D(75, (3,3), padding='same', input_shape=(28,28,1))", "layers.MaxPooling2D()",
                                   "layers.Flatten()", "layers.Dense(10)"),
    "calc_torch_chain.txt": ("calc", "--input", "1x28x28", "Conv2d(1, 32, 3, padding=1)", "ReLU()", "MaxPool2d(2)", "Flatten()", "Linear(6272, 10)"),
}
MINE = {"Linear", "Dense", "Flatten", "BatchNorm2d", "ReLU"}  # row types whose lines come from the files this test covers


def _lines_of(text: str) -> list[str]:
    """The worked-calculation lines of the rows of MINE (chains), or of the one layer's ``calculation`` block."""
    out, owner, in_calc = [], None, False
    for line in text.splitlines():
        row = re.match(r"^\d+ \((\w+)\)", line)
        if row:
            owner = row.group(1)
            continue
        if line.lstrip().startswith("│") and owner in MINE:
            out.append(line)
        if re.match(r"^\S", line):
            in_calc = line.strip() in ("calculation", "계산")
            continue
        if in_calc and line.strip():
            out.append(line)
    return out


@pytest.mark.parametrize("name", sorted(CALCS))
def test_calc_in_korean_matches_its_golden_file(capsys, golden, name):
    code, out, err = run(capsys, "--lang", "ko", *CALCS[name])
    assert code == 0, err
    golden(f"ko/{name}", out)
    lines = _lines_of(out)
    assert lines, "no worked-calculation lines found"
    base = {ln for ln in lines if "same as input" in ln}  # the base class's default line (core/_base.py, not this package's files)
    assert english("\n".join(ln for ln in lines if ln not in base), allow=FORMULA_NAMES) == []
    assert any(HANGUL.search(ln) for ln in lines)


@pytest.mark.parametrize("name", sorted(CALCS))
def test_calc_gives_the_same_numbers_in_both_languages(capsys, name):
    code_en, out_en, _ = run(capsys, "--lang", "en", *CALCS[name])
    code_ko, out_ko, _ = run(capsys, "--lang", "ko", *CALCS[name])
    assert code_en == code_ko == 0
    numbers = lambda s: re.findall(r"\d+(?:[,.]\d+)*", s)  # noqa: E731
    assert numbers(out_en) == numbers(out_ko)
    assert not HANGUL.search(out_en)


def test_keras_same_padding_line_in_korean(capsys):
    _, out, _ = run(capsys, "--lang", "ko", *CALCS["calc_keras_dense_chain.txt"])
    padding = [ln for ln in out.splitlines() if "_out = ⌈" in ln]
    assert padding and all("앞에 1, 뒤에 1" in ln and english(ln) == [] for ln in padding)


# --- the Linear that does not fit: exit 2 in both languages, the fix named -----------------------------

MISMATCH = ("calc", "--input", "1x28x28", "Conv2d(1, 32, 3, padding=1)", "ReLU()", "MaxPool2d(2)", "Flatten()", "Linear(100, 10)")


def test_linear_mismatch_in_english_is_unchanged(capsys):
    code, out, err = run(capsys, "--lang", "en", *MISMATCH)
    assert code == 2 and out == ""
    assert err == "convlens: layer 4 (Linear): in_features=100 but the input (1, 6272) ends in 6272; use in_features=6272 (or Flatten first)\n"


def test_linear_mismatch_in_korean_names_the_fix(capsys, golden):
    code, out, err = run(capsys, "--lang", "ko", *MISMATCH)
    assert code == 2 and out == ""
    golden("ko/calc_linear_mismatch.txt", err)
    assert "4번 층 (Linear)" in err and "in_features=100" in err and "in_features=6272" in err and "Flatten" in err
    assert "바꾸세요" in err  # the fix, said as a fix
    assert english(err) == []


def test_korean_by_locale_gives_the_same_exit_code(tmp_path):
    """LANG=ko_KR.UTF-8 (no --lang) selects Korean; the exit code is the same."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "ko_KR.UTF-8"
    done = subprocess.run([sys.executable, "-m", "convlens", *MISMATCH], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "4번 층 (Linear)" in done.stderr and "in_features=6272" in done.stderr


# --- every line these layers write, in Korean: no English sentence left -------------------------------

EVALUATED = [
    (Linear(400, 512), (16, 400)), (Linear(None, 10, bias=False), (2, 8, 30)),
    (Dense(512, activation="relu"), (None, 400)), (Dense(10, use_bias=False), (None, 400)),
    (Embedding(10000, 128, padding_idx=0), (8, 32)),
    (BatchNorm2d(64), (1, 64, 56, 56)), (BatchNorm2d(64), (1, 64, 1, 1)), (BatchNorm1d(8, affine=False), (1, 8)),
    (InstanceNorm2d(64), (1, 64, 32, 32)), (InstanceNorm2d(32), (1, 64, 8, 8)), (InstanceNorm2d(64, track_running_stats=True), (1, 64, 1, 1)),
    (LayerNorm(768), (1, 197, 768)), (GroupNorm(32, 256), (2, 256, 14, 14)), (GroupNorm(4, affine=False), (2, 32, 8, 8)),
    (BatchNormalization(), (None, 28, 28, 75)), (BatchNormalization(renorm=True), (None, 10)),
    (Dropout(0.25), (16, 512)), (Dropout2d(), (16, 512)), (Dropout2d(), (512,)), (KerasDropout(0.5), (None, 512)),
    (PReLU(64), (1, 64, 8, 8)), (Softmax(dim=-1), (8, 10)), (Activation("relu"), (None, 8)), (GELU(), (4, 4)),
    (Flatten(), (16, 25, 4, 4)), (KerasFlatten(), (None, 4, 4, 25)), (Unflatten(1, (16, 5, 5)), (8, 400)),
    (ZeroPad2d((1, 2, 0, 3)), (1, 3, 10, 10)), (ZeroPadding2D(((1, 2), (3, 4))), (None, 28, 28, 3)),
    (PixelShuffle(3), (1, 18, 8, 8)), (Upsample(scale_factor=2, mode="bilinear"), (1, 64, 28, 28)), (Upsample(size=(5, 7)), (1, 3, 2, 2)),
    (Identity(), (1, 3)),
    (Cropping2D(((0, 1), (0, 1))), (None, 22, 22, 96)), (Cropping1D((2, 3)), (None, 10, 4)),
    (UpSampling2D((2, 3), interpolation="bilinear"), (None, 4, 4, 1)), (UpSampling1D(3), (None, 10, 4)),
    (Rescaling(1 / 255), (None, 224, 224, 3)), (Normalization(), (None, 224, 224, 3)),
    (Normalization(mean=[0.5, 0.4, 0.4], variance=[0.05, 0.05, 0.05]), (None, 32, 32, 3)), (LayerScale(1e-6, 96), (None, 56, 56, 96)),
    (KerasReLU(6.0), (None, 8)), (KerasPReLU(shared_axes=(1, 2)), (None, 28, 28, 16)), (KerasSoftmax(axis=5), (None, 10)),
    (KerasEmbedding(10_000, 64), (None, 100)), (LayerNormalization(axis=(1, 2)), (None, 4, 5, 6)),
    (Reshape((-1, 8)), (None, 4, 4, 2)), (Permute((2, 1)), (None, 10, 64)),
    (Reported("LSTM", (None, 8), (("kernel", (4, 32), True),)), [(None, 10, 4)]), (InputLayer((None, 28, 28, 1)), (None, 28, 28, 1)),
    (add(), [(1, 64, 14, 14), (64, 1, 1)]), (cat(dim=1), [(1, 64, 28, 28), (1, 32, 28, 28)]),
    (Add(), [(None, 14, 14, 64), (None, 14, 14, 64)]), (Concatenate(), [(None, 28, 28, 64), (None, 28, 28, 32)]),
    (Multiply(), [(None, 56, 56, 96), (None, 1, 1, 96)]), (CustomScaleLayer(0.17), [(None, 35, 35, 320), (None, 35, 35, 320)]),
]


def _own_lines(layer, shape) -> list[str]:
    """The calculation and warnings of ``layer`` on ``shape`` in Korean, without the base class's default line."""
    with language("ko"):
        r = layer.evaluate(shape)
        base = set(Layer.explain(r.layer, r.input_shape, r.output_shape))
        return [ln for ln in r.calculation() if ln not in base] + list(r.warnings)


@pytest.mark.parametrize("layer, shape", EVALUATED, ids=[f"{type(l).__name__}-{i}" for i, (l, _) in enumerate(EVALUATED)])
def test_no_english_sentence_in_korean_calculation_and_warnings(layer, shape):
    lines = _own_lines(layer, shape)
    assert english("\n".join(lines), allow=FORMULA_NAMES) == [], lines


def test_korean_warnings_are_korean():
    for layer, shape in [(BatchNorm2d(64), (1, 64, 1, 1)), (Dropout2d(), (512,)), (KerasSoftmax(axis=5), (None, 10)), (InstanceNorm2d(32), (1, 64, 8, 8))]:
        with language("ko"):
            warnings = layer.evaluate(shape).warnings
        with language("en"):
            english_warnings = layer.evaluate(shape).warnings
        assert warnings and all(HANGUL.search(w) for w in warnings)
        assert len(warnings) == len(english_warnings) and warnings != english_warnings


ERRORS = {
    "linear out_features": lambda: Linear(400),
    "linear mismatch": lambda: Linear(100, 10).evaluate((1, 6272)),
    "linear 0-D": lambda: Linear(3, 4).evaluate(()),
    "dense units": lambda: Dense(),
    "dense 1-D": lambda: Dense(4).evaluate((8,)),
    "dense activation": lambda: Dense(4, activation="nope"),
    "embedding required": lambda: Embedding(10),
    "embedding padding_idx": lambda: Embedding(10, 4, padding_idx=10),
    "batchnorm rank": lambda: BatchNorm2d(3).evaluate((1, 3, 4)),
    "batchnorm features": lambda: BatchNorm2d(3).evaluate((1, 4, 8, 8)),
    "batchnorm no stats": lambda: BatchNorm2d(3, track_running_stats=False).evaluate((1, 3, 1, 1)),
    "instancenorm rank": lambda: InstanceNorm2d(3).evaluate((3, 4)),
    "instancenorm features": lambda: InstanceNorm2d(3, affine=True).evaluate((1, 4, 8, 8)),
    "instancenorm one element": lambda: InstanceNorm2d(3).evaluate((1, 3, 1, 1)),
    "layernorm required": lambda: LayerNorm(),
    "layernorm type": lambda: LayerNorm("x"),
    "layernorm match": lambda: LayerNorm(10).evaluate((2, 8)),
    "groupnorm required": lambda: GroupNorm(),
    "groupnorm divisible": lambda: GroupNorm(3, 8),
    "groupnorm 1-D": lambda: GroupNorm(2).evaluate((4,)),
    "groupnorm channels": lambda: GroupNorm(2, 8).evaluate((1, 6, 4, 4)),
    "groupnorm input channels": lambda: GroupNorm(4).evaluate((1, 6, 4, 4)),
    "groupnorm single": lambda: GroupNorm(4).evaluate((1, 4, 1, 1)),
    "batchnormalization axis type": lambda: BatchNormalization(axis="x"),
    "batchnormalization axis": lambda: BatchNormalization(axis=5).evaluate((None, 4)),
    "batchnormalization unknown": lambda: BatchNormalization(axis=0).evaluate((None, 4)),
    "prelu type": lambda: PReLU(-1),
    "prelu 0-D": lambda: PReLU(3).evaluate(()),
    "prelu channels": lambda: PReLU(3).evaluate((1, 4, 2, 2)),
    "gelu": lambda: GELU("fast"),
    "softmax dim": lambda: Softmax(dim=3).evaluate((2, 3)),
    "activation required": lambda: Activation(),
    "dropout p": lambda: Dropout(2),
    "keras dropout rate": lambda: KerasDropout(-1),
    "flatten dim type": lambda: Flatten("a").evaluate((1, 2)),
    "flatten dim range": lambda: Flatten(5).evaluate((1, 2)),
    "flatten order": lambda: Flatten(2, 1).evaluate((1, 2, 3)),
    "keras flatten 0-D": lambda: KerasFlatten().evaluate(()),
    "unflatten required": lambda: Unflatten(1),
    "unflatten tuple": lambda: Unflatten(1, "ab"),
    "unflatten 0-D": lambda: Unflatten(0, (1,)).evaluate(()),
    "unflatten two -1": lambda: Unflatten(1, (-1, -1)).evaluate((1, 4)),
    "unflatten split": lambda: Unflatten(1, (-1, 3)).evaluate((1, 4)),
    "unflatten product": lambda: Unflatten(1, (2, 3)).evaluate((1, 4)),
    "zeropad 1-D": lambda: ZeroPad2d(1).evaluate((4,)),
    "zeropad crop": lambda: ZeroPad2d((-3, -3, 0, 0)).evaluate((1, 1, 4, 4)),
    "zeropadding2d type": lambda: ZeroPadding2D("x"),
    "zeropadding2d rank": lambda: ZeroPadding2D().evaluate((None, 4, 4)),
    "pixelshuffle factor": lambda: PixelShuffle(0),
    "pixelshuffle rank": lambda: PixelShuffle(2).evaluate((4, 4)),
    "pixelshuffle channels": lambda: PixelShuffle(2).evaluate((1, 6, 4, 4)),
    "upsample mode": lambda: Upsample(scale_factor=2, mode="cubic"),
    "upsample align": lambda: Upsample(scale_factor=2, align_corners=True),
    "upsample both": lambda: Upsample(size=4, scale_factor=2).evaluate((1, 1, 2, 2)),
    "upsample neither": lambda: Upsample().evaluate((1, 1, 2, 2)),
    "upsample size entries": lambda: Upsample(size=(4, 4, 4)).evaluate((1, 1, 2, 2)),
    "upsample scale entries": lambda: Upsample(scale_factor=(2, 2, 2)).evaluate((1, 1, 2, 2)),
    "upsample rank": lambda: Upsample(scale_factor=2, mode="bilinear").evaluate((1, 1, 2)),
    "upsample zero": lambda: Upsample(scale_factor=0.1).evaluate((1, 1, 2, 2)),
    "cropping type": lambda: Cropping2D("x"),
    "cropping rank": lambda: Cropping2D().evaluate((None, 4, 4)),
    "cropping too much": lambda: Cropping2D(2).evaluate((None, 4, 4, 1)),
    "upsampling1d size": lambda: UpSampling1D((2,)),
    "upsampling interpolation": lambda: UpSampling2D(interpolation="cubic"),
    "rescaling required": lambda: Rescaling(),
    "normalization axis type": lambda: Normalization(axis="x"),
    "normalization mean only": lambda: Normalization(mean=[0.5]),
    "normalization axis range": lambda: Normalization(axis=5).evaluate((None, 4)),
    "normalization axis twice": lambda: Normalization(axis=(1, -1)).evaluate((None, 4)),
    "normalization unknown": lambda: Normalization(axis=0).evaluate((None, 4)),
    "layerscale dim": lambda: LayerScale(1e-6, 0),
    "layerscale broadcast": lambda: LayerScale(1e-6, 8).evaluate((None, 4)),
    "keras relu": lambda: KerasReLU(max_value="x"),
    "keras relu minimum": lambda: KerasReLU(negative_slope=-1),
    "keras elu": lambda: __import__("convlens.core.keras_activation", fromlist=["KerasELU"]).KerasELU(alpha="x"),
    "keras prelu axes": lambda: KerasPReLU(shared_axes=(0,)).evaluate((None, 4)),
    "keras prelu unknown": lambda: KerasPReLU().output_shape((None, None, 4)),  # a shape evaluate() lets through only from a Keras model
    "keras embedding": lambda: KerasEmbedding(10),
    "layernormalization axis": lambda: LayerNormalization(axis=5).evaluate((None, 4)),
    "layernormalization unknown": lambda: LayerNormalization(axis=1).output_shape((None, None, 4)),
    "reshape type": lambda: Reshape("x"),
    "reshape two -1": lambda: Reshape((-1, -1)),
    "reshape multiple": lambda: Reshape((-1, 3)).evaluate((None, 4)),
    "reshape product": lambda: Reshape((3,)).evaluate((None, 4)),
    "permute": lambda: Permute((1, 1)).evaluate((None, 4, 4)),
    "add count": lambda: add().evaluate([(1, 2), (1, 2), (1, 2)]),
    "add broadcast": lambda: add().evaluate([(1, 64, 14, 14), (1, 64, 7, 7)]),
    "cat 0-D": lambda: cat().evaluate([(), ()]),
    "cat dim": lambda: cat(dim=4).evaluate([(1, 2), (1, 2)]),
    "cat rank": lambda: cat().evaluate([(1, 2), (1, 2, 3)]),
    "keras add batch dim": lambda: Add().evaluate([(), (1,)]),
    "keras add batch": lambda: Add().evaluate([(1, 4), (2, 4)]),
    "keras add shapes": lambda: Add().evaluate([(None, 4), (None, 5)]),
    "custom scale count": lambda: CustomScaleLayer(0.1).evaluate([(None, 4)]),
    "keras tuple": lambda: keras_tuple("Conv2D", "strides", (1, 2, 3), 2),
    "keras activation": lambda: keras_activation("Dense", "nope"),
    "keras data_format": lambda: keras_data_format("Conv2D", "nchw"),
    "keras padding": lambda: keras_padding("Conv2D", "full"),
    "keras window rank": lambda: keras_window_shape("Conv2D", (None, 4, 4), 2, True, (3, 3), (1, 1), (1, 1), "valid"),
    "keras window size": lambda: keras_window_shape("Conv2D", (None, 2, 2, 1), 2, True, (3, 3), (1, 1), (1, 1), "valid"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_every_error_in_korean_has_no_english_sentence(case):
    with language("en"):
        with pytest.raises(LayerError) as en:
            ERRORS[case]()
    with language("ko"):
        with pytest.raises(LayerError) as ko:
            ERRORS[case]()
    assert type(en.value) is type(ko.value) and en.value.argument == ko.value.argument
    ko_text = str(ko.value)
    assert HANGUL.search(ko_text), ko_text
    assert english(ko_text, allow=FORMULA_NAMES) == [], ko_text


def test_keras_explain_axes_in_korean():
    with language("ko"):
        lines = keras_explain_axes((None, 28, 28, 1), (None, 14, 14, 32), 2, True, (3, 3), (2, 2), (1, 1), "same")
    assert lines == ["H_out = ⌈28 / 2⌉ = 14  (padding='same': 앞에 0, 뒤에 1)", "W_out = ⌈28 / 2⌉ = 14  (padding='same': 앞에 0, 뒤에 1)"]


NETWORK_ERRORS = {
    "mismatch": lambda: evaluate([Flatten(), Node(Linear(100, 10), "fc1")], (1, 32, 14, 14)),
    "not a layer": lambda: evaluate(["Conv2d"], (1, 2)),
    "too large": lambda: evaluate([Upsample(scale_factor=2.0**62)], (1, 1, 4, 4)),
    "name used": lambda: evaluate([Node(Identity(), "a"), Node(Identity(), "a")], (1, 2)),
    "merge inputs": lambda: evaluate([add()], (1, 2)),
    "input type": lambda: evaluate([Node(Identity(), inputs=(1.5,))], (1, 2)),
    "input later index": lambda: evaluate([Node(Identity(), inputs=(3,))], (1, 2)),
    "input later name": lambda: evaluate([Node(Identity(), inputs=("b",)), Node(Identity(), "b")], (1, 2)),
    "input unknown": lambda: evaluate([Node(Identity(), inputs=("zz",))], (1, 2)),
    "one input": lambda: evaluate([Node(Identity(), "a"), Node(Identity(), inputs=("a", INPUT))], (1, 2)),
}


@pytest.mark.parametrize("case", sorted(NETWORK_ERRORS))
def test_network_errors_in_korean(case):
    with language("ko"):
        with pytest.raises(NetworkError) as ko:
            NETWORK_ERRORS[case]()
    text = str(ko.value)
    assert re.match(r"\d+번 층 ", text), text
    assert english(text) == [], text
    assert ko.value.reason == text.split(": ", 1)[1]


def test_network_error_label_in_english_is_unchanged():
    with pytest.raises(NetworkError) as en:
        NETWORK_ERRORS["mismatch"]()
    assert str(en.value) == "layer 1 'fc1' (Linear): in_features=100 but the input (1, 6272) ends in 6272; use in_features=6272 (or Flatten first)"


DECLARING = [Linear, Dense, Embedding, BatchNorm2d, LayerNorm, GroupNorm, BatchNormalization, PReLU]


def test_weight_sentences_have_korean():
    for cls in DECLARING:
        for declared in cls.declared_weights:
            with language("ko"):
                text = tr(declared.sentence)
            assert text != declared.sentence and HANGUL.search(text), (cls.__name__, declared.name)
            assert english(text) == [], text


def test_memory_conventions_have_korean():
    for sentence in (FORMULA, ACTIVATIONS_ESTIMATE):
        with language("ko"):
            text = tr(sentence)
        assert HANGUL.search(text) and english(text) == [], text
