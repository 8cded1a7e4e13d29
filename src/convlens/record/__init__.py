"""The summary record: the one object every front end produces and every renderer reads.

Numbers and structured text only; no formatting (that lives in ``convlens.render``).
"""

from .summary import Diagnostic, LayerRow, MemoryEstimate, Summary, WeightInfo

__all__ = ["Diagnostic", "LayerRow", "MemoryEstimate", "Summary", "WeightInfo"]
