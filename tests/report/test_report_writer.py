"""The template writer: headline, summary, attributed and cited analysis, desk notes."""

from __future__ import annotations

from report_helpers import NEI, REF, ev

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


def test_organisation_comes_from_the_whole_speaker_title():
    # issue 18: the organisation the speaker speaks for, as a desk names it, wherever the title has it
    assert organisation("Press secretary, Belarus Ministry of Foreign Affairs") == "Belarus Foreign Ministry"
    assert organisation("Press secretary for Belarus Foreign Ministry") == "Belarus Foreign Ministry"
    assert organisation("Russian Foreign Ministry spokeswoman") == "Russian Foreign Ministry"
    assert organisation("spokeswoman for the Veloria Ministry of Health") == "Veloria Health Ministry"
    assert organisation("chief executive of the Northvale Water Authority") == "Northvale Water Authority"
    assert organisation("Spokesman, Kremlin") == "Kremlin"
    # a generic office names nobody: "the Foreign Ministry press office" of which country?
    assert organisation("head of Digital Diplomacy for the Foreign Ministry press office") is None
    assert organisation("Minister of Transport") is None
    assert organisation("Farmer") is None
    assert organisation(None) is None


def test_headline_is_who_verdict_and_the_claims_main_clause(glaz_claim):
    assert (
        headline(glaz_claim, Verdict(Rating.MISLEADING, 0.6))
        == "Belarus Foreign Ministry Misleads, Claiming NATO Countries Have Become a Real Machine Producing Refugees"
    )
    no_title = Claim(text="Joe Biden wants to ban fracking in Pennsylvania", speaker="Donald Trump")
    assert (
        headline(no_title, Verdict(Rating.FALSE, 0.9))
        == "Trump Falsely Claims Joe Biden Wants to Ban Fracking in Pennsylvania"
    )
    anon = Claim(text="Almost 4.3 million Syrian refugees were registered")
    assert (
        headline(anon, Verdict(Rating.UNSUBSTANTIATED, 0.5))
        == "Claim That Almost 4.3 Million Syrian Refugees Were Registered Is Unsubstantiated"
    )
    org = Claim(text="The agency registered 4.3 million refugees.", speaker="U.N. refugee agency")
    assert (
        headline(org, Verdict(Rating.TRUE, 0.9))
        == "U.N. Refugee Agency Is Right That the Agency Registered 4.3 Million Refugees"
    )
    plural = Claim(text="Minsk encouraged travel to Belarus.", speaker="Lithuanian officials")
    assert headline(plural, Verdict(Rating.LIKELY_TRUE, 0.7)).startswith("Lithuanian Officials Are Largely Right That")
    assert (
        gist(Claim(text="In a letter to Steve Jobs, Sean Connery refused to appear in an apple commercial."))
        == "Steve Jobs and Sean Connery"
    )


def test_headline_falls_back_to_the_plain_form_that_cannot_be_wrong(glaz_claim):
    from factdesk.report.writer import plain_headline

    # a pronoun subject, or a comparison cut from its "than": no clause headline
    pronoun = Claim(
        text="They have become a machine producing refugees.",
        speaker="Anatoly Glaz",
        speaker_title="Press secretary for Belarus Foreign Ministry",
    )
    head = headline(pronoun, Verdict(Rating.UNSUBSTANTIATED, 0.5))
    assert head.startswith("Claim by the Belarus Foreign Ministry on ") and head.endswith(": Unsubstantiated")
    assert (
        plain_headline(glaz_claim, Verdict(Rating.UNSUBSTANTIATED, 0.5))
        == "Claim by the Belarus Foreign Ministry on NATO and refugees: Unsubstantiated"
    )
    spends = Claim(
        text="The city now spends more on outside consultants than on street lighting.", speaker="Maria Ortiz"
    )
    assert headline(spends, Verdict(Rating.FALSE, 0.8)).startswith("Claim by Ortiz on ")
    assert headline(spends, Verdict(Rating.FALSE, 0.8)).endswith(": False")
    assert plain_headline(Claim(text="Penguins fly."), Verdict(Rating.FALSE, 0.8)) == "Claim on penguins: False"


def test_dates_and_domains():
    import datetime as dt

    assert when_phrase(dt.date(2016, 1, 1)) == "in 2016"
    assert when_phrase(dt.date(2015, 12, 18)) == "in December 2015"
    assert domain("https://web.archive.org/web/2020/https://www.scoopertino.com/x") == "scoopertino.com"
    assert domain(None) is None


def test_best_quote_is_verbatim_and_picks_the_matching_sentence():
    text = "The weather was fine. UNHCR registered 4.3 million Syrian refugees. The match ended 2-1."
    assert (
        best_quote(text, "Syrian refugees registered by UNHCR", max_chars=60)
        == "UNHCR registered 4.3 million Syrian refugees."
    )
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
    assert summary[0].text.startswith(
        "Anatoly Glaz, Press secretary, Belarus Ministry of Foreign Affairs, said on December 14, 2021: “NATO countries"
    )
    assert "misleading (confidence 0.60)" in summary[1].text
    assert "2 contradict it and 1 supports it" in summary[1].text
    assert head.startswith("Belarus Foreign Ministry Misleads, Claiming NATO Countries")


def test_true_verdict_leads_with_support(glaz_claim, glaz_evidence):
    _, _, analysis = TemplateWriter().run(glaz_claim, glaz_evidence, Verdict(Rating.TRUE, 0.8))
    assert analysis[0].citations == [4]


def test_unsubstantiated_says_what_the_evidence_does_not_show():
    claim = Claim(text="Penguins can fly over Antarctica")
    evidence = [ev("The football team won its qualifying match on Tuesday.", "Sports Desk", "2021-10-05", NEI)]
    _, summary, analysis = TemplateWriter().run(claim, evidence, Verdict(Rating.UNSUBSTANTIATED, 0.5))
    assert len(analysis) == 1 and analysis[0].citations == []
    assert analysis[0].text.startswith(
        "None of the 1 passages retrieved from the evidence store says whether “Penguins can fly over Antarctica”"
    )
    assert is_desk_note(analysis[0].text)
    assert "none clearly supports or contradicts it" in summary[1].text
    _, _, empty = TemplateWriter().run(claim, [], Verdict(Rating.UNSUBSTANTIATED, 0.5))
    assert is_desk_note(empty[0].text) and "holds no passage" in empty[0].text


def test_max_per_side_keeps_the_strongest():
    claim = Claim(text="Sanctions were imposed on Belarus")
    evidence = [
        ev(
            f"Sanctions were imposed on Belarus, report {i}.",
            f"P{i}",
            f"2021-0{i}-02",
            (0.5 + i / 20, 0.05, 0.45 - i / 20),
        )
        for i in range(1, 6)
    ]
    _, _, analysis = TemplateWriter(max_per_side=2).run(claim, evidence, Verdict(Rating.TRUE, 0.9))
    assert [s.citations for s in analysis if s.citations] == [[4], [5]]


def test_uncited_sentences_that_are_not_notes_are_recognised():
    assert not is_desk_note("NATO caused the refugee crisis.")
    assert not is_desk_note("")


def test_source_numbers_give_each_document_one_number():
    from factdesk.report.writer import cited_sources, source_numbers
    from factdesk.types import Document, Evidence, Passage

    unhcr, reuters = Document(text="UNHCR report on refugees."), Document(text="Reuters on air strikes.")
    evidence = [Evidence(Passage(d.id, d.text[:10], 0, 10, i), d) for i, d in enumerate([unhcr, reuters, unhcr, unhcr])]
    assert source_numbers(evidence) == [1, 2, 1, 1]
    assert source_numbers([]) == []
    assert cited_sources([3, 4], evidence) == [1]
    assert cited_sources([2, 1, 3], evidence) == [2, 1]
    assert cited_sources([0, 5], evidence) == []


def _seed_claim2_evidence():
    """The evidence Polygraph used for Glaz's second claim, all judged not-enough-info, with the
    claim-passage similarities the pipeline records, and one off-topic passage."""
    items = [
        ev(
            "The EU said the Lukashenko regime had deliberately brought migrants to Minsk.",
            "Council of the EU",
            "2021-11-15",
            NEI,
        ),
        ev(
            "Several migrants told Lithuanian border guards that Belarusian officers had driven them to the frontier.",
            "LRT",
            "2021-08-04",
            NEI,
        ),
        ev(
            "Lithuanian officials said documents show that Belarusian authorities encouraged travel to Belarus.",
            "LRT",
            "2021-08-04",
            NEI,
        ),
        ev("The football team won its qualifying match on Tuesday.", "Sports Desk", "2021-10-05", NEI),
        ev(
            "Smugglers in Iraq have been selling packages that include a Belarusian visa.", "Reuters", "2021-11-12", NEI
        ),
    ]
    # passages 2 and 3 are two passages of one LRT story
    lrt = items[1].document
    lrt.text = items[1].passage.text + " " + items[2].passage.text
    items[2].document = lrt
    items[2].passage.document_id = lrt.id
    for e, sim in zip(items, (0.52, 0.47, 0.49, 0.05, 0.41)):
        e.scores["similarity"] = sim
    return items


def test_unsubstantiated_sets_out_what_the_relevant_passages_say_and_leave_open():
    from factdesk.report.grounding import GroundingCheck
    from factdesk.report.writer import NOTE_LEAVES_OPEN
    from factdesk.testing.fakes import FakeStanceModel

    claim = Claim(
        text="The policies of NATO member states are most responsible for migrants massing at the Belarusian borders.",
        speaker="Anatoly Glaz",
        paraphrase=True,
    )
    evidence = _seed_claim2_evidence()
    _, summary, analysis = TemplateWriter().run(claim, evidence, Verdict(Rating.UNSUBSTANTIATED, 0.6))
    # one passage per source first (LRT's best, the EU, Reuters), in date order; never the off-topic one
    assert [s.citations for s in analysis] == [[3], [5], [1], []]
    assert analysis[0].text.startswith("LRT reported in August 2021 that “Lithuanian officials said documents")
    assert analysis[-1].text == NOTE_LEAVES_OPEN.format(
        claim="“the policies of NATO member states are most responsible for migrants massing at the Belarusian borders”"
    )
    assert is_desk_note(analysis[-1].text)
    kept, dropped = GroundingCheck(FakeStanceModel()).run(analysis, evidence)
    assert dropped == [] and [s.text for s in kept] == [s.text for s in analysis]
    # reported speech: the summary does not put the reporter's words in the speaker's mouth
    assert summary[0].text == (
        "As reported, Anatoly Glaz said that the policies of NATO member states are most "
        "responsible for migrants massing at the Belarusian borders."
    )


def test_misleading_with_one_side_adds_context_and_says_what_is_left_open():
    claim = Claim(text="Belarusian authorities encouraged travel to Belarus", speaker="Lithuanian officials")
    evidence = _seed_claim2_evidence()
    evidence[0] = ev("Belarus denied that it encouraged travel.", "BelTA", "2021-08-01", REF)
    _, _, analysis = TemplateWriter().run(claim, evidence, Verdict(Rating.MISLEADING, 0.5))
    cited = [s.citations for s in analysis]
    assert cited[0] == [1] and cited[-1] == [] and len(cited) == 3  # the refuting passage, one in context, the note
    assert analysis[-1].text.startswith("None of the passages weighed settles every part of")
