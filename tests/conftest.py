import os

# Keras 3 runs on the torch backend here (no TensorFlow); this must be set before keras is imported.
os.environ.setdefault("KERAS_BACKEND", "torch")


# --- golden files for the report layer (tests/render/) ---------------------------------
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"

import sys  # noqa: E402

if str(GOLDEN_DIR.parent) not in sys.path:  # tests/ on the path: `from i18n.english import english` in any test
    sys.path.insert(0, str(GOLDEN_DIR.parent))

# Tests compare English output unless they ask for another language: a Korean locale on the
# machine running the suite must not change them.
os.environ["LANGUAGE"] = "en"


def pytest_addoption(parser):
    parser.addoption("--overwrite-golden", action="store_true", default=False,
                     help="rewrite tests/golden/* from the current renderers instead of comparing")
    parser.addoption("--keras-all", action="store_true", default=False,
                     help="also run the tests marked keras_all (every keras.applications model, ~5 min)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--keras-all"):
        return
    skip = pytest.mark.skip(reason="keras_all: the larger keras.applications models; run with --keras-all")
    for item in items:
        if "keras_all" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def golden(request):
    """``golden(name, text)``: compare ``text`` with ``tests/golden/<name>``, or write it with
    ``--overwrite-golden``."""
    overwrite = request.config.getoption("--overwrite-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if overwrite or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not overwrite:
                pytest.fail(f"golden file {path} did not exist and was written; check it and run again")
            return
        assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file; rerun with --overwrite-golden if the change is intended"

    return check


# --- the user's model is never changed (issue 8): checked around every torch summary any test runs
@pytest.fixture(autouse=True)
def _model_is_never_changed(monkeypatch):
    """Wrap ``convlens.frontends.torch.summary`` (which ``convlens.summary``, ``check`` and the
    ``summary``/``check``/``compare`` commands call) so every model any test summarises is
    snapshotted before and compared after (``tests/frontends/torch/snapshot.py``), and its one
    walk of the module tree (``_trace.ModelTree``) is checked against PyTorch's own walks."""
    try:
        import torch  # noqa: F401
    except ImportError:  # PyTorch not installed: nothing to guard
        yield
        return
    import sys

    if str(GOLDEN_DIR.parent) not in sys.path:  # tests/, so that tests/frontends/torch is importable as frontends.torch
        sys.path.insert(0, str(GOLDEN_DIR.parent))
    import convlens.frontends.torch as torch_frontend
    from frontends.torch.snapshot import assert_unchanged, snapshot

    real = torch_frontend.summary

    from frontends.torch.snapshot import assert_tree_is_pytorchs

    def guarded(model, input_size=None, **options):
        before = snapshot(model, input_size, options)
        try:
            return real(model, input_size, **options)
        finally:
            assert_unchanged(before, model, input_size, options)
            assert_tree_is_pytorchs(model)

    monkeypatch.setattr(torch_frontend, "summary", guarded)
    yield
