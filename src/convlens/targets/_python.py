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

from ..i18n import N_, tr
from .errors import TargetError

# What to install when a target's import needs a framework that is missing.
_INSTALL = {
    "torch": N_("pip install torch==2.13.0 (or pip install 'convlens[torch]')"),
    "keras": N_("pip install keras (Keras 3; KERAS_BACKEND=torch uses the installed PyTorch)"),
    "tensorflow": N_("pip install keras (convlens reads Keras 3 models; KERAS_BACKEND=torch needs no TensorFlow)"),
    "numpy": "pip install numpy",
}


def is_python_target(text: str) -> bool:
    return ":" in text and not text.startswith("zoo:")


def missing_framework(exc: ModuleNotFoundError) -> str | None:
    """'Keras is not installed; pip install keras …' when ``exc`` is a missing framework."""
    top = (exc.name or "").split(".")[0]
    if top in _INSTALL:
        return tr("{package} is not installed; install it with: {command}", package=top, command=tr(_INSTALL[top]))
    return None


def load(target: str):
    """The object named by ``target``: a class, a factory function, or a model instance."""
    where, _, attr = target.rpartition(":")
    if not where or not attr:
        raise TargetError(tr("target {target} must be path/to/file.py:ClassOrFactory, package.module:attr or zoo:NAME", target=repr(target)))
    if where.endswith(".py") or os.sep in where or "/" in where:
        module = _import_file(where)
    else:
        try:
            module = importlib.import_module(where)
        except ModuleNotFoundError as exc:
            hint = missing_framework(exc) if exc.name != where else None
            raise TargetError(tr("cannot import module {module}: {error}", module=repr(where), error=hint or exc)) from None
        except ImportError as exc:
            raise TargetError(tr("cannot import module {module}: {error}", module=repr(where), error=exc)) from None
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            available = sorted(n for n, v in vars(module).items()
                               if not n.startswith("_") and (inspect.isclass(v) or inspect.isfunction(v)) and getattr(v, "__module__", None) == module.__name__)
            raise TargetError(tr("{module} has no {attr}; available: {names}", module=where, attr=repr(attr),
                                   names=", ".join(available) or tr("none")))
        obj = getattr(obj, part)
    return obj


def _import_file(path: str):
    if not os.path.isfile(path):
        raise TargetError(tr("file {path} does not exist; give path/to/file.py:ClassOrFactory", path=repr(path)))
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
        raise TargetError(tr("importing {path} called sys.exit(); guard its script part with if __name__ == '__main__':", path=path)) from None
    except ModuleNotFoundError as exc:
        hint = missing_framework(exc)
        raise TargetError(tr("importing {path} failed: {error}", path=path, error=hint or f"{type(exc).__name__}: {exc}")) from None
    except Exception as exc:
        raise TargetError(tr("importing {path} failed: {error}", path=path,
                             error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")) from None
    return module


__all__ = ["is_python_target", "load", "missing_framework"]
