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
from collections.abc import Callable

from ..core.framework import Framework
from ..core.network import INPUT, NetworkError, NetworkResult
from ..core.window import effective_kernels, same_pads_statically
from ._build import Spec
from ..i18n import language, tr
from ._errors import SpecError

_MERGES_KERAS = {"Add", "Concatenate"}


def export(spec: Spec, to: Framework | str, *, lang: str | None = None) -> str:
    """The source code of ``spec`` for the framework ``to`` (``Framework.TORCH``, or ``"pytorch"``/``"keras"``);
    its comments in ``lang`` (the code is the same in every language)."""
    with language(lang):
        return _export(spec, to)


def _export(spec: Spec, to) -> str:
    to = Framework.parse(to, what=tr("export to"))
    result = _evaluate(spec)
    if to is Framework.TORCH:
        return to_pytorch(spec, result)
    return to_keras(spec, result)


def _evaluate(spec: Spec) -> NetworkResult:
    from . import evaluate

    try:
        return evaluate(spec)
    except NetworkError as exc:
        raise SpecError(tr("{reason}; fix it before exporting (convlens check shows the fix)", reason=exc.reason), filename=spec.filename,
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


def _call(prefix: str, type_name: str, args) -> str:
    return f"{prefix}{type_name}({', '.join(f'{k}={v!r}' for k, v in args)})"


def _shape_comment(shape) -> str:
    """``(B, 32, 28, 28)``: the batch written B."""
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
    if spec.framework is not Framework.TORCH:
        raise SpecError(tr("the spec follows the {framework} convention; export it --to keras (a PyTorch export needs a pytorch spec)",
                           framework=spec.framework.word), filename=spec.filename)
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
        out_shape = _shape_comment(n.result.output_shape)
        name = n.name if not n.name.isdigit() else f"{layer.type_name.lower()}{n.name}"
        ident = _identifier(name, taken)
        target = ident if n.name in saved else "x"
        var[n.name] = target
        if layer.type_name == "add":
            expr = " + ".join(in_vars)
        elif layer.type_name == "cat":
            expr = f"torch.cat([{', '.join(in_vars)}], dim={layer.dim})"
        else:
            init.append(f"        self.{ident} = " + _call("nn.", layer.type_name, layer.arguments(input_shape=n.result.input_shape).items()))
            expr = f"self.{ident}({in_vars[0]})"
        forward.append(f"        {target} = {expr}  # -> {out_shape}")
    last = var[result.nodes[-1].name]
    shape = tuple(spec.input_shape)
    lines = [
        '"""' + tr("{name}: generated by `convlens export --to pytorch` from {file}.", name=spec.name, file=spec.filename),
        "",
        tr("{params} parameters, {macs} MACs on an input of {shape} (convlens core).", params=f"{result.params:,}",
           macs=f"{result.macs:,}", shape=shape),
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
    """A runnable Keras 3 file: ``build_model()`` with the functional API and a ``__main__`` summary.

    A Keras spec is written layer for layer. A PyTorch spec is translated to Keras layers with
    ``data_format='channels_first'`` (``_from_torch``): every output shape is the spec's, and the
    parameters are the spec's plus BatchNorm's running statistics, which Keras counts as
    non-trainable parameters (PyTorch keeps them as buffers).
    """
    result = result or _evaluate(spec)
    torch_spec = spec.framework is Framework.TORCH
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
        if torch_spec:
            calls = _from_torch(spec, n)
        else:
            calls = [(layer.type_name, list(layer.arguments(input_shape=n.result.input_shape).items()), None)]
        arg = f"[{', '.join(in_vars)}]" if calls[-1][0] in _MERGES_KERAS else in_vars[0]
        for k, (type_name, args, note) in enumerate(calls):
            last = k == len(calls) - 1
            layer_name = ident if last else _identifier(f"{ident}_{type_name.lower()}", taken)
            comment = f"  # {note}" if note else ""
            if last:
                comment = f"  # -> {_shape_comment(n.result.output_shape)}" + (f"; {note}" if note else "")
            body.append(f"    {target if last else 'x'} = {_call('layers.', type_name, list(args) + [('name', layer_name)])}({arg}){comment}")
            arg = "x"
    shape = tuple(spec.input_shape)
    if torch_spec:
        counted = tr("{total} Keras parameters = the spec's {params} + {statistics} BatchNorm running statistics (non-trainable in "
                     "Keras, buffers in PyTorch); {macs} MACs (convlens core). Channels first, as the PyTorch spec.",
                     total=f"{result.params + _bn_statistics(result):,}", params=f"{result.params:,}",
                     statistics=f"{_bn_statistics(result):,}", macs=f"{result.macs:,}")
    else:
        counted = tr("{params} parameters ({trainable} trainable, {frozen} non-trainable), {macs} MACs (convlens core).",
                     params=f"{result.params:,}", trainable=f"{result.trainable_params:,}",
                     frozen=f"{result.non_trainable_params:,}", macs=f"{result.macs:,}")
    lines = [
        '"""' + tr("{name}: generated by `convlens export --to keras` from {file}.", name=spec.name, file=spec.filename),
        "",
        counted,
        '"""',
        "",
        "import keras",
        "from keras import layers",
        "",
        "",
        "def build_model() -> keras.Model:",
        f"    inputs = keras.Input(shape={shape[1:]!r}, batch_size={shape[0]!r})" + ("  # " + tr("channels first") if torch_spec else ""),
        *body,
        f"    return keras.Model(inputs, {var[result.nodes[-1].name]}, name={_identifier(spec.name, set())!r})",
        "",
        "",
        'if __name__ == "__main__":',
        "    build_model().summary()",
        "",
    ]
    return "\n".join(lines)


# --- PyTorch layers as Keras layers ------------------------------------------------------------
_CF = ("data_format", "channels_first")
# PyTorch activation modules (default arguments) -> the Keras activation computing the same function
_ACTIVATIONS = {"ReLU": "relu", "ReLU6": "relu6", "GELU": "gelu", "SiLU": "silu", "Sigmoid": "sigmoid", "Tanh": "tanh", "ELU": "elu",
                "Mish": "mish", "Hardswish": "hard_swish", "Hardsigmoid": "hard_sigmoid", "Softplus": "softplus", "Identity": "linear"}


def _bn_statistics(result: NetworkResult) -> int:
    """BatchNorm running mean and variance: 2 × features per BatchNorm (``num_batches_tracked`` is not counted)."""
    return sum(2 * n.layer.num_features for n in result.nodes if n.layer.type_name.startswith("BatchNorm"))


def _pair(value, n: int = 2) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _simple(pair: tuple):
    """``(3, 3)`` -> 3: Keras reads both the same."""
    return pair[0] if len(set(pair)) == 1 else pair


def _from_torch(spec: Spec, node) -> list[tuple[str, list, str | None]]:
    """The Keras layers (type, arguments, note) that compute what one PyTorch spec layer computes, channels first."""
    layer, kind = node.layer, node.layer.type_name

    def refuse(why: str):
        raise SpecError(tr("{layer}: {reason}; export this spec --to pytorch", reason=why,
                           layer=tr("layer {index} '{name}' ({type})", index=node.index, name=node.name, type=kind)),
                        filename=spec.filename,
                        line=spec.origins[node.index].line, column=spec.origins[node.index].column)

    translate = TO_KERAS.get(kind)
    if translate is None:
        refuse(tr("{type} has no Keras translation in convlens yet", type=kind))
    return translate(layer, node.result.input_shape, refuse)


# PyTorch layer type -> translate(layer, input shape, refuse) -> [(Keras type, arguments, note)], filled below
TO_KERAS: dict[str, Callable] = {}


def _translates(*kinds: str):
    def register(translate):
        TO_KERAS.update(dict.fromkeys(kinds, translate))
        return translate
    return register


def _zero_padding(padding) -> list:
    pads = _pair(padding)
    return [] if not any(pads) else [("ZeroPadding2D", [("padding", pads if pads[0] != pads[1] else pads[0]), _CF], None)]


@_translates("Conv2d")
def _conv2d(layer, shape, refuse):
    kernel, stride, dilation = _pair(layer.kernel_size), _pair(layer.stride), _pair(layer.dilation)
    centred = tuple((e - 1) // 2 for e in effective_kernels(kernel, dilation))
    if isinstance(layer.padding, str):
        pad, mode = [], layer.padding
    elif all(map(same_pads_statically, kernel, stride, dilation)) and _pair(layer.padding) == centred and any(centred):
        pad, mode = [], "same"  # stride 1, odd window, padding (k'−1)/2: Keras's 'same' pads exactly the same
    else:
        pad, mode = _zero_padding(layer.padding), "valid"
    if layer.padding_mode != "zeros":
        refuse(tr("{setting} has no Keras equivalent", setting=f"padding_mode={layer.padding_mode!r}"))
    args = [("filters", layer.out_channels), ("kernel_size", _simple(kernel)), ("strides", _simple(stride)), ("padding", mode), _CF,
            ("dilation_rate", _simple(dilation)), ("groups", layer.groups), ("use_bias", layer.bias)]
    defaults = {"strides": 1, "padding": "valid", "dilation_rate": 1, "groups": 1, "use_bias": True}
    return pad + [("Conv2D", [(k, v) for k, v in args if defaults.get(k, object()) != v], None)]


@_translates("BatchNorm1d", "BatchNorm2d")
def _batch_norm(layer, shape, refuse):
    if not layer.affine or not layer.track_running_stats:
        refuse(tr("only affine BatchNorm with running statistics has a Keras equivalent"))
    return [("BatchNormalization", [("axis", 1), ("epsilon", layer.eps), ("momentum", round(1 - layer.momentum, 10))], None)]


@_translates("MaxPool2d", "AvgPool2d")
def _pool2d(layer, shape, refuse):
    kind = layer.type_name
    kernel = _pair(layer.kernel_size)
    stride = kernel if layer.stride is None else _pair(layer.stride)
    if _pair(getattr(layer, "dilation", 1)) != (1, 1):
        refuse(tr("a dilated pooling window has no Keras equivalent"))
    mode = "valid"
    if layer.ceil_mode:  # ceil((in - k) / k) + 1 = ceil(in / k): Keras's 'same' when the windows tile the input
        if stride != kernel or any(_pair(layer.padding)):
            refuse(tr("{setting} has a Keras equivalent ('same') only with {condition} and no padding", setting="ceil_mode=True",
                      condition="stride = kernel_size"))
        mode = "same"
    if kind == "AvgPool2d" and any(_pair(layer.padding)) and not layer.count_include_pad:
        refuse(tr("count_include_pad=False with padding has no Keras equivalent"))
    note = tr("zero padding: PyTorch pads a max-pool with -inf; the shapes are the same, and so are the values after a ReLU") \
        if kind == "MaxPool2d" and any(_pair(layer.padding)) else None
    pool = "MaxPooling2D" if kind == "MaxPool2d" else "AveragePooling2D"
    args = [("pool_size", _simple(kernel)), ("strides", _simple(stride))] + ([("padding", mode)] if mode != "valid" else []) + [_CF]
    return _zero_padding(layer.padding) + [(pool, args, note)]


@_translates("AdaptiveAvgPool2d")
def _adaptive_avg_pool2d(layer, shape, refuse):
    out = _pair(layer.output_size)
    if out == (1, 1):
        return [("GlobalAveragePooling2D", [_CF, ("keepdims", True)], None)]
    size = shape[2:]
    if all(o and s % o == 0 for s, o in zip(size, out)):
        window = tuple(s // o for s, o in zip(size, out))
        return [("AveragePooling2D", [("pool_size", window), ("strides", window), _CF], tr("the input divides evenly: equal windows"))]
    refuse(tr("{setting} does not divide the input {shape} into equal windows", setting=f"output_size={layer.output_size}",
                 shape=tuple(size)))


@_translates("Flatten")
def _flatten(layer, shape, refuse):
    if layer.start_dim != 1 or layer.end_dim != -1:
        refuse(tr("only Flatten(start_dim=1) has a Keras equivalent"))
    return [("Flatten", [], tr("no data_format: flattens in PyTorch's (C, H, W) order"))]


@_translates("Softmax")
def _softmax(layer, shape, refuse):
    if layer.dim not in (-1, len(shape) - 1):
        refuse(tr("{setting} is not the last axis; Keras's softmax activation works on the last axis", setting=f"dim={layer.dim}"))
    return [("Activation", [("activation", "softmax")], None)]


def _one_layer(keras_type: str, arguments: Callable) -> Callable:
    """A translation to one Keras layer whose arguments are read off the PyTorch layer."""
    return lambda layer, shape, refuse: [(keras_type, arguments(layer), None)]


TO_KERAS.update({
    "Linear": _one_layer("Dense", lambda layer: [("units", layer.out_features), ("use_bias", layer.bias)]),
    "Dropout": _one_layer("Dropout", lambda layer: [("rate", layer.p)]),
    "Dropout2d": _one_layer("Dropout", lambda layer: [("rate", layer.p)]),
    "LeakyReLU": _one_layer("LeakyReLU", lambda layer: [("negative_slope", layer.negative_slope)]),
    "add": _one_layer("Add", lambda layer: []),
    "cat": _one_layer("Concatenate", lambda layer: [("axis", layer.dim)]),
    **dict.fromkeys(_ACTIVATIONS, _one_layer("Activation", lambda layer: [("activation", _ACTIVATIONS[layer.type_name])])),
})
