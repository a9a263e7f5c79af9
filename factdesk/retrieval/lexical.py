"""Lexical retrieval: BM25 over the store's full-text index, with the claim's content words.

An English claim (or one whose language cannot be told) searches the stemmed index with its
words (`lexical_query`); a claim in another language searches the passages' lemmas with its
lemmas (`lemma_query`), when the store keeps them (`MultilingualIndex`).

>>> from factdesk.store.sqlite import SQLiteStore
>>> from factdesk.testing.fakes import FakeEmbedder
>>> from factdesk.types import Claim, Document, Passage
>>> s = SQLiteStore(":memory:")
>>> d = Document(text="Russia began air strikes in Syria in September 2015.")
>>> _ = s.add_document(d, [Passage(d.id, d.text, 0, len(d.text))], FakeEmbedder().embed([d.text]))
>>> [e.document.id == d.id for e in LexicalRetriever(s).run(Claim("Did Russia strike Syria?"))]
[True]
>>> r = Document(text="Польша направила к границе с Беларусью военных.", language="ru")
>>> _ = s.add_document(r, [Passage(r.id, r.text, 0, len(r.text))], FakeEmbedder().embed([r.text]))
>>> [e.document.id == r.id for e in LexicalRetriever(s).run(Claim("Военные Польши у границы", language="ru"))]
[True]
"""

from __future__ import annotations

import datetime as dt

from factdesk.retrieval.multilingual import claim_language, is_english
from factdesk.retrieval.query import lemma_query, lexical_query
from factdesk.store.base import EvidenceStore, Hit, MultilingualIndex
from factdesk.types import Claim, Evidence


class LexicalRetriever:
    """Passages sharing content words (or lemmas) with the claim, BM25-ranked (scores under ``"bm25"``)."""

    def __init__(self, store: EvidenceStore) -> None:
        self.store = store

    def warm_up(self) -> None:
        """Nothing to load."""

    def hits(self, claim: Claim, k: int, before: dt.date | None = None, lang: str | None = None) -> list[Hit]:
        """The store's `k` best passage ids for the claim's query, best first (`lang`: the claim's, if known)."""
        lang = lang or claim_language(claim)
        if not is_english(lang) and isinstance(self.store, MultilingualIndex):
            return self.store.lemma_search(lemma_query(claim.text, lang), k, before)
        return self.store.lexical_search(lexical_query(claim.text), k, before)

    def run(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]:
        hits = self.hits(claim, top_k, before)
        rows = {p.id: (p, d) for p, d in self.store.get_passages([h.passage_id for h in hits])}
        return [
            Evidence(passage=rows[h.passage_id][0], document=rows[h.passage_id][1], scores={"bm25": h.score})
            for h in hits
            if h.passage_id in rows
        ]
