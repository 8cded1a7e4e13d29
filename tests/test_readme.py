"""The README stays true: every ```text block whose first line starts with ``$ convlens `` is run and
its output compared with the block.

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


CASES = [(line, command, expected) for line, body in blocks(README.read_text(encoding="utf-8")) for command, expected in commands(body)]


def test_the_readme_has_commands():
    assert len(CASES) >= 5


@pytest.mark.parametrize(("line", "command", "expected"), CASES, ids=[f"README.md:{c[0]}" for c in CASES])
def test_readme_command(line, command, expected, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    argv = shlex.split(command)
    assert argv[0] == "convlens"
    code = main(argv[1:])
    out = capsys.readouterr().out
    actual = out.rstrip("\n").split("\n")
    if not matches(expected, actual):
        pytest.fail(f"README.md:{line}: `{command}` (exit {code}) printed:\n{out}\n--- the README shows:\n" + "\n".join(expected))
