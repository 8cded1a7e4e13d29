"""`convlens features CHECKPOINT IMAGE --layer NAME`: a layer's feature maps and the first conv's filters, as images."""

from __future__ import annotations

from pathlib import Path

from ..i18n import tr
from ._common import UsageError
from ._train_common import needs_torch


def register(sub) -> None:
    p = sub.add_parser("features", help=tr("draw a layer's feature maps for an image, and the first convolution's filters"),
                       description=tr("Run one image through a trained checkpoint and draw the output channels of --layer as a grid "
                                      "(each scaled to its own range), plus the filters of the first Conv2d."))
    p.add_argument("checkpoint", metavar="CHECKPOINT", help=tr("a run folder or its checkpoint.pt"))
    p.add_argument("image", metavar="IMAGE", help=tr("an image file; converted like the training data"))
    p.add_argument("--layer", default=None, metavar="NAME", help=tr("module name, e.g. group1.conv1 (default: the first Conv2d); --layer list prints them"))
    p.add_argument("-o", "--output", default=".", metavar="DIR", help=tr("folder for the PNG files (default: current folder)"))
    p.add_argument("--max-maps", type=int, default=64, metavar="N", help=tr("draw at most N channels (default %(default)s)"))
    p.set_defaults(run=run)


def run(args) -> int:
    with needs_torch():
        from ..train.inference import feature_maps, first_conv, layer_names, load_trained, read_image, save_grid

        t = load_trained(args.checkpoint)
        if args.layer == "list":
            for name in layer_names(t.net):
                print(name)
            return 0
        conv = first_conv(t.net)
        layer = args.layer or (conv[0] if conv else None)
        if layer is None:
            raise UsageError(tr("{model} has no Conv2d; name a layer with --layer (--layer list prints them)", model=t.config.model))
        img, notes = read_image(args.image, t.input)
        try:
            maps = feature_maps(t, img, layer)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from None
    for n in notes:
        print(tr("note: {note}", note=n))
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(args.image).stem
    fm = out / f"features-{stem}-{layer.replace('.', '_')}.png"
    size = f"{maps.shape[1]}×{maps.shape[2]}"
    drawn = save_grid(fm, maps, tr("{layer}: {n} channels of {size} for {image}", layer=layer, n=maps.shape[0], size=size, image=Path(args.image).name),
                      max_maps=args.max_maps)
    print(tr("wrote {path}: {drawn} of {n} channels of {layer}, each {size}", path=fm, drawn=drawn, n=maps.shape[0], layer=layer, size=size))
    if conv is not None:
        name, m = conv
        w = m.weight.detach().float()  # (out, in, kh, kw)
        if w.shape[1] == 3:  # colour filters drawn as RGB, each scaled to 0-1
            lo = w.amin(dim=(1, 2, 3), keepdim=True)
            hi = w.amax(dim=(1, 2, 3), keepdim=True)
            grid = ((w - lo) / (hi - lo).clamp(min=1e-12)).permute(0, 2, 3, 1)  # (out, 3, kh, kw) -> (out, kh, kw, 3)
        else:
            grid = w[:, 0]  # (out, in, kh, kw) -> (out, kh, kw): the first input channel's kernels
        ff = out / f"filters-{name.replace('.', '_')}.png"
        kernel = f"{w.shape[2]}×{w.shape[3]}"
        title = (tr("{layer}: {n} filters of {kernel}", layer=name, n=w.shape[0], kernel=kernel) if w.shape[1] in (1, 3) else
                 tr("{layer}: {n} filters of {kernel} (input channel 0 of {channels})", layer=name, n=w.shape[0], kernel=kernel, channels=w.shape[1]))
        drawn = save_grid(ff, grid, title, max_maps=args.max_maps)
        print(tr("wrote {path}: {drawn} of {n} filters of {layer}, each {kernel}", path=ff, drawn=drawn, n=w.shape[0], layer=name, kernel=kernel))
    return 0
