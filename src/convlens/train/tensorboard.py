"""``convlens train --tensorboard``: TensorBoard event files in the run folder, for users who follow
their runs there: every epoch's scalars (the metrics.csv columns), and at the end the confusion
matrix (the run's confusion.png) and the first convolution's filters."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn as nn

from ..i18n import tr

SCALARS = {"train_loss": "loss/train", "test_loss": "loss/test", "train_acc": "accuracy/train", "test_acc": "accuracy/test",
           "lr": "learning_rate", "images_per_s": "images_per_s", "epoch_time_s": "epoch_time_s"}


def require() -> None:
    """Refuse, with the install command, when the tensorboard package is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401
    except ImportError:
        from .loop import TrainError

        raise TrainError(tr("--tensorboard needs the tensorboard package: {install} (or {alternative})", install="pip install 'convlens[train]'",
                            alternative="pip install tensorboard")) from None


def writer(folder: Path):
    """A ``SummaryWriter`` writing its event files into the run folder."""
    require()
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(log_dir=str(folder))


def log_epoch(w, row: dict) -> None:
    for key, tag in SCALARS.items():
        w.add_scalar(tag, row[key], global_step=row["epoch"])
    w.flush()


def log_final(w, epoch: int, confusion_png: Path, net: nn.Module) -> None:
    """The confusion matrix as the run drew it, and the first Conv2d's filters (input channel 0, or RGB
    for 3 input channels), each scaled to 0–1 and tiled in a grid, 8× enlarged."""
    from PIL import Image

    from .inference import first_conv

    with Image.open(confusion_png) as im:
        rgb = torch.frombuffer(bytearray(im.convert("RGB").tobytes()), dtype=torch.uint8).view(im.height, im.width, 3)
    w.add_image("confusion_matrix", rgb, global_step=epoch, dataformats="HWC")
    conv = first_conv(net)
    if conv is not None:
        name, m = conv
        f = m.weight.detach().float().cpu()  # (out, in, kh, kw)
        f = f if f.shape[1] == 3 else f[:, :1]  # (out, 1 or 3, kh, kw)
        lo = f.amin(dim=(1, 2, 3), keepdim=True)
        hi = f.amax(dim=(1, 2, 3), keepdim=True)
        f = (f - lo) / (hi - lo).clamp(min=1e-12)
        w.add_image(f"filters/{name}", _grid(f).repeat_interleave(8, 1).repeat_interleave(8, 2), global_step=epoch)
    w.flush()


def _grid(f: torch.Tensor) -> torch.Tensor:
    """(N, C, h, w) -> (C, rows·(h+1)−1, cols·(w+1)−1): the filters side by side, one pixel apart."""
    n, c, h, w = f.shape
    cols = int(n ** 0.5 + 0.999)
    rows = -(-n // cols)
    out = torch.ones(c, rows * (h + 1) - 1, cols * (w + 1) - 1)
    for i in range(n):
        r, k = divmod(i, cols)
        out[:, r * (h + 1):r * (h + 1) + h, k * (w + 1):k * (w + 1) + w] = f[i]
    return out
