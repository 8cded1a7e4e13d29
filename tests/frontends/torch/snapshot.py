"""One helper that snapshots everything of a model a summary must not change, and compares.

``before = snapshot(model, input_size, options)`` then, after the summary, ``assert_unchanged(before, model)``:
every parameter and buffer is the same object with the same values (``_version`` counts any
in-place write; values are compared outright for models up to ``_VALUES_UP_TO`` elements), dtype,
device, shape and ``requires_grad``; every module keeps its class, ``training`` flag, hook dicts
(same hooks, same order) and other tensor attributes; and the next real forward of a copy of the
model gives the same output as a copy taken before (for models on the CPU up to
``_FORWARD_UP_TO`` parameters).

``tests/conftest.py`` applies it to every ``convlens.summary`` (and so every ``convlens check``/
``summary`` command) that any test runs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from convlens.frontends.torch import _guard

_VALUES_UP_TO = 20_000_000  # elements of parameters and buffers whose values are cloned and compared
_FORWARD_UP_TO = 5_000_000  # parameters up to which the next forward is run before and after
_HOOKS = ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks", "_backward_hooks",
          "_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs", "_forward_hooks_always_called")


@dataclass
class Snapshot:
    modules: list  # per module: (module, class, training, hooks, parameter ids, buffer ids, other tensor attrs)
    tensors: dict  # qualified name -> (tensor, dtype, device, shape, requires_grad, version, values or None)
    forward: object  # the output of a copy's forward before the summary, or None when not run


def _tensor_state(t: torch.Tensor, keep_values: bool):
    uninitialised = isinstance(t, nn.parameter.UninitializedTensorMixin)
    values = t.detach().clone() if keep_values and not uninitialised and t.device.type != "meta" else None
    shape = None if uninitialised else tuple(t.shape)
    return (t, t.dtype, t.device, shape, t.requires_grad, t._version, values)


def _inputs(input_size, options):
    """The real CPU inputs of the summary call, seeded."""
    from convlens.frontends.torch import _make_inputs

    return _make_inputs(input_size, options.get("input_data"), options.get("dtypes"), "cpu")


def _forward_copy(model, input_size, options):
    """The output of a deep copy of ``model`` (observing hooks removed: they are the user's business)."""
    try:
        clone = copy.deepcopy(model)
    except Exception:
        return None
    for m in clone.modules():
        for name in ("_forward_pre_hooks", "_forward_hooks"):
            hooks = getattr(m, name, None)
            if hooks is not None:
                for key in [k for k, h in hooks.items() if not _guard.is_computational(h)]:
                    del hooks[key]
    with torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(0)
        try:
            args, kwargs = _inputs(input_size, options)
            out = clone(*args, **kwargs)
        except Exception as exc:  # a model the tests break on purpose: it must still break the same way
            return ("raised", type(exc))
    return out


def _small_real(model) -> bool:
    if isinstance(model, torch.jit.ScriptModule):
        return sum(p.numel() for p in model.parameters()) <= _FORWARD_UP_TO
    tensors = list(model.parameters()) + list(model.buffers())
    if any(t.device.type != "cpu" or isinstance(t, nn.parameter.UninitializedTensorMixin) for t in tensors):
        return False
    return sum(p.numel() for p in model.parameters()) <= _FORWARD_UP_TO


def snapshot(model, input_size=None, options=None) -> Snapshot:
    options = options or {}
    if not isinstance(model, nn.Module):
        return Snapshot([], {}, None)
    named = list(model.named_parameters(remove_duplicate=False)) + list(model.named_buffers(remove_duplicate=False))
    keep_values = sum(t.numel() for _, t in named if not isinstance(t, nn.parameter.UninitializedTensorMixin)) <= _VALUES_UP_TO
    tensors = {name: _tensor_state(t, keep_values) for name, t in named}
    modules = []
    for m in model.modules():
        hooks = {h: [(k, v) for k, v in getattr(m, h).items()] if isinstance(getattr(m, h, None), dict) else None for h in _HOOKS}
        attrs = {k: v for k, v in vars(m).items() if isinstance(v, torch.Tensor)}
        if isinstance(m, torch.jit.ScriptModule):  # its dicts are views of C++ state: the tensors are checked above
            modules.append((m, type(m), m.training, hooks, None, None, attrs))
            continue
        modules.append((m, type(m), m.training, hooks, dict(getattr(m, "_parameters", {})), dict(getattr(m, "_buffers", {})), attrs))
    forward = _forward_copy(model, input_size, options) if _small_real(model) else None
    return Snapshot(modules, tensors, forward)


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.shape == b.shape and a.dtype == b.dtype and torch.equal(torch.nan_to_num(a), torch.nan_to_num(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if hasattr(a, "__dataclass_fields__") and type(a) is type(b):
        return all(_same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    if isinstance(a, torch.distributions.Distribution) and type(a) is type(b):
        return _same(vars(a), vars(b))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if type(a) is type(b) and not isinstance(a, type) and getattr(a, "__dict__", None):
        # a plain object holding the output in its attributes (torchinfo's ObjectWithTensors, IntWithGetitem)
        return a == b and _same(vars(a), vars(b)) if isinstance(a, int) else _same(vars(a), vars(b))
    return a == b


def assert_unchanged(before: Snapshot, model, input_size=None, options=None) -> None:
    options = options or {}
    if not isinstance(model, nn.Module):
        return
    now = {name: t for name, t in list(model.named_parameters(remove_duplicate=False)) + list(model.named_buffers(remove_duplicate=False))}
    assert now.keys() == before.tensors.keys(), f"parameters/buffers changed: {sorted(set(now) ^ set(before.tensors))}"
    for name, (t, dtype, device, shape, grad, version, values) in before.tensors.items():
        cur = now[name]
        assert cur is t, f"{name} was replaced by another tensor"
        assert cur.dtype == dtype and cur.device == device, f"{name}: {dtype} on {device} became {cur.dtype} on {cur.device}"
        if shape is not None:
            assert tuple(cur.shape) == shape, f"{name}: shape {shape} became {tuple(cur.shape)}"
        assert cur.requires_grad == grad, f"{name}: requires_grad {grad} became {cur.requires_grad}"
        assert cur._version == version, f"{name} was written in place"
        assert cur.grad is None or values is None, f"{name} got a .grad"
        if values is not None:
            assert torch.equal(torch.nan_to_num(cur.detach()), torch.nan_to_num(values)), f"{name}: values changed"
    for m, cls, training, hooks, params, buffers, attrs in before.modules:
        label = type(m).__name__
        assert type(m) is cls, f"{label}: class {cls.__name__} became {type(m).__name__}"
        assert m.training == training, f"{label}: training {training} became {m.training}"
        for h, items in hooks.items():
            current = getattr(m, h, None)
            assert (None if items is None else items) == (
                [(k, v) for k, v in current.items()] if isinstance(current, dict) else None), f"{label}.{h} changed"
        for kind, saved in (("_parameters", params), ("_buffers", buffers)):
            if saved is None:
                continue
            current = getattr(m, kind, {})
            assert current.keys() == saved.keys() and all(current[k] is v for k, v in saved.items()), f"{label}: {kind} changed"
        cur_attrs = {k: v for k, v in vars(m).items() if isinstance(v, torch.Tensor)}
        assert cur_attrs.keys() == attrs.keys() and all(cur_attrs[k] is v for k, v in attrs.items()), \
            f"{label}: tensor attributes changed ({sorted(cur_attrs)} vs {sorted(attrs)})"
    if before.forward is not None:
        after = _forward_copy(model, input_size, options)
        assert _same(before.forward, after), "the next real forward gives a different result"


def assert_tree_is_pytorchs(model) -> None:
    """The trace's one walk of the module tree (``_trace.ModelTree``) gives what PyTorch's own walks
    give: ``named_modules()``, ``named_parameters()``, ``named_buffers()`` and, for the notes on shared
    modules and tied weights, the ``remove_duplicate=False`` walks."""
    from convlens.frontends.torch._trace import ModelTree

    if not isinstance(model, nn.Module) or isinstance(model, torch.jit.ScriptModule):
        return
    tree = ModelTree.of(model)
    assert [(n, id(m)) for n, m in tree.modules] == [(n, id(m)) for n, m in model.named_modules()]
    assert [(n, id(p)) for n, p in tree.params] == [(n, id(p)) for n, p in model.named_parameters()]
    assert [(n, id(b)) for n, b in tree.buffers] == [(n, id(b)) for n, b in model.named_buffers()]
    paths, names = {}, {}
    for n, m in model.named_modules(remove_duplicate=False):
        paths.setdefault(id(m), []).append(n)
    for n, p in model.named_parameters(remove_duplicate=False):
        names.setdefault(id(p), []).append(n)
    assert {k: list(v) for k, v in tree.module_paths.items()} == paths
    assert {k: list(v) for k, v in tree.param_names.items()} == names
