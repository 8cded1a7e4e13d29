"""`check` never cries wolf on a batch merged on purpose, and still finds samples folded together.

The corpus is in ``correct_models.py``; every correct model is also run for real, to show that what
it returns is what it is meant to return (whole samples), and every buggy one to show the fold
``check`` reports is real.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from convlens.frontends.torch import check

from . import correct_models
from .correct_models import BUGGY, CORRECT


def _inputs(shapes, dtypes):
    dtypes = dtypes or (torch.float32,) * len(shapes)
    return [torch.randint(0, 7, s) if not dt.is_floating_point else torch.randn(s) for s, dt in zip(shapes, dtypes)]


@pytest.mark.parametrize("case", CORRECT, ids=lambda c: c.model.__name__)
def test_correct_models_that_merge_the_batch_on_purpose_get_no_error(case):
    model = case.model()
    diagnostics = check(model, list(case.shapes), dtypes=list(case.dtypes) or None)
    assert [d for d in diagnostics if d.severity == "error"] == []
    with torch.no_grad():
        model(*_inputs(case.shapes, case.dtypes))  # the model really runs on these inputs


@pytest.mark.parametrize("case", CORRECT, ids=lambda c: c.model.__name__)
def test_correct_models_stay_clean_at_batch_one_and_on_the_cpu(case):
    if case.model is correct_models.TwoViewsInOneBatch:
        shapes = ((2, 16),)  # two views of one sample
    elif case.model in (correct_models.WordLanguageModel, correct_models.SequenceFirstTransformer):
        shapes = tuple((s[0], 1) + tuple(s[2:]) for s in case.shapes)  # sequence first: the batch is dim 1
    else:
        shapes = tuple((1,) + tuple(s[1:]) for s in case.shapes)
    for device in ("meta", "cpu"):
        diagnostics = check(case.model(), list(shapes), dtypes=list(case.dtypes) or None, device=device)
        assert [d for d in diagnostics if d.severity == "error"] == [], device


def _line(model, text):
    lines, start = inspect.getsourcelines(model.forward)
    return start + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("case", BUGGY, ids=lambda c: c.model.__name__)
def test_models_that_fold_samples_together_get_the_error_at_the_reshape(case):
    diagnostics = check(case.model(), list(case.shapes), dtypes=list(case.dtypes) or None)
    folds = [d for d in diagnostics if d.code == "batch-folded"]
    assert len(folds) == 1, diagnostics
    d = folds[0]
    assert d.severity == "error" and d.layer == case.layer
    assert case.words in d.message
    assert d.fix == "use x.flatten(1) (or x.view(x.size(0), -1)), which keeps the batch dimension"
    assert d.code_line.startswith(case.code) and d.source.endswith(f":{_line(case.model, case.code)}")


def test_the_fold_reported_is_what_the_model_really_does():
    with torch.no_grad():
        assert correct_models.CutFeatures()(torch.randn(4, 512)).shape == (8, 10)
        assert correct_models.PairsSamples()(torch.randn(4, 512)).shape == (2, 10)
        assert correct_models.TokensCut()(torch.zeros(2, 5, dtype=torch.long)).shape == (30, 4)
    d = next(d for d in check(correct_models.CutFeatures(), (4, 512)) if d.code == "batch-folded")
    assert "a batch of 4 gives (8, 256) and a batch of 5 gives (10, 256)" in d.message
    assert "the model returns (8, 10) for 4 inputs" in d.message


def test_a_cut_is_found_at_batch_one_too():
    d = next(d for d in check(correct_models.CutFeatures(), (1, 512)) if d.code == "batch-folded")
    assert "a batch of 1 gives (2, 256) and a batch of 2 gives (4, 256)" in d.message


def test_a_parameter_whose_leading_size_equals_the_batch_is_not_the_batch():
    class TableOfFour(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.table = torch.nn.Parameter(torch.zeros(4, 512))

        def forward(self, x):  # (B, 256)
            rows = self.table.view(-1, 256)  # (4, 512) -> (8, 256): a table, not the batch of 4
            return x @ rows.t()  # (B, 8)

    assert [d for d in check(TableOfFour(), (4, 256)) if d.severity == "error"] == []


MODULE = Path(correct_models.__file__)


@pytest.mark.parametrize("name, inputs, status", [
    ("WordLanguageModel", ["--input", "35x4", "--dtype", "int64"], 0),
    ("SiameseConcat", ["--input", "4x1x8x8", "--input", "4x1x8x8"], 0),
    ("TwoBatches", ["--input", "3x30", "--input", "3x30"], 0),
    ("CutFeatures", ["--input", "4x512"], 1),
    ("PairsSamples", ["--input", "4x512"], 1),
])
def test_check_exit_status_on_the_command_line(name, inputs, status):
    p = subprocess.run([sys.executable, "-m", "convlens", "check", f"{MODULE}:{name}", *inputs],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == status, p.stdout + p.stderr
    assert ("batch-folded" in p.stdout) == (status == 1) and "Traceback" not in p.stderr
