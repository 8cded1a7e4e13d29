"""`convlens zoo list | show NAME | code NAME`: the model zoo from the command line.

* ``list``: every entry with its family, input size, parameters (counted by building the model on
  the ``meta`` device, so nothing is allocated; a count that differs from the published one is
  flagged), MACs and source.
* ``show NAME``: the model's summary (``convlens.summary`` + ``convlens.render.render``).
* ``code NAME``: the file that defines the model.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from ..render._table import table
from ._common import FORMATS, UsageError, parse_shape

LIST_FORMATS = ("table", "md", "json")


def register(sub) -> None:
    p = sub.add_parser("zoo", help="tutorial networks and classic families (ResNet, VGG, ...) with their published numbers",
                       description="The model zoo: list the models, summarise one, or print its source.")
    actions = p.add_subparsers(dest="zoo_action", metavar="ACTION")

    ls = actions.add_parser("list", help="every model: family, input size, parameters, MACs, source")
    ls.add_argument("--format", choices=LIST_FORMATS, default="table")
    ls.add_argument("--published", action="store_true", help="print the published counts without building the models (faster)")
    ls.set_defaults(run=run_list)

    show = actions.add_parser("show", help="the summary of one model (layers, shapes, parameters, MACs, memory, diagnostics)")
    show.add_argument("name", metavar="NAME", help="a name from `convlens zoo list`")
    show.add_argument("--input", metavar="SHAPE", help="input shape, e.g. 1x3x224x224 (default: the entry's documented size)")
    show.add_argument("--format", choices=FORMATS, default="table")
    show.add_argument("--depth", type=int, default=None, help="hide rows nested deeper than N (totals are unchanged)")
    show.set_defaults(run=run_show)

    code = actions.add_parser("code", help="print the source file that defines the model")
    code.add_argument("name", metavar="NAME")
    code.set_defaults(run=run_code)

    __import__("convlens.spec._cli", fromlist=["_"]).add_zoo_spec(actions)  # `zoo spec NAME`: implemented in convlens.spec

    p.set_defaults(run=run_list, format="table", published=False)  # bare `convlens zoo` lists


def _entry(name: str):
    from .. import zoo

    try:
        return zoo.get(name)
    except zoo.ZooError as exc:
        raise UsageError(str(exc)) from None


# --- list ---------------------------------------------------------------------------------------


def count_params(entry) -> int | None:
    """Parameters of ``entry`` counted on a built model (meta device for PyTorch); None if its framework is missing.

    Keras counts BatchNorm moving statistics (``count_params()``), PyTorch does not (buffers);
    each is compared with the figure published for that framework.
    """
    from .. import zoo

    if entry.framework == "keras":
        if importlib.util.find_spec("keras") is None:
            return None
        return int(zoo.build(entry.name).count_params())
    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    with torch.device("meta"):
        model = zoo.build(entry.name)
    return sum(p.numel() for p in model.parameters())


def count_macs(entry) -> int | None:
    """MACs at the documented input size, traced by ``convlens.summary`` on the meta device."""
    if entry.framework != "torch" or importlib.util.find_spec("torch") is None:
        return None
    import torch

    from .. import summary, zoo

    with torch.device("meta"):
        model = zoo.build(entry.name)
    s = summary(model, input_size=tuple(entry.input_size), memory=False)
    return None if (s.errors or s.failed) else s.total_macs  # a model with a shape bug cannot run: no MACs


def list_rows(*, build: bool = True) -> list[dict]:
    """One record per entry: numbers, not text."""
    from .. import zoo

    rows = []
    for e in zoo.entries():
        counted = count_params(e) if build else None
        macs = count_macs(e) if build else None
        rows.append({
            "name": e.name,
            "family": e.family,
            "framework": e.framework,
            "input_size": list(e.input_size),
            "params": counted,
            "published_params": e.published_params,
            "params_match": None if counted is None else counted == e.published_params,
            "params_source": e.params_source,
            "macs": macs,
            "published_macs": e.published_macs,
            "macs_match": None if macs is None or e.published_macs is None else macs == e.published_macs,
            "macs_source": e.macs_source,
            "source": e.source,
            "reference": e.reference,
            "description": e.description,
        })
    return rows


def _params_text(row: dict, thousands) -> str:
    if row["params"] is None:
        return f"{thousands(row['published_params'])} (published; not built)"
    if row["params_match"]:
        return thousands(row["params"])
    return f"{thousands(row['params'])} (DIFFERS: published {thousands(row['published_params'])})"


def _macs_text(row: dict, compact) -> str:
    macs = row["macs"] if row["macs"] is not None else row["published_macs"]
    if macs is None:
        return "-- (shape bug)" if row["framework"] == "torch" and row["params"] is not None else "--"
    if row["macs_match"] is False:
        return f"{compact(row['macs'])} (DIFFERS: published {compact(row['published_macs'])})"
    return compact(macs) + (" (published)" if row["macs"] is None else "")


def _short_source(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_list(args) -> int:
    rows = list_rows(build=not args.published)
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    f = _formatters()
    header = ("name", "family", "input", "parameters", "MACs", "source")
    body = [
        (
            r["name"] + (" [keras]" if r["framework"] == "keras" else ""),
            r["family"],
            f.shape_x(r["input_size"]),
            _params_text(r, f.thousands),
            _macs_text(r, f.compact),
            _short_source(r["source"]),
        )
        for r in rows
    ]
    sys.stdout.write(table(header, body, markdown=args.format == "md", right=(3, 4)))
    if not args.published:
        mismatched = [r["name"] for r in rows if r["params_match"] is False]
        note = f"{len(mismatched)} count(s) differ from the published figure: {', '.join(mismatched)}" if mismatched \
            else "every count built here equals the published figure"
        sys.stdout.write(f"\nParameters: counted by building each model on the meta device; {note}.\n")
    sys.stdout.write("MACs: multiply-accumulates of conv/linear/matmul at the input size shown, traced by convlens.summary "
                     "(see `convlens zoo show NAME`); where a figure is published it is compared, and a difference is flagged.\n")
    return 0


class _PlainFormat:
    """Stand-in for ``convlens.render._format`` while the report layer is not installed."""

    @staticmethod
    def thousands(n):
        return "?" if n is None else f"{n:,}"

    @staticmethod
    def compact(n):
        if n is None:
            return "?"
        for base, unit in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K")):
            if abs(n) >= base:
                return f"{n / base:.2f} {unit}"
        return str(n)

    @staticmethod
    def count(n):
        return _PlainFormat.thousands(n)

    @staticmethod
    def shape_x(s):
        return "x".join("None" if d is None else str(d) for d in s)

    @staticmethod
    def nbytes(n, binary=False):
        return "?" if n is None else f"{n / 1e6:.1f} MB"


def _formatters():
    """The report layer's number formatting (one spelling of '1.81 G' everywhere)."""
    try:
        from ..render import _format
    except ImportError:
        return _PlainFormat
    return _format


# --- show ---------------------------------------------------------------------------------------


def _summary_api():
    """(convlens.summary, convlens.render) or a one-line UsageError while they are not available."""
    try:
        from .. import render
        from ..frontends.torch import summary
    except ImportError as exc:
        raise UsageError(f"zoo show needs the PyTorch tracer and the renderers, which are not available yet ({exc})") from None
    return summary, render


def run_show(args) -> int:
    from .. import zoo

    entry = _entry(args.name)
    input_size = parse_shape(args.input) if args.input else entry.input_size
    if any(d is None for d in input_size):
        raise UsageError("zoo show needs every input size, including the batch: e.g. --input 1x3x224x224")
    if entry.framework == "keras":
        return _show_keras(entry, input_size, args)
    summary, render = _summary_api()
    import torch

    with torch.device("meta"):
        model = zoo.build(entry.name)
    try:
        s = summary(model, input_size=tuple(input_size), title=entry.name)
    except NotImplementedError as exc:
        raise UsageError(f"zoo show: the PyTorch tracer is not available yet ({exc})") from None
    except ValueError as exc:  # SummaryError: a malformed input size
        raise UsageError(f"zoo show {entry.name}: {exc}") from None
    sys.stdout.write(render.render(s, args.format, depth=args.depth).rstrip("\n") + "\n")
    return 1 if (s.failed or s.errors) else 0


def _show_keras(entry, input_size, args) -> int:
    from .. import render, zoo
    from ..frontends.keras import summary as keras_summary

    s = keras_summary(zoo.build(entry.name), title=entry.name)
    sys.stdout.write(render.render(s, args.format, depth=args.depth).rstrip("\n") + "\n")
    return 1 if (s.failed or s.errors) else 0


# --- code ---------------------------------------------------------------------------------------


def run_code(args) -> int:
    from .. import zoo

    entry = _entry(args.name)
    code = zoo.source_code(entry.name)
    sys.stdout.write(f"# {entry.name}: convlens/zoo/{entry.factory.split(':')[0]}.py, factory {entry.factory.split(':')[1]}()\n")
    sys.stdout.write(code if code.endswith("\n") else code + "\n")
    return 0
