"""Layers written as code, exactly as in a PyTorch or Keras script, read into core layers.

Accepted, one layer call per string::

    Conv2d(1, 32, 3, padding=1)                 nn.Conv2d(1, 32, kernel_size=3)
    Conv2d(out_channels=32, kernel_size=3)      # in_channels taken from the input
    Linear(128*3*3, 512)                        # integer arithmetic: + - * // % **
    self.fc1 = nn.Linear(1152, 512)             # the assigned name becomes the layer's name
    layers.Conv2D(75, (3,3), padding='same', activation='relu', input_shape=(28,28,1))
    model.add(layers.MaxPooling2D((2, 2)))      # Keras' Sequential.add is unwrapped
    keras.Input(shape=(28, 28, 1))              # sets the input, adds no layer

Text is parsed with ``ast`` and only literals, tuples/lists and integer arithmetic are accepted;
nothing is ever evaluated as Python. The layer's name is looked up in ``core.LAYERS`` (the last
part of a dotted name: ``tf.keras.layers.Conv2D`` -> ``Conv2D``).

``chain_summary(texts, input_shape)`` reads a chain of layer calls into a ``record.Summary``;
``network_summary(nodes, input_shape)`` does the same for core ``Node``\\ s (a small graph with
merges). Both end in ``frontends.build``, the one builder of the record; no formula lives here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, fields

from ..core import KERAS_ALIASES, LAYERS, Layer, LayerError, layer as build_layer
from ..core.keras_conventions import KERAS_IGNORED
from ..core.framework import Framework
from ..core.network import Node, evaluate
from ..i18n import language, tr
from ..record import Summary
from .build import summary_of_network
_MAX_POWER = 64  # largest exponent accepted in "2**k" (keeps a typo from building a huge number)
MAX_TEXT = 1_000  # characters of one call or value: Python's parser recurses on long expressions ('9*9*...*9')
MAX_MAGNITUDE = 10**40  # arithmetic results are whole sizes: larger is a typo, and past 4,300 digits Python cannot print it
_INPUT_CALLS = ("Input", "InputLayer")  # Keras calls that declare the input instead of a layer


class ParseError(LayerError):
    """A layer call that cannot be read; the message quotes the text and says what would work."""

    def __init__(self, text: str, message: str):
        shown = repr(text) if len(text) <= 80 else repr(tr("{start}… ({n} characters)", start=text[:60], n=f"{len(text):,}"))
        ValueError.__init__(self, tr("cannot read {text}: {reason}", text=shown, reason=message))
        self.layer = text
        self.argument = "text"
        self.reason = message  # what is wrong, without the quoted text


@dataclass(frozen=True, slots=True)
class LayerCall:
    """One parsed call: the layer's class name and its arguments as Python values."""

    text: str  # as written
    name: str  # "Conv2d"
    args: tuple
    kwargs: tuple[tuple[str, object], ...]
    target: str | None = None  # "fc1" in "self.fc1 = nn.Linear(...)"


@dataclass(frozen=True, slots=True)
class ParsedLayer:
    """A layer call turned into a core layer, with what the call said about the input."""

    call: LayerCall
    layer: Layer | None  # None for an Input declaration
    name: str | None  # Keras name= or the assignment target
    input_shape: tuple | None  # from Keras input_shape=/input_dim=/Input(shape=), batch included (None)


# ---------------------------------------------------------------------------------------
# reading text
# ---------------------------------------------------------------------------------------
def parse_call(text: str) -> LayerCall:
    """Parse one layer call written as in PyTorch or Keras code; nothing is evaluated.

    >>> c = parse_call("nn.Linear(128*3*3, 512)")
    >>> c.name, c.args
    ('Linear', (1152, 512))
    >>> parse_call("self.conv1 = nn.Conv2d(1, 32, kernel_size=3, padding=1)").kwargs
    (('kernel_size', 3), ('padding', 1))
    """
    source = text.strip().rstrip(",;").strip()
    if not source:
        raise ParseError(text, tr("the text is empty; write a layer call such as Conv2d(1, 32, 3, padding=1)"))
    try:
        tree = _parse(source, "exec", text)
    except SyntaxError as exc:
        raise ParseError(text, tr("not valid Python: {error}; write a call such as Conv2d(1, 32, 3, padding=1)", error=exc.msg)) from None
    if len(tree.body) != 1:
        raise ParseError(text, tr("write one layer call per argument, e.g. \"Conv2d(1, 32, 3)\" \"ReLU()\""))
    stmt = tree.body[0]
    target = None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = _dotted(stmt.targets[0])
        target = target.rsplit(".", 1)[-1] if target else None
        expr = stmt.value
    elif isinstance(stmt, ast.Expr):
        expr = stmt.value
    else:
        raise ParseError(text, tr("expected a layer call such as Conv2d(1, 32, 3, padding=1)"))
    if not isinstance(expr, ast.Call):
        raise ParseError(text, tr("expected a layer call with brackets, e.g. ReLU() rather than ReLU"))
    func = _dotted(expr.func)
    # model.add(layers.Conv2D(...)): Keras' Sequential.add wraps the layer call
    if func and func.endswith(".add") and len(expr.args) == 1 and isinstance(expr.args[0], ast.Call) and not expr.keywords:
        expr = expr.args[0]
        func = _dotted(expr.func)
    if not func:
        raise ParseError(text, tr("the called name must be a layer class such as Conv2d or nn.Conv2d"))
    args = tuple(_evaluate(a, text) for a in expr.args)
    kwargs = []
    for kw in expr.keywords:
        if kw.arg is None:
            raise ParseError(text, tr("**kwargs cannot be read; write every argument out"))
        kwargs.append((kw.arg, _evaluate(kw.value, text)))
    return LayerCall(text, func.rsplit(".", 1)[-1], args, tuple(kwargs), target)


def parse_value(text: str):
    """A command-line option value: ``'3'`` -> 3, ``'3,5'`` -> (3, 5), ``'same'`` -> 'same',
    ``'false'`` -> False, ``'none'`` -> None, ``'128*3*3'`` -> 1152.

    >>> parse_value("3,5"), parse_value("same"), parse_value("false"), parse_value("1e-5")
    ((3, 5), 'same', False, 1e-05)
    """
    raw = text.strip()
    words = {"true": True, "false": False, "none": None}
    if raw.lower() in words:
        return words[raw.lower()]
    try:
        tree = _parse(raw, "eval", text)
    except SyntaxError:
        return raw
    if isinstance(tree.body, ast.Name):  # a bare word: padding same, padding_mode reflect
        return raw
    return _evaluate(tree.body, text)


def _parse(source: str, mode: str, text: str) -> ast.AST:
    """``ast.parse`` of a call or value no longer than ``MAX_TEXT``; deep nesting is a ParseError."""
    if len(source) > MAX_TEXT:
        raise ParseError(text, tr("{n} characters; a layer call or a value has at most {most}", n=f"{len(source):,}", most=f"{MAX_TEXT:,}"))
    try:
        return ast.parse(source, mode=mode)
    except (RecursionError, MemoryError):
        raise ParseError(text, tr("nested too deeply; write the value out (e.g. 1152 instead of a long product)")) from None


def _evaluate(node, text):
    """``_value`` of a parsed expression; one nested too deeply for Python's stack is a ParseError."""
    try:
        return _value(node, text)
    except RecursionError:
        raise ParseError(text, tr("nested too deeply; write the value out (e.g. 1152 instead of a long product)")) from None


def _dotted(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value)
        return f"{owner}.{node.attr}" if owner else None
    return None


_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a**b,
}


def _value(node, text):
    """A literal, a tuple/list of literals, or integer arithmetic over them; anything else is refused."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float, str, bool)) or node.value is None:
            return node.value
        raise ParseError(text, tr("{value} is not a number, string, True/False or None", value=repr(node.value)))
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_value(e, text) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _value(node.operand, text)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ParseError(text, tr("a sign needs a number, got {value}", value=repr(v)))
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Div):
            raise ParseError(text, tr("'/' gives a float in Python ({expr} = {value}); use '//' for whole sizes", expr=ast.unparse(node),
                                     value=_int_operands(node, text, "/")))
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise ParseError(text, tr("only + - * // % ** are allowed in sizes, got {expr}", expr=repr(ast.unparse(node))))
        a, b = _value(node.left, text), _value(node.right, text)
        for v in (a, b):
            if isinstance(v, bool) or not isinstance(v, int):
                raise ParseError(text, tr("arithmetic is for whole numbers, got {expr}", expr=repr(ast.unparse(node))))
        if isinstance(node.op, (ast.FloorDiv, ast.Mod)) and b == 0:
            raise ParseError(text, tr("division by zero in {expr}", expr=repr(ast.unparse(node))))
        if isinstance(node.op, ast.Pow) and not 0 <= b <= _MAX_POWER:
            raise ParseError(text, tr("exponent {b} in {expr} is out of range 0..{most}", b=b, expr=repr(ast.unparse(node)), most=_MAX_POWER))
        result = op(a, b)
        if abs(result) > MAX_MAGNITUDE:
            raise ParseError(text, tr("{expr} is larger than 10**40; sizes are whole numbers far below that", expr=repr(ast.unparse(node)[:60])))
        return result
    if isinstance(node, ast.Name):
        raise ParseError(text, tr("{name} is a variable, and convlens does not run your code; write its value (e.g. 32 instead of {id})",
                                     name=repr(node.id), id=node.id))
    if isinstance(node, ast.Call):
        raise ParseError(text, tr("{expr} inside the arguments cannot be read; write one layer per argument", expr=repr(ast.unparse(node))))
    raise ParseError(text, tr("{expr} cannot be read; use numbers, strings, tuples and + - * // arithmetic", expr=repr(ast.unparse(node))))


def _int_operands(node, text, op) -> str:
    a, b = _value(node.left, text), _value(node.right, text)
    try:
        return repr(a / b)
    except (TypeError, ZeroDivisionError):
        return "?"


def parse_layer(text: str, *, framework: Framework = Framework.TORCH) -> ParsedLayer:
    """Parse one call into a core layer.

    >>> p = parse_layer("layers.Conv2D(75, (3,3), padding='same', activation='relu', input_shape=(28,28,1))")
    >>> p.layer.type_name, p.input_shape
    ('Conv2D', (None, 28, 28, 1))
    """
    call = parse_call(text)
    kwargs = dict(call.kwargs)
    name = call.target
    if call.name in _INPUT_CALLS and call.name not in LAYERS:
        shape = kwargs.get("shape", call.args[0] if call.args else None)
        batch = kwargs.get("batch_size")
        if not isinstance(shape, tuple):
            raise ParseError(text, tr("Input needs shape=(height, width, channels), e.g. keras.Input(shape=(28, 28, 1))"))
        return ParsedLayer(call, None, kwargs.get("name") if isinstance(kwargs.get("name"), str) else None, (batch,) + shape)
    cls = (KERAS_ALIASES.get(call.name) if framework is Framework.KERAS else None) or LAYERS.get(call.name)
    input_shape = None
    if cls is not None and cls.framework is Framework.KERAS:
        if "input_shape" in kwargs:
            shape = kwargs["input_shape"]
            shape = shape if isinstance(shape, tuple) else (shape,)
            input_shape = (None,) + shape  # Keras' input_shape leaves the batch out
        elif "input_dim" in kwargs:
            input_shape = (None, kwargs["input_dim"])
        if isinstance(kwargs.get("name"), str):
            name = kwargs["name"]
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in kwargs.items() if k in known or k not in KERAS_IGNORED}
    return ParsedLayer(call, build_layer(call.name, *call.args, framework=framework, **kwargs), name, input_shape)


def parse_chain(texts) -> tuple[list[ParsedLayer], tuple | None]:
    """Parse every call; return the layers and the input shape the calls declare (or None)."""
    parsed = [parse_layer(t) for t in texts]
    if any(p.layer is not None and p.layer.framework is Framework.KERAS for p in parsed):
        # a Keras chain: names both frameworks use (Flatten, ReLU, Softmax, ...) mean the Keras layer
        parsed = [parse_layer(t, framework=Framework.KERAS) if p.call.name in KERAS_ALIASES else p for t, p in zip(texts, parsed)]
    declared = next((p.input_shape for p in parsed if p.input_shape is not None), None)
    return [p for p in parsed if p.layer is not None], declared


def with_batch(layers: list[Layer], shape: tuple) -> tuple[tuple, str | None]:
    """Add the batch dimension the first windowed layer expects when ``shape`` lacks it:
    1 for PyTorch (``1x28x28`` -> ``(1, 1, 28, 28)``; an unbatched input would make ``Flatten``
    keep the channels apart), ``None`` for Keras (``28x28x1`` -> ``(None, 28, 28, 1)``).
    Returns the shape and a note saying what was assumed, or None.
    """
    first = next((layer for layer in layers if isinstance(getattr(type(layer), "n", None), int)), None)
    shape = tuple(shape)
    keras = bool(layers) and layers[0].framework is Framework.KERAS
    if first is not None and len(shape) == type(first).n + 1 and (not shape or shape[0] is not None):
        batch = None if first.framework is Framework.KERAS else 1
        return (batch,) + shape, tr("input {shape} has no batch dimension; evaluated as {batched}", shape=_fmt(shape),
                                    batched=_fmt((batch,) + shape))
    if keras and first is None and shape and shape[0] is not None:
        return (None,) + shape, tr("input {shape} read as Keras' input_shape (no batch); evaluated as {batched}", shape=_fmt(shape),
                                   batched=_fmt((None,) + shape))
    return shape, None


def _fmt(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


# ---------------------------------------------------------------------------------------
# front ends: each ends in a Summary
# ---------------------------------------------------------------------------------------
def chain_summary(texts, input_shape=None, *, title: str | None = None, lang: str | None = None) -> Summary:
    """A chain of layer calls on ``input_shape`` (or the shape a Keras call declares), its notes in ``lang``.

    A layer that fails raises ``NetworkError`` naming it (index, name, type) and saying why.
    """
    with language(lang):
        return _chain_summary(texts, input_shape, title=title)


def _chain_summary(texts, input_shape, *, title) -> Summary:
    parsed, declared = parse_chain(texts)
    if not parsed:
        raise ParseError(" ".join(texts), tr("no layer to evaluate; add a layer call such as Conv2d(1, 32, 3)"))
    layers = [p.layer for p in parsed]
    notes = []
    if input_shape is None:
        if declared is None:
            raise ParseError(parsed[0].call.text, tr("the input shape is unknown; give it (--input 1x1x28x28) or write input_shape=(28, 28, 1) in the first Keras layer"))
        shape = declared
    else:
        shape, note = with_batch(layers, input_shape)
        if note:
            notes.append(note)
        if declared is not None and tuple(declared[1:]) != tuple(shape[1:]):
            notes.append(tr("the layers declare input_shape {declared}; the given input {shape} was used", declared=_fmt(declared),
                            shape=_fmt(shape)))
    nodes = [Node(p.layer, p.name) for p in parsed]
    codes = [p.call.text.strip() for p in parsed]
    return network_summary(nodes, shape, title=title or tr("layer chain"), notes=notes, codes=codes)


def network_summary(nodes, input_shape, *, title: str = "network", notes=(), codes=None) -> Summary:
    """Core nodes (``core.network.Node`` or bare layers) evaluated on ``input_shape``."""
    return summary_of_network(evaluate(nodes, input_shape), title=title, notes=notes, codes=codes)


__all__ = [
    "LayerCall", "ParseError", "ParsedLayer", "chain_summary", "network_summary", "parse_call",
    "parse_chain", "parse_layer", "parse_value", "with_batch",
]
