"""add_document with many passages, none, and a failure half-way, on every backend.

PostgreSQL inserts a document and all its passages in one statement (arrays unnested on
the server); these cases pin what that statement must keep: every field and vector of every
passage, the input order, and all-or-nothing when a passage is refused. PostgreSQL's
`bulk_load()` (no HNSW upkeep per row, one index build at the end, with its own
maintenance_work_mem so that a 1M-row graph builds in memory) is pinned at the end.
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


@pytest.mark.integration
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


def _index_exists(store: Any) -> bool:
    row = store._conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'passages_embedding'").fetchone()
    return row is not None


@pytest.mark.integration
def test_bulk_load_rebuilds_the_index_with_its_own_memory_and_leaves_the_session_alone(pg_database: str) -> None:
    from factdesk.store.postgres import PostgresStore

    store = PostgresStore(pg_database, dim=DIM, index_build_memory="96MB")
    try:
        before = store._conn.execute("SHOW maintenance_work_mem").fetchone()[0]
        assert before != "96MB"
        doc, passages, vecs = many_passages(40)
        with store.bulk_load():
            assert not _index_exists(store)  # no per-row HNSW upkeep during the load
            assert store.add_document(doc, passages, vecs)
        assert _index_exists(store)
        assert store.stats()["passages"] == 40
        hits = store.dense_search(vecs[7], k=3)
        assert hits[0].passage_id == passages[7].id
        # SET LOCAL semantics: the raised memory ended with the build's transaction.
        assert store._conn.execute("SHOW maintenance_work_mem").fetchone()[0] == before
    finally:
        store.close()


@pytest.mark.integration
def test_a_bad_index_memory_setting_fails_clearly_and_keeps_the_index(pg_database: str) -> None:
    from factdesk.store.postgres import PostgresStore

    store = PostgresStore(pg_database, dim=DIM, index_build_memory="lots")
    try:
        doc, passages, vecs = many_passages(5)
        store.add_document(doc, passages, vecs)
        with pytest.raises(StoreError, match="rebuild_vector_index failed.*maintenance_work_mem"):
            store.rebuild_vector_index()
        assert _index_exists(store)  # the DROP was rolled back with the failed SET
        assert store.dense_search(np.asarray(vecs[2]), k=1)[0].passage_id == passages[2].id
    finally:
        store.close()


@pytest.mark.integration
def test_the_pg_index_memory_setting_reaches_the_store_opened_from_db(
    pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from factdesk.registry import open_store

    monkeypatch.setenv("FACTDESK_PG_INDEX_MEMORY", "96MB")
    store = open_store(pg_database, dim=DIM)
    try:
        assert store.index_build_memory == "96MB"  # what `factdesk ingest --bulk --db postgresql://...` uses
    finally:
        store.close()
    monkeypatch.delenv("FACTDESK_PG_INDEX_MEMORY")
    store = open_store(pg_database, dim=DIM)
    try:
        assert store.index_build_memory is None  # unset: the server's own maintenance_work_mem
    finally:
        store.close()


@pytest.mark.integration
def test_ingest_bulk_on_postgres_says_when_it_builds_the_index(
    pg_database: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from factdesk.pipeline import Desk
    from factdesk.testing.fakes import FakeEmbedder

    for i in range(3):
        (tmp_path / f"report{i}.txt").write_text(f"Report {i}: the reservoir held {i} million litres in June.\n")
    desk = Desk(db=pg_database, embedder=FakeEmbedder())
    try:
        report = desk.ingest_paths([tmp_path], bulk=True, progress=True)
        assert report.documents_added == 3
        assert "building the vector index over the store's 3 passages" in capsys.readouterr().err
        assert _index_exists(desk.store)  # rebuilt when the bulk load ended
    finally:
        desk.store.close()
