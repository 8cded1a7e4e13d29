"""The core's convolution and pooling half in Korean (issue 19): the worked calculations, warnings,
errors and notes that ``core`` writes read as Korean sentences, exit codes are the same in both
languages, and English is unchanged.

The goldens (``tests/golden/ko/*.txt``) are whole ``convlens`` outputs; their table labels
("input", "params", ...) and the cost note are written by ``render``/``frontends``, so the
no-English checks here look only at the lines the core writes: the calculation block, the
warnings, a solve's notes and flags, and error messages.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from i18n.english import english

from convlens.cli import main
from convlens.core import LAYERS, calc, layer
from convlens.core.costs import COST_CONVENTION, COST_NOTE
from convlens.core.solve import solve
from convlens.i18n import language, tr

HANGUL = range(0xAC00, 0xD7A4)


def korean(text: str) -> bool:
    return any(ord(ch) in HANGUL for ch in text)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def block(out: str, title: str) -> list[str]:
    """The indented lines under ``title`` (``calculation``, ``warnings``) of a ``convlens calc`` output."""
    lines = out.splitlines()
    title = {"calculation": "계산", "warnings": "경고"}.get(title, title) if title not in lines else title  # the Korean report's headings
    if title not in lines:
        return []
    found = []
    for line in lines[lines.index(title) + 1:]:
        if not line.startswith("  "):
            break
        found.append(line.strip())
    return found


CALC = [  # golden file, command line (the examples of the tutorials)
    ("ko/calc_conv.txt", ["calc", "Conv2d", "--input", "16x1x28x28", "--out-channels", "20", "--kernel-size", "5", "--padding", "2"]),
    ("ko/calc_conv_groups.txt", ["calc", "Conv2d", "--input", "1x32x14x14", "--out-channels", "64", "--kernel-size", "3", "--groups", "32"]),
    ("ko/calc_conv_keras.txt", ["calc", "Conv2D", "--input", "28x28x1", "--filters", "32", "--kernel-size", "3", "--strides", "2",
                                "--activation", "relu"]),
    ("ko/calc_maxpool.txt", ["calc", "MaxPool2d", "--input", "1x64x7x7", "--kernel-size", "2"]),
    ("ko/calc_convtranspose.txt", ["calc", "ConvTranspose2d", "--input", "1x64x7x7", "--out-channels", "32", "--kernel-size", "3",
                                   "--stride", "2", "--padding", "1"]),
]


@pytest.mark.parametrize("name, argv", CALC, ids=[c[0] for c in CALC])
def test_calc_in_korean(capsys, golden, name, argv):
    code, out, err = run(capsys, "--lang", "ko", *argv)
    assert code == 0 and not err
    golden(name, out)
    calculation, warnings = block(out, "calculation"), block(out, "warnings")
    formulas = [line for line in calculation if line.startswith(("H_out", "W_out", "params = ")) and not korean(line)]  # no words
    sentences = [line for line in calculation + warnings if line not in formulas]
    assert sentences and all(korean(line) for line in sentences), sentences
    assert english("\n".join(calculation + warnings)) == []


@pytest.mark.parametrize("name, argv", CALC, ids=[c[0] for c in CALC])
def test_calc_in_english_is_unchanged(capsys, name, argv):
    code, out, _ = run(capsys, "--lang", "en", *argv)
    assert code == 0 and not korean(out)
    code_default, out_default, _ = run(capsys, *argv)  # the suite's LANGUAGE=en
    assert (code_default, out_default) == (code, out)


def test_the_tutorials_sentence_in_both_languages(capsys):
    argv = CALC[0][1]
    _, en, _ = run(capsys, *argv)
    _, ko, _ = run(capsys, "--lang", "ko", *argv)
    assert "each of the 20 filters holds one 5×5 kernel for the single input channel; its response is one output channel" in en
    assert "MACs = 12,544 output positions × 20 filters × 1·5·5 = 6,272,000" in en
    assert "params = 20 × (1 × 5 × 5) + 20 = 520" in en
    assert "필터 20개는 각각 하나뿐인 입력 채널에 대한 5×5 커널을 하나씩 가지며, 그 응답이 출력 채널 하나가 됩니다" in ko
    assert "MACs = 출력 위치 12,544개 × 필터 20개 × 1·5·5 = 6,272,000" in ko


SOLVE = [  # golden file, command line, exit code
    ("ko/solve_conv.txt", ["solve", "Conv2d", "--input", "28", "--output-size", "14", "--limit", "4"], 0),
    ("ko/solve_conv_same.txt", ["solve", "Conv2d", "--input", "28", "--same", "--kernel-size", "4"], 0),
    ("ko/solve_conv_unreachable.txt", ["solve", "Conv2d", "--input", "28", "--output-size", "100", "--kernel-size", "3"], 1),
]


@pytest.mark.parametrize("name, argv, exit_code", SOLVE, ids=[c[0] for c in SOLVE])
def test_solve_in_korean(capsys, golden, name, argv, exit_code):
    code, out, err = run(capsys, "--lang", "ko", *argv)
    assert code == exit_code and not err
    golden(name, out)
    code_en, out_en, _ = run(capsys, "--lang", "en", *argv)
    assert code_en == exit_code and not korean(out_en)
    core_lines = [line.split("! ", 1)[1] for line in out.splitlines() if "! " in line]  # the warning flags
    core_lines += [line[len("note: "):] for line in out.splitlines() if line.startswith("note: ")]
    assert all(korean(line) for line in core_lines)
    assert english("\n".join(core_lines)) == []


def test_solve_says_why_it_found_nothing_in_both_languages():
    """``unreachable`` no longer reads the English note: the exit code is the same in Korean."""
    for lang in ("en", "ko"):
        with language(lang):
            assert solve("Conv2d", 28, 100, kernel_size=3).unreachable
            assert not solve("Conv2d", 28, same=True, kernel_size=4).unreachable  # a note with an alternative
            assert not solve("Conv2d", 28, 14).unreachable


ERRORS = [  # command line, what the English message says (unchanged)
    (["calc", "MaxPool2d", "--input", "1x64x1x1", "--kernel-size", "2"],
     "MaxPool2d: kernel 2×2 (dilated 2×2) is larger than the padded input 1×1 (input 1×1 + padding 0×0), output would be 0×0; "
     "the padded input must be at least 2×2"),
    (["calc", "MaxPooling2D", "--input", "1x1x8", "--pool-size", "2"],
     "MaxPooling2D: computed output size 0×0 would be zero or negative: input 1×1, pool_size 2×2, strides 2×2; "
     "use padding='same' or an input of at least 2×2"),
    (["calc", "Conv2d", "--input", "1x3x28x28", "--out-channels", "8", "--kernel-size", "3", "--stride", "0"],
     "Conv2d: stride must be positive, got stride=0×0"),
    (["calc", "Conv2d", "--input", "1x3x28x28", "--out-channels", "8", "--kernel-size", "3", "--groups", "2"],
     "Conv2d: input channels 3 are not divisible by groups=2"),
    (["calc", "Conv2d", "--input", "1x3x28x28", "--out-channels", "8", "--kernel-size", "3", "--padding", "same", "--stride", "2"],
     "Conv2d: padding='same' is not supported for strided convolutions (stride=2×2)"),
    (["calc", "ConvTranspose2d", "--input", "1x4x2x2", "--out-channels", "8", "--kernel-size", "2", "--padding", "3"],
     "ConvTranspose2d: output size -3×-3 would be zero or negative for input 2×2 with padding 3×3; reduce padding"),
    (["solve", "Linear", "--input", "28", "--output-size", "14"],
     "Linear: solve works for layers with a sliding window (convolution, pooling); Linear has no kernel_size or pool_size"),
]


@pytest.mark.parametrize("argv, message", ERRORS, ids=[a[0][1] + "-" + a[0][-1] for a in ERRORS])
def test_errors_exit_2_in_both_languages(capsys, argv, message):
    code_en, out_en, err_en = run(capsys, "--lang", "en", *argv)
    code_ko, out_ko, err_ko = run(capsys, "--lang", "ko", *argv)
    assert code_en == code_ko == 2
    assert message in err_en and not korean(err_en)
    assert korean(err_ko) and "Traceback" not in err_ko
    assert english(err_ko) == [], err_ko
    assert len(err_ko.strip().splitlines()) == len(err_en.strip().splitlines()) == 1


def test_a_korean_locale_selects_korean(tmp_path):
    """``LANG=ko_KR.UTF-8`` with no ``--lang``: the suite's LANGUAGE=en is removed from the child."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "ko_KR.UTF-8"
    argv = ["calc", "MaxPool2d", "--input", "1x64x1x1", "--kernel-size", "2"]
    p = subprocess.run([sys.executable, "-c", f"from convlens.cli import main; raise SystemExit(main({argv!r}))"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2
    assert "패딩된 입력" in p.stderr and english(p.stderr) == []


# Layers and inputs that exercise every sentence of the conv/pool half, correct configurations
# included (groups, depthwise, dilation, ceil mode, adaptive and global pooling, Keras 'same').
CASES = [
    ("Conv1d", (1, 4, 30), dict(out_channels=8, kernel_size=3, stride=2)),
    ("Conv2d", (2, 3, 32, 32), dict(out_channels=16, kernel_size=3, padding=1)),
    ("Conv2d", (1, 8, 16, 16), dict(out_channels=16, kernel_size=3, groups=4, padding=1)),
    ("Conv2d", (1, 8, 16, 16), dict(out_channels=8, kernel_size=3, groups=8, padding=1)),
    ("Conv2d", (1, 8, 16, 16), dict(out_channels=16, kernel_size=3, groups=8, padding="same")),
    ("Conv2d", (1, 1, 9, 9), dict(out_channels=2, kernel_size=1, stride=3)),
    ("Conv3d", (1, 2, 8, 8, 8), dict(out_channels=4, kernel_size=3, dilation=2)),
    ("ConvTranspose2d", (1, 16, 7, 7), dict(out_channels=8, kernel_size=4, stride=2, padding=1)),
    ("ConvTranspose2d", (1, 16, 7, 7), dict(out_channels=1, kernel_size=3, stride=2, padding=1)),
    ("Conv2D", (None, 28, 28, 3), dict(filters=8, kernel_size=3, padding="valid")),
    ("Conv1D", (None, 10, 3), dict(filters=4, kernel_size=2, padding="causal")),
    ("DepthwiseConv2D", (None, 14, 14, 8), dict(kernel_size=3, padding="valid", depth_multiplier=2)),
    ("DepthwiseConv2D", (None, 14, 14, 8), dict(kernel_size=3, padding="valid")),
    ("SeparableConv2D", (None, 14, 14, 8), dict(filters=16, kernel_size=3, padding="valid")),
    ("Conv2DTranspose", (None, 7, 7, 8), dict(filters=4, kernel_size=3, strides=2, padding="valid", output_padding=1)),
    ("Conv3DTranspose", (None, 4, 4, 4, 8), dict(filters=4, kernel_size=2, strides=2, padding="valid")),
    ("MaxPool2d", (1, 8, 7, 7), dict(kernel_size=2)),
    ("MaxPool2d", (1, 8, 7, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("AvgPool2d", (1, 8, 6, 6), dict(kernel_size=2)),
    ("AdaptiveAvgPool2d", (1, 8, 7, 7), dict(output_size=(3, 3))),
    ("AdaptiveMaxPool1d", (1, 8, 5), dict(output_size=7)),
    ("MaxPooling2D", (None, 7, 7, 4), dict(pool_size=2, strides=2, padding="same")),
    ("AveragePooling1D", (None, 9, 4), dict(pool_size=3, padding="valid")),
    ("GlobalAveragePooling2D", (None, 7, 7, 16), dict()),
    ("GlobalMaxPooling1D", (None, 7, 16), dict(keepdims=True)),
]


@pytest.mark.parametrize("name, shape, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_every_calculation_and_warning_reads_korean(name, shape, kwargs):
    with language("ko"):
        r = calc(name, shape, **kwargs)
        ko = r.calculation() + list(r.warnings)
    en = r.calculation() + list(r.warnings)  # English again outside the block
    assert len(ko) == len(en)
    for k, e in zip(ko, en):
        if k == e:  # a formula line (no words) reads the same in both
            assert english(e) == [], e
        else:
            assert korean(k) and english(k) == [], k


def test_the_warnings_keep_the_layer_name_first():
    """``render.solve`` cuts ``'Conv2d: '`` off a warning; the Korean ones start the same way."""
    with language("ko"):
        warnings = calc("Conv2d", (1, 1, 9, 9), out_channels=2, kernel_size=1, stride=3).warnings
    assert warnings and all(w.startswith("Conv2d: ") for w in warnings)


@pytest.mark.parametrize("name", sorted(n for n, cls in LAYERS.items() if cls.__module__.split(".")[-1] in (
    "conv", "conv_transpose", "conv_keras", "keras_conv_transpose")))
def test_weight_sentences_in_korean(name):
    for declared in LAYERS[name].declared_weights:
        assert declared.text == declared.sentence  # English by default
        with language("ko"):
            assert korean(declared.text) and english(declared.text) == [], declared.text


def test_the_cost_notes_in_korean():
    with language("ko"):
        note, convention = tr(COST_NOTE), tr(COST_CONVENTION)
    assert korean(note) and korean(convention)
    assert english(note) == [] and english(convention) == []
    assert tr(COST_NOTE) == COST_NOTE


BAD = [  # a layer built with a mistake: the message is Korean, the error type and argument the same
    ("Conv2d", dict(out_channels=8)),
    ("Conv2d", dict(kernel_size=3)),
    ("Conv2d", dict(out_channels=8, kernel_size=3, groups=0)),
    ("Conv2d", dict(out_channels=8, kernel_size=(3, 3, 3))),
    ("Conv2d", dict(out_channels=8, kernel_size=3, padding="full")),
    ("Conv2d", dict(out_channels=8, kernel_size=3, padding_mode="mirror")),
    ("ConvTranspose2d", dict(out_channels=8, kernel_size=3, padding="same")),
    ("Conv2D", dict(filters=8, kernel_size=3, strides=2, dilation_rate=2)),
    ("Conv2D", dict(filters=6, kernel_size=3, groups=4)),
    ("Conv2DTranspose", dict(filters=8, kernel_size=3, strides=2, output_padding=2)),
    ("MaxPool2d", dict(kernel_size=2, padding=2)),
    ("AvgPool2d", dict(kernel_size=2, divisor_override=0)),
    ("AdaptiveAvgPool1d", dict()),
    ("Conv2dd", dict()),
    ("conv2d", dict()),
    ("Conv2d", dict(out_channels=8, kernel_size=3, foo=3)),
]


@pytest.mark.parametrize("name, kwargs", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_layer_errors_in_korean(name, kwargs):
    from convlens.core import LayerError

    with pytest.raises(LayerError) as en:
        layer(name, **kwargs)
    with language("ko"), pytest.raises(LayerError) as ko:
        layer(name, **kwargs)
    assert (en.value.layer, en.value.argument) == (ko.value.layer, ko.value.argument)
    assert not korean(str(en.value))
    assert korean(str(ko.value)) and english(str(ko.value)) == [], str(ko.value)


SHAPE_ERRORS = [  # a good layer on a bad input
    ("Conv2d", dict(out_channels=8, kernel_size=3), (3, 28)),
    ("Conv2d", dict(in_channels=4, out_channels=8, kernel_size=3), (1, 3, 28, 28)),
    ("Conv2d", dict(out_channels=8, kernel_size=5), (1, 3, 2, 2)),
    ("Conv2d", dict(out_channels=8, kernel_size=3, padding=2, padding_mode="reflect"), (1, 3, 2, 2)),
    ("Conv2d", dict(out_channels=8, kernel_size=3), (1, 3, 0, 5)),
    ("Conv2d", dict(out_channels=8, kernel_size=3), (1, 3, -1, 5)),
    ("ConvTranspose2d", dict(out_channels=8, kernel_size=3, output_padding=3, stride=2), (1, 3, 5, 5)),
    ("Conv2D", dict(filters=8, kernel_size=3), (None, 28, 28, None)),
    ("Conv2DTranspose", dict(filters=8, kernel_size=3), (None, 28, 3)),
    ("AvgPool3d", dict(kernel_size=3, padding=1), (1, 1, 2, 2, 2)),
    ("MaxPool2d", dict(kernel_size=2), (1, 0, 7, 7)),
    ("AdaptiveMaxPool2d", dict(output_size=2), (1, 0, 7, 7)),
    ("GlobalAveragePooling2D", dict(), (None, 7, 7)),
]


@pytest.mark.parametrize("name, kwargs, shape", SHAPE_ERRORS, ids=[f"{s[0]}-{i}" for i, s in enumerate(SHAPE_ERRORS)])
def test_shape_errors_in_korean(name, kwargs, shape):
    from convlens.core import LayerError

    with pytest.raises(LayerError) as en:
        calc(name, shape, **kwargs)
    with language("ko"), pytest.raises(LayerError) as ko:
        calc(name, shape, **kwargs)
    assert not korean(str(en.value))
    assert korean(str(ko.value)) and english(str(ko.value)) == [], str(ko.value)


def test_solve_errors_in_korean():
    from convlens.core import LayerError

    for args, kwargs in (((28, 14), dict(stride=2, same=True)), ((28, 14), dict(same=True)), ((28,), dict()), ((0, 14), dict())):
        with language("ko"), pytest.raises(LayerError) as ko:
            solve("Conv2d", *args, **kwargs)
        assert korean(str(ko.value)) and english(str(ko.value)) == [], str(ko.value)


def test_framework_and_unknown_layer_errors_in_korean():
    from convlens.core import Framework, LayerError
    from convlens.errors import UserError

    for call in (lambda: Framework.parse("tensorflow"), lambda: Framework.parse("jax", allowed=(Framework.KERAS,)),
                 lambda: layer("Zzzzzz"), lambda: layer("Conv2d", framework="jax")):
        with pytest.raises(UserError) as en:
            call()
        with language("ko"), pytest.raises(UserError) as ko:
            call()
        assert type(en.value) is type(ko.value)
        assert not korean(str(en.value)) and korean(str(ko.value)), str(ko.value)
        if not isinstance(ko.value, LayerError) or "Zzzzzz" not in str(ko.value):
            assert english(str(ko.value)) == [], str(ko.value)
    with pytest.raises(UserError, match="'tensorflow' is not a framework convlens reads; write 'pytorch' or 'keras'"):
        Framework.parse("tensorflow")
