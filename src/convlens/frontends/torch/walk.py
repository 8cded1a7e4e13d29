"""A model's forward read as a graph by ``torch.fx`` (symbolic tracing: module calls and functions,
no tensor computed) -> the core layers and merges it is made of, in order (``walk``).

Every module call maps to its core layer through the one table (``ops.core_layer``, subclasses
that keep a table entry's ``forward`` included: ``class Conv(nn.Conv2d)``); ``x + y`` and
``torch.cat`` become merges; ``torch.relu``, ``flatten``, ``view(x.size(0), -1)`` and
``F.adaptive_avg_pool2d`` their core layers; a constant ``* s`` or ``/ s`` at the output is a
``scale`` step (it changes no shape, parameter or MAC). Anything else is refused by name
(``GraphError``), never approximated. ``zoo spec`` (``convlens.design.from_zoo``) turns the walk
into a spec document.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

from ...core import LAYERS, Layer
from ...core.network import INPUT
from ...i18n import tr
from . import ops


class GraphError(ValueError):
    """A forward, or one of its operations, that the walk cannot express as core layers and merges."""


@dataclass(frozen=True)
class Step:
    """One operation of the forward."""

    kind: str  # "layer" (``layer`` is its core layer), "add", "cat" or "scale"
    name: str  # the module's path (``layer1.0.conv1``) or the function's name in its module (``layer1.0.add``), unique
    inputs: tuple[str, ...]  # the names of the steps it reads (``core.network.INPUT`` for the model's input)
    layer: Layer | None = None
    dim: int = 1  # the dimension a "cat" joins
    factor: tuple[str, float] | None = None  # a "scale": ("multiplied by" | "divided by", the constant)


@dataclass(frozen=True)
class Walk:
    steps: tuple[Step, ...]
    scopes: Mapping[str, str | None] = field(default_factory=dict)  # step name -> the block instance it belongs to (``layer1.0``)
    scope_types: Mapping[str, str] = field(default_factory=dict)  # block instance -> its class name (``Bottleneck``)
    whole: bool = False  # the model is one mapped layer: its one step stands for the model (no name of its own)


def walk(model: nn.Module) -> Walk:
    """The steps of ``model``'s forward. A model that is one mapped layer (``nn.Conv2d``) is one step."""
    single = ops.core_layer(model, inherit=True)
    if single is not None:
        return Walk((Step("layer", type(model).__name__, (INPUT,), single),), whole=True)
    try:
        graph = _tracer_class()().trace(model)
    except Exception as exc:  # fx cannot follow this forward (data-dependent control flow)
        raise GraphError(tr("its forward cannot be read as a graph ({error})", error=f"{type(exc).__name__}: {exc}")) from None

    adds = {operator.add, operator.iadd, torch.add}
    relus = {torch.relu, F.relu}
    steps: list[Step] = []
    ref: dict = {}  # fx node -> step name, or INPUT
    used: dict[str, int] = {}

    def unique(name: str) -> str:
        used[name] = used.get(name, 0) + 1
        return name if used[name] == 1 else f"{name}_{used[name] - 1}"

    def source(arg, node) -> str:
        if arg not in ref:
            raise GraphError(tr("{call} reads {arg}, which is not a tensor the spec has", call=describe(node), arg=arg))
        return ref[arg]

    def emit(node, kind, name, inputs, **options):
        if node.op != "call_module":  # a function called inside a module: named by the function, in that module (layer1.0.add)
            name = node.target if isinstance(node.target, str) else ops.function_name(node.target)
            scope = list((node.meta.get("nn_module_stack") or {}).values())
            name = f"{scope[-1][0]}.{name}" if scope and scope[-1][0] else name
        step = Step(kind, unique(name), tuple(inputs), **options)
        steps.append(step)
        ref[node] = step.name

    def layer(node, core, inputs):
        emit(node, "layer", node.name, inputs, layer=core)

    for node in graph.nodes:
        where = describe(node)
        if node.op == "placeholder":
            ref[node] = INPUT
        elif node.op == "output":
            out = node.args[0]
            if ref.get(out) != (steps[-1].name if steps else None):
                raise GraphError(tr("{call} in its forward: the output is not the last layer", call=where))
        elif node.op == "get_attr":
            raise GraphError(tr("{call} in its forward: reads a tensor attribute directly; the spec has no such layer", call=where))
        elif node.op == "call_module":
            module = model.get_submodule(node.target)
            core = ops.core_layer(module, inherit=True)
            if core is None:
                raise GraphError(tr("{call} in its forward: {type} has no core layer", call=where, type=type(module).__name__))
            emit(node, "layer", node.target, [source(node.args[0], node)], layer=core)
        elif node.target in adds or node.target == "add" or node.target == "__iadd__":
            a, b = node.args[:2]
            if not all(isinstance(v, torch.fx.Node) for v in (a, b)):
                raise GraphError(tr("{call} in its forward: adds a constant; the spec's add merges two tensors", call=where))
            emit(node, "add", node.name, [source(a, node), source(b, node)])
        elif node.target in (torch.cat, torch.concat):
            tensors = node.args[0]
            dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
            emit(node, "cat", node.name, [source(t, node) for t in tensors], dim=dim)
        elif node.target in relus or node.target == "relu":
            layer(node, LAYERS["ReLU"](), [source(node.args[0], node)])
        elif node.target in (torch.flatten, "flatten"):
            start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
            layer(node, LAYERS["Flatten"](start_dim=start), [source(node.args[0], node)])
        elif node.target in ("view", "reshape"):
            x, *shape = node.args
            batch = shape[0] if shape else None
            keeps_batch = isinstance(batch, torch.fx.Node) and batch.target == "size" and batch.args[0] is x and batch.args[1:] == (0,)
            if not (keeps_batch and shape[1:] == [-1]):
                raise GraphError(tr("{call} in its forward: a {op} to {shape} has no spec layer (the spec flattens with Flatten, "
                                    "which keeps the batch dimension); a view that folds the batch cannot be written as a spec",
                                    call=where, op=node.target, shape=tuple(shape)))
            layer(node, LAYERS["Flatten"](), [source(x, node)])
        elif node.target == "size":
            continue  # read only by a view handled above
        elif node.target is F.adaptive_avg_pool2d:
            size = node.args[1] if len(node.args) > 1 else node.kwargs["output_size"]
            layer(node, LAYERS["AdaptiveAvgPool2d"](output_size=size), [source(node.args[0], node)])
        elif node.target in (operator.mul, operator.truediv) and isinstance(node.args[1], (int, float)):
            ref[node] = source(node.args[0], node)
            op = "multiplied by" if node.target is operator.mul else "divided by"
            steps.append(Step("scale", ref[node], (ref[node],), factor=(op, node.args[1])))
        else:
            raise GraphError(tr("{call} in its forward: {op} has no spec layer", call=where, op=getattr(node.target, "__name__", node.target)))
    scopes = {s.name: _scope(model, s.name) for s in steps if s.kind != "scale"}
    types = {scope: type(model.get_submodule(scope)).__name__ for scope in set(scopes.values()) if scope}
    return Walk(tuple(steps), MappingProxyType(scopes), MappingProxyType(types))


def _scope(model, name: str) -> str | None:
    """The module instance a layer belongs to (``layer1.0`` for ``layer1.0.conv1``): the first module on its
    path that is neither a container (Sequential, ModuleList) nor a leaf; None for a top-level layer."""
    parts = name.split(".")
    for i in range(1, len(parts)):
        prefix = ".".join(parts[:i])
        try:
            module = model.get_submodule(prefix)
        except AttributeError:
            return None
        if isinstance(module, (nn.Sequential, nn.ModuleList, nn.ModuleDict)):
            continue
        return prefix if any(True for _ in module.children()) else None
    return None


def describe(node) -> str:
    """``view(pool_2, -1, 6272)``: an fx node as a call."""
    target = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", str(node.target))
    args = [str(a) for a in node.args] + [f"{k}={v}" for k, v in node.kwargs.items()]
    return f"{target}({', '.join(args)})"


def _tracer_class():
    class Tracer(torch.fx.Tracer):
        """Stops at every module the table maps (subclasses such as ``Conv(nn.Conv2d)`` included)."""

        def is_leaf_module(self, m, qualname):
            return ops.is_mapped(m, inherit=True) or super().is_leaf_module(m, qualname)

    return Tracer
