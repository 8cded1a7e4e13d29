"""``path/to/file.py:Name`` and ``package.module:attr``: the object a Python target names.

A file is imported as ``python file.py`` would run it: its folder goes on ``sys.path`` (and
stays there, so a sibling module the file imports later, inside a function, is found too).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys

from .errors import TargetError

# What to install when a target's import needs a framework that is missing.
_INSTALL = {
    "torch": "pip install torch==2.13.0 (or pip install 'convlens[torch]')",
    "keras": "pip install keras (Keras 3; KERAS_BACKEND=torch uses the installed PyTorch)",
    "tensorflow": "pip install keras (convlens reads Keras 3 models; KERAS_BACKEND=torch needs no TensorFlow)",
    "numpy": "pip install numpy",
}


def is_python_target(text: str) -> bool:
    return ":" in text and not text.startswith("zoo:")


def missing_framework(exc: ModuleNotFoundError) -> str | None:
    """'Keras is not installed; pip install keras …' when ``exc`` is a missing framework."""
    top = (exc.name or "").split(".")[0]
    if top in _INSTALL:
        return f"{top} is not installed; install it with: {_INSTALL[top]}"
    return None


def load(target: str):
    """The object named by ``target``: a class, a factory function, or a model instance."""
    where, _, attr = target.rpartition(":")
    if not where or not attr:
        raise TargetError(f"target {target!r} must be path/to/file.py:ClassOrFactory, package.module:attr or zoo:NAME")
    if where.endswith(".py") or os.sep in where or "/" in where:
        module = _import_file(where)
    else:
        try:
            module = importlib.import_module(where)
        except ModuleNotFoundError as exc:
            hint = missing_framework(exc) if exc.name != where else None
            raise TargetError(f"cannot import module {where!r}: {hint or exc}") from None
        except ImportError as exc:
            raise TargetError(f"cannot import module {where!r}: {exc}") from None
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            available = sorted(n for n, v in vars(module).items()
                               if not n.startswith("_") and (inspect.isclass(v) or inspect.isfunction(v)) and getattr(v, "__module__", None) == module.__name__)
            raise TargetError(f"{where} has no {attr!r}; available: {', '.join(available) or 'none'}")
        obj = getattr(obj, part)
    return obj


def _import_file(path: str):
    if not os.path.isfile(path):
        raise TargetError(f"file {path!r} does not exist; give path/to/file.py:ClassOrFactory")
    mod_name = "_convlens_target_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in sys.path:
        sys.path.insert(0, folder)  # as `python file.py` does: the file's siblings import by name
    try:
        spec.loader.exec_module(module)
    except SystemExit:
        raise TargetError(f"importing {path} called sys.exit(); guard its script part with if __name__ == '__main__':") from None
    except ModuleNotFoundError as exc:
        hint = missing_framework(exc)
        raise TargetError(f"importing {path} failed: {hint or f'{type(exc).__name__}: {exc}'}") from None
    except Exception as exc:
        raise TargetError(f"importing {path} failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    return module


__all__ = ["is_python_target", "load", "missing_framework"]
