"""An image folder per class: ``ROOT/train/CLASS/*.png`` and ``ROOT/test/CLASS/*.png`` (Pillow).

Class names are the sub-folder names, sorted. Every image is converted to one colour mode (``L``
when all images are grey, else ``RGB``) and one size (the most common one); images of another size
are resized with bilinear filtering and counted in a note.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import torch

from ..i18n import tr
from ._errors import DataError

_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def _files(split_dir: Path) -> tuple[tuple[str, ...], list[tuple[Path, int]]]:
    classes = tuple(sorted(p.name for p in split_dir.iterdir() if p.is_dir()))
    if not classes:
        raise DataError(tr("{path}: no class folders; an image folder holds one sub-folder per class, e.g. {example}", path=split_dir,
                           example=f"{split_dir}/cat/1.png"))
    files = [(f, i) for i, c in enumerate(classes) for f in sorted((split_dir / c).iterdir()) if f.suffix.lower() in _SUFFIXES]
    if not files:
        raise DataError(tr("{path}: the class folders hold no images ({suffixes})", path=split_dir, suffixes=", ".join(sorted(_SUFFIXES))))
    return classes, files


def read_folder(root: Path) -> tuple[tuple[str, ...], dict[str, tuple[torch.Tensor, torch.Tensor]], list[str]]:
    """-> (classes, {"train": (images, labels), "test": (...)}, notes)."""
    from PIL import Image, UnidentifiedImageError

    missing = [s for s in ("train", "test") if not (root / s).is_dir()]
    if missing:
        raise DataError(tr("{path}: an image folder needs the sub-folders train/ and test/, each with one folder per class; missing {missing}/",
                           path=root, missing=", ".join(missing)))
    listed = {s: _files(root / s) for s in ("train", "test")}
    classes = listed["train"][0]
    if listed["test"][0] != classes:
        raise DataError(tr("{path}: train/ has the classes {train} but test/ has {test}; both need the same class folders", path=root,
                           train=list(classes), test=list(listed['test'][0])))
    images: dict[str, list] = {}
    for split, (_c, files) in listed.items():
        opened = []
        for f, label in files:
            try:
                with Image.open(f) as im:
                    im.load()
                    opened.append((im.copy(), label))
            except (UnidentifiedImageError, OSError) as exc:
                raise DataError(tr("{path}: not a readable image ({reason})", path=f, reason=exc)) from None
        images[split] = opened
    every = [im for split in images.values() for im, _ in split]
    grey = all(im.mode in ("L", "1", "I", "I;16", "F", "LA") for im in every)
    mode = "L" if grey else "RGB"
    size = Counter(im.size for im in every).most_common(1)[0][0]
    resized = sum(im.size != size for im in every)
    out = {}
    for split, items in images.items():
        tensors = []
        for im, _ in items:
            im = im.convert(mode)
            if im.size != size:
                im = im.resize(size, Image.BILINEAR)
            t = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8).reshape(size[1], size[0], len(mode))  # (H, W, C)
            tensors.append(t.permute(2, 0, 1))  # (H, W, C) -> (C, H, W)
        out[split] = (torch.stack(tensors), torch.tensor([label for _, label in items], dtype=torch.int64))
    notes = [tr("images converted to mode {mode}, {size}", mode=mode, size=f"{size[0]}×{size[1]}")]
    if resized:
        notes.append(tr("{resized} of {n} images had another size and were resized to {size} (bilinear)", resized=resized, n=len(every),
                           size=f"{size[0]}×{size[1]}"))
    return classes, out, notes
