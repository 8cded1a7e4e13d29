"""`convlens zoo list | show NAME | code NAME`: the model zoo from the command line.

* ``list``: every entry with its family, input size, parameters (counted by building the model on
  the ``meta`` device, so nothing is allocated; a count that differs from the published one is
  flagged), MACs and source.
* ``show NAME``: the model's summary (resolved as ``zoo:NAME`` by ``convlens.targets``).
* ``code NAME``: the file that defines the model.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from ..core import Framework
from ..render.zoo import zoo_table
from ..errors import UserError
from ..i18n import tr
from ..targets import Request, RequestError, TargetError, resolve, summarize
from ._common import FORMATS, UsageError, parse_shape
from ._zoo_spec import add_zoo_spec

LIST_FORMATS = ("table", "md", "json")


def register(sub) -> None:
    p = sub.add_parser("zoo", help=tr("tutorial networks and classic families (ResNet, VGG, ...) with their published numbers"),
                       description=tr("The model zoo: list the models, summarise one, or print its source."))
    actions = p.add_subparsers(dest="zoo_action", metavar="ACTION")

    ls = actions.add_parser("list", help=tr("every model: family, input size, parameters, MACs, source"))
    ls.add_argument("--format", choices=LIST_FORMATS, default="table")
    ls.add_argument("--published", action="store_true", help=tr("print the published counts without building the models (faster)"))
    ls.set_defaults(run=run_list)

    show = actions.add_parser("show", help=tr("the summary of one model (layers, shapes, parameters, MACs, memory, diagnostics)"))
    show.add_argument("name", metavar="NAME", help=tr("a name from `convlens zoo list`"))
    show.add_argument("--input", metavar="SHAPE", help=tr("input shape, e.g. 1x3x224x224 (default: the entry's documented size)"))
    show.add_argument("--format", choices=FORMATS, default="table")
    show.add_argument("--depth", type=int, default=None, help=tr("show rows nested at most N levels deep, the model's top-level layers being level 1, as torchinfo's depth (totals are unchanged)"))
    show.set_defaults(run=run_show)

    code = actions.add_parser("code", help=tr("print the source file that defines the model"))
    code.add_argument("name", metavar="NAME")
    code.set_defaults(run=run_code)

    add_zoo_spec(actions)  # `zoo spec NAME`

    p.set_defaults(run=run_list, format="table", published=False)  # bare `convlens zoo` lists


def _entry(name: str):
    from .. import zoo

    return zoo.get(name)


# --- list ---------------------------------------------------------------------------------------


def count_params(entry) -> int | None:
    """Parameters of ``entry`` counted on a built model (meta device for PyTorch); None if its framework is missing.

    Keras counts BatchNorm moving statistics (``count_params()``), PyTorch does not (buffers);
    each is compared with the figure published for that framework.
    """
    if importlib.util.find_spec(entry.framework) is None:
        return None
    model = resolve(f"zoo:{entry.name}").model
    if entry.framework is Framework.KERAS:
        return int(model.count_params())
    return sum(p.numel() for p in model.parameters())


def count_macs(entry) -> int | None:
    """MACs at the documented input size, traced by ``convlens.summary`` on the meta device."""
    if entry.framework is not Framework.TORCH or importlib.util.find_spec("torch") is None:
        return None
    s = summarize(resolve(f"zoo:{entry.name}", Request(memory=False)))
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


def run_list(args) -> int:
    rows = list_rows(build=not args.published)
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(zoo_table(rows, markdown=args.format == "md", built=not args.published))
    return 0


def run_show(args) -> int:
    from .. import render

    entry = _entry(args.name)
    request = request_from_show(args)
    if entry.framework is Framework.TORCH and request.input_sizes and any(d is None for s in request.input_sizes for d in s):
        raise UsageError(tr("zoo show needs every input size, including the batch: e.g. --input 1x3x224x224"))
    resolved = resolve(f"zoo:{entry.name}", request)
    try:
        s = summarize(resolved)
    except TargetError:  # names the model already
        raise
    except UserError as exc:  # the front end refused the input size (SummaryError): say which model
        command = f"zoo show {entry.name}"  # the command, then the front end's sentence
        raise UsageError(f"{command}: {exc}") from None
    sys.stdout.write(render.render(s, args.format, depth=None if args.depth is None else args.depth - 1).rstrip("\n") + "\n")
    return 1 if (s.failed or s.errors) else 0


def request_from_show(args) -> Request:
    try:
        return Request.make(input_size=parse_shape(args.input) if args.input else None, depth=args.depth)
    except RequestError as exc:
        raise UsageError(f"--{exc}") from None


# --- code ---------------------------------------------------------------------------------------


def run_code(args) -> int:
    from .. import zoo

    entry = _entry(args.name)
    code = zoo.source_code(entry.name)
    module, factory = entry.factory.split(":")[:2]
    path = f"convlens/zoo/{module}.py"
    sys.stdout.write("# " + tr("{name}: {path}, factory {factory}", name=entry.name, path=path, factory=factory + "()") + "\n")
    sys.stdout.write(code if code.endswith("\n") else code + "\n")
    return 0
