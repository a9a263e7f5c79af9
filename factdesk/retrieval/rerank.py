"""Re-ranking judged evidence: the stance model's relevance first, retrieval rank as tie-break.

Candidates come back from retrieval in fused order; once the stance model has judged them,
a passage that clearly supports or refutes the claim is worth more than one that merely
shares its words. `RelevanceReranker` scores each item

    rerank = relevance_weight * relevance + retrieval_weight * fused / max(fused)

where ``relevance = 1 - P(not enough info)`` (set by the judge) and ``fused`` is the
retrieval's fused score, scaled so the best candidate has 1. The defaults (0.7, 0.3) are the
weights the desk has always used; they keep the verdicts and benchmark figures unchanged.

>>> from factdesk.types import Claim, Document, Evidence, Passage
>>> def ev(text, relevance, fused):
...     d = Document(text=text)
...     return Evidence(Passage(d.id, text, 0, len(text)), d, {"relevance": relevance, "fused": fused})
>>> ranked = RelevanceReranker().run(Claim("x"), [ev("a", 0.1, 0.03), ev("b", 0.9, 0.01)], top_k=1)
>>> [e.passage.text for e in ranked], round(ranked[0].scores["rerank"], 2)
(['b'], 0.73)
"""

from __future__ import annotations

from factdesk.types import Claim, Evidence


class RelevanceReranker:
    """Orders judged evidence by relevance to the claim, blended with the retrieval score.

    Args:
        relevance_weight: weight of the stance model's relevance, 1 - P(not enough info).
        retrieval_weight: weight of the fused retrieval score, scaled to the best candidate.
    """

    def __init__(self, relevance_weight: float = 0.7, retrieval_weight: float = 0.3) -> None:
        if relevance_weight < 0 or retrieval_weight < 0 or relevance_weight + retrieval_weight <= 0:
            raise ValueError(
                f"weights must be >= 0 and not both 0, got relevance_weight={relevance_weight}, "
                f"retrieval_weight={retrieval_weight}; the defaults are 0.7 and 0.3"
            )
        self.relevance_weight = relevance_weight
        self.retrieval_weight = retrieval_weight

    def __repr__(self) -> str:
        return f"RelevanceReranker(relevance_weight={self.relevance_weight}, retrieval_weight={self.retrieval_weight})"

    def warm_up(self) -> None:
        """Nothing to load."""

    def run(self, claim: Claim, evidence: list[Evidence], top_k: int) -> list[Evidence]:
        """Set ``scores["rerank"]`` on every item and return the `top_k` best, best first."""
        top = max((e.scores.get("fused", 0.0) for e in evidence), default=1.0) or 1.0
        for e in evidence:
            e.scores["rerank"] = (
                self.relevance_weight * e.scores.get("relevance", 0.0)
                + self.retrieval_weight * e.scores.get("fused", 0.0) / top
            )
        return sorted(evidence, key=lambda e: -e.scores["rerank"])[:top_k]
