"""The front ends in Korean (issue 19): every DiagnosticCode's message and fix, ``convlens check`` of the
seed tutorial's bug, and the spec format's errors, each against a golden Korean output
(``tests/golden/ko/``), with no English sentence left in what the front ends, the resolver and the spec
format write, the same codes, severities, layers and exit statuses as in English, and English unchanged.

Text that other packages or dependencies produce inside a diagnostic is left out of the English check
(and said where): a core layer's refusal (``layer-mismatch``, ``layer-warning``, a spec's failing layer),
PyTorch's own error after ``forward-failed``/``layer-failed``, PyYAML's words after "not valid YAML".
The table labels around ``convlens check``'s findings are the report layer's (render/).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys

import pytest
import torch
import torch.nn as nn

import convlens
from convlens import zoo
from convlens.cli import main
from convlens.i18n import language
from convlens.record import DiagnosticCode
from i18n.english import english

from .torch.models import BadBatchNorm, BadResidual, Unused

HANGUL = re.compile(r"[\uac00-\ud7a3]")


# --- one model per diagnostic code (the models the English tests use for it) ---------------------
class _Broken(nn.Module):  # tests/frontends/torch/test_diagnostics.py: the forward cannot be repaired
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        x = self.conv(x)
        return nn.functional.interpolate(x, size=(2, 2, 2))  # wrong rank of size


class _Folds(nn.Module):  # test_diagnostics.py: view(-1, 4) cuts each sample's 8 features into 2 rows
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(x.view(-1, 4).repeat(1, 2))


def _torch(model, size):
    return convlens.summary(model, input_size=size).diagnostics


def _dense_input():
    import keras
    from keras import layers

    m = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, name="c"), layers.Flatten(name="flat"), layers.Dense(10, name="fc")])
    return convlens.summary(m, (None, 32, 32, 1)).diagnostics


def _core_disagrees():
    """A convlens bug cannot be built on purpose: Keras is made to count one parameter more than the core."""
    import keras
    from keras import layers

    m = keras.Sequential([keras.Input((8,)), layers.Dense(4, name="fc")])
    real = type(m).count_params
    type(m).count_params = lambda self: real(self) + 1
    try:
        return convlens.summary(m).diagnostics
    finally:
        type(m).count_params = real


def _spec_linear(tmp_path):
    path = tmp_path / "linear.yaml"
    path.write_text(SPEC_LINEAR, encoding="utf-8")
    from convlens import design

    return design.summary(design.load(path)).diagnostics


SPEC_LINEAR = """input: [1, 1, 28, 28]
layers:
  - {type: Conv2d, name: conv, in_channels: 1, out_channels: 8, kernel_size: 3}
  - {type: Flatten}
  - {type: Linear, name: fc, in_features: 1000, out_features: 10}
"""

# case -> (code, how to get the diagnostics, what in the message is another package's words)
CORE_MESSAGE = "core"  # the whole message is the core's refusal (its catalog is core.po)
CASES = {
    "forward-failed": ("forward-failed", lambda tmp: _torch(_Broken(), (1, 3, 8, 8)), "순전파가 멈췄습니다: "),
    "layer-failed": ("layer-failed", lambda tmp: _torch(nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8)).train(), (1, 4)),
                     "오류가 납니다: "),
    "layer-mismatch": ("layer-mismatch", lambda tmp: _torch(BadBatchNorm(), (2, 3, 8, 8)), CORE_MESSAGE),
    "linear-in-features": ("linear-in-features", lambda tmp: _torch(zoo.build("residual-cnn-as-written"), (1, 1, 28, 28)), None),
    "reshape-mismatch": ("reshape-mismatch", lambda tmp: _torch(zoo.build("residual-cnn-as-written"), (1, 1, 28, 28)), None),
    "branch-mismatch": ("branch-mismatch", lambda tmp: _torch(BadResidual(), (1, 64, 14, 14)), None),
    "batch-folded": ("batch-folded", lambda tmp: _torch(zoo.build("residual-cnn-as-written"), (49, 1, 28, 28)), None),
    "batch-folded-cut": ("batch-folded", lambda tmp: _torch(_Folds(), (4, 8)), None),
    "input-not-divisible": ("input-not-divisible", lambda tmp: _torch(zoo.build("residual-cnn"), (1, 1, 28, 28)), None),
    "unused-parameters": ("unused-parameters", lambda tmp: _torch(Unused(), (2, 8)), None),
    "layer-warning": ("layer-warning", lambda tmp: _torch(zoo.build("residual-cnn"), (1, 1, 28, 28)), CORE_MESSAGE),
    "dense-input": ("dense-input", lambda tmp: _dense_input(), None),
    "core-disagrees": ("core-disagrees", lambda tmp: _core_disagrees(), None),
    "spec-linear-in-features": ("linear-in-features", _spec_linear, CORE_MESSAGE),
}


def _shown(diagnostics, code) -> str:
    out = []
    for d in diagnostics:
        if d.code != code:
            continue
        out.append(f"{d.severity} [{d.code}] {d.layer or ''}".rstrip())
        out.append(f"  {d.message}")
        if d.fix:
            out.append(f"  fix: {d.fix}")
    return "\n".join(out) + "\n"


def _ours(message: str, foreign) -> str:
    """The part of a message the front ends wrote (another package's or PyTorch's words cut off)."""
    if foreign == CORE_MESSAGE:
        return ""
    if foreign:
        return message.split(foreign, 1)[0] + foreign
    return message


def test_every_diagnostic_code_has_a_case():
    assert {code for code, _, _ in CASES.values()} >= {c.value for c in DiagnosticCode}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_diagnostic_in_korean_against_its_golden(case, golden, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a spec's file is named as given: linear.yaml
    code, run, foreign = CASES[case]
    with language("ko"):
        ko = run(tmp_path)
    en = run(tmp_path)
    found_ko = [d for d in ko if d.code == code]
    found_en = [d for d in en if d.code == code]
    assert found_ko, f"no {code} diagnostic in Korean"
    # the same findings, on the same layers, with the same severity; only the words differ
    assert [(d.severity, d.layer, d.source, bool(d.fix)) for d in found_ko] == [(d.severity, d.layer, d.source, bool(d.fix)) for d in found_en]
    for k, e in zip(found_ko, found_en):
        mine = _ours(k.message, foreign)
        if mine:
            assert HANGUL.search(mine) and k.message != e.message, k.message
            assert english(mine) == [], (mine, english(mine))
        if k.fix:
            assert HANGUL.search(k.fix) and english(k.fix) == [], k.fix
            assert k.fix != e.fix
    golden(f"ko/diagnostics/{case}.txt", _shown(ko, code))


def test_english_diagnostics_are_the_english_messages():
    """The English words are unchanged (the English tests hold them in full; one each here)."""
    s = convlens.summary(zoo.build("residual-cnn-as-written"), input_size=(1, 1, 28, 28))
    fc1 = next(d for d in s.diagnostics if d.code == "linear-in-features")
    assert fc1.message == "fc1 expects 6,272 = 128×7×7 features but receives 1,152 = 128×3×3 (after three 2×2 pools 28→14→7→3)"
    assert fc1.fix == "use nn.Linear(128*3*3, 512) or nn.LazyLinear(512)"
    with language("ko"):
        ko = convlens.summary(zoo.build("residual-cnn-as-written"), input_size=(1, 1, 28, 28))
    fc1 = next(d for d in ko.diagnostics if d.code == "linear-in-features")
    assert fc1.message == "fc1은(는) 특성 6,272 = 128×7×7개를 기대하지만 1,152 = 128×3×3개를 받습니다(2×2 풀링 3번 뒤 28→14→7→3)"
    assert fc1.fix == "nn.Linear(128*3*3, 512) 또는 nn.LazyLinear(512)를 쓰세요"


def test_a_correct_model_in_korean_has_no_error_and_its_notes_are_korean():
    with language("ko"):
        s = convlens.summary(zoo.build("residual-cnn"), input_size=(1, 1, 28, 28))
    assert not s.errors and not s.failed
    ours = [n for n in s.notes if HANGUL.search(n)]
    assert ours and all(english(n) == [] for n in ours), s.notes


# --- convlens check of the seed's bug ----------------------------------------------------------
def _cli(argv, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setenv("COLUMNS", "100")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _our_lines(text: str) -> str:
    """``convlens check``'s findings without what the report layer and the core wrote: the heading, the
    severity and code line, the echoed source line, the ``fix:`` label and a core layer's warning."""
    kept, core_block = [], False
    for line in text.splitlines():
        header = re.match(r"\s*\S+ \[([a-z0-9-]+)\]", line)
        if header:
            core_block = header.group(1) == "layer-warning"
            continue
        if core_block or re.match(r"\s*\d+ \|", line) or not line.startswith(" "):
            continue
        kept.append(re.sub(r"^\s*fix:", "", line))
    return "\n".join(kept)


def test_check_of_the_seed_bug_in_korean(golden, monkeypatch):
    code_en, out_en, _ = _cli(["check", "zoo:residual-cnn-as-written", "--lang", "en"], monkeypatch)
    code_ko, out_ko, _ = _cli(["check", "zoo:residual-cnn-as-written", "--lang", "ko"], monkeypatch)
    assert code_en == code_ko == 1
    assert "fc1 expects 6,272 = 128×7×7 features but receives 1,152 = 128×3×3" in out_en
    assert "fc1은(는) 특성 6,272 = 128×7×7개를 기대하지만 1,152 = 128×3×3개를 받습니다" in out_ko
    assert "nn.Linear(128*3*3, 512) 또는 nn.LazyLinear(512)를 쓰세요" in out_ko
    ours = _our_lines(out_ko)
    assert HANGUL.search(ours) and english(ours) == [], english(ours)
    # with the report layer's labels and the core's warning in Korean too, only the echoed source lines are English
    whole = "\n".join(line for line in out_ko.splitlines() if not re.match(r"\s*\d+ \|", line))
    assert english(whole) == [], english(whole)
    golden("ko/check_residual_as_written.txt", out_ko)


def test_the_check_against_english_finds_english():
    """The check is not vacuous: the English findings, filtered alike, are English."""
    assert english("fc1 expects 6,272 = 128×7×7 features but receives 1,152 = 128×3×3")


# --- the spec format's errors ------------------------------------------------------------------
SPECS = {
    "broken_yaml": "input: [1, 1, 28, 28]\nlayers:\n  - {type: Conv2d, out_channels: 8, kernel_size: 3\n  - {type: ReLU}\n",
    "unknown_layer": "input: [1, 1, 28, 28]\nlayers:\n  - {type: Conv2d, in_channels: 1, out_channels: 8, kernel_size: 3}\n  - {type: Conv2dd, in_channels: 8, out_channels: 8, kernel_size: 3}\n",
    "duplicate_name": "input: [1, 1, 28, 28]\nlayers:\n  - {type: ReLU, name: act}\n  - {type: ReLU, name: act}\n",
    "empty": "",
}


@pytest.mark.parametrize("case", sorted(SPECS))
def test_spec_errors_name_file_line_column_in_both_languages(case, golden, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"{case}.yaml").write_text(SPECS[case], encoding="utf-8")
    code_en, out_en, err_en = _cli(["check", f"{case}.yaml", "--lang", "en"], monkeypatch)
    code_ko, out_ko, err_ko = _cli(["check", f"{case}.yaml", "--lang", "ko"], monkeypatch)
    assert code_en == code_ko == 2 and not out_en and not out_ko
    where = re.match(r"convlens: (\S+:\d+:\d+): ", err_en)
    assert where and err_ko.startswith(f"convlens: {where.group(1)}: "), (err_en, err_ko)  # the same file:line:column
    text = err_ko.split(": ", 2)[2]
    if case == "broken_yaml":  # PyYAML's own words follow convlens's
        assert text.startswith("올바른 YAML이 아닙니다: ")
        text = "올바른 YAML이 아닙니다: "
    assert HANGUL.search(text) and english(text) == [], english(text)
    golden(f"ko/spec_{case}.txt", err_ko)


def test_an_unknown_layer_offers_the_close_names_in_korean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.yaml").write_text(SPECS["unknown_layer"], encoding="utf-8")
    _, _, err = _cli(["check", "net.yaml", "--lang", "ko"], monkeypatch)
    assert "알 수 없는 층 'Conv2dd'" in err and "Conv2d" in err and "뜻했나요?" in err
    _, _, err = _cli(["check", "net.yaml", "--lang", "en"], monkeypatch)
    assert "unknown layer 'Conv2dd' in a pytorch spec; did you mean Conv2d" in err


def test_a_missing_target_file_in_korean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code_en, _, err_en = _cli(["check", "missing.py:Net", "--lang", "en"], monkeypatch)
    code_ko, _, err_ko = _cli(["check", "missing.py:Net", "--lang", "ko"], monkeypatch)
    assert code_en == code_ko == 2
    assert "file 'missing.py' does not exist" in err_en
    assert "파일 'missing.py'이(가) 없습니다" in err_ko and english(err_ko) == []


def test_lang_ko_from_the_environment_in_a_fresh_process(tmp_path):
    (tmp_path / "net.yaml").write_text(SPECS["duplicate_name"], encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG="ko_KR.UTF-8", PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run([sys.executable, "-m", "convlens", "check", "net.yaml"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "이미 0번 층이 쓰고 있습니다" in r.stderr, r.stderr


def test_the_public_functions_take_lang():
    from convlens import design
    from convlens.frontends.chain import chain_summary
    from convlens.frontends.torch import check

    model = zoo.build("residual-cnn-as-written")
    ko = {d.code: d for d in check(model, (1, 1, 28, 28), lang="ko")}
    en = {d.code: d for d in check(model, (1, 1, 28, 28))}  # the current language: English in the suite
    assert ko.keys() == en.keys() and ko["linear-in-features"].fix.endswith("를 쓰세요")
    assert en["linear-in-features"].fix.startswith("use nn.Linear")
    spec = design.SCHEMA_PATH.with_name("examples") / "residual-cnn.yaml"
    assert design.summary(spec, lang="ko").notes[0].endswith("pytorch 규칙")
    assert design.summary(spec).notes[0].startswith("read from the spec")
    assert chain_summary(["Conv2d(1, 8, 3)"], (1, 28, 28), lang="ko").notes[0].startswith("입력 (1, 28, 28)에 배치 차원이 없어")
    assert chain_summary(["Conv2d(1, 8, 3)"], (1, 28, 28)).notes[0] == "input (1, 28, 28) has no batch dimension; evaluated as (1, 1, 28, 28)"


def test_the_cpu_fallback_note_in_korean_quotes_only_what_stopped_the_trace():
    class DataDependent(nn.Module):  # tests/frontends/torch/test_diagnostics.py: meta cannot follow it
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            y = self.fc(x)
            return y * 2 if y.sum() > 0 else y

    en = convlens.summary(DataDependent(), input_size=(2, 4))
    with language("ko"):
        ko = convlens.summary(DataDependent(), input_size=(2, 4))
    note_en = next(n for n in en.notes if "could not follow" in n)
    note_ko = next(n for n in ko.notes if "따라갈 수 없었습니다" in n)
    reason = note_en.split("could not follow this forward (", 1)[1].split("): shapes", 1)[0]
    assert "forward pass stopped" not in reason  # the diagnostic's own words are cut off, in each language
    assert note_ko.startswith(f"meta 장치로는 이 순전파를 따라갈 수 없었습니다({reason}). ") and "순전파가 멈췄습니다" not in note_ko
    assert not ko.failed and not ko.errors


def test_a_network_failure_keeps_its_fix_in_korean():
    """A core refusal is one sentence and its fix in English ('…; use …'), two sentences in Korean: both give the fix."""
    from convlens.core import layer
    from convlens.core.network import NetworkError, Node, evaluate
    from convlens.frontends.build import summary_of_failure

    fixes = {}
    for lang in ("en", "ko"):
        with language(lang):
            with pytest.raises(NetworkError) as info:
                evaluate([Node(layer("Linear", 10, 5), "fc")], (1, 7))
            fixes[lang] = summary_of_failure(info.value, (1, 7)).diagnostics[0].fix
    assert fixes["en"] == "use in_features=7 (or Flatten first)"
    assert fixes["ko"].startswith("in_features=7(으)로") and english(fixes["ko"]) == []
