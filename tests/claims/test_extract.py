"""ClaimExtractor behaviour with fast stand-ins (rule-based sentences, a number-counting scorer)."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest
from claims_fixtures import BOX_STORY, EXAMPLES

from factdesk.claims import ClaimExtractor, ExtractedClaim
from factdesk.claims.extract import NON_ENGLISH_NOTE
from factdesk.errors import InputError


def test_extract_box_story_top3_has_the_refugee_factory_quote(fast_extractor):
    res = fast_extractor(top=3).run(BOX_STORY, doc_date="2022-12-20")
    assert len(res) == 3 and all(isinstance(c, ExtractedClaim) for c in res)
    hit = [c for c in res if "factory of refugees" in c.claim.text]
    assert hit, [c.claim.text for c in res]
    c = hit[0]
    assert c.claim.speaker == "Irena Volkova" and c.claim.speaker_title
    # issue 18: the framing before the colon ("He (Hansen) stays silent on the real issue") is dropped
    assert (
        c.claim.text
        == "Over ten years, the alliance countries have turned into a factory of refugees on a global scale."
    )
    assert "He (Hansen)" in c.claim.quote  # the verbatim words are kept
    assert BOX_STORY[c.start : c.end].startswith('"He (Hansen)')
    # issue 18: "On March 3, ... Norpress quoted Irena Volkova" dates her claims (before: the document's date)
    assert (c.claim.date, c.date_source) == (dt.date(2022, 3, 3), "speaker")


def test_extract_july_speech_attributed_and_dated(fast_extractor):
    res = fast_extractor().run(BOX_STORY)
    july = [c for c in res if "holding camp" in c.claim.text or "hold nobody" in c.claim.text]
    assert len(july) == 2 and all(c.claim.speaker == "Tomas Brandt" for c in july)
    assert all(c.claim.date == dt.date(2022, 7, 1) for c in july)


def test_extract_merges_near_duplicates(fast_extractor):
    text = (
        "Ann Lee\n\nMayor of Dale\n\n“Crime fell 20 percent in 2022 across the whole city.”\n\n"
        '"Crime fell 20 percent in 2022 across the whole city," Lee said.\n'
    )
    res = fast_extractor().run(text)
    same = [c for c in res if "Crime fell" in c.claim.text]
    assert len(same) == 1 and same[0].claim.speaker == "Ann Lee"


def test_extract_examples_transcript(fast_extractor):
    text = (EXAMPLES / "riverton-debate-transcript.txt").read_text()
    res = fast_extractor(top=2).run(text)
    assert {c.claim.speaker for c in res} == {"Maria Ortiz", "David Klein"}
    for c in res:
        assert not text[c.start : c.end].startswith(("MARIA", "DAVID"))  # the label is not the claim


def test_extract_examples_news_pronoun_speaker(fast_extractor):
    res = fast_extractor().run((EXAMPLES / "eastport-bridge-news.txt").read_text())
    nair = [c for c in res if "overstated" in c.claim.text][0]
    assert nair.claim.speaker == "Priya Nair" and nair.claim.text.startswith("The ministry had overstated")


def test_extract_empty_and_whitespace(fast_extractor):
    with pytest.raises(InputError, match="empty"):
        fast_extractor().run("")
    with pytest.raises(InputError, match="empty"):
        fast_extractor().run("   \n\t\n ")


def test_extract_no_sentences(fast_extractor):
    res = fast_extractor().run("--- *** ---\n\n12 34\n\n!!!")
    assert len(res) == 0 and any("no sentences" in n for n in res.notes)


def test_extract_non_english_scores_but_no_attribution(fast_extractor):
    text = (
        "Der Minister sagte, dass die Brücke jeden Tag 95.000 Fahrzeuge trägt. "
        "„Die Maut ist seit 2009 nicht gestiegen“, sagte Oskar Lindqvist im Parlament."
    )
    res = fast_extractor().run(text)
    assert res.notes == [NON_ENGLISH_NOTE] and "English-only" in res.notes[0]
    assert len(res) >= 1 and all(c.claim.speaker is None for c in res)
    assert all(c.checkworthiness > 0 for c in res)


def test_extract_bad_arguments():
    with pytest.raises(InputError, match="top"):
        ClaimExtractor(top=0)
    with pytest.raises(InputError, match="weights"):
        ClaimExtractor(weights={"person": 1.0})
    with pytest.raises(InputError, match="str"):
        ClaimExtractor(nlp=object(), scorer=object()).run(b"bytes")  # type: ignore[arg-type]


def test_extract_10mb_transcript_streams_with_progress(fast_extractor, capsys):
    turns = [
        "JANE ROE: Unemployment fell to 4 percent in 2019 and we built 300 schools.",
        "JOHN DOE: That is wrong. My opponent raised taxes on 2 million families.",
        "MODERATOR: Thank you. Let us move on to the next question please.",
    ]
    block = "\n".join(turns) + "\n"
    text = block * (10_000_000 // len(block) + 1)
    assert len(text) >= 10_000_000
    t0 = time.time()
    res = fast_extractor(top=5, progress=True, block_chars=2_000_000).run(text)
    elapsed = time.time() - t0
    err = capsys.readouterr().err
    assert "claims" in err and "100%" in err  # tqdm's bar on stderr
    assert len(res) == 3 and res.sentences > 200_000  # repeated turns merge into one claim each
    assert {c.claim.speaker for c in res} == {"Jane Roe", "John Doe", "Moderator"}
    assert elapsed < 240


@pytest.mark.parametrize(
    "text",
    [
        "Crime rose 20% in 2019. Taxes fell! Did they? Yes... maybe. “Quote.” Next one",
        "Mr. Smith went to Washington, D.C. today. He said: “We won.” Then left!!! ?? OK.",
        "no final punctuation at all",
        "...",
        "!!! Hi. (Really.) [Done.] Fine",
        "Line one.  Two spaces.   Three spaces.\tTab. End. ",
    ],
)
def test_sentence_spans_match_spacys_sentencizer(blank_nlp, text):
    from factdesk.claims.extract import sentence_spans

    sz = blank_nlp.get_pipe("sentencizer")
    punct = np.array(sorted(blank_nlp.vocab.strings.add(c) for c in sz.punct_chars), dtype=np.uint64)
    doc = sz(blank_nlp.tokenizer(text))
    ref = []
    for s in doc.sents:
        a, b = s.start_char, s.end_char
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            ref.append((a, b))
    assert sentence_spans(blank_nlp.tokenizer(text), punct) == ref
    assert sentence_spans(blank_nlp.tokenizer(""), punct) == []
