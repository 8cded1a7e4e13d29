"""`convlens data list | get NAME`: which datasets are here, and download one (only when asked)."""

from __future__ import annotations

import json

from ._common import UsageError, add_format
from ._train_common import needs_torch


def register(sub) -> None:
    p = sub.add_parser("data", help="datasets for training: list what is installed, download one with checksums",
                       description="Datasets are read from local files; nothing is downloaded unless you run `convlens data get`.")
    actions = p.add_subparsers(dest="data_action", metavar="ACTION")
    ls = actions.add_parser("list", help="each dataset, where it was found, images, classes and what was verified")
    ls.add_argument("--data-dir", default=None, help="look only in this folder")
    add_format(ls, ("table", "json"))
    ls.set_defaults(run=run_list)
    get = actions.add_parser("get", help="download a dataset from its canonical source and verify its checksums")
    get.add_argument("name", metavar="NAME", help="fashion-mnist, mnist, cifar10 or cifar100")
    get.add_argument("--data-dir", default=None, help="destination folder (default ~/.cache/convlens/data/NAME, or $CONVLENS_DATA/NAME)")
    get.add_argument("--mirror", default=None, metavar="URL", help="fetch the same files from this base URL instead")
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
            missing = str(exc).startswith(f"{name}: dataset not found")
            how = "; ".join(filter(None, [f"apt-get install {CATALOG[name].apt}" if name in CATALOG and CATALOG[name].apt else "",
                                         f"convlens data get {name}" if name in CATALOG else ""]))
            rows.append([str(name), "--", "--", "--", f"not found ({how})" if missing else str(exc)])
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
    print(table(["dataset", "train / test", "image", "classes", "where, verified"], rows, right=(1, 3)), end="")
    return 0


def run_get(args) -> int:
    from pathlib import Path

    if args.mirror and not args.mirror.startswith(("http://", "https://")):
        raise UsageError(f"--mirror {args.mirror!r}: give an http:// or https:// base URL")
    with needs_torch():
        from ..data import default_root
        from ..data.download import get

        dest = Path(args.data_dir) if args.data_dir else default_root() / args.name
        get(args.name, dest, base_url=args.mirror)
    print(f"{args.name} is in {dest}; train on it with: convlens train fastnet --data {args.name}"
          + (f" --data-dir {dest}" if args.data_dir else ""))
    return 0
