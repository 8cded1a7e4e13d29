"""CIFAR-10/100 "python version" batches, read without running arbitrary pickled code.

Each batch is a pickle (protocol 2, written by Python 2) of a dict holding a NumPy uint8 array
``data`` (N, 3072: 1024 red, then green, then blue, each 32×32 row-major) and a list of labels.
A pickle can name any importable callable; this reader's unpickler resolves only the three
NumPy names an array pickle uses (``_reconstruct``, ``ndarray``, ``dtype``) and maps them to
inert stand-ins here that just collect the shape and the raw bytes (plus ``_codecs.encode``,
str -> bytes, which Python 3 writes for bytes), so no NumPy (or other) code runs; every other global is refused with the file's name.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import torch

from ..i18n import tr
from ._errors import DataError

_ARRAY_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("_codecs", "encode"),  # how Python 3 writes bytes in protocol 2 (tests, re-saved batches)
}


class _Dtype:
    """Stand-in for ``numpy.dtype(spec, align, copy)``: keeps the spec ('u1' for CIFAR)."""

    def __init__(self, spec=None, *_args):
        self.spec = spec.decode("latin1") if isinstance(spec, bytes) else spec

    def __setstate__(self, state):  # (version, byte order, ...): nothing needed for uint8
        self.state = state


class _Array:
    """Stand-in for ``numpy.ndarray``: ``__setstate__`` receives (version, shape, dtype, fortran, raw bytes)."""

    def __init__(self, *_args):
        self.shape: tuple = ()
        self.dtype = None
        self.raw = b""
        self.fortran = False

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) != 5:
            raise pickle.UnpicklingError(tr("unexpected ndarray state"))
        _version, self.shape, self.dtype, self.fortran, raw = state
        self.raw = raw.encode("latin1") if isinstance(raw, str) else bytes(raw)


def _encode(text, encoding="utf-8"):
    """Stand-in for ``_codecs.encode``: str -> bytes, nothing else."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        raise pickle.UnpicklingError(tr("unexpected _codecs.encode arguments"))
    return text.encode(encoding)


def _reconstruct(_cls, _shape, _dtype):
    return _Array()


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, path: Path):
        super().__init__(file, encoding="latin1")
        self.path = path

    def find_class(self, module, name):
        if (module, name) not in _ARRAY_GLOBALS:
            raise DataError(tr("{path}: the pickle asks for {name}, which a CIFAR batch never contains; refusing to load it "
                               "(only NumPy uint8 arrays, lists, strings and numbers are read)", path=self.path, name=f"{module}.{name}"))
        return {"_reconstruct": _reconstruct, "ndarray": _Array, "dtype": _Dtype, "encode": _encode}[name]


def load_pickle(data: bytes, path: Path) -> dict:
    """The dict in a CIFAR pickle, with its keys as ``str``; arrays come back as ``_Array``."""
    try:
        obj = _Unpickler(io.BytesIO(data), path).load()
    except DataError:
        raise
    except Exception as exc:  # a truncated or garbled pickle raises many types
        raise DataError(tr("{path}: not a readable CIFAR batch ({reason}); the file is truncated or corrupt, fetch it again",
                           path=path, reason=f"{type(exc).__name__}: {exc}")) from None
    if not isinstance(obj, dict):
        raise DataError(tr("{path}: a CIFAR batch holds a dict, this file holds a {kind}", path=path, kind=type(obj).__name__))
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in obj.items()}


def read_batch(data: bytes, path: Path, *, label_key: str, num_classes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """-> (images (N, 3, 32, 32) uint8, labels (N,) int64), validated."""
    d = load_pickle(data, path)
    if "data" not in d or label_key not in d:
        raise DataError(tr("{path}: a CIFAR batch needs the keys 'data' and '{key}'; it has {keys}", path=path, key=label_key, keys=sorted(d)))
    arr, labels = d["data"], d[label_key]
    if not isinstance(arr, _Array) or (arr.dtype is not None and getattr(arr.dtype, "spec", "u1") not in ("u1", "|u1", "uint8")):
        raise DataError(tr("{path}: 'data' must be a uint8 array; got {kind} of dtype {dtype}", path=path, kind=type(arr).__name__,
                           dtype=getattr(arr.dtype, 'spec', None)))
    if len(arr.shape) != 2 or arr.shape[1] != 3072 or len(arr.raw) != arr.shape[0] * 3072:
        raise DataError(tr("{path}: 'data' must be N × 3072 bytes (3×32×32 images); got shape {shape} with {n} bytes", path=path,
                           shape=tuple(arr.shape), n=f"{len(arr.raw):,}"))
    n = arr.shape[0]
    if not isinstance(labels, list) or len(labels) != n or not all(isinstance(v, int) for v in labels):
        raise DataError(tr("{path}: '{key}' must be a list of {n} integers (one per image)", path=path, key=label_key, n=n))
    bad = [v for v in labels if not 0 <= v < num_classes]
    if bad:
        raise DataError(tr("{path}: label {label} is outside 0..{last} ({n} such labels)", path=path, label=bad[0], last=num_classes - 1, n=len(bad)))
    images = torch.frombuffer(bytearray(arr.raw), dtype=torch.uint8).reshape(n, 3, 32, 32)  # (N, 3072) -> (N, 3, 32, 32)
    return images, torch.tensor(labels, dtype=torch.int64)


def read_names(data: bytes, path: Path, key: str) -> tuple[str, ...]:
    d = load_pickle(data, path)
    names = d.get(key)
    if not isinstance(names, list) or not all(isinstance(n, (str, bytes)) for n in names):
        raise DataError(tr("{path}: expected a list of class names under '{key}'", path=path, key=key))
    return tuple(n.decode() if isinstance(n, bytes) else n for n in names)
