"""Using a trained checkpoint: rebuild the model, read images the way the training data was read,
predict top-k classes, and capture a layer's feature maps and the first convolution's filters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn

from ..core import close_names
from ..errors import UserError
from ..i18n import tr

from . import checkpoint as ckpt
from . import model as models
from .config import TrainConfig
from .evaluate import Input, black, logits, prepare


@dataclass(frozen=True, eq=False)
class Trained:
    net: nn.Module  # in eval mode, on the CPU, float32
    config: TrainConfig
    classes: tuple[str, ...]
    input: Input
    epoch: int


def load_trained(path: str | Path) -> Trained:
    state = ckpt.load(path)
    cfg = TrainConfig.from_saved(state["config"])
    inp = Input.from_dict(state["input"])
    net = models.build(cfg.model, cfg.model_args, channels=inp.channels, num_classes=len(state["classes"]), device="cpu")
    try:
        net.load_state_dict(state["model"])
    except RuntimeError as exc:
        raise ckpt.CheckpointError(tr("{path}: the saved weights do not fit {model} as built now ({reason}); was the model's code changed "
                                      "since training?", path=path, model=cfg.model, reason=str(exc).splitlines()[0])) from None
    return Trained(net.eval(), cfg, tuple(state["classes"]), inp, int(state["epoch"]))


class ImageError(UserError):
    """An image file that cannot be read."""


def read_image(path, inp: Input, *, name: str | None = None) -> tuple[torch.Tensor, list[str]]:
    """An image file (a path, or a binary file object with ``name`` for the notes) -> (uint8 (C, H, W)
    as the training data was, notes on every conversion made)."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(path, (str, Path)):
        path = Path(path)
        name = name or path.name
    try:
        with Image.open(path) as im:
            im.load()
            im = im.copy()
    except FileNotFoundError:
        raise ImageError(tr("{path}: no such image file", path=path)) from None
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageError(tr("{path}: not a readable image ({reason})", path=name or path, reason=exc)) from None
    notes = []
    mode = "L" if inp.channels == 1 else "RGB"
    if inp.channels not in (1, 3):
        raise ImageError(tr("the model takes {channels}-channel images; only 1 (grey) and 3 (RGB) can be made from an image file",
                            channels=inp.channels))
    if im.mode != mode:
        notes.append(tr("{name}: converted from mode {old} to {new} (grey, as the training data)", name=name, old=im.mode, new=mode)
                     if mode == "L" else
                     tr("{name}: converted from mode {old} to {new} (colour, as the training data)", name=name, old=im.mode, new=mode))
        im = im.convert(mode)
    h, w = inp.size
    if im.size != (w, h):
        notes.append(tr("{name}: resized from {old} to {new} (bilinear, as the training data's size)", name=name,
                        old=f"{im.size[0]}×{im.size[1]}", new=f"{w}×{h}"))
        im = im.resize((w, h), Image.BILINEAR)
    t = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8).reshape(h, w, inp.channels)
    return t.permute(2, 0, 1).contiguous(), notes  # (H, W, C) -> (C, H, W)


def predict(trained: Trained, images: torch.Tensor, *, top_k: int) -> list[list[tuple[str, float]]]:
    """uint8 (B, C, H, W) -> for each image the ``top_k`` (class, probability) pairs, most likely first.
    Uses the same test-time views as the run's evaluation (float32)."""
    mean, std = trained.input.tensors("cpu")
    x = prepare(images, mean, std, device="cpu", channels_last=False)
    out = logits(trained.net, x, flip_tta=trained.config.flip_tta, bf16=False, translate=trained.config.translate_tta, fill=black(mean, std))
    probs = out.softmax(1)
    k = min(top_k, probs.shape[1])
    p, i = probs.topk(k, dim=1)
    return [[(trained.classes[int(c)], float(v)) for v, c in zip(pr, ix)] for pr, ix in zip(p, i)]


def layer_names(net: nn.Module) -> list[str]:
    return [n for n, _ in net.named_modules() if n]


def feature_maps(trained: Trained, image: torch.Tensor, layer: str) -> torch.Tensor:
    """The output of module ``layer`` for one uint8 (C, H, W) image: (channels, h, w)."""
    modules = dict(trained.net.named_modules())
    if layer not in modules or not layer:
        # 0.4, not the core's 0.6: module paths are dotted, and the last part typed alone is far from
        # the whole path ("conv1" ~ "features.conv1" 0.53)
        close = close_names(layer, layer_names(trained.net), n=4, cutoff=0.4)
        if close:
            raise KeyError(tr("{model} has no layer {layer!r}; did you mean {close}?", model=trained.config.model, layer=layer,
                              close=", ".join(close)))
        raise KeyError(tr("{model} has no layer {layer!r}; layers: {names}", model=trained.config.model, layer=layer,
                          names=", ".join(layer_names(trained.net)[:20])))
    captured = []
    handle = modules[layer].register_forward_hook(lambda _m, _i, out: captured.append(out))
    try:
        mean, std = trained.input.tensors("cpu")
        with torch.no_grad():
            trained.net(prepare(image[None], mean, std, device="cpu", channels_last=False))
    finally:
        handle.remove()
    out = captured[0] if captured else None
    if not isinstance(out, torch.Tensor) or out.dim() != 4:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise KeyError(tr("layer {layer!r} outputs {shape}, not a (1, C, H, W) feature map; pick a convolution, norm, activation or "
                          "pool layer", layer=layer, shape=shape))
    return out[0].float()  # (1, C, H, W) -> (C, H, W)


def first_conv(net: nn.Module) -> tuple[str, nn.Conv2d] | None:
    for name, m in net.named_modules():
        if isinstance(m, nn.Conv2d):
            return name, m
    return None


def save_grid(path: Path, maps: torch.Tensor, title: str, *, max_maps: int = 64) -> int:
    """Each (h, w) map of ``maps`` (N, h, w) in its own cell, each scaled to its own min-max; returns how many were drawn."""
    import math

    from .run_folder import pyplot

    plt = pyplot()

    n = min(maps.shape[0], max_maps)
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.3 * rows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(maps[i].numpy(), cmap="gray" if maps.dim() == 3 else None)
            ax.set_title(str(i), fontsize=6)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return n
