"""A validated spec document -> core network nodes, each remembering where it was written.

Blocks are expanded where they are used (their ``$param`` values substituted), ``repeat`` copies
an item, and ``branches`` become one node per layer of each branch reading the fork, plus the
merge node reading the last node of every branch. Nothing here computes a shape: the nodes go to
``core.network.evaluate``.

Names: a named layer keeps its name, prefixed by the block instance it sits in
(``resblock1.conv1``); an unnamed layer at the top is called by its index, like the children of
``nn.Sequential``; an unnamed layer inside a block is ``<block instance>.<n>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core import LayerError, layer as build_layer
from ..core.framework import Framework
from ..core.network import INPUT, Node
from ..i18n import tr
from ._errors import SpecError, SpecLimitError
from ._source import Positions

MAX_LAYERS = 10_000  # a spec that expands to more layers is refused
MAX_DIM = 1_000_000  # largest size of one input dimension accepted
MAX_ELEMENTS = 10**12  # largest number of input elements accepted
MAX_DEPTH = 16  # blocks used inside blocks, at most this deep (also stops a block that uses itself)
MAX_STEPS = 4 * MAX_LAYERS  # items expanded (layers, block uses, branches, each repeat counted): bounds blocks that add no layer
ITEM_KEYS = ("type", "name", "repeat", "inputs")  # keys of a layer item that are not the layer's arguments
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_ARITHMETIC = re.compile(r"[\d\s+\-*/%()]*\d[\d\s+\-*/%()]*")  # integer arithmetic written as text: 128*7*7


@dataclass(frozen=True)
class Origin:
    """Where a node came from: its path in the document and the text position."""

    path: tuple
    line: int | None
    column: int | None
    text: str  # the layer as written, for the summary row's 'spec' column


@dataclass(frozen=True)
class Spec:
    """A spec read and expanded: the core nodes to evaluate, and where each was written."""

    name: str
    framework: Framework
    input_shape: tuple
    nodes: tuple[Node, ...]
    origins: tuple[Origin, ...]
    document: dict  # the document as read (after schema validation)
    positions: Positions

    @property
    def filename(self) -> str:
        return self.positions.filename


class _Builder:
    def __init__(self, doc: dict, positions: Positions, framework: Framework):
        self.doc = doc
        self.pos = positions
        self.framework = framework
        self.blocks = doc.get("blocks", {})
        self.nodes: list[Node] = []
        self.origins: list[Origin] = []
        self.names: dict[str, int] = {}
        self.auto: dict[str, int] = {}  # per block name: instances created without a name
        self.steps = 0  # items expanded so far, against MAX_STEPS

    # --- errors ---------------------------------------------------------------------
    def error(self, path, reason, *, layer: str | None = None, index: int | None = None, limit: bool = False) -> SpecError:
        line, column = self.pos.at(path) or (None, None)
        return (SpecLimitError if limit else SpecError)(reason, filename=self.pos.filename, line=line, column=column, layer=layer, index=index, path=path)

    # --- items ----------------------------------------------------------------------
    def items(self, items, path, *, prefix: str, params: dict, previous, depth: int, counter: list):
        """Add the nodes of ``items``; return the reference of the last output (node index or 'input')."""
        for i, item in enumerate(items):
            previous = self.item(item, path + (i,), prefix=prefix, params=params, previous=previous, depth=depth, counter=counter)
        return previous

    def item(self, item, path, *, prefix, params, previous, depth, counter):
        repeat = item.get("repeat", 1) if isinstance(item, dict) else 1
        if repeat > MAX_LAYERS:
            raise self.error(path + ("repeat",), tr("repeat: {n} is more than the {most} layers a spec may expand to", n=f"{repeat:,}",
                                                     most=f"{MAX_LAYERS:,}"), limit=True)
        for k in range(repeat):
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise self.error(path, tr("the spec expands to more than {most} items (layers, block uses and branches, "
                                          "each repeat counted); do blocks that add no layer repeat here?", most=f"{MAX_STEPS:,}"), limit=True)
            suffix = str(k) if repeat > 1 else None
            if isinstance(item, str):
                previous = self.call(item, path, prefix=prefix, previous=previous, counter=counter)
            elif "block" in item:
                previous = self.use(item, path, prefix=prefix, params=params, previous=previous, depth=depth, suffix=suffix, counter=counter)
            elif "branches" in item:
                previous = self.branches(item, path, prefix=prefix, params=params, previous=previous, depth=depth, suffix=suffix, counter=counter)
            else:
                previous = self.layer(item, path, prefix=prefix, params=params, previous=previous, suffix=suffix, counter=counter)
        return previous

    def _name(self, given, prefix, suffix, counter, path):
        """The node's full name, or None for an unnamed layer at the top (called by its index)."""
        if given is not None:
            local = given if suffix is None else f"{given}.{suffix}"
        elif prefix:
            local = str(counter[0])
        else:
            return None
        counter[0] += 1
        name = f"{prefix}.{local}" if prefix else local
        if name in self.names:
            raise self.error(path + ("name",), tr("the name {name} is already used by layer {index}; give every layer its own name", name=repr(name), index=self.names[name]))
        return name

    def _inputs(self, item, path, prefix, previous):
        refs = item.get("inputs") if isinstance(item, dict) else None
        if refs is None:
            return (previous,)
        out = []
        for j, ref in enumerate(refs):
            if ref == INPUT:
                out.append(INPUT)
            elif isinstance(ref, int):
                if not 0 <= ref < len(self.nodes):
                    raise self.error(path + ("inputs", j), tr("input {ref} is not an earlier layer; use an index from 0 to {last}, a name or 'input'", ref=ref, last=len(self.nodes) - 1))
                out.append(ref)
            else:
                for candidate in (f"{prefix}.{ref}" if prefix else None, ref):
                    if candidate in self.names:
                        out.append(self.names[candidate])
                        break
                else:
                    known = ", ".join(list(self.names)[-8:]) or tr("none yet")
                    raise self.error(path + ("inputs", j), tr("no earlier layer is called {ref}; a layer can read 'input' or an earlier layer "
                                                              "(last names: {known})", ref=repr(ref), known=known))
        return tuple(out)

    def _add(self, layer, name, inputs, path, text):
        if len(self.nodes) >= MAX_LAYERS:
            raise self.error(path, tr("the network has more than {most} layers; that is the most a spec may expand to", most=f"{MAX_LAYERS:,}"), limit=True)
        refs = () if inputs == (len(self.nodes) - 1,) or (inputs == (INPUT,) and not self.nodes) else inputs
        self.nodes.append(Node(layer, name, refs))
        line, column = self.pos.at(path) or (None, None)
        self.origins.append(Origin(path, line, column, text))
        if name is not None:
            self.names[name] = len(self.nodes) - 1
        return len(self.nodes) - 1

    def _build(self, type_name, args, kwargs, path, label):
        self._check_type(type_name, path, label)
        try:
            return build_layer(type_name, *args, framework=self.framework, **kwargs)
        except LayerError as exc:
            arg_path = path + (exc.argument,) if exc.argument in kwargs else (path + ("type",) if exc.argument == "layer" else path)
            reason = str(exc)
            reason = reason[len(type_name) + 2:] if reason.startswith(f"{type_name}: ") else reason
            raise self.error(arg_path, reason, layer=label, index=len(self.nodes)) from None

    def _check_type(self, type_name, path, label):
        """The layer must exist and follow the spec's framework convention."""
        from ..core import KERAS_ALIASES, LAYERS, close_names

        keras = self.framework is Framework.KERAS
        cls = (KERAS_ALIASES.get(type_name) if keras else None) or LAYERS.get(type_name)
        where = path + ("type",) if path + ("type",) in self.pos.marks else path
        if cls is None or type_name.startswith("Keras"):
            names = [n for n, c in list(LAYERS.items()) + list(KERAS_ALIASES.items()) if (c.framework is Framework.KERAS) == keras and not n.startswith("Keras")]
            close = close_names(type_name, names)
            if close:
                message = tr("unknown layer {type} in a {framework} spec; did you mean {names}?", type=repr(type_name),
                             framework=self.framework.word, names=", ".join(close))
            else:
                message = tr("unknown layer {type} in a {framework} spec; GET /api/layers or `convlens calc --help` lists the layers",
                             type=repr(type_name), framework=self.framework.word)
            raise self.error(where, message, layer=label, index=len(self.nodes))
        if (cls.framework is Framework.KERAS) != keras:
            other = cls.framework
            raise self.error(where, tr("{type} is a {other} layer and this spec follows the {framework} convention; use the {framework} "
                                       "layer or set framework: {word}", type=type_name,
                                       other="Keras" if other is Framework.KERAS else "PyTorch", framework=self.framework.word,
                                       word=other.word), layer=label, index=len(self.nodes))

    def layer(self, item, path, *, prefix, params, previous, suffix, counter):
        type_name = item["type"]
        kwargs = {k: self.substitute(v, path + (k,), params) for k, v in item.items() if k not in ITEM_KEYS}
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        inputs = self._inputs(item, path, prefix, previous)
        name = self._name(item.get("name"), prefix, suffix, counter, path)
        label = _label(len(self.nodes), name, type_name)
        layer = self._build(type_name, (), kwargs, path, label)
        return self._add(layer, name, inputs, path, _text(type_name, kwargs))

    def call(self, text, path, *, prefix, previous, counter):
        from ..frontends.chain import ParseError, parse_call

        try:
            call = parse_call(text)
        except ParseError as exc:
            raise self.error(path, str(exc)) from None
        name = self._name(call.target, prefix, None, counter, path)
        layer = self._build(call.name, call.args, dict(call.kwargs), path, _label(len(self.nodes), name, call.name))
        return self._add(layer, name, (previous,), path, text.strip())

    def use(self, item, path, *, prefix, params, previous, depth, suffix, counter):
        block_name = item["block"]
        if block_name not in self.blocks:
            if self.blocks:
                raise self.error(path + ("block",), tr("no block is called {block}; blocks: {known}", block=repr(block_name),
                                                       known=", ".join(self.blocks)))
            raise self.error(path + ("block",), tr("no block is called {block}; blocks: none are defined; add them under 'blocks:'",
                                                   block=repr(block_name)))
        if depth >= MAX_DEPTH:
            raise self.error(path, tr("blocks are used inside blocks more than {most} deep; does {block} use itself?", most=MAX_DEPTH, block=repr(block_name)), limit=True)
        block = self.blocks[block_name]
        given = {k: self.substitute(v, path + ("with", k), params) for k, v in item.get("with", {}).items()}
        declared = block.get("params", {})
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise self.error(path + ("with", unknown[0]), tr("block {block} has no parameter {name}; its parameters: {declared}", block=repr(block_name), name=repr(unknown[0]),
                                                                     declared=", ".join(declared) or tr("none")))
        values = {}
        for key, default in declared.items():
            if key in given:
                values[key] = given[key]
            elif default is None:
                raise self.error(path, tr("block {block} needs {key}; give it as {example}", block=repr(block_name), key=repr(key), example=f"with: {{{key}: ...}}"))
            else:
                values[key] = default
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        local = item.get("name")
        if local is None:
            self.auto[block_name] = self.auto.get(block_name, 0) + 1
            local = f"{block_name}{self.auto[block_name]}"
        elif suffix is not None:
            local = f"{local}.{suffix}"
        instance = f"{prefix}.{local}" if prefix else local
        if item.get("inputs"):
            previous = self._only_input(item, path, prefix, previous)
        return self.items(block["layers"], ("blocks", block_name, "layers"), prefix=instance, params=values, previous=previous, depth=depth + 1, counter=[0])

    def _only_input(self, item, path, prefix, previous):
        refs = self._inputs(item, path, prefix, previous)
        if len(refs) != 1:
            raise self.error(path + ("inputs",), tr("a block or branches read one input, got {n}", n=len(refs)))
        return refs[0]

    def branches(self, item, path, *, prefix, params, previous, depth, suffix, counter):
        fork = self._only_input(item, path, prefix, previous) if item.get("inputs") else previous
        ends = []
        for j, branch in enumerate(item["branches"]):
            ends.append(self.items(branch, path + ("branches", j), prefix=prefix, params=params, previous=fork, depth=depth, counter=counter))
        merge = item["merge"]
        keras = self.framework is Framework.KERAS
        type_name = {("add", False): "add", ("cat", False): "cat", ("add", True): "Add", ("cat", True): "Concatenate"}[merge, keras]
        kwargs = {}
        if merge == "cat" and "dim" in item:
            kwargs["axis" if keras else "dim"] = item["dim"]
        if merge == "add" and "dim" in item:
            raise self.error(path + ("dim",), tr("dim is for merge: cat; an add needs none"))
        name = self._name(item.get("name"), prefix, suffix, counter, path)
        layer = self._build(type_name, (), kwargs, path + ("merge",), _label(len(self.nodes), name, type_name))
        return self._add(layer, name, tuple(ends), path + ("merge",), _text(type_name, kwargs))

    # --- parameters -----------------------------------------------------------------
    def substitute(self, value, path, params):
        """``$name`` -> the block parameter; ``'$planes * 4'`` -> integer arithmetic over them."""
        if isinstance(value, list):
            return [self.substitute(v, path + (i,), params) for i, v in enumerate(value)]
        if isinstance(value, str) and _ARITHMETIC.fullmatch(value) and not value.strip().lstrip("-").isdigit():
            return self._arithmetic(value, value, path)  # in_features: 128*7*7
        if not isinstance(value, str) or "$" not in value:
            return value
        missing = [m for m in _PARAM.findall(value) if m not in params]
        if missing:
            if params:
                raise self.error(path, tr("{name} is not a parameter; this block's parameters are {params}", name=f"${missing[0]}",
                                          params=", ".join(params)))
            raise self.error(path, tr("{name} is not a parameter; parameters exist only inside a block (declare them under params:)",
                                      name=f"${missing[0]}"))
        whole = _PARAM.fullmatch(value.strip())
        if whole:
            return params[whole.group(1)]
        return self._arithmetic(value, _PARAM.sub(lambda m: repr(params[m.group(1)]), value), path)

    def _arithmetic(self, value, text, path):
        from ..frontends.chain import ParseError, parse_value

        try:
            return parse_value(text)
        except ParseError as exc:
            shown = _short(value) if value == text else f"{_short(value)} -> {_short(text)}"
            raise self.error(path, f"{shown}: {exc.reason}") from None


def _short(text: str) -> str:
    """A value quoted in a message: whole when short, else its start and its length."""
    return repr(text) if len(text) <= 80 else tr("{start} ({n} characters)", start=f"'{text[:60]}…'", n=f"{len(text):,}")


def _label(index: int, name: str | None, type_name: str) -> str:
    if name is not None:
        return tr("layer {index} '{name}' ({type})", index=index, name=name, type=type_name)
    return tr("layer {index} ({type})", index=index, type=type_name)


def _text(type_name: str, kwargs: dict) -> str:
    return f"{type_name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def build(doc: dict, positions: Positions) -> Spec:
    """Expand a schema-valid document into core nodes."""
    framework = Framework.parse(doc.get("framework", "pytorch"), what="framework:")  # the schema allows pytorch and keras
    builder = _Builder(doc, positions, framework)
    shape = tuple(doc["input"])
    _check_input(builder, shape, framework)
    builder.items(doc["layers"], ("layers",), prefix="", params={}, previous=INPUT, depth=0, counter=[0])
    if not builder.nodes:
        raise builder.error(("layers",), tr("the network has no layers; add one, e.g. {example}",
                                                  example="- {type: Conv2d, out_channels: 32, kernel_size: 3}"))
    return Spec(doc.get("name", positions.filename), framework, shape, tuple(builder.nodes), tuple(builder.origins), doc, positions)


def _check_input(builder, shape, framework):
    for i, d in enumerate(shape):
        if d is None and not (i == 0 and framework is Framework.KERAS):
            raise builder.error(("input", i), tr("only a Keras spec's batch may be null; give every other size, e.g. [1, 3, 224, 224]"))
        if d is not None and d > MAX_DIM:
            raise builder.error(("input", i), tr("input size {n} is larger than {most}, the largest accepted", n=f"{d:,}", most=f"{MAX_DIM:,}"))
    elements = 1
    for d in shape:
        elements *= 1 if d is None else d
    if elements > MAX_ELEMENTS:
        raise builder.error(("input",), tr("the input has {n} elements, more than the {most} accepted", n=f"{elements:,}", most=f"{MAX_ELEMENTS:,}"))
