"""The EvidenceStore contract, run against every backend (SQLite file, PostgreSQL + pgvector).

A tiny inline corpus with hand-made 8-dimensional vectors, so every expectation is exact.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from factdesk.errors import StoreError
from factdesk.registry import open_store
from factdesk.store.base import EvidenceStore
from factdesk.types import Document, Passage

DIM = 8


def unit(*components: float) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(components)] = components
    return v / np.linalg.norm(v)


# name -> (document, vector of its single passage)
CORPUS: dict[str, tuple[Document, np.ndarray]] = {
    "russia": (
        Document(
            text="Russia began air strikes in Syria on 30 September 2015.",
            publisher="Reuters",
            title="Strikes begin",
            url="https://example.org/a",
            published="2015-10-01",
            language="en",
            author="A. Writer",
            source_path="a.txt",
        ),
        unit(1),
    ),
    "unhcr": (
        Document(
            text="The UN refugee agency registered 4.8 million Syrian refugees.",
            publisher="UNHCR",
            published="2016-03-01",
        ),
        unit(0, 1),
    ),
    "delhi": (
        Document(
            text="Air pollution in Delhi reached record levels in November.",
            publisher="The Hindu",
            published="2019-11-10",
        ),
        unit(1, 1),
    ),
    "minsk": (
        Document(text="Minsk is the capital of Belarus."),  # undated
        unit(0, 0, 1),
    ),
}


def one_passage(doc: Document) -> Passage:
    return Passage(doc.id, doc.text, 0, len(doc.text))


def pid(name: str) -> str:
    return one_passage(CORPUS[name][0]).id


def fill(store: EvidenceStore) -> None:
    for doc, vec in CORPUS.values():
        assert store.add_document(doc, [one_passage(doc)], vec[None, :])


def ids(hits: list[Any]) -> list[str]:
    return [h.passage_id for h in hits]


# --- evidence ---------------------------------------------------------------------------------
def test_store_satisfies_the_protocol(store: Any) -> None:
    assert isinstance(store, EvidenceStore)
    assert store.dim == DIM
    assert store.stats() == {"documents": 0, "passages": 0, "checks": 0}


def test_add_document_dedups_by_id(store: Any) -> None:
    doc, vec = CORPUS["russia"]
    assert not store.has_document(doc.id)
    assert store.add_document(doc, [one_passage(doc)], vec[None, :]) is True
    assert store.has_document(doc.id)
    again = Document(text=doc.text, publisher="Someone else")  # same text, same id
    assert store.add_document(again, [one_passage(again)], vec[None, :]) is False
    assert store.stats() == {"documents": 1, "passages": 1, "checks": 0}
    assert store.get_document(doc.id) == doc  # the first copy is kept, every field intact
    assert store.get_document("no-such-id") is None


def test_add_document_rejects_mismatched_vectors(store: Any) -> None:
    doc, _ = CORPUS["russia"]
    with pytest.raises(ValueError):
        store.add_document(doc, [one_passage(doc)], np.zeros((2, DIM), "float32"))
    assert not store.has_document(doc.id)


def test_passages_keep_offsets_and_come_back_in_the_order_asked(store: Any) -> None:
    text = "First sentence is here. Second one talks about vaccines. Third closes."
    doc = Document(text=text, published="2020-01-02")
    cuts = [(0, 23), (24, 56), (57, len(text))]
    passages = [Passage(doc.id, text[a:b], a, b, index=i) for i, (a, b) in enumerate(cuts)]
    vecs = np.stack([unit(1), unit(0, 1), unit(0, 0, 1)])
    assert store.add_document(doc, passages, vecs)
    fill(store)
    asked = [passages[2].id, pid("russia"), "unknown", passages[0].id, passages[2].id]
    got = store.get_passages(asked)
    assert [p.id for p, _ in got] == [passages[2].id, pid("russia"), passages[0].id]
    for p, d in got:
        assert d.id == p.document_id
    p2, d2 = got[0]
    assert (p2.start, p2.end, p2.index) == (57, len(text), 2)
    assert p2.text == text[p2.start : p2.end] == "Third closes."
    assert d2.published == dt.date(2020, 1, 2)
    assert store.get_passages([]) == []
    assert store.stats()["passages"] == 3 + len(CORPUS)


def test_lexical_ranking_on_a_tiny_corpus(store: Any) -> None:
    fill(store)
    hits = store.lexical_search("Did Russia's air strikes in Syria start in 2015?", k=10)
    # russia, air, strikes, syria, 2015 all match the first; only "air" matches Delhi.
    assert ids(hits) == [pid("russia"), pid("delhi")]
    assert hits[0].score > hits[1].score
    assert ids(store.lexical_search("Syrian refugees", k=10)) == [pid("unhcr")]
    assert ids(store.lexical_search("air strikes", k=1)) == [pid("russia")]
    assert store.lexical_search("the of and", k=5) == []  # stop words only
    assert store.lexical_search("", k=5) == []
    assert store.lexical_search("Syria", k=0) == []


def test_lexical_stemming_matches_word_forms(store: Any) -> None:
    fill(store)
    assert ids(store.lexical_search("registering refugee", k=5)) == [pid("unhcr")]


def test_dense_search_ranks_by_inner_product(store: Any) -> None:
    fill(store)
    hits = store.dense_search(unit(1), k=2)
    assert ids(hits) == [pid("russia"), pid("delhi")]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert hits[1].score == pytest.approx(2**-0.5, abs=1e-5)
    assert ids(store.dense_search(unit(0, 0, 1), k=1)) == [pid("minsk")]
    assert len(store.dense_search(unit(1), k=10)) == len(CORPUS)
    assert store.dense_search(unit(1), k=0) == []


def test_dense_search_on_an_empty_store(store: Any) -> None:
    assert store.dense_search(unit(1), k=3) == []


def test_before_filter_excludes_later_and_undated_evidence(store: Any) -> None:
    fill(store)
    cutoff = dt.date(2016, 1, 1)
    assert ids(store.lexical_search("air strikes Syria", k=10, before=cutoff)) == [pid("russia")]
    assert ids(store.dense_search(unit(1), k=10, before=cutoff)) == [pid("russia")]
    # `before` is strict: a document published on the day is left out.
    assert store.lexical_search("air strikes Syria", k=10, before=dt.date(2015, 10, 1)) == []
    assert store.dense_search(unit(1), k=10, before=dt.date(2015, 10, 1)) == []
    # Undated evidence never passes a date filter, however late the cutoff.
    assert ids(store.lexical_search("Minsk Belarus", k=10)) == [pid("minsk")]
    assert store.lexical_search("Minsk Belarus", k=10, before=dt.date(2100, 1, 1)) == []
    assert pid("minsk") not in ids(store.dense_search(unit(0, 0, 1), k=10, before=dt.date(2100, 1, 1)))
    assert ids(store.dense_search(unit(0, 1), k=2, before=dt.date(2020, 1, 1))) == [pid("unhcr"), pid("delhi")]


def test_list_and_search_documents(store: Any) -> None:
    fill(store)
    all_ids = {d.id for d, _ in CORPUS.values()}
    assert {d.id for d in store.list_documents()} == all_ids
    first, second = store.list_documents(limit=2), store.list_documents(limit=2, offset=2)
    assert len(first) == len(second) == 2
    assert {d.id for d in first + second} == all_ids
    assert store.list_documents(offset=10) == []
    assert [d.id for d in store.list_documents(query="Belarus")] == [CORPUS["minsk"][0].id]
    assert {d.id for d in store.list_documents(query="air")} == {CORPUS["russia"][0].id, CORPUS["delhi"][0].id}
    assert store.list_documents(query="the") == []
    listed = {d.id: d for d in store.list_documents()}
    assert listed[CORPUS["russia"][0].id] == CORPUS["russia"][0]


# --- fact-checks, audit, users -----------------------------------------------------------------
def check_data(text: str, speaker: str | None, verdict: str, summary: str) -> dict[str, Any]:
    return {
        "id": "x",
        "claim": {"text": text, "speaker": speaker, "date": "2021-12-14"},
        "verdict": verdict,
        "confidence": 0.75,
        "summary": [{"text": summary, "citations": [1], "grounded": True}],
        "analysis": [],
        "evidence": [{"passage_id": "p1", "scores": {"fused": 0.5}}],
    }


def test_checks_save_get_update(store: Any) -> None:
    data = check_data("NATO produces refugees", "Anatoly Glaz", "False", "UNHCR figures show otherwise.")
    store.save_check("c1", data, "draft")
    got = store.get_check("c1")
    assert got is not None
    assert (got["id"], got["status"], got["data"]) == ("c1", "draft", data)
    assert isinstance(got["created"], str) and got["created"] == got["updated"]
    dt.datetime.fromisoformat(got["created"])
    store.save_check("c1", {**data, "verdict": "Misleading"}, "published")
    again = store.get_check("c1")
    assert again is not None
    assert again["status"] == "published" and again["data"]["verdict"] == "Misleading"
    assert again["created"] == got["created"]
    assert store.stats()["checks"] == 1
    assert store.get_check("nope") is None


def test_list_checks_filters(store: Any) -> None:
    store.save_check(
        "c1", check_data("NATO produces refugees", "Anatoly Glaz", "False", "UNHCR figures show otherwise."), "draft"
    )
    store.save_check("c2", check_data("Minsk is in Belarus", "A Tourist", "True", "An atlas confirms it."), "published")
    store.save_check(
        "c3",
        check_data("Air pollution in Delhi fell", "Glazier Co", "False", "Monitoring stations disagree."),
        "published",
    )

    def listed(**kw: Any) -> set[str]:
        return {c["id"] for c in store.list_checks(**kw)}

    assert listed() == {"c1", "c2", "c3"}
    assert listed(status="published") == {"c2", "c3"}
    assert listed(rating="False") == {"c1", "c3"}
    assert listed(rating="False", status="draft") == {"c1"}
    assert listed(speaker="glaz") == {"c1", "c3"}  # case-insensitive substring
    assert listed(query="refugees") == {"c1"}
    assert listed(query="atlas") == {"c2"}  # the written summary is searchable too
    assert listed(query="Anatoly") == {"c1"}  # and the speaker
    assert listed(query="Belarus", status="draft") == set()
    assert listed(query="the of") == set()
    assert len(store.list_checks(limit=2)) == 2
    row = store.list_checks(query="atlas")[0]
    assert row["data"]["claim"]["text"] == "Minsk is in Belarus"


def test_check_vectors_cache_round_trips_and_replaces(store: Any) -> None:
    assert store.get_check_vectors([]) == {} and store.get_check_vectors(["k1"]) == {}
    store.save_check_vectors({"k1": unit(1), "k2": unit(0, 1, 1)})
    store.save_check_vectors({})
    got = store.get_check_vectors(["k2", "missing", "k1"])
    assert sorted(got) == ["k1", "k2"]
    assert got["k2"].dtype == np.float32 and np.array_equal(got["k2"], unit(0, 1, 1))
    store.save_check_vectors({"k1": unit(0, 0, 1)})  # a key saved again takes the new vector
    assert np.array_equal(store.get_check_vectors(["k1"])["k1"], unit(0, 0, 1))


def test_audit_log_in_order(store: Any) -> None:
    store.add_audit("c1", "editor", "approve", "looks right", {"from": "draft", "to": "published"})
    store.add_audit("c1", "chief", "edit", "", {})
    store.add_audit("c2", "editor", "create", "n", {"k": [1, 2]})
    log = store.list_audit("c1")
    assert [(e["user"], e["action"], e["note"], e["detail"]) for e in log] == [
        ("editor", "approve", "looks right", {"from": "draft", "to": "published"}),
        ("chief", "edit", "", {}),
    ]
    dt.datetime.fromisoformat(log[0]["at"])
    assert store.list_audit("nobody") == []


def test_users(store: Any) -> None:
    store.add_user("ana", "editor", "hash-1")
    assert store.get_user_by_token_hash("hash-1") == {"name": "ana", "role": "editor"}
    store.add_user("ana", "admin", "hash-2")  # re-adding a user replaces role and token
    assert store.get_user_by_token_hash("hash-1") is None
    assert store.get_user_by_token_hash("hash-2") == {"name": "ana", "role": "admin"}
    assert store.get_user_by_token_hash("unknown") is None


# --- hostile input -----------------------------------------------------------------------------
HOSTILE = (
    "<script>alert('pwned')</script> O'Brien said \"no\"; '; DROP TABLE passages; -- "
    "100% of %s and %(x)s, back\\slash, $1 $$ quoted $$, emoji \U0001f600, Zwölf Ärzte, 'tab\there'"
)

HOSTILE_QUERIES = [
    "'; DROP TABLE passages; --",
    '"unbalanced',
    "a OR AND NOT (",
    "NEAR(x y) * ^ : -",
    "!!& | <-> :*",
    "%s %(x)s $1",
    "\\",
    "<script>",
    "Zwölf",
    "\U0001f600",
]


def test_hostile_text_is_stored_and_returned_verbatim(store: Any) -> None:
    doc = Document(
        text=HOSTILE,
        title="<b>title</b> '\"",
        publisher="Bobby'); DROP TABLE documents;--",
        url="https://example.org/?q=1&x='\"<>",
        published="2020-05-05",
    )
    p = Passage(doc.id, HOSTILE, 0, len(HOSTILE))
    assert store.add_document(doc, [p], unit(1)[None, :])
    assert store.get_document(doc.id) == doc
    [(got_p, got_d)] = store.get_passages([p.id])
    assert got_p.text == HOSTILE and got_d.publisher == doc.publisher and got_d.url == doc.url
    assert ids(store.lexical_search("DROP TABLE passages O'Brien", k=5)) == [p.id]
    for q in HOSTILE_QUERIES:
        store.lexical_search(q, k=5)
        store.lexical_search(q, k=5, before=dt.date(2030, 1, 1))
        store.list_documents(query=q)
        store.list_checks(query=q, speaker=q)
    data = check_data(HOSTILE, "O'Brien %_", "False", HOSTILE)
    store.save_check("'; DROP TABLE checks; --", data, "draft")
    got = store.get_check("'; DROP TABLE checks; --")
    assert got is not None and got["data"] == data
    assert [c["id"] for c in store.list_checks(speaker="o'brien %_")] == ["'; DROP TABLE checks; --"]
    store.add_audit("'; --", "<u>", "edit", HOSTILE, {"q": HOSTILE})
    assert store.list_audit("'; --")[0]["detail"] == {"q": HOSTILE}
    assert store.stats() == {"documents": 1, "passages": 1, "checks": 1}


# --- opening ---------------------------------------------------------------------------------
def test_open_store_picks_the_backend_from_the_url(store_url: str, backend: str) -> None:
    s = open_store(store_url, dim=DIM)
    try:
        assert type(s).__name__ == {"sqlite": "SQLiteStore", "postgres": "PostgresStore"}[backend]
        doc, vec = CORPUS["minsk"]
        assert s.add_document(doc, [one_passage(doc)], vec[None, :])
    finally:
        s.close()
    reopened = open_store(store_url, dim=DIM)  # data survives reopening; the schema is not recreated
    try:
        assert reopened.has_document(CORPUS["minsk"][0].id)
    finally:
        reopened.close()
    with pytest.raises(StoreError, match="dimensional"):
        open_store(store_url, dim=DIM * 2)


def test_unreachable_postgres_says_how_to_start_it() -> None:
    from factdesk.store.postgres import PostgresStore

    with pytest.raises(StoreError, match=r"scripts/pg\.sh start"):
        PostgresStore("postgresql://postgres@127.0.0.1:1/factdesk", dim=DIM, connect_timeout=2)
