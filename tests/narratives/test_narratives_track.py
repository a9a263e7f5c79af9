"""Narratives over a real SQLite store with the bag-of-words fake embedder: incremental updates,
fact-checks as members, merges and splits that later groupings keep."""

from __future__ import annotations

import datetime as dt

import pytest

from factdesk.errors import NotFound
from factdesk.narratives import Narratives
from factdesk.store.sqlite import SQLiteStore
from factdesk.testing.fakes import FakeEmbedder
from factdesk.types import ClaimMention, Match, MemberKind

NATO = "NATO countries have become a machine producing refugees"


def _store(tmp_path) -> SQLiteStore:  # type: ignore[no-untyped-def]
    s = SQLiteStore(str(tmp_path / "n.db"), dim=64)
    s.add_claims(
        [
            ClaimMention("d1", 0, 50, NATO, speaker="Anatoly Varga", outlet="Ostland TV", date="2026-01-12"),
            ClaimMention(
                "d2",
                0,
                50,
                "Unemployment in Ostland fell to three percent",
                speaker="Petr Holan",
                outlet="Kaldor Daily",
                date="2026-02-20",
            ),
            ClaimMention("d3", 5, 55, NATO, speaker="Irina Dobos", outlet="Ostland State News", date="2026-03-03"),
            ClaimMention("d4", 0, 50, NATO, speaker="Viktor Rusk", outlet="Border Herald", date="2026-03-10"),
        ]
    )
    s.save_check(
        "ext-1",
        {
            "claim": {"text": NATO, "speaker": "Anatoly Varga", "date": "2026-01-12"},
            "verdict": "False",
            "url": "https://example.org/fc",
            "publisher": "Example Fact Check",
        },
        "external",
    )
    return s


def test_update_groups_claims_with_their_fact_check_and_is_incremental(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = _store(tmp_path)
    tracker = Narratives(store, FakeEmbedder(dim=64))
    rep = tracker.update()
    assert (rep.placed, rep.new_groups) == (5, 2)
    assert tracker.update().placed == 0  # nothing twice
    [nato] = tracker.list(min_size=2)
    assert nato.group.size == 4 and nato.group.representative == NATO
    assert (nato.group.first_seen, nato.group.last_seen) == ("2026-01-12", "2026-03-10")
    assert nato.speakers == ["Anatoly Varga", "Irina Dobos", "Viktor Rusk"]
    assert nato.months == {"2026-01": 1, "2026-03": 2}
    assert [(c.kind, c.rating) for c in nato.checks] == [(MemberKind.FACT_CHECK, "False")]
    assert nato.trend == "rising"
    gid = nato.id
    # A new claim joins the same group; the id stays.
    store.add_claims([ClaimMention("d5", 0, 50, NATO, speaker="Lidia Orlen", date="2026-03-20")])
    assert tracker.update().placed == 1
    assert tracker.get(gid).group.size == 5


def test_list_filters_by_dates_and_size(tmp_path) -> None:  # type: ignore[no-untyped-def]
    tracker = Narratives(_store(tmp_path), FakeEmbedder(dim=64))
    tracker.update()
    assert [n.group.size for n in tracker.list()] == [4, 1]
    got = tracker.list(since=dt.date(2026, 3, 1), min_size=1)
    assert [len(n.members) for n in got] == [2]
    assert tracker.list(until=dt.date(2026, 1, 31), min_size=2)[0].speakers == ["Anatoly Varga"]


def test_merge_and_split_are_kept_through_a_rebuild(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = _store(tmp_path)
    tracker = Narratives(store, FakeEmbedder(dim=64))
    tracker.update()
    nato, jobs = tracker.list(min_size=1)
    kept = tracker.merge(nato.id, jobs.id, note="same campaign")
    assert kept == nato.id and tracker.resolve(jobs.id) == nato.id
    assert [n.group.size for n in tracker.list(min_size=1)] == [5]
    rusk = next(m.key for m in tracker.get(nato.id).members if m.speaker == "Viktor Rusk")
    alone = tracker.split(rusk, note="a different claim")
    assert sorted(n.group.size for n in tracker.list(min_size=1)) == [1, 4]
    assert [e.action for e in store.list_narrative_edits()] == ["merge", "split"]
    tracker.rebuild()  # grouping from scratch puts them apart, then the edits are replayed
    sizes = {n.id: n.group.size for n in tracker.list(min_size=1)}
    assert sizes == {nato.id: 4, alone: 1}
    assert tracker.get(alone).members[0].pinned
    with pytest.raises(NotFound):
        tracker.get("n-unknown")


class _OneMatch:
    """A matcher that says every claim repeats the check `ext-1`."""

    def run(self, claim: str, k: int = 5) -> list[Match]:
        return [
            Match(
                check_id="ext-1",
                claim=NATO,
                rating="False",
                similarity=0.5,
                url=None,
                publisher=None,
                date=None,
                status="external",
            )
        ]


def test_a_claim_the_matcher_links_to_a_check_joins_its_group(tmp_path) -> None:  # type: ignore[no-untyped-def]
    tracker = Narratives(_store(tmp_path), FakeEmbedder(dim=64), matcher=_OneMatch())
    tracker.update()
    [one] = tracker.list(min_size=2)
    assert one.group.size == 5 and "Petr Holan" in one.speakers  # the jobs claim too, because the matcher said so


def test_the_desks_published_checks_join_but_drafts_do_not(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = _store(tmp_path)
    store.save_check(
        "desk-1",
        {
            "claim": {"text": NATO, "speaker": "Viktor Rusk", "date": "2026-03-10"},
            "verdict": "Misleading",
            "_desk": {"published": "2026-03-12"},
        },
        "published",
    )
    store.save_check("desk-2", {"claim": {"text": NATO}}, "draft")
    tracker = Narratives(store, FakeEmbedder(dim=64))
    tracker.update()
    [nato] = tracker.list(min_size=2)
    assert sorted((c.kind.value, c.rating, c.url) for c in nato.checks) == [
        ("desk-check", "Misleading", "/checks/desk-1"),
        ("fact-check", "False", "https://example.org/fc"),
    ]


def test_a_claim_said_twice_in_one_document_does_not_recur(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SQLiteStore(str(tmp_path / "one.db"), dim=64)
    store.add_claims(
        [
            ClaimMention("d9", 0, 30, "Cargo at the port grew by 12 percent", date="2026-01-02"),
            ClaimMention("d9", 40, 70, "Cargo at the port grew by 12 percent", date="2026-01-02"),
        ]
    )
    tracker = Narratives(store, FakeEmbedder(dim=64))
    tracker.update()
    assert tracker.list(min_size=2) == []
    assert [n.group.size for n in tracker.list(min_size=1)] == [2]
