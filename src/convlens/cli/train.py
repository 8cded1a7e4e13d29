"""`convlens train MODEL`: train a zoo model or a file.py:Class target on real data.

Writes a run folder (config, versions, log, metrics.csv, curves.png, confusion.png, checkpoint.pt,
model_state_dict.pt); `--resume RUN` continues a run exactly where its last checkpoint left it.
"""

from __future__ import annotations

import json

from ..i18n import tr
from ._common import UsageError
from ._train_common import needs_torch


def register(sub) -> None:
    from ..train.config import EMA_HELP, PRECISION_HELP, PRESETS, Augment, TrainDevice, Optimizer, Precision, Schedule, TrainConfig

    d = TrainConfig(model="-")
    p = sub.add_parser("train", help=tr("train a model on Fashion-MNIST, MNIST, CIFAR or an image folder; run folder with plots and checkpoints"),
                       description=tr("Train MODEL (a zoo name such as fastnet, or path/file.py:Class) on in-memory data, with a progress "
                                      "bar, one log line per epoch and a run folder. The model is checked against the data's image size, "
                                      "channels and classes before training starts."))
    p.add_argument("model", metavar="MODEL", nargs="?", help=tr("zoo name (see `convlens zoo list`) or path/file.py:Class (default: the preset's, fastnet)"))
    p.add_argument("--model-args", metavar="JSON", default=None,
                   help=tr("constructor options as JSON, e.g. {example}; zoo models get num_classes and in_channels from the data",
                           example="'{\"widths\": {...}}'"))
    p.add_argument("--preset", choices=sorted(PRESETS), default=None, help=tr("recipe: fast (default: fastnet with widths 16-32-64-128, 12 epochs, EMA, whitened stem) or long (widths 24-64-128-256, 18 epochs, EMA, whitened stem, random erasing); options given override it"))
    p.add_argument("--data", default=None, help=tr("dataset: fashion-mnist (default), mnist, cifar10, cifar100, imagefolder"))
    p.add_argument("--data-dir", default=None, help=tr("folder holding the dataset (default: the Debian package's folder, then ~/.cache/convlens/data/NAME)"))
    p.add_argument("--train-subset", type=int, default=None, metavar="N", help=tr("train on the first N images only"))
    p.add_argument("--test-subset", type=int, default=None, metavar="N", help=tr("evaluate on the first N test images only"))
    p.add_argument("--epochs", type=int, default=None, help=_default(d.epochs))
    p.add_argument("--batch-size", type=int, default=None, help=tr("(default {value}; split across processes under torchrun)", value=d.batch_size))
    p.add_argument("--lr", type=float, default=None, help=tr("peak learning rate (default {value})", value=format(d.lr, "g")))
    p.add_argument("--warmup", type=float, default=None, metavar="FRACTION",
                   help=tr("onecycle: the fraction of the steps over which the learning rate rises to its peak (default {value})",
                           value=format(d.warmup, "g")))
    p.add_argument("--weight-decay", type=float, default=None, help=_default(format(d.weight_decay, "g")))
    p.add_argument("--optimizer", choices=[str(o) for o in Optimizer], default=None, help=_default(d.optimizer))
    p.add_argument("--schedule", choices=[str(s) for s in Schedule], default=None, help=_default(d.schedule))
    p.add_argument("--label-smoothing", type=float, default=None, help=_default(format(d.label_smoothing, "g")))
    p.add_argument("--augment", default=None, metavar="LIST",
                   help=tr("comma-separated from {choices}, or none (default {value}; translate only for mnist)",
                           choices=", ".join(Augment), value=",".join(d.augment)))
    p.add_argument("--translate", type=int, default=None, metavar="PIXELS", help=tr("largest shift for 'translate' (default {value})", value=d.translate))
    p.add_argument("--no-tta", action="store_true", help=tr("evaluate without flip test-time augmentation"))
    p.add_argument("--tta-translate", type=int, default=None, metavar="PIXELS",
                   help=tr("also evaluate the test views moved by PIXELS diagonally each way; they weigh half (6 views with the flip instead of 2; "
                           "default {value})", value=d.tta_translate))
    p.add_argument("--no-whiten", action="store_true", help=tr("keep the first convolution's random initialisation (default: its first "
                                                              "filters start as the whitening transform of the training patches)"))
    p.add_argument("--ema", type=float, default=None, metavar="DECAY", help=tr(EMA_HELP, default=f"{d.ema:g}"))
    p.add_argument("--precision", choices=[str(x) for x in Precision], default=None, help=tr(PRECISION_HELP))
    p.add_argument("--no-channels-last", action="store_true", help=tr("keep the default (NCHW) memory format"))
    p.add_argument("--device", choices=[str(x) for x in TrainDevice], default=None, help=tr("(default auto: cuda, then mps, then cpu)"))
    p.add_argument("--seed", type=int, default=None, help=_default(d.seed))
    p.add_argument("--out", default=None, metavar="DIR", help=tr("run folder (default runs/MODEL-DATA-DATE-TIME)"))
    p.add_argument("--resume", default=None, metavar="RUN", help=tr("continue the run in folder RUN from its last checkpoint with its saved config; "
                                                                    "options given too must equal the saved ones (a job script re-runs its command line)"))
    p.add_argument("--tensorboard", action="store_true", help=tr("also write TensorBoard event files into the run folder (scalars per epoch, "
                                                                "the confusion matrix, the first convolution's filters); needs the tensorboard package"))
    p.add_argument("--progress", choices=("auto", "on", "off"), default="auto", help=tr("progress bar per epoch (default auto: when stderr is a terminal)"))
    p.set_defaults(run=run)


def _default(value) -> str:
    """An option's help that says only its default: ``(default 8)``."""
    return tr("(default {value})", value=value)


_OPTIONS = ("model_args", "data", "data_dir", "train_subset", "test_subset", "epochs", "batch_size", "lr", "warmup", "weight_decay",
            "optimizer", "schedule", "label_smoothing", "ema", "translate", "tta_translate", "precision", "device", "seed", "out")


def config_from_args(args):
    """argparse namespace -> TrainConfig: preset values, then every option given explicitly."""
    from ..train.config import NO_FLIP, PRESETS, Augment, TrainConfig

    preset = args.preset or "fast"
    values = dict(PRESETS[preset])
    model = args.model or values["model"]
    if model.removeprefix("zoo:") != values.pop("model"):
        values.pop("model_args", None)  # the preset's widths are for its own model
    for name in _OPTIONS:
        v = getattr(args, name)
        if v is not None:
            values[name] = v
    if args.augment is not None:
        raw = [a.strip() for a in args.augment.split(",") if a.strip()]
        if raw == ["none"]:
            values["augment"] = ()
        else:
            bad = [a for a in raw if a not in {str(x) for x in Augment}]
            if bad:
                raise UsageError(tr("--augment {given!r}: unknown {bad}; choose from {choices} (comma-separated) or none",
                                    given=args.augment, bad=", ".join(bad), choices=", ".join(Augment)))
            values["augment"] = tuple(Augment(a) for a in raw)
    elif values.get("data", "fashion-mnist") in NO_FLIP:
        values["augment"] = (Augment.TRANSLATE,)  # a mirrored digit is another digit, or none
    if args.no_tta:
        values["tta"] = False
    if args.no_whiten:
        values["whiten"] = False
    if args.no_channels_last:
        values["channels_last"] = False
    if args.tensorboard:
        values["tensorboard"] = True
    values["notes"] = (f"preset {preset}",)  # a record in the run's config, not a sentence for the reader
    try:
        return TrainConfig.from_dict({"model": model, **values})
    except (ValueError, TypeError) as exc:
        raise UsageError(f"train: {exc}") from None  # the command, then the config's own sentence


def run(args) -> int:
    progress = {"auto": None, "on": True, "off": False}[args.progress]
    with needs_torch():
        from ..train import train

        if args.resume:
            _check_resume(args)
            train(resume=args.resume, progress=progress)
            return 0
        if args.model_args is not None:
            try:
                json.loads(args.model_args)
            except json.JSONDecodeError as exc:
                raise UsageError(tr("--model-args is not JSON ({problem}): {given!r}", problem=exc.msg, given=args.model_args)) from None
        train(config_from_args(args), progress=progress)
    return 0


def _given(args) -> dict[str, str]:
    """The config fields the command line sets explicitly -> the option that sets them."""
    given = {n: f"--{n.replace('_', '-')}" for n in _OPTIONS if getattr(args, n) is not None}
    if args.model:
        given["model"] = "MODEL"
    if args.augment is not None:
        given["augment"] = "--augment"
    if args.no_tta:
        given["tta"] = "--no-tta"
    if args.no_whiten:
        given["whiten"] = "--no-whiten"
    if args.no_channels_last:
        given["channels_last"] = "--no-channels-last"
    if args.preset:
        from ..train.config import PRESETS

        given.update({k: f"--preset {args.preset}" for k in PRESETS[args.preset] if k not in given})
    return given


def _check_resume(args) -> None:
    """``--resume RUN`` with options: each must equal the run's saved value (a job script re-running its
    command line after a preemption); one that differs is refused, naming the saved and the given value."""
    from pathlib import Path

    from ..train import checkpoint as ckpt
    from ..train.config import TrainConfig

    given = _given(args)
    if not given:
        return
    folder = Path(args.resume) if Path(args.resume).is_dir() else Path(args.resume).parent
    saved = TrainConfig.from_saved(ckpt.load(args.resume)["config"]).to_dict()
    wanted = config_from_args(args).to_dict()
    for values in (wanted, saved):  # compared as what they mean: zoo:fastnet is fastnet, JSON as data
        values["model"] = values["model"].removeprefix("zoo:")
        values["model_args"] = json.loads(values["model_args"])
    differ = []
    for name, option in given.items():
        if name == "out":
            if Path(args.out).resolve() != folder.resolve():
                differ.append(tr("--out {out} is not the run folder {folder}", out=args.out, folder=folder))
        elif wanted[name] != saved[name]:
            differ.append(tr("{option}: the run has {saved}, given {given}", option=option, saved=_shown(saved[name]), given=_shown(wanted[name])))
    if differ:
        raise UsageError(tr("--resume {run} continues the run with its saved config; {differences} (give the saved values or drop the options)",
                            run=args.resume, differences="; ".join(differ)))


def _shown(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return "none" if value is None else str(value)
