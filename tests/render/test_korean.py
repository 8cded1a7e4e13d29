"""The report layer in Korean (issue 19): golden Korean outputs of the commands the report layer
writes (``summary`` in the tutorial Keras style and the torch style, ``compare``, ``calc``, ``rf``,
``zoo list``), a Markdown table, a diagram caption; Korean tables line up on screen (a Korean
character takes two terminal columns); the numbers are those of the English output; the exit codes
are the same; and the report layer's own text holds no English sentence.

The goldens under ``tests/golden/ko/`` come through the CLI, so they hold the other packages'
sentences too (the notes of the front ends, the core's calculation lines): regenerate them with
``pytest tests/render/test_korean.py --overwrite-golden`` when those change, and read the diff.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from convlens.cli import main
from convlens.i18n import language
from convlens.record import Diagnostic
from convlens.render import _format as f
from convlens.render import _table, comparison, layer_detail, receptive_table, render
from convlens.render import compare as compare_mod
from convlens.render import diagram
from i18n.english import english

from .summaries import conv, keras_cnn, residual_tutorial, summarize, vgg_block
from .test_views import _lenet_conv1, _vgg16_features, resnet_stem

# the commands, as a user types them after `convlens --lang ko`
COMMANDS = {
    "summary_keras_tutorial.txt": ["summary", "zoo:keras-tutorial-cnn-keras", "--style", "tutorial"],
    "summary_torch.txt": ["summary", "zoo:residual-cnn"],
    "compare.txt": ["compare", "zoo:vgg-first-blocks", "zoo:resnet-stem"],
    "calc_conv.txt": ["calc", "Conv2d", "--input", "16x1x28x28", "--out-channels", "20", "--kernel-size", "5", "--padding", "2"],
    "rf.txt": ["rf", "--input", "1x3x32x32", "Conv2d(3, 16, 3, padding=1)", "MaxPool2d(2)", "Conv2d(16, 32, 3)"],
    "zoo_list.txt": ["zoo", "list"],
}


def _run(capsys, monkeypatch, lang: str, argv: list[str]) -> tuple[int, str]:
    monkeypatch.setenv("COLUMNS", "100")
    capsys.readouterr()
    code = main(["--lang", lang, *argv])
    return code, capsys.readouterr().out


def _numbers(text: str) -> list[str]:
    """Every number of a text, in order of size: the same figures whichever language says them."""
    return sorted(re.findall(r"\d[\d,.]*\d|\d", text))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_korean_golden_of_each_command(name, capsys, monkeypatch, golden):
    code, text = _run(capsys, monkeypatch, "ko", COMMANDS[name])
    assert code == 0
    golden(f"ko/render_{name}", text)  # render_: the report layer's goldens among the other packages' Korean ones


@pytest.mark.parametrize("name", list(COMMANDS))
def test_korean_says_the_english_numbers_with_the_same_exit_code(name, capsys, monkeypatch):
    code_en, en = _run(capsys, monkeypatch, "en", COMMANDS[name])
    code_ko, ko = _run(capsys, monkeypatch, "ko", COMMANDS[name])
    assert code_en == code_ko == 0
    assert en != ko
    assert _numbers(en) == _numbers(ko)


def test_korean_summary_labels(capsys, monkeypatch):
    _, text = _run(capsys, monkeypatch, "ko", COMMANDS["summary_keras_tutorial.txt"])
    lines = text.splitlines()
    assert lines[1] == "프레임워크: Keras · 입력: (None, 28, 28, 1) · 출력: (None, 25)"
    for label in ("층", "입력 크기", "출력 크기", "하는 일", "전체 파라미터:", "학습 메모리:", "수용 영역:", "층별 파라미터 (입력 × 출력 × 커널 + 편향)"):
        assert label in text, label
    assert "conv2d (Conv2D)                 (None, 28, 28, 1)   (None, 28, 28, 75)  채널 1→75, 크기 유지" in lines


def _display_offset(line: str, cell: str) -> int:
    return f.width(line[: line.index(cell)])


def test_korean_table_columns_line_up(capsys, monkeypatch):
    """Korean headers are two columns a character: the rows' cells start under their header on screen."""
    _, text = _run(capsys, monkeypatch, "ko", COMMANDS["summary_torch.txt"])
    lines = text.splitlines()
    header = next(l for l in lines if l.startswith("층 (종류)"))
    row = next(l for l in lines if l.startswith("conv1 (Conv2d)"))
    shapes = re.findall(r"\[[^\]]*\]", row)
    assert _display_offset(header, "입력 형태") == _display_offset(row, shapes[0])
    assert _display_offset(header, "출력 형태") == _display_offset(row, shapes[1])
    params = header.index("파라미터")  # right-aligned: the header ends where the numbers end
    assert f.width(header[: params + len("파라미터")]) == f.width(row[: row.index("320") + 3])
    rule = lines[lines.index(header) + 1]
    assert set(rule) == {"-"} and f.width(header) <= len(rule)


def test_korean_totals_line_up():
    text = render(keras_cnn(), "table", width=100, lang="ko")
    totals = [l for l in text.splitlines() if l.startswith(("전체 파라미터:", "학습되는 파라미터:", "버퍼:"))]
    starts = {_display_offset(l, l.split(":", 1)[1].strip()) for l in totals}
    assert len(totals) == 3 and len(starts) == 1


def test_korean_plain_table_and_markdown_table():
    text = _table.table(("", "파라미터", "MACs"), [("입력", "1,792", "1.2 M"), ("a", "5", "6")], right=(1, 2))
    lines = text.splitlines()
    assert [f.width(l) for l in lines[:1] + lines[2:]] == [f.width(lines[0])] * 3
    md = render(dataclasses.replace(vgg_block(), title="net", notes=()), "md", lang="ko")
    assert "| 층 | 종류 | 입력 형태 | 출력 형태 | 파라미터 | MACs |" in md.splitlines()
    assert "|---|---|---|---|---:|---:|" in md.splitlines()
    assert "**층별 파라미터** (입력 × 출력 × 커널 + 편향):" in md
    assert not english(md.split("- **규약:**")[0])  # up to the core's cost convention


def test_korean_wrap_measures_display_columns():
    line = "가나다라 마바사아 자차카타 파하"
    wrapped = f.wrap(line, 20, initial_indent="  ")
    assert all(f.width(l) <= 20 for l in wrapped) and " ".join(l.strip() for l in wrapped) == line
    assert f.wrap("a plain english line", 10) == ["a plain", "english", "line"]  # textwrap's own answer
    assert f.width("출력 크기") == 9 and f.ljust("층", 4) == "층  " and f.rjust("층", 3) == " 층"


@pytest.mark.parametrize("fmt, style", [("table", "default"), ("table", "tutorial"), ("md", "default"), ("md", "tutorial"),
                                        ("html", "default")])
@pytest.mark.parametrize("case", [vgg_block, keras_cnn, residual_tutorial])
def test_no_english_sentence_in_the_korean_reports(case, fmt, style, monkeypatch):
    text = render(_own_text_only(case(), monkeypatch), fmt, style=style, width=100, lang="ko")
    if fmt == "html":
        text = re.sub(r"<[^>]+>", "\n", text.split("</style>", 1)[1])  # a cell a line: names side by side are no sentence
    assert not english(text), english(text)


def _own_text_only(summary, monkeypatch):
    """``summary`` less the text other packages write (notes, diagnostics, row warnings, the core's cost convention)
    and the hand-written title: what is left is the report layer's own words."""
    monkeypatch.setattr("convlens.render._common.COST_CONVENTION", "MACs = Σ k·c")
    layers = [dataclasses.replace(r, warnings=(), failed=None) for r in summary.layers]
    return dataclasses.replace(summary, title="net", notes=(), diagnostics=(), layers=layers)


def test_no_english_sentence_in_korean_diagnostics_and_legends(monkeypatch):
    monkeypatch.setattr("convlens.render._common.COST_CONVENTION", "MACs = Σ k·c")
    x = (1, 3, 8, 8)
    row = dataclasses.replace(conv("conv1", x, 4, 3, depth=1), repeated=True)
    parent = dataclasses.replace(conv("block", x, 4, 3), is_leaf=False)
    diag = Diagnostic("error", "layer-mismatch", "메시지", fix="고치기", layer="conv1", source="net.py:3", code_line="x = conv1(x)")
    s = summarize("net", "torch", x, [parent, row], diagnostics=[diag])
    for fmt in ("table", "md", "html"):
        text = render(s, fmt, depth=0, width=100, lang="ko")
        text = re.sub(r"<[^>]+>", "\n", text.split("</style>", 1)[-1])
        assert not english(text), (fmt, english(text))
        assert "오류" in text and "깊이 1보다 깊은 행 1개를 숨겼습니다" in text


def test_korean_comparison_and_ratios():
    items = [("vgg-first-blocks", vgg_block()), ("resnet-stem", resnet_stem())]
    text = comparison(items, "table", lang="ko")
    lines = text.splitlines()
    assert "  resnet-stem: 파라미터가 vgg-first-blocks보다 27.5× 적습니다" in lines
    assert "  파라미터: 9,472 = (3×64×7×7 + 64)" in lines
    assert "  MACs: 118,013,952 = 118,013,952 (0번 층, Conv2d)" in lines
    assert "  학습 메모리: 추정하지 않음" in lines
    assert not english(text, allow={"vgg", "resnet"})  # the models' labels
    assert _numbers(text.replace("(알 수 없거나 0)", "")) == _numbers(comparison(items, "table"))  # "zero" is written 0
    with language("ko"):
        assert compare_mod.ratio_sentence("b", "MACs", 0.5, "a", "fewer", "more") == "b: MACs가 a보다 2.00× 많습니다"
        assert compare_mod.ratio_sentence("b", "parameters", None, "a", "fewer", "more") == "b: 파라미터를 a와(과) 비교할 수 없습니다 (알 수 없거나 0)"
    assert compare_mod.ratio_sentence("b", "MACs", 0.5, "a", "fewer", "more") == "b: 2.00× more MACs than a"  # English unchanged


def test_korean_calc_detail_labels():
    text = layer_detail(_lenet_conv1(), lang="ko")
    lines = text.splitlines()
    for expected in ("입력       (16, 1, 28, 28)", "출력       (16, 20, 28, 28)", "가중치     weight (20, 1, 5, 5) = 500; bias (20,) = 20",
                     "파라미터   520 (학습됨 520, 학습되지 않음 0)", "MACs       6,272,000", "수용 영역  5×5, 점프 1×1, 첫 중심 0×0", "계산"):
        assert expected in lines, expected
    labels = "\n".join(lines[2:10])  # the facts: labels and values, none English
    assert not english(labels, allow={"weight", "bias"})  # the tensors' names


def test_korean_receptive_table():
    text = receptive_table(_vgg16_features(), lang="ko")
    lines = text.splitlines()
    assert lines[0].split() == ["#", "층", "출력", "크기", "점프", "시작"]
    assert _display_offset(lines[0], "크기") + f.width("크기") == _display_offset(lines[18], "212×212") + len("212×212")
    table_and_legend = "\n".join(l for l in lines if not l.startswith("참고:"))
    assert not english(table_and_legend)


def test_korean_diagram_caption_and_svg(tmp_path, capsys, monkeypatch):
    """`convlens draw` in Korean: an SVG whose text holds the Korean captions and the English one's numbers."""
    pytest.importorskip("graphviz")
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    texts = {}
    for lang in ("en", "ko"):
        out = tmp_path / f"stem_{lang}.svg"
        code, _ = _run(capsys, monkeypatch, lang, ["draw", "zoo:resnet-stem", "-o", str(out)])
        assert code == 0
        svg = out.read_text(encoding="utf-8")
        texts[lang] = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    assert "입력 [1, 3, 224, 224]" in texts["ko"] and "파라미터 9,472 (9.47 K) (학습됨 9,472)" in texts["ko"]
    assert "파라미터 없음" in texts["ko"] and "no params" not in texts["ko"]
    assert _numbers(texts["en"]) == _numbers(texts["ko"])
    assert not english(texts["ko"].replace("&#45;", "-"))
    caption = diagram.caption(vgg_block(), lang="ko")
    assert " · 입력 [1, 3, 224, 224] · 출력 " in caption and "파라미터 260,160 (260.16 K) (학습됨 260,160)" in caption
    png = diagram.render(vgg_block(), fmt="png", lang="ko")  # the CJK font of FONTS draws the Korean caption
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_korean_zoo_listing(capsys, monkeypatch):
    _, text = _run(capsys, monkeypatch, "ko", COMMANDS["zoo_list.txt"])
    lines = text.splitlines()
    assert lines[0].split() == ["이름", "계열", "입력", "파라미터", "MACs", "출처"]
    row = next(l for l in lines if l.startswith("residual-cnn-as-written "))
    assert "-- (형태 버그)" in row
    assert _display_offset(lines[0], "파라미터") + f.width("파라미터") == _display_offset(row, "3,504,522") + len("3,504,522")
    assert any(l.startswith("파라미터: 각 모델을 meta 장치에서 만들어 셌습니다.") for l in lines)
    prose = "\n".join(l for l in lines if l.startswith(("파라미터:", "MACs:")))
    assert not english(prose, allow={"zoo", "show"})  # `convlens zoo show NAME`, a command


def test_english_goldens_are_unchanged(golden):
    """The English renderers are byte-identical to the goldens written before the Korean catalog (a sample here;
    test_formats and test_views hold them all)."""
    golden("keras_tutorial.txt", render(keras_cnn(), "table", style="tutorial", width=100))
    golden("vgg.md", render(vgg_block(), "md"))
    with language("ko"):
        golden("vgg.txt", render(vgg_block(), "table", width=100, lang="en"))  # lang= wins over the surrounding language
