"""The default reranker: its named weights, the formula it keeps, and its checks."""

from __future__ import annotations

import pytest

from factdesk.protocols import Reranker
from factdesk.retrieval.rerank import RelevanceReranker
from factdesk.types import Claim, Document, Evidence, Passage


def ev(text: str, relevance: float, fused: float) -> Evidence:
    d = Document(text=text)
    return Evidence(Passage(d.id, text, 0, len(text)), d, {"relevance": relevance, "fused": fused})


def test_default_weights_are_the_desks_long_standing_ones() -> None:
    r = RelevanceReranker()
    assert (r.relevance_weight, r.retrieval_weight) == (0.7, 0.3) and isinstance(r, Reranker)
    items = [ev("a", 0.2, 0.032), ev("b", 0.9, 0.016), ev("c", 0.5, 0.030), ev("d", 0.0, 0.0)]
    out = r.run(Claim("x"), items, top_k=3)
    assert [e.passage.text for e in out] == ["b", "c", "a"]
    for e in items:  # exactly the formula check() used inline before it became a stage
        assert e.scores["rerank"] == 0.7 * e.scores["relevance"] + 0.3 * e.scores["fused"] / 0.032


def test_weights_change_the_order() -> None:
    items = [ev("lexical favourite", 0.1, 0.03), ev("judged relevant", 0.8, 0.01)]
    assert RelevanceReranker(0.0, 1.0).run(Claim("x"), items, 1)[0].passage.text == "lexical favourite"
    assert RelevanceReranker(1.0, 0.0).run(Claim("x"), items, 1)[0].passage.text == "judged relevant"


def test_no_candidates_and_bad_weights() -> None:
    assert RelevanceReranker().run(Claim("x"), [], top_k=5) == []
    with pytest.raises(ValueError, match="0.7 and 0.3"):
        RelevanceReranker(relevance_weight=-1)
    with pytest.raises(ValueError):
        RelevanceReranker(0.0, 0.0)
