"""Every number, shape and size that convlens prints is formatted here, and only here.

The summary record holds plain integers, tuples and ``Fraction``s; renderers turn them into
text by calling these functions, so "1.81 G" or "[1, 64, 112, 112]" is spelled one way in the
terminal table, Markdown, CSV and HTML alike.
"""

from __future__ import annotations

import textwrap
import unicodedata
from fractions import Fraction

from ..i18n import N_

# Sizes are printed in decimal units (1 MB = 1,000,000 bytes, as torchinfo and disk makers do);
# this sentence is printed next to every size so a reader never has to guess.
BYTES_CONVENTION = N_("1 MB = 10^6 bytes; 1 MiB = 2^20 bytes")  # translated where printed: tr(BYTES_CONVENTION)

_DECIMAL_UNITS = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K"))
_BYTE_UNITS = ((10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "KB"))
_BINARY_BYTE_UNITS = ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))


def thousands(n: int | None) -> str:
    """An integer with thousands separators; ``None`` (unknown) as ``'?'``.

    >>> thousands(1814073344)
    '1,814,073,344'
    >>> thousands(-1200), thousands(None)
    ('-1,200', '?')
    """
    if n is None:
        return "?"
    return f"{n:,}"


def compact(n: int | None) -> str:
    """A count in K/M/G/T (powers of 1000) with two decimals; below 1,000 the exact integer.

    >>> compact(1814073344), compact(11689512), compact(260160), compact(999)
    ('1.81 G', '11.69 M', '260.16 K', '999')
    """
    if n is None:
        return "?"
    for base, unit in _DECIMAL_UNITS:
        if abs(n) >= base:
            return f"{n / base:.2f} {unit}"
    return str(n)


def count(n: int | None) -> str:
    """``thousands`` followed by ``compact`` in parentheses when that adds information.

    >>> count(1814073344), count(520)
    ('1,814,073,344 (1.81 G)', '520')
    """
    if n is None or abs(n) < 1000:
        return thousands(n)
    return f"{thousands(n)} ({compact(n)})"


def nbytes(n: int | None, *, binary: bool = False) -> str:
    """A size in bytes: decimal units (KB, MB, GB; powers of 1000) or, with ``binary``, KiB, MiB, GiB.

    Two decimals below 10 units, one decimal above; exact below 1 KB.

    >>> nbytes(44_712_345), nbytes(1_040_640), nbytes(512)
    ('44.7 MB', '1.04 MB', '512 B')
    >>> nbytes(44_712_345, binary=True)
    '42.6 MiB'
    """
    if n is None:
        return "?"
    for base, unit in _BINARY_BYTE_UNITS if binary else _BYTE_UNITS:
        if abs(n) >= base:
            v = n / base
            return f"{v:.2f} {unit}" if abs(v) < 10 else f"{v:.1f} {unit}"
    return f"{n} B"


def dim(d) -> str:
    """One dimension: an int, or ``None`` (Keras' unknown batch) as ``'None'``."""
    return "None" if d is None else str(d)


def shape(s, framework: str = "torch") -> str | None:
    """A shape as the framework prints it: PyTorch ``torch.Size`` lists, Keras tuples.

    ``framework="core"`` (shapes typed by the user) uses PyTorch's brackets unless the shape
    has a ``None`` batch, which only Keras writes. ``framework="tuple"`` is Python's own
    spelling, used by the one-layer views (``convlens calc Conv2d …``, ``convlens rf``), which
    print the core's results as the tuples they are.

    >>> shape((1, 64, 112, 112), "torch"), shape((16, 20, 28, 28), "tuple")
    ('[1, 64, 112, 112]', '(16, 20, 28, 28)')
    >>> shape((None, 28, 28, 75), "keras"), shape((None, 10), "core"), shape((10,), "keras")
    ('(None, 28, 28, 75)', '(None, 10)', '(10,)')
    """
    if s is None:
        return None
    s = tuple(s)
    inner = ", ".join(dim(d) for d in s)
    if framework in ("keras", "tuple") or (framework == "core" and None in s):
        return "(" + inner + ("," if len(s) == 1 else "") + ")"
    return "[" + inner + "]"


def shapes(ss, framework: str = "torch") -> str:
    """Several input shapes (a merge), joined by commas, or counted when all are equal; no input as ``'--'``.

    >>> shapes([(1, 64, 56, 56), (1, 64, 56, 56)]), shapes([(1, 64, 7, 7), (1, 32, 7, 7)])
    ('2 × [1, 64, 56, 56]', '[1, 64, 7, 7], [1, 32, 7, 7]')
    """
    ss = tuple(ss or ())
    if not ss:
        return "--"
    if len(ss) > 1 and len(set(map(tuple, ss))) == 1:
        return f"{len(ss)} × {shape(ss[0], framework)}"
    return ", ".join(shape(s, framework) for s in ss)


def shape_x(s) -> str:
    """A shape for machine-readable files: sizes joined by ``x``, ``None`` kept.

    >>> shape_x((1, 64, 112, 112)), shape_x((None, 10)), shape_x(None)
    ('1x64x112x112', 'Nonex10', '')
    """
    if s is None:
        return ""
    return "x".join(dim(d) for d in s)


def times(values, *, decimal: bool = False) -> str:
    """Sizes joined by the multiplication sign, as learners write them: ``3×64×3×3``;
    with ``decimal``, non-integer figures as decimals (``decimal`` below).

    >>> times((3, 64, 3, 3)), times((7, 7)), times((Fraction(1, 2), Fraction(1, 2)), decimal=True)
    ('3×64×3×3', '7×7', '0.5×0.5')
    """
    spell = _decimal if decimal else fraction
    return "×".join(spell(v) for v in values)


def fraction(x) -> str:
    """A receptive-field figure: an int, a ``Fraction`` as ``'1/2'``, a float trimmed.

    Summaries built from JSON may hold the float or string forms; they print the same way.

    >>> fraction(212), fraction(Fraction(-1, 2)), fraction(Fraction(4, 2)), fraction(0.5), fraction(3.0)
    ('212', '-1/2', '2', '0.5', '3')
    """
    if x is None:
        return "?"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else f"{x:g}"
    return str(x)


def _decimal(x) -> str:
    """A receptive-field figure with a non-integer ``Fraction`` as a decimal, as the compact
    receptive-field views print it (a centre half-way between pixels reads best as ``0.5``).

    >>> _decimal(Fraction(1, 2)), _decimal(Fraction(-3, 2)), _decimal(Fraction(4, 2)), _decimal(212)
    ('0.5', '-1.5', '2', '212')
    """
    if isinstance(x, Fraction) and x.denominator != 1:
        return f"{float(x):g}"
    return fraction(x)


def factor(r: float | None) -> str:
    """A ratio in a table cell, three significant figures; unknown as ``'--'``.

    >>> factor(9472 / 260160), factor(1.0), factor(2.1863), factor(None)
    ('0.0364×', '1×', '2.19×', '--')
    """
    return "--" if r is None else f"{r:.3g}×"


def multiple(x: float) -> str:
    """How many times more or less, for a sentence: one decimal from 10 up, two below.

    >>> multiple(260160 / 9472), multiple(2.0), multiple(1.6323)
    ('27.5×', '2.00×', '1.63×')
    """
    return (f"{x:.1f}" if x >= 10 else f"{x:.2f}") + "×"


def truncate_middle(text: str, width: int) -> str:
    """Shorten ``text`` to ``width`` characters by replacing its middle with an ellipsis,
    so both the start of a module path and its last component stay readable.

    >>> truncate_middle("layer4.1.downsample.0", 14)
    'layer4.…mple.0'
    >>> truncate_middle("conv1", 14)
    'conv1'
    """
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    keep = width - 1
    head = (keep + 1) // 2
    tail = keep - head
    return text[:head] + "…" + (text[-tail:] if tail else "")


# --- display width: Korean (and other East Asian wide) characters take two terminal columns --------
def width(text: str) -> int:
    """The columns ``text`` takes in a terminal: two for a wide or full-width character (W, F), else one.

    >>> width("Layer"), width("출력 크기"), width("3×3")
    (5, 9, 3)
    """
    text = str(text)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def ljust(text: str, columns: int) -> str:
    """``text`` padded on the right to ``columns`` display columns (``str.ljust`` for wide characters).

    >>> ljust("층", 4) + "|", ljust("ab", 4) + "|"
    ('층  |', 'ab  |')
    """
    text = str(text)
    return text + " " * max(0, columns - width(text))


def rjust(text: str, columns: int) -> str:
    """``text`` padded on the left to ``columns`` display columns.

    >>> "|" + rjust("파라미터", 10)
    '|  파라미터'
    """
    text = str(text)
    return " " * max(0, columns - width(text)) + text


def cut(text: str, columns: int, *, middle: bool = True) -> str:
    """``text`` in at most ``columns`` display columns, an ellipsis for what is cut (the middle, or the end).

    >>> cut("layer4.1.downsample.0", 14), cut("출력 크기 없음", 8, middle=False)
    ('layer4.…mple.0', '출력 크…')
    """
    text = str(text)
    if width(text) <= columns:
        return text
    if text.isascii():
        return truncate_middle(text, columns) if middle else text[: columns - 1] + "…"
    head, tail, room = "", "", columns - 1
    left = (room + 1) // 2 if middle else room
    i, j = 0, len(text)
    while i < j and width(head + text[i]) <= left:
        head += text[i]
        i += 1
    while middle and j > i and width(head + text[j - 1] + tail) <= room:
        tail = text[j - 1] + tail
        j -= 1
    return head + "…" + tail


def wrap(text: str, columns: int, *, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """``textwrap.wrap`` (no long word broken, no break on hyphens) measured in display columns, so a
    Korean line is as wide on screen as an English one; text of narrow characters only goes to textwrap itself.

    >>> wrap("출력 크기 28 입력 크기 32", 12)
    ['출력 크기 28', '입력 크기 32']
    """
    if width(text) == len(text) and width(initial_indent + subsequent_indent) == len(initial_indent + subsequent_indent):
        return textwrap.wrap(text, columns, initial_indent=initial_indent, subsequent_indent=subsequent_indent,
                             break_long_words=False, break_on_hyphens=False)
    lines, line, indent = [], "", initial_indent
    for word in str(text).split():
        if line and width(indent + line + " " + word) > columns:
            lines.append(indent + line)
            line, indent = word, subsequent_indent
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(indent + line)
    return lines
