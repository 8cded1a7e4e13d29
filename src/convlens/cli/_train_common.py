"""Shared by `train`, `eval`, `predict`, `features` and `data`: they need PyTorch, and say how to install it."""

from __future__ import annotations

import contextlib

from ..i18n import tr
from ._common import UsageError


@contextlib.contextmanager
def needs_torch():
    """PyTorch missing: one line saying how to install it (exit 2). Users' mistakes raised inside
    are ``convlens.errors.UserError``s already; ``cli/__init__.py`` prints them."""
    try:
        import torch  # noqa: F401
    except ImportError:
        raise UsageError(tr("PyTorch is not installed; install it with: {command}", command="pip install torch==2.13.0")) from None
    yield
