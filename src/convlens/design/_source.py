"""Reading a spec's text (YAML or JSON) into plain Python values, keeping where each value was written.

``read(text, filename)`` returns the document and a ``Positions`` map from a path inside the
document (``("layers", 3, "in_features")``) to the 1-based line and column where that value
starts, so every later error can say ``net.yaml:12:19``. YAML is composed with PyYAML's safe
constructors only (no tags, no Python objects); a ``.json`` file is first read by ``json`` so a
JSON mistake is reported the way JSON tools report it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from ._errors import SpecError

MAX_BYTES = 1_000_000  # a spec larger than this is refused before parsing (1 MB)


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
        raise SpecError(f"the spec is larger than {MAX_BYTES:,} bytes; split it or remove unused blocks", filename=filename)
    if fmt is None:
        fmt = "json" if filename.lower().endswith(".json") else "yaml"
    yaml = _yaml(filename)
    if fmt == "json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"not valid JSON: {exc.msg}", filename=filename, line=exc.lineno, column=exc.colno) from None
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when present: same nodes, faster
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "syntax error"
        raise SpecError(f"not valid YAML: {what}", filename=filename, line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"not valid YAML: {exc}", filename=filename) from None
    except RecursionError:
        raise SpecError("not valid YAML: nested too deeply", filename=filename) from None
    positions = Positions(filename, lines=tuple(text.splitlines()))
    if node is None:
        raise SpecError("the spec is empty; it needs at least 'input' and 'layers'", filename=filename, line=1, column=1)
    try:
        return _value(node, (), positions), positions
    except RecursionError:
        raise SpecError("the spec is nested too deeply", filename=filename) from None


def _yaml(filename):
    try:
        import yaml
    except ImportError:
        raise SpecError("reading spec files needs PyYAML: pip install 'convlens[spec]'", filename=filename) from None
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
        raise SpecError(f"not valid YAML for a spec: the tag {node.tag!r} is not allowed (only numbers, text, true/false, null, lists and mappings)",
                        filename=positions.filename, line=line, column=column)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = _scalars().construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise SpecError(f"keys must be text, got {key_node.value!r}", filename=positions.filename, line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1)
            if key in out:
                raise SpecError(f"the key {key!r} is given twice", filename=positions.filename, line=key_node.start_mark.line + 1, column=key_node.start_mark.column + 1)
            out[key] = _value(value_node, path + (key,), positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_value(v, path + (i,), positions) for i, v in enumerate(node.value)]
    return _scalars().construct_object(node)
