"""Finding the user's source line for a module call or a functional op."""

from __future__ import annotations

import linecache
import os
import sys

import torch

_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep  # .../convlens/
_ZOO = _PACKAGE + "zoo" + os.sep  # zoo models are user code: their lines are what diagnostics point at
_SKIP = (_TORCH_DIR, _PACKAGE, os.path.dirname(os.__file__) + os.sep + "contextlib.py", os.path.dirname(os.__file__) + os.sep + "functools.py")


def user_frame(depth: int = 2) -> tuple[str | None, str | None]:
    """``("model.py:42", "x = self.fc1(x)")`` for the innermost frame outside torch and this tracer."""
    frame = sys._getframe(depth)
    while frame is not None:
        filename = frame.f_code.co_filename
        if (filename.startswith(_ZOO) or not filename.startswith(_SKIP)) and not filename.startswith("<frozen"):
            line = linecache.getline(filename, frame.f_lineno).strip() or None
            return f"{_short(filename)}:{frame.f_lineno}", line
        frame = frame.f_back
    return None, None


def _short(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path
