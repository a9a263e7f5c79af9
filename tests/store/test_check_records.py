"""The CheckStore contract, run against every backend: typed check records and light listing rows.

The records are built by hand (a FactCheck with one piece of evidence), so every expectation is exact.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from factdesk.store.base import CheckStore
from factdesk.types import (
    AuditEntry,
    CheckRecord,
    Claim,
    Document,
    EditorialMeta,
    Evidence,
    FactCheck,
    Passage,
    Rating,
    Sentence,
    Verdict,
)


def record(
    text: str,
    status: str = "draft",
    speaker: str | None = "Anatoly Glaz",
    date: str = "2021-12-14",
    rating: Rating = Rating.FALSE,
    summary: str = "UNHCR figures show otherwise.",
    analysis: str = "",
    **meta: Any,
) -> CheckRecord:
    claim = Claim(text=text, speaker=speaker, speaker_title="Press secretary", date=date)
    doc = Document(text="UNHCR registered 4.8 million Syrian refugees.", publisher="UNHCR", published="2016-03-01")
    ev = Evidence(passage=Passage(doc.id, doc.text, 0, len(doc.text)), document=doc, scores={"fused": 0.5})
    fc = FactCheck(
        claim=claim,
        evidence=[ev],
        verdict=Verdict(rating=rating, confidence=0.8, method="tiny"),
        headline=f"{text}: {rating.value}",
        summary=[Sentence(summary, [1])],
        analysis=[Sentence(analysis, [1])] if analysis else [],
    )
    return CheckRecord(claim=claim, status=status, check=fc, meta=EditorialMeta(submitted_by="erin", **meta))


def _sql(store: Any, sql: str) -> None:
    """Change the database under the store (both backends keep one connection in `_conn`)."""
    store._conn.execute(sql)
    if hasattr(store._conn, "commit"):
        store._conn.commit()


def test_store_is_a_check_store(store: Any) -> None:
    assert isinstance(store, CheckStore)


def test_a_record_round_trips_with_its_history(store: Any) -> None:
    rec = record(
        "NATO produces refugees",
        published="2021-12-20T10:00:00+00:00",
        approved_by="ada",
        model_verdict=Verdict(rating=Rating.TRUE, confidence=0.6, probs={"True": 0.6}, method="model"),
    )
    store.save_record(rec)
    store.add_audit(rec.id, "erin", "submitted", "", {"claim": rec.claim.text})
    store.add_audit(rec.id, "ada", "changed verdict", "UNHCR says so", {"from": "True", "to": "False"})
    got = store.get_record(rec.id)
    assert got is not None
    assert (got.id, got.status, got.claim) == (rec.id, "draft", rec.claim)
    assert got.check is not None and got.check.to_dict() == rec.check.to_dict()  # type: ignore[union-attr]
    assert got.meta == rec.meta
    assert [(h.user, h.action, h.note, h.detail) for h in got.history] == [
        ("erin", "submitted", "", {"claim": "NATO produces refugees"}),
        ("ada", "changed verdict", "UNHCR says so", {"from": "True", "to": "False"}),
    ]
    assert all(isinstance(h, AuditEntry) and h.at for h in got.history)
    assert got.created and got.created == got.updated
    assert store.get_record("nope") is None


def test_a_queued_record_has_no_factcheck_and_saving_replaces(store: Any) -> None:
    claim = Claim(text="Minsk is in Belarus", speaker="A Tourist")
    store.save_record(CheckRecord(claim=claim, status="queued", meta=EditorialMeta(submitted_by="erin", job="j1")))
    got = store.get_record(claim.id)
    assert got is not None and got.check is None and got.meta.job == "j1" and got.claim == claim
    (row,) = store.list_summaries()
    assert (row.id, row.status, row.claim, row.verdict, row.headline) == (claim.id, "queued", claim.text, None, "")
    time.sleep(1.1)  # timestamps have whole seconds
    store.save_record(record("Minsk is in Belarus", speaker="A Tourist", date="", rating=Rating.TRUE))
    again = store.get_record(claim.id)
    assert again is not None and again.status == "draft" and again.check is not None
    assert again.created == got.created and again.updated > got.updated
    assert store.stats()["checks"] == 1


def test_summaries_are_the_listed_columns_with_filters(store: Any) -> None:
    store.save_record(record("NATO produces refugees", summary="UNHCR figures show otherwise."))
    store.save_record(
        record(
            "Minsk is in Belarus",
            status="published",
            speaker="A Tourist",
            date="2020-05-01",
            rating=Rating.TRUE,
            summary="An atlas confirms it.",
            published="2021-12-20T10:00:00+00:00",
        )
    )
    store.save_record(
        record(
            "Air pollution in Delhi fell",
            status="published",
            speaker="Glazier Co",
            date="2019-11-10",
            analysis="Monitoring stations disagree.",
        )
    )

    def listed(**kw: Any) -> set[str]:
        return {r.claim for r in store.list_summaries(**kw)}

    assert listed() == {"NATO produces refugees", "Minsk is in Belarus", "Air pollution in Delhi fell"}
    assert listed(status="published") == {"Minsk is in Belarus", "Air pollution in Delhi fell"}
    assert listed(status=("draft", "failed")) == {"NATO produces refugees"}
    assert listed(rating="False") == {"NATO produces refugees", "Air pollution in Delhi fell"}
    assert listed(speaker="glaz") == {"NATO produces refugees", "Air pollution in Delhi fell"}
    assert listed(query="atlas") == {"Minsk is in Belarus"}  # the written text is searchable
    assert listed(query="stations") == {"Air pollution in Delhi fell"}  # the analysis too
    assert listed(query="the of") == set()
    assert listed(since="2020-01-01") == {"NATO produces refugees", "Minsk is in Belarus"}
    assert listed(until="2020-05-01") == {"Minsk is in Belarus", "Air pollution in Delhi fell"}
    assert listed(since="2020-01-01", until="2020-12-31", status="published") == {"Minsk is in Belarus"}
    assert len(store.list_summaries(limit=2)) == 2
    (row,) = store.list_summaries(query="atlas")
    assert (
        row.status,
        row.speaker,
        row.speaker_title,
        row.date,
        row.verdict,
        row.confidence,
        row.headline,
        row.published,
    ) == (
        "published",
        "A Tourist",
        "Press secretary",
        "2020-05-01",
        "True",
        0.8,
        "Minsk is in Belarus: True",
        "2021-12-20T10:00:00+00:00",
    )
    d = row.to_dict()
    assert d["url"] == f"/checks/{row.id}" and "score" not in d and "data" not in d


def test_listings_never_decode_the_stored_records(store: Any) -> None:
    rec = record("NATO produces refugees", status="published")
    store.save_record(rec)
    # A record that no longer decodes: a listing that read it would raise.
    _sql(store, "UPDATE checks SET data = 'not json' WHERE id = '" + rec.id + "'")
    (row,) = store.list_summaries(status="published", query="refugees")
    assert row.id == rec.id and row.verdict == "False"
    with pytest.raises(ValueError):
        store.get_record(rec.id)


def test_imported_checks_are_listed_from_their_raw_form(store: Any) -> None:
    store.save_check(
        "ext-1",
        {
            "claim": {"text": "Bleach cures the coronavirus", "speaker": None, "date": "2020-03-01"},
            "verdict": "False",
            "url": "https://x.org",
            "publisher": "X",
        },
        "external",
    )
    (row,) = store.list_summaries(status="external")
    assert (row.id, row.claim, row.verdict, row.date, row.headline) == (
        "ext-1",
        "Bleach cures the coronavirus",
        "False",
        "2020-03-01",
        "",
    )
    assert store.get_check("ext-1")["data"]["publisher"] == "X"  # the raw form is kept as given


def test_a_store_made_before_the_listing_columns_is_refused_then_upgraded(store: Any, store_url: str) -> None:
    """What 0.1.0's `_migrate_checks()` did on open is now schema step 0001, run by `db upgrade` only."""
    from factdesk.errors import StoreError
    from factdesk.registry import open_store
    from factdesk.store import schema

    rec = record("NATO produces refugees", status="published", published="2021-12-20T10:00:00+00:00")
    store.save_record(rec)
    for col in ("speaker_title", "confidence", "headline", "published"):
        _sql(store, f"ALTER TABLE checks DROP COLUMN {col}")
    _sql(store, "DROP TABLE alembic_version")  # a store of a release before both the columns and versions
    store.close()
    with pytest.raises(StoreError, match="factdesk db upgrade"):
        open_store(store_url, dim=8)
    schema.upgrade(store_url)
    reopened = open_store(store_url, dim=8)
    try:
        (row,) = reopened.list_summaries()
        assert (row.headline, row.confidence, row.speaker_title, row.published) == (
            "NATO produces refugees: False",
            0.8,
            "Press secretary",
            "2021-12-20T10:00:00+00:00",
        )
    finally:
        reopened.close()


def test_document_summaries_carry_240_characters_of_text(store: Any) -> None:
    long = Document(
        text="Refugees crossed the border. " * 20,
        title="Long",
        publisher="P",
        published="2021-01-02",
        url="https://example.org/long",
    )
    short = Document(text="Minsk is the capital of Belarus.", title="Short")
    for d in (long, short):
        assert store.add_document(d, [Passage(d.id, d.text, 0, len(d.text))], np.ones((1, 8), "float32") / 8**0.5)
    rows = {r.title: r for r in store.list_document_summaries()}
    assert rows["Long"].snippet == long.text[:240] and rows["Long"].truncated
    assert rows["Short"].snippet == short.text and not rows["Short"].truncated
    assert (rows["Long"].publisher, rows["Long"].published, rows["Long"].url) == (
        "P",
        "2021-01-02",
        "https://example.org/long",
    )
    assert [r.title for r in store.list_document_summaries(query="Minsk capital")] == ["Short"]
    assert store.list_document_summaries(query="the of") == []
    assert len(store.list_document_summaries(limit=1)) == 1
    assert rows["Long"].to_dict()["document_id"] == long.id
