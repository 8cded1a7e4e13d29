"""The Korean catalogs are complete and current: every message in the source has a Korean translation,
none fuzzy or empty, the same placeholders, the glossary's terms, and a ``.mo`` compiled from its
``.po``; every raised user error and every printed sentence goes through the catalog.

When this fails: ``python -m convlens.i18n.catalog update``, translate the new ``msgstr ""`` entries
in ``src/convlens/i18n/locale/ko/LC_MESSAGES/*.po``, then ``python -m convlens.i18n.catalog compile``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import convlens.i18n.catalog as catalog

SRC = Path(catalog.__file__).resolve().parents[1]


def test_every_message_has_its_korean_translation():
    problems = catalog.problems()
    assert not problems, f"{len(problems)} catalog problems:\n" + "\n".join(problems[:60])


def test_the_catalog_check_fails_on_a_message_without_translation(tmp_path, monkeypatch):
    """The check is not vacuous: a new message in the source is reported until translated."""
    found = catalog.extracted()
    found["core"][("a sentence nobody translated, {n} times",)] = [("core/x.py", 1)]
    monkeypatch.setattr(catalog, "extracted", lambda: found)
    assert any("a sentence nobody translated" in p for p in catalog.problems())


def test_placeholder_mismatch_is_found():
    assert catalog.glossary_misses("the stride of the kernel", "커널의 스트라이드") == []
    assert catalog.glossary_misses("the stride", "보폭") == ["stride -> 스트라이드"]


def _sentence(node: ast.AST) -> str | None:
    """The English text of a string literal or f-string, if it reads like a sentence (two words or more)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    words = [w for w in text.split() if w.isalpha() and w.islower()]
    return text if len(words) >= 2 else None


def _untranslated(path: Path) -> list[str]:
    """``raise X("english sentence")`` and ``print("english sentence")`` not wrapped in tr()/trn()."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        call = None
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            if isinstance(node.exc.func, ast.Name) and node.exc.func.id in ("AttributeError", "NotImplementedError", "AssertionError"):
                continue  # Python's protocols and our own invariants, not messages for users
            call = node.exc
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            call = node
        if call is None:
            continue
        for arg in call.args:
            candidates = [arg]
            if isinstance(arg, ast.BinOp):  # "a" + "b" or "..." % x
                candidates = [arg.left, arg.right]
            for c in candidates:
                text = _sentence(c)
                if text:
                    out.append(f"{path.relative_to(SRC)}:{node.lineno}: {text[:70]!r}")
    return out


def _not_literal(path: Path) -> list[str]:
    """``tr(f"...")``, ``tr(name)`` with a non-constant message: Babel cannot extract it, so it is never translated.
    ``tr(CONSTANT)`` is allowed where the constant is marked ``N_("...")`` where it is defined."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "trn", "N_") and node.args:
            first = node.args[: 2 if node.func.id == "trn" else 1]
            for arg in first:
                if isinstance(arg, ast.JoinedStr) or isinstance(arg, ast.BinOp):
                    out.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.func.id}() of an f-string or expression")
    return out


# The zoo's model files are standalone PyTorch code that `convlens zoo code` prints for people to copy
# (they import torch and nothing of convlens); their argument checks are the model's own, like
# torchvision's, and stay English. The registry (zoo/__init__.py) speaks through the catalog.
STANDALONE = {"zoo/" + p.name for p in (SRC / "zoo").glob("*.py") if p.name != "__init__.py"}


def test_the_zoo_model_files_stay_standalone():
    for rel in sorted(STANDALONE):
        imports = [n for n in ast.walk(ast.parse((SRC / rel).read_text(encoding="utf-8")))
                   if isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").startswith("convlens"))]
        assert not imports, f"{rel} imports convlens; `convlens zoo code` prints it for people to run on its own"


PACKAGES = sorted(p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "i18n")


@pytest.mark.parametrize("package", PACKAGES)
def test_raised_and_printed_sentences_go_through_the_catalog(package):
    found = [line for path in sorted((SRC / package).rglob("*.py")) if str(path.relative_to(SRC)) not in STANDALONE
             for line in _untranslated(path) + _not_literal(path)]
    assert not found, f"{len(found)} sentences in {package}/ bypass tr():\n" + "\n".join(found[:40])
