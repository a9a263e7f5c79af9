"""add_document with many passages, none, and a failure half-way, on every backend.

PostgreSQL inserts a document and all its passages in one statement (arrays unnested on
the server); these cases pin what that statement must keep: every field and vector of every
passage, the input order, and all-or-nothing when a passage is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from factdesk.errors import StoreError
from factdesk.types import Document, Passage

DIM = 8


def many_passages(n: int) -> tuple[Document, list[Passage], np.ndarray]:
    sentences = [f"Sentence number {i} mentions reservoir{i} and the dam." for i in range(n)]
    doc = Document(text=" ".join(sentences), published="2021-06-01", title="Many passages")
    passages, at = [], 0
    for i, s in enumerate(sentences):
        passages.append(Passage(doc.id, s, at, at + len(s), index=i))
        at += len(s) + 1
    rng = np.random.default_rng(3)
    vecs = rng.standard_normal((n, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return doc, passages, vecs


def test_a_document_with_many_passages_round_trips(store: Any) -> None:
    doc, passages, vecs = many_passages(60)
    assert store.add_document(doc, passages, vecs) is True
    assert store.stats() == {"documents": 1, "passages": 60, "checks": 0}
    back = store.get_passages([p.id for p in passages])
    assert [p for p, _ in back] == passages  # ids, text, offsets and index intact, in the order asked
    assert all(d.id == doc.id for _, d in back)
    for i in (0, 31, 59):  # each passage's own vector comes back first, with its score
        hits = store.dense_search(vecs[i], k=1)
        assert [h.passage_id for h in hits] == [passages[i].id]
        assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert [h.passage_id for h in store.lexical_search("reservoir42", k=5)] == [passages[42].id]


def test_adding_it_again_adds_nothing(store: Any) -> None:
    doc, passages, vecs = many_passages(12)
    assert store.add_document(doc, passages, vecs) is True
    assert store.add_document(doc, passages[:3], vecs[:3]) is False
    assert store.stats() == {"documents": 1, "passages": 12, "checks": 0}


def test_a_document_without_passages_is_stored(store: Any) -> None:
    doc = Document(text="A title page with nothing to cite.")
    assert store.add_document(doc, [], np.zeros((0, DIM), np.float32)) is True
    assert store.get_document(doc.id) == doc
    assert store.stats() == {"documents": 1, "passages": 0, "checks": 0}


def test_postgres_stores_all_of_a_document_or_none_of_it(pg_database: str) -> None:
    from factdesk.store.postgres import PostgresStore

    store = PostgresStore(pg_database, dim=DIM)
    try:
        doc, passages, vecs = many_passages(10)
        vecs[7, 0] = np.nan  # pgvector refuses NaN: the 8th passage fails on the server
        with pytest.raises(StoreError, match="could not store"):
            store.add_document(doc, passages, vecs)
        assert not store.has_document(doc.id)
        assert store.stats() == {"documents": 0, "passages": 0, "checks": 0}
        vecs[7, 0] = 0.5
        assert store.add_document(doc, passages, vecs) is True  # the store is usable afterwards
        assert store.stats() == {"documents": 1, "passages": 10, "checks": 0}
    finally:
        store.close()
