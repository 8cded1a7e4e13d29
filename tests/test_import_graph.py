"""The import graph points one way (docs/architecture.md, "How it is built"), checked by parsing every module.

    core  <-  record  <-  frontends, design, render  <-  targets  <-  cli
    zoo (model definitions) imports the core at most; convlens/__init__ reaches targets lazily.
    convlens.errors (UserError, the base of every user's mistake) imports nothing; every package may import it.

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
    "errors": set(),  # convlens.errors.UserError: imports nothing, importable by every package
    "i18n": {"errors"},  # convlens.i18n.tr: every sentence in the reader's language; importable by every package
    "core": {"errors", "i18n"},
    "record": {"errors", "core", "i18n"},
    "frontends": {"errors", "core", "record", "i18n"},
    "render": {"errors", "core", "record", "i18n"},
    "zoo": {"errors", "core", "i18n"},
    "design": {"errors", "core", "record", "frontends", "zoo", "i18n"},  # a front end of its own: spec files, and zoo models written as specs
    "data": {"errors", "i18n"},  # dataset readers: files in, uint8 tensors out
    "targets": {"errors", "core", "record", "frontends", "zoo", "design", "i18n"},
    "train": {"errors", "core", "record", "frontends", "zoo", "targets", "data", "__init__", "i18n"},  # __init__: the version a run records
    "web": {"errors", "core", "record", "frontends", "render", "zoo", "design", "targets", "train", "data", "i18n"},  # train, data: the Inside view
    "cli": {"errors", "core", "record", "frontends", "render", "zoo", "design", "targets", "data", "train", "web", "__init__", "i18n"},
    "__init__": {"errors", "core", "targets", "i18n"},
    "__main__": {"errors", "cli", "i18n"},
}
NO_FRAMEWORK = {"core", "record", "render", "errors", "i18n"}  # these run where neither PyTorch nor Keras is installed
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
    assert lazy == {"to_text", "_repr_html_", "_repr_svg_", "draw", "to_json", "to_markdown", "to_csv", "to_html"}  # str() calls to_text


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


# (importing module, private module) pairs allowed to cross a package's privacy: none. Nothing may be added here.
PRIVATE_ALLOWED: set[tuple[str, str]] = set()


def _private_imports(path: Path, text: str | None = None):
    """Each convlens module ``path`` imports from another package whose own name starts with ``_``:
    ``from ..design._dump import dump``, ``from ..data import _catalog``, ``import convlens.render._table``."""
    tree = ast.parse(path.read_text() if text is None else text)
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    here = parts[:-1]  # the package the module sits in
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name.split(".")[1:] for alias in node.names if alias.name.split(".")[0] == "convlens"]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = (node.module or "").split(".")
                if base[0] != "convlens":
                    continue
                base = base[1:]
            else:
                base = here[: len(here) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            names = [base + [alias.name] for alias in node.names] + [base]
        else:
            continue
        for full in names:
            if not full or full[0] == (parts[0] if len(parts) > 1 else None):
                continue  # its own package: private plumbing is its business
            for i, name in enumerate(full):
                if name.startswith("_") and name != "__init__" and (SRC.joinpath(*full[: i + 1]).with_suffix(".py").exists() or SRC.joinpath(*full[: i + 1]).is_dir()):
                    yield ".".join(full[: i + 1])
                    break


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_no_package_imports_another_packages_private_module(path):
    where = str(path.relative_to(SRC))
    found = sorted({m for m in _private_imports(path) if (where, m) not in PRIVATE_ALLOWED})
    assert not found, f"{where} imports {', '.join(found)}: private to another package; give it a public name there"


@pytest.mark.parametrize("where, text, found", [
    ("web/app.py", "from ..design._dump import dump\n", {"design._dump"}),
    ("cli/data.py", "def f():\n    from ..data import _catalog\n", {"data._catalog"}),
    ("cli/data.py", "import convlens.render._table\n", {"render._table"}),
    ("cli/data.py", "from convlens.render._table import table\n", {"render._table"}),
    ("cli/data.py", "from ._common import UsageError\n", set()),  # its own package
    ("cli/data.py", "from ..data import CATALOG, load\n", set()),
    ("web/app.py", "from .. import design\n", set()),
    ("design/from_zoo.py", "from ..frontends.torch._trace import trace\n", {"frontends.torch._trace"}),
    ("targets/resolve.py", "import convlens.frontends.torch._guard\n", {"frontends.torch._guard"}),
    ("frontends/torch/walk.py", "from .ops import MODULES\n", set()),
])
def test_the_private_import_check_sees_every_form(where, text, found):
    assert set(_private_imports(SRC / where, text)) == found
