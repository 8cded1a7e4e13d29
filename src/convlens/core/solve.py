"""Which kernel, stride, padding and dilation map an input size to an output size?

``solve("Conv2d", 224, 112)`` tries every window configuration within sensible bounds and keeps
those for which the *layer itself* (its class in ``LAYERS``, hence the framework's own formula
and validity rules) gives exactly the wanted size. Nothing here restates a shape formula: every
candidate is built and evaluated; the only arithmetic is choosing which candidates to try.

Bounds: kernel ≤ 11, stride ≤ 4, dilation ≤ 3, padding ≤ the (dilated) kernel; Keras layers
try ``padding='valid'`` and ``'same'``. Transposed convolutions also get the ``output_padding``
that picks the wanted size among those the stride makes ambiguous.

Answers come simplest first: dilation 1 before dilated kernels, then smaller kernel, stride,
padding (``'valid'`` before ``'same'``).
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, fields

from ..i18n import tr
from ._base import LayerResult
from ._errors import LayerError
from .framework import Framework
from .window import effective_kernel

MAX_KERNEL = 11
MAX_STRIDE = 4
MAX_DILATION = 3

# The role each of the frameworks' keyword names plays in a sliding window.
_ROLES = {
    "kernel": ("kernel_size", "pool_size"),
    "stride": ("stride", "strides"),
    "padding": ("padding",),
    "dilation": ("dilation", "dilation_rate"),
    "output_padding": ("output_padding",),
}
# Required arguments that do not affect the spatial size; a placeholder value lets the layer build.
_PLACEHOLDERS = {"out_channels": 1, "filters": 1}


@dataclass(frozen=True, slots=True)
class Solution:
    """One configuration that gives the wanted size, with the layer's own evaluation of it."""

    kernel_size: int
    stride: int
    padding: int | str
    dilation: int
    output_padding: int | None  # transposed convolutions only
    args: tuple[tuple[str, object], ...]  # the layer's keyword names and values, in field order
    result: LayerResult  # the layer (1 channel) evaluated on the input size

    def call(self, prefix: str = "") -> str:
        """``Conv2d(..., kernel_size=7, stride=2, padding=3)``; ``prefix`` goes before the window
        arguments (e.g. ``'3, 64, '``)."""
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args)
        return f"{self.result.layer.type_name}({prefix or '..., '}{inner})"

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.result.warnings


@dataclass(frozen=True, slots=True)
class SolveResult:
    """Every configuration found, simplest first, and notes when there is none (or why not)."""

    layer: str
    input_size: int
    output_size: int
    solutions: tuple[Solution, ...]
    notes: tuple[str, ...] = ()
    # when there is no solution: the reachable output sizes closest to the one asked for (below
    # and above), each with the simplest configuration that reaches it
    nearest: tuple[Solution, ...] = ()
    # no configuration within the bounds gives the size (the last note says so), as opposed to a
    # note that offers an alternative (padding='same', a padding layer)
    none_found: bool = False

    @property
    def unreachable(self) -> bool:
        """No configuration gives the size and no alternative was found (the CLI exits 1)."""
        return not self.solutions and (bool(self.nearest) or not self.notes or self.none_found)


def solve(
    layer_name: str,
    input_size: int,
    output_size: int | None = None,
    kernel_size: int | None = None,
    *,
    stride: int | None = None,
    padding: int | str | None = None,
    dilation: int | None = None,
    same: bool = False,
) -> SolveResult:
    """Every (kernel, stride, padding, dilation) with which ``layer_name`` maps ``input_size``
    to ``output_size`` along each spatial axis. Fixed ``kernel_size``/``stride``/``padding``/
    ``dilation`` restrict the search. ``same=True`` asks for the size to be kept (stride 1).

    >>> r = solve("Conv2d", 224, 112, kernel_size=7)
    >>> [(s.stride, s.padding) for s in r.solutions if s.dilation == 1][:3]
    [(2, 3)]
    >>> solve("Conv2d", 28, same=True, kernel_size=3).solutions[0].padding
    1
    """
    from . import LAYERS, layer as build

    build_check = LAYERS.get(layer_name)
    if build_check is None:
        build(layer_name)  # raises the registry's "unknown layer ... did you mean" error
    cls = build_check
    names = _role_names(cls)
    if names["kernel"] is None:
        raise LayerError(layer_name, "layer", tr("solve works for layers with a sliding window (convolution, pooling); {layer} has no kernel_size or pool_size", layer=layer_name))
    for arg, value in (("input", input_size), ("output", output_size)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            message = tr("input size must be a positive int, got {got}", got=repr(value)) if arg == "input" else tr("output size must be a positive int, got {got}", got=repr(value))
            raise LayerError(layer_name, arg, message)
    if same:
        output_size = input_size if output_size is None else output_size
        if output_size != input_size:
            raise LayerError(layer_name, "output", tr("same=True keeps the size, but output={output} differs from input={input}; drop one of them", output=output_size, input=input_size))
        if stride not in (None, 1):
            raise LayerError(layer_name, "stride", tr("the size can only be kept with stride 1, got stride={stride}", stride=stride))
        stride = 1
        dilation = 1 if dilation is None else dilation  # a dilated kernel only when asked for
    if output_size is None:
        raise LayerError(layer_name, "output", tr("give the output size (e.g. {example}) or same=True", example="output=112"))

    n = _rank(cls)
    keras = cls.framework is Framework.KERAS
    shape = (1,) + (input_size,) * n + (1,) if keras else (1, 1) + (input_size,) * n
    kernels = [kernel_size] if kernel_size is not None else range(1, MAX_KERNEL + 1)
    strides = [stride] if stride is not None else range(1, MAX_STRIDE + 1)
    dilations = [dilation] if dilation is not None else (range(1, MAX_DILATION + 1) if names["dilation"] else [1])

    found: dict[tuple, Solution] = {}
    reached: dict[int, Solution] = {}  # every output size a candidate gives, with its simplest configuration
    for k in kernels:
        for d in dilations:
            eff = effective_kernel(k, d)
            if padding is not None:
                pads = [padding]
            elif keras:
                pads = ["valid", "same"]
            else:
                pads = range(0, eff + 1) if names["padding"] else [0]
            for s in strides:
                for p in pads:
                    for sol in _try(cls, names, shape, keras, n, output_size, k, s, p, d, reached):
                        key = (sol.args,)
                        found.setdefault(key, sol)
    solutions = sorted(found.values(), key=_simplicity)
    notes = []
    if same and not keras and kernel_size is not None:
        notes += _no_symmetric_same(cls, names, layer_name, input_size, kernel_size, dilation or 1, solutions)
    nearest = ()
    none_found = not solutions and not notes  # no answer and no alternative (such as padding='same') to offer
    if none_found:
        notes.append(_none_found(layer_name, cls, names, input_size, output_size, kernel_size))
        nearest = _nearest(reached, output_size)
    return SolveResult(layer_name, input_size, output_size, tuple(solutions), tuple(notes), nearest, none_found)


def _nearest(reached: dict, want: int) -> tuple[Solution, ...]:
    """The closest reachable size below ``want`` and the closest above, simplest configuration each.

    >>> r = solve("Conv2d", 28, 100, kernel_size=3)
    >>> [(s.result.output_shape[-1], s.call()) for s in r.nearest]
    [(36, 'Conv2d(..., kernel_size=3, padding=7, dilation=3)')]
    """
    below = [size for size in reached if size < want]
    above = [size for size in reached if size > want]
    picks = ([max(below)] if below else []) + ([min(above)] if above else [])
    return tuple(reached[size] for size in picks)


def _try(cls, names, shape, keras, n, want, k, s, p, d, reached=None):
    """Build and evaluate one candidate; yield it (with the output_padding needed) if it fits.
    Every size a candidate gives is recorded in ``reached`` (the simplest configuration kept)."""
    kwargs = {f: v for f, v in _PLACEHOLDERS.items() if f in _field_names(cls)}
    kwargs[names["kernel"]] = k
    if names["stride"]:
        kwargs[names["stride"]] = s
    elif s != 1:
        return
    if names["padding"]:
        kwargs[names["padding"]] = p
    if names["dilation"]:
        kwargs[names["dilation"]] = d
    options = [None]
    if names["output_padding"]:
        options = [_default(cls, names["output_padding"])] + [0]
    for op in dict.fromkeys(options):
        args = dict(kwargs)
        if names["output_padding"] and op is not None:
            args[names["output_padding"]] = op
        out = _evaluate(cls, args, shape)
        if out is None:
            continue
        got = _size(out.output_shape, n, keras)
        if reached is not None:
            candidate = _solution(out, names, k, s, p, d, op, args)
            if got not in reached or _simplicity(candidate) < _simplicity(reached[got]):
                reached[got] = candidate
        if got == want:
            yield _solution(out, names, k, s, p, d, op, args)
            return  # the default output_padding already fits: no need to spell one out
        if names["output_padding"] and op == 0 and 0 < want - got < max(s, d):
            args[names["output_padding"]] = want - got  # the layer checks output_padding < stride
            out = _evaluate(cls, args, shape)
            if out is not None and _size(out.output_shape, n, keras) == want:
                yield _solution(out, names, k, s, p, d, want - got, args)


def _evaluate(cls, kwargs, shape) -> LayerResult | None:
    try:
        return cls(**kwargs).evaluate(shape)
    except LayerError:
        return None  # the framework would reject this configuration: not an answer


def _solution(result, names, k, s, p, d, op, args) -> Solution:
    cls = type(result.layer)
    shown = tuple(
        (f, args[f]) for f in _field_names(cls)
        if f in args and f not in _PLACEHOLDERS and (f == names["kernel"] or args[f] != _default(cls, f))
    )
    return Solution(k, s, p, d, op, shown, result)


def _size(out_shape, n, keras) -> int:
    spatial = out_shape[1:-1] if keras else out_shape[-n:]
    return spatial[0]


def _simplicity(sol: Solution):
    pad = sol.padding if isinstance(sol.padding, int) else {"valid": 0, "same": 1}.get(sol.padding, 2)
    return (sol.dilation != 1, sol.kernel_size, sol.stride, pad, sol.dilation, sol.output_padding or 0)


def _no_symmetric_same(cls, names, layer_name, size, k, d, solutions) -> list[str]:
    """PyTorch pads symmetrically: an even (dilated) kernel cannot keep the size that way."""
    if any(s.kernel_size == k for s in solutions):
        return []
    from .keras_conventions import keras_same_padding

    before, after = keras_same_padding(size, k, 1, d)  # the split PyTorch's padding='same' uses too
    n = _rank(cls)
    fields = dict(layer=layer_name, size=size, args=f"kernel_size={k}" + (f", dilation={d}" if d != 1 else ""),
                  window=effective_kernel(k, d), total=before + after, pad=f"nn.ZeroPad{n}d({(before, after) * n})")
    if names["padding"] and "same" in _padding_strings(cls):
        return [tr("{layer}: no symmetric padding keeps {size} with {args}: the window covers {window} pixels, so {total} pixels of padding "
                   "are needed, which do not split evenly; use padding='same' (PyTorch pads {before} before and {after} after; stride 1 only) "
                   "or {pad} before a {layer} with padding=0", before=before, after=after, **fields)]
    return [tr("{layer}: no symmetric padding keeps {size} with {args}: the window covers {window} pixels, so {total} pixels of padding "
               "are needed, which do not split evenly; pad asymmetrically first, e.g. {pad} before a {layer} with padding=0", **fields)]


def _padding_strings(cls) -> tuple[str, ...]:
    try:
        cls(**{f: v for f, v in _PLACEHOLDERS.items() if f in _field_names(cls)}, **{_role_names(cls)["kernel"]: 2, "padding": "same"})
    except (LayerError, TypeError):
        return ()
    return ("same",)


def _none_found(layer_name, cls, names, size, want, kernel) -> str:
    bounds = f"kernel ≤ {MAX_KERNEL}" if kernel is None else f"kernel_size={kernel}"
    bounds += f", stride ≤ {MAX_STRIDE}" + (f", dilation ≤ {MAX_DILATION}" if names["dilation"] else "") + ", padding ≤ kernel"
    if want > size and not names["output_padding"]:
        return tr("{layer}: no configuration ({bounds}) maps {size} to {want}; a {layer} never makes its input larger than {formula}; "
                  "to upsample use a transposed convolution ({transposed}) or Upsample",
                  layer=layer_name, bounds=bounds, size=size, want=want, formula="in + 2·padding − kernel + 1",
                  transposed=f"ConvTranspose{_rank(cls)}d / Conv{_rank(cls)}DTranspose")
    if want < size and kernel is not None:
        return tr("{layer}: no configuration ({bounds}) maps {size} to {want}; try without a fixed kernel size, or a larger stride",
                  layer=layer_name, bounds=bounds, size=size, want=want)
    return tr("{layer}: no configuration ({bounds}) maps {size} to {want}", layer=layer_name, bounds=bounds, size=size, want=want)


def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.init)


def _default(cls, name):
    for f in fields(cls):
        if f.name == name:
            return None if f.default is MISSING else f.default
    return None


def _role_names(cls) -> dict[str, str | None]:
    have = set(_field_names(cls))
    return {role: next((n for n in candidates if n in have), None) for role, candidates in _ROLES.items()}


def _rank(cls) -> int:
    """Spatial rank: the class's ``n`` or the digit in its name (``MaxPooling2D`` -> 2)."""
    n = getattr(cls, "n", None)
    if isinstance(n, int):
        return n
    m = re.search(r"([123])[dD]", cls.__name__)
    return int(m.group(1)) if m else 1


__all__ = ["MAX_DILATION", "MAX_KERNEL", "MAX_STRIDE", "Solution", "SolveResult", "solve"]
