"""Stance models: (claim, evidence) pairs -> probabilities over supports / refutes / NEI.

Every stance model returns an array of shape (n, 3) whose columns follow
`factdesk.types.STANCE_ORDER` (supports, refutes, not_enough_info), rows summing to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class StanceModel(Protocol):
    """What the judge needs from a stance model."""

    def warm_up(self) -> None: ...

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Return (n, 3) probabilities for (claim, evidence) pairs."""
        ...
