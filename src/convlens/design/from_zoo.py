"""Zoo models -> spec documents (``convlens zoo spec NAME``).

A PyTorch zoo model is built on the ``meta`` device and its ``forward`` read by ``torch.fx``
(symbolic tracing: the graph of module calls and functions, no tensor computed). Every module
call maps to its core layer through the torch front end's one table (``frontends.torch._ops``),
written with the arguments that differ from the defaults; ``x + y``/``torch.cat`` become merges,
``torch.relu``/``flatten``/``view(x.size(0), -1)`` their layers. Where a merge's inputs are
chains that start at one fork, the stretch is written as ``branches`` (a residual block in a few
lines); anything else keeps explicit ``inputs``.

A Keras zoo model is read layer by layer through the Keras front end's table.

What a spec cannot express is refused by name (``ZooSpecError``), never approximated silently;
an operation that changes no shape, parameter or MAC and has no spec layer (FastNet's final
``* scale``) is left out with a note in the spec's ``notes``.
"""

from __future__ import annotations

import operator

from ..core.network import INPUT
from ._structure import fold_blocks, with_branches


class ZooSpecError(ValueError):
    """A zoo model, or one of its operations, that the spec format cannot express."""


def zoo_document(name: str) -> dict:
    """The spec document of zoo model ``name`` at its documented input size."""
    from .. import zoo

    entry = zoo.get(name)
    if entry.framework == "keras":
        return _keras_document(entry)
    return _torch_document(entry)


def zoo_yaml(name: str) -> str:
    from .. import zoo
    from ._dump import dump

    entry = zoo.get(name)
    header = f"{entry.name}: {entry.description}\nfrom convlens's zoo ({entry.reference}); {entry.published_params:,} parameters published"
    return dump(zoo_document(name), header=header)


# --- values ---------------------------------------------------------------------------------
def _simple(value):
    """``(3, 3)`` -> 3 where every element is equal (the frameworks read both the same)."""
    if isinstance(value, (tuple, list)):
        if value and all(v == value[0] for v in value) and isinstance(value[0], int) and not isinstance(value[0], bool):
            return value[0]
        return [_simple(v) for v in value]
    return value


# --- PyTorch ----------------------------------------------------------------------------------
def _torch_document(entry) -> dict:
    import torch
    import torch.fx
    import torch.nn.functional as F

    from .. import zoo

    with torch.device("meta"):
        model = zoo.build(entry.name)
    doc = {"name": entry.name, "framework": "pytorch", "input": list(entry.input_size)}
    single = _core_of(model)
    if single is not None:  # the model is one layer (zoo:mnist-conv)
        return {**doc, "layers": [{"type": single.type_name, **single.arguments(plain=_simple)}]}
    try:
        graph = _Tracer().trace(model)
    except Exception as exc:  # fx cannot follow this forward (data-dependent control flow)
        raise ZooSpecError(f"zoo:{entry.name}: its forward cannot be read as a graph ({type(exc).__name__}: {exc})") from None

    adds = {operator.add, operator.iadd, torch.add}
    relus = {torch.relu, F.relu}
    items: list[dict] = []
    notes: list[str] = []
    ref: dict = {}  # fx node -> spec name, or INPUT
    used: dict[str, int] = {}

    def unique(name: str) -> str:
        used[name] = used.get(name, 0) + 1
        return name if used[name] == 1 else f"{name}_{used[name] - 1}"

    def source(arg, node) -> str:
        if arg not in ref:
            raise ZooSpecError(f"zoo:{entry.name}: {_describe(node)} reads {arg}, which is not a tensor the spec has")
        return ref[arg]

    def emit(node, item, inputs):
        name = item.pop("name")
        if node.op != "call_module":  # a function called inside a module: named by the function, in that module (layer1.0.add)
            from ..frontends.torch._ops import function_name

            name = node.target if isinstance(node.target, str) else function_name(node.target)
            scope = list((node.meta.get("nn_module_stack") or {}).values())
            name = f"{scope[-1][0]}.{name}" if scope and scope[-1][0] else name
        item = {"type": item.pop("type"), "name": unique(name), **item}
        item["inputs"] = list(inputs)
        items.append(item)
        ref[node] = item["name"]

    for node in graph.nodes:
        where = f"zoo:{entry.name}: {_describe(node)} in its forward"
        if node.op == "placeholder":
            ref[node] = INPUT
        elif node.op == "output":
            out = node.args[0]
            if ref.get(out) != (items[-1]["name"] if items else None):
                raise ZooSpecError(f"{where}: the output is not the last layer")
        elif node.op == "get_attr":
            raise ZooSpecError(f"{where}: reads a tensor attribute directly; the spec has no such layer")
        elif node.op == "call_module":
            module = model.get_submodule(node.target)
            layer = _core_of(module)
            if layer is None:
                raise ZooSpecError(f"{where}: {type(module).__name__} has no core layer")
            emit(node, {"type": layer.type_name, "name": node.target, **layer.arguments(plain=_simple)}, [source(node.args[0], node)])
        elif node.target in adds or node.target == "add" or node.target == "__iadd__":
            a, b = node.args[:2]
            if not all(isinstance(v, torch.fx.Node) for v in (a, b)):
                raise ZooSpecError(f"{where}: adds a constant; the spec's add merges two tensors")
            emit(node, {"type": "add", "name": node.name}, [source(a, node), source(b, node)])
        elif node.target in (torch.cat, torch.concat):
            tensors = node.args[0]
            dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
            emit(node, {"type": "cat", "name": node.name, **({"dim": dim} if dim != 1 else {})}, [source(t, node) for t in tensors])
        elif node.target in relus or node.target == "relu":
            emit(node, {"type": "ReLU", "name": node.name}, [source(node.args[0], node)])
        elif node.target in (torch.flatten, "flatten"):
            start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0 if node.target is torch.flatten else 0)
            emit(node, {"type": "Flatten", "name": node.name, **({"start_dim": start} if start != 1 else {})}, [source(node.args[0], node)])
        elif node.target in ("view", "reshape"):
            x, *shape = node.args
            batch = shape[0] if shape else None
            keeps_batch = isinstance(batch, torch.fx.Node) and batch.target == "size" and batch.args[0] is x and batch.args[1:] == (0,)
            if not (keeps_batch and shape[1:] == [-1]):
                raise ZooSpecError(f"{where}: a {node.target} to {tuple(shape)} has no spec layer (the spec flattens with Flatten, "
                                   "which keeps the batch dimension); a view that folds the batch cannot be written as a spec")
            emit(node, {"type": "Flatten", "name": node.name}, [source(x, node)])
        elif node.target == "size":
            continue  # read only by a view handled above
        elif node.target is F.adaptive_avg_pool2d:
            size = node.args[1] if len(node.args) > 1 else node.kwargs["output_size"]
            emit(node, {"type": "AdaptiveAvgPool2d", "name": node.name, "output_size": _simple(size)}, [source(node.args[0], node)])
        elif node.target in (operator.mul, operator.truediv) and isinstance(node.args[1], (int, float)):
            ref[node] = source(node.args[0], node)
            op = "multiplied by" if node.target is operator.mul else "divided by"
            notes.append(f"forward's output of {ref[node]} {op} the constant {node.args[1]:g} is left out: the spec has no such layer, "
                         "and it changes no shape, parameter or MAC (only one FLOP per output element)")
        else:
            raise ZooSpecError(f"{where}: {getattr(node.target, '__name__', node.target)} has no spec layer")
    blocks, items = fold_blocks(with_branches(items), lambda name: _scope(model, name), lambda scope: type(model.get_submodule(scope)).__name__)
    if notes:
        doc["notes"] = notes
    if blocks:
        doc["blocks"] = blocks
    doc["layers"] = items
    return doc


def _scope(model, name: str) -> str | None:
    """The module instance a layer belongs to (``layer1.0`` for ``layer1.0.conv1``): the first module on its
    path that is neither a container (Sequential, ModuleList) nor a leaf; None for a top-level layer."""
    import torch.nn as nn

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


def _describe(node) -> str:
    """``view(pool_2, -1, 6272)``: an fx node as a call."""
    target = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", str(node.target))
    args = [str(a) for a in node.args] + [f"{k}={v}" for k, v in node.kwargs.items()]
    return f"{target}({', '.join(args)})"


def _mapped_base(module):
    """The class in the torch front end's table that ``module`` is, when it keeps that class's forward."""
    from ..frontends.torch._ops import MODULES

    for cls in type(module).__mro__:
        if cls in MODULES:
            return cls if type(module).forward is cls.forward else None
    return None


def _core_of(module):
    from ..core import LAYERS
    from ..frontends.torch._ops import MODULES

    base = _mapped_base(module)
    if base is None:
        return None
    name, args = MODULES[base]
    cls = LAYERS[name]
    return cls(**{k: v for k, v in args(module).items() if k in cls.__dataclass_fields__})


def _tracer_class():
    import torch.fx

    class Tracer(torch.fx.Tracer):
        """Stops at every module the table maps (subclasses such as ``Conv(nn.Conv2d)`` included)."""

        def is_leaf_module(self, m, qualname):
            return _mapped_base(m) is not None or super().is_leaf_module(m, qualname)

    return Tracer


def _Tracer():  # noqa: N802 - builds the class on first use so that importing this module needs no torch
    return _tracer_class()()


# --- Keras ----------------------------------------------------------------------------------
def _keras_document(entry) -> dict:
    """Each layer of a Sequential zoo model mapped to its core layer by the Keras front end's one
    table (``frontends.keras._layers.core_layer``); a layer the core has no formula for is refused."""
    from .. import zoo
    from ..core.reported import InputLayer, Reported
    from ..frontends.keras._layers import core_layer

    model = zoo.build(entry.name)  # the zoo's Keras module sets KERAS_BACKEND=torch unless already chosen
    if type(model).__name__ != "Sequential":
        raise ZooSpecError(f"zoo:{entry.name}: only Sequential Keras models are converted; this one is {type(model).__name__}")
    items = []
    for layer in model.layers:
        core, note = core_layer(layer, (tuple(layer.output.shape),))
        if isinstance(core, InputLayer):  # the spec's input: written once, as "input"
            continue
        if isinstance(core, Reported):
            raise ZooSpecError(f"zoo:{entry.name}: Keras layer {layer.name} ({type(layer).__name__}) has no core layer: {note}")
        items.append({"type": core.type_name, "name": layer.name, **core.arguments(plain=_simple)})
    shape = tuple(model.inputs[0].shape)
    return {"name": entry.name, "framework": "keras", "input": list(shape), "layers": items}
