"""PostgreSQL only: bulk_load() drops the HNSW index and builds it once, with its own memory setting.

At 1M passages the HNSW graph (~2 GB) must fit in maintenance_work_mem or pgvector's build
slows sharply; `index_build_memory` raises it for the build's transaction only.
"""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.errors import StoreError
from factdesk.types import Document, Passage

pytest.importorskip("psycopg")
DIM = 8


def many_passages(n: int) -> tuple[Document, list[Passage], np.ndarray]:
    texts = [f"Passage {i} is about reservoir{i}." for i in range(n)]
    doc = Document(text=" ".join(texts), published="2021-06-01", title="Bulk")
    passages, at = [], 0
    for i, t in enumerate(texts):
        passages.append(Passage(doc.id, t, at, at + len(t), index=i))
        at += len(t) + 1
    vecs = np.random.default_rng(5).standard_normal((n, DIM)).astype(np.float32)
    return doc, passages, vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def _index_exists(store) -> bool:  # type: ignore[no-untyped-def]
    row = store._conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'passages_embedding'").fetchone()
    return row is not None


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
