"""The command line in Korean (issue 19): every command's help, argparse's own words, usage errors,
the demo; the language chosen by --lang, LANG and LC_ALL; English unchanged, the same exit codes.

Other packages' sentences (the report tables, the core's explanations) are theirs to translate: the
checks for English here look only at what cli/ writes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from convlens.cli import build_parser, main
from convlens.cli._argparse import MESSAGES, argparse_speaks
from convlens.render import width as columns, wrap
from convlens.i18n import language
from i18n.english import english

ROOT = Path(__file__).resolve().parents[2]

# names that are code, not prose: choices ({en,ko}, {table,json}), sub-command names (convlens zoo list,
# 'convlens solve --help'), metavars, the values --augment takes and argparse's type names (int)
CODE = {"en", "ko", "table", "json", "md", "csv", "html", "list", "show", "code", "spec", "get", "fashion", "mnist",
        "flip", "translate", "erase", "MODEL", "DATA", "LIST", "NAME", "int"} | set(__import__("convlens.cli").cli.COMMANDS)

COMMANDS = [[], ["calc"], ["calc", "Conv2d"], ["solve"], ["rf"], ["summary"], ["check"], ["draw"], ["zoo"], ["zoo", "list"],
            ["zoo", "show"], ["zoo", "code"], ["zoo", "spec"], ["compare"], ["export"], ["serve"], ["train"], ["eval"],
            ["predict"], ["features"], ["data"], ["data", "list"], ["data", "get"], ["demo"]]


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # --help and argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "convlens")
def test_every_help_is_korean(capsys, argv):
    code, out, _ = run(capsys, *argv, "--help", "--lang", "ko")
    assert code == 0
    assert out.startswith("사용법: ")
    assert "\n옵션:\n" in out and "이 도움말을 보여 주고 끝냅니다" in out
    assert english(out, allow=CODE) == []
    assert not any(columns(line) > 100 for line in out.splitlines() if not line.lstrip().startswith(("[", "convlens", "사용법")))


def test_top_level_help(capsys):
    code, out, _ = run(capsys, "--lang", "ko", "--help")
    assert code == 0
    assert "위치 인자:" in out
    assert "합성곱 신경망의 형태, 파라미터, 비용, 수용 영역을 계산하고 설명합니다." in out
    assert "프로그램의 버전을 보여 주고 끝냅니다" in out


def test_calc_help(capsys):
    code, out, _ = run(capsys, "calc", "--help", "--lang", "ko")
    assert code == 0
    assert "층 이름과 그 옵션, 또는 층 호출" in out
    assert "\n예:\n  convlens calc Conv2d --input 16x1x28x28" in out  # the examples are code: as written
    assert "(층 하나의 옵션)" in out


def test_english_help_is_argparse_own(capsys):
    code, out, _ = run(capsys, "calc", "--help")
    assert code == 0
    assert out.startswith("usage: convlens calc ")
    assert "\noptions:\n" in out and "show this help message and exit" in out and "examples:\n" in out
    assert "사용법" not in out


USAGE_ERRORS = [
    # (argv, the English words, the Korean words)
    (["solve", "Conv2d"], "the following arguments are required: --input", "다음 인자가 필요합니다: --input"),
    (["export"], "the following arguments are required: SPEC, --to", "다음 인자가 필요합니다: SPEC, --to"),
    (["calc", "--format", "foo"], "argument --format: invalid choice: 'foo' (choose from 'table', 'json', 'md', 'csv', 'html')",
     "인자 --format: 잘못된 선택입니다: 'foo' (다음 중에서 고르세요: 'table', 'json', 'md', 'csv', 'html')"),
    (["nosuch"], "argument COMMAND: invalid choice: 'nosuch'", "인자 COMMAND: 잘못된 선택입니다: 'nosuch'"),
    (["solve", "Conv2d", "--input", "28", "--limit", "x"], "argument --limit: invalid int value: 'x'",
     "인자 --limit: 잘못된 int 값입니다: 'x'"),
    (["solve", "Conv2d", "--input", "28", "--stride", "0"], "argument --stride: '0' is not a positive integer",
     "인자 --stride: '0'은(는) 양의 정수가 아닙니다"),
    (["summary", "zoo:x", "--bogus"], "unrecognized arguments: --bogus", "알 수 없는 인자입니다: --bogus"),
    (["solve", "Conv2d", "--input", "28", "--output-size"], "argument --output-size: expected one argument",
     "인자 --output-size: 인자 하나가 필요합니다"),
    (["calc", "Conv2d", "--input", "1x1x8x8", "--bias", "maybe"], "'maybe' is not true or false",
     "'maybe'은(는) 참도 거짓도 아닙니다"),
    (["solve", "Conv2d", "--input", "28"], "give --output-size SIZE", "--output-size SIZE (예: --input 224 --output-size 112)"),
    (["rf"], "give layer calls, e.g.", "층 호출을 주세요. 예:"),
    (["calc", "Conv2d", "--input", "1x1x28x28", "--kernel"], "ambiguous option: --kernel could match --kernel-size, --kernel_size",
     "모호한 옵션입니다: --kernel은(는) --kernel-size, --kernel_size 중 어느 것일 수도 있습니다"),
    (["calc", "Conv2d", "--input", "1x1x28x28", "--nosuch", "1"], "Conv2d has no option '--nosuch'", "Conv2d에는 '--nosuch' 옵션이 없습니다"),
    (["calc", "--input", "1xfoo", "Conv2d(1, 2, 3)"], "--input '1xfoo' is not a shape", "--input '1xfoo'은(는) 형태가 아닙니다"),
]


@pytest.mark.parametrize("argv,en,ko", USAGE_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_usage_errors_in_both_languages(capsys, argv, en, ko):
    code_en, out_en, err_en = run(capsys, *argv)
    code_ko, out_ko, err_ko = run(capsys, *argv, "--lang", "ko")
    assert code_en == code_ko == 2
    assert err_en.startswith("convlens: ") and err_ko.startswith("convlens: ")
    assert en in err_en and ko in err_ko, (err_en, err_ko)
    assert len(err_ko.strip().splitlines()) == 1 and "Traceback" not in err_ko
    assert english(err_ko, allow=CODE) == []
    assert out_en == out_ko == ""


def test_lang_is_taken_after_every_command_and_its_arguments(capsys):
    """`--lang ko` anywhere: after a layer's options, among layer calls, after `zoo code NAME`."""
    code, out, _ = run(capsys, "calc", "Conv2d", "--input", "1x1x8x8", "--out-channels", "2", "--kernel-size", "3", "--lang", "ko")
    assert code == 0 and "(1, 2, 6, 6)" in out
    code, out, _ = run(capsys, "rf", "--input", "1x3x32x32", "Conv2d(3, 8, 3)", "--lang", "ko", "MaxPool2d(2)")
    assert code == 0 and "MaxPool2d(2)" in out
    code, out, _ = run(capsys, "zoo", "code", "resnet18", "--lang", "ko")
    assert code == 0 and out.startswith("# resnet18: convlens/zoo/resnet.py, 팩토리 resnet18()\n")
    code, out, _ = run(capsys, "zoo", "code", "resnet18")
    assert code == 0 and out.startswith("# resnet18: convlens/zoo/resnet.py, factory resnet18()\n")


def test_the_see_help_hint_names_the_command(capsys):
    _, _, err = run(capsys, "solve", "Conv2d", "--lang", "ko")
    assert err.rstrip().endswith("('convlens solve --help'를 참고하세요)")
    _, _, err = run(capsys, "nosuch", "--lang", "ko")
    assert err.rstrip().endswith("('convlens --help'를 참고하세요)")


def test_argparse_is_ours_only_while_convlens_speaks_korean(capsys):
    before = argparse._, argparse.ngettext
    run(capsys, "solve", "Conv2d", "--lang", "ko")
    assert (argparse._, argparse.ngettext) == before  # put back after main
    with language("ko"), argparse_speaks():
        assert argparse._("usage: ") == "사용법: "
        assert argparse.ngettext("expected %s argument", "expected %s arguments", 2) % 2 == "인자 2개가 필요합니다"
    with argparse_speaks("en"):
        assert argparse._ is before[0]
    p = argparse.ArgumentParser(prog="other")  # a parser outside convlens, after Korean runs: English
    assert p.format_usage() == "usage: other [-h]\n"


def test_every_argparse_message_is_translated_with_its_placeholders():
    with language("ko"), argparse_speaks():
        for message in MESSAGES:
            translated = argparse._(message)
            assert translated != message, message
            assert sorted(__import__("re").findall(r"%\(\w+\)\w|%\w", translated)) == sorted(__import__("re").findall(r"%\(\w+\)\w|%\w", message))


def test_the_marked_messages_are_argparse_own():
    """A msgid that differs from argparse's by one character would never be looked up: each marked message
    is the first argument of a ``_()`` call in this Python's argparse (the title "subcommands" is a default)."""
    import ast
    import re

    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    looked_up = {node.args[0].value for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                 and node.args and isinstance(node.args[0], ast.Constant)}
    assert [m for m in MESSAGES if m not in looked_up] == ["subcommands"]
    programmers = {m for m in looked_up if re.search(r"callable|__call__|mutually exclusive arguments must|cannot merge|conflict_resolution|"
                                                     r"conflicting subparser|dest= is required|invalid option string|invalid argument for "
                                                     r"positionals|with mode", m)}
    assert looked_up - programmers <= set(MESSAGES)  # every message a user can meet is marked


def test_wrap_counts_hangul_as_two_columns():
    assert columns("입력 kernel") == 11
    assert wrap("가나 다라 마바", 5) == ["가나", "다라", "마바"]
    assert wrap("a b c", 80) == ["a b c"]
    assert wrap("", 10) == []


def test_the_parser_built_in_english_is_unchanged():
    with language("en"):
        text = build_parser().format_help()
    assert text.startswith("usage: convlens ") and "positional arguments:" in text


# --- the language from the environment, in a child process -----------------------------------

def _child(env_changes: dict, *argv) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(env_changes)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "convlens", *argv], capture_output=True, text=True, env=env, timeout=120)


def test_lang_ko_locale_selects_korean():
    r = _child({"LANG": "ko_KR.UTF-8"}, "solve", "Conv2d")
    assert r.returncode == 2
    assert r.stderr.startswith("convlens: 다음 인자가 필요합니다: --input")
    r = _child({"LANG": "ko_KR.UTF-8"}, "--help")
    assert r.returncode == 0 and r.stdout.startswith("사용법: convlens")


def test_lc_all_c_overrides_a_korean_lang():
    r = _child({"LANG": "ko_KR.UTF-8", "LC_ALL": "C"}, "solve", "Conv2d")
    assert r.returncode == 2
    assert r.stderr.startswith("convlens: the following arguments are required: --input")


def test_lang_option_overrides_the_locale():
    r = _child({"LANG": "ko_KR.UTF-8"}, "--lang", "en", "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: convlens")
    r = _child({"LANG": "C.UTF-8"}, "calc", "--help", "--lang", "ko")
    assert r.returncode == 0 and r.stdout.startswith("사용법: convlens calc")


# --- the demo -------------------------------------------------------------------------------

def cli_lines(demo: str) -> str:
    """The demo's own lines: the heading, step 1 without the core's error line, the step titles, the flow
    table and the closing line; the layer table between steps 2 and 3 is the report layer's."""
    before, rest = demo.split("\n2. ", 1)
    title2, rest = rest.split("\n", 1)
    _table, after = rest.split("\n3. ", 1)
    own = [line for line in before.splitlines() if not line.startswith("   convlens: ")]
    return "\n".join(own + ["2. " + title2, "3. " + after])


def test_demo_korean_golden(capsys, golden):
    code, out, _ = run(capsys, "demo", "--lang", "ko")
    assert code == 0
    golden("ko/demo.txt", out)
    own = cli_lines(out)
    assert "2×2 최대 풀링 세 번으로" in own and "해 보세요: convlens calc" in own
    assert english(own, allow={"Conv1", "ReLU", "MaxPool", "Residual", "Block", "Flatten"}) == []  # the tutorial's row labels


def test_bare_convlens_lang_ko_is_the_demo(capsys):
    code, out, _ = run(capsys, "--lang", "ko")
    assert code == 0 and out.startswith("convlens demo: velog 'ConvNet shape 계산' (참고 자료 000): CNNWithResidual, 입력 (1, 1, 28, 28)")


def test_demo_english_is_unchanged(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert out.startswith("convlens demo: velog 'ConvNet shape 계산' (reference 000): CNNWithResidual, input (1, 1, 28, 28)\n\n"
                          "1. As written: fc1 = nn.Linear(128 * 7 * 7, 512)\n")
    assert "so fc1 receives 128·3·3 = 1152 features: in_features must be 128*3*3, not 128*7*7 = 6272." in out
    assert "\n3. The tutorial's flow table, recomputed (H, W, C)\n" in out


def test_the_cli_lines_check_finds_english():
    """The check is not vacuous: an English sentence left in the demo's own lines is found."""
    demo = "convlens demo: x\n\n1. 쓰인 그대로: y\n   convlens: core words here\n\n2. z\n\ntable words here\n\n3. the flow table, recomputed\n"
    assert english(cli_lines(demo)) == ["the flow table recomputed"]
    assert "core words" not in cli_lines(demo) and "table words" not in cli_lines(demo)


def test_data_list_in_korean_tells_missing_from_broken(capsys, tmp_path):
    """A dataset that is not there reads "찾을 수 없음 (how to get it)" in Korean too: whether it is missing is
    decided on the data package's English message, whatever language it is shown in."""
    code, out, _ = run(capsys, "data", "list", "--data-dir", str(tmp_path), "--lang", "ko")
    assert code == 0
    assert out.splitlines()[0].split() == ["데이터셋", "학습", "/", "테스트", "이미지", "클래스", "위치,", "검증"]
    assert "찾을 수 없음 (convlens data get mnist)" in out
    code, out, _ = run(capsys, "data", "list", "--data-dir", str(tmp_path))
    assert code == 0 and "not found (convlens data get mnist)" in out
