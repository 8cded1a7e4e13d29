"""Dataclasses of the summary record.

Front ends (command-line chain, spec file, PyTorch tracer, Keras reader) build a ``Summary``;
renderers (terminal, Markdown, JSON, CSV, HTML, web page) read it and nothing else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Literal

Shape = tuple  # tuple[int | None, ...]


@dataclass(frozen=True)
class WeightInfo:
    """One parameter or buffer tensor: ``WeightInfo("weight", (20, 1, 5, 5))``."""

    name: str
    shape: tuple[int, ...]
    trainable: bool = True
    dtype_bytes: int = 4  # bytes per element (float32 = 4)

    @property
    def numel(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True)
class Diagnostic:
    """A shape bug or a warning, with where it applies and how to fix it."""

    severity: Literal["error", "warning", "info"]
    code: str  # stable identifier, e.g. "linear-in-features", "batch-folded"
    message: str  # what is wrong, with the numbers
    fix: str | None = None  # a concrete change that would work
    layer: str | None = None  # module path / node name
    source: str | None = None  # "file.py:42" of the user's code, when known
    code_line: str | None = None  # the text of that source line


@dataclass
class LayerRow:
    """One row of the summary table: a module call, a functional op, or a core layer."""

    name: str  # module path ("layer1.0.conv1") or node name
    type: str  # "Conv2d", "add", "view", ...
    depth: int  # nesting depth, 0 = top-level children
    input_shapes: tuple[Shape, ...]
    output_shape: Shape | None  # None when the layer failed
    weights: tuple[WeightInfo, ...] = ()  # parameters owned by this row (shared ones on first use only)
    buffers: tuple[WeightInfo, ...] = ()
    macs: int = 0
    flops: int = 0
    calculation: tuple[str, ...] = ()  # worked calculation lines, numbers substituted
    warnings: tuple[str, ...] = ()
    receptive_field: dict | None = None  # {"size": [...], "jump": [...], "start": [...], "global": bool} after this row
    kind: Literal["module", "container", "function", "layer"] = "layer"
    is_leaf: bool = True  # False for containers whose children have their own rows
    source: str | None = None  # "file.py:42" where the call happened
    spec: str | None = None  # the layer as code, "Conv2d(1, 32, kernel_size=3, padding=1)"
    repeated: bool = False  # a second call of the same module: shown, parameters not counted again
    failed: str | None = None  # error message when the forward pass failed here
    connected_to: tuple[str, ...] = ()  # rows whose outputs this one reads (Keras's "Connected to"); () = not known

    @property
    def input_shape(self) -> Shape | None:
        return self.input_shapes[0] if self.input_shapes else None

    @property
    def params(self) -> int:
        return sum(w.numel for w in self.weights)

    @property
    def trainable_params(self) -> int:
        return sum(w.numel for w in self.weights if w.trainable)

    @property
    def non_trainable_params(self) -> int:
        return sum(w.numel for w in self.weights if not w.trainable)


@dataclass
class MemoryEstimate:
    """Training memory for one step, in bytes, and the formula that produced it."""

    parameters: int
    gradients: int
    optimizer: int  # Adam: two moments per trainable parameter
    activations: int  # tensors autograd saves for backward, measured
    buffers: int = 0
    inputs: int = 0

    @property
    def total(self) -> int:
        return self.parameters + self.gradients + self.optimizer + self.activations + self.buffers + self.inputs

    formula: str = "parameters + gradients + Adam state (2 × trainable) + buffers + input + activations saved for backward"


@dataclass
class Summary:
    """Everything convlens knows about a network on a given input."""

    title: str
    framework: Literal["torch", "keras", "core"]
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    layers: list[LayerRow]
    total_params: int
    trainable_params: int
    non_trainable_params: int
    buffers: int  # elements held in buffers (PyTorch BatchNorm running statistics, ...)
    param_bytes: int
    buffer_bytes: int
    total_macs: int
    total_flops: int
    diagnostics: list[Diagnostic] = field(default_factory=list)
    memory: MemoryEstimate | None = None
    receptive_field: dict | None = None  # of the last spatial layer
    unused_params: list[str] = field(default_factory=list)  # parameters never used in the forward pass
    failed: bool = False  # the forward pass did not complete
    notes: list[str] = field(default_factory=list)  # conventions and estimates stated in the output

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def to_dict(self) -> dict:
        def clean(obj):
            if isinstance(obj, Fraction):
                return float(obj) if obj.denominator != 1 else int(obj)
            if isinstance(obj, dict):
                return {k: clean(v) for k, v in obj.items()}
            if isinstance(obj, (list, tuple)):
                return [clean(v) for v in obj]
            return obj

        d = clean(asdict(self))
        for row, src in zip(d["layers"], self.layers):
            row["params"] = src.params
            if not src.connected_to:  # known only for Keras graphs; absent rather than empty elsewhere
                del row["connected_to"]
        if self.memory is not None:
            d["memory"]["total"] = self.memory.total
        return d

    # renderers are attached lazily so the record itself holds no formatting code
    def __str__(self) -> str:
        from ..render.terminal import render

        return render(self)

    def _repr_html_(self) -> str:
        from ..render.html import render

        return render(self)

    def to_json(self) -> str:
        from ..render.jsonout import render

        return render(self)

    def to_markdown(self) -> str:
        from ..render.markdown import render

        return render(self)

    def to_csv(self) -> str:
        from ..render.csvout import render

        return render(self)

    def to_html(self) -> str:
        from ..render.html import render

        return render(self)
