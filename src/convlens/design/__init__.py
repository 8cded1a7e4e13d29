"""The spec format: a network written as data (YAML or JSON), read into the one Summary record.

A spec names its input shape, its framework convention and its layers with the framework's own
class and keyword names; named blocks are parameterised and repeated; branches merge by add or
concatenation::

    name: residual-cnn
    input: [1, 1, 28, 28]
    blocks:
      residual:
        params: {cin: null, cout: null}
        layers:
          - branches:
              - [{type: Conv2d, name: shortcut, in_channels: $cin, out_channels: $cout, kernel_size: 1}]
              - - {type: Conv2d, name: conv1, in_channels: $cin, out_channels: $cout, kernel_size: 3, padding: 1}
                - {type: ReLU}
                - {type: Conv2d, name: conv2, in_channels: $cout, out_channels: $cout, kernel_size: 3, padding: 1}
            merge: add
          - {type: ReLU}
    layers:
      - {type: Conv2d, name: conv1, in_channels: 1, out_channels: 32, kernel_size: 3, padding: 1}
      - {block: residual, name: resblock1, with: {cin: 32, cout: 64}}

Every document is validated against ``schema.json`` (published with the package:
``convlens.design.SCHEMA_PATH``) before it is built; every error names the file, line, column and,
where it is in a layer, the layer. Shapes, parameters, MACs and receptive fields come from the
core (``core.network.evaluate``); ``frontends.build.summary_of_network`` makes the record.
Nothing in a spec is ever imported or executed: a spec is data.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..core.network import NetworkError, NetworkResult, evaluate as evaluate_nodes
from ..i18n import N_, language, tr
from ..record import Summary
from ..core.framework import Framework
from ._build import MAX_LAYERS, MAX_STEPS, Origin, Spec, build
from ._errors import SpecError, SpecLimitError
from ._source import MAX_BYTES, MAX_DIGITS, MAX_NESTING, MAX_VALUES, Positions, read

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SUFFIXES = (".yaml", ".yml", ".json")


@lru_cache(maxsize=1)
def schema() -> dict:
    """The published JSON Schema of the format."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    """The schema compiled to Python once (fastjsonschema): the page validates on every keystroke."""
    try:
        import fastjsonschema
    except ImportError:
        raise SpecError(tr("checking spec files needs fastjsonschema: pip install 'convlens[spec]'")) from None

    return fastjsonschema.compile(schema())


def validate(doc, positions: Positions) -> None:
    """Check ``doc`` against the schema; the first problem raises ``SpecError`` at its position."""
    import fastjsonschema

    try:
        _validator()(doc)
    except fastjsonschema.JsonSchemaValueException as error:
        path = _path(doc, error.path[1:])
        line, column = positions.at(path) or (None, None)
        where = "/".join(str(p) for p in path) or tr("the document")
        raise SpecError(f"{where}: {_schema_message(error)}", filename=positions.filename, line=line, column=column, path=path) from None


def _path(doc, parts) -> tuple:
    """fastjsonschema's path (all text) as the document's keys and list indices."""
    out, node = [], doc
    for part in parts:
        key = int(part) if isinstance(node, list) and str(part).isdigit() else part
        out.append(key)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return tuple(out)


def _schema_message(error) -> str:
    value, rule = error.value, error.rule
    if len(error.path) == 1 and rule == "type":
        return tr("a spec is a mapping with 'input' and 'layers' (and optionally name, framework, blocks), not {type} {value}",
                  type=type(value).__name__, value=repr(value))[:300]
    if rule == "required" and isinstance(value, dict):
        missing = [k for k in error.rule_definition if k not in value]
        if missing == ["type"]:
            return tr("a layer needs 'type' (e.g. {example}); a block use needs 'block'; branches need 'branches' and 'merge'; "
                      "got keys {keys}", example="{type: Conv2d, out_channels: 32, kernel_size: 3}", keys=", ".join(value) or tr("none"))
        return tr("{keys} is required here", keys=", ".join(repr(m) for m in missing))
    if rule == "type" and error.rule_definition == "object" and not isinstance(value, (dict, str)):
        return tr("{value} is not a layer: write {example} or a call such as \"ReLU()\"", value=repr(value), example="{type: ReLU}")
    if rule == "additionalProperties" and isinstance(value, dict):
        allowed = list(error.definition.get("properties", {}))
        extra = [k for k in value if k not in allowed]
        return tr("{key} is not allowed here; the keys allowed are {allowed} (see convlens/design/schema.json)", key=repr(extra[0]),
                  allowed=", ".join(allowed))
    if rule == "pattern":
        return tr("{value} is not a valid name: letters, digits and _, parts joined by dots (conv1, layer1.0.conv1)", value=repr(value))
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = error.rule_definition
        messages = {"minimum": N_("{value} is out of range: it must be at least {bound}"),
                    "maximum": N_("{value} is out of range: it must be at most {bound}"),
                    "exclusiveMinimum": N_("{value} is out of range: it must be more than {bound}"),
                    "exclusiveMaximum": N_("{value} is out of range: it must be less than {bound}")}
        return tr(messages[rule], value=repr(value), bound=bound)
    if rule in ("minItems", "maxItems"):
        bound = error.rule_definition
        if rule == "minItems":
            return tr("a list of {n} is out of range: it needs at least {bound} items", n=len(value), bound=bound)
        return tr("a list of {n} is out of range: it needs at most {bound} items", n=len(value), bound=bound)
    if rule == "not":
        return tr("a layer item cannot also have 'block' or 'branches'; write them as separate items")
    message = error.message
    return f"{value!r} {message[len(error.name):].strip()}" if message.startswith(error.name) else message


def loads(text: str, filename: str = "<spec>", *, fmt: str | None = None) -> Spec:
    """Read, validate and expand a spec given as text."""
    doc, positions = read(text, filename, fmt=fmt)
    validate(doc, positions)
    return build(doc, positions)


def load(path) -> Spec:
    """Read a spec file (``.yaml``, ``.yml`` or ``.json``)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise SpecError(tr("no such file; check the path"), filename=str(path)) from None
    except OSError as exc:
        raise SpecError(tr("cannot be read: {error}", error=exc.strerror), filename=str(path)) from None
    if size > MAX_BYTES:
        raise SpecError(tr("the file has {n} bytes, more than the {most} a spec may have", n=f"{size:,}", most=f"{MAX_BYTES:,}"), filename=str(path))
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(tr("not UTF-8 text (byte {n}); save the spec as UTF-8", n=exc.start), filename=str(path)) from None
    except OSError as exc:
        raise SpecError(tr("cannot be read: {error}", error=exc.strerror), filename=str(path)) from None
    return loads(text, str(path))


def evaluate(spec: Spec) -> NetworkResult:
    """The core's evaluation of every node; a shape error raises ``NetworkError`` naming the node."""
    return evaluate_nodes(spec.nodes, spec.input_shape)


def where(spec: Spec, index: int, argument: str | None = None) -> str:
    """``net.yaml:12:7`` for node ``index`` (at its ``argument`` when that is written out)."""
    origin = spec.origins[index]
    line, column = origin.line, origin.column
    if argument is not None and spec.positions.at(origin.path + (argument,)) and origin.path + (argument,) in spec.positions.marks:
        line, column = spec.positions.marks[origin.path + (argument,)]
    return spec.filename if line is None else f"{spec.filename}:{line}:{column}"


def summary(spec: Spec | str | Path, *, lang: str | None = None) -> Summary:
    """The Summary record of a spec (a ``Spec`` or a path). A network that breaks gives a failed
    summary whose first diagnostic names the layer, the file position and the fix (in ``lang``)."""
    with language(lang):
        if not isinstance(spec, Spec):
            spec = load(spec)
        return analyse(spec)[0]


def analyse(spec: Spec) -> tuple[Summary, dict | None]:
    """The summary and, when the network breaks, the structured fix (``suggest_fix``) for the page."""
    from ..frontends.build import summary_of_failure, summary_of_network

    texts = [o.text for o in spec.origins]
    framework = Framework.KERAS if spec.framework is Framework.KERAS else Framework.CORE
    notes = [tr("read from the spec {file}: {framework} convention", file=spec.filename, framework=spec.framework.word)] + list(spec.document.get("notes", []))
    failure, fix = None, None
    try:
        result = evaluate(spec)
    except NetworkError as exc:
        failure = exc
        s = summary_of_failure(exc, spec.input_shape, title=spec.name, notes=notes, codes=texts)
        fix = suggest_fix(spec, exc)
        nodes = exc.partial
    else:
        s = summary_of_network(result, title=spec.name, notes=notes, codes=texts)
        nodes = result.nodes
    index_of = {n.name: n.index for n in nodes}
    if failure is not None:
        index_of[s.layers[-1].name] = failure.index
    located = []
    for k, d in enumerate(s.diagnostics):
        if k == 0 and failure is not None:
            d = replace(d, fix=fix["text"] if fix else d.fix)
        argument = failure.argument if failure is not None and k == 0 else None
        located.append(_located(spec, d, index_of.get(d.layer), argument))
    return replace(s, framework=framework, diagnostics=tuple(located)), fix


def _located(spec: Spec, diagnostic, index, argument=None):
    """The diagnostic with the spec's file, line and column (``source``; the failing argument's
    position when it is written out) and the line's text (``code_line``)."""
    if index is None:
        return diagnostic
    source = where(spec, index, argument)
    line = int(source.rsplit(":", 2)[1]) if source != spec.filename else None
    return replace(diagnostic, source=source, code_line=spec.positions.line_text(line))


def suggest_fix(spec: Spec, error: NetworkError) -> dict | None:
    """A concrete change that makes the failing layer fit, or None.

    For an argument the layer could take from its input (``in_features``, ``in_channels``,
    ``num_features``), the value the input has; for a sliding window whose input is too small,
    the padding the solver (``core.solve``) finds to keep the size.
    """
    layer = error.cause.layer if error.cause is not None else None
    node = spec.nodes[error.index]
    shapes = error.input_shapes
    arg = error.argument
    taken = type(node.layer).taken_from_input
    if arg in taken and shapes and len(shapes[0]) > 1:
        value = shapes[0][taken[arg]]
        path = spec.origins[error.index].path
        if path[0] == "blocks":  # the layer is written in a block that other uses share: say so, apply nothing
            return {"index": error.index, "path": None, "argument": arg, "value": value,
                    "text": tr("the input {shape} gives {setting}: change the block {block} or what its use {use} receives",
                               shape=tuple(shapes[0]), setting=f"{arg}={value:,}", block=repr(path[1]),
                               use=f"'{error.node_name.rsplit('.', 1)[0]}'")}
        return {"index": error.index, "path": list(path), "argument": arg, "value": value,
                "text": tr("set {setting} (the input {shape} gives {n})", setting=f"{arg}: {value}", shape=tuple(shapes[0]), n=f"{value:,}")}
    window = getattr(node.layer, "kernel_size", None)
    if layer is not None and isinstance(window, int) and shapes and len(shapes[0]) >= 3 and hasattr(node.layer, "padding"):
        from ..core.solve import solve

        size = shapes[0][-1] if spec.framework is Framework.TORCH else shapes[0][1]
        try:
            found = solve(node.layer.type_name, size, same=True, kernel_size=window)
        except Exception:  # the solver refuses this layer: no suggestion
            return None
        if found.solutions:
            p = found.solutions[0].padding
            path = spec.origins[error.index].path
            return {"index": error.index, "path": None if path[0] == "blocks" else list(path), "argument": "padding", "value": p,
                    "text": tr("set {setting} (and {stride}) to keep the size {size} (from convlens solve)", setting=f"padding: {p!r}",
                               stride="stride: 1", size=size)}
    return None


def dump(doc: dict, *, header: str | None = None) -> str:
    """The YAML text of a spec document (``header`` as comment lines on top); ``loads(dump(doc))``
    gives ``doc`` back. Needs PyYAML (``pip install 'convlens[spec]'``), imported on first use."""
    from ._dump import dump as write_yaml

    return write_yaml(doc, header=header)


def is_spec_path(target: str) -> bool:
    return str(target).lower().endswith(SUFFIXES)


def target_loader(path: str, request) -> Summary:
    """What ``convlens.targets.resolve`` calls for a spec file: its summary, on the request's input
    shape when one is given (``convlens summary net.yaml --input 1x1x32x32``)."""
    spec = load(path)
    if request.input_sizes:
        if len(request.input_sizes) != 1:
            raise SpecError(tr("{path}: a spec has one input; got {n} input shapes", path=path, n=len(request.input_sizes)))
        spec = replace(spec, input_shape=tuple(request.input_sizes[0]))
    return summary(spec)


__all__ = ["Framework", "MAX_BYTES", "MAX_DIGITS", "MAX_NESTING", "MAX_STEPS", "MAX_VALUES", "analyse", "MAX_LAYERS", "Origin", "SCHEMA_PATH", "Spec", "SpecError", "SpecLimitError", "build", "dump", "evaluate", "is_spec_path",
           "load", "loads", "read", "schema", "suggest_fix", "summary", "target_loader", "validate", "where"]
