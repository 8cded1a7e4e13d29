"""Diagnosis across traces: where the batch stops being a dimension of its own.

A reshape such as ``x.view(-1, 256)`` on a ``(4, 512)`` tensor gives ``(8, 256)``: every count
still divides, no shape error is raised, and the model silently returns 8 outputs for 4 inputs.
One trace cannot tell this from a legitimate ``(B, T, C) -> (B·T, C)``. Two traces can: run the
forward again with another batch size and compare every row's shapes. A dimension holds the batch
when it is ``b1`` in the first trace, ``b2`` in the second and every other dimension is equal; the
batch is *merged* when the shapes change but no dimension is the batch. Merges that are undone
before the output (token-wise layers) are fine; when an output has the batch merged, the last row
that took a tensor with the batch as its own dimension and gave one without is the line to fix.
"""

from __future__ import annotations

from ...record import Diagnostic, LayerRow

FIX = "use x.flatten(1) (or x.view(x.size(0), -1)), which keeps the batch dimension"


def batch_state(s1, s2, b1: int, b2: int) -> str:
    """``'own'`` (one dimension is the batch), ``'none'`` (no dimension depends on it), ``'merged'``,
    or ``'unknown'`` (ranks differ: the code branched on the batch size).

    >>> batch_state((4, 512), (5, 512), 4, 5), batch_state((8, 256), (10, 256), 4, 5), batch_state((3,), (3,), 4, 5)
    ('own', 'merged', 'none')
    """
    if s1 is None or s2 is None or len(s1) != len(s2):
        return "unknown"
    diff = [d for d in range(len(s1)) if s1[d] != s2[d]]
    if not diff:
        return "none"
    if len(diff) == 1 and s1[diff[0]] == b1 and s2[diff[0]] == b2:
        return "own"
    return "merged"


def batch_merges(rows: list[LayerRow], code_lines: list[str | None], probe_rows: list[LayerRow], outputs, probe_outputs,
                 b1: int, b2: int) -> list[Diagnostic]:
    """The batch-folded diagnostic for the row that merges the batch, when an output has it merged."""
    if len(outputs) != len(probe_outputs):
        return []
    merged_out = [(s1, s2) for s1, s2 in zip(outputs, probe_outputs) if batch_state(s1, s2, b1, b2) == "merged"]
    if not merged_out:
        return []
    probe = {r.name: r for r in probe_rows}
    culprit = None
    for i, row in enumerate(rows):
        other = probe.get(row.name)
        if other is None or not row.input_shapes or not other.input_shapes or row.kind == "container":
            continue
        took = batch_state(row.input_shapes[0], other.input_shapes[0], b1, b2)
        gave = batch_state(row.output_shape, other.output_shape, b1, b2)
        if took == "own" and gave == "merged":
            culprit = i
    if culprit is None:
        return []
    row, other = rows[culprit], probe[rows[culprit].name]
    out1, out2 = merged_out[0]
    message = (f"{row.type} merges the batch into another dimension: a batch of {b1} gives {tuple(row.output_shape)} and a "
               f"batch of {b2} gives {tuple(other.output_shape)}, so no dimension is the batch any more; the model returns "
               f"{tuple(out1)} for {b1} input{'s' if b1 != 1 else ''} ({tuple(out2)} for {b2})")
    return [Diagnostic("error", "batch-folded", message, FIX, row.name, row.source, code_lines[culprit])]
