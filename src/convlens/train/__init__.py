"""Training on real data: config, whole-tensor augmentation, the loop, checkpoints, evaluation.

    >>> from convlens.train import TrainConfig
    >>> TrainConfig(model="fastnet").optimizer
    <Optimizer.ADAMW: 'adamw'>
    >>> from convlens.train import train                         # doctest: +SKIP
    >>> train(TrainConfig(model="fastnet", epochs=1, out="runs/demo"))  # doctest: +SKIP

Files: ``config`` (the frozen TrainConfig and its StrEnums), ``augment`` (flip, translate, erase on
whole uint8 tensors), ``model`` (build a zoo model or target and check it against the data),
``loop`` (training, run folder, resume, DDP), ``checkpoint`` (atomic save, ``weights_only`` load),
``evaluate`` (accuracy, confusion, TTA), ``progress`` (progress.json within an epoch), ``inference`` (rebuild from a checkpoint, predict, feature maps).
"""

from .config import Augment, TrainDevice, Optimizer, Precision, Schedule, TrainConfig

# The rest imports torch: loaded on first use (PEP 562), so `convlens --help` and the
# framework-free commands never import it.
_LAZY = {"CheckpointError": "checkpoint", "RunResult": "loop", "TrainError": "loop", "train": "loop", "ModelMismatchError": "model"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Augment", "CheckpointError", "TrainDevice", "ModelMismatchError", "Optimizer", "Precision", "RunResult", "Schedule",
           "TrainConfig", "TrainError", "train"]
