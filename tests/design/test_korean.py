"""The spec format in Korean (issue 19): exported files keep their code and say their comments in
Korean; an export the format cannot write is refused in Korean with the same exit status; limits,
schema errors and fixes are Korean sentences with the file, line and column unchanged."""

from __future__ import annotations

import re

import pytest

from convlens import design
from convlens.cli import main
from convlens.i18n import language
from i18n.english import english

EXAMPLES = design.SCHEMA_PATH.with_name("examples")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def run(*argv, capsys):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_pytorch_export_in_korean_differs_only_in_its_comments(capsys):
    pytest.importorskip("torch")
    code_en, en, _ = run("export", str(EXAMPLES / "residual-cnn.yaml"), "--to", "pytorch", "--lang", "en", capsys=capsys)
    code_ko, ko, _ = run("export", str(EXAMPLES / "residual-cnn.yaml"), "--to", "pytorch", "--lang", "ko", capsys=capsys)
    assert code_en == code_ko == 0
    compile(ko, "net.py", "exec")  # still a Python file
    changed = [(a, b) for a, b in zip(en.splitlines(), ko.splitlines()) if a != b]
    assert len(en.splitlines()) == len(ko.splitlines()) and len(changed) == 2  # the two docstring lines
    for _, line in changed:
        assert HANGUL.search(line) and english(line.replace("`convlens export --to pytorch`", "")) == [], line
    assert "883,082" in changed[1][1] and "파라미터" in changed[1][1]


def test_a_keras_export_of_a_pytorch_spec_in_korean(capsys):
    code, ko, _ = run("export", str(EXAMPLES / "residual-cnn.yaml"), "--to", "keras", "--lang", "ko", capsys=capsys)
    assert code == 0
    compile(ko, "net_keras.py", "exec")
    assert "# 채널 우선" in ko and "BatchNorm 이동 통계" not in ko.splitlines()[0]


def test_an_export_refused_in_both_languages(capsys, tmp_path):
    code_en, _, err_en = run("export", str(EXAMPLES / "keras-cnn.yaml"), "--to", "pytorch", "--lang", "en", capsys=capsys)
    code_ko, _, err_ko = run("export", str(EXAMPLES / "keras-cnn.yaml"), "--to", "pytorch", "--lang", "ko", capsys=capsys)
    assert code_en == code_ko == 2 and "keras convention" in err_en
    assert "keras 규칙을 따릅니다" in err_ko and english(err_ko.split(": ", 2)[-1]) == []


@pytest.mark.parametrize("text, korean", [
    ("input: [1, 3, 8, 8]\nlayers: []\n", "네트워크에 층이 없습니다"),
    ("input: [1, 3, 8, 8]\ncolour: red\nlayers:\n  - {type: ReLU}\n", "여기에는 'colour'을(를) 쓸 수 없습니다"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: ReLU, name: conv-1}\n", "'conv-1'은(는) 올바른 이름이 아닙니다"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {block: nope}\n", "'nope'(이)라는 블록이 없습니다"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: Conv2d, in_channels: 3, out_channels: $c, kernel_size: 3}\n", "$c은(는) 파라미터가 아닙니다"),
    ("input: [1, 3, 8, 8]\nlayers:\n  - {type: Conv2d, in_channels: 3, out_channels: 4, kernel_size: 3}\n  - {type: Conv2d, in_channels: 3, out_channels: 4, kernel_size: 3}\n",
     "in_channels: 4(으)로 설정하세요"),
])
def test_spec_errors_and_fixes_are_korean_sentences(text, korean):
    with language("ko"):
        try:
            found = design.summary(design.loads(text, "net.yaml")).diagnostics[0].fix
        except design.SpecError as exc:
            found = str(exc)
    assert korean in found, found
    assert found.startswith("net.yaml:") or not found.startswith("net")
    keys = {"name", "framework", "input", "notes", "blocks", "layers"}  # the spec's keys, named as written
    assert english(found, allow=keys) == [], english(found, allow=keys)


def test_the_limits_are_said_in_korean():
    with language("ko"):
        with pytest.raises(design.SpecLimitError) as info:
            design.loads("input: [1, 3, 8, 8]\nlayers:\n  - {type: ReLU}\n" + "x: " + "[" * 200 + "]" * 200 + "\n", "deep.yaml")
    assert str(info.value).startswith("deep.yaml:4:") and "너무 깊이 중첩되어 있습니다" in str(info.value)
