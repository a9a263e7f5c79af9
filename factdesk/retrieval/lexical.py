"""Lexical retrieval: BM25 over the store's full-text index, with the claim's content words.

>>> from factdesk.store.sqlite import SQLiteStore
>>> from factdesk.testing.fakes import FakeEmbedder
>>> from factdesk.types import Claim, Document, Passage
>>> s = SQLiteStore(":memory:")
>>> d = Document(text="Russia began air strikes in Syria in September 2015.")
>>> _ = s.add_document(d, [Passage(d.id, d.text, 0, len(d.text))], FakeEmbedder().embed([d.text]))
>>> [e.document.id == d.id for e in LexicalRetriever(s).run(Claim("Did Russia strike Syria?"))]
[True]
"""

from __future__ import annotations

import datetime as dt

from factdesk.retrieval.query import lexical_query
from factdesk.store.base import EvidenceStore, Hit
from factdesk.types import Claim, Evidence


class LexicalRetriever:
    """Passages sharing content words with the claim, BM25-ranked (scores under ``"bm25"``)."""

    def __init__(self, store: EvidenceStore) -> None:
        self.store = store

    def warm_up(self) -> None:
        """Nothing to load."""

    def hits(self, claim: Claim, k: int, before: dt.date | None = None) -> list[Hit]:
        """The store's `k` best passage ids for the claim's query, best first."""
        return self.store.lexical_search(lexical_query(claim.text), k, before)

    def run(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]:
        hits = self.hits(claim, top_k, before)
        rows = {p.id: (p, d) for p, d in self.store.get_passages([h.passage_id for h in hits])}
        return [
            Evidence(passage=rows[h.passage_id][0], document=rows[h.passage_id][1], scores={"bm25": h.score})
            for h in hits
            if h.passage_id in rows
        ]
