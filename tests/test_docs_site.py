"""The docs site builds: ``mkdocs build --strict`` over mkdocs.yml and docs/, into a temporary folder.

Strict mode turns every warning into a failure: a link to a page or an anchor that does not exist,
a page in docs/ left out of the navigation, a page in the navigation that does not exist. The
commands the pages show are run by tests/test_readme.py.
"""

from __future__ import annotations

import os
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
