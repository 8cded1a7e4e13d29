"""The device a front end traces a model on: one meaning of "device" (the device a model trains on
is ``train.TrainDevice``). Framework-free, so the request (``targets.Request.device``) and the
command line name it without importing PyTorch."""

from __future__ import annotations

from enum import StrEnum


class TraceDevice(StrEnum):
    """Where a model is traced for its summary (``Request.device``, ``--device`` of summary/check/compare)."""

    META = "meta"  # trace on the meta device: no weights allocated, no numbers computed
    CPU = "cpu"  # run the forward for real on the CPU
