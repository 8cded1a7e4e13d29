"""Reading a Keras 3 model's graph: every layer call, in an order where inputs come first.

A Functional model (and a Sequential one, through the Functional Keras keeps inside it) is read
from its nodes (``model._nodes_by_depth``: deeper nodes run first); tensors are matched to the
call that produced them, so branches, merges, several inputs and outputs, shared layers and
operations applied to tensors (``x + 1``) are all seen. A nested model is walked in place: its
inputs are bound to the tensors the outer call passes, and its calls are named ``outer.inner``.
A subclassed model has no graph; its sub-layer calls are recorded while Keras builds its output
(``_subclassed.record_calls``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Call:
    """One call of a Keras layer (or operation), or the start of a nested model."""

    op: object  # the keras Layer / Operation called
    name: str  # unique path: "block1_conv1", "stem.conv" inside a nested model, "dense#2" for a second call
    row_name: str  # the name shown: the layer's path without the "#2" of a repeated call
    inputs: tuple[str, ...]  # names of the calls whose outputs it reads; "input" = the model's first input
    input_shapes: tuple[tuple, ...]
    output_shapes: tuple[tuple, ...]
    depth: int  # 0 = a layer of the model itself
    repeated: bool = False  # a later call of a layer already called: its weights are counted once
    container: bool = False  # the row of a nested model (its calls follow, one level deeper)


def _shape(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def functional_of(model):
    """The Functional graph behind ``model`` (itself, or a Sequential's), or None (subclassed)."""
    import keras

    if isinstance(model, keras.Sequential):
        return getattr(model, "_functional", None)
    return model if hasattr(model, "_nodes_by_depth") and getattr(model, "_nodes_by_depth", None) else None


def is_model(op) -> bool:
    import keras

    return isinstance(op, keras.Model)


class GraphReader:
    """Collects the ``Call``\\ s of a model whose graph Keras knows."""

    def __init__(self):
        self.calls: list[Call] = []
        self.producer: dict[int, str] = {}  # id(KerasTensor) -> name of the call that produced it
        self.seen: dict[int, int] = {}  # id(layer) -> how many times it was called so far
        self.used: set[str] = set()

    def _unique(self, name: str) -> str:
        out, k = name, 1
        while out in self.used:
            k += 1
            out = f"{name}#{k}"
        self.used.add(out)
        return out

    def source(self, tensor) -> str:
        return self.producer.get(id(tensor), "input")

    def read(self, model, *, prefix: str = "", depth: int = 0, top: bool = True) -> None:
        import keras

        graph = functional_of(model)
        order = {id(op): i for i, op in enumerate(graph._operations)}
        nodes = [n for d in sorted(graph._nodes_by_depth, reverse=True) for n in sorted(graph._nodes_by_depth[d], key=lambda n: order.get(id(n.operation), 0))]
        needed = _data_path(nodes, graph.outputs)
        for node in nodes:
            op = node.operation
            if not isinstance(op, keras.layers.Layer) and id(node) not in needed:
                continue  # an operation computing only masks (Masking, Attention): Keras's summary leaves it out too
            ins, outs = data_inputs(node), list(node.outputs)
            if isinstance(op, keras.layers.InputLayer):
                if not top:  # a nested model's input: bound to the outer tensor already
                    continue
                name = self._unique(prefix + op.name)
                self.calls.append(Call(op, name, name, ("input",), tuple(_shape(t) for t in outs), tuple(_shape(t) for t in outs), depth))
                for t in outs:
                    self.producer[id(t)] = name
                continue
            k = self.seen.get(id(op), 0)
            self.seen[id(op)] = k + 1
            row = prefix + op.name
            name = self._unique(row)
            sources = tuple(self.source(t) for t in ins) or ("input",)
            if is_model(op) and functional_of(op) is not None:
                inner = functional_of(op)
                self.calls.append(Call(op, name, row, sources, tuple(_shape(t) for t in ins), tuple(_shape(t) for t in outs), depth, repeated=k > 0, container=True))
                container = self.calls[-1]
                for t_inner, t_outer in zip(inner.inputs, ins):
                    self.producer[id(t_inner)] = self.source(t_outer)
                self.read(op, prefix=name + ".", depth=depth + 1, top=False)
                if k > 0:
                    for c in self.calls[self.calls.index(container) + 1:]:
                        c.repeated = True
                finals = tuple(self.source(t) for t in inner.outputs)
                for t_outer, src in zip(outs, finals):
                    self.producer[id(t_outer)] = src
                continue
            self.calls.append(Call(op, name, row, sources, tuple(_shape(t) for t in ins), tuple(_shape(t) for t in outs), depth, repeated=k > 0))
            for t in outs:
                self.producer[id(t)] = name


def data_inputs(node) -> list:
    """The tensors a node computes from: its arguments without the ``mask=`` Keras passes along."""
    import keras

    args = node.arguments
    values = list(args.args) + [v for k, v in args.kwargs.items() if k != "mask"]
    return [t for t in keras.tree.flatten(values) if isinstance(t, keras.KerasTensor)]


def _data_path(nodes, outputs) -> set[int]:
    """ids of the nodes whose outputs reach the model's outputs through data (not mask) inputs."""
    wanted = {id(t) for t in outputs}
    needed: set[int] = set()
    for node in reversed(nodes):
        if any(id(t) in wanted for t in node.outputs):
            needed.add(id(node))
            wanted.update(id(t) for t in data_inputs(node))
    return needed


def read_graph(model) -> tuple[list[Call], list[str]]:
    """Every call of a Functional or Sequential model (nested models walked in place), and the
    names of the calls giving the model's outputs."""
    reader = GraphReader()
    reader.read(model, top=not _is_sequential(model))
    return reader.calls, [reader.source(t) for t in functional_of(model).outputs]


def _is_sequential(model) -> bool:
    import keras

    return isinstance(model, keras.Sequential)
