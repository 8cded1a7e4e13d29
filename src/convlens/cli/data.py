"""`convlens data list | get NAME`: which datasets are here, and download one (only when asked)."""

from __future__ import annotations

import json

from ..i18n import N_, current, language, tr
from ._common import UsageError, add_format
from ._train_common import needs_torch


HEADERS = (N_("dataset"), N_("train / test"), N_("image"), N_("classes"), N_("where, verified"))


def register(sub) -> None:
    p = sub.add_parser("data", help=tr("datasets for training: list what is installed, download one with checksums"),
                       description=tr("Datasets are read from local files; nothing is downloaded unless you run `convlens data get`."))
    actions = p.add_subparsers(dest="data_action", metavar="ACTION")
    ls = actions.add_parser("list", help=tr("each dataset, where it was found, images, classes and what was verified"))
    ls.add_argument("--data-dir", default=None, help=tr("look only in this folder"))
    add_format(ls, ("table", "json"))
    ls.set_defaults(run=run_list)
    get = actions.add_parser("get", help=tr("download a dataset from its canonical source and verify its checksums"))
    get.add_argument("name", metavar="NAME", help=tr("fashion-mnist, mnist, cifar10 or cifar100"))
    get.add_argument("--data-dir", default=None, help=tr("destination folder (default ~/.cache/convlens/data/NAME, or $CONVLENS_DATA/NAME)"))
    get.add_argument("--mirror", default=None, metavar="URL", help=tr("fetch the same files from this base URL instead"))
    get.set_defaults(run=run_get)
    p.set_defaults(run=run_list, data_dir=None, format="table")  # bare `convlens data` lists, as bare `convlens zoo` does


def run_list(args) -> int:
    from ..render import table

    with needs_torch():  # PyTorch missing: one line saying how to install it
        from ..data import CATALOG, DataError, DatasetName, load
    rows, found = [], []
    for name in DatasetName:
        if name is DatasetName.IMAGEFOLDER and args.data_dir is None:
            continue
        try:
            ds = load(name, data_dir=args.data_dir)
        except DataError as exc:
            missing = _missing(name, args.data_dir, exc)
            how = "; ".join(filter(None, [f"apt-get install {CATALOG[name].apt}" if name in CATALOG and CATALOG[name].apt else "",
                                         f"convlens data get {name}" if name in CATALOG else ""]))
            rows.append([str(name), "--", "--", "--", tr("not found ({how})", how=how) if missing else str(exc)])
            found.append({"dataset": str(name), "found": False, "problem": None if missing else str(exc), "how": how or None})
            continue
        c, (h, w) = ds.channels, ds.image_size
        found.append({"dataset": str(name), "found": True, "train": int(ds.train_images.shape[0]), "test": int(ds.test_images.shape[0]),
                      "image": [c, h, w], "classes": len(ds.classes), "source": str(ds.source), "notes": list(ds.notes)})
        rows.append([str(name), f"{ds.train_images.shape[0]:,} / {ds.test_images.shape[0]:,}", f"{c}×{h}×{w}",
                     str(len(ds.classes)), f"{ds.source}: {'; '.join(ds.notes)}"])
    if args.format == "json":
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    print(table([tr(h) for h in HEADERS], rows, right=(1, 3)), end="")
    return 0


def _missing(name, data_dir, exc) -> bool:
    """Whether ``load`` failed because the dataset is not there (not because a file is broken); the data
    package's message says so in English, so a message in another language is asked for again in English."""
    from ..data import DataError, load

    if current() != "en":
        try:
            with language("en"):
                load(name, data_dir=data_dir)
        except DataError as english:
            exc = english
    return str(exc).startswith(f"{name}: dataset not found")


def run_get(args) -> int:
    from pathlib import Path

    if args.mirror and not args.mirror.startswith(("http://", "https://")):
        raise UsageError(tr("--mirror {url!r}: give an http:// or https:// base URL", url=args.mirror))
    with needs_torch():
        from ..data import default_root
        from ..data.download import get

        dest = Path(args.data_dir) if args.data_dir else default_root() / args.name
        get(args.name, dest, base_url=args.mirror)
    command = f"convlens train fastnet --data {args.name}" + (f" --data-dir {dest}" if args.data_dir else "")
    print(tr("{name} is in {dest}; train on it with: {command}", name=args.name, dest=dest, command=command))
    return 0
