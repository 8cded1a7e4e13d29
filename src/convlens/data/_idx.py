"""IDX files (MNIST, Fashion-MNIST): read, validate, return uint8 tensors.

The format (LeCun et al., http://yann.lecun.com/exdb/mnist/): a 4-byte magic ``0x00 0x00 TYPE NDIM``
(TYPE 0x08 = unsigned byte), then NDIM big-endian uint32 sizes, then the data row-major.
Images are ``idx3`` (N, H, W), labels ``idx1`` (N,). Files may be gzip-compressed.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import torch

from ..i18n import tr
from ._errors import DataError

_UBYTE = 0x08


def read_bytes(path: Path) -> bytes:
    """The decompressed content of ``path`` (gzip detected by its magic bytes, not by its name)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(tr("{path}: cannot read it ({reason})", path=path, reason=exc.strerror)) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(tr("{path}: the gzip stream is broken ({reason}); the file is truncated or corrupt, fetch it again", path=path, reason=exc)) from None
    return raw


def parse(path: Path, data: bytes, *, ndim: int) -> torch.Tensor:
    """Validate the IDX header of ``data`` (read from ``path``) and return its array as uint8.

    Checks: the magic (two zero bytes, type 0x08, ``ndim`` dimensions) and that the byte count is
    exactly header + product of the sizes.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(tr("{path}: not an IDX file (magic bytes {magic}; expected {expected})", path=path, magic=data[:4].hex() or "—",
                           expected=f"0000 08 0{ndim}"))
    if data[2] != _UBYTE or data[3] != ndim:
        raise DataError(tr("{path}: IDX magic {magic} declares type {kind} with {dims} dimensions; expected unsigned bytes (0x08) with "
                           "{ndim} dimensions ({expected})", path=path, magic=data[:4].hex(), kind=f"0x{data[2]:02x}", dims=data[3],
                           ndim=ndim, expected=f"0000080{ndim}"))
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(tr("{path}: the IDX header is cut short ({n} bytes, {header} needed)", path=path, n=len(data), header=header))
    sizes = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    count = 1
    for s in sizes:
        count *= s
    if len(data) != header + count:
        raise DataError(tr("{path}: the header declares sizes {sizes} = {count} bytes of data, but the file holds {held}; the file is "
                           "truncated or corrupt, fetch it again", path=path, sizes=" × ".join(map(str, sizes)), count=f"{count:,}",
                           held=f"{len(data) - header:,}"))
    return torch.frombuffer(bytearray(data[header:]), dtype=torch.uint8).reshape(sizes)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
