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
from dataclasses import fields

from ..core.network import INPUT


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


def _arguments(layer) -> dict:
    out = {}
    for f in fields(layer):
        if not f.init or f.metadata.get("hidden"):
            continue
        value = getattr(layer, f.name)
        if value == f.default or _simple(value) == f.default:
            continue
        out[f.name] = _simple(value)
    return out


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
        return {**doc, "layers": [{"type": single.type_name, **_arguments(single)}]}
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
            emit(node, {"type": layer.type_name, "name": node.target, **_arguments(layer)}, [source(node.args[0], node)])
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
    blocks, items = _fold(_structure(items), model)
    if notes:
        doc["notes"] = notes
    if blocks:
        doc["blocks"] = blocks
    doc["layers"] = items
    return doc


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


# --- structure: explicit inputs -> branches ---------------------------------------------------
def _structure(items: list[dict]) -> list[dict]:
    """Rewrite fork … merge stretches as ``branches`` items and drop ``inputs`` that read the previous layer."""
    changed = True
    while changed:
        changed = False
        resolved = _resolved(items)
        for m, item in enumerate(items):
            if item.get("type") in ("add", "cat") and "branches" not in item:
                rewritten = _branches_at(items, resolved, m)
                if rewritten is not None:
                    items = rewritten
                    changed = True
                    break
    previous = INPUT
    for item in items:
        if item.get("inputs") == [previous]:
            del item["inputs"]
        previous = item["name"]
    return items


def _resolved(items):
    out, previous = [], INPUT
    for item in items:
        out.append(list(item.get("inputs", [previous])))
        previous = item["name"]
    return out


def _branches_at(items, resolved, m):
    position = {item["name"]: i for i, item in enumerate(items)}
    readers: dict[str, int] = {}
    for inputs in resolved:
        for s in inputs:
            readers[s] = readers.get(s, 0) + 1
    chains, forks = [], set()
    for start in resolved[m]:
        chain, cur = [], start
        while cur != INPUT and readers.get(cur, 0) == 1 and len(resolved[position[cur]]) == 1 and "branches" not in items[position[cur]] \
                and items[position[cur]].get("type") not in ("add", "cat"):
            chain.append(cur)
            cur = resolved[position[cur]][0]
        forks.add(cur)
        chains.append(list(reversed(chain)))
    if len(forks) != 1:
        return None
    fork = forks.pop()
    first = 0 if fork == INPUT else position[fork] + 1
    inside = sorted(position[n] for chain in chains for n in chain)
    if inside != list(range(first, m)) or readers.get(fork, 0) != len(chains):
        return None
    merge = items[m]
    branch_items = [[{k: v for k, v in items[position[n]].items() if k != "inputs"} for n in chain] for chain in chains]
    new = {"branches": branch_items, "merge": merge["type"], "name": merge["name"]}
    if "dim" in merge:
        new["dim"] = merge["dim"]
    return items[:first] + [new] + items[m + 1:]


# --- structure: module instances -> parameterised blocks ----------------------------------------
_WORDS = ("type", "name", "merge", "inputs", "dim", "branches")  # keys that are structure, not arguments


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


def _names(item):
    if "branches" in item:
        yield item["name"]
        for branch in item["branches"]:
            for sub in branch:
                yield from _names(sub)
    else:
        yield item["name"]


def _local(item, prefix: str):
    """The item with its names relative to the block instance ``prefix``."""
    out = dict(item)
    out["name"] = item["name"][len(prefix) + 1:]
    if "branches" in item:
        out["branches"] = [[_local(sub, prefix) for sub in branch] for branch in item["branches"]]
    return out


def _values(item, path=()):
    """(path, value) of every argument, in order."""
    if "branches" in item:
        for j, branch in enumerate(item["branches"]):
            for k, sub in enumerate(branch):
                yield from _values(sub, path + ("branches", j, k))
        return
    for key, value in item.items():
        if key not in _WORDS:
            yield path + (key,), value


def _skeleton(item):
    if "branches" in item:
        return ("branches", item["name"], item["merge"], item.get("dim"), tuple(tuple(_skeleton(s) for s in b) for b in item["branches"]))
    return (item["type"], item["name"], tuple(k for k in item if k not in ("type", "name")))


def _fold(items: list[dict], model) -> tuple[dict, list[dict]]:
    """Contiguous layers of one module instance become a use of a block; instances of one class with
    the same layers share the block, the values that differ becoming its parameters. A class used
    once, or layers that read explicit inputs, stay as they are. Returns the blocks and the new items."""
    scoped = []
    for item in items:
        names = list(_names(item))
        scope = _scope(model, item["name"])
        if scope is None or any("inputs" in i for i in _flat(item)) or not all(n.startswith(scope + ".") for n in names):
            scope = None
        if scoped and scope is not None and scoped[-1][0] == scope:
            scoped[-1][1].append(item)
        else:
            scoped.append((scope, [item]))
    instances: dict[tuple, list] = {}
    for scope, group in scoped:
        if scope is not None:
            local = [_local(i, scope) for i in group]
            key = (type(model.get_submodule(scope)).__name__, tuple(_skeleton(i) for i in local))
            instances.setdefault(key, []).append((scope, local))
    blocks, uses, taken = {}, {}, {}
    for (cls, _), members in instances.items():
        if len(members) < 2:
            continue
        count = taken[cls] = taken.get(cls, 0) + 1
        block = cls if count == 1 else f"{cls}_{count}"
        columns = [list(_all_values(local)) for _, local in members]
        params, names_of = {}, {}
        for position in range(len(columns[0])):
            path, _ = columns[0][position]
            seen = tuple(c[position][1] for c in columns)
            if len(set(map(repr, seen))) == 1:
                continue
            if seen not in names_of:
                base = str(path[-1])
                name = base if base not in params else f"{base}_{sum(1 for p in params if p.startswith(base)) + 1}"
                names_of[seen], params[name] = name, None
        layers = _substitute(members[0][1], columns[0], {pos: names_of[tuple(c[pos][1] for c in columns)] for pos in range(len(columns[0]))
                                                          if tuple(c[pos][1] for c in columns) in names_of})
        blocks[block] = {"params": params, "layers": layers} if params else {"layers": layers}
        for member, column in zip(members, columns):
            given = {}
            for pos, (path, value) in enumerate(column):
                name = names_of.get(tuple(c[pos][1] for c in columns))
                if name is not None:
                    given[name] = value
            uses[member[0]] = {"block": block, "name": member[0], **({"with": given} if given else {})}
    if not blocks:
        return {}, items
    out = []
    for scope, group in scoped:
        if scope in uses:
            out.append(uses[scope])
        else:
            out.extend(group)
    return blocks, out


def _flat(item):
    yield item
    for branch in item.get("branches", []):
        for sub in branch:
            yield from _flat(sub)


def _all_values(local):
    for k, item in enumerate(local):
        yield from _values(item, (k,))


def _substitute(local, column, params_at):
    """The instance's layers with the values at ``params_at`` (position -> parameter) written ``$param``."""
    import copy

    layers = copy.deepcopy(local)
    for pos, name in params_at.items():
        path, _ = column[pos]
        target = layers[path[0]]
        for step in path[1:-1]:
            target = target[step]
        target[path[-1]] = f"${name}"
    return layers


# --- Keras ----------------------------------------------------------------------------------
def _keras_document(entry) -> dict:
    from .. import zoo
    from ..frontends.keras import _core_layer, _keras, _table

    keras = _keras()
    model = zoo.build(entry.name)
    if not isinstance(model, keras.Sequential):
        raise ZooSpecError(f"zoo:{entry.name}: only Sequential Keras models are converted")
    table = _table()
    items = []
    for layer in model.layers:
        core = _core_layer(layer, table)
        if core is None:
            raise ZooSpecError(f"zoo:{entry.name}: Keras layer {layer.name} ({type(layer).__name__}) has no core layer")
        items.append({"type": core.type_name, "name": layer.name, **_arguments(core)})
    shape = tuple(model.inputs[0].shape)
    return {"name": entry.name, "framework": "keras", "input": list(shape), "layers": items}
