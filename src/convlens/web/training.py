"""Train from the page: one background ``convlens train`` process at a time, its progress, cancel.

* ``POST /api/train`` ``{"model": "fastnet" | "zoo:NAME"}`` or ``{"yaml": SPEC}`` (the network being
  designed: exported as PyTorch into the run folder and trained from there), optionally
  ``"model_args"`` (an object), ``"epochs"``, ``"batch_size"``, ``"train_subset"``, ``"test_subset"`` → the job. The
  recipe is ``convlens train``'s default (preset fast); the run folder is the command's own,
  ``RUNS/MODEL-DATA-DATE-TIME``. A second start while one runs gets 409.
* ``GET /api/train`` → the job: state (running, done, failed, cancelled), the epochs done, the last
  finished epoch's loss, accuracy and images/s (read from the run's ``metrics.csv``), ``progress``:
  where the run stands inside the current epoch (the run's ``progress.json``, rewritten by the
  training process about twice a second: batch, running loss and accuracy, images/s, time left; see
  ``train.progress``), the time left for the whole run (from ``progress``; before its first record,
  the mean epoch time × epochs left), the output's last lines, and the run's name.
* ``POST /api/train/cancel`` → stops the process (SIGTERM); the run folder keeps its last checkpoint,
  so ``convlens train --resume`` can continue it.

Nothing in a request is run or imported: the model is a zoo name (looked up in the registry) or a
spec (validated and exported by ``convlens.design``), and the options are integers in range.
"""

from __future__ import annotations

import collections
import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..i18n import current, language, tr
from .app import ApiError, _body, _error, _spec_from, in_language, language_of

LIMITS = {"epochs": (1, 100), "batch_size": (2, 65_536), "train_subset": (2, 10_000_000), "test_subset": (1, 10_000_000)}


class Job:
    """One ``convlens train`` process and what it printed."""

    def __init__(self, argv: list[str], folder: Path, epochs: int, model: str):
        self.folder, self.epochs, self.model = folder, epochs, model
        self.started = time.time()
        self.cancelled = False
        self.lines: collections.deque[str] = collections.deque(maxlen=40)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     text=True, bufsize=1, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
        self.proc.stdout.close()

    @property
    def state(self) -> str:
        code = self.proc.poll()
        if code is None:
            return "running"
        if self.cancelled:
            return "cancelled"
        return "done" if code == 0 else "failed"

    def status(self) -> dict:
        state = self.state
        if state != "running":
            self.reader.join(timeout=2)  # the last lines are in
        rows = []
        try:
            with open(self.folder / "metrics.csv", newline="") as f:
                rows = list(csv.DictReader(f))
        except (OSError, csv.Error):
            pass
        last = rows[-1] if rows else None
        times = [float(r["epoch_time_s"]) for r in rows if r.get("epoch_time_s")]
        progress = self._progress()
        left = None
        if state == "running" and progress is not None and progress.get("time_left_s") is not None:
            left = float(progress["time_left_s"])
        elif state == "running" and times:
            left = sum(times) / len(times) * (self.epochs - len(rows))
        from ..render.unit import training_line

        out = {
            "state": state, "model": self.model, "run": self.folder.name, "epochs": self.epochs, "epochs_done": len(rows),
            "train_loss": float(last["train_loss"]) if last else None, "train_accuracy": float(last["train_acc"]) if last else None,
            "test_loss": float(last["test_loss"]) if last else None, "test_accuracy": float(last["test_acc"]) if last else None,
            "images_per_s": float(last["images_per_s"]) if last else None, "elapsed_s": time.time() - self.started,
            "time_left_s": left, "progress": progress, "exit_code": self.proc.poll(), "output": list(self.lines),
        }
        out["text"] = training_line(out)
        return out

    def _progress(self) -> dict | None:
        """The run's ``progress.json`` (written atomically, so read whole or not yet there)."""
        from ..train.progress import FILE

        try:
            record = json.loads((self.folder / FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def cancel(self) -> None:
        if self.proc.poll() is None:
            self.cancelled = True
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Trainer:
    """At most one job at a time, under ``root``."""

    def __init__(self, root: Path):
        self.root = root
        self.job: Job | None = None
        self.lock = threading.Lock()

    def start(self, body: dict) -> dict:
        from ..train.config import PRESETS, TrainConfig
        from ..train.loop import default_out

        with self.lock:
            if self.job is not None and self.job.state == "running":
                raise ApiError(409, tr("a training is already running ({model}, run {run}); wait for it or cancel it (POST /api/train/cancel)",
                                       model=self.job.model, run=self.job.folder.name))
            options = []
            for key, (lo, hi) in LIMITS.items():
                v = body.get(key)
                if v is None:
                    continue
                if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                    raise ApiError(400, tr('"{key}" must be an integer from {low} to {high}, got {value!r}', key=key, low=format(lo, ","), high=format(hi, ","), value=v))
                options += [f"--{key.replace('_', '-')}", str(v)]
            args = body.get("model_args")
            if args is not None:
                if not isinstance(args, dict):
                    raise ApiError(400, tr('"model_args" must be an object of the model\'s options, e.g. {{"num_classes": 10}}, got {value!r}', value=args))
                options += ["--model-args", json.dumps(args)]
            epochs = body.get("epochs") or PRESETS["fast"].get("epochs", TrainConfig(model="-").epochs)
            model, spec = self._model(body)

            stem = "designed" if spec is not None else model
            folder = Path(default_out(TrainConfig(model=stem), self.root))
            if folder.exists():
                raise ApiError(409, tr("{folder} exists already; start again in a second", folder=folder))
            folder.mkdir(parents=True)
            if spec is not None:
                from ..design import SpecError
                from ..design.export import export

                try:
                    code = export(spec, "pytorch")
                except SpecError as exc:
                    folder.rmdir()
                    raise ApiError(422, str(exc), exc.to_dict()) from None
                (folder / "model.py").write_text(code, encoding="utf-8")
                model = f"{folder / 'model.py'}:build_model"
            argv = [sys.executable, "-m", "convlens", "train", model, "--out", str(folder), "--progress", "off", "--lang", current(), *options]
            self.job = Job(argv, folder, epochs, body.get("model") or tr("the designed network ({name})", name=spec.name))
            return self.job.status()

    def _model(self, body: dict):
        if "yaml" in body or "spec" in body:
            return None, _spec_from(body)
        model = body.get("model", "fastnet")
        if not isinstance(model, str):
            raise ApiError(400, tr('"model" must be a zoo name, e.g. "fastnet" (GET /api/examples lists the zoo)'))
        from .. import zoo

        name = model.removeprefix("zoo:")
        try:
            entry = zoo.get(name)
        except zoo.ZooError as exc:  # the unknown-name error lists close names
            raise ApiError(404, tr("no zoo model {model!r}: {error}", model=model, error=exc)) from None
        if entry.framework != "torch":
            raise ApiError(422, tr("{name} is a Keras model; convlens train trains PyTorch models", name=entry.name))
        return entry.name, None

    def status(self) -> dict:
        if self.job is None:
            return {"state": "idle"}
        return self.job.status()

    def cancel(self) -> dict:
        if self.job is None or self.job.state != "running":
            raise ApiError(409, tr("no training is running"))
        self.job.cancel()
        return self.job.status()


def routes(root: Path) -> list[Route]:
    trainer = Trainer(root)

    def answer(fn, *, reads_body: bool = False):
        async def endpoint(request: Request) -> Response:
            try:
                with language(language_of(request)):
                    args = (await _body(request),) if reads_body else ()
                    with language(language_of(request, args[0] if args else None)):
                        return JSONResponse(await run_in_threadpool(in_language(fn), *args))
            except ApiError as exc:
                return _error(exc)

        return endpoint

    return [
        Route("/api/train", answer(trainer.start, reads_body=True), methods=["POST"]),
        Route("/api/train", answer(trainer.status), methods=["GET"]),
        Route("/api/train/cancel", answer(trainer.cancel), methods=["POST"]),
    ]
