"""The template writer: headline, summary, attributed and cited analysis, desk notes."""

from __future__ import annotations

from report_helpers import NEI, ev

from factdesk.report.writer import (
    TemplateWriter,
    best_quote,
    domain,
    gist,
    headline,
    is_desk_note,
    organisation,
    when_phrase,
)
from factdesk.types import Claim, Rating, Verdict


def test_organisation_comes_from_the_speaker_title():
    assert organisation("Press secretary, Belarus Ministry of Foreign Affairs") == "Belarus"
    assert organisation("Press secretary for Belarus Foreign Ministry") == "Belarus"
    assert organisation("Russian Foreign Ministry spokeswoman") == "Russia"
    assert organisation("Spokesman, Kremlin") == "Kremlin"
    assert organisation("Farmer") is None
    assert organisation(None) is None


def test_headline_is_who_verdict_verb_gist(glaz_claim):
    assert headline(glaz_claim, Verdict(Rating.MISLEADING, 0.6)) == "Belarus Misleads on NATO Countries"
    no_title = Claim(text="Joe Biden wants to ban fracking in Pennsylvania", speaker="Donald Trump")
    assert headline(no_title, Verdict(Rating.FALSE, 0.9)) == "Trump Is Wrong About Joe Biden and Pennsylvania"
    anon = Claim(text="Almost 4.3 million Syrian refugees were registered")
    assert headline(anon, Verdict(Rating.UNSUBSTANTIATED, 0.5)) == "Claim About Syrian Refugees Is Unsubstantiated"
    assert gist(Claim(text="In a letter to Steve Jobs, Sean Connery refused to appear in an apple commercial.")) \
        == "Steve Jobs and Sean Connery"


def test_dates_and_domains():
    import datetime as dt

    assert when_phrase(dt.date(2016, 1, 1)) == "in 2016"
    assert when_phrase(dt.date(2015, 12, 18)) == "in December 2015"
    assert domain("https://web.archive.org/web/2020/https://www.scoopertino.com/x") == "scoopertino.com"
    assert domain(None) is None


def test_best_quote_is_verbatim_and_picks_the_matching_sentence():
    text = "The weather was fine. UNHCR registered 4.3 million Syrian refugees. The match ended 2-1."
    assert best_quote(text, "Syrian refugees registered by UNHCR", max_chars=60) == \
        "UNHCR registered 4.3 million Syrian refugees."
    long = "word " * 200
    q = best_quote(long, "word", max_chars=50)
    assert q.endswith("...") and len(q) <= 53


def test_analysis_is_attributed_cited_and_in_date_order(glaz_claim, glaz_evidence):
    verdict = Verdict(Rating.MISLEADING, 0.6)
    head, summary, analysis = TemplateWriter().run(glaz_claim, glaz_evidence, verdict)
    texts = [s.text for s in analysis]
    # refuting side first (the verdict leans false), each side in date order, then the desk note
    assert [s.citations for s in analysis] == [[1], [3], [4], []]
    assert texts[0].startswith("Reuters reported in October 2015 that “Russian warplanes began air strikes")
    assert texts[1].startswith("UNHCR reported in 2016 that “UNHCR registered almost 4.3 million")
    assert texts[2].startswith("example.com reported in May 2019 that “NATO countries")
    assert is_desk_note(texts[3])
    # off-topic passage 2 is never cited
    assert all(2 not in s.citations for s in summary + analysis)
    assert summary[0].text.startswith("Anatoly Glaz, Press secretary, Belarus Ministry of Foreign Affairs, "
                                      "said on December 14, 2021: “NATO countries")
    assert "misleading (confidence 0.60)" in summary[1].text
    assert "2 contradict it and 1 supports it" in summary[1].text
    assert head == "Belarus Misleads on NATO Countries"


def test_true_verdict_leads_with_support(glaz_claim, glaz_evidence):
    _, _, analysis = TemplateWriter().run(glaz_claim, glaz_evidence, Verdict(Rating.TRUE, 0.8))
    assert analysis[0].citations == [4]


def test_unsubstantiated_says_what_the_evidence_does_not_show():
    claim = Claim(text="Penguins can fly over Antarctica")
    evidence = [ev("The football team won its qualifying match on Tuesday.", "Sports Desk", "2021-10-05", NEI)]
    _, summary, analysis = TemplateWriter().run(claim, evidence, Verdict(Rating.UNSUBSTANTIATED, 0.5))
    assert len(analysis) == 1 and analysis[0].citations == []
    assert analysis[0].text.startswith("None of the 1 passages retrieved from the evidence store says whether "
                                       "“Penguins can fly over Antarctica”")
    assert is_desk_note(analysis[0].text)
    assert "none clearly supports or contradicts it" in summary[1].text
    _, _, empty = TemplateWriter().run(claim, [], Verdict(Rating.UNSUBSTANTIATED, 0.5))
    assert is_desk_note(empty[0].text) and "holds no passage" in empty[0].text


def test_max_per_side_keeps_the_strongest():
    claim = Claim(text="Sanctions were imposed on Belarus")
    evidence = [ev(f"Sanctions were imposed on Belarus, report {i}.", f"P{i}", f"2021-0{i}-02",
                   (0.5 + i / 20, 0.05, 0.45 - i / 20)) for i in range(1, 6)]
    _, _, analysis = TemplateWriter(max_per_side=2).run(claim, evidence, Verdict(Rating.TRUE, 0.9))
    assert [s.citations for s in analysis if s.citations] == [[4], [5]]


def test_uncited_sentences_that_are_not_notes_are_recognised():
    assert not is_desk_note("NATO caused the refugee crisis.")
    assert not is_desk_note("")


def test_source_numbers_give_each_document_one_number():
    from factdesk.report.writer import cited_sources, source_numbers
    from factdesk.types import Document, Evidence, Passage

    unhcr, reuters = Document(text="UNHCR report on refugees."), Document(text="Reuters on air strikes.")
    evidence = [Evidence(Passage(d.id, d.text[:10], 0, 10, i), d)
                for i, d in enumerate([unhcr, reuters, unhcr, unhcr])]
    assert source_numbers(evidence) == [1, 2, 1, 1]
    assert source_numbers([]) == []
    assert cited_sources([3, 4], evidence) == [1]
    assert cited_sources([2, 1, 3], evidence) == [2, 1]
    assert cited_sources([0, 5], evidence) == []
