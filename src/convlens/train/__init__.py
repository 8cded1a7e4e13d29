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

from .checkpoint import CheckpointError
from .config import Augment, Device, Optimizer, Precision, Schedule, TrainConfig
from .loop import RunResult, TrainError, train
from .model import ModelMismatchError

__all__ = ["Augment", "CheckpointError", "Device", "ModelMismatchError", "Optimizer", "Precision", "RunResult", "Schedule",
           "TrainConfig", "TrainError", "train"]
