"""Issue 18: every claim carries a date (text, dateline, document, ingest) and names who made it."""

from __future__ import annotations

import datetime as dt

import pytest

from factdesk.claims.attribution import Attributor, find_dates

NEWS = """Portmere council approves harbour dredging

PORTMERE, April 18, 2025 — Portmere's harbour will be dredged this summer after the council approved the plan on Thursday.

Harbour master Colin Best said that cargo traffic through the port fell 9 percent in 2024.

Nadia Frost, director of the Portmere Estuary Trust, claimed that dredging in 2016 killed a third of the oyster beds.
"""

RELEASE = """Brightwater Energy reports record output

Brightwater Energy today reported that its solar parks generated 1.2 terawatt-hours in the first half of 2024.

"Our output has tripled in three years, and we now power 310,000 homes," said Ines Kowal, chief executive of Brightwater Energy.

The company said that its prices for business customers are 8 percent below the national average.
"""


def test_weekdays_and_that_year_resolve_against_the_text():
    # "on Thursday" is the latest Thursday on or before the reference date; without one, no date
    assert [d for _, _, d, _ in find_dates("said on Thursday", 2025, dt.date(2025, 4, 18))] == [dt.date(2025, 4, 17)]
    assert [d for _, _, d, _ in find_dates("said on Friday", 2025, dt.date(2025, 4, 18))] == [dt.date(2025, 4, 18)]
    assert find_dates("said on Thursday", 2025, None) == []
    assert [d for _, _, d, _ in find_dates("That year, the agency said", 2016, None)] == [dt.date(2016, 1, 1)]


def test_a_dateline_dates_the_document():
    at = Attributor()
    at.register_names(NEWS)
    assert (at.doc_date, at.doc_date_source) == (dt.date(2025, 4, 18), "dateline")
    given = Attributor(doc_date=dt.date(2025, 4, 20))
    given.register_names(NEWS)
    assert (given.doc_date, given.doc_date_source) == (dt.date(2025, 4, 20), "document")  # a given date wins


def test_news_claims_dated_from_the_dateline_and_speakers_without_their_job(fast_extractor):
    res = fast_extractor().run(NEWS, ingest_date="2026-11-30")
    by_text = {c.claim.text: c for c in res}
    best = by_text["Cargo traffic through the port fell 9 percent in 2024."]
    assert best.claim.speaker == "Colin Best"  # not "Harbour master Colin Best"
    assert (best.claim.date, best.date_source, best.claim.date_source) == (dt.date(2025, 4, 18), "dateline", "dateline")
    assert "Portmere council approves harbour dredging" not in by_text  # the headline is not a claim
    frost = by_text["Dredging in 2016 killed a third of the oyster beds."]
    assert frost.claim.speaker == "Nadia Frost" and frost.claim.paraphrase


def test_undated_text_takes_the_ingest_date(fast_extractor):
    text = "Jane Roe, the mayor, said that crime fell 20 percent across the city."
    res = fast_extractor().run(text, ingest_date="2026-11-30")
    assert [(c.claim.date, c.date_source) for c in res] == [(dt.date(2026, 11, 30), "ingest")]
    assert fast_extractor().run(text)[0].claim.date is None  # nothing at all to date it by
    from factdesk.errors import InputError

    with pytest.raises(InputError, match="YYYY-MM-DD"):
        fast_extractor().run(text, ingest_date="yesterday")


def test_press_release_company_voice_and_a_pronoun_clause(fast_extractor):
    res = fast_extractor().run(RELEASE, doc_date="2024-07-10")
    by_text = {c.claim.text: c.claim for c in res}
    # "X reported that ..." is reported speech
    assert (
        by_text["Its solar parks generated 1.2 terawatt-hours in the first half of 2024."].speaker
        == "Brightwater Energy"
    )
    # "The company said": the organisation named earlier (it is in the chief executive's title)
    assert (
        by_text["Its prices for business customers are 8 percent below the national average."].speaker
        == "Brightwater Energy"
    )
    # "..., and we now power 310,000 homes": two claims, each still the speaker's own words
    assert by_text["Our output has tripled in three years."].speaker == "Ines Kowal"
    assert by_text["We now power 310,000 homes."].speaker == "Ines Kowal"


def test_all_but_conceded_is_the_writers_inference(fast_extractor):
    text = (
        "Marco Ravenna is the finance minister. In a speech to business leaders in 2023, Ravenna all but "
        "conceded that the cuts of 12 percent were planned before the election."
    )
    res = fast_extractor().run(text)
    hit = [c for c in res if "12 percent" in c.claim.text]
    assert hit and hit[0].claim.speaker is None and hit[0].kind == "narration"


def test_a_date_near_a_name_dates_the_speaker_but_not_a_date_inside_the_claim(fast_extractor):
    text = (
        "Mayor Gloria Fenn spoke to reporters at City Hall on Tuesday.\n\n"
        "She said that bus ridership had recovered to 96 percent of its 2019 level.\n\n"
        "Union leader Omar Briggs was unimpressed. He said that 60 drivers had quit since January."
    )
    res = fast_extractor().run(text, doc_date="2024-05-16")
    by_speaker = {c.claim.speaker: c for c in res}
    assert by_speaker["Gloria Fenn"].claim.date == dt.date(2024, 5, 14)  # the Tuesday before May 16
    assert by_speaker["Omar Briggs"].claim.date == dt.date(2024, 5, 16)  # "since January" is the claim's own
    assert by_speaker["Omar Briggs"].claim.text == "60 drivers had quit since January."
