"""The claim and narrative tables (ClaimStore, NarrativeStore) on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np

from factdesk.store.base import ClaimStore, NarrativeStore
from factdesk.types import ClaimMention, MemberKind, NarrativeEdit, NarrativeGroup, NarrativeMember

DIM = 8


def _mentions() -> list[ClaimMention]:
    return [
        ClaimMention(
            "doc-b",
            10,
            60,
            "NATO states are a machine for producing refugees.",
            speaker="Irina Dobos",
            speaker_title="spokeswoman",
            outlet="Ostland State News",
            date="2026-03-03",
            date_source="document",
            checkworthiness=0.8,
            score=0.8,
            kind="quote",
        ),
        ClaimMention(
            "doc-a",
            0,
            50,
            "NATO countries have become a machine producing refugees.",
            speaker="Anatoly Varga",
            outlet="Ostland TV",
            date="2026-01-12",
            kind="quote",
        ),
        ClaimMention("doc-a", 60, 90, "Unemployment fell to 3 percent.", outlet="Ostland TV"),
    ]


def test_claim_store_is_a_protocol_both_backends_fulfil(store: Any) -> None:
    assert isinstance(store, ClaimStore)
    assert isinstance(store, NarrativeStore)


def test_add_claims_is_idempotent_by_document_and_offsets(store: Any) -> None:
    assert store.add_claims(_mentions()) == 3
    assert store.add_claims(_mentions()) == 0
    again = ClaimMention("doc-a", 0, 50, "other words for the same place", date="2026-01-12")
    assert store.add_claims([again]) == 0
    got = store.list_claims()
    assert [(m.document_id, m.start) for m in got] == [("doc-a", 0), ("doc-b", 10), ("doc-a", 60)]
    first = got[1]
    assert (
        first.speaker,
        first.speaker_title,
        first.outlet,
        first.date.isoformat() if first.date else None,
        first.date_source,
        first.end,
        first.kind,
    ) == ("Irina Dobos", "spokeswoman", "Ostland State News", "2026-03-03", "document", 60, "quote")


def test_list_claims_filters_by_date_and_document(store: Any) -> None:
    store.add_claims(_mentions())
    assert [m.document_id for m in store.list_claims(since="2026-02-01")] == ["doc-b"]
    assert [m.document_id for m in store.list_claims(until="2026-02-01")] == ["doc-a"]
    assert [m.start for m in store.list_claims(document_id="doc-a")] == [0, 60]
    assert len(store.list_claims(limit=1)) == 1


def test_extracted_documents_are_remembered(store: Any) -> None:
    assert store.extracted_documents() == set()
    store.mark_extracted("doc-a", 2)
    store.mark_extracted("doc-empty", 0)
    store.mark_extracted("doc-a", 2)
    assert store.extracted_documents() == {"doc-a", "doc-empty"}


def _member(key: str, gid: str, date: str | None, kind: MemberKind = MemberKind.CLAIM) -> NarrativeMember:
    return NarrativeMember(
        key=key,
        narrative_id=gid,
        kind=kind,
        text=f"text of {key}",
        speaker="S",
        date=date,
        rating="False" if kind is not MemberKind.CLAIM else None,
        start=0,
        end=5,
    )


def test_narratives_round_trip_and_delete_with_members(store: Any) -> None:
    v1, v2 = np.arange(DIM, dtype=np.float32), np.ones(DIM, dtype=np.float32)
    g1 = NarrativeGroup("n-1", "first wording", size=2, first_seen="2026-01-01", last_seen="2026-02-01")
    g2 = NarrativeGroup("n-2", "second wording", size=1)
    store.save_narratives(
        [(g1, v1), (g2, v2)],
        [
            _member("claim:b", "n-1", "2026-02-01"),
            _member("check:a", "n-1", "2026-01-01", MemberKind.FACT_CHECK),
            _member("claim:c", "n-2", None),
        ],
    )
    assert [(g.id, g.size, g.first_seen, g.last_seen) for g in store.list_narrative_groups()] == [
        ("n-1", 2, "2026-01-01", "2026-02-01"),
        ("n-2", 1, None, None),
    ]
    assert np.array_equal(store.narrative_centroids()["n-1"], v1)
    ms = store.list_narrative_members("n-1")
    assert [(m.key, m.kind, m.rating) for m in ms] == [
        ("check:a", MemberKind.FACT_CHECK, "False"),
        ("claim:b", MemberKind.CLAIM, None),
    ]
    assert [m.key for m in store.list_narrative_members()] == ["check:a", "claim:b", "claim:c"]
    # A merge: n-2 is deleted and its member re-pointed to n-1 in the same call.
    moved = _member("claim:c", "n-1", None)
    moved.pinned = True
    g1.size = 3
    store.save_narratives([(g1, v1)], [moved], deleted=["n-2"])
    assert [g.id for g in store.list_narrative_groups()] == ["n-1"]
    got = {m.key: m for m in store.list_narrative_members()}
    assert got["claim:c"].narrative_id == "n-1" and got["claim:c"].pinned
    store.save_narratives([], [], deleted=["n-1"])
    assert store.list_narrative_groups() == [] and store.list_narrative_members() == []


def test_narrative_edits_are_kept_in_order(store: Any) -> None:
    store.add_narrative_edit(NarrativeEdit("merge", narrative_id="n-1", other_id="n-2", user="ed", note="same line"))
    store.add_narrative_edit(NarrativeEdit("split", narrative_id="n-1", other_id="n-3", member_key="claim:x"))
    got = store.list_narrative_edits()
    assert [(e.action, e.narrative_id, e.other_id, e.member_key, e.user, e.note) for e in got] == [
        ("merge", "n-1", "n-2", None, "ed", "same line"),
        ("split", "n-1", "n-3", "claim:x", "cli", ""),
    ]


def test_alerts_are_recorded_once(store: Any) -> None:
    assert store.add_alert("claim:a", {"claim": "x", "reasons": ["repeats-checked"]})
    assert not store.add_alert("claim:a", {"claim": "x again"})
    assert store.add_alert("claim:b", None)
    assert store.alert_keys() == {"claim:a", "claim:b"}
    assert store.list_alerts() == [{"claim": "x", "reasons": ["repeats-checked"]}]
