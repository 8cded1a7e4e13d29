"""Moved: the chain front end is ``frontends.chain``, the core→Summary builder ``frontends.build``.

Kept for branches merging in — remove at integration.
"""

from ..core.costs import COST_NOTE  # noqa: F401  moved to core.costs; kept for branches merging in — remove at integration
from .build import summary_of_failure, summary_of_layer, summary_of_network  # noqa: F401  moved to frontends.build; kept for branches merging in — remove at integration
from .chain import (  # noqa: F401  moved to frontends.chain; kept for branches merging in — remove at integration
    LayerCall, ParseError, ParsedLayer, chain_summary, network_summary, parse_call, parse_chain, parse_layer, parse_value, with_batch,
)
