"""train/eval/predict turn the resolver's errors into one line (exit 2), not a traceback."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from convlens.errors import UserError  # noqa: E402
from convlens.targets import resolve  # noqa: E402


def test_a_missing_model_file_is_a_user_error(tmp_path):
    missing = tmp_path / "net.py"
    with pytest.raises(UserError, match=r"net\.py' does not exist; give path/to/file\.py:ClassOrFactory"):
        resolve(f"{missing}:Net")
