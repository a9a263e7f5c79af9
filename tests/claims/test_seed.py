"""Seed checks on the shared Polygraph article, with the real models (skipped without ../shared)."""

from __future__ import annotations

import pytest
from claims_fixtures import SEED

pytestmark = [pytest.mark.slow, pytest.mark.shared]


@pytest.fixture(scope="module")
def seed_claims():
    if not SEED.is_file():
        pytest.skip(f"{SEED} is absent: the seed article lives in ../shared/examples (not in this repository)")
    from factdesk.claims import ClaimExtractor

    return ClaimExtractor().run(SEED.read_text(encoding="utf-8"))


def test_seed_glaz_refugee_machine_in_top3_with_title(seed_claims):
    top3 = seed_claims[:3]
    hit = [c for c in top3 if "real machine producing refugees" in c.claim.text]
    assert hit, [c.claim.text[:80] for c in top3]
    c = hit[0].claim
    assert c.speaker == "Anatoly Glaz"
    assert c.speaker_title in ("head of Digital Diplomacy for the Foreign Ministry press office",
                               "Press secretary for Belarus Foreign Ministry")
    assert c.text.startswith("Borrell has kept mum")  # "He (Borrell)" resolved
    assert c.quote.startswith("He (Borrell)")


def test_seed_lukashenko_july_speech(seed_claims):
    july = [c for c in seed_claims if "close our borders" in c.claim.text or "hold anyone" in c.claim.text]
    assert len(july) == 2
    for c in july:
        assert c.claim.speaker == "Alexander Lukashenko" and c.claim.speaker_title == "President"
        assert c.claim.date is not None and (c.claim.date.year, c.claim.date.month) == (2021, 7)
