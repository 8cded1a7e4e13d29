"""Plumbing every renderer shares: the validated options, which rows are shown, subtree sums,
and the lines of the totals section (as label/value pairs, laid out by each renderer)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..core.costs import COST_CONVENTION  # the convention in one line, next to every set of totals
from ..core.framework import Framework
from . import _format as f


class Style(StrEnum):
    DEFAULT = "default"  # the layer table: shapes, parameters, MACs
    TUTORIAL = "tutorial"  # the hand-drawn flow: input size, output size, what the layer does


@dataclass(frozen=True)
class Options:
    """What every renderer may be asked for; validated once in ``Options.make``."""

    depth: int | None = None  # hide rows deeper than this (0 = top-level only); totals unchanged
    style: Style = Style.DEFAULT
    show_calculation: bool = False  # print each row's worked calculation under it
    color: bool = False  # ANSI colours in the terminal table only
    width: int | None = None  # terminal width; None = the current terminal's (fallback 100)

    @staticmethod
    def make(*, depth=None, style="default", show_calculation=False, color=False, width=None) -> "Options":
        if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 0):
            raise ValueError(f"depth must be an int >= 0 or None, got depth={depth!r}")
        try:
            style = Style(style)
        except ValueError:
            raise ValueError(f"style={style!r} is not one of {', '.join(repr(s.value) for s in Style)}") from None
        if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width < 20):
            raise ValueError(f"width must be an int >= 20 or None, got width={width!r}")
        return Options(depth, style, bool(show_calculation), bool(color), width)




def batch_note(summary) -> str:
    """Costs are for the whole batch; say how a Keras ``None`` batch was counted when there is one."""
    unknown = any(s and s[0] is None for s in summary.input_shapes)
    return "counted for the whole batch" + ("; the None batch counts as 1" if unknown else "")
MEMORY_NOTE = "an estimate for one training step, not a measurement"


def visible(layers, depth: int | None) -> list[tuple[int, object]]:
    """``(index, row)`` of the rows at ``depth`` or shallower."""
    return [(i, r) for i, r in enumerate(layers) if depth is None or r.depth <= depth]


def subtree_end(layers, i: int) -> int:
    """Index one past the last descendant of row ``i`` (the rows after it that are deeper)."""
    j = i + 1
    while j < len(layers) and layers[j].depth > layers[i].depth:
        j += 1
    return j


def short_names(layers) -> list[str]:
    """Each row's name without its parent's prefix (``resblock1.conv1`` under ``resblock1`` ->
    ``conv1``), for the tutorial view where indentation already shows the nesting."""
    out, parents = [], []  # parents: names of the open rows, one per depth
    for row in layers:
        del parents[row.depth:]
        parent = parents[-1] if parents and len(parents) == row.depth else None
        name = row.name
        if parent and len(name) > len(parent) + 1 and name.startswith(parent) and name[len(parent)] in "./":
            name = name[len(parent) + 1:]
        out.append(name)
        parents.append(row.name)
    return out


def row_params(layers, i: int) -> int:
    """Parameters shown for row ``i``: its own weights, plus its descendants' for a container
    (``LayerRow.weights`` holds only the parameters the row itself owns)."""
    row = layers[i]
    if row.is_leaf:
        return row.params
    return sum(r.params for r in layers[i:subtree_end(layers, i)])


def row_macs(layers, i: int) -> int | None:
    """MACs shown for row ``i``, summed over the subtree for a container as ``row_params`` does;
    None when unknown (no input size for a model of free size)."""
    row = layers[i]
    if row.is_leaf:
        return row.macs
    terms = [row.macs] + [r.macs for r in layers[i + 1:subtree_end(layers, i)]]
    return None if any(t is None for t in terms) else sum(terms)


def params_cell(layers, i: int) -> str:
    row = layers[i]
    if row.repeated and not row.weights and _first_call_params(layers, i):
        return "(shared)"
    n = row_params(layers, i)
    return f.thousands(n) if n else "--"


def _first_call_params(layers, i: int) -> int:
    """Parameters of the first call of the module that row ``i`` calls again (same name and type)."""
    row = layers[i]
    for j in range(i):
        if layers[j].name == row.name and layers[j].type == row.type and not layers[j].repeated:
            return row_params(layers, j)
    return 0


NEEDS_SIZE = "needs size"  # the MAC cell of a row whose MACs need an input size (the model's sizes are free)


def macs_cell(layers, i: int) -> str:
    n = row_macs(layers, i)
    if n is None:
        return NEEDS_SIZE
    return f.thousands(n) if n else "--"


def output_cell(row, framework: str) -> str:
    if row.failed:
        return "FAILED"
    return f.shape(row.output_shape, framework) or "--"


def row_warnings(summary, row) -> list[str]:
    """A row's warnings that the diagnostics section does not already print."""
    said = {d.message for d in summary.diagnostics}
    return [w for w in row.warnings if w not in said and not any(w in m for m in said)]


def header_facts(summary) -> list[tuple[str, str]]:
    """Framework, input and output shapes, as label/value pairs."""
    fw = summary.framework
    facts = [("Framework", {Framework.TORCH: "PyTorch", Framework.KERAS: "Keras", Framework.CORE: "convlens core"}[fw])]
    facts.append(("Input", f.shapes(summary.input_shapes, fw)))
    if summary.output_names and len(summary.output_names) == len(summary.output_shapes):  # a dict/dataclass result
        facts.append(("Output", ", ".join(f"{n} {f.shape(s, fw)}" for n, s in zip(summary.output_names, summary.output_shapes))))
    else:
        facts.append(("Output", f.shapes(summary.output_shapes, fw) if summary.output_shapes else "--"))
    return facts


def receptive_field_text(rf: dict | None) -> str | None:
    """``{"size": [212, 212], "jump": [32, 32], "start": [...], "global": False}`` in words."""
    if not rf:
        return None
    size, jump, start = rf.get("size"), rf.get("jump"), rf.get("start")
    local = []
    if size:
        local.append(f"{f.times(size)} input pixels")
    if jump:
        local.append(f"jump {f.times(jump)}")
    if start:
        local.append(f"first output centred at ({', '.join(f.fraction(v) for v in start)})")
    if rf.get("global"):
        text = "global: every output sees the whole input"
        if size:
            text += f" (last local field {f.times(size)})"
        return text
    return ", ".join(local) if local else None


def totals(summary) -> list[tuple[str, str]]:
    """The totals section as label/value pairs, in the order they are printed."""
    rows = [
        ("Total params", f.count(summary.total_params)),
        ("Trainable params", f.thousands(summary.trainable_params)),
        ("Non-trainable params", f.thousands(summary.non_trainable_params)),
        ("Buffers", f"{f.thousands(summary.buffers)} elements"),
        (
            "Params + buffers size",
            f"{f.nbytes(summary.param_bytes + summary.buffer_bytes)} "
            f"(params {f.nbytes(summary.param_bytes)}, buffers {f.nbytes(summary.buffer_bytes)}; {f.BYTES_CONVENTION})",
        ),
        ("Total MACs", f"{f.count(summary.total_macs)}, {batch_note(summary)}" if summary.macs_known
         else "unknown: the input size is free; give one (--input) to count them"),
        ("Total FLOPs", f.count(summary.total_flops) if summary.macs_known else "unknown (see Total MACs)"),
        ("Convention", COST_CONVENTION),
    ]
    m = summary.memory
    if m is not None:
        rows.append((
            "Training memory",
            f"~{f.nbytes(m.total)} = {memory_terms(m)} ({f.nbytes(m.total, binary=True)}); {MEMORY_NOTE}",
        ))
        rows.append(("Memory formula", m.formula))
    rf = receptive_field_text(summary.receptive_field)
    if rf:
        rows.append(("Receptive field", rf))
    if summary.unused_params:
        rows.append(("Unused parameters", ", ".join(summary.unused_params)))
    return rows


def memory_terms(m) -> str:
    """A ``MemoryEstimate`` as the sum of its parts: ``'params 1.04 MB + gradients 1.04 MB + …'``."""
    parts = [
        ("params", m.parameters), ("gradients", m.gradients), ("Adam state", m.optimizer),
        ("buffers", m.buffers), ("input", m.inputs), ("activations", m.activations),
    ]
    return " + ".join(f"{name} {f.nbytes(v)}" for name, v in parts)


def diagnostic_counts(diagnostics) -> str:
    """``'1 error, 2 warnings'``."""
    out = []
    for sev in ("error", "warning", "info"):
        n = sum(1 for d in diagnostics if d.severity == sev)
        if n:
            out.append(f"{n} {sev}" + ("s" if n != 1 and sev != "info" else ""))
    return ", ".join(out) if out else "none"


def source_line_number(source: str | None) -> str | None:
    """``'model.py:42'`` -> ``'42'``; ``'net.yaml:42:7'`` (line and column) -> ``'42'``."""
    if not source or ":" not in source:
        return None
    parts = source.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[1]
    tail = parts[-1]
    return tail if tail.isdigit() else None
