"""The one builder of the summary record: every front end ends here.

* ``assemble(...)`` — a ``Summary`` from its rows: the totals a front end does not give are
  summed from the rows' weights (bytes from each weight's own dtype), MACs and FLOPs from the
  rows, the layer warnings become diagnostics, and the cost convention is stated once.
* ``row_of(name, result, ...)`` — one core ``LayerResult`` as a ``LayerRow``.
* ``RowDraft`` — a row a tracer fills in as the forward runs (shapes, MACs, a failure), made a
  frozen ``LayerRow`` once, by ``freeze()``, when the trace is over.
* ``summary_of_network``, ``summary_of_failure``, ``summary_of_layer`` — the record of a core
  network (chains, the Keras reader, spec files), of one that stopped at a layer, and of one
  layer (``convlens calc``).

No formula lives here: shapes, weights and costs come from the core layers, totals and receptive
fields from ``core.network`` and ``core.receptive``.
"""

from __future__ import annotations

from dataclasses import MISSING, fields

from ..core import LayerResult
from ..core.costs import COST_NOTE
from ..core.framework import Framework
from ..core.network import NetworkError, NetworkResult
from ..core.receptive import ReceptiveField, as_dict
from ..i18n import current, tr
from ..record import Diagnostic, DiagnosticCode, LayerRow, MemoryEstimate, Severity, Summary, WeightInfo, weight_totals

FLOAT32_BYTES = 4  # core layers have no dtype: a chain or spec is counted in float32, as both frameworks default


def assemble(*, title: str, framework: Framework, input_shapes, output_shapes, rows, diagnostics=(), notes=(),
             memory: MemoryEstimate | None = None, receptive_field: dict | None = None, unused_params=(),
             failed: bool = False, totals: dict | None = None, output_names=()) -> Summary:
    """Build the record once.

    ``totals`` overrides what cannot be read from the rows (a traced model owns parameters no row
    uses): any of ``total_params``, ``trainable_params``, ``non_trainable_params``, ``buffers``,
    ``param_bytes``, ``buffer_bytes``, ``total_macs``, ``total_flops``.
    """
    rows = tuple(rows)
    summed = {
        **weight_totals((w for r in rows for w in r.weights), (b for r in rows for b in r.buffers)),
        "total_macs": sum(r.macs for r in rows),
        "total_flops": sum(r.flops for r in rows),
    }
    unknown = set(totals or ()) - set(summed)
    if unknown:
        raise TypeError(tr("{call} got unknown keys {keys}; known: {known}", call="assemble(totals=...)", keys=sorted(unknown),
                           known=sorted(summed)))
    summed.update(totals or {})
    return Summary(
        title=title, framework=framework, input_shapes=tuple(input_shapes), output_shapes=tuple(output_shapes),
        layers=rows, diagnostics=tuple(diagnostics), memory=memory, receptive_field=receptive_field,
        unused_params=tuple(unused_params), failed=failed, notes=tuple(notes), output_names=tuple(output_names), **summed,
    )


_ROW_FIELDS = fields(LayerRow)
_ROW_NAMES = tuple(f.name for f in _ROW_FIELDS)
_ROW_DEFAULTS = {f.name: f.default for f in _ROW_FIELDS if f.default is not MISSING}
_ROW_NAME_SET = frozenset(_ROW_NAMES)
_ROW_REQUIRED = _ROW_NAME_SET - set(_ROW_DEFAULTS)


def _refuse(values: dict) -> None:
    """Raise what a RowDraft built from ``values`` lacks or has too much of (a tracer's mistake)."""
    for f in _ROW_FIELDS:
        if f.name not in values and f.default is MISSING:
            raise TypeError(tr("{call} needs {field}", call="RowDraft", field=repr(f.name)))
        values.pop(f.name, None)
    if values:
        raise TypeError(tr("{call} got unknown fields {keys}; {record} has {known}", call="RowDraft", keys=sorted(values),
                           record="LayerRow", known=[f.name for f in _ROW_FIELDS]))


class RowDraft:
    """A ``LayerRow`` under construction: the same fields, assignable while a tracer fills them in
    (the output shape when the module returns, MACs as ATen operations run, ``failed`` when the
    forward stops there); ``freeze()`` makes the frozen row the record holds."""

    def __init__(self, **values):
        if not _ROW_REQUIRED <= values.keys() <= _ROW_NAME_SET:
            _refuse(dict(values))
        state = self.__dict__
        state.update(_ROW_DEFAULTS)  # immutable defaults (tuples, None, numbers), shared safely
        state.update(values)

    def freeze(self) -> LayerRow:
        state = self.__dict__
        return LayerRow(**{n: state[n] for n in _ROW_NAMES})


def row_of(name: str, result: LayerResult, rf: ReceptiveField | None, input_shapes, code: str | None = None,
           *, dtype_bytes: int = FLOAT32_BYTES, connected_to=()) -> LayerRow:
    """One evaluated core layer as a record row."""
    return LayerRow(
        name=name,
        type=result.layer.type_name,
        depth=name.count("."),
        input_shapes=tuple(tuple(s) for s in input_shapes),
        output_shape=result.output_shape,
        weights=tuple(WeightInfo(w.name, w.shape, w.trainable, dtype_bytes) for w in result.weights),
        buffers=tuple(WeightInfo(w.name, w.shape, False, dtype_bytes) for w in result.buffers),
        macs=result.macs,
        flops=result.flops,
        calculation=tuple(result.calculation()),
        warnings=tuple(result.warnings),
        receptive_field=as_dict(rf),
        kind="layer",
        code=code or result.layer.code(),
        connected_to=tuple(connected_to),
    )


def layer_warnings(rows) -> list[Diagnostic]:
    """Each row's warnings from the core, as diagnostics naming the row."""
    return [Diagnostic(Severity.WARNING, DiagnosticCode.LAYER_WARNING, w, None, row.name) for row in rows for w in row.warnings]


def _network_rows(result: NetworkResult, codes) -> list[LayerRow]:
    return [
        row_of(n.name, n.result, n.receptive_field,
               [result.input_shape if s == "input" else result[s].result.output_shape for s in n.inputs],
               None if codes is None else codes[n.index], connected_to=n.inputs)
        for n in result.nodes
    ]


def _last_local_field(result: NetworkResult) -> dict | None:
    spatial = [n.receptive_field for n in result.nodes if n.receptive_field is not None and not n.receptive_field.is_global and n.receptive_field.size]
    return as_dict(spatial[-1]) if spatial else None


def summary_of_network(result: NetworkResult, *, title: str = "network", notes=(), codes=None,
                       framework: Framework = Framework.CORE, diagnostics=()) -> Summary:
    """The record of an evaluated network: one row per node, the totals, the receptive field.
    ``diagnostics`` are a front end's own findings, listed after the layers' warnings."""
    rows = _network_rows(result, codes)
    return assemble(
        title=title, framework=framework, input_shapes=(result.input_shape,), output_shapes=(result.output_shape,),
        rows=rows, diagnostics=layer_warnings(rows) + list(diagnostics),
        receptive_field=_last_local_field(result), notes=list(notes) + [tr(COST_NOTE)],
    )


def summary_of_failure(error: NetworkError, input_shape, *, title: str = "network", notes=(), codes=None,
                       framework: Framework = Framework.CORE) -> Summary:
    """The record of a network that stopped at ``error``: the rows that ran, then the failing one."""
    ok = NetworkResult(tuple(input_shape), error.partial)
    rows = _network_rows(ok, codes)
    name = str(error.index) if error.node_name is None else error.node_name
    rows.append(LayerRow(
        name=name, type=error.layer_type, depth=name.count("."), input_shapes=error.input_shapes, output_shape=None,
        failed=str(error), code=None if codes is None or error.index >= len(codes) else codes[error.index],
        connected_to=error.inputs,
    ))
    fix = _fix_of(error.reason)
    failure = Diagnostic(Severity.ERROR, DiagnosticCode.for_argument(error.layer_type, error.argument), str(error), fix, name)
    return assemble(
        title=title, framework=framework, input_shapes=(tuple(input_shape),), output_shapes=(),
        rows=rows, diagnostics=[failure] + layer_warnings(rows[:-1]),
        receptive_field=_last_local_field(ok), notes=list(notes) + [tr(COST_NOTE)], failed=True,
    )


def _fix_of(reason: str) -> str | None:
    """What would work, from a core refusal written "what is wrong; what would work" (English) or as two
    sentences, "… 입니다. …하세요" (Korean): the words after the first separator, or None."""
    for separator in ("; ",) if current() == "en" else ("; ", ". "):  # English: as it always was
        if separator in reason:
            return reason.split(separator, 1)[1] or None
    return None


def summary_of_layer(result: LayerResult, *, name: str | None = None, code: str | None = None, notes=()) -> Summary:
    """The record of one evaluated layer (``core.calc``): a one-row Summary; ``notes`` go before the cost convention."""
    step = result.receptive_field
    rf = None
    if step is not None:
        rf = ReceptiveField((), (), (), True) if step.is_global else ReceptiveField.identity(len(step.kernel)).then(step)
    one_input = result.layer.n_inputs == 1
    inputs = [result.input_shape] if one_input else list(result.input_shape)
    row = row_of(name or result.layer.type_name.lower(), result, rf, inputs, code)
    return assemble(
        title=code or result.layer.code(), framework=Framework.CORE, input_shapes=inputs, output_shapes=(result.output_shape,),
        rows=[row], diagnostics=layer_warnings([row]),
        receptive_field=row.receptive_field if rf is not None and not rf.is_global else None, notes=list(notes) + [tr(COST_NOTE)],
    )


__all__ = ["FLOAT32_BYTES", "RowDraft", "assemble", "layer_warnings", "row_of", "summary_of_failure", "summary_of_layer", "summary_of_network"]
