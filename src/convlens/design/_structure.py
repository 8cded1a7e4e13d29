"""Two rewrites that turn a flat list of layers (each naming its inputs) into a spec a person would write.

* ``with_branches``: a stretch ``fork -> chains -> merge`` whose chains start at one fork and are read
  only by the merge becomes one ``branches`` item (a residual block, an Inception module).
* ``fold_blocks``: the contiguous items of one module instance (``layer1.0``) become a use of a
  block; instances of one class with the same layers share the block, and the values that differ
  between them become its parameters (``$in_channels``).

Both keep every layer's name, so the expanded network is the same node for node (tested by the zoo
round trip). Items are plain dicts in the document's format.
"""

from __future__ import annotations

import copy

from ..core.network import INPUT

_MERGES = ("add", "cat")
_STRUCTURE = ("type", "name", "merge", "inputs", "dim", "branches")  # keys that are not a layer's arguments


# --- fork ... merge -> branches ----------------------------------------------------------------
def with_branches(items: list[dict]) -> list[dict]:
    """Rewrite every fork … merge stretch as ``branches``; drop ``inputs`` that only name the previous layer."""
    while True:
        resolved = _resolved(items)
        for m, item in enumerate(items):
            if item.get("type") in _MERGES:
                rewritten = _branches_at(items, resolved, m)
                if rewritten is not None:
                    items = rewritten
                    break
        else:
            break
    previous = INPUT
    for item in items:
        if item.get("inputs") == [previous]:
            del item["inputs"]
        previous = item["name"]
    return items


def _resolved(items):
    """What each item reads: its ``inputs``, or the previous item."""
    out, previous = [], INPUT
    for item in items:
        out.append(list(item.get("inputs", [previous])))
        previous = item["name"]
    return out


def _branches_at(items, resolved, m):
    """The items with the merge at ``m`` and its chains as one ``branches`` item, or None if they are not such a stretch."""
    position = {item["name"]: i for i, item in enumerate(items)}
    readers: dict[str, int] = {}
    for inputs in resolved:
        for name in inputs:
            readers[name] = readers.get(name, 0) + 1

    def in_chain(name):  # read once, reads one layer, and is not itself a merge
        item = items[position[name]]
        return readers.get(name, 0) == 1 and len(resolved[position[name]]) == 1 and "branches" not in item and item.get("type") not in _MERGES

    chains, forks = [], set()
    for start in resolved[m]:
        chain, current = [], start
        while current != INPUT and in_chain(current):
            chain.append(current)
            current = resolved[position[current]][0]
        forks.add(current)
        chains.append(chain[::-1])
    if len(forks) != 1:
        return None
    fork = forks.pop()
    first = 0 if fork == INPUT else position[fork] + 1
    inside = sorted(position[name] for chain in chains for name in chain)
    if inside != list(range(first, m)) or readers.get(fork, 0) != len(chains):  # the stretch must be contiguous and own the fork's readers
        return None
    merge = items[m]
    new = {"branches": [[{k: v for k, v in items[position[n]].items() if k != "inputs"} for n in chain] for chain in chains],
           "merge": merge["type"], "name": merge["name"]}
    if "dim" in merge:
        new["dim"] = merge["dim"]
    return items[:first] + [new] + items[m + 1:]


# --- module instances -> parameterised blocks -----------------------------------------------------
def fold_blocks(items: list[dict], scope_of, class_of) -> tuple[dict, list[dict]]:
    """The blocks and the items using them.

    ``scope_of(name)`` gives the module instance a layer belongs to (``layer1.0``) or None;
    ``class_of(scope)`` its class name, which names the block (``BasicBlock``, then ``BasicBlock_2``
    for a second kind of the same class). A kind used once, and items that name their inputs, stay
    as they are.
    """
    runs: list[tuple[str | None, list[dict]]] = []  # contiguous items of one instance
    for item in items:
        scope = scope_of(item["name"])
        names = [i["name"] for i in _flat(item)]
        if scope is None or any("inputs" in i for i in _flat(item)) or not all(n.startswith(scope + ".") for n in names):
            scope = None
        if scope is not None and runs and runs[-1][0] == scope:
            runs[-1][1].append(item)
        else:
            runs.append((scope, [item]))
    kinds: dict[tuple, list[tuple[str, list[dict]]]] = {}
    for scope, run in runs:
        if scope is not None:
            local = [_local(i, scope) for i in run]
            kinds.setdefault((class_of(scope), tuple(map(_skeleton, local))), []).append((scope, local))
    blocks, uses, count = {}, {}, {}
    for (cls, _), instances in kinds.items():
        if len(instances) < 2:
            continue
        count[cls] = count.get(cls, 0) + 1
        name = cls if count[cls] == 1 else f"{cls}_{count[cls]}"
        blocks[name], given = _block(instances)
        for (scope, _), values in zip(instances, given):
            uses[scope] = {"block": name, "name": scope, **({"with": values} if values else {})}
    out = []
    for scope, run in runs:
        if scope in uses:
            out.append(uses[scope])
        else:
            out.extend(run)
    return blocks, out


def _block(instances) -> tuple[dict, list[dict]]:
    """One block for instances with the same layers: a value that differs between them becomes a
    parameter (one per distinct column of values, named after the first argument it fills)."""
    columns = [list(_arguments(local)) for _, local in instances]  # per instance: (path, value), same paths
    param_of: dict[tuple, str] = {}  # the values across instances -> parameter name
    at: dict[int, str] = {}  # argument position -> parameter name
    for position, (path, _) in enumerate(columns[0]):
        values = tuple(column[position][1] for column in columns)
        if len({repr(v) for v in values}) == 1:
            continue
        if values not in param_of:
            base = str(path[-1])
            taken = sum(1 for p in param_of.values() if p == base or p.startswith(base + "_"))
            param_of[values] = base if taken == 0 else f"{base}_{taken + 1}"
        at[position] = param_of[values]
    layers = copy.deepcopy(instances[0][1])
    for position, param in at.items():
        path, _ = columns[0][position]
        target = layers[path[0]]
        for step in path[1:-1]:
            target = target[step]
        target[path[-1]] = f"${param}"
    block = {"params": {p: None for p in param_of.values()}, "layers": layers} if param_of else {"layers": layers}
    given = [{at[pos]: column[pos][1] for pos in sorted(at)} for column in columns]
    return block, given


def _flat(item):
    yield item
    for branch in item.get("branches", []):
        for sub in branch:
            yield from _flat(sub)


def _local(item, prefix: str) -> dict:
    """The item with its names relative to the block instance ``prefix`` (``layer1.0.conv1`` -> ``conv1``)."""
    out = dict(item, name=item["name"][len(prefix) + 1:])
    if "branches" in item:
        out["branches"] = [[_local(sub, prefix) for sub in branch] for branch in item["branches"]]
    return out


def _arguments(local):
    """(path, value) of every layer argument of a block's items, in order; paths index into ``local``."""
    def walk(item, path):
        if "branches" in item:
            for j, branch in enumerate(item["branches"]):
                for k, sub in enumerate(branch):
                    yield from walk(sub, path + ("branches", j, k))
            return
        for key, value in item.items():
            if key not in _STRUCTURE:
                yield path + (key,), value

    for k, item in enumerate(local):
        yield from walk(item, (k,))


def _skeleton(item):
    """What must be equal for two instances to share a block: types, names, merges and which arguments are given."""
    if "branches" in item:
        return ("branches", item["name"], item["merge"], item.get("dim"), tuple(tuple(map(_skeleton, b)) for b in item["branches"]))
    return (item["type"], item["name"], tuple(k for k in item if k not in ("type", "name")))
