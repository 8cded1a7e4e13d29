"""The Inside view's API: the runs under ``--runs`` and what a trained network computes for one image.

* ``GET /inside`` — the page (``static/inside.html``).
* ``GET /api/runs`` — the run folders found under ``--runs`` (model, data, accuracy, date, pictures).
* ``GET /api/runs/{run}/pictures/{file}`` — the run's ``curves.png`` or ``confusion.png``.
* ``GET /api/runs/{run}/tests?label=K&misclassified=1&offset=0&limit=48`` — test images to pick from
  (uint8 pixels, base64), by class or only those the model gets wrong.
* ``POST /api/inside`` ``{"run", "test_index" | "image": base64 PNG}`` — the exact input tensor, the
  prediction and every layer's output (float32 little-endian, base64, C×H×W) with its value range.
* ``POST /api/inside/unit`` ``{"run", "test_index" | "image", "layer", "channel", "y", "x"}`` — what one
  unit computed (``train.inside.unit``), its receptive field on the image and the formula lines; the
  numbers the page shows in tables also as text (``window_text``, ``kernel_text``, ``products_text``,
  ``contributions_text``, formatted by ``render.unit.cells``), the raw numbers kept for other clients.

A run name is looked up among the folders found, never joined to a path. The forward pass runs in
a worker thread (``run_in_threadpool``), so the event loop keeps answering; its result is cached per
(run, image), so a unit answers from tensors already computed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import asdict
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ..i18n import language, tr
from .app import STATIC, ApiError, _body, _error, in_language, language_of

PAGE_SIZE = 48  # test images per answer, at most


class _Cache:
    """A small LRU map guarded by a lock (requests run in worker threads)."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, make):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()  # outside the lock: a slow load does not block other runs' answers
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class Runs:
    """The run folders under one root, and what was computed from them (models, test sets, passes)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.models = _Cache(4)  # (run, checkpoint mtime) -> (Trained, receptive fields)
        self.tests = _Cache(4)  # (run, checkpoint mtime) -> (Dataset, predictions)
        self.passes = _Cache(16)  # (run, mtime, image key) -> Pass

    def listing(self) -> dict[str, dict]:
        from ..train.run_folder import find_runs

        return find_runs(self.root)

    def folder(self, name) -> Path:
        """The run folder called ``name``: looked up among the folders holding a checkpoint, never joined to a path
        first (so "../x" or "/etc" is only an unknown name)."""
        if not isinstance(name, str) or not name:
            raise ApiError(400, tr('"run" must be the name of a run folder (GET /api/runs lists them)'))
        found = {p.name: p for p in self.root.iterdir() if (p / "checkpoint.pt").is_file()} if self.root.is_dir() else {}
        if name not in found and not found:
            raise ApiError(404, tr("no run called {name!r} under {root}; runs: none yet; train one with `convlens train --out {root}/NAME`",
                                   name=name, root=self.root))
        if name not in found:
            raise ApiError(404, tr("no run called {name!r} under {root}; runs: {known}", name=name, root=self.root, known=", ".join(sorted(found)[:8])))
        return found[name]

    def _key(self, name) -> tuple[str, float, Path]:
        folder = self.folder(name)
        return name, (folder / "checkpoint.pt").stat().st_mtime, folder

    def trained(self, name):
        try:
            import torch  # noqa: F401
        except ImportError:
            raise ApiError(501, tr("the Inside view runs the checkpoints with PyTorch, which this server lacks: pip install 'convlens[train]'")) from None
        from ..train.checkpoint import CheckpointError
        from ..train.inference import load_trained
        from ..train.inside import receptive_fields

        run, mtime, folder = self._key(name)

        def load():
            try:
                t = load_trained(folder)
            except (CheckpointError, ValueError) as exc:
                raise ApiError(422, tr("run {run!r}: {error}", run=run, error=exc)) from None
            return t, receptive_fields(t)

        return self.models.get((run, mtime), load)

    def test_set(self, name):
        """The run's test images as training read them, and the model's plain-forward prediction for each."""
        import torch

        from .. import data
        from ..train.evaluate import logits, prepare

        run, mtime, _ = self._key(name)
        t, _ = self.trained(name)

        def load():
            try:
                ds = data.load(t.config.data, data_dir=t.config.data_dir)
            except (ValueError, OSError) as exc:
                raise ApiError(422, tr("run {run!r}: its test data cannot be read here ({error})", run=run, error=exc)) from None
            if t.config.test_subset:
                ds = ds.subset(test=t.config.test_subset)
            mean, std = t.input.tensors("cpu")
            predicted = []
            for i in range(0, ds.test_images.shape[0], 1000):
                x = prepare(ds.test_images[i:i + 1000], mean, std, device="cpu", channels_last=False)
                predicted.append(logits(t.net, x, flip_tta=False, bf16=False).argmax(1))
            return ds, torch.cat(predicted)

        return self.tests.get((run, mtime), load)

    def image(self, body: dict):
        """The body's image: (key, uint8 (C, H, W), notes, label or None)."""
        from ..train.inference import ImageError, read_image

        name = body.get("run")
        t, _ = self.trained(name)
        if "image" in body:
            text = body["image"]
            if not isinstance(text, str):
                raise ApiError(400, tr('"image" must be an image file as base64 text (PNG, JPEG, ...)'))
            try:
                raw = base64.b64decode(text.split(",", 1)[-1] if text.startswith("data:") else text, validate=True)
            except (binascii.Error, ValueError):
                raise ApiError(400, tr('"image" is not valid base64; send the file\'s bytes base64-encoded')) from None
            try:
                img, notes = read_image(io.BytesIO(raw), t.input, name=tr("the dropped image"))
            except ImageError as exc:
                raise ApiError(422, str(exc)) from None
            return ("image", hashlib.sha256(raw).hexdigest()), img, notes, None
        index = body.get("test_index")
        if isinstance(index, bool) or not isinstance(index, int):
            raise ApiError(400, tr('"test_index" must be an integer (the test image\'s index), or send "image": a base64 PNG'))
        ds, _ = self.test_set(name)
        n = ds.test_images.shape[0]
        if not 0 <= index < n:
            raise ApiError(422, tr("test_index {index} is out of range: run {name!r} has {n} test images (0 to {last})", index=index, name=name, n=format(n, ","), last=n - 1))
        return ("test", index), ds.test_images[index], [], int(ds.test_labels[index])

    def look(self, body: dict):
        from ..train.inside import look

        name = body.get("run")
        run, mtime, _ = self._key(name)
        t, rfs = self.trained(name)
        key, img, notes, label = self.image(body)
        p = self.passes.get((run, mtime, key), lambda: look(t, img))
        return t, rfs, p, notes, label


def _f32(tensor) -> str:
    """A float32 tensor's bytes, little-endian, base64: the page reads it with a Float32Array."""
    import sys

    data = tensor.contiguous().float().numpy()
    if sys.byteorder != "little":
        data = data.byteswap()
    return base64.b64encode(data.tobytes()).decode("ascii")


def _inside(runs: Runs, body: dict) -> dict:
    t, _, p, notes, label = runs.look(body)
    k = min(5, p.probabilities.shape[0])
    top_p, top_i = p.probabilities.topk(k)
    from ..render.unit import number, percent

    layers = []
    for lo in p.layers:
        lowest, highest = float(lo.output.min()), float(lo.output.max())
        scale = max(abs(lowest), abs(highest))  # one colour scale per layer, symmetric about 0
        layers.append({"name": lo.name, "type": lo.type, "shape": list(lo.output.shape), "input_from": lo.input_from, "min": lowest,
                       "max": highest, "scale": scale, "scale_text": [number(-scale), number(scale)], "data": _f32(lo.output)})
    index = int(p.probabilities.argmax())
    return {
        "run": body["run"],
        "input": p.input.tolist(),
        "input_shape": list(p.input.shape),
        "input_range": [float(p.input.min()), float(p.input.max())],
        "input_text": tr("input {shape}, normalised: {low} to {high}", shape="×".join(map(str, p.input.shape)), low=number(float(p.input.min())),
                         high=number(float(p.input.max()))),
        "label": None if label is None else {"index": label, "label": t.classes[label]},
        "prediction": {"index": index, "label": t.classes[index], "probabilities": p.probabilities.tolist(),
                       "top": [{"index": int(i), "label": t.classes[int(i)], "probability": float(v), "text": percent(float(v))}
                               for v, i in zip(top_p, top_i)]},
        "classes": list(t.classes),
        "notes": notes,
        "layers": layers,
    }


def _int_field(body: dict, key: str, *, required: bool):
    v = body.get(key)
    if v is None and not required:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise ApiError(400, tr('"{key}" must be an integer, got {value!r}', key=key, value=v))
    return v


def _unit(runs: Runs, body: dict) -> dict:
    from ..render.unit import conv_lines, linear_lines, pool_lines
    from ..train.inside import InsideError, field_on_image, unit

    layer = body.get("layer")
    if not isinstance(layer, str):
        raise ApiError(400, tr('"layer" must be a layer name as POST /api/inside lists them (the model\'s module names)'))
    channel = _int_field(body, "channel", required=True)
    y, x = _int_field(body, "y", required=False), _int_field(body, "x", required=False)
    t, rfs, p, _, _ = runs.look(body)
    try:
        lo = p.layer(layer)
    except InsideError as exc:  # no such layer
        raise ApiError(404, str(exc)) from None
    try:
        u = unit(p, layer, channel, y, x)
    except InsideError as exc:  # no such unit in it
        raise ApiError(422, str(exc)) from None
    from ..render.unit import cells, number

    out = asdict(u)
    out["input_from"] = lo.input_from
    out["value_text"] = number(u.value)
    out["input_value_text"] = None if u.input_value is None else number(u.input_value)
    out["bias_text"] = tr("none") if u.bias is None else number(u.bias)
    out["receptive_field"] = field_on_image(rfs.get(layer), u.y, u.x, tuple(t.input.size)) if u.y is not None else None
    if u.kind == "conv":
        out["products"] = [[[a * b for a, b in zip(wr, kr)] for wr, kr in zip(wp, kp)] for wp, kp in zip(u.window, u.kernel)]
        out["formula"] = conv_lines(u.window, u.kernel, u.bias, u.value, first_channel=u.in_channels[0])
        out["window_text"], out["kernel_text"], out["products_text"] = cells(u.window), cells(u.kernel), cells(out["products"])
    elif u.kind in ("maxpool", "avgpool"):
        out["formula"] = pool_lines(u.window, u.value, kind=u.kind)
        out["window_text"] = cells(u.window)
    elif u.kind == "linear":
        out["formula"] = linear_lines([list(c) for c in u.contributions], u.bias, u.value)
        out["contributions"] = out["contributions"][:32]
        out["contributions_text"] = [cells([x, w, p]) for _, x, w, p in out["contributions"]]
    else:
        out["formula"] = []
    return out


def _answer(fn):
    async def endpoint(request: Request) -> Response:
        try:
            with language(language_of(request)):
                return JSONResponse(await fn(request))
        except ApiError as exc:
            return _error(exc)

    return endpoint


def routes(root: Path) -> list[Route]:
    runs = Runs(root)

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "inside.html", headers={"Cache-Control": "no-cache"})

    async def api_runs(request: Request) -> dict:
        from ..render.unit import run_line

        listing = await run_in_threadpool(in_language(runs.listing))
        return {"root": str(runs.root), "runs": [{**r, "text": run_line(r)} for r in listing.values()]}

    async def api_picture(request: Request) -> Response:
        from ..train.run_folder import PICTURES

        try:
            with language(language_of(request)):
                folder = await run_in_threadpool(in_language(runs.folder), request.path_params["run"])
                picture = request.path_params["file"]
                if picture not in PICTURES or not (folder / picture).is_file():
                    raise ApiError(404, tr("run {run!r} has no picture {picture!r}; a run may have {curves} and {confusion}", run=folder.name,
                                           picture=picture, curves=PICTURES[0], confusion=PICTURES[1]))
        except ApiError as exc:
            return _error(exc)
        return FileResponse(folder / picture)

    async def api_tests(request: Request) -> dict:
        q = request.query_params
        name = request.path_params["run"]

        def answer():
            ds, predicted = runs.test_set(name)
            t, _ = runs.trained(name)
            try:
                offset = int(q.get("offset", "0"))
                limit = min(PAGE_SIZE, int(q.get("limit", str(PAGE_SIZE))))
                label = None if q.get("label") in (None, "") else int(q["label"])
            except ValueError:
                raise ApiError(400, tr("offset, limit and label must be integers")) from None
            if label is not None and not 0 <= label < len(t.classes):
                raise ApiError(422, tr("label {label} is out of range: the run has {n} classes (0 to {last})", label=label, n=len(t.classes),
                                       last=len(t.classes) - 1))
            if offset < 0 or limit < 1:
                raise ApiError(400, tr("offset must be >= 0 and limit >= 1, got offset={offset}, limit={limit}", offset=offset, limit=limit))
            keep = predicted == predicted  # all
            if label is not None:
                keep &= ds.test_labels == label
            if q.get("misclassified") in ("1", "true"):
                keep &= predicted != ds.test_labels
            indexes = keep.nonzero().flatten()
            page_ = indexes[offset:offset + limit].tolist()
            wrong = int((predicted != ds.test_labels).sum())
            from ..render.unit import count

            text = tr("{n} images; the model gets {wrong} of the test set wrong", n=count(int(indexes.numel())), wrong=count(wrong))
            return {"count": int(indexes.numel()), "offset": offset, "text": text, "classes": list(t.classes), "misclassified": wrong,
                    "shape": list(ds.test_images.shape[1:]),
                    "images": [{"index": i, "label": int(ds.test_labels[i]), "predicted": int(predicted[i]),
                                "pixels": base64.b64encode(ds.test_images[i].contiguous().numpy().tobytes()).decode("ascii")} for i in page_]}

        return await run_in_threadpool(in_language(answer))

    async def api_inside(request: Request) -> dict:
        body = await _body(request)
        with language(language_of(request, body)):
            return await run_in_threadpool(in_language(_inside), runs, body)

    async def api_unit(request: Request) -> dict:
        body = await _body(request)
        with language(language_of(request, body)):
            return await run_in_threadpool(in_language(_unit), runs, body)

    return [
        Route("/inside", page),
        Route("/api/runs", _answer(api_runs)),
        Route("/api/runs/{run:str}/pictures/{file:str}", api_picture),
        Route("/api/runs/{run:str}/tests", _answer(api_tests)),
        Route("/api/inside", _answer(api_inside), methods=["POST"]),
        Route("/api/inside/unit", _answer(api_unit), methods=["POST"]),
    ]
