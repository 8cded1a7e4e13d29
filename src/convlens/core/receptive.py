"""Receptive fields: what one layer does to them (``RFStep``), the field after a chain of layers
(``compose``, one step at a time) and after branches merge (``merge``, the union per axis).

The one home of this arithmetic: ``core.network``, the PyTorch tracer and the Keras reader all
call ``compose`` and ``merge``; ``as_dict`` is the record's plain-number form.
Composition follows Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural
Networks" (Distill, 2019): ``size' = size + (k−1)·jump``, ``jump' = jump·stride``,
``start' = start + ((k−1)/2 − padding)·jump``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class RFStep:
    """What one layer does to the receptive field, per spatial axis (Araujo et al., 2019).

    ``kernel`` is the effective kernel ``dilation·(k−1)+1``, ``stride`` the step between
    outputs in input pixels, ``padding`` the padding before the first input pixel. Values may be
    ``Fraction`` for upsampling layers (a stride of 1/2). ``is_global`` marks a layer whose every
    output sees the whole input (Linear, Flatten, global pooling).
    """

    kernel: tuple
    stride: tuple
    padding: tuple
    is_global: bool = False


@dataclass(frozen=True, slots=True)
class ReceptiveField:
    """Accumulated receptive field after a layer, per spatial axis, in input pixels.

    ``size``: how many input pixels one output sees; ``jump``: distance in input pixels between
    neighbouring outputs; ``start``: centre of the first output's field (negative = in padding).
    ``is_global``: every output sees the whole input.
    """

    size: tuple
    jump: tuple
    start: tuple
    is_global: bool = False

    @staticmethod
    def identity(n: int) -> "ReceptiveField":
        return ReceptiveField((1,) * n, (1,) * n, (Fraction(1, 2) - Fraction(1, 2),) * n)

    def then(self, step: RFStep | None) -> "ReceptiveField":
        """``compose(self, step)``."""
        return compose(self, step)


def compose(rf: ReceptiveField, step: RFStep | None) -> ReceptiveField:
    """Compose with the next layer: r' = r + (k−1)·j, j' = j·s, start' = start + ((k−1)/2 − p)·j.

    >>> rf = compose(compose(ReceptiveField.identity(1), RFStep((3,), (1,), (1,))), RFStep((2,), (2,), (0,)))
    >>> rf.size, rf.jump, float(rf.start[0])
    ((4,), (2,), 0.5)
    """
    if step is None or rf.is_global:
        return rf
    if step.is_global:
        return ReceptiveField(rf.size, rf.jump, rf.start, True)
    if len(step.kernel) != len(rf.size):
        return rf
    size = tuple(_num(r + (k - 1) * j) for r, k, j in zip(rf.size, step.kernel, rf.jump))
    jump = tuple(_num(j * s) for j, s in zip(rf.jump, step.stride))
    start = tuple(_num(st + _half_minus(k, p) * j) for st, k, p, j in zip(rf.start, step.kernel, step.padding, rf.jump))
    return ReceptiveField(size, jump, start)


def _half_minus(k, p):
    """(k−1)/2 − p, exactly: an int when it is whole and both are ints (no Fraction to build)."""
    if type(k) is int and type(p) is int and not (k - 1) & 1:
        return (k - 1) // 2 - p
    return Fraction(k - 1) / 2 - p


def _num(x):
    """Fractions that are whole become ints, so printed figures read 212, not 212/1."""
    if isinstance(x, Fraction) and x.denominator == 1:
        return int(x)
    return x



def merge(fields) -> ReceptiveField | None:
    """The receptive field after merging branches: per axis, the union of their windows.

    A window of size ``r`` centred on ``start`` covers ``[start − (r−1)/2, start + (r−1)/2]``.

    >>> a = ReceptiveField((1,), (2,), (Fraction(1, 2),))   # the 1×1 shortcut of a block
    >>> b = ReceptiveField((9,), (2,), (Fraction(1, 2),))   # two 3×3 convs after a 2×2 pool
    >>> m = merge([a, b]); m.size, m.jump, m.start
    ((9,), (2,), (Fraction(1, 2),))
    """
    fields = [f for f in fields if f is not None]
    if not fields:
        return None
    if len(fields) == 1:
        return fields[0]
    if any(f.is_global for f in fields):
        first = fields[0]
        return ReceptiveField(first.size, first.jump, first.start, True)
    ranks = {len(f.size) for f in fields}
    if len(ranks) != 1:
        return max(fields, key=lambda f: len(f.size))
    size, jump, start = [], [], []
    for axis in range(len(fields[0].size)):
        lo = min(f.start[axis] - _half(f.size[axis] - 1) for f in fields)
        hi = max(f.start[axis] + _half(f.size[axis] - 1) for f in fields)
        size.append(_num(hi - lo + 1))
        jump.append(max(f.jump[axis] for f in fields))
        start.append(_num(_half(lo + hi)))
    return ReceptiveField(tuple(size), tuple(jump), tuple(start))


def _half(x):
    """x/2, exactly: an int when ``x`` is an even int (no Fraction to build)."""
    if type(x) is int and not x & 1:
        return x >> 1
    return Fraction(x) / 2


def as_dict(rf: ReceptiveField | None) -> dict | None:
    """The receptive field as plain numbers for a record: Fractions stay exact (the record's
    ``to_dict`` turns them into floats for JSON).

    >>> as_dict(ReceptiveField((3, 3), (1, 1), (0, 0)))
    {'size': [3, 3], 'jump': [1, 1], 'start': [0, 0], 'global': False}
    """
    if rf is None:
        return None
    return {"size": list(rf.size), "jump": list(rf.jump), "start": list(rf.start), "global": rf.is_global}


__all__ = ["RFStep", "ReceptiveField", "as_dict", "compose", "merge"]
