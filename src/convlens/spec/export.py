"""Code export: a spec -> the source of a PyTorch ``nn.Module`` or a Keras functional model.

The network is evaluated by the core first, so every argument a spec leaves to the input
(``in_channels``, ``in_features``, ``num_features``) is written out with the value it takes, and
every line of ``forward`` carries the shape it produces. A spec that does not evaluate is refused
with the layer and the reason: exporting a broken network would only move the error.

Generated code is plain text; nothing here imports PyTorch or Keras.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import fields
from enum import StrEnum

from ..core.network import INPUT, NetworkError, NetworkResult
from ._build import Framework, Spec
from ._errors import SpecError

_MERGES_TORCH = {"add", "cat"}
_MERGES_KERAS = {"Add", "Concatenate"}
# arguments a layer takes from its input when a spec leaves them out: argument -> input dimension
_FROM_INPUT = {"in_channels": 1, "in_features": -1, "num_features": 1}


class Target(StrEnum):
    PYTORCH = "pytorch"
    KERAS = "keras"


def export(spec: Spec, to: Target | str) -> str:
    """The source code of ``spec`` for the framework ``to``."""
    to = Target(to)
    result = _evaluate(spec)
    if to is Target.PYTORCH:
        return to_pytorch(spec, result)
    return to_keras(spec, result)


def _evaluate(spec: Spec) -> NetworkResult:
    from . import evaluate

    try:
        return evaluate(spec)
    except NetworkError as exc:
        raise SpecError(f"{exc.reason}; fix it before exporting (convlens check shows the fix)", filename=spec.filename,
                        line=spec.origins[exc.index].line, column=spec.origins[exc.index].column,
                        layer=str(exc).split(": ", 1)[0], index=exc.index) from None


def _identifier(name: str, taken: set) -> str:
    ident = re.sub(r"\W", "_", name).strip("_") or "layer"
    if ident[0].isdigit():
        ident = f"layer{ident}"
    if keyword.iskeyword(ident) or ident in ("x", "self", "inputs", "torch", "nn", "keras", "layers"):
        ident += "_"
    base, k = ident, 1
    while ident in taken:
        k += 1
        ident = f"{base}_{k}"
    taken.add(ident)
    return ident


def _class_name(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    out = "".join(w[:1].upper() + w[1:] for w in words) or "Net"
    return out if out[0].isalpha() else f"Net{out}"


def _arguments(layer, input_shape) -> list[tuple[str, object]]:
    """The layer's non-default arguments in the framework's order, input-derived ones filled in."""
    out = []
    for f in fields(layer):
        if not f.init or f.metadata.get("hidden"):
            continue
        value = getattr(layer, f.name)
        if value is None and f.name in _FROM_INPUT and input_shape is not None:
            value = input_shape[_FROM_INPUT[f.name]]
        if value == f.default and f.name not in _FROM_INPUT:
            continue
        out.append((f.name, value))
    return out


def _call(prefix: str, type_name: str, args) -> str:
    return f"{prefix}{type_name}({', '.join(f'{k}={v!r}' for k, v in args)})"


def _shape_comment(shape, *, keras: bool) -> str:
    dims = ["B" if i == 0 else str(d) for i, d in enumerate(shape)]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _plan(result: NetworkResult):
    """Which outputs need a variable of their own: those read by any layer but the next one, or by several."""
    readers: dict[str, list[int]] = {}
    for n in result.nodes:
        for s in n.inputs:
            readers.setdefault(s, []).append(n.index)
    saved = set()
    for source, who in readers.items():
        position = -1 if source == INPUT else result[source].index
        if len(who) > 1 or who[0] != position + 1:
            saved.add(source)
    return saved


def to_pytorch(spec: Spec, result: NetworkResult | None = None) -> str:
    """A runnable module file: ``class Net(nn.Module)``, ``build_model()`` and a ``__main__`` check."""
    if spec.framework is not Framework.PYTORCH:
        raise SpecError(f"the spec follows the {spec.framework} convention; export it --to keras (a PyTorch export needs a pytorch spec)", filename=spec.filename)
    result = result or _evaluate(spec)
    cls = _class_name(spec.name)
    taken: set = set()
    saved = _plan(result)
    var = {INPUT: "inputs" if INPUT in saved else "x"}
    init, forward = [], []
    for n in result.nodes:
        layer = n.layer
        args = [v for v in n.inputs]
        in_vars = [var[s] for s in args]
        out_shape = _shape_comment(n.result.output_shape, keras=False)
        name = n.name if not n.name.isdigit() else f"{layer.type_name.lower()}{n.name}"
        ident = _identifier(name, taken)
        target = ident if n.name in saved else "x"
        var[n.name] = target
        if layer.type_name == "add":
            expr = " + ".join(in_vars)
        elif layer.type_name == "cat":
            expr = f"torch.cat([{', '.join(in_vars)}], dim={layer.dim})"
        else:
            init.append(f"        self.{ident} = " + _call("nn.", layer.type_name, _arguments(layer, n.result.input_shape)))
            expr = f"self.{ident}({in_vars[0]})"
        forward.append(f"        {target} = {expr}  # -> {out_shape}")
    last = var[result.nodes[-1].name]
    shape = tuple(spec.input_shape)
    lines = [
        f'"""{spec.name}: generated by `convlens export --to pytorch` from {spec.filename}.',
        "",
        f"{result.params:,} parameters, {result.macs:,} MACs on an input of {shape} (convlens core).",
        '"""',
        "",
        "import torch",
        "import torch.nn as nn",
        "",
        f"INPUT_SHAPE = {shape!r}",
        "",
        "",
        f"class {cls}(nn.Module):",
        "    def __init__(self):",
        "        super().__init__()",
        *(init or ["        pass"]),
        "",
        f"    def forward(self, {var[INPUT]}: torch.Tensor) -> torch.Tensor:",
        *forward,
        f"        return {last}",
        "",
        "",
        f"def build_model() -> {cls}:",
        f"    return {cls}()",
        "",
        "",
        'if __name__ == "__main__":',
        "    model = build_model()",
        "    out = model(torch.randn(INPUT_SHAPE))",
        '    print(f"{sum(p.numel() for p in model.parameters()):,} parameters; output {tuple(out.shape)}")',
        "",
    ]
    return "\n".join(lines)


def to_keras(spec: Spec, result: NetworkResult | None = None) -> str:
    """A runnable Keras 3 file: ``build_model()`` with the functional API and a ``__main__`` summary."""
    if spec.framework is not Framework.KERAS:
        raise SpecError(f"the spec follows the {spec.framework} convention (channels first); export it --to pytorch, "
                        "or write it with framework: keras (channels last) to export Keras code", filename=spec.filename)
    result = result or _evaluate(spec)
    taken: set = set()
    saved = _plan(result)
    var = {INPUT: "inputs"}
    body = []
    for n in result.nodes:
        layer = n.layer
        in_vars = [var[s] for s in n.inputs]
        name = n.name if not n.name.isdigit() else f"{layer.type_name.lower()}_{n.name}"
        ident = _identifier(name, taken)
        target = ident if n.name in saved else "x"
        var[n.name] = target
        call = _call("layers.", layer.type_name, _arguments(layer, n.result.input_shape) + [("name", ident)])
        arg = f"[{', '.join(in_vars)}]" if layer.type_name in _MERGES_KERAS else in_vars[0]
        body.append(f"    {target} = {call}({arg})  # -> {_shape_comment(n.result.output_shape, keras=True)}")
    shape = tuple(spec.input_shape)
    lines = [
        f'"""{spec.name}: generated by `convlens export --to keras` from {spec.filename}.',
        "",
        f"{result.params:,} parameters ({result.trainable_params:,} trainable, {result.non_trainable_params:,} non-trainable), "
        f"{result.macs:,} MACs (convlens core).",
        '"""',
        "",
        "import keras",
        "from keras import layers",
        "",
        "",
        "def build_model() -> keras.Model:",
        f"    inputs = keras.Input(shape={shape[1:]!r}, batch_size={shape[0]!r})",
        *body,
        f"    return keras.Model(inputs, {var[result.nodes[-1].name]}, name={_identifier(spec.name, set())!r})",
        "",
        "",
        'if __name__ == "__main__":',
        "    build_model().summary()",
        "",
    ]
    return "\n".join(lines)
