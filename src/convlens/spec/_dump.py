"""A spec document -> YAML text that reads like a hand-written spec: one line per layer.

Layers are written as flow mappings (``- {type: Conv2d, name: conv1, out_channels: 32}``),
branches and blocks as nested block lists. ``loads(dump(doc))`` gives ``doc`` back (tested).
"""

from __future__ import annotations

import yaml

_TOP = ("name", "framework", "input", "notes")


def _flow(value) -> str:
    return yaml.safe_dump(_plain(value), default_flow_style=True, sort_keys=False, width=1 << 30, allow_unicode=True).strip().removesuffix("\n...").strip()


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


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
