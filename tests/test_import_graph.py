"""The import graph points one way (docs/architecture.md, "How it is built"), checked by parsing every module.

    core  <-  record  <-  frontends, design, render  <-  targets  <-  cli
    zoo (model definitions) imports the core at most; convlens/__init__ reaches targets lazily.

A module may import its own package and the packages below it; nothing imports back up. The one
allowed exception: the record's convenience methods (``str(summary)``, ``to_json()``…) import a
writer lazily, inside the method, so the record's data depends on no writer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "convlens"
FRAMEWORKS = {"torch", "keras", "tensorflow", "numpy", "torchvision", "torchinfo"}

# package -> convlens packages it may import (besides itself)
ALLOWED = {
    "core": set(),
    "record": {"core"},
    "frontends": {"core", "record"},
    "render": {"core", "record"},
    "zoo": {"core"},
    "design": {"core", "record", "frontends", "zoo"},  # a front end of its own: spec files, and zoo models written as specs
    "data": set(),  # dataset readers: files in, uint8 tensors out
    "targets": {"core", "record", "frontends", "zoo", "design"},
    "train": {"core", "record", "frontends", "zoo", "targets", "data", "__init__"},  # __init__: the version a run records
    "web": {"core", "record", "frontends", "render", "zoo", "design", "targets"},
    "cli": {"core", "record", "frontends", "render", "zoo", "design", "targets", "data", "train", "web", "__init__"},
    "__init__": {"core", "targets"},
    "__main__": {"cli"},
}
NO_FRAMEWORK = {"core", "record", "render"}  # these run where neither PyTorch nor Keras is installed
LAZY_OK = {("record", "render")}  # (importer, imported) allowed inside a function only


def _package(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path, text: str | None = None):
    """(imported top-level name, imported convlens package or None, inside a function?) for each import."""
    tree = ast.parse(path.read_text() if text is None else text)
    module_parts = list(path.relative_to(SRC).with_suffix("").parts)
    if module_parts[-1] == "__init__":
        module_parts = module_parts[:-1]
    nested = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            nested.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        lazy = id(node) in nested
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                yield parts[0], (parts[1] if parts[0] == "convlens" and len(parts) > 1 else ("__init__" if parts == ["convlens"] else None)), lazy
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] == "convlens":
                    target = parts[1:] or [alias.name for alias in node.names][:1]
                    yield "convlens", target[0], lazy
                else:
                    yield parts[0], None, lazy
                continue
            package = ["convlens"] + module_parts[: len(module_parts) - (node.level - 1)] if path.name == "__init__.py" \
                else ["convlens"] + module_parts[: len(module_parts) - node.level]
            full = package + (node.module.split(".") if node.module else [])
            if len(full) > 1:
                yield "convlens", full[1], lazy
            else:  # from . import x (at the top of the package)
                for alias in node.names:
                    yield "convlens", alias.name if (SRC / alias.name).is_dir() else "__init__", lazy


MODULES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_imports_point_down(path):
    pkg = _package(path)
    allowed = ALLOWED[pkg] | {pkg}
    for top, target, lazy in _imports(path):
        if top in FRAMEWORKS and pkg in NO_FRAMEWORK:
            pytest.fail(f"{path.relative_to(SRC)} imports the framework {top!r}; {pkg} must run without one")
        if target is None or target in allowed:
            continue
        if lazy and (pkg, target) in LAZY_OK:
            continue
        pytest.fail(f"{path.relative_to(SRC)} ({pkg}) imports convlens.{target}{' inside a function' if lazy else ''}; "
                    f"{pkg} may import only {', '.join(sorted(allowed))}")


def test_the_record_reaches_a_writer_only_inside_its_convenience_methods():
    path = SRC / "record" / "summary.py"
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level and "render" in (node.module or ""):
            pytest.fail("record/summary.py imports a writer at module level")
    summary = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Summary")
    lazy = {f.name for f in summary.body if isinstance(f, ast.FunctionDef)
            for n in ast.walk(f) if isinstance(n, ast.ImportFrom) and "render" in (n.module or "")}
    assert lazy == {"__str__", "_repr_html_", "_repr_svg_", "draw", "to_json", "to_markdown", "to_csv", "to_html"}


@pytest.mark.parametrize("where, text, found", [
    ("zoo/vgg.py", "from ..frontends.chain import parse_layer\n", ("frontends", False)),
    ("zoo/vgg.py", "def f():\n    from convlens.frontends import chain\n", ("frontends", True)),
    ("render/terminal.py", "from .. import targets\n", ("targets", False)),
    ("frontends/torch/_trace.py", "from ...render import _format\n", ("render", False)),
    ("core/conv.py", "from . import costs\n", ("core", False)),
    ("core/__init__.py", "from .conv import Conv2d\n", ("core", False)),
])
def test_the_parser_resolves_every_kind_of_import(where, text, found):
    assert found in {(t, lazy) for _, t, lazy in _imports(SRC / where, text)}
