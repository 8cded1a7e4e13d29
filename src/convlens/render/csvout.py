"""The layer table as CSV: a header row, then one row per layer; plain integers, shapes as
``1x64x112x112`` (several inputs joined by ``;``), empty cells for unknown values.

``params`` and ``macs`` are what the table shows: a container's include its children's.
``own_params`` counts only what the row itself owns, so that column sums to the total."""

from __future__ import annotations

import csv
import io

from . import _format as f
from ._common import Options, row_macs, row_params, visible

HEADER = (
    "index", "name", "type", "depth", "kind", "input_shape", "output_shape", "params", "own_params", "trainable_params",
    "non_trainable_params", "buffers", "macs", "flops", "rf_size", "rf_jump", "repeated", "failed", "source",
)


def render(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None) -> str:
    """CSV text (``\\n`` line ends); ``depth`` drops deeper rows."""
    opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(HEADER)
    for i, row in visible(summary.layers, opts.depth):
        rf = row.receptive_field or {}
        out.writerow((
            i, row.name, row.type, row.depth, row.kind,
            ";".join(f.shape_x(s) for s in row.input_shapes), f.shape_x(row.output_shape),
            row_params(summary.layers, i), row.params, row.trainable_params, row.non_trainable_params,
            sum(b.numel for b in row.buffers), row_macs(summary.layers, i), row.flops,
            f.shape_x([f.fraction(v) for v in rf["size"]]) if rf.get("size") else "",
            f.shape_x([f.fraction(v) for v in rf["jump"]]) if rf.get("jump") else "",
            int(row.repeated), row.failed or "", row.source or "",
        ))
    return buf.getvalue()
