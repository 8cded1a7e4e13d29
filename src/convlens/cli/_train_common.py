"""Shared by `train`, `eval`, `predict`, `features` and `data`: the errors they turn into one line."""

from __future__ import annotations

import contextlib

from ._common import UsageError


def _user_errors() -> tuple[type[BaseException], ...]:
    from ..data import DataError
    from ..frontends.torch import SummaryError
    from ..targets import TargetError
    from ..train import CheckpointError, ModelMismatchError, TrainError
    from ..train.inference import ImageError
    from ..zoo import ZooError

    return DataError, CheckpointError, ModelMismatchError, TrainError, ZooError, TargetError, SummaryError, ImageError


@contextlib.contextmanager
def user_errors():
    """Users' mistakes raised below the CLI become a UsageError (one line, exit 2)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise UsageError("PyTorch is not installed; install it with: pip install torch==2.13.0") from None
    errors = _user_errors()
    try:
        yield
    except errors as exc:
        raise UsageError(str(exc)) from None
