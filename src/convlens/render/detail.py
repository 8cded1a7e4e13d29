"""Everything about one layer (``convlens calc Conv2d --input …``): its call, input and output
shapes, each weight, the counts, the receptive field, the worked calculation, warnings, notes.
"""

from __future__ import annotations

from ..i18n import N_, language, tr
from . import _format as f
from .receptive import cells

TUPLE = "tuple"  # the shape spelling of this view: (16, 20, 28, 28)


# the labels of the facts, in the order they are printed
LABELS = (N_("input"), N_("output"), N_("weights"), N_("params"), N_("buffers"), N_("MACs"), N_("FLOPs"), N_("receptive field"))


def render(summary, *, lang: str | None = None) -> str:
    """The first row of ``summary`` in detail (a one-layer summary has only that row); ``lang``:
    ``"en"``, ``"ko"`` (None: the current language)."""
    with language(lang):
        return _render(summary)


def _render(summary) -> str:
    r = summary.layers[0]
    lines = [r.code or r.type, ""]
    values = [
        " + ".join(f.shape(s, TUPLE) for s in r.input_shapes),
        f.shape(r.output_shape, TUPLE) or tr("FAILED"),
        _tensors(r.weights) or tr("none"),
        tr("{n} (trainable {trainable}, non-trainable {frozen})", n=f.thousands(r.params), trainable=f.thousands(r.trainable_params),
           frozen=f.thousands(r.non_trainable_params)),
        _tensors(r.buffers) or "0",
        f.thousands(r.macs),
        f.thousands(r.flops),
        _receptive_field(r.receptive_field),
    ]
    facts = [(tr(k), v) for k, v in zip(LABELS, values)]
    width = max(f.width(k) for k, _ in facts)
    lines += [f"{f.ljust(k, width)}  {v}" for k, v in facts]
    if r.calculation:
        lines += ["", tr("calculation")] + [f"  {c}" for c in r.calculation]
    if r.warnings:
        lines += ["", tr("warnings")] + [f"  {w}" for w in r.warnings]
    lines += [""] + [tr("note: {note}", note=n) for n in summary.notes]
    return "\n".join(lines)


def _tensors(ws) -> str:
    """``'weight (20, 1, 5, 5) = 500; bias (20,) = 20'``."""
    return "; ".join(f"{w.name} {f.shape(w.shape, TUPLE)} = {f.thousands(w.numel)}" for w in ws)


def _receptive_field(rf: dict | None) -> str:
    if rf is None:
        return tr("unchanged (elementwise)")
    if rf["global"]:
        return tr("global (every output sees the whole input)")
    size, jump, start = cells(rf)
    return tr("{size}, jump {jump}, first centre at {start}", size=size, jump=jump, start=start)
