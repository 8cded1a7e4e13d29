"""The zoo's list as a table: one line per entry with its family, input, parameters (flagged
when the count built here differs from the published one), MACs and source (``convlens zoo list``).

Reads the rows ``cli.zoo.list_rows`` gives (numbers, not text); all the wording is here.
"""

from __future__ import annotations

from ..core.framework import Framework
from ..i18n import N_, language, tr
from . import _format as f
from ._table import table


def _params_text(row: dict, thousands) -> str:
    if row["params"] is None:
        return tr("{n} (published; not built)", n=thousands(row["published_params"]))
    if row["params_match"]:
        return thousands(row["params"])
    return tr("{n} (DIFFERS: published {published})", n=thousands(row["params"]), published=thousands(row["published_params"]))


def _macs_text(row: dict, compact) -> str:
    macs = row["macs"] if row["macs"] is not None else row["published_macs"]
    if macs is None:
        return tr("-- (shape bug)") if row["framework"] == Framework.TORCH and row["params"] is not None else "--"
    if row["macs_match"] is False:
        return tr("{n} (DIFFERS: published {published})", n=compact(row["macs"]), published=compact(row["published_macs"]))
    return tr("{n} (published)", n=compact(macs)) if row["macs"] is None else compact(macs)


def _short_source(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


HEADER = (N_("name"), N_("family"), N_("input"), N_("parameters"), N_("MACs"), N_("source"))


def zoo_table(rows: list[dict], *, markdown: bool = False, built: bool = True, lang: str | None = None) -> str:
    """The list as text (``markdown``: a GitHub table); ``built``: the counts were built, not only quoted;
    ``lang``: ``"en"``, ``"ko"`` (None: the current language)."""
    with language(lang):
        return _zoo_table(rows, markdown, built)


def _zoo_table(rows: list[dict], markdown: bool, built: bool) -> str:
    header = tuple(tr(h) for h in HEADER)
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
        if mismatched:
            note = tr("Parameters: counted by building each model on the meta device; {n} count(s) differ from the published figure: {names}.",
                      n=len(mismatched), names=", ".join(mismatched))
        else:
            note = tr("Parameters: counted by building each model on the meta device; every count built here equals the published figure.")
        out.append(f"\n{note}\n")
    out.append(tr("MACs: multiply-accumulates of conv/linear/matmul at the input size shown, traced by convlens.summary "
                  "(see `convlens zoo show NAME`); where a figure is published it is compared, and a difference is flagged.") + "\n")
    return "".join(out)


