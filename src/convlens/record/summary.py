"""Dataclasses of the summary record.

Front ends (command-line chain, spec file, PyTorch tracer, Keras reader) build a ``Summary``
once, through ``convlens.frontends.build``; renderers (terminal, Markdown, JSON, CSV, HTML, web
page) read it and nothing else. The record holds numbers and structured text only: no
formatting, and no renderer import except inside the convenience methods at the end of
``Summary`` (``str()``, ``to_json()``…), which call a writer lazily.

Once built, a ``Summary`` cannot change: it is a frozen dataclass whose sequences are tuples, and
so are its rows. A changed copy is ``dataclasses.replace(summary, ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..core.costs import CountsParams, numel, param_counts  # the one element and parameter count
from ..i18n import N_, tr
from ..core.framework import Framework  # the one list of frameworks (the record's field; core layers carry it too)

Shape = tuple  # tuple[int | None, ...]: a batch or any size may be None (Keras's unknown batch)


class Severity(StrEnum):
    ERROR = "error"  # the model cannot run as written (exit status 1 from `convlens check`)
    WARNING = "warning"  # it runs, but probably not as meant (a floor drops rows, parameters unused)
    INFO = "info"


class DiagnosticCode(StrEnum):
    """The stable identifier of each kind of diagnostic (``Diagnostic.code``; JSON and ``convlens check`` print it).

    A core layer that refuses its input inside a network adds one more kind per layer argument,
    spelled by ``for_argument``: ``conv2d-kernel-size``, ``linear-in-features``.
    """

    FORWARD_FAILED = "forward-failed"  # the PyTorch forward pass stopped (torch front end)
    LAYER_FAILED = "layer-failed"  # a module raised where the core expected it to run
    LAYER_MISMATCH = "layer-mismatch"  # a module's input does not fit its configuration (the core says why)
    LINEAR_IN_FEATURES = "linear-in-features"  # nn.Linear receives a different number of features
    RESHAPE_MISMATCH = "reshape-mismatch"  # view/reshape/flatten cannot make the shape asked for
    BRANCH_MISMATCH = "branch-mismatch"  # an add/cat of branches whose shapes differ
    BATCH_FOLDED = "batch-folded"  # a reshape mixes the batch into the features
    INPUT_NOT_DIVISIBLE = "input-not-divisible"  # a floor drops rows or columns of the input
    UNUSED_PARAMETERS = "unused-parameters"  # parameters no forward call used
    LAYER_WARNING = "layer-warning"  # a core layer's own warning, e.g. a window that skips pixels
    DENSE_INPUT = "dense-input"  # a built Keras Dense receives a different number of features
    CORE_DISAGREES = "core-disagrees"  # Keras and the core differ: a convlens bug to report

    @staticmethod
    def for_argument(layer_type: str, argument: str) -> str:
        """The code of a core layer's refusal inside a network: ``("Conv2d", "kernel_size")`` -> ``"conv2d-kernel-size"``.

        >>> DiagnosticCode.for_argument("Linear", "in_features") == DiagnosticCode.LINEAR_IN_FEATURES
        True
        """
        return f"{layer_type.lower()}-{argument}".replace("_", "-")


class RowKind(StrEnum):
    MODULE = "module"  # a framework module call (nn.Conv2d)
    CONTAINER = "container"  # a module whose children have their own rows
    FUNCTION = "function"  # a functional op (torch.relu, x + y, view)
    LAYER = "layer"  # a core layer (chains, Keras layers)


def _enum(cls, value, field: str):
    try:
        return cls(value)
    except ValueError:
        raise ValueError(tr("{field}={value!r} is not one of {choices}", field=field, value=value,
                            choices=", ".join(repr(v.value) for v in cls))) from None


@dataclass(frozen=True)
class WeightInfo:
    """One parameter or buffer tensor: ``WeightInfo("weight", (20, 1, 5, 5))``."""

    name: str
    shape: tuple[int, ...]
    trainable: bool = True
    dtype_bytes: int = 4  # bytes per element of the tensor's own dtype (float32 = 4, bfloat16 = 2)

    @property
    def numel(self) -> int:
        return numel(self.shape)

    @property
    def nbytes(self) -> int:
        return self.numel * self.dtype_bytes


@dataclass(frozen=True)
class Diagnostic:
    """A shape bug or a warning, with where it applies and how to fix it."""

    severity: Severity
    code: DiagnosticCode | str  # stable identifier: a DiagnosticCode, or DiagnosticCode.for_argument's "conv2d-kernel-size"
    message: str  # what is wrong, with the numbers
    fix: str | None = None  # a concrete change that would work
    layer: str | None = None  # module path / node name
    source: str | None = None  # "file.py:42" of the user's code, when known
    code_line: str | None = None  # the text of that source line

    def __post_init__(self):
        object.__setattr__(self, "severity", _enum(Severity, self.severity, "severity"))
        if self.code in DiagnosticCode.__members__.values():  # the enum member for its text: one identity to compare
            object.__setattr__(self, "code", DiagnosticCode(self.code))


@dataclass(frozen=True)
class LayerRow(CountsParams):
    """One row of the summary table: a module call, a functional op, or a core layer.

    Frozen like the rest of the record; a front end that fills a row in as it traces uses
    ``frontends.build.RowDraft`` and freezes it when the trace is over.
    """

    name: str  # module path ("layer1.0.conv1") or node name
    type: str  # "Conv2d", "add", "view", ...
    depth: int  # nesting depth, 0 = top-level children
    input_shapes: tuple[Shape, ...]
    output_shape: Shape | None  # None when the layer failed
    weights: tuple[WeightInfo, ...] = ()  # parameters owned by this row (shared ones on first use only)
    buffers: tuple[WeightInfo, ...] = ()
    macs: int | None = 0  # None: unknown, the model takes inputs of any size and none was given (Keras's (None, None, None, 3))
    flops: int | None = 0  # None with macs
    calculation: tuple[str, ...] = ()  # worked calculation lines, numbers substituted
    warnings: tuple[str, ...] = ()
    receptive_field: dict | None = None  # core.receptive.as_dict: {"size", "jump", "start", "global"} after this row
    kind: RowKind = RowKind.LAYER
    is_leaf: bool = True  # False for containers whose children have their own rows
    source: str | None = None  # "file.py:42" where the call happened
    code: str | None = None  # the layer as code, "Conv2d(1, 32, kernel_size=3, padding=1)"
    repeated: bool = False  # a second call of the same module: shown, parameters not counted again
    failed: str | None = None  # error message when the forward pass failed here
    connected_to: tuple[str, ...] = ()  # rows whose outputs this one reads (Keras's "Connected to"); () = not known

    def __post_init__(self):
        object.__setattr__(self, "kind", _enum(RowKind, self.kind, "kind"))

    @property
    def input_shape(self) -> Shape | None:
        return self.input_shapes[0] if self.input_shapes else None



def weight_totals(weights, buffers) -> dict:
    """The record's weight totals of ``weights`` and ``buffers`` (``WeightInfo``s): the ``Summary``
    fields ``total_params``, ``trainable_params``, ``non_trainable_params``, ``buffers`` (elements),
    ``param_bytes`` and ``buffer_bytes`` (each tensor in its own dtype).

    >>> weight_totals([WeightInfo("w", (20, 1, 5, 5)), WeightInfo("b", (20,), dtype_bytes=2)], [])
    {'total_params': 520, 'trainable_params': 520, 'non_trainable_params': 0, 'buffers': 0, 'param_bytes': 2040, 'buffer_bytes': 0}
    """
    weights, buffers = tuple(weights), tuple(buffers)
    total, trainable, non_trainable = param_counts(weights)
    return {
        "total_params": total, "trainable_params": trainable, "non_trainable_params": non_trainable,
        "buffers": sum(b.numel for b in buffers),
        "param_bytes": sum(w.nbytes for w in weights), "buffer_bytes": sum(b.nbytes for b in buffers),
    }


@dataclass(frozen=True)
class MemoryEstimate:
    """Training memory for one step, in bytes, and the formula that produced it
    (``convlens.core.memory`` computes the terms)."""

    parameters: int
    gradients: int
    optimizer: int  # Adam: two moments per trainable parameter
    activations: int  # tensors autograd saves for backward, measured
    buffers: int = 0
    inputs: int = 0
    formula: str = N_("parameters + gradients + Adam state (2 × trainable) + buffers + input + activations saved for backward")

    @property
    def total(self) -> int:
        return self.parameters + self.gradients + self.optimizer + self.activations + self.buffers + self.inputs


@dataclass(frozen=True)
class Summary:
    """Everything convlens knows about a network on a given input; built once, never changed."""

    title: str
    framework: Framework
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    layers: tuple[LayerRow, ...]
    total_params: int
    trainable_params: int
    non_trainable_params: int
    buffers: int  # elements held in buffers (PyTorch BatchNorm running statistics, ...)
    param_bytes: int  # from each parameter's own dtype
    buffer_bytes: int
    total_macs: int | None  # None: unknown until an input size is given (see LayerRow.macs); JSON null
    total_flops: int | None
    diagnostics: tuple[Diagnostic, ...] = ()
    memory: MemoryEstimate | None = None
    receptive_field: dict | None = None  # of the last spatial layer (core.receptive.as_dict)
    unused_params: tuple[str, ...] = ()  # parameters never used in the forward pass
    failed: bool = False  # the forward pass did not complete
    notes: tuple[str, ...] = ()  # conventions and estimates stated in the output
    output_names: tuple[str, ...] = ()  # one per output shape where the model returns a dict/dataclass ("logits", "aux.mask")

    def __post_init__(self):
        # Front ends may hand lists; the record keeps tuples so nothing can be appended later.
        set_ = object.__setattr__
        set_(self, "framework", _enum(Framework, self.framework, "framework"))
        for name in ("input_shapes", "output_shapes", "layers", "diagnostics", "unused_params", "notes"):
            set_(self, name, tuple(getattr(self, name)))

    @property
    def macs_known(self) -> bool:
        """False for a model summarised without an input size (its sizes are free): costs need one."""
        return self.total_macs is not None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == Severity.ERROR]

    def to_dict(self) -> dict:
        """Plain numbers, strings, lists and dicts (what the JSON writer prints): ``serialize.summary_dict``."""
        from .serialize import summary_dict

        return summary_dict(self)

    # Convenience methods: each calls a writer lazily, so the record's data depends on none.
    # ``lang``: the language of the text, "en" or "ko" (None: the current one, as str() uses).
    def __str__(self) -> str:
        return self.to_text()

    def to_text(self, *, lang: str | None = None) -> str:
        """The terminal report (what ``str()`` and ``print`` show)."""
        from ..render.terminal import render

        return render(self, lang=lang)

    def _repr_html_(self) -> str:
        """The table, then the diagram when Graphviz is installed (Jupyter shows this)."""
        from ..render.html import render

        return render(self) + (self._repr_svg_() or "")

    def _repr_svg_(self) -> str | None:
        """The diagram as SVG; None (Jupyter then shows the other forms) without Graphviz."""
        from ..render.diagram import DrawError, render

        try:
            return render(self)
        except DrawError:
            return None

    def draw(self, path=None, *, style: str = "graph", depth: int | None = None, lang: str | None = None):
        """Write the diagram to ``path`` (``.svg``, ``.png`` or ``.pdf``) and return the path; without
        ``path``, return the SVG text. ``depth``: 0 = the top-level rows, as ``render`` counts it."""
        from ..render import diagram

        if path is None:
            return diagram.render(self, style=style, depth=depth, lang=lang)
        return diagram.write(self, path, style=style, depth=depth, lang=lang)

    def to_json(self) -> str:
        from ..render.jsonout import render

        return render(self)

    def to_markdown(self, *, lang: str | None = None) -> str:
        from ..render.markdown import render

        return render(self, lang=lang)

    def to_csv(self) -> str:
        from ..render.csvout import render

        return render(self)

    def to_html(self, *, lang: str | None = None) -> str:
        from ..render.html import render

        return render(self, lang=lang)
