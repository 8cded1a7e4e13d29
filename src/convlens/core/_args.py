"""Normalising int-or-tuple arguments once, at the entry, with the argument's name kept for messages."""

from __future__ import annotations

from ..i18n import tr
from ._errors import LayerError


def ntuple(layer: str, name: str, value, n: int, *, minimum: int | None = None) -> tuple[int, ...]:
    """Return ``value`` as a tuple of ``n`` ints; an int is repeated ``n`` times.

    >>> ntuple("Conv2d", "kernel_size", 3, 2)
    (3, 3)
    >>> ntuple("Conv2d", "stride", (2, 1), 2)
    (2, 1)
    """
    if isinstance(value, bool):
        raise LayerError(layer, name, tr("{name} must be an int or a tuple of {n} ints, got {value}", name=name, n=n, value=repr(value)))
    if isinstance(value, int):
        out = (value,) * n
    elif isinstance(value, (tuple, list)):
        if len(value) == 1 and n > 1:
            value = tuple(value) * n
        if len(value) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise LayerError(layer, name, tr("{name} must be an int or a tuple of {n} ints, got {value}", name=name, n=n, value=repr(tuple(value))))
        out = tuple(value)
    else:
        raise LayerError(layer, name, tr("{name} must be an int or a tuple of {n} ints, got {value}", name=name, n=n, value=repr(value)))
    if minimum is not None:
        bad = [v for v in out if v < minimum]
        if bad:
            raise LayerError(layer, name, tr("{name} must be >= {minimum} in every dimension, got {value}", name=name, minimum=minimum, value=fmt_tuple(out)))
    return out


def positive_int(layer: str, name: str, value, *, allow_zero: bool = False) -> int:
    """Check that ``value`` is an int greater than zero (or >= 0 with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise LayerError(layer, name, tr("{name} must be an int, got {value}", name=name, value=repr(value)))
    if value < 0 or (value == 0 and not allow_zero):
        need = ">= 0" if allow_zero else "> 0"
        raise LayerError(layer, name, tr("{name} must be {need}, got {value}", name=name, need=need, value=value))
    return value


def fmt_tuple(values) -> str:
    """``(28, 28)`` -> ``'28×28'``; used only inside error and warning messages."""
    return "×".join("?" if v is None else str(v) for v in values)


def ranks_text(ranks) -> str:
    """``(3, 4)`` -> ``'3-D or 4-D'`` (in the reader's language), ``(4,)`` -> ``'4-D'``."""
    from ..i18n import tr

    names = [f"{r}-D" for r in ranks]
    return names[0] if len(names) == 1 else tr("{some} or {last}", some=", ".join(names[:-1]), last=names[-1])


def fmt_shape(shape) -> str:
    """``(None, 28, 28, 1)`` -> ``'(None, 28, 28, 1)'``."""
    return "(" + ", ".join("None" if v is None else str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"
