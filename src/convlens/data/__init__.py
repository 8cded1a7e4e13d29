"""Datasets for training: read from local files into memory as uint8 tensors, validated.

    >>> from convlens import data
    >>> [str(n) for n in data.DatasetName]
    ['fashion-mnist', 'mnist', 'cifar10', 'cifar100', 'imagefolder']
    >>> ds = data.load("fashion-mnist")                       # doctest: +SKIP
    >>> ds.train_images.shape, ds.train_images.dtype          # doctest: +SKIP
    (torch.Size([60000, 1, 28, 28]), torch.uint8)

Nothing is downloaded implicitly: a missing dataset raises ``DataError`` saying how to get it
(``apt-get install dataset-fashion-mnist``, ``convlens data get NAME`` or ``--data-dir``).
Every file is validated (magic numbers, sizes, label range, and the SHA-256 of the decompressed
bytes where recorded, see ``_catalog``) and an error names the file and what is wrong.
"""

from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import torch

from . import _cifar, _idx
from ._catalog import CATALOG, KnownDataset, KnownFile
from ._errors import DataError
from ._folder import read_folder
from ..i18n import tr

__all__ = ["CATALOG", "DataError", "Dataset", "DatasetName", "default_root", "load", "missing_message"]


class DatasetName(StrEnum):
    FASHION_MNIST = "fashion-mnist"
    MNIST = "mnist"
    CIFAR10 = "cifar10"
    CIFAR100 = "cifar100"
    IMAGEFOLDER = "imagefolder"  # ROOT/train/CLASS/*.png and ROOT/test/CLASS/*.png; needs --data-dir


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    classes: tuple[str, ...]
    train_images: torch.Tensor  # (N, C, H, W) uint8
    train_labels: torch.Tensor  # (N,) int64
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: str  # the folder or file it was read from
    notes: tuple[str, ...] = field(default=())  # what was verified, converted or could not be checked

    @property
    def channels(self) -> int:
        return int(self.train_images.shape[1])

    @property
    def image_size(self) -> tuple[int, int]:
        return int(self.train_images.shape[2]), int(self.train_images.shape[3])

    def subset(self, *, train: int | None = None, test: int | None = None) -> "Dataset":
        """The first ``train`` / ``test`` images of each split (for quick runs and tests)."""
        tr, te = slice(None, train), slice(None, test)
        return Dataset(self.name, self.classes, self.train_images[tr], self.train_labels[tr], self.test_images[te],
                       self.test_labels[te], self.source, self.notes)


def default_root() -> Path:
    """Where ``convlens data get`` puts datasets: ``$CONVLENS_DATA`` or ``~/.cache/convlens/data``."""
    env = os.environ.get("CONVLENS_DATA")
    return Path(env) if env else Path.home() / ".cache" / "convlens" / "data"


def missing_message(name: str, searched: list[Path]) -> str:
    spec = CATALOG.get(name)
    where = ", ".join(str(p) for p in searched)
    if spec and spec.apt:
        return tr("{name}: dataset not found (looked in {where}); install it with '{apt}', or download it with '{get}', "
                  "or point --data-dir at a folder that holds it", name=name, where=where, apt=f"apt-get install {spec.apt}",
                  get=f"convlens data get {name}")
    if spec:
        return tr("{name}: dataset not found (looked in {where}); download it with '{get}', or point --data-dir at a "
                  "folder that holds it", name=name, where=where, get=f"convlens data get {name}")
    return tr("{name}: dataset not found (looked in {where}); point --data-dir at a folder that holds it", name=name, where=where)


def _candidates(spec: KnownDataset, data_dir: Path | None) -> list[Path]:
    if data_dir is not None:
        return [data_dir]
    out = [Path(spec.system_dir)] if spec.system_dir else []
    return out + [default_root() / spec.name]


def load(name: str | DatasetName, *, data_dir: str | Path | None = None) -> Dataset:
    """Read dataset ``name`` from ``data_dir`` (default: the Debian package's folder, then
    ``default_root()/NAME``) into memory, validating every file."""
    try:
        name = DatasetName(str(name).lower())
    except ValueError:
        raise DataError(tr("unknown dataset {name!r}; known: {known}", name=str(name), known=", ".join(DatasetName))) from None
    data_dir = Path(data_dir).expanduser() if data_dir is not None else None
    if name is DatasetName.IMAGEFOLDER:
        if data_dir is None:
            raise DataError(tr("imagefolder needs --data-dir ROOT, with ROOT/train/CLASS/*.png and ROOT/test/CLASS/*.png"))
        if not data_dir.is_dir():
            raise DataError(tr("{path}: no such folder (imagefolder reads ROOT/train/CLASS/*.png and ROOT/test/CLASS/*.png)", path=data_dir))
        classes, splits, notes = read_folder(data_dir)
        return Dataset(str(name), classes, *splits["train"], *splits["test"], str(data_dir), tuple(notes))
    spec = CATALOG[str(name)]
    searched = _candidates(spec, data_dir)
    reader = _load_idx if name in (DatasetName.FASHION_MNIST, DatasetName.MNIST) else _load_cifar
    for folder in searched:
        found = reader(spec, folder)
        if found is not None:
            return found
    raise DataError(missing_message(str(name), searched))


# --- IDX (MNIST, Fashion-MNIST) ---

def _find(folder: Path, fname: str) -> Path | None:
    for candidate in (folder / fname, folder / fname.removesuffix(".gz")):
        if candidate.is_file():
            return candidate
    return None


def _verify_content(spec: KnownFile, path: Path, content: bytes) -> None:
    if spec.content_sha256 is None:
        return
    digest = _idx.sha256(content)
    if digest != spec.content_sha256:
        raise DataError(tr("{path}: checksum mismatch: the decompressed content has SHA-256 {got}…, expected {want}… "
                           "(the file is corrupt or another dataset's); fetch it again", path=path, got=digest[:16],
                           want=spec.content_sha256[:16]))


def _load_idx(spec: KnownDataset, folder: Path) -> Dataset | None:
    paths = [_find(folder, f.name) for f in spec.files]
    if not any(paths):
        return None
    missing = [f.name for f, p in zip(spec.files, paths) if p is None]
    if missing:
        raise DataError(tr("{folder}: {dataset} is incomplete: missing {missing} (the four IDX files are {files}, gzip or not)",
                           folder=folder, dataset=spec.name, missing=", ".join(missing), files=", ".join(f.name for f in spec.files)))
    notes: list[str] = []
    arrays = []
    for f, p, ndim in zip(spec.files, paths, (3, 1, 3, 1)):
        content = _idx.read_bytes(p)
        arrays.append(_idx.parse(p, content, ndim=ndim))
        _verify_content(f, p, content)
    if all(f.content_sha256 for f in spec.files):
        notes.append(tr("SHA-256 of the decompressed files verified"))
    else:
        notes.append(tr("structure verified (magic, sizes, labels); no decompressed checksum is recorded for this dataset"))
    (tri, trl, tei, tel) = arrays
    for images, labels, ip, lp in ((tri, trl, paths[0], paths[1]), (tei, tel, paths[2], paths[3])):
        if images.shape[0] != labels.shape[0]:
            raise DataError(tr("{images_file} holds {images} images but {labels_file} holds {labels} labels; they must match",
                               images_file=ip, images=f"{images.shape[0]:,}", labels_file=lp, labels=f"{labels.shape[0]:,}"))
        top = int(labels.max()) if labels.numel() else 0
        if top >= len(spec.classes):
            raise DataError(tr("{path}: label {label} is outside 0..{last} ({dataset} has {n} classes)", path=lp, label=top,
                               last=len(spec.classes) - 1, dataset=spec.name, n=len(spec.classes)))
    if tri.shape[1:] != tei.shape[1:]:
        raise DataError(tr("{train_file} holds {train_size} images but {test_file} {test_size}; they must match", train_file=paths[0],
                           train_size=f"{tri.shape[1]}×{tri.shape[2]}", test_file=paths[2], test_size=f"{tei.shape[1]}×{tei.shape[2]}"))
    # images (N, H, W) -> (N, 1, H, W): one grey channel
    return Dataset(spec.name, spec.classes, tri.unsqueeze(1), trl.long(), tei.unsqueeze(1), tel.long(), str(folder), tuple(notes))


# --- CIFAR-10/100 python batches ---

def _cifar_members(spec: KnownDataset, folder: Path) -> dict[str, tuple[Path, bytes]] | None:
    """{member name: (path for messages, bytes)} from an extracted folder or the .tar.gz archive."""
    sub = "cifar-10-batches-py" if spec.name == "cifar10" else "cifar-100-python"
    wanted = ({f"data_batch_{i}" for i in range(1, 6)} | {"test_batch", "batches.meta"}) if spec.name == "cifar10" else {"train", "test", "meta"}
    for d in (folder / sub, folder):
        if d.is_dir() and any((d / w).is_file() for w in wanted):
            missing = sorted(w for w in wanted if not (d / w).is_file())
            if missing:
                raise DataError(tr("{folder}: {dataset} is incomplete: missing {missing}", folder=d, dataset=spec.name, missing=", ".join(missing)))
            return {w: (d / w, (d / w).read_bytes()) for w in wanted}
    archive = folder / spec.files[0].name
    if not archive.is_file():
        return None
    out = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:  # members are read into memory, never extracted to disk
            for m in tar.getmembers():
                base = m.name.rsplit("/", 1)[-1]
                if m.isfile() and base in wanted:
                    out[base] = (Path(f"{archive}!{m.name}"), tar.extractfile(m).read())
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataError(tr("{path}: not a readable .tar.gz ({reason}); the file is truncated or corrupt, fetch it again",
                           path=archive, reason=exc)) from None
    missing = sorted(wanted - set(out))
    if missing:
        raise DataError(tr("{path}: the archive lacks {missing}; is it {expected}?", path=archive, missing=", ".join(missing),
                           expected=spec.files[0].name))
    return out


def _load_cifar(spec: KnownDataset, folder: Path) -> Dataset | None:
    members = _cifar_members(spec, folder)
    if members is None:
        return None
    if spec.name == "cifar10":
        classes = _cifar.read_names(members["batches.meta"][1], members["batches.meta"][0], "label_names")
        train_parts = [members[f"data_batch_{i}"] for i in range(1, 6)]
        test_parts, key = [members["test_batch"]], "labels"
    else:
        classes = _cifar.read_names(members["meta"][1], members["meta"][0], "fine_label_names")
        train_parts, test_parts, key = [members["train"]], [members["test"]], "fine_labels"
    splits = []
    for parts in (train_parts, test_parts):
        read = [_cifar.read_batch(data, path, label_key=key, num_classes=len(classes)) for path, data in parts]
        splits += [torch.cat([r[0] for r in read]), torch.cat([r[1] for r in read])]
    note = tr("structure verified (array sizes, label range); pickles read without running pickled code")
    return Dataset(spec.name, classes, *splits, str(folder), (note,))
