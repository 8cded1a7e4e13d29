"""The record as plain data: the one serialiser of a ``Summary`` (and of anything in it).

``summary_dict(summary)`` gives numbers, strings, lists and dicts only, in the record's field
order: a ``Fraction`` becomes a number (``number``: an int when whole, else a float), an enum its
text, a dataclass a dict of its fields. Each row gains its ``params``; ``connected_to`` is left out
where it is not known (only Keras graphs know it); the memory estimate gains its ``total``.
``Summary.to_dict()``, the JSON writer and the web page's ``/api/summary`` all call it.

It walks the fields itself rather than calling ``dataclasses.asdict``, whose deep copies took half
of the web server's time on a keystroke.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import StrEnum
from fractions import Fraction

_FIELDS: dict[type, tuple[str, ...]] = {}  # dataclass -> its field names, read once
_SCALARS = (str, int, float, bool)


def number(x):
    """A ``Fraction`` as a JSON number: an int when whole, else a float; anything else unchanged.

    >>> number(Fraction(4, 2)), number(Fraction(1, 2)), number(7), number(0.25)
    (2, 0.5, 7, 0.25)
    """
    if isinstance(x, Fraction):
        return int(x) if x.denominator == 1 else float(x)
    return x


def plain(obj):
    """``obj`` as numbers, strings, lists and dicts (tuples become lists).

    >>> from convlens.record import Severity, WeightInfo
    >>> plain({"rf": (Fraction(3, 2), Fraction(4, 2)), "severity": Severity.ERROR, "w": WeightInfo("b", (20,))})
    {'rf': [1.5, 2], 'severity': 'error', 'w': {'name': 'b', 'shape': [20], 'trainable': True, 'dtype_bytes': 4}}
    """
    kind = type(obj)
    if obj is None or kind in _SCALARS:
        return obj
    if kind is Fraction:
        return number(obj)
    if isinstance(obj, StrEnum):  # Severity, RowKind, Framework: their text
        return obj.value
    if kind in (list, tuple):
        return [plain(v) for v in obj]
    if kind is dict:
        return {k: plain(v) for k, v in obj.items()}
    names = _FIELDS.get(kind)
    if names is None and is_dataclass(obj):
        names = _FIELDS[kind] = tuple(f.name for f in fields(obj))
    if names is not None:
        return {name: plain(getattr(obj, name)) for name in names}
    return obj


def summary_dict(summary) -> dict:
    """The ``Summary`` as plain data (what ``to_dict()`` returns and the JSON writer prints)."""
    out = plain(summary)
    for row, source in zip(out["layers"], summary.layers):
        row["params"] = source.params
        if not source.connected_to:  # known only for Keras graphs; absent rather than empty elsewhere
            del row["connected_to"]
    if summary.memory is not None:
        out["memory"]["total"] = summary.memory.total
    return out


__all__ = ["number", "plain", "summary_dict"]
