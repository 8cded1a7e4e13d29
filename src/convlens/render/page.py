"""The design page's cells: the report's rows and totals as the JSON the page lays out.

``cells(summary)`` is ``report.build`` (the cells every text writer prints: shapes as the framework
spells them, counts with separators, the failure) plus the two columns only the page shows, each
row's weight shapes and its receptive field (spelled by ``receptive.cells``, as ``convlens rf``
does). The page (``web/static/result.js``) only puts these strings into the table: it counts,
sums and formats nothing itself.
"""

from __future__ import annotations

from ..i18n import language, tr
from . import _format as f
from . import report
from ._common import Options

_ROWS = Options()  # every row, the default style: the page's table is the layer table


def _receptive_field(rf: dict | None) -> str:
    """``'5×5'``, ``'10×10 (jump 2×2)'``, ``'global'``; ``'--'`` for an elementwise row. Spelled as
    ``receptive.cells`` spells them (``convlens rf``), without the start the page does not show."""
    if rf is None:
        return "--"
    if rf["global"]:
        return tr("global")
    size = f.times(rf["size"], decimal=True)
    return size if all(j == 1 for j in rf["jump"]) else tr("{size} (jump {jump})", size=size, jump=f.times(rf["jump"], decimal=True))


def _weights(row) -> str:
    """``'weight (32, 1, 3, 3); bias (32,)'``, or ``'--'`` for a row without parameters of its own."""
    return "; ".join(f"{w.name} {f.shape(w.shape, 'tuple')}" for w in row.weights) or "--"


def cells(summary, *, lang: str | None = None) -> dict:
    """``{"rows": [...], "totals": {...}}``: one dict of text per ``summary.layers`` row, in order,
    and the totals the page's footer shows; the keys are English (an API), the text in ``lang``
    (``"en"``, ``"ko"``; None: the current language)."""
    with language(lang):
        return _cells(summary)


def _cells(summary) -> dict:
    rep = report.build(summary, _ROWS)
    rows = [
        {"name": r.name, "type": r.type, "depth": r.depth, "inputs": r.inputs, "output": r.output, "weights": _weights(layer),
         "params": r.params, "macs": r.macs, "receptive_field": _receptive_field(layer.receptive_field), "failed": r.failed}
        for r, layer in zip(rep.rows, summary.layers)
    ]
    output = "--" if summary.failed or not summary.output_shapes else f.shape(summary.output_shapes[0], summary.framework)
    totals = {
        "params": f.thousands(summary.total_params), "trainable": f.thousands(summary.trainable_params),
        "non_trainable": f.thousands(summary.non_trainable_params), "macs": f.thousands(summary.total_macs), "output": output,
        "warnings": sum(d.severity == "warning" for d in summary.diagnostics),
    }
    return {"rows": rows, "totals": totals}


__all__ = ["cells"]
