"""The tensors inside a forward's arguments and results: nested tuples, lists, dicts, dataclasses,
named tuples and ``torch.distributions`` objects, walked the same way by the tracer (``_trace``)."""

from __future__ import annotations

import dataclasses

import torch


def shapes(obj) -> tuple:
    """Shapes of every tensor in a nested structure of args."""
    return tuple(tuple(t.shape) for t in tensors(obj))


def tensors(obj) -> list[torch.Tensor]:
    """Every tensor in a nested structure of lists, tuples and dicts (values), in order."""
    if isinstance(obj, torch.Tensor):
        return [obj]
    out = []
    _visit(obj, out)
    return out


def _visit(o, out: list) -> None:
    if isinstance(o, torch.Tensor):
        out.append(o)
    elif isinstance(o, (list, tuple)):
        for x in o:
            if isinstance(x, torch.Tensor):
                out.append(x)
            elif isinstance(x, (list, tuple, dict)):
                _visit(x, out)
    elif isinstance(o, dict):
        for x in o.values():
            _visit(x, out)


def named_outputs(obj, path: str = "") -> list[tuple[str, torch.Tensor]]:
    """Every tensor of a model's output with where it sits: ``[("logits", t), ("aux[0]", t)]``.

    Dicts give their keys, dataclasses and named tuples their field names, sequences their
    indices, ``torch.distributions`` objects their parameters (``loc``, ``scale``...).
    """
    if isinstance(obj, torch.Tensor):
        return [(path, obj)]
    join = (lambda k: f"{path}.{k}" if path else str(k))
    if isinstance(obj, dict):
        return [o for k, v in obj.items() for o in named_outputs(v, join(k))]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return [o for k in obj._fields for o in named_outputs(getattr(obj, k), join(k))]
    if isinstance(obj, (list, tuple)):
        return [o for i, v in enumerate(obj) for o in named_outputs(v, f"{path}[{i}]")]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [o for f in dataclasses.fields(obj) for o in named_outputs(getattr(obj, f.name), join(f.name))]
    if isinstance(obj, torch.distributions.Distribution):
        names = [k for k in getattr(obj, "arg_constraints", {}) if k in vars(obj)]
        return [o for k in names for o in named_outputs(vars(obj)[k], join(k))]
    return []


def first_tensor(obj):
    ts = tensors(obj)
    return ts[0] if ts else None
