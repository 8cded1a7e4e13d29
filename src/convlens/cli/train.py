"""`convlens train MODEL`: train a zoo model or a file.py:Class target on real data.

Writes a run folder (config, versions, log, metrics.csv, curves.png, confusion.png, checkpoint.pt,
model_state_dict.pt); `--resume RUN` continues a run exactly where its last checkpoint left it.
"""

from __future__ import annotations

import json

from ._common import UsageError
from ._train_common import needs_torch


def register(sub) -> None:
    from ..i18n import tr
    from ..train.config import EMA_HELP, PRECISION_HELP, PRESETS, Augment, TrainDevice, Optimizer, Precision, Schedule, TrainConfig

    d = TrainConfig(model="-")
    p = sub.add_parser("train", help="train a model on Fashion-MNIST, MNIST, CIFAR or an image folder; run folder with plots and checkpoints",
                       description="Train MODEL (a zoo name such as fastnet, or path/file.py:Class) on in-memory data, with a progress "
                                   "bar, one log line per epoch and a run folder. The model is checked against the data's image size, "
                                   "channels and classes before training starts.")
    p.add_argument("model", metavar="MODEL", nargs="?", help="zoo name (see `convlens zoo list`) or path/file.py:Class (default: the preset's, fastnet)")
    p.add_argument("--model-args", metavar="JSON", default=None, help="constructor options as JSON, e.g. '{\"widths\": {...}}'; zoo models get num_classes and in_channels from the data")
    p.add_argument("--preset", choices=sorted(PRESETS), default=None, help="recipe: fast (default: fastnet with widths 16-32-64-128, 16 epochs, EMA) or long (widths 24-64-128-256, 30 epochs, EMA); options given override it")
    p.add_argument("--data", default=None, help=f"dataset: fashion-mnist (default), mnist, cifar10, cifar100, imagefolder")
    p.add_argument("--data-dir", default=None, help="folder holding the dataset (default: the Debian package's folder, then ~/.cache/convlens/data/NAME)")
    p.add_argument("--train-subset", type=int, default=None, metavar="N", help="train on the first N images only")
    p.add_argument("--test-subset", type=int, default=None, metavar="N", help="evaluate on the first N test images only")
    p.add_argument("--epochs", type=int, default=None, help=f"(default {d.epochs})")
    p.add_argument("--batch-size", type=int, default=None, help=f"(default {d.batch_size}; split across processes under torchrun)")
    p.add_argument("--lr", type=float, default=None, help=f"peak learning rate (default {d.lr:g})")
    p.add_argument("--weight-decay", type=float, default=None, help=f"(default {d.weight_decay:g})")
    p.add_argument("--optimizer", choices=[str(o) for o in Optimizer], default=None, help=f"(default {d.optimizer})")
    p.add_argument("--schedule", choices=[str(s) for s in Schedule], default=None, help=f"(default {d.schedule})")
    p.add_argument("--label-smoothing", type=float, default=None, help=f"(default {d.label_smoothing:g})")
    p.add_argument("--augment", default=None, metavar="LIST",
                   help=f"comma-separated from {', '.join(Augment)}, or none (default {','.join(d.augment)}; translate only for mnist)")
    p.add_argument("--translate", type=int, default=None, metavar="PIXELS", help=f"largest shift for 'translate' (default {d.translate})")
    p.add_argument("--no-tta", action="store_true", help="evaluate without flip test-time augmentation")
    p.add_argument("--ema", type=float, default=None, metavar="DECAY", help=tr(EMA_HELP, default=f"{d.ema:g}"))
    p.add_argument("--precision", choices=[str(x) for x in Precision], default=None, help=tr(PRECISION_HELP))
    p.add_argument("--no-channels-last", action="store_true", help="keep the default (NCHW) memory format")
    p.add_argument("--device", choices=[str(x) for x in TrainDevice], default=None, help="(default auto: cuda, then mps, then cpu)")
    p.add_argument("--seed", type=int, default=None, help=f"(default {d.seed})")
    p.add_argument("--out", default=None, metavar="DIR", help="run folder (default runs/MODEL-DATA-DATE-TIME)")
    p.add_argument("--resume", default=None, metavar="RUN", help="continue the run in folder RUN from its last checkpoint with its saved config; "
                                                                    "options given too must equal the saved ones (a job script re-runs its command line)")
    p.add_argument("--tensorboard", action="store_true", help="also write TensorBoard event files into the run folder (scalars per epoch, "
                                                             "the confusion matrix, the first convolution's filters); needs the tensorboard package")
    p.add_argument("--progress", choices=("auto", "on", "off"), default="auto", help="progress bar per epoch (default auto: when stderr is a terminal)")
    p.set_defaults(run=run)


_OPTIONS = ("model_args", "data", "data_dir", "train_subset", "test_subset", "epochs", "batch_size", "lr", "weight_decay",
            "optimizer", "schedule", "label_smoothing", "ema", "translate", "precision", "device", "seed", "out")


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
                raise UsageError(f"--augment {args.augment!r}: unknown {', '.join(bad)}; choose from {', '.join(Augment)} (comma-separated) or none")
            values["augment"] = tuple(Augment(a) for a in raw)
    elif values.get("data", "fashion-mnist") in NO_FLIP:
        values["augment"] = (Augment.TRANSLATE,)  # a mirrored digit is another digit, or none
    if args.no_tta:
        values["tta"] = False
    if args.no_channels_last:
        values["channels_last"] = False
    if args.tensorboard:
        values["tensorboard"] = True
    values["notes"] = (f"preset {preset}",)
    try:
        return TrainConfig.from_dict({"model": model, **values})
    except (ValueError, TypeError) as exc:
        raise UsageError(f"train: {exc}") from None


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
                raise UsageError(f"--model-args is not JSON ({exc.msg}): {args.model_args!r}") from None
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
    saved = TrainConfig.from_dict(ckpt.load(args.resume)["config"]).to_dict()
    wanted = config_from_args(args).to_dict()
    for values in (wanted, saved):  # compared as what they mean: zoo:fastnet is fastnet, JSON as data
        values["model"] = values["model"].removeprefix("zoo:")
        values["model_args"] = json.loads(values["model_args"])
    differ = []
    for name, option in given.items():
        if name == "out":
            if Path(args.out).resolve() != folder.resolve():
                differ.append(f"--out {args.out} is not the run folder {folder}")
        elif wanted[name] != saved[name]:
            differ.append(f"{option}: the run has {_shown(saved[name])}, given {_shown(wanted[name])}")
    if differ:
        raise UsageError(f"--resume {args.resume} continues the run with its saved config; {'; '.join(differ)} "
                         "(give the saved values or drop the options)")


def _shown(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return "none" if value is None else str(value)
