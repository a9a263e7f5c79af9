"""Lexical, dense and hybrid retrieval over a real SQLite store with the fake embedder."""

from __future__ import annotations

import datetime as dt
from typing import Any

from factdesk.protocols import Retriever
from factdesk.retrieval.dense import DenseRetriever
from factdesk.retrieval.fusion import rrf
from factdesk.retrieval.hybrid import HybridRetriever
from factdesk.retrieval.lexical import LexicalRetriever
from factdesk.testing.fakes import FakeEmbedder
from factdesk.types import Claim


def test_retrieve_finds_the_right_passage_and_respects_before(fake_desk: Any, tiny_corpus: Any) -> None:
    fake_desk.ingest(tiny_corpus)
    claim = Claim(text="Russia started air strikes in Syria in 2015")
    ev = fake_desk.retrieve(claim, top_k=2)
    assert ev[0].document.publisher == "Reuters"
    assert {"fused", "bm25", "dense"} <= set(ev[0].scores)
    ev = fake_desk.retrieve(Claim(text="sanctions on Belarus"), top_k=4, before=dt.date(2021, 1, 1))
    assert all(e.document.published < dt.date(2021, 1, 1) for e in ev)
    assert "Council of the EU" not in {e.document.publisher for e in ev}


def test_each_retriever_alone(fake_desk: Any, tiny_corpus: Any) -> None:
    fake_desk.ingest(tiny_corpus)
    store, emb = fake_desk.store, FakeEmbedder()
    claim = Claim(text="UNHCR registered Syrian refugees")
    for r in (LexicalRetriever(store), DenseRetriever(store, emb), HybridRetriever(store, emb)):
        assert isinstance(r, Retriever)
        r.warm_up()
        ev = r.run(claim, top_k=2)
        assert ev[0].document.publisher == "UNHCR", type(r).__name__
    lex = LexicalRetriever(store).run(claim, top_k=10)
    assert set(lex[0].scores) == {"bm25"}
    assert LexicalRetriever(store).run(Claim(text="the of and"), top_k=5) == []  # stop words only
    dense = DenseRetriever(store, emb).run(claim, top_k=10, before=dt.date(2015, 12, 1))
    assert dense and all(e.document.published < dt.date(2015, 12, 1) for e in dense)


def test_hybrid_fuses_both_rankings_and_drops_repeated_text(fake_desk: Any, tiny_corpus: Any) -> None:
    from factdesk.types import Document

    fake_desk.ingest(tiny_corpus)
    again = tiny_corpus[0].text  # the same sentence from a second outlet
    fake_desk.ingest([Document(text=again + " ", publisher="Syndicated", published="2015-10-02")])
    store, emb = fake_desk.store, FakeEmbedder()
    claim = Claim(text="Russia air strikes Syria")
    ev = HybridRetriever(store, emb).run(claim, top_k=5)
    assert [" ".join(e.passage.text.split()) for e in ev].count(" ".join(again.split())) == 1
    lex = [h.passage_id for h in LexicalRetriever(store).hits(claim, 50)]
    den = [h.passage_id for h in DenseRetriever(store, emb).hits(claim, 50)]
    fused = dict(rrf([lex, den]))
    assert [e.scores["fused"] for e in ev] == [fused[e.passage.id] for e in ev]
