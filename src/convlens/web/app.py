"""The JSON API and the page: a Starlette application over the same spec and summary code as the CLI.

Endpoints (all answers JSON except the page and its static files):

* ``GET /`` — the page; ``GET /static/...`` — its CSS and JS, served from ``web/static`` only.
* ``GET /api/layers?framework=pytorch|keras`` — every layer type with its keyword names and defaults.
* ``GET /api/examples`` — what the page can start from: the tutorial specs and every zoo model.
* ``GET /api/examples/{name}`` — one of them as a spec (YAML text and the document).
* ``POST /api/summary`` — body ``{"yaml": TEXT}`` or ``{"spec": DOCUMENT}``: the document, its YAML,
  the summary record, the table's cells as the report spells them (``render.page.cells``), where
  each row was written, and the fix when the network breaks.
* ``POST /api/diagram`` — body as above, plus ``"format": "svg" | "png"`` (default ``svg``): the
  network drawn by ``render.diagram`` (Graphviz ``dot``, run in a worker thread with a deadline,
  never on the event loop). SVG: JSON ``{"svg", "nodes": [{"id", "rows", "failed"}], "filename"}``,
  each node's SVG element id with the ``summary.layers`` rows it stands for; PNG: the image itself.
* ``POST /api/export`` — body as above plus ``"to": "pytorch" | "keras" | "yaml"``: the file's text.
* ``GET /api/messages?lang=ko`` — the page's own messages (``page.po``) for ``static/i18n.js``.

Every request may carry ``lang`` (``?lang=``, or ``"lang"`` in a JSON body; the query's wins): the
answer is computed inside ``with language(lang):``, so its messages, cells and captions are in that
language, with the status English would get; a language convlens lacks is a 400 naming the choices.

A request is data: the server never imports or runs anything named in it (an example name is only
looked up in the zoo's registry and the packaged example files). Bodies over 1 MB get 413, a body or
spec that does not parse gets 400 with the parse error, a spec that is invalid, too large (over
10,000 layers) or has absurd sizes gets 422.

Reading, building and analysing a spec runs in a worker thread, never on the event loop, so one
request cannot keep the server from answering others. The work of each is bounded by the spec's
limits (checked while it is read and expanded); on top of that, at most ``workers`` analyses run at
once (another request then gets 503 at once, so a flood of requests cannot queue up work), and a
request waits at most ``budget_s`` seconds for its answer (then 503; a thread cannot be stopped,
so it keeps its worker until it finishes, and the limits see that it does).
"""

from __future__ import annotations

import gc
import json
import threading
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import design
from ..core import Framework
from ..design import MAX_BYTES, dump, read
from ..errors import UserError
from ..i18n import DEFAULT, LANGUAGES, N_, check, current, language, plural_forms, tr, translated
from ..render import diagram, page

BUDGET_S = 10.0  # the longest a request waits for its analysis (a 10,000-layer spec takes seconds on a loaded machine)
WORKERS = 4  # analyses running at once; one more request gets 503
STATIC = Path(__file__).with_name("static")
EXAMPLES = Path(design.__file__).with_name("examples")


# json.decoder's own messages, read in the request's language (one with a value inside stays as json writes it)
JSON_ERRORS = frozenset({N_("Expecting value"), N_("Expecting property name enclosed in double quotes"), N_("Expecting ',' delimiter"),
                         N_("Expecting ':' delimiter"), N_("Unterminated string starting at"), N_("Extra data")})


class ApiError(Exception):
    """A request the API refuses: HTTP status and a JSON error body (an HTTP answer; not
    ``targets.RequestError``, the user's mistake in naming a model's request)."""

    def __init__(self, status: int, message: str, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {**(details or {}), "message": message}}


def _error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body, status_code=exc.status)


async def _body(request: Request) -> dict:
    """The JSON body, refused over ``design.MAX_BYTES`` before it is all read."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > design.MAX_BYTES:
        raise ApiError(413, tr("the request body has {size} bytes; the limit is {limit}", size=format(int(length), ","), limit=format(design.MAX_BYTES, ",")))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > design.MAX_BYTES:
            raise ApiError(413, tr("the request body is over the limit of {limit} bytes", limit=format(design.MAX_BYTES, ",")))
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        body = json.loads(raw.decode("utf-8"), parse_int=_int)
    except UnicodeDecodeError:
        raise ApiError(400, tr("the request body is not UTF-8 text")) from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, tr("the request body is not JSON: {error} (line {line}, column {column})", error=tr(exc.msg) if exc.msg in JSON_ERRORS else exc.msg, line=exc.lineno, column=exc.colno),
                       {"line": exc.lineno, "column": exc.colno}) from None
    except RecursionError:
        raise ApiError(400, tr("the request body is nested too deeply")) from None
    if not isinstance(body, dict):
        raise ApiError(400, tr('the request body must be a JSON object: {{"yaml": "..."}} or {{"spec": {{...}}}}'))
    return body


def _int(text: str) -> int:
    if len(text) > design.MAX_DIGITS:  # past 4,300 digits Python refuses to convert it; a spec's numbers are far shorter
        raise ApiError(422, tr("the request holds a number of {digits} digits; numbers in a spec have at most {most}", digits=format(len(text), ","), most=design.MAX_DIGITS))
    return int(text)


def _spec_from(body: dict) -> design.Spec:
    """Read the body's spec: parse errors -> 400, everything else that is wrong with it -> 422."""
    if "yaml" in body:
        text = body["yaml"]
        if not isinstance(text, str):
            raise ApiError(400, tr('"yaml" must be the spec\'s text (a string)'))
        try:
            doc, positions = design.read(text, "spec.yaml")
        except design.SpecError as exc:  # not YAML: 400; YAML past a limit of the format: 422
            raise ApiError(422 if isinstance(exc, design.SpecLimitError) else 400, str(exc), exc.to_dict()) from None
    elif "spec" in body:
        doc = body["spec"]
        try:  # written out as YAML (so errors point at the YAML the page shows), else read as JSON
            if _dumpable(doc):
                doc, positions = design.read(dump(doc), "spec.yaml")
            else:
                doc, positions = design.read(json.dumps(doc), "spec.json", fmt="json")
        except design.SpecError as exc:
            raise ApiError(422, str(exc), exc.to_dict()) from None
    else:
        raise ApiError(400, tr('the request body needs "yaml" (the spec\'s text) or "spec" (the spec as JSON)'))
    try:
        design.validate(doc, positions)
        return design.build(doc, positions)
    except design.SpecError as exc:
        raise ApiError(422, str(exc), exc.to_dict()) from None
    except RecursionError:
        raise ApiError(422, tr("the spec is nested too deeply")) from None


_TOP_KEYS = {"name", "framework", "input", "notes", "blocks", "layers"}


def _dumpable(doc) -> bool:
    """A document the YAML writer can lay out: the top keys it knows, lists of items, blocks as mappings."""
    if not isinstance(doc, dict) or not set(doc) <= _TOP_KEYS or not isinstance(doc.get("layers"), list):
        return False
    blocks = doc.get("blocks", {})
    return isinstance(blocks, dict) and all(isinstance(b, dict) and isinstance(b.get("layers"), list) and set(b) <= {"params", "layers"} for b in blocks.values())


def _yaml_of(network: design.Spec, body: dict) -> str:
    return body["yaml"] if "yaml" in body else dump(network.document)


class _Workers:
    """At most ``workers`` analyses at once, each awaited for at most ``budget_s`` seconds."""

    def __init__(self, workers: int, budget_s: float):
        self.workers = workers
        self.budget_s = budget_s
        self.slots = threading.BoundedSemaphore(workers)  # released by the thread itself, when its work ends

    async def run(self, work):
        if not self.slots.acquire(blocking=False):
            raise ApiError(503, tr("the server is busy with {n} analyses; send the request again in a moment", n=self.workers))
        job = in_language(work)

        def job_then_release():
            try:
                return job()
            finally:
                self.slots.release()

        with anyio.move_on_after(self.budget_s):
            return await anyio.to_thread.run_sync(job_then_release, abandon_on_cancel=True)
        raise ApiError(503, tr("the analysis took more than {seconds} s and was abandoned; the spec may be too large for this server", seconds=format(self.budget_s, "g")))


def _summary_answer(body: dict) -> dict:
    network = _spec_from(body)
    summary, fix = design.analyse(network)
    origins = [{"path": list(o.path), "line": o.line, "column": o.column} for o in network.origins]
    return {
        "spec": network.document,
        "yaml": _yaml_of(network, body),
        "summary": summary.to_dict(),
        "cells": page.cells(summary),
        "origins": origins,
        "fix": fix,
        "layers": len(network.nodes),
    }


def _export_answer(body: dict) -> dict:
    from ..design.export import export

    to = "yaml" if body.get("to") == "yaml" else _framework(body.get("to"), '"to"', or_yaml=True)
    network = _spec_from(body)
    if to == "yaml":
        code = _yaml_of(network, body)
    else:
        try:
            code = export(network, to)
        except design.SpecError as exc:
            raise ApiError(422, str(exc), exc.to_dict()) from None
    suffix = {Framework.TORCH: "_torch.py", Framework.KERAS: "_keras.py", "yaml": ".yaml"}[to]
    return {"filename": _stem(network) + suffix, "code": code}


async def _answer(request: Request, make) -> Response:
    """Read the body on the event loop, then ``make(body)`` in a worker thread, in the request's language."""
    try:
        with language(language_of(request)):  # ?lang=: the body's own errors in it
            body = await _body(request)
            with language(language_of(request, body)):
                return await request.app.state.workers.run(lambda: JSONResponse(make(body)))  # the JSON is written in the thread too
    except ApiError as exc:
        return _error(exc)


async def api_summary(request: Request) -> Response:
    return await _answer(request, _summary_answer)


async def api_export(request: Request) -> Response:
    return await _answer(request, _export_answer)


def _stem(network: design.Spec) -> str:
    """The network's name as a file name's stem."""
    return "".join(c if c.isalnum() else "_" for c in network.name).strip("_") or "network"


DIAGRAM_SECONDS = 20  # the longest the page waits for a diagram; an abandoned dot still runs to its end
DIAGRAM_ROWS = 1_000  # the most rows the page draws: 1,000 layers took 26 s to draw under load (docs/draw.md)


async def api_diagram(request: Request) -> Response:
    try:
        with language(language_of(request)):
            body = await _body(request)
        with language(language_of(request, body)):
            return await _diagram(request, body)
    except ApiError as exc:
        return _error(exc)


async def _diagram(request: Request, body: dict) -> Response:
    fmt = body.get("format", "svg")
    if fmt not in ("svg", "png"):
        raise ApiError(400, tr('"format" must be "svg" or "png", got {fmt!r}', fmt=fmt))
    network, summary = await request.app.state.workers.run(lambda: _analysed(body))  # off the event loop, like /api/summary
    if len(summary.layers) > DIAGRAM_ROWS:
        raise ApiError(422, tr("the network has {rows} rows; the page draws up to {most}. Draw it with `convlens draw SPEC -o FILE`",
                               rows=format(len(summary.layers), ","), most=format(DIAGRAM_ROWS, ",")))
    with anyio.move_on_after(DIAGRAM_SECONDS):
        try:  # dot is a subprocess: wait for it in a worker thread, the event loop keeps answering
            drawn, image = await anyio.to_thread.run_sync(in_language(_draw), summary, fmt, abandon_on_cancel=True)
        except diagram.DrawError as exc:  # Graphviz missing on the server
            raise ApiError(503, str(exc)) from None
        if fmt == "png":
            return Response(image, media_type="image/png", headers={"Content-Disposition": f'attachment; filename="{_stem(network)}.png"'})
        nodes = [{"id": n.id, "rows": list(n.rows), "failed": n.failed or any(m[0] == "error" for m in n.marks)} for n in drawn.nodes]
        return JSONResponse({"svg": image, "nodes": nodes, "filename": _stem(network) + ".svg"})
    raise ApiError(503, tr("the diagram took over {seconds} s to lay out; the table above is complete. "
                           "Draw a network this large with `convlens draw SPEC -o FILE`", seconds=DIAGRAM_SECONDS))


def _analysed(body: dict):
    network = _spec_from(body)
    return network, design.analyse(network)[0]


def _draw(summary, fmt: str):
    """The diagram's structure (which rows each node stands for) and its image, laid out by dot."""
    return diagram.graph(summary), diagram.render(summary, fmt=fmt)


@lru_cache(maxsize=1)
def _catalogue() -> dict:
    """Every layer type with its keyword names and defaults, per framework."""
    from dataclasses import MISSING

    from ..core import KERAS_ALIASES, LAYERS

    out = {Framework.TORCH: {}, Framework.KERAS: {}}
    for name, cls in list(LAYERS.items()) + list(KERAS_ALIASES.items()):
        framework = cls.framework
        if name.startswith("Keras"):
            continue
        args = []
        for f in cls.argument_fields():
            default = None if f.default is MISSING else f.default
            args.append({"name": f.name, "default": list(default) if isinstance(default, tuple) else default})
        out[framework][name] = args
    return out


async def api_layers(request: Request) -> Response:
    try:
        with language(language_of(request)):
            framework = _framework(request.query_params.get("framework", Framework.TORCH.word), "?framework=")
    except ApiError as exc:
        return _error(exc)
    return JSONResponse({"framework": framework.word, "layers": _catalogue()[framework]})


def _framework(text, what: str, *, or_yaml: bool = False) -> Framework:
    """A framework as the page spells it (``pytorch``, ``keras``); 400 naming ``what`` (and "yaml" where it is a choice too) otherwise."""
    try:
        return Framework.parse(text, what=what)
    except UserError:
        if or_yaml:
            raise ApiError(400, tr('{what} must be "pytorch" or "keras" or "yaml", got {text!r}', what=what, text=text)) from None
        raise ApiError(400, tr('{what} must be "pytorch" or "keras", got {text!r}', what=what, text=text)) from None


def _examples() -> list[dict]:
    """The examples, their descriptions in the current language."""
    return _examples_in(current())


@lru_cache(maxsize=len(LANGUAGES))
def _examples_in(lang: str) -> list[dict]:
    from .. import zoo

    items = [{"name": p.stem, "kind": "tutorial", "description": _first_comment(p)} for p in sorted(EXAMPLES.glob("*.yaml"))]
    items += [{"name": f"zoo:{e.name}", "kind": "zoo", "description": e.description} for e in zoo.entries()]
    return items


def _first_comment(path: Path) -> str:
    line = path.read_text(encoding="utf-8").splitlines()[0]
    return line.lstrip("# ").strip()


def _example_yaml(name: str) -> str:
    """The example's text; ``name`` is only looked up, never used as a path or a module."""
    return _example_yaml_in(name, current())


@lru_cache(maxsize=64)
def _example_yaml_in(name: str, lang: str) -> str:
    known = {e["name"]: e for e in _examples()}
    if name not in known:
        raise ApiError(404, tr("no example called {name!r}; GET /api/examples lists them", name=name))
    if known[name]["kind"] == "tutorial":
        return (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    from ..design.from_zoo import ZooSpecError, zoo_yaml

    try:
        return zoo_yaml(name.removeprefix("zoo:"))
    except ZooSpecError as exc:
        raise ApiError(422, str(exc)) from None
    except ImportError as exc:  # zoo models are read with their framework
        if exc.name:
            raise ApiError(422, tr("{name} needs {module} on the server: pip install torch==2.13.0", name=name, module=exc.name)) from None
        raise ApiError(422, tr("{name} needs its framework on the server: pip install torch==2.13.0", name=name)) from None


async def api_examples(request: Request) -> Response:
    try:
        with language(language_of(request)):
            return JSONResponse({"examples": _examples()})
    except ApiError as exc:
        return _error(exc)


async def api_example(request: Request) -> Response:
    name = request.path_params["name"]
    try:
        with language(language_of(request)):
            text = await request.app.state.workers.run(lambda: _example_yaml(name))  # a zoo model is traced: seconds, off the event loop
    except ApiError as exc:
        return _error(exc)
    return JSONResponse({"name": request.path_params["name"], "yaml": text})


async def api_schema(request: Request) -> Response:
    try:
        with language(language_of(request)):
            return JSONResponse(design.schema())
    except ApiError as exc:
        return _error(exc)


async def api_messages(request: Request) -> Response:
    """The page's own messages (``page.po``) in ``?lang=``: ``messages`` msgid -> text, ``plurals`` singular -> forms."""
    try:
        lang = language_of(request)
    except ApiError as exc:
        return _error(exc)
    return JSONResponse({"lang": lang, "messages": translated(lang, ("page",)), "plurals": plural_forms(lang, ("page",))},
                        headers={"Cache-Control": "no-cache"})


def language_of(request: Request, body: dict | None = None) -> str:
    """The language a request asks for: ``?lang=``, else the body's ``"lang"``, else English; 400 for one convlens lacks."""
    value = request.query_params.get("lang")
    if value is None and isinstance(body, dict):
        value = body.get("lang")
    if value is None:
        return DEFAULT
    if not isinstance(value, str):
        raise ApiError(400, tr('"lang" must be a language code, one of: {choices}; got {value!r}', choices=", ".join(LANGUAGES), value=value))
    try:
        return check(value)
    except UserError as exc:
        raise ApiError(400, str(exc)) from None


def in_language(fn):
    """``fn`` to run in a worker thread, writing in the language chosen where it is handed over (the request's)."""
    lang = current()

    def run(*args):
        with language(lang):
            return fn(*args)

    return run


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


def _quiet_language(request: Request) -> str:
    """The request's language for an answer that is already an error: English where ``?lang=`` is not one."""
    try:
        return language_of(request)
    except ApiError:
        return DEFAULT


async def not_found(request: Request, exc) -> Response:
    with language(_quiet_language(request)):
        return JSONResponse({"error": {"message": tr("no such page: {path}", path=request.url.path)}}, status_code=404)


async def server_error(request: Request, exc) -> Response:
    with language(_quiet_language(request)):
        return JSONResponse({"error": {"message": tr("internal error: {error}; please report it", error=type(exc).__name__)}}, status_code=500)


def _settle() -> None:
    """Ready the server for keystrokes: answer one summary (lazy imports done, the schema's validator
    compiled, the catalogues cached), then move every object alive at that point out of the garbage
    collector's sight (``gc.freeze``). A full collection otherwise walks all of them — the modules,
    the catalogues, whatever the process imported — and landed inside a keystroke's request: 60 to
    110 ms of a 100-layer edit on a loaded machine (benchmarks/bench_page.py). Objects made later,
    the requests' own, are collected as before."""
    _catalogue()
    _examples()
    design.analyse(design.load(EXAMPLES / "residual-cnn.yaml"))
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def _lifespan(app):
    _settle()
    yield


def create_app(*, runs: str | Path = "runs", workers: int = WORKERS, budget_s: float = BUDGET_S) -> Starlette:
    """The page and its API; ``runs``: the folder whose run folders the Inside view lists (web/inside.py);
    ``workers`` analyses at once, each answered within ``budget_s`` seconds."""
    from . import inside, training

    routes = [
        Route("/", index),
        Route("/api/layers", api_layers),
        Route("/api/examples", api_examples),
        Route("/api/examples/{name:str}", api_example),
        Route("/api/schema", api_schema),
        Route("/api/messages", api_messages),
        Route("/api/summary", api_summary, methods=["POST"]),
        Route("/api/export", api_export, methods=["POST"]),
        Route("/api/diagram", api_diagram, methods=["POST"]),
        *inside.routes(Path(runs)),
        *training.routes(Path(runs)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 500: server_error}, lifespan=_lifespan)
    app.state.workers = _Workers(workers, budget_s)
    return app
