"""The zoo's list as a table: one line per entry with its family, input, parameters (flagged
when the count built here differs from the published one), MACs and source (``convlens zoo list``).

Reads the rows ``cli.zoo.list_rows`` gives (numbers, not text); all the wording is here.
"""

from __future__ import annotations

from ..core.framework import Framework
from . import _format as f
from ._table import table


def _params_text(row: dict, thousands) -> str:
    if row["params"] is None:
        return f"{thousands(row['published_params'])} (published; not built)"
    if row["params_match"]:
        return thousands(row["params"])
    return f"{thousands(row['params'])} (DIFFERS: published {thousands(row['published_params'])})"


def _macs_text(row: dict, compact) -> str:
    macs = row["macs"] if row["macs"] is not None else row["published_macs"]
    if macs is None:
        return "-- (shape bug)" if row["framework"] == Framework.TORCH and row["params"] is not None else "--"
    if row["macs_match"] is False:
        return f"{compact(row['macs'])} (DIFFERS: published {compact(row['published_macs'])})"
    return compact(macs) + (" (published)" if row["macs"] is None else "")


def _short_source(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def zoo_table(rows: list[dict], *, markdown: bool = False, built: bool = True) -> str:
    """The list as text (``markdown``: a GitHub table); ``built``: the counts were built, not only quoted."""
    header = ("name", "family", "input", "parameters", "MACs", "source")
    body = [
        (
            r["name"] + (" [keras]" if r["framework"] == Framework.KERAS else ""),
            r["family"],
            f.shape_x(r["input_size"]),
            _params_text(r, f.thousands),
            _macs_text(r, f.compact),
            _short_source(r["source"]),
        )
        for r in rows
    ]
    out = [table(header, body, markdown=markdown, right=(3, 4))]
    if built:
        mismatched = [r["name"] for r in rows if r["params_match"] is False]
        note = f"{len(mismatched)} count(s) differ from the published figure: {', '.join(mismatched)}" if mismatched \
            else "every count built here equals the published figure"
        out.append(f"\nParameters: counted by building each model on the meta device; {note}.\n")
    out.append("MACs: multiply-accumulates of conv/linear/matmul at the input size shown, traced by convlens.summary "
               "(see `convlens zoo show NAME`); where a figure is published it is compared, and a difference is flagged.\n")
    return "".join(out)


