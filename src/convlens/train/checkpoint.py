"""Checkpoints: written atomically, read with ``torch.load(weights_only=True)``.

A checkpoint is a dict of tensors, numbers, strings, lists and dicts only (so the restricted
unpickler of ``weights_only=True`` reads it and nothing else): the model's and optimizer's and
scheduler's state, the RNG states, the epoch just finished, the full config, the class names, the
input it was trained on (channels, size, normalisation) and the metrics so far.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import torch

from ..errors import UserError, first_line
from ..i18n import tr

FORMAT = "convlens-checkpoint"
VERSION = 1
REQUIRED = ("format", "version", "model", "epoch", "config", "classes", "input")


class CheckpointError(UserError):
    """A checkpoint that is missing, truncated, corrupt, or not a convlens checkpoint."""


def save_atomic(obj, path: Path) -> None:
    """``torch.save`` to ``path.tmp``, flush it to disk, then ``os.replace``: a reader (or a run killed
    at any moment) sees either the old complete file or the new complete file, never a partial one."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load(path: str | Path) -> dict:
    """Read and validate a convlens checkpoint; every failure is a ``CheckpointError`` naming the file."""
    path = Path(path)
    if path.is_dir():
        path = path / "checkpoint.pt"
    if not path.is_file():
        raise CheckpointError(tr("{path}: no such checkpoint (give a run folder or its checkpoint.pt)", path=path))
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise CheckpointError(tr("{path}: refused: it holds objects other than tensors and plain data, and checkpoints are loaded "
                                 "with weights_only=True ({reason})", path=path, reason=first[:160])) from None
    except Exception as exc:  # truncated zip, garbage bytes: torch raises RuntimeError, KeyError, EOFError, ...
        first = first_line(exc)
        raise CheckpointError(tr("{path}: not a readable checkpoint, truncated or corrupt ({reason})", path=path, reason=first[:160])) from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        if isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
            raise CheckpointError(tr("{path}: a plain state_dict ({n} tensors), not a convlens checkpoint; load it with {code} — convlens "
                                     "needs the checkpoint.pt of a run folder", path=path, n=len(obj),
                                     code="model.load_state_dict(torch.load(path))"))
        if isinstance(obj, dict):
            raise CheckpointError(tr("{path}: not a convlens checkpoint (it holds a dict with keys {keys}); give the checkpoint.pt of "
                                     "a `convlens train` run folder", path=path, keys=sorted(map(str, obj))[:6]))
        raise CheckpointError(tr("{path}: not a convlens checkpoint (it holds {kind}); give the checkpoint.pt of a `convlens train` "
                                 "run folder", path=path, kind=type(obj).__name__))
    if obj.get("version") != VERSION:
        raise CheckpointError(tr("{path}: checkpoint format version {version!r}; this convlens reads version {expected}", path=path,
                                 version=obj.get('version'), expected=VERSION))
    missing = [k for k in REQUIRED if k not in obj]
    if missing:
        raise CheckpointError(tr("{path}: the checkpoint lacks {missing}; it is damaged or was not written by convlens train", path=path,
                                 missing=", ".join(missing)))
    return obj
