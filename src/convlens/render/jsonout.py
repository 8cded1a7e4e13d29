"""The summary as JSON: ``json.dumps(summary.to_dict())``, indented, keys in the record's order.

``Summary.to_dict`` already turns ``Fraction``s into numbers (an int when whole, else a float);
anything else a front end may have left that JSON cannot hold is made a float (a ``Fraction``)
or a string, so ``json.loads`` of the output equals ``summary.to_dict()``.
"""

from __future__ import annotations

import json
from fractions import Fraction

from ._common import Options


def _default(obj):
    if isinstance(obj, Fraction):
        return int(obj) if obj.denominator == 1 else float(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    return str(obj)


def render(summary, *, depth=None, style="default", show_calculation=False, color=False, width=None) -> str:
    """JSON text; ``depth`` drops deeper rows from ``layers`` (totals unchanged). The other
    options only concern the text reports and are accepted so every format takes the same ones."""
    opts = Options.make(depth=depth, style=style, show_calculation=show_calculation, color=color, width=width)
    d = summary.to_dict()
    if opts.depth is not None:
        d["layers"] = [row for row in d["layers"] if row["depth"] <= opts.depth]
    return json.dumps(d, indent=2, ensure_ascii=False, default=_default)
