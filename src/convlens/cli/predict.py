"""`convlens predict CHECKPOINT IMAGE...`: the top-k classes of each image, with probabilities."""

from __future__ import annotations

import json
import sys

from ..i18n import tr
from ._common import UsageError, add_format
from ._train_common import needs_torch


def register(sub) -> None:
    p = sub.add_parser("predict", help=tr("top-k classes with probabilities for image files, from a trained checkpoint"),
                       description=tr("Classify image files with a `convlens train` checkpoint. Images of another size or colour mode are "
                                      "converted the way the training data was (grey or RGB, resized bilinearly), with a note."))
    p.add_argument("checkpoint", metavar="CHECKPOINT", help=tr("a run folder or its checkpoint.pt"))
    p.add_argument("images", metavar="IMAGE", nargs="+", help=tr("image files (PNG, JPEG, ...)"))
    p.add_argument("--top-k", type=int, default=3, metavar="K", help=tr("classes to list per image (default %(default)s)"))
    add_format(p, ("table", "json"))
    p.set_defaults(run=run)


def run(args) -> int:
    if args.top_k < 1:
        raise UsageError(tr("--top-k must be at least 1, got {k}", k=args.top_k))
    with needs_torch():
        import torch

        from ..train.inference import load_trained, predict, read_image

        t = load_trained(args.checkpoint)
        read = [read_image(path, t.input) for path in args.images]
        results = predict(t, torch.stack([img for img, _ in read]), top_k=args.top_k)
    for note in (n for _, notes in read for n in notes):
        print(tr("note: {note}", note=note), file=sys.stderr)
    if args.format == "json":  # probabilities as fractions, most likely first
        print(json.dumps([{"image": path, "top": [{"class": c, "probability": p} for c, p in top]} for path, top in zip(args.images, results)],
                         indent=2, ensure_ascii=False))
        return 0
    width = max(len(c) for c in t.classes)
    for path, top in zip(args.images, results):
        print(path)
        for cls, prob in top:
            print(f"  {cls:<{width}}  {100 * prob:6.2f}%")
    return 0
