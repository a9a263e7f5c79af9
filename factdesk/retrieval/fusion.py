"""Fusion of rankings, and the near-duplicate rule used when fused candidates become evidence.

>>> rrf([["a", "b"], ["b", "c"]], k=60)[0][0]
'b'
"""

from __future__ import annotations

from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings an id appears in.

    Ties are broken by id, so the fused order is deterministic.
    """
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, 1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def text_key(text: str) -> str:
    """Passages with the same key count once (the same sentence syndicated by two outlets).

    >>> text_key("Minsk  is\\nin Belarus.") == text_key("minsk is in belarus.")
    True
    """
    return " ".join(text.lower().split())
