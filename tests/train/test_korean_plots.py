"""Korean pictures: every Hangul label of a run's plots and of a feature-map grid is drawn with a font
that has it (Noto Sans CJK KR from fonts-noto-cjk), never as empty boxes (matplotlib warns of a
missing glyph, which this test turns into a failure)."""

from __future__ import annotations

import warnings

import pytest
import torch

from convlens.i18n import language
from convlens.train import inference, run_folder


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_plots_have_a_font_for_every_glyph(tmp_path, lang):
    rows = [{"epoch": e, "train_loss": 1.0 / e, "test_loss": 1.1 / e, "train_acc": 0.8, "test_acc": 0.85} for e in (1, 2)]
    with language(lang), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_folder.plot_curves(tmp_path / "curves.png", rows, "mnist-conv on fashion-mnist")
        run_folder.plot_confusion(tmp_path / "confusion.png", torch.eye(3, dtype=torch.int64) * 5, ("a", "b", "c"), "혼동 행렬")
        inference.save_grid(tmp_path / "maps.png", torch.rand(4, 5, 5), "conv1: 특성 맵 4개")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert missing == []
    assert (tmp_path / "curves.png").stat().st_size > 1000
