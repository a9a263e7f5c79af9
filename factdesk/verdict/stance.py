"""Stance models: (claim, evidence) pairs -> probabilities over supports / refutes / NEI.

Every stance model returns an array of shape (n, 3) whose columns follow
`factdesk.types.STANCE_ORDER` (supports, refutes, not_enough_info), rows summing to 1.
The `StanceModel` Protocol lives with the pipeline's other Protocols in `factdesk.protocols`;
it is re-exported here, its older home.
"""

from __future__ import annotations

from factdesk.protocols import StanceModel as StanceModel

__all__ = ["StanceModel"]
