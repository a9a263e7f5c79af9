"""Dense retrieval: the passages whose vectors are nearest the claim's embedding.

>>> from factdesk.store.sqlite import SQLiteStore
>>> from factdesk.testing.fakes import FakeEmbedder
>>> from factdesk.types import Claim, Document, Passage
>>> s, emb = SQLiteStore(":memory:"), FakeEmbedder()
>>> d = Document(text="Russia began air strikes in Syria in September 2015.")
>>> _ = s.add_document(d, [Passage(d.id, d.text, 0, len(d.text))], emb.embed([d.text]))
>>> [e.document.id == d.id for e in DenseRetriever(s, emb).run(Claim("Russian air strikes in Syria"))]
[True]
"""

from __future__ import annotations

import datetime as dt

from factdesk.models.embed import Embedder
from factdesk.store.base import EvidenceStore, Hit
from factdesk.types import Claim, Evidence


class DenseRetriever:
    """Nearest passages by inner product of L2-normalised embeddings (scores under ``"dense"``)."""

    def __init__(self, store: EvidenceStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def hits(self, claim: Claim, k: int, before: dt.date | None = None) -> list[Hit]:
        """The store's `k` nearest passage ids to the claim's embedding, best first."""
        return self.store.dense_search(self.embedder.embed([claim.text])[0], k, before)

    def run(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]:
        hits = self.hits(claim, top_k, before)
        rows = {p.id: (p, d) for p, d in self.store.get_passages([h.passage_id for h in hits])}
        return [
            Evidence(passage=rows[h.passage_id][0], document=rows[h.passage_id][1], scores={"dense": h.score})
            for h in hits
            if h.passage_id in rows
        ]
