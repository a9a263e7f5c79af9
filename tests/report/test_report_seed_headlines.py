"""Issue 18 on the seed article (../shared/examples, skipped without it): the three claims a desk
would check are Glaz's, and each headline names the Belarus Foreign Ministry and what was claimed."""

from __future__ import annotations

import pytest

from factdesk.config import shared_root
from factdesk.report.render import render
from factdesk.report.writer import TemplateWriter, headline
from factdesk.types import FactCheck, Rating, Verdict

pytestmark = [pytest.mark.slow, pytest.mark.shared]

SEED = shared_root() / "examples" / "polygraph-belarus-misleads.txt"


@pytest.fixture(scope="module")
def seed_top3():
    if not SEED.is_file():
        pytest.skip(f"{SEED} is absent: the seed article lives in ../shared/examples (not in this repository)")
    from factdesk.claims import ClaimExtractor

    return ClaimExtractor(top=3).run(SEED.read_text(encoding="utf-8"), ingest_date="2026-11-30")


def test_seed_headlines_name_the_ministry_and_what_was_claimed(seed_top3):
    heads = [headline(ec.claim, Verdict(Rating.UNSUBSTANTIATED, 0.6)) for ec in seed_top3]
    assert heads == [
        "Belarus Foreign Ministry Offers No Evidence That NATO Countries Have Become a Real Machine Producing Refugees",
        "Belarus Foreign Ministry Offers No Evidence That the Policies of NATO Member States Are Most Responsible "
        "for Migrants Massing",
        "Belarus Foreign Ministry Offers No Evidence That the World Remembers the Events of 2015-2016",
    ]
    assert (
        headline(seed_top3[0].claim, Verdict(Rating.MISLEADING, 0.6))
        == "Belarus Foreign Ministry Misleads, Claiming NATO Countries Have Become a Real Machine Producing Refugees"
    )


def test_seed_claim_boxes_and_dates(seed_top3):
    first, second, _ = seed_top3
    assert first.claim.text.startswith("Over the past decade, NATO countries")
    assert all(ec.claim.speaker == "Anatoly Glaz" and ec.claim.date is not None for ec in seed_top3)
    verdict = Verdict(Rating.UNSUBSTANTIATED, 0.6)
    head, summary, analysis = TemplateWriter().run(second.claim, [], verdict)
    md = render(FactCheck(second.claim, [], verdict, head, summary, analysis), "md")
    assert "Glaz claimed" not in md and "> **Claim (paraphrase):** “The policies of NATO" in md
    assert "> **Date:** December 14, 2021 (from the text, where it dates this speaker's words)" in md
