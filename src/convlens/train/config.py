"""The training configuration: one frozen record, parsed once by the CLI and saved with every run
and checkpoint (``config.json``, and inside each checkpoint) so a run can be resumed and repeated."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from enum import StrEnum

from ..i18n import N_, tr


class Optimizer(StrEnum):
    ADAM = "adam"
    ADAMW = "adamw"
    SGD = "sgd"  # with Nesterov momentum 0.9


class Schedule(StrEnum):
    ONECYCLE = "onecycle"  # up over the first `warmup` of the steps, then down to ~0, both half-cosines (torch OneCycleLR)
    COSINE = "cosine"  # cosine from lr to 0 over all steps
    NONE = "none"


class Augment(StrEnum):
    FLIP = "flip"  # horizontal flip of half the images (and flip test-time augmentation at evaluation)
    TRANSLATE = "translate"  # shift by up to `translate` pixels each way, zero fill
    ERASE = "erase"  # random erasing: one rectangle (2-33 % of the area) set to 0 in half the images


class TrainDevice(StrEnum):
    """Where a model trains (``TrainConfig.device``, ``convlens train --device``). Not the device a
    summary traces on: that is ``targets.TraceDevice`` (meta or cpu)."""

    AUTO = "auto"  # cuda if available, else mps, else cpu
    CPU = "cpu"
    CUDA = "cuda"
    MPS = "mps"


class Precision(StrEnum):
    AUTO = "auto"  # bf16 where the hardware computes bfloat16 natively (CPU: avx512_bf16 or amx_bf16; CUDA: Ampere+), else fp32
    BF16 = "bf16"  # bfloat16 autocast (weights and optimizer stay float32)
    FP32 = "fp32"


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    model: str  # a zoo name ("fastnet") or a "path/file.py:Class" target
    model_args: str = "{}"  # JSON keyword arguments for the model's constructor or factory
    data: str = "fashion-mnist"  # a convlens.data.DatasetName
    data_dir: str | None = None  # None: the Debian package's folder, then ~/.cache/convlens/data/NAME
    train_subset: int | None = None  # use only the first N training images (quick runs, tests)
    test_subset: int | None = None  # evaluate on the first N test images only
    epochs: int = 12  # the default recipe (docs/train.md): 93 % after epoch 4-5, 94 % after epoch 8-10 on Fashion-MNIST
    batch_size: int = 256
    lr: float = 4e-3  # peak learning rate (one-cycle) or initial (cosine, none)
    warmup: float = 0.1  # one-cycle: the fraction of all steps over which the lr rises to its peak (0.25 before issue 20's second round)
    weight_decay: float = 5e-2  # decoupled for adamw, L2 for adam and sgd
    optimizer: Optimizer = Optimizer.ADAMW
    schedule: Schedule = Schedule.ONECYCLE
    label_smoothing: float = 0.1
    augment: tuple[Augment, ...] = (Augment.FLIP, Augment.TRANSLATE)  # redrawn on the whole tensor once per epoch
    translate: int = 1  # pixels, for Augment.TRANSLATE (2 before issue 20's second round: 1 tests higher in the first epochs)
    tta: bool = True  # average the logits of the image and its mirror at evaluation (only with flip training)
    tta_translate: int = 0  # with tta: also the views moved by this many pixels diagonally each way, weighing half (0: none)
    whiten: bool = True  # set the first convolution's filters from the training patches before the first step (train/whiten.py)
    ema: float = 0.99  # per-step decay of an exponential moving average of the weights that is evaluated and saved; 0: none
    precision: Precision = Precision.AUTO  # resolved when the run starts (train/hardware.py); run.json records the result
    channels_last: bool = True  # memory format of weights and batches
    device: TrainDevice = TrainDevice.AUTO
    seed: int = 0
    out: str = ""  # run folder; empty: runs/MODEL-DATA-YYYYmmdd-HHMMSS
    tensorboard: bool = False  # also write TensorBoard event files into the run folder (train/tensorboard.py)
    notes: tuple[str, ...] = field(default=())  # which preset the values come from, for the record

    def __post_init__(self):
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(tr("{name} must be at least 1, got {value}", name=name, value=getattr(self, name)))
        for name in ("train_subset", "test_subset"):
            v = getattr(self, name)
            if v is not None and v < 1:
                raise ValueError(tr("{name} must be at least 1, got {value}", name=name, value=v))
        if not self.lr > 0:
            raise ValueError(tr("{name} must be positive, got {value}", name="lr", value=self.lr))
        if not 0 <= self.label_smoothing < 1:
            raise ValueError(tr("{name} must be in [0, 1), got {value}", name="label_smoothing", value=self.label_smoothing))
        if not 0 < self.warmup < 1:
            raise ValueError(tr("{name} must be in (0, 1), got {value}", name="warmup", value=self.warmup))
        if not 0 <= self.ema < 1:
            raise ValueError(tr("{name} must be in [0, 1), got {value}", name="ema", value=self.ema))
        if self.weight_decay < 0 or self.translate < 0 or self.tta_translate < 0:
            raise ValueError(tr("{names} must not be negative", names="weight_decay, translate, tta_translate"))
        try:
            args = json.loads(self.model_args)
        except json.JSONDecodeError as exc:
            raise ValueError(tr("{name} is not JSON ({reason}): {value!r}; write e.g. {example}", name="model_args", reason=exc.msg,
                                   value=self.model_args, example="'{\"num_classes\": 10}'")) from None
        if not isinstance(args, dict):
            raise ValueError(tr("{name} must be a JSON object, got {value!r}", name="model_args", value=self.model_args))

    @property
    def flip_tta(self) -> bool:
        return self.tta and Augment.FLIP in self.augment

    @property
    def translate_tta(self) -> int:
        """Pixels by which the moved test-time views are shifted; 0: none (also when TTA is off)."""
        return self.tta_translate if self.tta else 0

    def to_dict(self) -> dict:
        """Plain JSON types only (strings for the enums): what config.json and checkpoints hold."""
        def plain(v):
            if isinstance(v, tuple):
                return [plain(x) for x in v]
            return str(v) if isinstance(v, StrEnum) else v

        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_saved(cls, d: dict) -> "TrainConfig":
        """A config read back from a checkpoint: one saved before issue 20 lacks ``ema`` and
        ``precision``, and trained without an average and with bf16 autocast whatever the hardware;
        one saved before its second round lacks ``warmup`` and ``whiten``: it warmed up over 25 % of
        the steps and started from PyTorch's random initialisation."""
        d = dict(d)
        d.setdefault("warmup", 0.25)
        d.setdefault("whiten", False)
        d.setdefault("ema", 0.0)
        d.setdefault("precision", str(Precision.BF16))
        return cls.from_dict(d)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """A config from plain values; a field not given takes the dataclass's default (a new run's)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(tr("unknown config keys {keys}", keys=sorted(unknown)))
        d = dict(d)
        if "augment" in d:
            d["augment"] = tuple(Augment(a) for a in d["augment"])
        if "notes" in d:
            d["notes"] = tuple(d["notes"])
        for key, enum in (("optimizer", Optimizer), ("schedule", Schedule), ("precision", Precision), ("device", TrainDevice)):
            if key in d:
                d[key] = enum(d[key])
        return cls(**d)


# Help of the options that issue 20 added (shown by cli/train.py, translated in train.po).
EMA_HELP = N_("per-step decay of the moving average of the weights that is tested and saved; 0 turns it off (default {default})")
PRECISION_HELP = N_("(default auto: bf16 autocast where the CPU has avx512_bf16 or amx_bf16, or on a CUDA GPU with bf16; else fp32)")

# Datasets whose images change meaning when mirrored (digits): no flip, hence no flip TTA, by default.
NO_FLIP = frozenset({"mnist"})

# Named recipes for 28×28 data: the default model and its widths, and overrides of TrainConfig's
# defaults. A preset's model_args apply only to the preset's own model (another MODEL gets "{}").
PRESETS: dict[str, dict] = {
    "fast": {"model": "fastnet", "model_args": '{"widths": {"stem": 16, "block1": 32, "block2": 64, "block3": 128}, "scale": 0.3333}'},
    # the wider FastNet with the default recipe's whitened stem, warm-up and logit scale, 2-pixel translation (issue 20's
    # fourth round) and random erasing (its fifth: the one seed of three that missed 95 % reached it; docs/train.md)
    "long": {"model": "fastnet", "model_args": '{"widths": {"stem": 24, "block1": 64, "block2": 128, "block3": 256}, "scale": 0.3333}', "epochs": 18,
             "translate": 2, "augment": ("flip", "translate", "erase")},
}
