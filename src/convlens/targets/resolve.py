"""One way in: a target (a model object, ``file.py:Name``, ``package.module:attr``, ``zoo:NAME``,
a ``.keras``/``.h5`` file, a spec file) plus a ``Request`` -> a ``Resolved`` model -> a ``Summary``.

``resolve`` loads and builds the model (classes and factories under the request's device, so a
10-billion-parameter network costs no memory on ``meta``); ``summarize`` hands it to the front
end of its framework. The Python API, ``convlens summary``/``check``/``compare``/``zoo`` and the
web server all call these two functions.

File formats register a loader by suffix (``register_file_loader``); the spec format
(``.yaml``/``.yml``/``.json``) registers itself when ``convlens.design`` is imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from dataclasses import dataclass, replace
from typing import Any, Callable

from ..core.framework import Framework
from ..errors import first_line
from ..i18n import tr
from ..record import Summary
from . import _python
from .errors import TargetError
from .request import TraceDevice, Request

# suffix -> loader(path, request) returning a model (torch or Keras) or a finished Summary
_FILE_LOADERS: dict[str, Callable[[str, Request], Any]] = {}
# suffixes whose loader(path, request) is a function of a module imported on first use
_LAZY_LOADERS = {suffix: ("convlens.design", "target_loader") for suffix in (".yaml", ".yml", ".json")}


def register_file_loader(suffixes, loader: Callable[[str, Request], Any]) -> None:
    """Make ``convlens summary path/to/model.SUFFIX`` read such files with ``loader(path, request)``,
    which returns a PyTorch module, a Keras model or a finished ``Summary``."""
    for suffix in (suffixes,) if isinstance(suffixes, str) else suffixes:
        _FILE_LOADERS[suffix.lower()] = loader


@dataclass(frozen=True)
class Resolved:
    """A target made into a model, with the request completed from what the target documents."""

    model: Any  # a torch.nn.Module, a keras.Model or a finished Summary (spec files)
    request: Request  # input_sizes filled with the zoo entry's documented input when none was given
    label: str  # short name for titles and tables: "resnet18", "MyNet"
    target: str | None = None  # as the user wrote it; None for an object


def is_target(text: str) -> bool:
    """Whether ``text`` has the form of a target (``zoo:``, ``module:attr``, a known file suffix)."""
    suffix = os.path.splitext(text)[1].lower()
    return text.startswith("zoo:") or _python.is_python_target(text) or suffix in (".keras", ".h5") \
        or suffix in _FILE_LOADERS or suffix in _LAZY_LOADERS


def resolve(target, request: Request | None = None) -> Resolved:
    """Load and build ``target``. Users' mistakes raise ``TargetError`` naming what would work."""
    request = request or Request()
    if not isinstance(target, str):
        if request.args:
            raise TargetError(tr("args only apply to a class or factory target; got a {type} instance", type=type(target).__name__))
        return Resolved(target, request, request.title or type(target).__name__)
    if target.startswith("zoo:"):
        return _zoo(target, request)
    suffix = os.path.splitext(target)[1].lower()
    if suffix in (".keras", ".h5"):
        return Resolved(_keras_file(target), request, request.title or os.path.basename(target), target)
    if suffix in _FILE_LOADERS or suffix in _LAZY_LOADERS:
        return Resolved(_from_file(target, suffix, request), request, request.title or os.path.basename(target), target)
    if _python.is_python_target(target):
        obj = _python.load(target)
        label = request.title or target.rsplit(":", 1)[-1]
        return Resolved(_build(obj, target, request), request, label, target)
    raise TargetError(tr("target {target} must be path/to/file.py:ClassOrFactory, package.module:attr, zoo:NAME, "
                         "a .keras/.h5 file or a spec file ({suffixes})", target=repr(target),
                         suffixes=", ".join(sorted(set(_LAZY_LOADERS) | set(_FILE_LOADERS)))))


def summarize(resolved: Resolved) -> Summary:
    """The summary of a resolved model, by the front end of its framework."""
    model, request = resolved.model, resolved.request
    title = request.title or resolved.label
    if isinstance(model, Summary):
        return model if model.title == title else replace(model, title=title)
    if is_keras_model(model):
        from ..frontends.keras import summary as keras_summary

        sizes = request.input_sizes
        if sizes is not None and len(sizes) != 1:
            raise TargetError(tr("{target}: convlens reads Keras models with one input; got {n} input shapes", target=resolved.label,
                                    n=len(sizes)))
        return keras_summary(model, sizes[0] if sizes else None, title=title)
    torch = _torch()
    from ..frontends.torch import summary as torch_summary

    sizes = request.input_sizes
    size = None if sizes is None else (sizes[0] if len(sizes) == 1 else list(sizes))
    dtypes = request.dtypes
    if dtypes is not None:
        dtypes = [getattr(torch, d) if isinstance(d, str) else d for d in dtypes]
        if len(dtypes) == 1 and sizes is not None and len(sizes) > 1:
            dtypes = dtypes * len(sizes)
        dtypes = dtypes[0] if len(dtypes) == 1 and sizes is not None and len(sizes) == 1 else dtypes
    try:
        return torch_summary(model, input_size=size, input_data=request.input_data, dtypes=dtypes,
                             device=str(request.device), title=title, memory=request.memory)
    except (MemoryError, RuntimeError) as exc:
        if request.device is TraceDevice.CPU and _out_of_memory(exc):
            raise TargetError(_memory_message(resolved.label, exc)) from None
        raise


# --- the kinds of target -------------------------------------------------------------------------


def _zoo(target: str, request: Request) -> Resolved:
    from .. import zoo

    try:
        entry = zoo.get(target[4:])
    except zoo.ZooError as exc:
        raise TargetError(str(exc).splitlines()[0]) from None
    keras = entry.framework is Framework.KERAS
    if request.input_sizes is None and request.input_data is None and not keras:  # a Keras model knows its input
        request = replace(request, input_sizes=(tuple(entry.input_size),))
    _require(entry.framework, entry.name)
    try:  # Keras builds its own variables; PyTorch entries are built on the request's device
        model = _under_device(lambda: zoo.build(entry.name, **request.kwargs), request, keras=keras)
    except zoo.ZooError as exc:
        raise TargetError(str(exc)) from None
    return Resolved(model, request, request.title or entry.name, target)


def _build(obj, target: str, request: Request):
    """A class or factory called with the request's args under its device; an instance as is."""
    if _is_model(obj) or is_keras_model(obj):
        if request.args:
            raise TargetError(tr("{target} is a model instance; --args only applies to a class or factory", target=target))
        return obj
    if not callable(obj):
        raise TargetError(tr("{target} is a {type}, not an nn.Module or Keras model class, factory or instance", target=target,
                                type=type(obj).__name__))
    args = request.kwargs
    try:
        model = _under_device(lambda: obj(**args), request)
    except TypeError as exc:
        raise TargetError(tr("constructing {target} with --args {args} failed: {error}", target=target,
                                args=json.dumps(args, default=str), error=exc)) from None
    except (MemoryError, RuntimeError, ValueError) as exc:
        if _out_of_memory(exc):
            raise TargetError(_memory_message(target, exc)) from None
        raise TargetError(tr("constructing {target} failed: {error}", target=target,
                                error=first_line(exc))) from None
    if not _is_model(model) and not is_keras_model(model):
        raise TargetError(tr("{call} returned a {type}, not an nn.Module or a Keras model", call=f"{target}(...)",
                                type=type(model).__name__))
    return model


def _keras_file(path: str):
    """A saved ``.keras``/``.h5`` model, read by the Keras front end (which says what to install)."""
    from ..frontends.keras import KerasModelError, load

    try:
        return load(path)
    except KerasModelError as exc:
        raise TargetError(str(exc)) from None


def _from_file(path: str, suffix: str, request: Request):
    if not os.path.isfile(path):
        raise TargetError(tr("file {path} does not exist; check the path (relative to the current folder {folder})", path=repr(path),
                                folder=os.getcwd()))
    if suffix in _FILE_LOADERS:
        return _FILE_LOADERS[suffix](path, request)
    module, function = _LAZY_LOADERS[suffix]
    try:
        loader = getattr(importlib.import_module(module), function)
    except ImportError as exc:
        raise TargetError(tr("{path}: reading {suffix} spec files needs {package}, which is not installed; "
                             "install it with: pip install 'convlens[spec]'", path=path, suffix=suffix, package=exc.name)) from None
    try:
        return loader(path, request)
    except ValueError as exc:  # the file's content is wrong (SpecError names file, line, column and layer)
        raise TargetError(str(exc)) from None


# --- plumbing ------------------------------------------------------------------------------------


def is_keras_model(obj) -> bool:
    """Whether ``obj`` is a Keras model (the Keras front end's test). A process that has not imported
    keras has no Keras model, and the front end (and the core's Keras layers its table names) is then
    not imported to say so: the CLI asks this of every PyTorch target too."""
    if "keras" not in sys.modules:
        return False
    from ..frontends.keras import is_keras_model as keras_model

    return keras_model(obj)


def _torch():
    try:
        import torch
    except ImportError:
        raise TargetError(tr("PyTorch is not installed; install it with: pip install torch==2.13.0 (or pip install 'convlens[torch]')")) from None
    return torch


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ValueError:  # sys.modules[module] is None: blocked
        return False


def _require(module: str, entry: str) -> None:
    if not _installed(module):
        hint = _python.missing_framework(ModuleNotFoundError(name=module))
        raise TargetError(tr("the zoo entry {entry} needs {module}: {hint}", entry=entry, module=module, hint=hint))


def _is_model(obj) -> bool:
    if not _installed("torch"):
        return False
    import torch.nn as nn

    return isinstance(obj, nn.Module)


def _under_device(build, request: Request, *, keras: bool = False):
    """Call ``build()`` with PyTorch's default device set to the request's (meta: no weight memory)."""
    if keras or not _installed("torch"):
        return build()
    import torch

    if request.device != TraceDevice.META:
        with torch.device(str(request.device)):
            return build()
    from ..frontends.torch.meta_init import MetaInit  # skips random fills on meta: no torch._dynamo import

    with torch.device("meta"), MetaInit():
        return build()


def _out_of_memory(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or "can't allocate memory" in text or "out of memory" in text


def _memory_message(what: str, exc: BaseException) -> str:
    first = first_line(exc)
    return tr("{target} does not fit in memory on the CPU ({error}); the default --device meta traces the model "
              "without allocating its weights or activations and needs no memory", target=what, error=first)


__all__ = ["Resolved", "is_target", "register_file_loader", "resolve", "summarize"]
