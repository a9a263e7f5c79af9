"""Renderers: md, html (escaped, with ClaimReview JSON-LD), json, claimreview, AVeriTeC."""

from __future__ import annotations

import json
import re

import pytest

from factdesk.eval.meteor import justification_meteor
from factdesk.report.averitec import question_for, to_averitec
from factdesk.report.grounding import GroundingCheck
from factdesk.report.render import FORMATS, grounding_line, paragraphs, render, runner_up, to_claimreview
from factdesk.report.writer import TemplateWriter
from factdesk.testing.fakes import FakeStanceModel
from factdesk.types import Claim, FactCheck, Rating, Sentence, Verdict

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)> NATO countries </script> [9](javascript:x)"


@pytest.fixture
def fc(glaz_claim, glaz_evidence) -> FactCheck:
    glaz_evidence[3].passage.text = glaz_evidence[3].document.text = "NATO countries took part " + EVIL
    verdict = Verdict(Rating.MISLEADING, 0.6)
    head, summary, analysis = TemplateWriter().run(glaz_claim, glaz_evidence, verdict)
    analysis.append(Sentence("NATO started every war.", [2]))  # fails the check: listed as dropped
    kept, dropped = GroundingCheck(FakeStanceModel(), rewrite=False).run(analysis, glaz_evidence)
    return FactCheck(glaz_claim, glaz_evidence, verdict, head, summary, kept, dropped)


def test_markdown_has_claim_box_paragraphs_and_sources(fc):
    md = render(fc, "md")
    # issue 18: who (the ministry in the speaker's title), the verdict, the claim's own main clause
    assert md.startswith(
        "# Belarus Foreign Ministry Misleads, Claiming NATO Countries Have Become a Real Machine Producing Refugees\n"
    )
    assert "> **Speaker:** Anatoly Glaz, Press secretary, Belarus Ministry of Foreign Affairs" in md
    assert "> **Date:** December 14, 2021" in md and "> **Verdict:** **Misleading** (confidence 0.60" in md
    assert "[1] Reuters, “Russia strikes Syria”, October 1, 2015, https://example.org/a" in md
    assert "[4] example.com, May 2, 2019, https://web.archive.org/" in md
    assert "3 of 3 cited analysis sentences are grounded" in md and "1 sentence failed the check" in md
    assert "<script>" not in md and "\\[9\\]" in md
    assert [[s.citations for s in p] for p in paragraphs(fc)] == [[[1], [3]], [[4]], [[]]]


def test_html_escapes_evidence_and_embeds_claimreview(fc):
    page = render(fc, "html")
    assert "<script>alert" not in page and "<img" not in page and "&lt;script&gt;alert(1)" in page
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1 and "<" not in scripts[0]
    data = json.loads(scripts[0])
    assert data["@type"] == "ClaimReview" and data["reviewRating"]["alternateName"] == "Misleading"
    assert data["itemReviewed"]["author"]["jobTitle"].startswith("Press secretary")
    assert page.count("<script") == 1  # evidence never adds a script element
    assert '<a href="#src-1">[1]</a>' in page and 'id="src-4"' in page


def test_json_reports_grounded_rate_and_dropped(fc):
    d = json.loads(render(fc, "json"))
    assert d["dropped_sentences"] == [{"text": "NATO started every war.", "citations": [2], "grounded": False}]
    total = len(d["summary"]) + len(d["analysis"]) + 1
    assert d["grounded_sentence_rate"] == pytest.approx((total - 1) / total)
    assert FactCheck.from_dict(d).analysis == fc.analysis


def test_claimreview_unsubstantiated_has_no_point_on_the_scale():
    fc = FactCheck(Claim(text="Penguins fly."), [], Verdict(Rating.UNSUBSTANTIATED, 0.5), headline="H")
    cr = to_claimreview(fc, url="https://desk.example/1")
    assert cr["reviewRating"]["ratingValue"] == -1 and cr["url"] == "https://desk.example/1"
    assert json.loads(render(fc, "claimreview"))["claimReviewed"] == "Penguins fly."


def test_averitec_prediction_record(fc):
    rec = json.loads(render(fc, "averitec"))
    assert rec["label"] == rec["pred_label"] == "Conflicting Evidence/Cherrypicking"
    assert len(rec["questions"]) == len(fc.evidence) == len(rec["evidence"])
    assert rec["questions"][0]["question"] == question_for(fc.claim)
    assert rec["questions"][0]["answers"][0]["answer"] == fc.evidence[0].passage.text
    assert rec["evidence"][0]["url"] == "https://example.org/a"
    assert "[" not in rec["justification"].replace("\\[", "") or "[9]" in rec["justification"]
    assert rec["justification"].startswith("Anatoly Glaz, Press secretary")
    assert to_averitec(fc, claim_id=3)["claim_id"] == 3
    # the AVeriTeC scorer reads these records
    from factdesk.eval.averitec import prediction_strings

    assert prediction_strings(rec)[0].startswith("Is it true that NATO countries")


def test_unknown_format_lists_choices(fc):
    with pytest.raises(ValueError, match="choose one of md, json, claimreview, html, averitec"):
        render(fc, "pdf")
    assert set(FORMATS) == {"md", "json", "claimreview", "html", "averitec"}


@pytest.mark.slow
def test_justification_meteor_scores_against_gold():
    try:
        m = justification_meteor(
            [{"justification": "The claim is refuted by the sources."}],
            [{"justification": "The sources show the claim is refuted."}],
        )
    except LookupError as exc:  # nltk data missing on this machine
        pytest.skip(f"nltk data for METEOR is missing: {exc}")
    assert 0.3 < m["justification_meteor"] <= 1.0 and m["n"] == 1.0
    with pytest.raises(ValueError, match="aligned"):
        justification_meteor([], [{"justification": "x"}])


# --------------------------------------------------------------------------- sources, runner-up, grounding line


def _one_report_three_passages() -> FactCheck:
    """Passages 1, 3 and 4 come from one UNHCR report, passage 2 from Reuters."""
    from factdesk.types import Document, Evidence, Passage, Stance

    text = (
        "UNHCR registered 4.3 million Syrian refugees. Turkey hosted 2.5 million of them. Lebanon hosted 1.1 million."
    )
    unhcr = Document(
        text=text, publisher="UNHCR", published="2016-01-01", title="Regional plan", url="https://example.org/unhcr"
    )
    reuters = Document(
        text="Russia began air strikes in Syria in September 2015.",
        publisher="Reuters",
        published="2015-10-01",
        url="https://example.org/reuters",
    )
    spans = [(0, 45), (46, 80), (81, 108)]
    p = [
        Evidence(Passage(unhcr.id, text[a:b], a, b, i), unhcr, stance=Stance.from_probs([0.05, 0.85, 0.1]))
        for i, (a, b) in enumerate(spans)
    ]
    r = Evidence(
        Passage(reuters.id, reuters.text, 0, len(reuters.text)), reuters, stance=Stance.from_probs([0.05, 0.05, 0.9])
    )
    analysis = [
        Sentence("UNHCR counted 4.3 million.", [1]),
        Sentence("Turkey hosted most.", [3]),
        Sentence("Both figures come from one plan.", [3, 4]),
        Sentence("Strikes began in 2015.", [2]),
    ]
    return FactCheck(
        Claim(text="Syria produced 10 million refugees."),
        [p[0], r, p[1], p[2]],
        Verdict(Rating.FALSE, 0.82),
        headline="H",
        analysis=analysis,
    )


def test_report_cites_each_source_document_once():
    fc = _one_report_three_passages()
    md = render(fc, "md")
    assert md.split("## Sources\n\n")[1] == (
        "[1] UNHCR, “Regional plan”, January 1, 2016, https://example.org/unhcr (passages 1, 3, 4)\n"
        "[2] Reuters, October 1, 2015, https://example.org/reuters (passage 2)\n"
    )
    assert "UNHCR counted 4.3 million. [1] Turkey hosted most. [1] Both figures come from one plan. [1]" in md
    assert "Strikes began in 2015. [2]" in md
    assert "3. refutes 0.85, source [1]: Turkey hosted 2.5 million of them." in md
    page = render(fc, "html")
    assert page.count('<li id="src-') == 2 and 'id="src-3"' not in page
    assert page.count('<a href="#src-1">[1]</a>') == 3 and page.count('<blockquote id="ev-') == 4
    d = json.loads(render(fc, "json"))
    assert [(s["number"], s["publisher"], s["evidence"]) for s in d["sources"]] == [
        (1, "UNHCR", [1, 3, 4]),
        (2, "Reuters", [2]),
    ]
    assert d["analysis"][1]["citations"] == [3]  # stored citations stay passage numbers


PROBS = {
    "True": 0.0,
    "Likely True": 0.0,
    "Misleading": 0.33,
    "Partially False": 0.0,
    "Likely False": 0.26,
    "False": 0.0,
    "Unsubstantiated": 0.41,
}


def test_runner_up_rating_in_every_format():
    fc = FactCheck(Claim(text="Penguins fly."), [], Verdict(Rating.UNSUBSTANTIATED, 0.41, probs=PROBS), headline="H")
    assert runner_up(fc.verdict) == ("Misleading", 0.33)
    assert (
        "> **Verdict:** **Unsubstantiated** (confidence 0.41; next most likely: Misleading 0.33; "
        "AVeriTeC: Not Enough Evidence)"
    ) in render(fc, "md")
    assert (
        '<span class="confidence">confidence 0.41</span> '
        '<span class="runner-up">next most likely: Misleading 0.33</span>'
    ) in render(fc, "html")
    assert json.loads(render(fc, "json"))["runner_up"] == {"rating": "Misleading", "probability": 0.33}
    assert json.loads(render(fc, "claimreview"))["reviewRating"]["ratingExplanation"] == (
        "Not enough evidence to rate the claim on the scale. factdesk's calibrated probability for "
        "Unsubstantiated is 0.41; the next most likely rating is Misleading (0.33)."
    )


def test_no_runner_up_when_no_other_rating_has_probability():
    fc = FactCheck(
        Claim(text="Penguins fly."),
        [],
        Verdict(
            Rating.UNSUBSTANTIATED, 1.0, probs={**PROBS, "Misleading": 0.0, "Likely False": 0.0, "Unsubstantiated": 1.0}
        ),
        headline="H",
    )
    assert runner_up(fc.verdict) is None
    assert "> **Verdict:** **Unsubstantiated** (confidence 1.00; AVeriTeC: Not Enough Evidence)" in render(fc, "md")
    assert "runner-up" not in render(fc, "html")
    assert json.loads(render(fc, "json"))["runner_up"] is None
    assert "next most likely" not in render(fc, "claimreview")


def test_no_grounding_line_when_nothing_was_cited():
    note = Sentence(
        "None of the 3 passages retrieved from the evidence store says whether it is so; "
        "an editor should look for primary sources before publishing."
    )
    fc = FactCheck(Claim(text="Penguins fly."), [], Verdict(Rating.UNSUBSTANTIATED, 0.9), headline="H", analysis=[note])
    assert grounding_line(fc) is None
    assert "grounded" not in render(fc, "md") and "grounding" not in render(fc, "html")
    fc.dropped = [Sentence("Penguins fly south.", [1], grounded=False)]
    assert grounding_line(fc) == "1 sentence failed the check and was left out."


def test_fact_check_page_verdict_box_shows_the_runner_up():
    from pathlib import Path

    import jinja2

    from factdesk.report.render import RATING_CLASS

    folder = Path(__file__).resolve().parents[2] / "factdesk" / "app" / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True)
    env.filters["pct"] = lambda x: f"{100 * float(x or 0):.0f}%"  # as factdesk.app.web sets them
    env.filters["rating_class"] = lambda r: RATING_CLASS[Rating(r)]
    box = env.get_template("_verdict.html")
    fc = FactCheck(Claim(text="Penguins fly."), [], Verdict(Rating.UNSUBSTANTIATED, 0.41, probs=PROBS))
    html_ = box.render(fc=fc)
    assert "calibrated confidence 41%" in html_
    assert '<span class="runner-up">next most likely: Misleading 33%</span>' in html_
    fc.verdict = Verdict(Rating.UNSUBSTANTIATED, 1.0, probs={"Unsubstantiated": 1.0, "Misleading": 0.0})
    assert "runner-up" not in box.render(fc=fc)
    fc.verdict = Verdict(Rating.FALSE, 0.2, probs=PROBS, method="editor")  # the editors' rating stands alone
    assert "runner-up" not in box.render(fc=fc) and "Rated by the desk's editors" in box.render(fc=fc)


def test_claim_box_marks_a_paraphrase(fc):
    assert "> **Claim:** “" in render(fc, "md") and "paraphrase" not in render(fc, "html")
    fc.claim.paraphrase, fc.claim.quote = True, None
    assert "> **Claim (paraphrase):** “" in render(fc, "md")
    assert '<p class="paraphrase">Paraphrase of the speaker' in render(fc, "html")


def test_claim_box_says_where_the_date_came_from():
    from factdesk.report.render import date_line

    dated = Claim(text="Crime fell 20 percent.", speaker="Jane Roe", date="2024-03-05", date_source="dateline")
    md = render(FactCheck(dated, [], Verdict(Rating.UNSUBSTANTIATED, 0.5), headline="H"), "md")
    assert "> **Date:** March 5, 2024 (from the text's dateline)" in md
    assert (
        date_line(Claim(text="x", date="2026-11-30", date_source="ingest"))
        == "November 30, 2026 (the day the text came in: the text gives no date)"
    )
    assert date_line(Claim(text="x", date="2016-01-01", date_source="text")) == "2016 (from the text)"
    assert date_line(Claim(text="x", date="2021-12-14")) == "December 14, 2021"  # given by the user: no label
    page = render(FactCheck(dated, [], Verdict(Rating.UNSUBSTANTIATED, 0.5), headline="H"), "html")
    assert '<p class="date">March 5, 2024 (from the text&#x27;s dateline)</p>' in page
