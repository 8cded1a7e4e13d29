"""``convlens data get NAME``: download a dataset from its canonical source, verified by checksum.

Only ever run on request (loading never downloads). Each file is fetched to ``NAME.part`` next to
its destination, checked (SHA-256 of the decompressed content where recorded, else the MD5 of the
published file), and only then renamed into place; a failed check deletes the partial file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from ._catalog import CATALOG, KnownDataset
from ..i18n import tr
from ._errors import DataError


def _url(spec: KnownDataset, fname: str, base: str | None) -> str:
    if spec.url.endswith(fname):  # a single archive (CIFAR)
        return (base.rstrip("/") + "/" + fname) if base else spec.url
    return (base.rstrip("/") + "/" if base else spec.url) + fname


def fetch(url: str, dest: Path, *, chunk: int = 1 << 20, on_bytes: Callable[[int, int | None], None] | None = None) -> None:
    if not url.startswith(("http://", "https://")):
        raise DataError(tr("{url}: only http:// and https:// sources are fetched", url=url))
    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(dest, "wb") as f:
            total = int(r.headers.get("Content-Length") or 0) or None
            done = 0
            while block := r.read(chunk):
                f.write(block)
                done += len(block)
                if on_bytes:
                    on_bytes(done, total)
    except urllib.error.HTTPError as exc:
        raise DataError(tr("{url}: the server answered {status}", url=url, status=f"{exc.code} {exc.reason}")) from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(tr("{url}: download failed ({reason}); check the network, or copy the files by hand and use --data-dir", url=url,
                           reason=reason)) from None


def verify(path: Path, *, content_sha256: str | None, archive_md5: str | None) -> str:
    """Check ``path``; returns what was checked. Raises ``DataError`` on a mismatch."""
    raw = path.read_bytes()
    name = path.name.removesuffix(".part")
    if content_sha256 is not None:
        try:
            content = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        except (OSError, EOFError) as exc:
            raise DataError(tr("{name}: the download is not a valid gzip file ({reason})", name=name, reason=exc)) from None
        got = hashlib.sha256(content).hexdigest()
        if got != content_sha256:
            raise DataError(tr("{name}: checksum mismatch: decompressed SHA-256 {got}…, expected {want}…; the download is corrupt or not this dataset",
                               name=name, got=got[:16], want=content_sha256[:16]))
        return tr("SHA-256 of the decompressed content")
    if archive_md5 is not None:
        got = hashlib.md5(raw).hexdigest()
        if got != archive_md5:
            raise DataError(tr("{name}: checksum mismatch: MD5 {got}, expected {want}; the download is corrupt or not this dataset", name=name,
                               got=got, want=archive_md5))
        return tr("MD5 of the published file")
    raise DataError(tr("{name}: no checksum is recorded, refusing to install an unverified download", name=name))


def get(name: str | KnownDataset, dest: str | Path, *, base_url: str | None = None, log: Callable[[str], None] = print) -> list[Path]:
    """Download every file of dataset ``name`` into ``dest`` (created), verified; files already
    present and valid are kept. ``base_url`` replaces the canonical source (a mirror)."""
    spec = name if isinstance(name, KnownDataset) else CATALOG.get(str(name))
    if spec is None:
        raise DataError(tr("convlens data get: no dataset {name!r} to download; known: {known}", name=name, known=", ".join(CATALOG)))
    dest = Path(dest).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for f in spec.files:
        target = dest / f.name
        if target.is_file():
            try:
                verify(target, content_sha256=f.content_sha256, archive_md5=f.archive_md5)
                log(f"{target}: present and verified")
                out.append(target)
                continue
            except DataError:
                log(tr("{path}: present but fails its checksum; downloading it again", path=target))
        url = _url(spec, f.name, base_url)
        part = target.with_name(target.name + ".part")
        log(tr("downloading {url}", url=url))
        try:
            fetch(url, part)
            how = verify(part, content_sha256=f.content_sha256, archive_md5=f.archive_md5)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        os.replace(part, target)
        log(tr("{path}: {n} bytes, {how} verified", path=target, n=f"{part.stat().st_size if part.exists() else target.stat().st_size:,}", how=how))
        out.append(target)
    return out
