"""`convlens export net.yaml --to pytorch|keras`: a spec as runnable model source code."""

from __future__ import annotations

from ..core.framework import USER_FRAMEWORKS
from ..i18n import tr


def register(sub) -> None:
    p = sub.add_parser("export", help=tr("write a spec file as PyTorch or Keras source code"),
                       description=tr("Evaluate a spec (YAML/JSON) with the convlens core and write it as a runnable PyTorch "
                                      "nn.Module file or a Keras functional model, every shape in a comment. "
                                      "A spec whose shapes do not fit is refused with the layer and the fix."))
    p.add_argument("spec", metavar="SPEC", help=tr("a spec file: net.yaml, net.yml or net.json"))
    p.add_argument("--to", required=True, choices=[f.word for f in USER_FRAMEWORKS], help=tr("the framework of the code"))
    p.add_argument("-o", "--output", metavar="FILE", help=tr("write to FILE instead of standard output"))
    p.set_defaults(run=run)


def run(args) -> int:
    from .. import design
    from ._zoo_spec import write
    from ..design.export import export

    text = export(design.load(args.spec), args.to)
    write(text, args.output)
    return 0
