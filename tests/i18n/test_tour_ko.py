"""The README's tour in Korean: golden outputs for every tour command under ``--lang ko``, no English
sentence left in them, the same exit status as in English, and English unchanged by the catalogs.

Regenerate the goldens after changing a message: ``python -m pytest tests/i18n/test_tour_ko.py --overwrite-golden``
(then read the diff: every line must be Korean, with the numbers of the English output).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from convlens.cli import main
from i18n.english import english

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"

TOUR = {
    "calc_conv2d": "calc Conv2d --input 16x1x28x28 --out-channels 20 --kernel-size 5 --padding 2",
    "calc_keras_chain": "calc --input 1x28x28x1 \"Conv2D(75, (3,3), padding='same', activation='relu')\" \"BatchNormalization()\" "
                        "\"MaxPooling2D((2,2), strides=2, padding='same')\" \"Flatten()\" \"Dense(10)\"",
    "calc_linear_mismatch": "calc --input 1x28x28 \"Conv2d(1, 32, 3, padding=1)\" \"MaxPool2d(2)\" \"Flatten()\" \"Linear(32*7*7, 10)\"",
    "solve_stride": "solve Conv2d --input 224 --output-size 112 --kernel-size 7",
    "solve_same": "solve Conv2d --input 28 --output-size 28 --same --kernel-size 4",
    "rf": "rf --input 1x3x224x224 \"Conv2d(3,64,7,stride=2,padding=3)\" \"MaxPool2d(3,stride=2,padding=1)\" \"Conv2d(64,64,3,padding=1)\"",
    "check_seed_bug": "check zoo:residual-cnn-as-written",
    "summary_tutorial": "summary zoo:residual-cnn --style tutorial",
    "summary_keras": "summary zoo:keras-tutorial-cnn-keras",
    "compare": "compare zoo:vgg-first-blocks zoo:resnet-stem --input 1x3x224x224",
    "demo": "demo",
}


def run(capsys, monkeypatch, command: str, lang: str) -> tuple[int, str]:
    monkeypatch.setenv("COLUMNS", "100")
    code = main([*shlex.split(command), "--lang", lang])
    out = capsys.readouterr()
    return code, out.out + out.err


def normalise(text: str) -> str:
    """Paths of this checkout and timings vary between machines; nothing else may."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


@pytest.mark.parametrize("name", sorted(TOUR))
def test_the_tour_in_korean(name, capsys, monkeypatch, request):
    code_en, out_en = run(capsys, monkeypatch, TOUR[name], "en")
    code_ko, out_ko = run(capsys, monkeypatch, TOUR[name], "ko")
    assert code_ko == code_en, f"exit status {code_ko} in Korean, {code_en} in English"
    assert english(out_ko) == [], f"English sentences left in the Korean output of {name}: {english(out_ko)[:8]}"
    assert re.search(r"[가-힣]", out_ko), "no Korean at all"
    # the same numbers: Korean invents none, and keeps every figure of three digits or more
    numbers = lambda t: set(re.findall(r"\d[\d,.]*\d|\d", t))  # noqa: E731
    assert numbers(out_ko) <= numbers(out_en), f"numbers only in Korean: {sorted(numbers(out_ko) - numbers(out_en))[:10]}"
    big = {n for n in numbers(out_en) if len(n.replace(",", "").replace(".", "")) >= 3}
    assert big <= numbers(out_ko), f"figures missing from the Korean: {sorted(big - numbers(out_ko))[:10]}"
    path = GOLDEN_DIR / "ko" / f"tour_{name}.txt"
    if request.config.getoption("--overwrite-golden"):
        path.write_text(normalise(out_ko), encoding="utf-8")
    assert normalise(out_ko) == path.read_text(encoding="utf-8")


def test_english_is_the_default_and_unchanged(capsys, monkeypatch):
    """Without --lang and with LANGUAGE=en (the suite's), the output is the English the README shows."""
    monkeypatch.setenv("COLUMNS", "100")
    assert main(shlex.split(TOUR["calc_conv2d"])) == 0
    out = capsys.readouterr().out
    assert "each of the 20 filters holds one 5×5 kernel for the single input channel" in out
    assert not re.search(r"[가-힣]", out)
