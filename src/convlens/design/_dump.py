"""A spec document -> YAML text that reads like a hand-written spec: one line per layer.

Layers are written as flow mappings (``- {type: Conv2d, name: conv1, out_channels: 32}``),
branches and blocks as nested block lists. ``loads(dump(doc))`` gives ``doc`` back (tested).
"""

from __future__ import annotations

import json
import re

import yaml

from ..i18n import tr

_TOP = ("name", "framework", "input", "notes")
_SAFE = re.compile(r"[A-Za-z0-9_$.][A-Za-z0-9_$.*+/ ()-]*(?<! )")  # text that can stay unquoted in a flow collection
_RESOLVER = yaml.resolver.Resolver()


def _flow(value) -> str:
    """One value in YAML's flow style (``{type: Conv2d, kernel_size: [3, 5]}``), written directly:
    the page rewrites the whole spec on every keystroke, and PyYAML's emitter is the slow part."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return yaml.safe_dump(value).strip().removesuffix("...").strip()  # YAML's own spelling: 1.0e-05
    if isinstance(value, str):
        if _SAFE.fullmatch(value) and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str":
            return value
        return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    raise TypeError(tr("a spec holds numbers, text, true/false, null, lists and mappings, not {type}", type=type(value).__name__))


def dump(doc: dict, *, header: str | None = None) -> str:
    """YAML text of a spec document."""
    out = [f"# {line}" if line else "#" for line in (header.splitlines() if header else [])]
    for key in _TOP:
        if key in doc:
            if key == "notes":
                out.append("notes:")
                out += [f"  - {_flow(n)}" for n in doc["notes"]]
            else:
                out.append(f"{key}: {_flow(doc[key])}")
    if doc.get("blocks"):
        out.append("blocks:")
        for name, block in doc["blocks"].items():
            out.append(f"  {name}:")
            if "params" in block:
                out.append(f"    params: {_flow(block['params'])}")
            out.append("    layers:")
            _items(block["layers"], "      ", out)
    out.append("layers:")
    _items(doc["layers"], "  ", out)
    return "\n".join(out) + "\n"


def _items(items, indent: str, out: list) -> None:
    if not items:
        out[-1] += " []"
        return
    for item in items:
        if isinstance(item, dict) and "branches" in item:
            out.append(f"{indent}- branches:")
            for branch in item["branches"]:
                if not branch:
                    out.append(f"{indent}    - []")
                    continue
                for k, sub in enumerate(branch):  # a branch that forks again is written on one line
                    out.append(f"{indent}    {'- ' if k == 0 else '  '}- {_flow(sub)}")
            rest = {k: v for k, v in item.items() if k != "branches"}
            for k, v in rest.items():
                out.append(f"{indent}  {k}: {_flow(v)}")
        else:
            out.append(f"{indent}- {_flow(item)}")
