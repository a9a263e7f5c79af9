"""Hybrid retrieval: lexical (BM25) and dense candidates, fused by reciprocal rank.

Which rankings a claim gets depends on its language (`factdesk.retrieval.multilingual`):
an English claim fuses BM25, MiniLM and (with a `multilingual` encoder) e5's passages in
other languages; a claim in another language fuses BM25 on lemmas and e5 over every passage.

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

from factdesk.models.embed import DualEncoder, Embedder
from factdesk.protocols import Retriever
from factdesk.retrieval.dense import DenseRetriever
from factdesk.retrieval.fusion import rrf, text_key
from factdesk.retrieval.lexical import LexicalRetriever
from factdesk.retrieval.multilingual import MultilingualDenseRetriever, claim_language, is_english
from factdesk.store.base import EvidenceStore, Hit, MultilingualIndex
from factdesk.types import Claim, Evidence

__all__ = ["HybridRetriever", "Retriever", "rrf"]  # Retriever and rrf: their old home, kept importable


class HybridRetriever:
    """Lexical + dense candidates from one store, fused with RRF, near-duplicates removed.

    Args:
        store: the evidence store both searches run on.
        embedder: embeds an English claim for the dense search (MiniLM).
        candidates: how many hits each search contributes (at least `top_k`).
        rrf_k: the constant of reciprocal rank fusion.
        multilingual: the cross-lingual encoder (e5); None keeps the English-only retrieval
            (a claim in another language then gets BM25 and `embedder`'s ranking, as before).
            Ignored, with the English-only retrieval, when the store keeps no multilingual index.
        multilingual_weight: the weight in the fusion of e5's ranking for a claim not in
            English (the other rankings weigh 1). Its lemma ranking can only find passages in
            the claim's own language, so at equal weights a same-language passage on the same
            subject beats the evidence in another language that only e5 finds; 2 gave hit@1
            9/14 instead of 6/14 on the non-English claims of `factdesk.testing.crosslingual`
            (hit@2 12/14 both; BENCHMARKS.md). An English claim's rankings all weigh 1.
    """

    def __init__(
        self,
        store: EvidenceStore,
        embedder: Embedder,
        candidates: int = 50,
        rrf_k: int = 60,
        multilingual: DualEncoder | None = None,
        multilingual_weight: float = 2.0,
    ) -> None:
        if candidates < 1:
            raise ValueError("candidates must be >= 1")
        if multilingual_weight <= 0:
            raise ValueError(f"multilingual_weight must be > 0, got {multilingual_weight}; the default is 2.0")
        self.multilingual_weight = multilingual_weight
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.lexical = LexicalRetriever(store)
        self.dense = DenseRetriever(store, embedder)
        self.multilingual: MultilingualDenseRetriever | None = (
            MultilingualDenseRetriever(store, multilingual)
            if multilingual is not None and isinstance(store, MultilingualIndex)
            else None
        )

    def warm_up(self) -> None:
        self.lexical.warm_up()
        self.dense.warm_up()
        if self.multilingual is not None:
            self.multilingual.warm_up()

    def rankings(self, claim: Claim, n: int, before: dt.date | None = None) -> dict[str, tuple[float, list[Hit]]]:
        """The rankings fused for this claim with their weights, by score name (``bm25``,
        ``dense``: MiniLM, ``dense_ml``: e5)."""
        lang = claim_language(claim)
        out = {"bm25": (1.0, self.lexical.hits(claim, n, before, lang=lang))}
        english = is_english(lang)
        if english or self.multilingual is None:
            out["dense"] = (1.0, self.dense.hits(claim, n, before))
        if self.multilingual is not None:
            weight = 1.0 if english else self.multilingual_weight
            out["dense_ml"] = (weight, self.multilingual.hits(claim, n, before, other_languages_only=english))
        return out

    def run(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]:
        """Up to max(`candidates`, `top_k`) passages, best fused score first."""
        n = max(self.candidates, top_k)
        ranked = self.rankings(claim, n, before)
        fused = rrf(
            [[h.passage_id for h in hits] for _, hits in ranked.values()],
            self.rrf_k,
            weights=[w for w, _ in ranked.values()],
        )
        by_name = {name: {h.passage_id: h.score for h in hits} for name, (_, hits) in ranked.items()}
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
            for name, got in by_name.items():
                if pid in got:
                    scores[name] = got[pid]
            out.append(Evidence(passage=p, document=d, scores=scores))
            if len(out) >= n:
                break
        return out
