"""Training on real data: config, whole-tensor augmentation, the loop, checkpoints, evaluation.

    >>> from convlens.train import TrainConfig
    >>> TrainConfig(model="fastnet").optimizer
    <Optimizer.ADAMW: 'adamw'>
    >>> from convlens.train import train                         # doctest: +SKIP
    >>> train(TrainConfig(model="fastnet", epochs=1, out="runs/demo"))  # doctest: +SKIP

Files: ``config`` (the frozen TrainConfig and its StrEnums), ``augment`` (flip, translate, erase on
whole uint8 tensors), ``model`` (build a zoo model or target and check it against the data),
``loop`` (training, run folder, resume, DDP), ``checkpoint`` (atomic save, ``weights_only`` load),
``evaluate`` (accuracy, confusion, TTA), ``inference`` (rebuild from a checkpoint, predict, feature maps).
"""

from .config import Augment, Device, Optimizer, Precision, Schedule, TrainConfig  # no torch: the CLI parser reads them

__all__ = ["Augment", "CheckpointError", "Device", "ModelMismatchError", "Optimizer", "Precision", "RunResult", "Schedule",
           "TrainConfig", "TrainError", "train"]

_LAZY = {"CheckpointError": "checkpoint", "RunResult": "loop", "TrainError": "loop", "train": "loop", "ModelMismatchError": "model"}


def __getattr__(name: str):
    """The torch-dependent names are imported on first use, so `convlens --help` works without PyTorch."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
