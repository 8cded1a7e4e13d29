"""The summary record: the one object every front end produces and every renderer reads.

Numbers and structured text only; no formatting (that lives in ``convlens.render``).
"""

from .summary import Diagnostic, DiagnosticCode, Framework, LayerRow, MemoryEstimate, RowKind, Severity, Summary, WeightInfo, weight_totals

__all__ = ["Diagnostic", "DiagnosticCode", "Framework", "LayerRow", "MemoryEstimate", "RowKind", "Severity", "Summary", "WeightInfo", "weight_totals"]
