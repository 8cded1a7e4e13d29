"""The README and the docs stay true: every ```text block of README.md and docs/*.md whose first line
starts with ``$ convlens `` is run and its output compared with the block, and every path into the
repository they write (``src/…``, ``tests/…``, ``benchmarks/…``, ``docs/…``) exists.

Rules: the command runs from the repository root with ``COLUMNS=100`` (in this process, through
``convlens.cli.main``); a command may continue on following lines that end with `` \\``; a block
may hold several commands, each followed by its output. In the expected text, a line that is
exactly ``...`` matches any number of lines, and ``...`` inside a line matches any text there.
Trailing spaces are ignored.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from convlens.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, ROOT / "README.ko.md", *sorted((ROOT / "docs").glob("*.md"))]  # the front pages (English, Korean), then the docs site's pages


def blocks(text: str) -> list[tuple[int, list[str]]]:
    """(line number, lines) of every ```text block whose first line starts with ``$ convlens ``."""
    found, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```text":
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            body = lines[start:j]
            if body and body[0].startswith("$ convlens "):
                found.append((start + 1, body))
            i = j
        i += 1
    return found


def commands(body: list[str]) -> list[tuple[str, list[str]]]:
    """Split a block into (command line, expected output lines)."""
    out: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(body):
        line = body[i]
        assert line.startswith("$ "), f"expected a command, got {line!r}"
        command = line[2:]
        while command.endswith(" \\"):
            i += 1
            command = command[:-2] + " " + body[i].strip()
        i += 1
        expected = []
        while i < len(body) and not body[i].startswith("$ convlens "):
            expected.append(body[i])
            i += 1
        out.append((command, expected))
    return out


def _line_pattern(line: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(part) for part in line.rstrip().split("...")) + r"\Z", re.S)


def matches(expected: list[str], actual: list[str]) -> bool:
    """Lines match one to one; an ``...`` line matches any number of lines (greedy, with backtracking)."""
    expected = [e.rstrip() for e in expected]
    actual = [a.rstrip() for a in actual]
    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(expected):
            result = j == len(actual)
        elif expected[i] == "...":
            result = any(go(i + 1, k) for k in range(j, len(actual) + 1))
        else:
            result = j < len(actual) and bool(_line_pattern(expected[i]).match(actual[j])) and go(i + 1, j + 1)
        memo[key] = result
        return result

    return go(0, 0)


def test_the_matcher():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert matches(["x ... z"], ["x any text z"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["x ... z"], ["x y"])
    assert not matches(["a"], ["a", "b"])
    assert commands(["$ convlens calc a \\", "  b", "out", "$ convlens zoo list", "x"]) == [
        ("convlens calc a b", ["out"]), ("convlens zoo list", ["x"])]


def _cases() -> list[tuple[str, int, str, list[str]]]:
    """(page, line, command, expected output) of every command in README.md and docs/*.md."""
    return [(page.relative_to(ROOT).as_posix(), line, command, expected)
            for page in PAGES
            for line, body in blocks(page.read_text(encoding="utf-8"))
            for command, expected in commands(body)]


CASES = _cases()


def test_the_readme_and_the_docs_have_commands():
    pages = {case[0] for case in CASES}
    assert sum(case[0] == "README.md" for case in CASES) >= 2
    assert {"docs/calculate.md", "docs/inspect.md", "docs/design.md", "docs/zoo.md"} <= pages
    assert len(CASES) >= 15


@pytest.mark.parametrize(("page", "line", "command", "expected"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_documented_command(page, line, command, expected, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    argv = shlex.split(command)
    assert argv[0] == "convlens"
    code = main(argv[1:])
    out = capsys.readouterr().out
    actual = out.rstrip("\n").split("\n")
    if not matches(expected, actual):
        pytest.fail(f"{page}:{line}: `{command}` (exit {code}) printed:\n{out}\n--- the page shows:\n" + "\n".join(expected))


# A path into the repository as the pages write it: not preceded by a path character (so
# ``../shared/src/x`` and URLs are left alone), ending before a space, a quote, a colon
# (``file.py:67`` is a line) or anything that cannot be in a file name. Paths from the repository
# root start with src/, tests/, benchmarks/ or docs/; a path starting with one of convlens's
# packages (``core/window.py``, ``frontends/build.py``) is inside src/convlens/.
_PATH = re.compile(r"(?<![\w./~-])((?:src|tests|benchmarks|docs)/[\w./*-]*)")
PACKAGES = sorted(p.name for p in (ROOT / "src" / "convlens").iterdir() if (p / "__init__.py").is_file())
_PACKAGE_PATH = re.compile(r"(?<![\w./~-])((?:" + "|".join(PACKAGES) + r")/[\w./*-]*)")


def written_paths(text: str) -> list[tuple[int, str]]:
    """(line number, path from the repository root) of every path into the repository a page writes."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        found += [(number, m.group(1).rstrip(".")) for m in _PATH.finditer(line)]
        found += [(number, "src/convlens/" + m.group(1).rstrip(".")) for m in _PACKAGE_PATH.finditer(line)]
    return found


def test_written_paths():
    assert written_paths("see `tests/golden/`, and src/convlens/zoo/resnet.py:52.") == [
        (1, "tests/golden/"), (1, "src/convlens/zoo/resnet.py")]
    assert written_paths("ROOT/train/CLASS, ../shared/src/a, https://x.org/tests/b, not_src/c, ~/data/x") == []
    assert written_paths("x\n(`benchmarks/bench_page.py`)\n[Install](docs/install.md)") == [
        (2, "benchmarks/bench_page.py"), (3, "docs/install.md")]
    assert written_paths("windows from `core/window.py`; `frontends/torch/` by role") == [
        (1, "src/convlens/core/window.py"), (1, "src/convlens/frontends/torch/")]


def exists(path: str) -> bool:
    """The path exists (a glob: matches something), or it names a module's attribute
    (``frontends/build.assemble``: ``build.py`` exists)."""
    if "*" in path:
        return bool(list(ROOT.glob(path)))
    if (ROOT / path).exists():
        return True
    folder, _, name = path.rpartition("/")
    return "." in name and (ROOT / folder / (name.split(".")[0] + ".py")).is_file()


def test_exists():
    assert exists("src/convlens/frontends/build.py") and exists("src/convlens/frontends/build.assemble")
    assert exists("tests/golden/") and exists("src/convlens/design/examples/*.yaml")
    assert not exists("src/convlens/frontends/builder.assemble") and not exists("src/convlens/core/windows.py")
    assert not exists("src/convlens/design/examples/*.json")


def test_every_written_path_exists():
    missing = [f"{page.relative_to(ROOT).as_posix()}:{number}: {path}"
               for page in PAGES
               for number, path in written_paths(page.read_text(encoding="utf-8"))
               if not exists(path)]
    assert not missing, "paths the docs write that do not exist:\n" + "\n".join(missing)
