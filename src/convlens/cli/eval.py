"""`convlens eval CHECKPOINT`: test accuracy, per-class accuracy and the confusion matrix."""

from __future__ import annotations

import json
from pathlib import Path

from ..i18n import N_, tr
from ..render import table
from ._common import UsageError, add_format
from ._train_common import needs_torch


HEADERS = (N_("class"), N_("correct"), N_("images"), N_("accuracy"))


def register(sub) -> None:
    p = sub.add_parser("eval", help=tr("accuracy, per-class accuracy and confusion matrix of a trained checkpoint"),
                       description=tr("Evaluate a `convlens train` checkpoint on the test split of its dataset (or --data)."))
    p.add_argument("checkpoint", metavar="CHECKPOINT", help=tr("a run folder or its checkpoint.pt"))
    p.add_argument("--data", default=None, help=tr("dataset (default: the one it was trained on)"))
    p.add_argument("--data-dir", default=None, help=tr("folder holding the dataset (default: as in training)"))
    p.add_argument("--test-subset", type=int, default=None, metavar="N", help=tr("the first N test images only"))
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help=tr("also draw the confusion matrix with class names into FILE: .png, .svg or .pdf, by its suffix"))
    add_format(p, ("table", "json"))
    p.set_defaults(run=run)


PICTURE_SUFFIXES = (".png", ".svg", ".pdf")  # what matplotlib writes with its default (Agg) backend


def run(args) -> int:
    if args.output is not None and Path(args.output).suffix.lower() not in PICTURE_SUFFIXES:
        raise UsageError(tr("-o/--output {output!r}: the confusion matrix is drawn as a picture; "
                            "give a file ending in {suffixes}, e.g. confusion.png", output=args.output, suffixes=", ".join(PICTURE_SUFFIXES)))
    with needs_torch():
        from .. import data as datasets
        from ..train.run_folder import plot_confusion
        from ..train.evaluate import evaluate
        from ..train.inference import load_trained

        t = load_trained(args.checkpoint)
        name = args.data or t.config.data
        data_dir = args.data_dir if args.data_dir is not None else (t.config.data_dir if name == t.config.data else None)
        ds = datasets.load(name, data_dir=data_dir)
        if args.test_subset:
            ds = ds.subset(test=args.test_subset)
        if (ds.channels, ds.image_size) != (t.input.channels, t.input.size) or len(ds.classes) != len(t.classes):
            image, trained_image = f"{ds.channels}×{ds.image_size[0]}×{ds.image_size[1]}", f"{t.input.channels}×{t.input.size[0]}×{t.input.size[1]}"
            raise UsageError(tr("{name} has {classes} classes of {image} images; the checkpoint was trained on {trained} classes of {trained_image}",
                                name=name, classes=len(ds.classes), image=image, trained=len(t.classes), trained_image=trained_image))
        ev = evaluate(t.net, ds.test_images, ds.test_labels, t.input, num_classes=len(t.classes), device="cpu",
                      flip_tta=t.config.flip_tta, translate=t.config.translate_tta, bf16=False, channels_last=False)
    if args.format == "json":
        print(json.dumps(_numbers(t, ds, ev), indent=2, ensure_ascii=False))
        if args.output:
            plot_confusion(Path(args.output), ev.confusion, t.classes, _title(t, ds, ev))
        return 0
    k = len(t.classes)
    count, correct, accuracy = f"{ev.count:,}", f"{int(ev.confusion.diag().sum()):,}", f"{100 * ev.accuracy:.2f}%"
    if t.config.translate_tta:
        pixels = t.config.translate_tta
        setting = (tr("{count} images, TTA over 6 views (the image, its mirror, both moved by ±{pixels} px), float32", count=count, pixels=pixels)
                   if t.config.flip_tta else
                   tr("{count} images, TTA over 3 views (the image, moved by ±{pixels} px), float32", count=count, pixels=pixels))
    else:
        setting = tr("{count} images, flip TTA, float32", count=count) if t.config.flip_tta else tr("{count} images, float32", count=count)
    print(tr("{model} after {epochs} epochs, on {dataset} test ({setting})", model=t.config.model, epochs=t.epoch, dataset=ds.name, setting=setting))
    print(tr("accuracy  {accuracy}  ({correct} of {count})", accuracy=accuracy, correct=correct, count=count))
    print(tr("loss      {loss}  (mean cross-entropy)", loss=format(ev.loss, ".4f")))
    print()
    totals = ev.confusion.sum(1).tolist()
    rows = [[c, f"{int(ev.confusion[i, i]):,}", f"{totals[i]:,}", f"{100 * acc:.1f}%"] for i, (c, acc) in enumerate(zip(t.classes, ev.per_class()))]
    print(table([tr(h) for h in HEADERS], rows, right=(1, 2, 3)), end="")
    if k <= 20:
        print()
        print(tr("confusion matrix (rows: true class, columns: predicted class, in class order above)"))
        short = [str(i) for i in range(k)]
        body = [[f"{i} {c}"] + [f"{int(v):,}" for v in ev.confusion[i].tolist()] for i, c in enumerate(t.classes)]
        print(table([tr("true \\ predicted")] + short, body, right=tuple(range(1, k + 1))), end="")
    if args.output:
        plot_confusion(Path(args.output), ev.confusion, t.classes, _title(t, ds, ev))
        print("\n" + tr("wrote {path}", path=args.output))
    return 0


def _title(t, ds, ev) -> str:
    """The confusion matrix picture's title."""
    accuracy = f"{100 * ev.accuracy:.2f}%"
    return tr("{model} on {dataset}: test accuracy {accuracy}", model=t.config.model, dataset=ds.name, accuracy=accuracy)


def _numbers(t, ds, ev) -> dict:
    """The evaluation as numbers (``--format json``): fractions, counts and the confusion matrix."""
    totals = ev.confusion.sum(1).tolist()
    return {
        "model": t.config.model, "epochs": t.epoch, "dataset": str(ds.name), "images": ev.count, "flip_tta": bool(t.config.flip_tta),
        "tta_translate": t.config.translate_tta,
        "accuracy": ev.accuracy, "loss": ev.loss,
        "classes": [{"name": c, "correct": int(ev.confusion[i, i]), "images": totals[i], "accuracy": acc}
                    for i, (c, acc) in enumerate(zip(t.classes, ev.per_class()))],
        "confusion": ev.confusion.tolist(),  # rows: true class, columns: predicted class
    }
