"""Resolving a command-line TARGET into a model: ``file.py:Name``, ``package.module:attr``, ``zoo:NAME``.

Models convlens constructs itself are built under the ``meta`` device: no weight memory, so a
10-billion-parameter network is summarised in seconds.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
from contextlib import nullcontext as _nothing
import sys

import torch
import torch.nn as nn
from torch.overrides import TorchFunctionMode


class TargetError(ValueError):
    """A TARGET that cannot be loaded: a missing file, a missing name, bad constructor arguments."""


def parse_args_json(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TargetError(f"--args {text!r} is not valid JSON ({exc.msg}); write e.g. --args '{{\"num_classes\": 10}}'") from None
    if not isinstance(value, dict):
        raise TargetError(f"--args must be a JSON object of constructor arguments, e.g. '{{\"num_classes\": 10}}', got {text!r}")
    return value


def load_target(target: str):
    """-> the object named by TARGET: a class, a factory function, or an ``nn.Module`` instance."""
    if target.startswith("zoo:"):
        from ... import zoo

        name = target[4:]
        try:
            entry = zoo.get(name)
        except Exception as exc:
            raise TargetError(str(exc).splitlines()[0]) from None
        return entry
    if ":" not in target:
        raise TargetError(f"target {target!r} must be path/to/file.py:ClassOrFactory, package.module:attr or zoo:NAME")
    where, _, attr = target.rpartition(":")
    if where.endswith(".py") or os.sep in where or "/" in where:
        if not os.path.isfile(where):
            raise TargetError(f"file {where!r} does not exist; give path/to/file.py:ClassOrFactory")
        mod_name = "_convlens_target_" + os.path.splitext(os.path.basename(where))[0]
        spec = importlib.util.spec_from_file_location(mod_name, where)
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        directory = os.path.dirname(os.path.abspath(where))
        sys.path.insert(0, directory)
        try:
            spec.loader.exec_module(module)
        except SystemExit:
            raise TargetError(f"importing {where} called sys.exit(); guard its script part with if __name__ == '__main__':") from None
        except Exception as exc:
            raise TargetError(f"importing {where} failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
        finally:
            if sys.path and sys.path[0] == directory:
                sys.path.pop(0)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            raise TargetError(f"cannot import module {where!r}: {exc}") from None
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            available = sorted(n for n, v in vars(module).items() if (inspect.isclass(v) and issubclass(v, nn.Module)) or inspect.isfunction(v))
            raise TargetError(f"{where} has no {attr!r}; available: {', '.join(available) or 'none'}")
        obj = getattr(obj, part)
    return obj


class _MetaInit(TorchFunctionMode):
    """Weight initialisation on meta tensors does nothing (there are no values), so it is skipped:
    PyTorch would run its Python reference of ``normal_``/``uniform_``, whose first call imports
    torch._dynamo (about a second of a cold start)."""

    RANDOM_FILLS = {torch.Tensor.normal_, torch.Tensor.uniform_, torch.Tensor.bernoulli_, torch.Tensor.exponential_,
                    torch.Tensor.random_, torch.Tensor.log_normal_, torch.Tensor.cauchy_, torch.Tensor.geometric_}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in self.RANDOM_FILLS and args and isinstance(args[0], torch.Tensor) and args[0].device.type == "meta":
            return args[0]
        return func(*args, **(kwargs or {}))


def build_target(target: str, args: dict | None = None, *, device: str = "meta") -> tuple[nn.Module, tuple | None]:
    """-> (model, documented input size or None). Classes and factories are called under ``device``."""
    args = args or {}
    obj = load_target(target)
    default_input = None
    if target.startswith("zoo:"):
        entry = obj
        default_input = tuple(entry.input_size)
        from ... import zoo

        factory = lambda **kw: zoo.build(entry.name, **kw)  # noqa: E731
    elif isinstance(obj, nn.Module):
        if args:
            raise TargetError(f"{target} is a module instance; --args only applies to a class or factory")
        return obj, None
    elif callable(obj):
        factory = obj
    else:
        raise TargetError(f"{target} is a {type(obj).__name__}, not an nn.Module class, factory or instance")
    keras_entry = target.startswith("zoo:") and obj.framework == "keras"
    try:
        with torch.device("cpu" if keras_entry else device), (_MetaInit() if device == "meta" and not keras_entry else _nothing()):
            model = factory(**args)
    except TypeError as exc:
        raise TargetError(f"constructing {target} with --args {json.dumps(args)} failed: {exc}") from None
    except (ValueError, RuntimeError) as exc:
        raise TargetError(f"constructing {target} failed: {str(exc).splitlines()[0]}") from None
    from ..keras import is_keras_model

    if not isinstance(model, nn.Module) and not is_keras_model(model):
        raise TargetError(f"{target}(...) returned a {type(model).__name__}, not an nn.Module or a Keras model")
    return model, default_input
