"""The one table that maps PyTorch modules and functions to core layers and cost categories.

Dispatch is on the type (``type(module)`` / the function object), never on substrings of names.
Formulas are not here: a mapped module is handed to the core (``convlens.core``), which owns
every shape, parameter and cost formula.

The table is public and extendable (as fvcore's ``set_op_handle``): ``register(MyConv, handler)``
teaches convlens a module class of the user's (``handler(module)`` returns its core layer), and
``register(fn, handler)`` a function that reaches ``__torch_function__`` (``handler(*args, **kwargs)``
receives the call's arguments and returns the core layer). The tracer (``summary``) and the
``torch.fx`` walk (``walk``) both read the table through ``core_layer``/``core_layer_of_call``.
"""

from __future__ import annotations

import operator

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import parametrize

from collections.abc import Callable
from dataclasses import fields, is_dataclass

from ...core import LAYERS, Layer, LayerError
from ...i18n import tr


def _conv(m):
    return dict(in_channels=m.in_channels, out_channels=m.out_channels, kernel_size=tuple(m.kernel_size), stride=tuple(m.stride),
                padding=m.padding if isinstance(m.padding, str) else tuple(m.padding), dilation=tuple(m.dilation), groups=m.groups,
                bias=m.bias is not None, padding_mode=m.padding_mode)


def _convt(m):
    return dict(in_channels=m.in_channels, out_channels=m.out_channels, kernel_size=tuple(m.kernel_size), stride=tuple(m.stride),
                padding=tuple(m.padding), output_padding=tuple(m.output_padding), groups=m.groups, bias=m.bias is not None,
                dilation=tuple(m.dilation))


def _maxpool(m):
    return dict(kernel_size=m.kernel_size, stride=m.stride, padding=m.padding, dilation=m.dilation, return_indices=m.return_indices, ceil_mode=m.ceil_mode)


def _avgpool(m):
    kw = dict(kernel_size=m.kernel_size, stride=m.stride, padding=m.padding, ceil_mode=m.ceil_mode, count_include_pad=m.count_include_pad)
    if hasattr(m, "divisor_override") and m.divisor_override is not None:
        kw["divisor_override"] = m.divisor_override
    return kw


def _bn(m):
    return dict(num_features=m.num_features, eps=m.eps, momentum=m.momentum, affine=m.affine, track_running_stats=m.track_running_stats)


def _none(m):
    return {}


# module type -> (core layer name, function giving the core constructor's keyword arguments)
MODULES: dict[type, tuple[str, object]] = {
    nn.Conv1d: ("Conv1d", _conv), nn.Conv2d: ("Conv2d", _conv), nn.Conv3d: ("Conv3d", _conv),
    nn.ConvTranspose1d: ("ConvTranspose1d", _convt), nn.ConvTranspose2d: ("ConvTranspose2d", _convt), nn.ConvTranspose3d: ("ConvTranspose3d", _convt),
    nn.Linear: ("Linear", lambda m: dict(in_features=m.in_features, out_features=m.out_features, bias=m.bias is not None)),
    nn.MaxPool1d: ("MaxPool1d", _maxpool), nn.MaxPool2d: ("MaxPool2d", _maxpool), nn.MaxPool3d: ("MaxPool3d", _maxpool),
    nn.AvgPool1d: ("AvgPool1d", _avgpool), nn.AvgPool2d: ("AvgPool2d", _avgpool), nn.AvgPool3d: ("AvgPool3d", _avgpool),
    nn.AdaptiveAvgPool1d: ("AdaptiveAvgPool1d", lambda m: dict(output_size=m.output_size)),
    nn.AdaptiveAvgPool2d: ("AdaptiveAvgPool2d", lambda m: dict(output_size=m.output_size)),
    nn.AdaptiveAvgPool3d: ("AdaptiveAvgPool3d", lambda m: dict(output_size=m.output_size)),
    nn.AdaptiveMaxPool1d: ("AdaptiveMaxPool1d", lambda m: dict(output_size=m.output_size)),
    nn.AdaptiveMaxPool2d: ("AdaptiveMaxPool2d", lambda m: dict(output_size=m.output_size)),
    nn.AdaptiveMaxPool3d: ("AdaptiveMaxPool3d", lambda m: dict(output_size=m.output_size)),
    nn.BatchNorm1d: ("BatchNorm1d", _bn), nn.BatchNorm2d: ("BatchNorm2d", _bn), nn.BatchNorm3d: ("BatchNorm3d", _bn),
    nn.InstanceNorm2d: ("InstanceNorm2d", _bn),
    nn.LayerNorm: ("LayerNorm", lambda m: dict(normalized_shape=tuple(m.normalized_shape), eps=m.eps, elementwise_affine=m.elementwise_affine, bias=getattr(m, "bias", None) is not None)),
    nn.GroupNorm: ("GroupNorm", lambda m: dict(num_groups=m.num_groups, num_channels=m.num_channels, eps=m.eps, affine=m.affine)),
    nn.Embedding: ("Embedding", lambda m: dict(num_embeddings=m.num_embeddings, embedding_dim=m.embedding_dim, padding_idx=m.padding_idx)),
    nn.Flatten: ("Flatten", lambda m: dict(start_dim=m.start_dim, end_dim=m.end_dim)),
    nn.Unflatten: ("Unflatten", lambda m: dict(dim=m.dim, unflattened_size=tuple(m.unflattened_size))),
    nn.ZeroPad2d: ("ZeroPad2d", lambda m: dict(padding=tuple(m.padding))),
    nn.PixelShuffle: ("PixelShuffle", lambda m: dict(upscale_factor=m.upscale_factor)),
    nn.Upsample: ("Upsample", lambda m: dict(size=m.size, scale_factor=m.scale_factor, mode=m.mode)),
    nn.Identity: ("Identity", _none),
    nn.Dropout: ("Dropout", lambda m: dict(p=m.p)), nn.Dropout2d: ("Dropout2d", lambda m: dict(p=m.p)),
    nn.ReLU: ("ReLU", _none), nn.ReLU6: ("ReLU6", _none), nn.GELU: ("GELU", _none), nn.SiLU: ("SiLU", _none),
    nn.Sigmoid: ("Sigmoid", _none), nn.Tanh: ("Tanh", _none), nn.Mish: ("Mish", _none), nn.ELU: ("ELU", _none),
    nn.Hardswish: ("Hardswish", _none), nn.Hardsigmoid: ("Hardsigmoid", _none), nn.Softplus: ("Softplus", _none),
    nn.LeakyReLU: ("LeakyReLU", lambda m: dict(negative_slope=m.negative_slope)),
    nn.PReLU: ("PReLU", lambda m: dict(num_parameters=m.num_parameters)),
    nn.Softmax: ("Softmax", lambda m: dict(dim=m.dim)), nn.LogSoftmax: ("LogSoftmax", lambda m: dict(dim=m.dim)),
}

def input_argument(name: str) -> str | None:
    """The argument that the core layer ``name`` can take from the input (so a wrong one can be
    diagnosed and replaced), as its class declares it (``Layer.taken_from_input``); None if none."""
    cls = LAYERS.get(name)
    return next(iter(cls.taken_from_input), None) if cls is not None else None


def __getattr__(name: str):
    if name == "INPUT_ARGUMENT":  # the whole table, for who reads it: every core family is imported for it
        return {n: next(iter(c.taken_from_input)) for n, c in LAYERS.items() if c.taken_from_input}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def type_name(module: nn.Module) -> str:
    """The name a row shows: the class (the real one under ``parametrize``), or for TorchScript
    ``'TorchScript(Sequential)'``."""
    if isinstance(module, torch.jit.ScriptModule):
        return f"TorchScript({getattr(module, 'original_name', 'Module')})"
    return module_type(module).__name__


def module_type(module: nn.Module) -> type:
    """The class to dispatch on: a module with ``torch.nn.utils.parametrize`` parametrizations
    is an instance of a generated ``Parametrized<Class>``; its real class is the base."""
    cls = type(module)
    if _is_parametrized(module):
        return cls.__bases__[0]
    return cls


def _is_parametrized(module: nn.Module) -> bool:
    """``parametrize.is_parametrized(module)``, answered without a failed attribute lookup (which
    ``nn.Module.__getattr__`` raises and catches) when ``module`` has no ``parametrizations`` at all."""
    state = module.__dict__
    if ("parametrizations" not in state and "parametrizations" not in state.get("_modules", ())
            and "parametrizations" not in state.get("_parameters", ()) and "parametrizations" not in state.get("_buffers", ())
            and not hasattr(type(module), "parametrizations")):
        return False
    return parametrize.is_parametrized(module)


# --- the user's entries (register) -----------------------------------------------------------
_REGISTERED_MODULES: dict[type, Callable[[nn.Module], Layer]] = {}
_REGISTERED_FUNCTIONS: dict[object, Callable[..., Layer]] = {}


class RegistrationError(TypeError):
    """``register`` was given something that is not a module class or a function, or no callable handler."""


def register(target, handler: Callable[..., Layer]) -> None:
    """Teach convlens a module class or a function: its rows get the core layer's shapes, weights,
    MACs, worked calculation and receptive-field step.

    ``target`` an ``nn.Module`` subclass: ``handler(module)`` returns the core layer of one instance
    (``lambda m: core.layer("Conv2d", m.cin, m.cout, m.k)``); it also maps the class's subclasses
    that keep its ``forward`` in the ``torch.fx`` walk. ``target`` any other callable seen by
    ``__torch_function__`` (``torch.nn.functional.linear``, a ``torch.*`` op):
    ``handler(*args, **kwargs)`` gets the call's arguments. A handler that raises ``LayerError``,
    ``TypeError``, ``ValueError``, ``KeyError`` or ``IndexError``, or returns None, leaves the row
    unmapped (shapes from the forward, MACs from the ATen operations that ran). A later call for the
    same target replaces the handler, built-in entries included.

    >>> import torch.nn as nn
    >>> from convlens import core
    >>> class Stem(nn.Conv2d): pass
    >>> register(Stem, lambda m: core.layer("Conv2d", m.in_channels, m.out_channels, m.kernel_size))
    >>> core_layer(Stem(3, 8, 3)).code()
    'Conv2d(in_channels=3, out_channels=8, kernel_size=(3, 3))'
    >>> unregister(Stem)
    """
    if not callable(handler):
        raise RegistrationError(tr("{call}: the handler must be a callable returning a core layer, got {type}",
                                   call=f"register({_label(target)}, handler)", type=type(handler).__name__))
    if isinstance(target, type) and issubclass(target, nn.Module):
        _REGISTERED_MODULES[target] = handler
    elif callable(target) and not isinstance(target, type):
        _REGISTERED_FUNCTIONS[target] = handler
    else:
        raise RegistrationError(tr("{call}: the target must be an nn.Module subclass or a function such as "
                                   "torch.nn.functional.linear", call=f"register({_label(target)}, handler)"))


def unregister(target) -> None:
    """Forget what ``register(target, ...)`` taught; the built-in entry, if any, applies again."""
    _REGISTERED_MODULES.pop(target, None)
    _REGISTERED_FUNCTIONS.pop(target, None)


def _label(target) -> str:
    return getattr(target, "__qualname__", None) or type(target).__name__


def _registered_base(cls: type, *, inherit: bool):
    """(class, handler) of the table entry for ``cls``: its own, or with ``inherit`` its nearest
    ancestor's whose ``forward`` it keeps (``class Conv(nn.Conv2d)`` with no forward of its own)."""
    for base in (cls.__mro__ if inherit else (cls,)):
        handler = _REGISTERED_MODULES.get(base)
        if handler is None and base in MODULES:
            handler = _builtin
        if handler is not None:
            return (base, handler) if base is cls or getattr(cls, "forward", None) is getattr(base, "forward", None) else None
    return None


# --- equal layers -----------------------------------------------------------------------------
# Two layers (or two sets of arguments) are equal for convlens when every value is the same value of the
# same type: ``1``, ``True`` and ``1.0`` are equal in Python, not in the worked calculation. For the plain
# values the core's layers hold (ints, floats, strings, bools, None, tuples of them) ``repr`` tells
# them apart exactly (a float's repr gives it back), so a key is one repr; other values have none.
_PLAIN = frozenset((int, float, str, bool, type(None)))
_FIELDS: dict[type, tuple[str, ...]] = {}  # core layer class -> its dataclass fields' names


_PLAIN_OR_TUPLE = _PLAIN | {tuple}


def _is_plain(values: tuple) -> bool:
    """Every value plain, at any depth of tuples (the type sets are made in C: ~1 µs for a Conv2d)."""
    types = set(map(type, values))
    if types <= _PLAIN:
        return True
    return types <= _PLAIN_OR_TUPLE and all(_is_plain(v) for v in values if type(v) is tuple)


def _values_key(values: tuple):
    """``repr(values)`` when every value is plain (see above), else None."""
    return repr(values) if _is_plain(values) else None


def layer_key(layer):
    """A key equal for two of the core's own layers exactly when every field holds the same value of
    the same type (so they compute and print the same); None for other layers (a user's, or a
    value of another kind), which are not shared."""
    known = _BUILT_KEYS.get(id(layer))
    if known is not None:
        return known
    cls = type(layer)
    names = _FIELDS.get(cls)
    if names is None:
        if not cls.__module__.startswith("convlens.core.") or not is_dataclass(cls):
            return None
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
    try:
        values = tuple(getattr(layer, n) for n in names)
    except AttributeError:
        return None
    key = _values_key(values)
    return None if key is None else (cls, key)


# (core layer class, its arguments) -> the layer: the core's layers are frozen, so equal modules (a
# ResNet-152's 155 batch norms of four sizes) share one, built and checked once in the process;
# id(layer) -> its layer_key, for the layers held here (so their ids stay theirs)
_BUILT: dict = {}
_BUILT_KEYS: dict[int, tuple] = {}
_BUILT_MAX = 4096


def _built(cls, kwargs: dict) -> Layer:
    key = _values_key(tuple(kwargs.values()))
    if key is None:  # an argument of another kind (a user's subclass stored a list...): built each time
        return cls(**kwargs)
    key = (cls, tuple(kwargs), key)
    layer = _BUILT.get(key)
    if layer is None:
        layer = cls(**kwargs)  # a LayerError leaves nothing cached
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
            _BUILT_KEYS.clear()
        _BUILT[key] = layer
        _BUILT_KEYS[id(layer)] = layer_key(layer)
    return layer


def _builtin(module: nn.Module, *, base: type | None = None, from_input: bool = False) -> Layer | None:
    name, args = MODULES[base or module_type(module)]
    cls = LAYERS.get(name)
    if cls is None:
        return None
    kwargs = args(module)
    if from_input:
        for argument in cls.taken_from_input:
            kwargs.pop(argument, None)
    known = cls.__dataclass_fields__
    return _built(cls, {k: v for k, v in kwargs.items() if k in known})


def _without_input_argument(layer: Layer) -> Layer | None:
    """A registered layer rebuilt without its input-derived arguments (``in_channels``..., as its class declares them)."""
    taken = type(layer).taken_from_input
    if not taken:
        return layer
    kwargs = {f.name: getattr(layer, f.name) for f in fields(layer) if f.init and f.name not in taken}
    return type(layer)(**kwargs)


def is_mapped(module: nn.Module, *, inherit: bool = False) -> bool:
    """Whether the table has an entry for ``module`` (without reading its attributes, which a
    ``torch.fx`` tracer would record as graph nodes); ``inherit`` as in ``core_layer``."""
    return _registered_base(module_type(module), inherit=inherit) is not None


def core_layer(module: nn.Module, *, from_input: bool = False, inherit: bool = False) -> Layer | None:
    """The core layer equivalent to ``module``; None when there is none (a user's own module).

    ``from_input`` leaves out the input-derived argument (``in_channels``/``in_features``/
    ``num_features``) so the core computes what the layer *would* produce on its real input.
    ``inherit`` also maps a subclass of a table entry that keeps the entry's ``forward`` (the
    ``torch.fx`` walk stops at such a module; the tracer sees what runs inside it instead).
    """
    found = _registered_base(module_type(module), inherit=inherit)
    if found is None:
        return None
    base, handler = found
    try:
        if handler is _builtin:
            return _builtin(module, base=base, from_input=from_input)
        layer = handler(module)
        return _without_input_argument(layer) if from_input and layer is not None else layer
    except (LayerError, TypeError, ValueError, KeyError, IndexError):
        return None


# --- functions -----------------------------------------------------------------------------
# Functions that only read metadata or copy: never a row in the table.
SILENT = {
    torch.Tensor.size, torch.Tensor.dim, torch.Tensor.numel, torch.Tensor.__len__, torch.Tensor.contiguous,
    torch.Tensor.detach, torch.Tensor.to, torch.Tensor.type, torch.Tensor.float, torch.Tensor.half,
    torch.Tensor.double, torch.Tensor.bfloat16, torch.Tensor.requires_grad_, torch.Tensor.item, torch.Tensor.tolist,
    torch.Tensor.__bool__, torch.Tensor.is_contiguous, torch.Tensor.stride, torch.Tensor.__format__,
    torch.Tensor.__repr__, torch.Tensor.clone, torch.Tensor.cpu, torch.Tensor.cuda, torch.Tensor.__setitem__,
    torch.Tensor.data_ptr, torch.Tensor.element_size, torch.Tensor.get_device, torch.Tensor.__hash__,
    torch.Tensor.untyped_storage, torch.Tensor.storage_offset, torch.Tensor.__iter__, torch.Tensor.unbind,
    torch.Tensor.__eq__, torch.Tensor.__ne__, torch.Tensor.__index__, torch.Tensor.__int__,
    torch.Tensor.__float__, torch.Tensor.__array__, torch.empty, torch.zeros, torch.ones, torch.arange,
    torch.Tensor.__reduce_ex__, torch.Tensor.__deepcopy__, torch.Tensor.new_empty, torch.Tensor.new_zeros,
    torch.Tensor.new_ones, torch.Tensor.new_tensor, torch.Tensor.masked_fill_, torch.Tensor.fill_,
}

# Factories that make a tensor without an input tensor (their device is the default one).
FACTORIES = {torch.zeros, torch.ones, torch.empty, torch.full, torch.arange, torch.range, torch.rand, torch.randn,
             torch.randint, torch.randperm, torch.linspace, torch.logspace, torch.eye, torch.tensor, torch.as_tensor,
             torch.scalar_tensor, torch.empty_strided}

# Reshapes that must keep the batch dimension (checked for batch folding).
RESHAPES = {torch.Tensor.view, torch.Tensor.reshape, torch.reshape, torch.Tensor.flatten, torch.flatten}

# Elementwise merges of two branches (residual adds, gates) and concatenations.
MERGES = {operator.add, torch.add, torch.Tensor.add, torch.Tensor.__add__, torch.Tensor.__radd__, torch.Tensor.__iadd__,
          torch.Tensor.add_, torch.mul, torch.Tensor.mul, torch.Tensor.__mul__, torch.Tensor.__rmul__,
          torch.sub, torch.Tensor.sub, torch.Tensor.__sub__}
CONCATS = {torch.cat, torch.concat, torch.concatenate, torch.stack}

# One FLOP per output element (costs.py: bias, normalisation, activation, pooling, elementwise merge).
ELEMENTWISE = MERGES | {
    torch.relu, torch.Tensor.relu, F.relu, F.relu_, torch.relu_, torch.Tensor.relu_, F.gelu, F.silu, F.leaky_relu, F.elu, F.hardswish,
    F.hardsigmoid, F.mish, F.softplus, torch.sigmoid, torch.Tensor.sigmoid, torch.tanh, torch.Tensor.tanh, F.sigmoid, F.tanh,
    F.softmax, torch.softmax, torch.Tensor.softmax, F.log_softmax, F.layer_norm, F.group_norm, F.batch_norm,
    F.instance_norm, F.max_pool1d, F.max_pool2d, F.max_pool3d, F.avg_pool1d, F.avg_pool2d, F.avg_pool3d,
    F.adaptive_avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_avg_pool3d, F.adaptive_max_pool1d, F.adaptive_max_pool2d,
    F.adaptive_max_pool3d, torch.Tensor.mean, torch.mean, torch.Tensor.div, torch.Tensor.__truediv__, torch.div,
    torch.Tensor.__iadd__, torch.Tensor.mul_, torch.Tensor.sum, torch.sum,
}


def function_name(func) -> str:
    """A short readable name for a torch function: ``add``, ``view``, ``relu``, ``conv2d``."""
    name = getattr(func, "__name__", None) or str(func)
    name = name.strip("_")
    if name.startswith("i") and name[1:] in ("add", "mul", "sub"):
        name = name[1:]
    if name.startswith("r") and name[1:] in ("add", "mul", "sub"):
        name = name[1:]
    return name.rstrip("_") or name


def is_framework_module(module: nn.Module) -> bool:
    """Modules written in PyTorch itself whose internals are implementation, absorbed into one row.

    Containers (``Sequential``, ``ModuleList``, ``TransformerEncoderLayer``...) are not: their
    children get rows of their own. ``MultiheadAttention`` is, although it has a child: its
    ``out_proj`` weight is used functionally, never called. A TorchScript module is too: its
    submodules run inside the TorchScript interpreter, where no Python hook sees them. A class taught
    by ``register`` is too: the user said it is one layer.
    """
    if isinstance(module, torch.jit.ScriptModule):
        return True
    cls = module_type(module)
    if cls in _REGISTERED_MODULES:  # taught by register(): a layer, whatever runs inside it
        return True
    if not cls.__module__.startswith("torch."):
        return False
    if cls is not type(module):  # parametrized (module_type gave the real class): its only children are the parametrizations
        return True
    if isinstance(module, nn.MultiheadAttention):
        return True
    return not has_children(module)


def has_children(module: nn.Module) -> bool:
    """Whether ``module`` has a child module (``any(module.children())``, without the generator)."""
    for child in module._modules.values():
        if child is not None:
            return True
    return False


# --- functional layers ---------------------------------------------------------------------
# A functional call that is a layer in disguise (``F.max_pool2d(x, 2)``, ``F.conv2d(x, w)``) is
# mapped to its core layer, so its row gets the worked calculation and counts in the receptive
# field. Each entry: function object -> (core layer name, the function's parameter names after
# ``input`` in PyTorch's order, a builder from those arguments (and the input shape) to the core
# constructor's keyword arguments).
def _arguments(names, args, kwargs) -> dict:
    bound = dict(zip(names, args[1:]))
    bound.update({k: v for k, v in kwargs.items() if k in names})
    return bound


def _pool_args(a, x_shape):
    out = dict(kernel_size=a["kernel_size"], stride=a.get("stride") or None, padding=a.get("padding", 0),
               ceil_mode=bool(a.get("ceil_mode", False)))
    if "dilation" in a:
        out["dilation"] = a["dilation"]
    if "count_include_pad" in a:
        out["count_include_pad"] = bool(a["count_include_pad"])
    if a.get("divisor_override") is not None:
        out["divisor_override"] = a["divisor_override"]
    return out


def _conv_args(a, x_shape):
    w = a["weight"]
    groups = a.get("groups", 1)
    padding = a.get("padding", 0)
    return dict(in_channels=x_shape[1], out_channels=w.shape[0], kernel_size=tuple(w.shape[2:]), stride=a.get("stride", 1),
                padding=padding, dilation=a.get("dilation", 1), groups=groups, bias=a.get("bias") is not None)


def _convt_args(a, x_shape):
    w = a["weight"]
    groups = a.get("groups", 1)
    return dict(in_channels=x_shape[1], out_channels=w.shape[1] * groups, kernel_size=tuple(w.shape[2:]), stride=a.get("stride", 1),
                padding=a.get("padding", 0), output_padding=a.get("output_padding", 0), groups=groups,
                dilation=a.get("dilation", 1), bias=a.get("bias") is not None)


def _interpolate_args(a, x_shape):
    return dict(size=a.get("size"), scale_factor=a.get("scale_factor"), mode=a.get("mode", "nearest"))


def _adaptive_args(a, x_shape):
    return dict(output_size=a["output_size"])


_MAX = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
_AVG = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")
_CONV = ("weight", "bias", "stride", "padding", "dilation", "groups")
_CONVT = ("weight", "bias", "stride", "padding", "output_padding", "groups", "dilation")

FUNCTIONS: dict[object, tuple[str, tuple[str, ...], object]] = {}
for _n in (1, 2, 3):
    FUNCTIONS[getattr(F, f"max_pool{_n}d")] = (f"MaxPool{_n}d", _MAX, _pool_args)
    FUNCTIONS[getattr(torch, f"max_pool{_n}d")] = (f"MaxPool{_n}d", _MAX[:-1], _pool_args)
    FUNCTIONS[getattr(F, f"avg_pool{_n}d")] = (f"AvgPool{_n}d", _AVG, _pool_args)
    FUNCTIONS[getattr(F, f"conv{_n}d")] = (f"Conv{_n}d", _CONV, _conv_args)
    FUNCTIONS[getattr(F, f"conv_transpose{_n}d")] = (f"ConvTranspose{_n}d", _CONVT, _convt_args)
    FUNCTIONS[getattr(F, f"adaptive_avg_pool{_n}d")] = (f"AdaptiveAvgPool{_n}d", ("output_size",), _adaptive_args)
    FUNCTIONS[getattr(F, f"adaptive_max_pool{_n}d")] = (f"AdaptiveMaxPool{_n}d", ("output_size", "return_indices"), _adaptive_args)
def _pad_args(a, x_shape):
    if a.get("mode", "constant") != "constant" or len(a["pad"]) != 4 or len(x_shape) != 4:
        raise ValueError(tr("only 2-D constant padding is a ZeroPad2d"))
    return dict(padding=tuple(a["pad"]))


FUNCTIONS[F.pad] = ("ZeroPad2d", ("pad", "mode", "value"), _pad_args)
FUNCTIONS[torch.avg_pool1d] = ("AvgPool1d", _AVG[:-1], _pool_args)
FUNCTIONS[F.interpolate] = ("Upsample", ("size", "scale_factor", "mode", "align_corners"), _interpolate_args)


def core_layer_of_call(func, args, kwargs) -> Layer | None:
    """The core layer a functional call computes (``F.max_pool2d(x, 2)`` -> ``MaxPool2d(2)``), or None."""
    if not args or not isinstance(args[0], torch.Tensor):
        return None
    handler = _REGISTERED_FUNCTIONS.get(func)
    if handler is not None:
        try:
            return handler(*args, **(kwargs or {}))
        except (LayerError, TypeError, ValueError, KeyError, IndexError):
            return None
    entry = FUNCTIONS.get(func)
    if entry is None:
        return None
    name, names, build = entry
    cls = LAYERS.get(name)
    if cls is None:
        return None
    try:
        kw = build(_arguments(names, args, kwargs or {}), tuple(args[0].shape))
        kw = {k: v for k, v in kw.items() if k in cls.__dataclass_fields__}
        return cls(**kw)
    except (LayerError, TypeError, ValueError, KeyError, IndexError):
        return None

