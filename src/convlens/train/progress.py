"""``progress.json``: where a training stands inside the current epoch, for whoever watches the run folder.

The training loop calls :meth:`Progress.batch` after every optimizer step; the record is rewritten
atomically (``run_folder.write_json``) at most every ``every_s`` seconds, on an epoch's first and last
batch, while the test set is evaluated and when the run is done, so a reader (``convlens serve``'s
training panel) sees batch counts rise within an epoch instead of waiting for ``metrics.csv``.

The fields (numbers only; the page's text is made by ``render.unit.training_line``):

* ``phase``: ``"training"``, ``"testing"`` (the epoch's test evaluation) or ``"done"``;
* ``epoch`` (1-based, the epoch under way), ``epochs``; ``batch``, ``batches`` (optimizer steps done in
  this epoch, steps per epoch; per process under ``torchrun``, as rank 0 counts them);
* ``images``: training images seen this epoch; ``train_loss``, ``train_accuracy``: their running means;
* ``images_per_s``: this epoch's training rate so far; ``elapsed_s``: since this process started the run;
* ``time_left_s``: for the whole run: this epoch's remaining batches at this epoch's rate, plus the
  epochs after it at the mean time of the epochs finished so far (a checkpoint's epochs included), or,
  before any epoch finished, at this epoch's rate (the test evaluation not counted yet); ``None``
  before the first batch.
"""

from __future__ import annotations

import time
from pathlib import Path

FILE = "progress.json"


class Progress:
    """The progress record of one training process (rank 0); ``folder`` is the run folder."""

    def __init__(self, folder: Path, *, epochs: int, batches: int, epoch_times: list[float], every_s: float = 0.5):
        self.path = Path(folder) / FILE
        self.epochs, self.batches, self.every_s = epochs, batches, every_s
        self.epoch_times = list(epoch_times)  # seconds per finished epoch, those restored from a checkpoint included
        self.started = time.perf_counter()
        self.written = float("-inf")
        self.record: dict = {}

    def start_epoch(self, epoch: int) -> None:
        """``epoch`` is 0-based, as the loop counts; the record says ``epoch + 1``."""
        self.epoch, self.t_epoch, self.done = epoch, time.perf_counter(), 0
        self.record = self._record("training", 0, 0, None, None, None)
        self._write()

    def batch(self, images: int, loss_sum: float, correct: int) -> None:
        """One more optimizer step; ``images``, ``loss_sum`` and ``correct`` are this epoch's totals so far."""
        self.done += 1
        now = time.perf_counter()
        took = now - self.t_epoch
        rate = images / took if took > 0 else None
        left = None
        if took > 0:
            per_batch = took / self.done
            later = self.epochs - self.epoch - 1
            per_epoch = sum(self.epoch_times) / len(self.epoch_times) if self.epoch_times else per_batch * self.batches
            left = (self.batches - self.done) * per_batch + later * per_epoch
        self.record = self._record("training", self.done, images, loss_sum / images, correct / images, rate, left)
        if self.done in (1, self.batches) or now - self.written >= self.every_s:
            self._write()

    def testing(self) -> None:
        self.record.update(phase="testing", elapsed_s=time.perf_counter() - self.started)
        self._write()

    def end_epoch(self, seconds: float) -> None:
        self.epoch_times.append(seconds)

    def finish(self) -> None:
        self.record.update(phase="done", elapsed_s=time.perf_counter() - self.started, time_left_s=0.0)
        self._write()

    def _record(self, phase, batch, images, loss, accuracy, rate, left=None) -> dict:
        return {"phase": phase, "epoch": self.epoch + 1, "epochs": self.epochs, "batch": batch, "batches": self.batches,
                "images": images, "train_loss": loss, "train_accuracy": accuracy, "images_per_s": rate,
                "elapsed_s": time.perf_counter() - self.started, "time_left_s": left}

    def _write(self) -> None:
        from . import run_folder  # imports torch; readers of FILE (the web server) need not

        self.written = time.perf_counter()
        run_folder.write_json(self.path, self.record)
