"""Hybrid retrieval: BM25 (the store's lexical index) and dense search, fused by reciprocal rank.

>>> rrf([["a", "b"], ["b", "c"]], k=60)[0][0]
'b'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from factdesk.models.embed import Embedder
from factdesk.store.base import EvidenceStore
from factdesk.types import Claim, Evidence


def rrf(rankings: Sequence[Sequence[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings an id appears in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, 1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever(Protocol):
    def warm_up(self) -> None: ...

    def run(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]: ...


class HybridRetriever:
    """Lexical + dense candidates from one store, fused with RRF, near-duplicates removed."""

    def __init__(self, store: EvidenceStore, embedder: Embedder, candidates: int = 50, rrf_k: int = 60) -> None:
        if candidates < 1:
            raise ValueError("candidates must be >= 1")
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def run(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]:
        n = max(self.candidates, top_k)
        lexical = self.store.lexical_search(claim.text, n, before)
        dense = self.store.dense_search(self.embedder.embed([claim.text])[0], n, before)
        fused = rrf([[h.passage_id for h in lexical], [h.passage_id for h in dense]], self.rrf_k)
        lex = {h.passage_id: h.score for h in lexical}
        den = {h.passage_id: h.score for h in dense}
        wanted = [pid for pid, _ in fused[: n]]
        rows = {p.id: (p, d) for p, d in self.store.get_passages(wanted)}
        out: list[Evidence] = []
        seen_text: set[str] = set()
        for pid, score in fused:
            if pid not in rows:
                continue
            p, d = rows[pid]
            key = " ".join(p.text.lower().split())
            if key in seen_text:  # the same sentence syndicated by two outlets counts once
                continue
            seen_text.add(key)
            scores = {"fused": score}
            if pid in lex:
                scores["bm25"] = lex[pid]
            if pid in den:
                scores["dense"] = den[pid]
            out.append(Evidence(passage=p, document=d, scores=scores))
            if len(out) >= n:
                break
        return out
