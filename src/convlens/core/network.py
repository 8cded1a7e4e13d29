"""Networks of core layers: a sequence, or a small graph whose nodes name their inputs.

A network is a list of ``Node``\\ s evaluated in order. A node reads the previous node's output
unless it names its inputs (earlier nodes' names or indices, or ``"input"`` for the network's
input); that is how shortcuts are written::

    nodes = [
        Node(Conv2d(32, 64, 1), "shortcut"),
        Node(Conv2d(32, 64, 3, padding=1), "conv1", inputs=("input",)),
        Node(ReLU(), "relu"),
        Node(Conv2d(64, 64, 3, padding=1), "conv2"),
        Node(add(), "add", inputs=("conv2", "shortcut")),
    ]

``evaluate(nodes, input_shape)`` gives every node's ``LayerResult``, the totals and the
accumulated receptive field after every node. Nodes are numbered from 0, like the children of
``nn.Sequential``; an unnamed node is called by its index. Errors name the node that failed:
``layer 7 'fc1' (Linear): in_features=6272 but the input (1, 1152) has 1152 features; ...``.

Receptive field (Araujo et al., "Computing Receptive Fields of Convolutional Neural Networks",
Distill 2019): each node composes its ``RFStep`` with the field of its input
(``ReceptiveField.then``). Where branches merge, the merged field is the union of the branches'
fields: per axis, the interval covering both windows of the first output. The jump of the
branches must agree (they do whenever the merge's shapes agree); if not, the larger is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from . import costs
from ._base import Layer, LayerResult, Shape
from .receptive import ReceptiveField, RFStep, merge
from ._errors import LayerError
from ..i18n import tr

INPUT = "input"  # the name by which a node refers to the network's input


@dataclass(frozen=True, slots=True)
class Node:
    """One layer call in a network."""

    layer: Layer
    name: str | None = None  # unique; None: the node is called by its index ("7")
    inputs: tuple = ()  # names or indices of earlier nodes, or "input"; () = the previous node


@dataclass(frozen=True, slots=True)
class NodeResult:
    """One node evaluated: the layer's result and the receptive field after it."""

    index: int
    name: str
    inputs: tuple[str, ...]  # resolved names of the nodes read ("input" for the network input)
    result: LayerResult
    receptive_field: ReceptiveField | None  # None: the network has no spatial layer

    @property
    def layer(self) -> Layer:
        return self.result.layer


@dataclass(frozen=True, slots=True)
class NetworkResult(costs.CountsParams):
    """Every node's result, in order, and the totals over them (batch as given)."""

    input_shape: Shape
    nodes: tuple[NodeResult, ...]

    @property
    def output_shape(self) -> Shape:
        return self.nodes[-1].result.output_shape if self.nodes else self.input_shape

    @property
    def receptive_field(self) -> ReceptiveField | None:
        return self.nodes[-1].receptive_field if self.nodes else None

    @property
    def weights(self) -> tuple:
        """Every node's weights, in order (``params`` and the rest count them: ``costs.CountsParams``)."""
        return tuple(w for n in self.nodes for w in n.result.weights)

    @property
    def buffers(self) -> int:
        return sum(n.result.buffer_count for n in self.nodes)

    @property
    def macs(self) -> int:
        return sum(n.result.macs for n in self.nodes)

    @property
    def flops(self) -> int:
        return sum(n.result.flops for n in self.nodes)

    def __getitem__(self, key: int | str) -> NodeResult:
        if isinstance(key, int):
            return self.nodes[key]
        for n in self.nodes:
            if n.name == key:
                return n
        raise KeyError(key)


class NetworkError(LayerError):
    """A node of a network failed; the message names the node by index, name and layer type.

    ``partial`` holds the nodes evaluated before the failure, ``cause`` the layer's own error.
    """

    def __init__(self, index: int, name: str | None, layer_type: str, message: str, *, partial=(), cause: LayerError | None = None, argument: str = "input", input_shapes: tuple = (), inputs: tuple = ()):
        self.index = index
        self.input_shapes = tuple(input_shapes)  # what the failing node received, when known
        self.inputs = tuple(inputs)  # the names of the nodes it read ("input" for the network input), when known
        self.node_name = name
        self.layer_type = layer_type
        self.partial: tuple[NodeResult, ...] = tuple(partial)
        self.cause = cause
        label = tr("layer {index} '{name}' ({type})", index=index, name=name, type=layer_type) if name is not None else tr("layer {index} ({type})", index=index, type=layer_type)
        ValueError.__init__(self, f"{label}: {message}")
        self.layer = layer_type
        self.argument = argument

    @property
    def reason(self) -> str:
        """The message without the ``layer 7 'fc1' (Linear): `` prefix."""
        return str(self).split(": ", 1)[1]


MAX_SIZE = 2**63 - 1  # the largest size of a tensor dimension (PyTorch's and TensorFlow's sizes are int64)


def sequence(*layers: Layer) -> list[Node]:
    """Nodes for a plain chain, unnamed: ``sequence(Conv2d(1, 32, 3), ReLU())``."""
    return [Node(layer) for layer in layers]


def evaluate(nodes, input_shape) -> NetworkResult:
    """Evaluate ``nodes`` (``Node``\\ s or bare layers) on ``input_shape``.

    >>> from .conv import Conv2d
    >>> r = evaluate([Conv2d(3, 8, 3, padding=1), Conv2d(8, 8, 3, stride=2)], (1, 3, 32, 32))
    >>> r.output_shape, r.params, r.receptive_field.size, r.receptive_field.jump
    ((1, 8, 15, 15), 808, (5, 5), (2, 2))
    """
    nodes = [n if isinstance(n, Node) else Node(n) for n in nodes]
    for i, node in enumerate(nodes):
        if not isinstance(node.layer, Layer):
            raise NetworkError(i, node.name, type(node.layer).__name__, tr("{value} is not a core layer; build it with convlens.core.layer(name, ...)", value=repr(node.layer)), argument="layer")
    input_shape = tuple(input_shape)
    shapes: dict[str, Shape] = {INPUT: input_shape}
    index_of: dict[str, int] = {INPUT: -1}
    results: list[tuple[int, str, tuple[str, ...], LayerResult]] = []
    previous = INPUT
    for i, node in enumerate(nodes):
        name = str(i) if node.name is None else node.name
        sources = _resolve(i, node, name, index_of, nodes, previous, results)
        layer = node.layer
        try:
            if layer.n_inputs == 1:
                result = layer.evaluate(shapes[sources[0]])
            else:
                result = layer.evaluate(tuple(shapes[s] for s in sources))
        except NetworkError:
            raise
        except LayerError as exc:
            raise NetworkError(
                i, node.name, layer.type_name, _strip_layer(str(exc), layer.type_name),
                partial=_with_rf(results), cause=exc, argument=exc.argument, input_shapes=tuple(shapes[s] for s in sources),
                inputs=sources,
            ) from None
        except OverflowError:  # a float size past 1.8e308 (Upsample's scale_factor, many times over)
            result = None
        if result is None or any(d is not None and d > MAX_SIZE for d in result.output_shape):
            raise NetworkError(i, node.name, layer.type_name, tr("the output would have a dimension larger than 2**63 - 1, the largest a tensor can have "
                                                                "(input {shape})", shape=tuple(shapes[sources[0]])), partial=_with_rf(results),
                               input_shapes=tuple(shapes[s] for s in sources), inputs=sources)
        if name in index_of:
            raise NetworkError(i, node.name, layer.type_name, tr("the name {name} is already used by layer {index}; give every node its own name", name=repr(name), index=index_of[name]), partial=_with_rf(results), argument="name")
        shapes[name] = result.output_shape
        index_of[name] = i
        results.append((i, name, sources, result))
        previous = name
    return NetworkResult(input_shape, _with_rf(results))


def _resolve(i, node, name, index_of, nodes, previous, results) -> tuple[str, ...]:
    """The names of the nodes ``node`` reads, checked: earlier nodes only, and as many as it takes."""
    layer = node.layer
    if not node.inputs:
        if layer.n_inputs != 1:
            raise NetworkError(i, node.name, layer.type_name, tr("a merge needs the nodes it combines, e.g. {example}", example=f"Node({layer.type_name}(), inputs=('conv2', 'shortcut'))"), partial=_with_rf(results), argument="inputs")
        return (previous,)
    inputs = (node.inputs,) if isinstance(node.inputs, (str, int)) else tuple(node.inputs)
    out = []
    for ref in inputs:
        if isinstance(ref, bool) or not isinstance(ref, (str, int)):
            raise NetworkError(i, node.name, layer.type_name, tr("inputs must be node names or indices, got {value}", value=repr(ref)), partial=_with_rf(results), argument="inputs")
        if isinstance(ref, int):
            if not 0 <= ref < i:
                raise NetworkError(i, node.name, layer.type_name, tr("input {ref} is not an earlier layer; use an index from 0 to {last} or 'input'", ref=ref, last=i - 1), partial=_with_rf(results), argument="inputs")
            ref = str(ref) if nodes[ref].name is None else nodes[ref].name
        if ref not in index_of:
            later = [str(j) for j, n in enumerate(nodes) if n.name == ref]
            known = ", ".join(repr(k) for k in index_of)
            why = tr("{ref} is layer {index}, which comes later; a node can only read earlier nodes", ref=repr(ref), index=later[0]) if later else tr("no earlier node is called {ref}; known: {known}", ref=repr(ref), known=known)
            raise NetworkError(i, node.name, layer.type_name, why, partial=_with_rf(results), argument="inputs")
        out.append(ref)
    if layer.n_inputs == 1 and len(out) != 1:
        raise NetworkError(i, node.name, layer.type_name, tr("takes one input but {n} are named ({names}); merge them first with add or cat", n=len(out), names=', '.join(out)), partial=_with_rf(results), argument="inputs")
    return tuple(out)


def _strip_layer(message: str, type_name: str) -> str:
    prefix = f"{type_name}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def _with_rf(results) -> tuple[NodeResult, ...]:
    """Attach the accumulated receptive field to every evaluated node.

    The spatial rank is that of the first windowed layer; before it, the field is the identity
    (one input pixel). A network without any windowed layer has no receptive field (None).
    """
    rank = next((len(r.receptive_field.kernel) for *_, r in results if r.receptive_field is not None and not r.receptive_field.is_global), None)
    fields: dict[str, ReceptiveField | None] = {INPUT: None if rank is None else ReceptiveField.identity(rank)}
    out = []
    for i, name, sources, result in results:
        rf = merge([fields[s] for s in sources])
        if rf is not None:
            rf = rf.then(result.receptive_field)
        fields[name] = rf
        out.append(NodeResult(i, name, sources, result, rf))
    return tuple(out)


__all__ = ["INPUT", "NetworkError", "NetworkResult", "Node", "NodeResult", "evaluate", "sequence"]
