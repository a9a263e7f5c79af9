"""Fusion of rankings, and the near-duplicate rule used when fused candidates become evidence.

>>> rrf([["a", "b"], ["b", "c"]], k=60)[0][0]
'b'
"""

from __future__ import annotations

from collections.abc import Sequence


def rrf(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the rankings an id appears in.

    `weights`: one per ranking (default: all 1). Ties are broken by id, so the fused order is
    deterministic.

    >>> [pid for pid, _ in rrf([["a", "b"], ["b", "a"]], weights=[1.0, 2.0])]
    ['b', 'a']
    """
    if weights is not None and len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    scores: dict[str, float] = {}
    for j, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[j]
        for rank, pid in enumerate(ranking, 1):
            scores[pid] = scores.get(pid, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def text_key(text: str) -> str:
    """Passages with the same key count once (the same sentence syndicated by two outlets).

    >>> text_key("Minsk  is\\nin Belarus.") == text_key("minsk is in belarus.")
    True
    """
    return " ".join(text.lower().split())
