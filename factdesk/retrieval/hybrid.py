"""Hybrid retrieval: lexical (BM25) and dense candidates, fused by reciprocal rank.

>>> from factdesk.store.sqlite import SQLiteStore
>>> from factdesk.testing.fakes import FakeEmbedder
>>> from factdesk.types import Claim, Document, Passage
>>> s, emb = SQLiteStore(":memory:"), FakeEmbedder()
>>> d = Document(text="Russia began air strikes in Syria in September 2015.")
>>> _ = s.add_document(d, [Passage(d.id, d.text, 0, len(d.text))], emb.embed([d.text]))
>>> sorted(HybridRetriever(s, emb).run(Claim("Russian air strikes in Syria"))[0].scores)
['bm25', 'dense', 'fused']
"""

from __future__ import annotations

import datetime as dt

from factdesk.models.embed import Embedder
from factdesk.protocols import Retriever
from factdesk.retrieval.dense import DenseRetriever
from factdesk.retrieval.fusion import rrf, text_key
from factdesk.retrieval.lexical import LexicalRetriever
from factdesk.store.base import EvidenceStore
from factdesk.types import Claim, Evidence

__all__ = ["HybridRetriever", "Retriever", "rrf"]  # Retriever and rrf: their old home, kept importable


class HybridRetriever:
    """Lexical + dense candidates from one store, fused with RRF, near-duplicates removed.

    Args:
        store: the evidence store both searches run on.
        embedder: embeds the claim for the dense search.
        candidates: how many hits each search contributes (at least `top_k`).
        rrf_k: the constant of reciprocal rank fusion.
    """

    def __init__(self, store: EvidenceStore, embedder: Embedder, candidates: int = 50, rrf_k: int = 60) -> None:
        if candidates < 1:
            raise ValueError("candidates must be >= 1")
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.lexical = LexicalRetriever(store)
        self.dense = DenseRetriever(store, embedder)

    def warm_up(self) -> None:
        self.lexical.warm_up()
        self.dense.warm_up()

    def run(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]:
        """Up to max(`candidates`, `top_k`) passages, best fused score first."""
        n = max(self.candidates, top_k)
        lexical = self.lexical.hits(claim, n, before)
        dense = self.dense.hits(claim, n, before)
        fused = rrf([[h.passage_id for h in lexical], [h.passage_id for h in dense]], self.rrf_k)
        lex = {h.passage_id: h.score for h in lexical}
        den = {h.passage_id: h.score for h in dense}
        wanted = [pid for pid, _ in fused[:n]]
        rows = {p.id: (p, d) for p, d in self.store.get_passages(wanted)}
        out: list[Evidence] = []
        seen_text: set[str] = set()
        for pid, score in fused:
            if pid not in rows:
                continue
            p, d = rows[pid]
            key = text_key(p.text)
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
