"""`Narratives` (grouping, merge, split, rebuild, alerts) over each backend's claim tables."""

from __future__ import annotations

from typing import Any

from factdesk.narratives import Narratives
from factdesk.testing.fakes import FakeEmbedder
from factdesk.types import ClaimMention

NATO = "NATO countries have become a machine producing refugees"
JOBS = "Unemployment in Ostland fell to three percent"


def test_narratives_on_every_backend(store: Any) -> None:
    store.add_claims(
        [
            ClaimMention("d1", 0, 50, NATO, speaker="A", date="2026-01-12"),
            ClaimMention("d2", 0, 50, JOBS, speaker="B", date="2026-02-20"),
            ClaimMention("d3", 0, 50, NATO, speaker="C", date="2026-03-03"),
        ]
    )
    store.save_check("ext-1", {"claim": {"text": NATO, "date": "2026-01-20"}, "verdict": "False"}, "external")
    tracker = Narratives(store, FakeEmbedder(dim=store.dim), threshold=0.99, word_weight=0.0)
    assert tracker.update().placed == 4 and tracker.update().placed == 0
    nato, jobs = tracker.list(min_size=1)
    assert (nato.group.size, nato.speakers, [c.rating for c in nato.checks]) == (3, ["A", "C"], ["False"])
    kept = tracker.merge(nato.id, jobs.id)
    claim_c = next(m.key for m in tracker.get(kept).members if m.speaker == "C")
    alone = tracker.split(claim_c)
    tracker.rebuild()
    assert sorted((n.id, n.group.size) for n in tracker.list(min_size=1)) == sorted([(kept, 3), (alone, 1)])
    assert store.add_alert(claim_c, {"claim": NATO}) and store.list_alerts() == [{"claim": NATO}]
