"""Reading a spec's text (YAML or JSON) into plain Python values, keeping where each value was written.

``read(text, filename)`` returns the document and a ``Positions`` map from a path inside the
document (``("layers", 3, "in_features")``) to the 1-based line and column where that value
starts, so every later error can say ``net.yaml:12:19``. YAML is composed with PyYAML's safe
constructors only (no tags, no Python objects); a ``.json`` file is first read by ``json`` so a
JSON mistake is reported the way JSON tools report it.

Limits, each answered at once with the position it is met at: the text's size (``MAX_BYTES``);
the values the document holds once YAML aliases (``*name``) are expanded (``MAX_VALUES``: nine
levels of aliases of nine make a billion values from 600 bytes); how deep lists and mappings nest
(``MAX_NESTING``); and how many characters a number has (``MAX_DIGITS``). They are checked on the
composed node graph, where an alias is one shared node, before any value is built.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from ..i18n import tr
from ._errors import SpecError, SpecLimitError

MAX_BYTES = 1_000_000  # a spec larger than this is refused before parsing (1 MB)
MAX_VALUES = 200_000  # values (numbers, texts, lists, mappings) a document may hold, aliases expanded
MAX_NESTING = 100  # lists and mappings inside each other, at most this deep
MAX_DIGITS = 40  # characters of one integer; Python refuses to convert more than 4,300 digits


@dataclass(frozen=True)
class Positions:
    """Where each value of the document starts: path -> (line, column), both 1-based."""

    filename: str
    marks: dict = field(default_factory=dict)
    lines: tuple = ()  # the text's lines, for quoting the line of an error

    def line_text(self, line: int | None) -> str | None:
        return self.lines[line - 1] if line is not None and 0 < line <= len(self.lines) else None

    def at(self, path) -> tuple[int, int] | None:
        """The position of ``path`` or, failing that, of its closest enclosing value."""
        path = tuple(path)
        while True:
            if path in self.marks:
                return self.marks[path]
            if not path:
                return None
            path = path[:-1]


def read(text: str, filename: str = "<spec>", *, fmt: str | None = None) -> tuple[object, Positions]:
    """Parse ``text`` as YAML (default) or JSON (``fmt="json"`` or a ``.json`` filename).

    >>> doc, pos = read("input: [1, 3, 32, 32]\\nlayers:\\n  - {type: ReLU}\\n", "net.yaml")
    >>> doc["layers"][0]["type"], pos.at(("layers", 0, "type"))
    ('ReLU', (3, 12))
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecLimitError(tr("the spec is larger than {most} bytes; split it or remove unused blocks", most=f"{MAX_BYTES:,}"), filename=filename)
    if fmt is None:
        fmt = "json" if filename.lower().endswith(".json") else "yaml"
    yaml = _yaml(filename)
    if fmt == "json":
        try:
            json.loads(text, parse_int=len)  # only the syntax is checked here; the numbers' length is checked below, with their position
        except json.JSONDecodeError as exc:
            raise SpecError(tr("not valid JSON: {error}", error=exc.msg), filename=filename, line=exc.lineno, column=exc.colno) from None
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when present: same nodes, faster
    except (yaml.YAMLError, RecursionError) as exc:
        _nesting(yaml, text, filename)  # too deep for the parser: said in convlens's words, at the position
        if isinstance(exc, yaml.MarkedYAMLError):
            mark = exc.problem_mark or exc.context_mark
            what = exc.problem or exc.context or tr("syntax error")
            raise SpecError(tr("not valid YAML: {error}", error=what), filename=filename, line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
        raise SpecError(tr("not valid YAML: {error}", error=exc), filename=filename) from None
    positions = Positions(filename, lines=tuple(text.splitlines()))
    if node is None:
        raise SpecError(tr("the spec is empty; it needs at least 'input' and 'layers'"), filename=filename, line=1, column=1)
    _check_graph(node, positions)
    return _value(node, (), positions), positions


def _nesting(yaml, text, filename) -> None:
    """Raise a SpecError if the text nests lists and mappings more than ``MAX_NESTING`` deep.

    Read as events (the parser keeps a stack, it does not recurse), so it stops at the first value
    too deep, before the parser's own limit or Python's recursion limit is met. The pure-Python
    loader, always: libyaml's scanner reads ahead and refuses a deep text with its own limit before
    the first event arrives (PyYAML 6.0.4 with libyaml), so the position would be libyaml's, not the
    first value deeper than ``MAX_NESTING``. Only the error path runs this."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_NESTING:
                    raise _too_deep(filename, event.start_mark.line + 1, event.start_mark.column + 1)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # a syntax error before any value is too deep: the caller reports it


def _too_deep(filename, line, column) -> SpecError:
    return SpecLimitError(tr("nested too deeply: more than {most} lists and mappings inside each other here; a spec nests a few "
                             "levels (layers, branches, blocks)", most=MAX_NESTING), filename=filename, line=line, column=column)


def _check_graph(root, positions: Positions) -> None:
    """Refuse, before any value is built, a document that nests more than ``MAX_NESTING`` deep, holds
    more than ``MAX_VALUES`` values once its aliases are expanded, uses an alias inside itself, or
    writes an integer longer than ``MAX_DIGITS`` characters.

    An alias is the node it names, shared; sizes and heights are counted once per node (post-order,
    with an explicit stack), so a billion-value document costs as much as its few hundred nodes."""
    import yaml

    size: dict[int, int] = {}  # id(node) -> values it expands to (capped just past the limit)
    height: dict[int, int] = {}  # id(node) -> how deep it nests
    open_: set[int] = set()  # nodes whose children are being counted: meeting one again is a cycle
    shared = False  # an alias was met: a node reached twice
    stack = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        children = _children(node, yaml)
        if done:
            open_.discard(key)
            size[key] = min(1 + sum(size[id(c)] for c in children), MAX_VALUES + 1)
            height[key] = 1 + max((height[id(c)] for c in children), default=0)
            if size[key] > MAX_VALUES:
                raise _error(positions, node, tr("this value expands to more than {most} values through YAML aliases (*name); "
                                                 "write a repeated part once, as a block used with repeat", most=f"{MAX_VALUES:,}")
                             if shared else tr("the spec holds more than {most} values, the most a spec may hold", most=f"{MAX_VALUES:,}"))
            continue
        if key in open_:
            raise _error(positions, node, tr("this value contains itself through a YAML alias (*name); a spec is a tree"))
        if key in size:
            shared = True
            if depth - 1 + height[key] > MAX_NESTING:
                raise _too_deep(positions.filename, node.start_mark.line + 1, node.start_mark.column + 1)
            continue
        if depth > MAX_NESTING:
            raise _too_deep(positions.filename, node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_DIGITS:
            raise _error(positions, node, tr("a number of {n} characters; numbers in a spec have at most {most}", n=f"{len(node.value):,}", most=MAX_DIGITS))
        open_.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in reversed(children))


def _children(node, yaml) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _error(positions: Positions, node, reason: str) -> SpecError:
    return SpecLimitError(reason, filename=positions.filename, line=node.start_mark.line + 1, column=node.start_mark.column + 1)


def _yaml(filename):
    try:
        import yaml
    except ImportError:
        raise SpecError(tr("reading spec files needs PyYAML: pip install 'convlens[spec]'"), filename=filename) from None
    return yaml


@lru_cache(maxsize=1)
def _scalars():
    """One constructor for the scalar tags (int, float, bool, null, str)."""
    import yaml

    return yaml.SafeLoader("")


_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("map", "seq", "int", "float", "bool", "null", "str")}  # the only types a spec holds


def _value(node, path, positions):
    import yaml

    positions.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _TAGS:
        line, column = positions.marks[path]
        raise SpecError(tr("not valid YAML for a spec: the tag {tag} is not allowed (only numbers, text, true/false, null, lists and mappings)",
                           tag=repr(node.tag)),
                        filename=positions.filename, line=line, column=column)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = _scalars().construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise SpecError(tr("keys must be text, got {key}", key=repr(key_node.value)), filename=positions.filename, line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1)
            if key in out:
                raise SpecError(tr("the key {key} is given twice", key=repr(key)), filename=positions.filename, line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1)
            out[key] = _value(value_node, path + (key,), positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_value(v, path + (i,), positions) for i, v in enumerate(node.value)]
    return _scalars().construct_object(node)
