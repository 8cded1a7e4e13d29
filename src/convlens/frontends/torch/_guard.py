"""The user's model is never changed: what a trace may touch is swapped out, and put back in ``finally``.

During a trace every module of the model gets fresh copies of its ``_parameters``, ``_buffers``
and ``_modules`` dicts holding *substitutes* (meta tensors, or for ``device='cpu'`` the real
parameters and clones of the buffers), and hook dicts holding only the hooks that are part of the
computation. Afterwards each module's whole ``__dict__`` and ``__class__`` are restored, so
whatever the forward did — a pruning pre-hook setting ``module.weight``, a lazy module
materialising its parameters and changing its class, spectral norm's power iteration, a forward
that caches ``self.last = x`` — is gone, and every parameter and buffer is the same object with
the same values as before.

Hooks: the user's own observing hooks (logging, collecting activations) are not called. Hooks
that compute part of the forward stay, acting on the substitutes:

* ``torch.nn.utils.prune``: the forward-pre-hook ``weight = weight_orig * weight_mask``;
* ``torch.nn.utils.weight_norm`` / ``spectral_norm``: the pre-hook that computes ``weight``;
* lazy modules (``nn.LazyLinear``...): the pre-hook that materialises the parameters from the
  first input (so the counts are those initialisation would give);

``torch.nn.utils.parametrize`` needs no hook (its property reads ``parametrizations.*.original``,
which is substituted like any parameter).
"""

from __future__ import annotations

from collections import OrderedDict
from contextlib import contextmanager

import torch
import torch.nn as nn
from torch.nn.modules import module as _module_mod
from torch.nn.utils.prune import BasePruningMethod
from torch.nn.utils.spectral_norm import SpectralNorm
from torch.nn.utils.weight_norm import WeightNorm

# Hooks that are part of the computation, by type (never by name).
COMPUTATIONAL_HOOKS: tuple[type, ...] = (BasePruningMethod, WeightNorm, SpectralNorm)

# Per-module hook dicts that fire during a forward (or its backward).
_HOOK_DICTS = ("_forward_pre_hooks", "_forward_hooks", "_backward_pre_hooks", "_backward_hooks")
# Process-wide hook dicts that ``register_module_*_hook`` fill; the user's ones are silenced too.
_GLOBAL_HOOKS = ("_global_forward_pre_hooks", "_global_forward_hooks", "_global_backward_pre_hooks",
                 "_global_backward_hooks", "_global_forward_hooks_always_called", "_global_forward_hooks_with_kwargs")


def is_computational(hook) -> bool:
    """True for a hook whose effect is part of the forward (pruning, weight/spectral norm, lazy init)."""
    if isinstance(hook, COMPUTATIONAL_HOOKS):
        return True
    return getattr(hook, "__func__", None) is nn.modules.lazy.LazyModuleMixin._infer_parameters


def substitute(tensor: torch.Tensor, *, on_meta: bool, is_buffer: bool) -> torch.Tensor:
    """The tensor the trace uses in place of one of the user's parameters or buffers.

    On meta: a meta tensor of the same shape, dtype and class (a parameter stays an
    ``nn.Parameter``; an uninitialised lazy parameter becomes a fresh uninitialised one that the
    lazy hook materialises). On the CPU: the parameter itself (a forward does not write
    parameters) and a clone of a buffer (BatchNorm statistics are written).
    """
    if isinstance(tensor, nn.parameter.UninitializedTensorMixin):
        cls = nn.UninitializedBuffer if is_buffer else nn.UninitializedParameter
        kwargs = {} if is_buffer else {"requires_grad": tensor.requires_grad}
        return cls(device="meta" if on_meta else "cpu", dtype=tensor.dtype, **kwargs)
    on_meta_already = tensor.device.type == "meta"
    if not on_meta and on_meta_already:  # a model built on meta, run for real: stand-in values
        if not (tensor.dtype.is_floating_point or tensor.dtype.is_complex):
            real = torch.zeros(tensor.shape, dtype=tensor.dtype)
        elif is_buffer:
            real = torch.ones(tensor.shape, dtype=tensor.dtype)  # running variances of 1, means of 1: finite
        else:
            real = torch.randn(tensor.shape, dtype=tensor.dtype) * 0.02
        return nn.Parameter(real, requires_grad=tensor.requires_grad) if isinstance(tensor, nn.Parameter) else real
    if not on_meta:
        return tensor.clone() if is_buffer else tensor
    if on_meta_already and not is_buffer:
        return tensor  # a model built on meta: nothing to protect, nothing to copy
    # (empty_like on meta runs a Python reference; a tuple and a device object are parsed fastest)
    copy = torch.empty(tuple(tensor.shape), dtype=tensor.dtype, device=_META)
    if isinstance(tensor, nn.Parameter):
        return torch.Tensor._make_subclass(nn.Parameter, copy, tensor.requires_grad)  # what nn.Parameter(copy) does
    return copy


_META = torch.device("meta")


@contextmanager
def untouched(modules, substitutes: dict[int, torch.Tensor]):
    """Run the body with the parameters and buffers of ``modules`` (a model's, each once, as
    ``model.modules()`` gives them) replaced by ``substitutes`` (keyed by ``id`` of the original
    tensor) and only computational hooks active; restore everything after, even when the body raises."""
    saved = [(m, m.__class__, dict(m.__dict__)) for m in modules]
    # Hook handles remove themselves from the dict they were registered in (a lazy module's
    # initialisation hook does, mid-forward): the original dicts' contents are restored too.
    # (An empty one has nothing to lose: during the trace a module's dicts are fresh ones.)
    contents = [(d, list(d.items())) for _, _, state in saved for d in state.values() if isinstance(d, OrderedDict) and d]
    saved_globals = {name: getattr(_module_mod, name) for name in _GLOBAL_HOOKS if hasattr(_module_mod, name)}
    try:
        for name in saved_globals:
            setattr(_module_mod, name, OrderedDict())
        for m, _, state in saved:
            d = m.__dict__
            d["_parameters"] = {k: None if p is None else substitutes[id(p)] for k, p in state["_parameters"].items()}
            d["_buffers"] = {k: None if b is None else substitutes[id(b)] for k, b in state["_buffers"].items()}
            d["_modules"] = dict(state["_modules"])
            for hooks in _HOOK_DICTS:
                if hooks in state:
                    kept = state[hooks]
                    d[hooks] = OrderedDict((k, h) for k, h in kept.items() if is_computational(h)) if kept else OrderedDict()
            for extra in ("_forward_pre_hooks_with_kwargs", "_forward_hooks_with_kwargs", "_forward_hooks_always_called"):
                if extra in state:
                    d[extra] = OrderedDict(state[extra])
        yield
    finally:
        for name, value in saved_globals.items():
            setattr(_module_mod, name, value)
        for d, items in contents:
            if list(d.items()) != items:
                d.clear()
                d.update(items)
        for m, cls, state in saved:
            if m.__class__ is not cls:
                m.__class__ = cls
            m.__dict__.clear()
            m.__dict__.update(state)
