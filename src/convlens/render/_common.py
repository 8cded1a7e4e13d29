"""Plumbing every renderer shares: the validated options, which rows are shown, subtree sums,
and the lines of the totals section (as label/value pairs, laid out by each renderer)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..core.costs import COST_CONVENTION  # the convention in one line, next to every set of totals
from ..core.framework import Framework
from ..i18n import N_, tr, trn
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
            raise ValueError(tr("depth must be an int >= 0 or None, got depth={depth!r}", depth=depth))
        try:
            style = Style(style)
        except ValueError:
            raise ValueError(tr("style={style!r} is not one of {choices}", style=style, choices=", ".join(repr(s.value) for s in Style))) from None
        if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width < 20):
            raise ValueError(tr("width must be an int >= 20 or None, got width={width!r}", width=width))
        return Options(depth, style, bool(show_calculation), bool(color), width)




def batch_note(summary) -> str:
    """Costs are for the whole batch; say how a Keras ``None`` batch was counted when there is one."""
    unknown = any(s and s[0] is None for s in summary.input_shapes)
    if unknown:
        return tr("counted for the whole batch; the None batch counts as 1")
    return tr("counted for the whole batch")


MEMORY_NOTE = N_("an estimate for one training step, not a measurement")


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
        return tr("(shared)")
    n = row_params(layers, i)
    return f.thousands(n) if n else "--"


def _first_call_params(layers, i: int) -> int:
    """Parameters of the first call of the module that row ``i`` calls again (same name and type)."""
    row = layers[i]
    for j in range(i):
        if layers[j].name == row.name and layers[j].type == row.type and not layers[j].repeated:
            return row_params(layers, j)
    return 0


# the diagnostics' severities as the reports print them
SEVERITY_WORDS = {"error": N_("ERROR"), "warning": N_("WARNING"), "info": N_("INFO")}

NEEDS_SIZE = N_("needs size")  # the MAC cell of a row whose MACs need an input size (the model's sizes are free)


def macs_cell(layers, i: int) -> str:
    n = row_macs(layers, i)
    if n is None:
        return tr(NEEDS_SIZE)
    return f.thousands(n) if n else "--"


def output_cell(row, framework: str) -> str:
    if row.failed:
        return tr("FAILED")
    return f.shape(row.output_shape, framework) or "--"


def row_warnings(summary, row) -> list[str]:
    """A row's warnings that the diagnostics section does not already print."""
    said = {d.message for d in summary.diagnostics}
    return [w for w in row.warnings if w not in said and not any(w in m for m in said)]


def header_facts(summary) -> list[tuple[str, str]]:
    """Framework, input and output shapes, as label/value pairs."""
    fw = summary.framework
    facts = [(tr("Framework"), {Framework.TORCH: "PyTorch", Framework.KERAS: "Keras", Framework.CORE: "convlens core"}[fw])]
    facts.append((tr("Input"), f.shapes(summary.input_shapes, fw)))
    if summary.output_names and len(summary.output_names) == len(summary.output_shapes):  # a dict/dataclass result
        facts.append((tr("Output"), ", ".join(f"{n} {f.shape(s, fw)}" for n, s in zip(summary.output_names, summary.output_shapes))))
    else:
        facts.append((tr("Output"), f.shapes(summary.output_shapes, fw) if summary.output_shapes else "--"))
    return facts


def receptive_field_text(rf: dict | None) -> str | None:
    """``{"size": [212, 212], "jump": [32, 32], "start": [...], "global": False}`` in words."""
    if not rf:
        return None
    size, jump, start = rf.get("size"), rf.get("jump"), rf.get("start")
    local = []
    if size:
        local.append(tr("{size} input pixels", size=f.times(size)))
    if jump:
        local.append(tr("jump {jump}", jump=f.times(jump)))
    if start:
        local.append(tr("first output centred at ({start})", start=", ".join(f.fraction(v) for v in start)))
    if rf.get("global"):
        if size:
            return tr("global: every output sees the whole input (last local field {size})", size=f.times(size))
        return tr("global: every output sees the whole input")
    return ", ".join(local) if local else None


def totals(summary) -> list[tuple[str, str]]:
    """The totals section as label/value pairs, in the order they are printed."""
    rows = [
        (tr("Total params"), f.count(summary.total_params)),
        (tr("Trainable params"), f.thousands(summary.trainable_params)),
        (tr("Non-trainable params"), f.thousands(summary.non_trainable_params)),
        (tr("Buffers"), tr("{n} elements", n=f.thousands(summary.buffers))),
        (
            tr("Params + buffers size"),
            tr("{total} (params {params}, buffers {buffers}; {convention})", total=f.nbytes(summary.param_bytes + summary.buffer_bytes),
               params=f.nbytes(summary.param_bytes), buffers=f.nbytes(summary.buffer_bytes), convention=tr(f.BYTES_CONVENTION)),
        ),
        (tr("Total MACs"), f"{f.count(summary.total_macs)}, {batch_note(summary)}" if summary.macs_known
         else tr("unknown: the input size is free; give one (--input) to count them")),
        (tr("Total FLOPs"), f.count(summary.total_flops) if summary.macs_known else tr("unknown (see Total MACs)")),
        (tr("Convention"), tr(COST_CONVENTION)),  # the core's sentence, in its catalog
    ]
    m = summary.memory
    if m is not None:
        rows.append((
            tr("Training memory"),
            f"~{f.nbytes(m.total)} = {memory_terms(m)} ({f.nbytes(m.total, binary=True)}); {tr(MEMORY_NOTE)}",
        ))
        rows.append((tr("Memory formula"), tr(m.formula)))  # the core's formula, in its catalog
    rf = receptive_field_text(summary.receptive_field)
    if rf:
        rows.append((tr("Receptive field"), rf))
    if summary.unused_params:
        rows.append((tr("Unused parameters"), ", ".join(summary.unused_params)))
    return rows


def memory_terms(m) -> str:
    """A ``MemoryEstimate`` as the sum of its parts: ``'params 1.04 MB + gradients 1.04 MB + …'``."""
    parts = [
        (N_("params"), m.parameters), (N_("gradients"), m.gradients), (N_("Adam state"), m.optimizer),
        (N_("buffers"), m.buffers), (N_("input"), m.inputs), (N_("activations"), m.activations),
    ]
    return " + ".join(f"{tr(name)} {f.nbytes(v)}" for name, v in parts)


def diagnostic_counts(diagnostics) -> str:
    """``'1 error, 2 warnings'``."""
    out = []
    n = sum(1 for d in diagnostics if d.severity == "error")
    if n:
        out.append(trn("{n} error", "{n} errors", n, n=n))
    n = sum(1 for d in diagnostics if d.severity == "warning")
    if n:
        out.append(trn("{n} warning", "{n} warnings", n, n=n))
    n = sum(1 for d in diagnostics if d.severity == "info")
    if n:
        out.append(tr("{n} info", n=n))
    return ", ".join(out) if out else tr("none")


def source_line_number(source: str | None) -> str | None:
    """``'model.py:42'`` -> ``'42'``; ``'net.yaml:42:7'`` (line and column) -> ``'42'``."""
    if not source or ":" not in source:
        return None
    parts = source.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[1]
    tail = parts[-1]
    return tail if tail.isdigit() else None
