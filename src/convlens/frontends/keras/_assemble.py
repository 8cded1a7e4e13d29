"""Assembling the summary record of a Keras model from its calls and the core's results.

One row per call, named as Keras names the layer (``outer.inner`` inside a nested model), with
the core's shapes, weights, MACs, receptive field and worked calculation. A nested model gets a
container row followed by its own layers one level deeper (``expand_nested=True``), or one row
holding all of their weights and costs (``expand_nested=False``, Keras's default view). A later
call of a shared layer keeps its shapes and MACs (it computes again) but owns no weights: the
layer's parameters are counted once, as Keras counts them.
"""

from __future__ import annotations

from dataclasses import replace

from ...i18n import tr
from ...record import LayerRow, Summary, weight_totals
from ._graph import Call


def rows_of(calls: list[Call], summary: Summary, *, expand_nested: bool, batch=None, same_sizes: bool = True) -> list[LayerRow]:
    """The final rows, in call order: core rows renamed and re-depthed, containers added
    (with ``batch`` in place of Keras's ``None`` when the model is read at a given batch)."""
    def batched(shape):
        return shape if batch is None or not shape else (batch,) + tuple(shape[1:])

    by_name = {r.name: r for r in summary.layers}
    shown = {c.name: c.row_name for c in calls}
    shown["input"] = "input"
    rows: list[LayerRow] = []
    for call in calls:
        if call.container:
            rows.append(LayerRow(
                name=call.row_name, type=type(call.op).__name__, depth=call.depth, input_shapes=tuple(batched(x) for x in call.input_shapes),
                output_shape=batched(call.output_shapes[0]),  # a nested model with several outputs shows its first
                kind="container", is_leaf=False, repeated=call.repeated, code=f"{type(call.op).__name__} '{call.op.name}'",
                connected_to=tuple(shown.get(i, i) for i in call.inputs),
            ))
            continue
        row = by_name.get(call.name)
        if row is None:  # the network stopped before this call
            continue
        row = replace(row, name=call.row_name, depth=call.depth, repeated=call.repeated,
                      connected_to=() if _is_input(call.op) else tuple(shown.get(i, i) for i in call.inputs))
        if call.repeated:
            row = replace(row, weights=(), calculation=row.calculation + (tr("a repeated call of {layer}: its {n} parameters are counted at its first call", layer=repr(call.row_name),
                                                            n=f"{sum(w.numel for w in by_name[call.name].weights):,}"),))
        rows.append(row)
    _fill_containers(rows, shapes_from_inner=not same_sizes)
    return rows if expand_nested else collapse(rows)


def _is_input(op) -> bool:
    import keras

    return isinstance(op, keras.layers.InputLayer)


def _subtree(rows, i) -> int:
    j = i + 1
    while j < len(rows) and rows[j].depth > rows[i].depth:
        j += 1
    return j


def _fill_containers(rows: list[LayerRow], *, shapes_from_inner: bool) -> None:
    """A container's receptive field is its last layer's; so are its shapes when the model is read
    at another input size than Keras built it for (Keras's own shapes no longer apply)."""
    for i, row in enumerate(rows):
        if not row.is_leaf:
            inner = [r for r in rows[i + 1:_subtree(rows, i)] if r.is_leaf]
            if inner:
                rows[i] = replace(row, receptive_field=inner[-1].receptive_field)
            if inner and shapes_from_inner:
                rows[i] = replace(rows[i], input_shapes=inner[0].input_shapes, output_shape=inner[-1].output_shape)


def collapse(rows: list[LayerRow]) -> list[LayerRow]:
    """Keras's default view: every top-level nested model as one row owning its layers' weights and costs."""
    out, i = [], 0
    while i < len(rows):
        row = rows[i]
        if row.is_leaf:
            out.append(row)
            i += 1
            continue
        end = _subtree(rows, i)
        inner = rows[i + 1:end]
        weights = tuple(replace(w, name=f"{r.name.split('.', 1)[-1]}.{w.name}") for r in inner for w in r.weights)
        out.append(replace(
            row, kind="layer", is_leaf=True, weights=weights, macs=known_sum(r.macs for r in inner), flops=known_sum(r.flops for r in inner),
            calculation=(tr("nested model of {n} layers; expand_nested=True (or --depth) lists them", n=sum(1 for r in inner if r.is_leaf)),),
            warnings=tuple(w for r in inner for w in r.warnings),
        ))
        i = end
    return out


def known_sum(values) -> int | None:
    """The sum, or None when any term is unknown (MACs of a model whose input size is free)."""
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def totals(rows: list[LayerRow]) -> dict:
    leaves = [r for r in rows if r.is_leaf]
    return dict(
        **weight_totals((w for r in leaves for w in r.weights), (b for r in leaves for b in r.buffers)),
        total_macs=known_sum(r.macs for r in leaves), total_flops=known_sum(r.flops for r in leaves),
    )
