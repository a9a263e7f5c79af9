"""Renderers: md, html (escaped, with ClaimReview JSON-LD), json, claimreview, AVeriTeC."""

from __future__ import annotations

import json
import re

import pytest

from factdesk.report.averitec import justification_meteor, question_for, to_averitec
from factdesk.report.grounding import GroundingCheck
from factdesk.report.render import FORMATS, paragraphs, render, to_claimreview
from factdesk.report.writer import TemplateWriter
from factdesk.testing.fakes import FakeStanceModel
from factdesk.types import Claim, FactCheck, Rating, Sentence, Verdict

EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)> NATO countries </script> [9](javascript:x)'


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
    assert md.startswith("# Belarus Misleads on NATO Countries\n")
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
        m = justification_meteor([{"justification": "The claim is refuted by the sources."}],
                                 [{"justification": "The sources show the claim is refuted."}])
    except LookupError as exc:  # nltk data missing on this machine
        pytest.skip(f"nltk data for METEOR is missing: {exc}")
    assert 0.3 < m["justification_meteor"] <= 1.0 and m["n"] == 1.0
    with pytest.raises(ValueError, match="aligned"):
        justification_meteor([], [{"justification": "x"}])
