"""Everything about one layer (``convlens calc Conv2d --input …``): its call, input and output
shapes, each weight, the counts, the receptive field, the worked calculation, warnings, notes.
"""

from __future__ import annotations

from . import _format as f
from .receptive import cells

TUPLE = "tuple"  # the shape spelling of this view: (16, 20, 28, 28)


def render(summary) -> str:
    """The first row of ``summary`` in detail (a one-layer summary has only that row)."""
    r = summary.layers[0]
    lines = [r.code or r.type, ""]
    facts = [
        ("input", " + ".join(f.shape(s, TUPLE) for s in r.input_shapes)),
        ("output", f.shape(r.output_shape, TUPLE) or "FAILED"),
        ("weights", _tensors(r.weights) or "none"),
        ("params", f"{f.thousands(r.params)} (trainable {f.thousands(r.trainable_params)}, non-trainable {f.thousands(r.non_trainable_params)})"),
        ("buffers", _tensors(r.buffers) or "0"),
        ("MACs", f.thousands(r.macs)),
        ("FLOPs", f.thousands(r.flops)),
        ("receptive field", _receptive_field(r.receptive_field)),
    ]
    width = max(len(k) for k, _ in facts)
    lines += [f"{k.ljust(width)}  {v}" for k, v in facts]
    if r.calculation:
        lines += ["", "calculation"] + [f"  {c}" for c in r.calculation]
    if r.warnings:
        lines += ["", "warnings"] + [f"  {w}" for w in r.warnings]
    lines += [""] + [f"note: {n}" for n in summary.notes]
    return "\n".join(lines)


def _tensors(ws) -> str:
    """``'weight (20, 1, 5, 5) = 500; bias (20,) = 20'``."""
    return "; ".join(f"{w.name} {f.shape(w.shape, TUPLE)} = {f.thousands(w.numel)}" for w in ws)


def _receptive_field(rf: dict | None) -> str:
    if rf is None:
        return "unchanged (elementwise)"
    if rf["global"]:
        return "global (every output sees the whole input)"
    size, jump, start = cells(rf)
    return f"{size}, jump {jump}, first centre at {start}"
