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


def user_frame(depth: int = 2, cwd: str | None = None) -> tuple[str | None, str | None]:
    """``("model.py:42", "x = self.fc1(x)")`` for the innermost frame outside torch and this tracer;
    ``cwd``: the current folder, when the caller has read it already (a tracer reads it once per trace)."""
    frame = sys._getframe(depth)
    while frame is not None:
        code = frame.f_code
        if _is_user(code.co_filename):
            # id() of the code object, which the entry holds (so the id stays its own): a file edited and
            # imported again has new code objects, equal (==) to the old ones when only a comment changed
            key = (id(code), frame.f_lineno, cwd)
            known = _FRAMES.get(key)
            if known is None:
                filename = code.co_filename
                line = linecache.getline(filename, frame.f_lineno).strip() or None
                known = ((f"{_short(filename, cwd)}:{frame.f_lineno}", line), code)
                if len(_FRAMES) >= 8192:
                    _FRAMES.clear()
                _FRAMES[key] = known
            return known[0]
        frame = frame.f_back
    return None, None


_FRAMES: dict = {}  # (id of the code object, line number, current folder) -> (user_frame's answer, the code object)


_SHORT: dict[tuple[str, str], str] = {}  # (current folder, path) -> _short's answer
_USER: dict[str, bool] = {}  # file name -> _is_user's answer


def _short(path: str, cwd: str | None = None) -> str:
    key = (cwd or os.getcwd(), path)
    short = _SHORT.get(key)
    if short is None:
        try:
            rel = os.path.relpath(path, key[0])
        except ValueError:
            rel = path
        short = _SHORT[key] = rel if not rel.startswith("..") else path
    return short


def _is_user(filename: str) -> bool:
    user = _USER.get(filename)
    if user is None:
        user = _USER[filename] = (filename.startswith(_ZOO) or not filename.startswith(_SKIP)) and not filename.startswith("<frozen")
    return user


def raising_frame(tb) -> tuple[str | None, str | None]:
    """``("model.py:9", "raise ValueError(...)")``: the innermost user frame of a traceback — the
    line that raised, or the user's call into torch that raised."""
    found = (None, None)
    while tb is not None:
        code = tb.tb_frame.f_code
        if _is_user(code.co_filename):
            line = linecache.getline(code.co_filename, tb.tb_lineno).strip() or None
            found = (f"{_short(code.co_filename)}:{tb.tb_lineno}", line)
        tb = tb.tb_next
    return found
