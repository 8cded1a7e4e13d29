"""The record: frozen once built, typed options, data independent of any writer."""

from __future__ import annotations

import dataclasses
import json

import pytest

from convlens.core import calc
from convlens.frontends.build import assemble, summary_of_layer
from convlens.record import Diagnostic, DiagnosticCode, Framework, LayerRow, RowKind, Severity, Summary, WeightInfo


def _summary() -> Summary:
    return summary_of_layer(calc("Conv2d", (1, 1, 28, 28), out_channels=20, kernel_size=5, padding=2))


def test_summary_cannot_change_after_it_is_built():
    s = _summary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.total_params = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.layers[0].failed = "no"  # rows are frozen too
    with pytest.raises(AttributeError):
        s.diagnostics.append(Diagnostic("error", "x", "y"))  # tuples, not lists
    copy = dataclasses.replace(s, title="changed")
    assert copy.title == "changed" and s.title != "changed"
    row = dataclasses.replace(s.layers[0], failed="a copy may differ")
    assert row.failed and not s.layers[0].failed


def test_string_options_are_enums_validated_at_the_entry():
    s = _summary()
    assert s.framework is Framework.CORE and s.layers[0].kind is RowKind.LAYER
    assert Diagnostic("warning", "c", "m").severity is Severity.WARNING
    with pytest.raises(ValueError, match="severity='fatal' is not one of 'error', 'warning', 'info'"):
        Diagnostic("fatal", "c", "m")
    with pytest.raises(ValueError, match="framework='jax'"):
        dataclasses.replace(s, framework="jax")


@pytest.mark.parametrize("dtype_bytes, expected", [(4, 4 * 520), (2, 2 * 520), (8, 8 * 520)])
def test_param_bytes_follow_each_weights_dtype(dtype_bytes, expected):
    row = LayerRow("conv", "Conv2d", 0, ((1, 1, 28, 28),), (1, 20, 28, 28),
                   (WeightInfo("weight", (20, 1, 5, 5), dtype_bytes=dtype_bytes), WeightInfo("bias", (20,), dtype_bytes=dtype_bytes)))
    s = assemble(title="t", framework="torch", input_shapes=[(1, 1, 28, 28)], output_shapes=[(1, 20, 28, 28)], rows=[row])
    assert (s.total_params, s.param_bytes) == (520, expected)


def test_assemble_refuses_unknown_totals():
    with pytest.raises(TypeError, match="unknown keys"):
        assemble(title="t", framework="core", input_shapes=(), output_shapes=(), rows=(), totals={"params": 1})


def test_to_dict_holds_plain_values():
    d = _summary().to_dict()
    assert d["framework"] == "core" and type(d["framework"]) is str
    assert d["layers"][0]["kind"] == "layer" and d["layers"][0]["params"] == 520


@pytest.mark.parametrize("code, expected", [
    ("forward-failed", DiagnosticCode.FORWARD_FAILED),  # a front end's text: the enum member, one identity to compare
    (DiagnosticCode.BATCH_FOLDED, DiagnosticCode.BATCH_FOLDED),
    (DiagnosticCode.for_argument("Linear", "in_features"), DiagnosticCode.LINEAR_IN_FEATURES),
])
def test_a_diagnostics_code_is_the_enum_member(code, expected):
    assert Diagnostic("error", code, "m").code is expected


def test_a_layer_arguments_code_stays_text_and_serialises_as_before():
    d = Diagnostic("error", DiagnosticCode.for_argument("MaxPool2d", "kernel_size"), "m")
    assert d.code == "maxpool2d-kernel-size" and not isinstance(d.code, DiagnosticCode)
    s = assemble(title="t", framework=Framework.CORE, input_shapes=((1, 1, 4, 4),), output_shapes=(), rows=[],
                 diagnostics=[d, Diagnostic("warning", "layer-warning", "w")])
    assert [x["code"] for x in json.loads(s.to_json())["diagnostics"]] == ["maxpool2d-kernel-size", "layer-warning"]


def test_every_code_a_front_end_writes_is_a_diagnostic_code():
    """Codes written as text (``Diagnostic("error", "batch-folded", …)``, ``self._diag(…)``) must be
    DiagnosticCode values: a new kind of diagnostic is added to the enum, not invented in place."""
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "convlens"
    written = {}
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("Diagnostic", "_diag") \
                    and len(node.args) > 1:
                code = node.args[1]
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    written[code.value] = path.relative_to(src)
                elif isinstance(code, ast.Attribute) and getattr(code.value, "id", None) == "DiagnosticCode" and code.attr.isupper():
                    written[DiagnosticCode[code.attr].value] = path.relative_to(src)
    assert len(written) >= 5, "the walk no longer sees how front ends write their codes"
    assert {c: p for c, p in written.items() if c not in set(DiagnosticCode)} == {}
