"""Zoo models -> spec documents (``convlens zoo spec NAME``).

A PyTorch zoo model is built on the ``meta`` device and its ``forward`` read by the torch front
end's ``torch.fx`` walk (``frontends.torch.walk``: the core layers and merges it is made of, each
module mapped through the one table ``frontends.torch.ops``). Here each step becomes a spec item,
written with the arguments that differ from the defaults; ``x + y``/``torch.cat`` become merges.
Where a merge's inputs are chains that start at one fork, the stretch is written as ``branches``
(a residual block in a few lines); anything else keeps explicit ``inputs``.

A Keras zoo model is read layer by layer through the Keras front end's table (``frontends.keras.layers``).

What a spec cannot express is refused by name (``ZooSpecError``), never approximated silently;
an operation that changes no shape, parameter or MAC and has no spec layer (FastNet's final
``* scale``) is left out with a note in the spec's ``notes``.
"""

from __future__ import annotations

from ..core.framework import Framework
from ..errors import UserError
from ..i18n import N_, tr
from ._structure import fold_blocks, with_branches


class ZooSpecError(UserError):
    """A zoo model, or one of its operations, that the spec format cannot express."""


def zoo_document(name: str) -> dict:
    """The spec document of zoo model ``name`` at its documented input size."""
    from .. import zoo

    entry = zoo.get(name)
    if entry.framework is Framework.KERAS:
        return _keras_document(entry)
    return _torch_document(entry)


def zoo_yaml(name: str) -> str:
    from .. import zoo
    from ._dump import dump

    entry = zoo.get(name)
    header = f"{entry.name}: {entry.description}\n" + tr("from convlens's zoo ({reference}); {n} parameters published",
                                                        reference=entry.reference, n=f"{entry.published_params:,}")
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

    from .. import zoo
    from ..frontends.torch.walk import GraphError, walk

    with torch.device("meta"):
        model = zoo.build(entry.name)
    doc = {"name": entry.name, "framework": Framework.TORCH.word, "input": list(entry.input_size)}
    try:
        graph = walk(model)
    except GraphError as exc:
        raise ZooSpecError(f"zoo:{entry.name}: {exc}") from None
    if graph.whole:  # the model is one layer (zoo:mnist-conv)
        layer = graph.steps[0].layer
        return {**doc, "layers": [{"type": layer.type_name, **layer.arguments(plain=_simple)}]}
    items: list[dict] = []
    notes: list[str] = []
    for step in graph.steps:
        if step.kind == "scale":
            op, constant = step.factor
            message = (N_("forward's output of {layer} multiplied by the constant {constant} is left out: the spec has no such "
                          "layer, and it changes no shape, parameter or MAC (only one FLOP per output element)")
                       if op == "multiplied by" else
                       N_("forward's output of {layer} divided by the constant {constant} is left out: the spec has no such "
                          "layer, and it changes no shape, parameter or MAC (only one FLOP per output element)"))
            notes.append(tr(message, layer=step.name, constant=f"{constant:g}"))
            continue
        if step.kind == "layer":
            item = {"type": step.layer.type_name, "name": step.name, **step.layer.arguments(plain=_simple)}
        else:  # a merge: "add", or "cat" (along dim 1 unless it says otherwise)
            item = {"type": step.kind, "name": step.name, **({"dim": step.dim} if step.kind == "cat" and step.dim != 1 else {})}
        item["inputs"] = list(step.inputs)
        items.append(item)
    blocks, items = fold_blocks(with_branches(items), graph.scopes.get, graph.scope_types.__getitem__)
    if notes:
        doc["notes"] = notes
    if blocks:
        doc["blocks"] = blocks
    doc["layers"] = items
    return doc


# --- Keras ----------------------------------------------------------------------------------
def _keras_document(entry) -> dict:
    """Each layer of a Sequential zoo model mapped to its core layer by the Keras front end's one
    table (``frontends.keras.layers.core_layer``); a layer the core has no formula for is refused."""
    from .. import zoo
    from ..core.reported import InputLayer, Reported
    from ..frontends.keras.layers import core_layer

    model = zoo.build(entry.name)  # the zoo's Keras module sets KERAS_BACKEND=torch unless already chosen
    if type(model).__name__ != "Sequential":
        raise ZooSpecError(tr("{target}: only Sequential Keras models are converted; this one is {type}", target=f"zoo:{entry.name}",
                                 type=type(model).__name__))
    items = []
    for layer in model.layers:
        core, note = core_layer(layer, (tuple(layer.output.shape),))
        if isinstance(core, InputLayer):  # the spec's input: written once, as "input"
            continue
        if isinstance(core, Reported):
            raise ZooSpecError(tr("{target}: Keras layer {layer} ({type}) has no core layer: {note}", target=f"zoo:{entry.name}",
                                     layer=layer.name, type=type(layer).__name__, note=note))
        items.append({"type": core.type_name, "name": layer.name, **core.arguments(plain=_simple)})
    shape = tuple(model.inputs[0].shape)
    return {"name": entry.name, "framework": Framework.KERAS.word, "input": list(shape), "layers": items}
