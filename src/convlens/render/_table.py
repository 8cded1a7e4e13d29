"""A plain aligned text table, or the same table in Markdown, for the small views that are not
a layer table: the comparison of several models, the zoo list, the receptive-field table."""

from __future__ import annotations

from ._format import ljust, rjust, width


def table(header, body, *, markdown: bool = False, right=(), rule: bool = True) -> str:
    """``header`` and ``body`` rows of cell text, columns padded to their widest cell;
    ``right`` lists the right-aligned column indices. Without ``rule``, no dashes under the
    header. Markdown cells have their pipes escaped. Ends with a newline.

    >>> print(table(("", "a", "b"), [("x", "1", "22")], right=(1, 2)), end="")
       a   b
    --------
    x  1  22
    """
    if markdown:
        esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
        lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in body]
        return "\n".join(lines) + "\n"
    widths = [max(width(str(x)) for x in col) for col in zip(header, *body)]  # display columns: 한국어 takes two each

    def line(cells):
        return "  ".join(rjust(c, w) if i in right else ljust(c, w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    top = [line(header), "-" * width(line(header))] if rule else [line(header)]
    return "\n".join([*top, *(line(r) for r in body)]) + "\n"
