"""The summary as JSON: ``summary.to_dict()`` indented by 2, keys in the record's order, lists of
numbers (shapes) kept on one line.

``Summary.to_dict`` already turns ``Fraction``s into numbers (an int when whole, else a float);
anything else a front end may have left that JSON cannot hold is made a float (a ``Fraction``)
or a string, so ``json.loads`` of the output equals ``summary.to_dict()``.
"""

from __future__ import annotations

import json
from fractions import Fraction

from ..record.serialize import number
from ._common import Options


def _default(obj):
    if isinstance(obj, Fraction):
        return number(obj)
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
    return _dump(d, 0)


def _dump(obj, level: int) -> str:
    """``json.dumps(obj, indent=2)``, except that a list of numbers (a shape, a receptive-field
    size) stays on one line: ``[1, 64, 112, 112]``."""
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = (f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_dump(v, level + 1)}" for k, v in obj.items())
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if all(v is None or isinstance(v, (int, float, Fraction)) for v in obj):
            return json.dumps(list(obj), ensure_ascii=False, default=_default)
        return "[\n" + ",\n".join(inner + _dump(v, level + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False, default=_default)
