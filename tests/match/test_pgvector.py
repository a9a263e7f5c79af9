"""PostgreSQL mode: the matcher's dense candidates come from pgvector, and match SQLite's FAISS."""

import random

import numpy as np
import pytest

from factdesk.errors import StoreError
from factdesk.match import previous
from factdesk.match.previous import FactCheckMatcher, import_checks
from factdesk.store import schema
from factdesk.store.base import CheckVectorSearch
from factdesk.store.sqlite import SQLiteStore
from factdesk.testing.fakes import FakeEmbedder
from factdesk.types import content_hash

DIM = 64
WHO = ["the mayor", "a senator", "the health minister", "a pop singer", "the police chief", "the governor"]
DID = ["banned", "funded", "doubled", "cancelled", "secretly sold", "closed"]
WHAT = ["vaccines", "school meals", "wind farms", "tap water", "5G masts", "rent controls", "gas prices"]
WHERE = ["in Texas", "in Lagos", "in Berlin", "in Manila", "in Ontario"]


def _checks(n: int = 80) -> list[dict[str, object]]:
    rng = random.Random(3)
    out = []
    for i in range(n):
        claim = f"{rng.choice(WHO)} {rng.choice(DID)} {rng.choice(WHAT)} {rng.choice(WHERE)} in {1990 + i}"
        out.append(
            {"claimReviewed": claim, "url": f"https://example.org/{i}", "reviewRating": {"alternateName": "False"}}
        )
    # the same claim checked twice (one vector, two checks)
    out.append({**out[5], "url": "https://example.org/again"})
    return out


QUERIES = [
    "Did the mayor ban vaccines in Texas?",
    "wind farms closed in Berlin #energy https://t.co/x",
    "secretly sold tap water in Lagos",
    "the governor doubled gas prices",
    "police chief cancelled rent controls",
]


@pytest.mark.integration
def test_pgvector_candidates_match_faiss(pg_database: str) -> None:
    from factdesk.store.postgres import PostgresStore

    checks = _checks()
    lite = SQLiteStore(":memory:")
    pg = PostgresStore(pg_database, dim=DIM)
    try:
        assert isinstance(pg, CheckVectorSearch) and not isinstance(lite, CheckVectorSearch)
        emb = FakeEmbedder(DIM)
        for s in (lite, pg):
            assert import_checks(s, checks) == len(checks)
        m_lite = FactCheckMatcher(lite, emb, reranker=None)
        m_pg = FactCheckMatcher(pg, emb, reranker=None)
        m_lite.warm_up()
        m_pg.warm_up()
        i_lite, i_pg = m_lite._index(), m_pg._index()
        assert i_pg.dense is None and i_pg.store_search is pg  # no FAISS index in PostgreSQL mode
        assert i_lite.dense is not None and i_lite.store_search is None
        ids = lambda idx, pos: [idx.rows[p]["id"] for p in pos]  # noqa: E731
        for q in QUERIES:
            qv = emb.embed([q])[0]
            dense_lite, dense_pg = i_lite.nearest(qv, 10), i_pg.nearest(qv, 10)
            assert len(dense_pg) == 10
            # Checks tied with the 10th may be cut differently; every one above it is the same, in order.
            # Each index orders its rows by creation time, which differs between the two stores when
            # an import straddles a clock tick (as under load), so each is scored with its own rows.
            cos_lite, cos_pg = i_lite.vectors @ qv, i_pg.vectors @ qv
            tenth = float(np.sort(cos_lite)[::-1][9])
            above_pg = [p for p in dense_pg if cos_pg[p] > tenth + 1e-6]
            above_lite = [p for p in dense_lite if cos_lite[p] > tenth + 1e-6]
            assert ids(i_pg, above_pg) == ids(i_lite, above_lite), q
            assert len(above_lite) >= 3, q  # the comparison is not empty
            assert sorted(cos_pg[dense_pg]) == pytest.approx(sorted(cos_lite[dense_lite]), abs=1e-6), q
            ranked_lite, ranked_pg = m_lite.rank(q, k=5), m_pg.rank(q, k=5)
            assert [m.check_id for m in ranked_pg] == [m.check_id for m in ranked_lite], q
            assert [m.similarity for m in ranked_pg] == pytest.approx([m.similarity for m in ranked_lite], abs=1e-4)
        # both checks of the repeated claim come back, from its one stored vector
        twin = str(checks[5]["claimReviewed"])
        top = [m.claim for m in m_pg.rank(twin, k=2)]
        assert top == [twin, twin]
    finally:
        pg.close()


@pytest.mark.integration
def test_pgvector_skips_other_models_and_fills_old_vectors(pg_database: str) -> None:
    from factdesk.store.postgres import PostgresStore

    pg = PostgresStore(pg_database, dim=DIM)
    try:
        emb = FakeEmbedder(DIM)
        import_checks(pg, _checks(20))
        m = FactCheckMatcher(pg, emb, reranker=None, candidates=5)
        q = "the mayor banned vaccines in Texas"
        before = [x.check_id for x in m.rank(q, k=5)]
        # Vectors another model cached, closer to the query than any check: asked for more, skipped.
        qv = emb.embed([q])[0]
        pg.save_check_vectors({content_hash("other-model", str(j)): qv for j in range(12)})
        others = {content_hash("other-model", str(j)) for j in range(12)}
        assert {key for key, _ in pg.check_vector_search(qv, 12)} == others
        m.refresh()
        assert [x.check_id for x in m.rank(q, k=5)] == before
        # A vector of another dimension is cached (as bytes) but not searched.
        pg.save_check_vectors({"small": np.ones(3, dtype=np.float32), "fits": qv})
        assert set(pg.get_check_vectors(["small", "fits"])) == {"small", "fits"}
        assert "small" not in {key for key, _ in pg.check_vector_search(qv, 100)}
        pg._run("drop", lambda c: c.execute("DELETE FROM check_vectors WHERE key IN ('small', 'fits')"))
        # A vector cached as bytes only (a store made before the pgvector column, hence before
        # versioned schemas) is filled by `factdesk db upgrade` (schema step 0001), not on open.
        pg._run("null", lambda c: c.execute("UPDATE check_vectors SET embedding = NULL"))
        pg._run("unversioned", lambda c: c.execute("DROP TABLE alembic_version"))
        assert pg.check_vector_search(qv, 5) == []
        pg.close()
        with pytest.raises(StoreError, match="factdesk db upgrade"):
            PostgresStore(pg_database, dim=DIM)
        schema.upgrade(pg_database)
        pg = PostgresStore(pg_database, dim=DIM)
        assert len(pg.check_vector_search(qv, 50)) == 32
        m2 = FactCheckMatcher(pg, emb, reranker=None, candidates=5)
        assert [x.check_id for x in m2.rank(q, k=5)] == before
    finally:
        pg.close()


def test_no_store_search_without_the_method() -> None:
    # SQLite keeps FAISS; a store of another dimension than the embedder would too.
    lite = SQLiteStore(":memory:")
    import_checks(lite, _checks(10))
    m = FactCheckMatcher(lite, FakeEmbedder(DIM), reranker=None)
    assert m._index().store_search is None
    assert isinstance(m._index().dense, type(previous.build_dense_index(np.zeros((1, DIM), dtype=np.float32))))
