"""The docs site builds: ``mkdocs build --strict`` over mkdocs.yml and docs/, into a temporary folder.

Strict mode turns every warning into a failure: a link to a page or an anchor that does not exist,
a page in docs/ left out of the navigation, a page in the navigation that does not exist. The
commands the pages show are run by tests/test_readme.py.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(root: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about its successor, printed on every build
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(root / "mkdocs.yml"),
                           "--site-dir", str(site)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_site_builds_strictly(tmp_path):
    result = build(ROOT, tmp_path / "site")
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")}
    assert {"index", "install", "calculate", "inspect", "design", "zoo", "train", "draw", "inside",
            "conventions", "testing", "benchmarks", "architecture"} <= pages
    built = {p.parent.name for p in (tmp_path / "site").glob("*/index.html")} | {"index"}
    assert pages <= built, f"pages not built: {sorted(pages - built)}"


def test_a_broken_copy_fails_the_build(tmp_path):
    """The same build on a copy with three things broken must fail, naming each: the check above can fail."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    for page, old, new in [("calculate.md", "inspect.md#keras-models", "inspect.md#no-such-section"),  # an anchor
                           ("index.md", "(install.md)", "(no-such-page.md)")]:  # a page
        path = copy / "docs" / page
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    (copy / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")  # a page the navigation leaves out
    result = build(copy, tmp_path / "site")
    assert result.returncode != 0, f"the build passed with a broken anchor, link and page:\n{result.stderr}"
    for name in ("no-such-section", "no-such-page.md", "orphan.md"):
        assert name in result.stderr, f"the build did not name {name}:\n{result.stderr}"


def layout_problems(layout: str, src: Path) -> list[str]:
    """What docs/architecture.md's Layout block says wrongly about ``src`` (the package folder): a
    package without its paragraph, a module its package's paragraph does not name (``keras_*.py``
    names a family; private ones too), a ``NAME.py`` the paragraph names that does not exist."""
    paragraphs: dict[str, str] = {}
    current = None
    for line in layout.splitlines():
        head = re.match(r"^  (\S+?)/?\s", line)
        if head:
            current = head.group(1)
            paragraphs[current] = line
        elif line.startswith("   ") and current:
            paragraphs[current] += "\n" + line
        else:
            current = None
    problems = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src)
        if path.name in ("__init__.py", "__main__.py") or "static" in rel.parts or "examples" in rel.parts:
            continue
        top = rel.parts[0] if len(rel.parts) > 1 else rel.name
        text = paragraphs.get(top)
        if text is None:
            problems.append(f"{top}: no paragraph")
            continue
        named = re.search(rf"(?<![\w]){re.escape(path.stem)}(?![\w])", text)
        family = any(fnmatch.fnmatch(path.name, pattern) for pattern in re.findall(r"[\w]*\*[\w]*\.py", text))
        if not (named or family):
            problems.append(f"{rel}: not named in the {top} paragraph")
    for top, text in paragraphs.items():
        folder = src / top if (src / top).is_dir() else src
        for name in re.findall(r"(?<![\w*])(\w+\.py)\b(?!:)", text):  # not file.py:Name, a target's spelling
            if not list(folder.rglob(name)):
                problems.append(f"{top}: names {name}, which does not exist")
    return problems


def test_the_layout_names_every_module_and_only_real_ones():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    layout = text.split("## Layout", 1)[1].split("```", 2)[1]
    src = ROOT / "src" / "convlens"
    assert layout_problems(layout, src) == []
    # the check can fail: a module left out, a file that is not there
    broken = layout.replace("device.py (TraceDevice", "(TraceDevice").replace("memory.py", "memories.py")
    assert layout_problems(broken, src) == ["frontends/device.py: not named in the frontends paragraph",
                                            "core: names memories.py, which does not exist"]
