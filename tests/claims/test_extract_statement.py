"""Issue 18 on whole texts: checkable claims, paraphrases, narration, dates (fast stand-ins, no models)."""

from __future__ import annotations

import datetime as dt

from factdesk.types import Claim

# Written for these tests: a dateline paragraph that names the speaker, a framed quote, reported
# speech with a promise glued on, the writer's own account of a speech, a quote dated in its
# attribution, and a closing paragraph with later dates.
BRIEFING = """Ministry says alliance drives migration

On March 3, the state agency Norpress published an interview with Irena Volkova, head of communications for the Norland Interior Ministry.

"He (Hansen) stays silent, again, on the real issue: over ten years, the alliance countries have turned into a factory of refugees on a global scale," Volkova proclaimed.

Volkova claimed that the policies of the alliance are most responsible for 40,000 migrants gathering at the border.

She said that inflation had fallen to 3 percent in 2022, and promised that wages would double by 2030.

In two speeches delivered in the summer of 2022, President Tomas Brandt all but acknowledged his plan to send 12,000 migrants to the border.

“If anyone thinks we will seal our borders with 4 neighbours and become a holding camp, they are wrong,” Brandt said in a speech in July.

In November 2022, the union announced new sanctions against 20 officials of the Norland government.
"""


def _run(fast_extractor, **kw):
    return fast_extractor().run(BRIEFING, **kw)


def _find(res, words):
    hit = [c for c in res if words in c.claim.text]
    assert hit, [c.claim.text for c in res]
    return hit[0]


def test_framing_stripped_from_quote_and_quote_kept(fast_extractor):
    c = _find(_run(fast_extractor), "factory of refugees")
    assert c.claim.text == (
        "Over ten years, the alliance countries have turned into a factory of refugees on a global scale."
    )
    assert c.claim.quote.startswith("He (Hansen) stays silent")  # the box keeps the speaker's own words
    assert not c.claim.paraphrase and c.kind == "quote" and c.claim.speaker == "Irena Volkova"


def test_reported_speech_is_a_paraphrase_without_the_wrapper(fast_extractor):
    c = _find(_run(fast_extractor), "policies of the alliance")
    assert c.claim.text == (
        "The policies of the alliance are most responsible for 40,000 migrants gathering at the border."
    )
    assert c.claim.paraphrase and c.claim.quote is None  # the box shows the claim, marked as a paraphrase
    assert c.kind == "reported" and c.claim.speaker == "Irena Volkova"
    d = c.to_dict()
    assert d["paraphrase"] is True and d["quote"] is None


def test_coordinated_claims_split_and_the_promise_ranked_low(fast_extractor):
    res = _run(fast_extractor)
    fact = _find(res, "Inflation had fallen")
    promise = _find(res, "Wages would double")
    assert fact.claim.text == "Inflation had fallen to 3 percent in 2022."
    assert promise.claim.text == "Wages would double by 2030."
    assert (fact.category, fact.checkable) == ("fact", True)
    assert (promise.category, promise.checkable) == ("prediction", False)
    assert fact.claim.speaker == promise.claim.speaker == "Irena Volkova"
    assert promise.score < fact.score


def test_writer_narration_is_not_the_speakers_claim(fast_extractor):
    res = _run(fast_extractor)
    c = _find(res, "all but acknowledged")
    assert c.claim.speaker is None and c.kind == "narration"
    quote = _find(res, "holding camp")
    assert quote.claim.speaker == "Tomas Brandt" and c.score < quote.score


def test_dates_from_the_text(fast_extractor):
    res = _run(fast_extractor)
    # "On March 3" dates the interview, and so every undated claim by the person it names
    for words in ("factory of refugees", "policies of the alliance", "Inflation had fallen"):
        c = _find(res, words)
        assert (c.claim.date, c.date_source) == (dt.date(2022, 3, 3), "speaker"), words
    july = _find(res, "holding camp")
    assert (july.claim.date, july.date_source) == (dt.date(2022, 7, 1), "text")
    # the writer's own sentences: no document date, so the latest date the text gives
    narration = _find(res, "all but acknowledged")
    assert (narration.claim.date, narration.date_source) == (dt.date(2022, 11, 1), "inferred")
    assert all(c.claim.date is not None for c in res)


def test_document_date_for_the_writer_and_text_dates_for_speakers(fast_extractor):
    res = _run(fast_extractor, doc_date="2022-12-20")
    assert _find(res, "all but acknowledged").claim.date == dt.date(2022, 12, 20)
    assert _find(res, "all but acknowledged").date_source == "document"
    assert _find(res, "policies of the alliance").claim.date == dt.date(2022, 3, 3)


def test_nearest_date_before_the_claim_in_its_paragraph(fast_extractor):
    text = (
        "On 12 June 2023, Minister Oskar Lindqvist spoke to parliament for an hour. "
        "He said that the bridge carries 95,000 vehicles a day.\n"
    )
    c = _find(fast_extractor().run(text), "95,000")
    assert c.claim.speaker == "Oskar Lindqvist" and c.claim.date == dt.date(2023, 6, 12)
    assert c.date_source == "text" and c.claim.paraphrase


def test_claimed_victory_is_not_reported_speech(fast_extractor):
    text = "After the disputed August 2020 election, in which Tomas Brandt claimed victory, 300 people were arrested.\n"
    c = _find(fast_extractor().run(text), "300 people")
    assert c.claim.speaker is None and not c.claim.paraphrase


def test_claim_paraphrase_field_is_backward_compatible():
    old = {
        "text": "Crime fell 20 percent.",
        "speaker": "Ann Lee",
        "date": "2021-01-02",
        "quote": None,
        "source": None,
        "speaker_title": None,
        "id": "",
    }
    c = Claim.from_dict(old)
    assert (
        c.paraphrase is False and c.id == Claim(text="Crime fell 20 percent.", speaker="Ann Lee", date="2021-01-02").id
    )
    assert Claim.from_dict(c.to_dict()) == c and c.to_dict()["paraphrase"] is False


def test_quote_loses_the_writers_trailing_comma(fast_extractor):
    c = _find(_run(fast_extractor), "factory of refugees")
    assert c.claim.quote.endswith("on a global scale")


def test_cli_markdown_marks_paraphrase_prediction_and_date_source(fast_extractor):
    from factdesk.app.cli_claims import claims_markdown

    md = claims_markdown(_run(fast_extractor), None)
    assert (
        "**The policies of the alliance are most responsible for 40,000 migrants gathering at the border.** (paraphrase)"
        in md
    )
    assert "**Wages would double by 2030.** (paraphrase) (prediction: not checkable yet)" in md
    assert "2022-03-03 (date from the text, for this speaker)" in md
    assert "(date from the latest date in the text)" in md
