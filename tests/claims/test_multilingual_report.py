"""Issue 24 part 6: an English report quotes a Russian claim as said, with the editor's English
rendering, and marks evidence by language, in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factdesk.report.render import render
from factdesk.types import Claim, Document, Evidence, FactCheck, Passage, Rating, Stance, StanceLabel, Verdict

RU_CLAIM = "С начала ноября Беларусь приняла более 2 тысяч мигрантов."


def _check(text_en: str | None) -> FactCheck:
    claim = Claim(
        text=RU_CLAIM,
        quote=RU_CLAIM,
        speaker="Анатолий Глаз",
        speaker_title="официальный представитель МИД Беларуси",
        date="2021-12-14",
        language="ru",
        text_en=text_en,
    )
    ru_doc = Document(text="x", title="Центр", publisher="Агентство", published="2021-11-20", language="ru")
    en_doc = Document(text="y", title="Arrivals", publisher="Monitor", published="2016-12-30", language="en")
    ev = [
        Evidence(
            Passage(ru_doc.id, "В центре находятся около 2 тысяч человек.", 0, 10),
            ru_doc,
            stance=Stance(StanceLabel.SUPPORTS, {"supports": 0.8, "refutes": 0.1, "neutral": 0.1}),
        ),
        Evidence(Passage(en_doc.id, "More than one million people arrived by sea in 2015.", 0, 10), en_doc),
    ]
    return FactCheck(claim, ev, Verdict(Rating.UNSUBSTANTIATED, 0.5), headline="Claim by Глаз")


def test_markdown_quotes_the_original_with_the_editors_rendering():
    md = render(_check("Since early November, Belarus has taken in more than 2,000 migrants."), "md")
    assert f"> **Claim [ru]:** “{RU_CLAIM}”" in md
    assert "> **In English (the editor's rendering):** “Since early November, Belarus has taken in" in md
    assert "> **Language:** Russian (ru)" in md
    lines = md.splitlines()
    assert any(ln.startswith("1. supports 0.80, source [1] [ru]: В центре") for ln in lines)
    assert any(ln.startswith("2. not judged, source [2]: More than") for ln in lines)  # English is not marked


def test_without_a_rendering_the_report_says_so_and_never_translates():
    md = render(_check(None), "md")
    assert "> **In English:** none supplied yet" in md and "the desk does not translate" in md
    html = render(_check(None), "html")
    assert f'<blockquote lang="ru">“{RU_CLAIM}” <span class="lang">[ru]</span></blockquote>' in html
    assert '<blockquote id="ev-1" lang="ru"><span class="lang">[ru]</span>' in html


@pytest.mark.parametrize("fmt", ["json", "claimreview", "html"])
def test_language_in_every_format(fmt):
    out = render(_check("Belarus took in 2,000 migrants."), fmt)
    if fmt == "json":
        d = json.loads(out)
        assert d["claim"]["language"] == "ru" and d["claim"]["text_en"] == "Belarus took in 2,000 migrants."
        assert [e["language"] for e in d["evidence"]] == ["ru", "en"]
    elif fmt == "claimreview":
        d = json.loads(out)
        assert d["claimReviewed"] == RU_CLAIM and d["itemReviewed"]["inLanguage"] == "ru"
    else:
        assert "Language: Russian (ru)" in out and "In English (the editor's rendering): “Belarus took in" in out


def test_claim_round_trips_its_language_and_rendering():
    c = Claim(text=RU_CLAIM, language="ru", text_en="  Belarus took in\n2,000 migrants. ")
    back = Claim.from_dict(c.to_dict())
    assert (back.language, back.text_en, back.id) == ("ru", "Belarus took in 2,000 migrants.", c.id)


def test_desk_input_detects_or_takes_the_language():
    from factdesk.errors import InputError
    from factdesk.newsroom import claim_from_input

    c = claim_from_input(RU_CLAIM, "Анатолий Глаз", text_en="Belarus took in 2,000 migrants.")
    assert (c.language, c.text_en) == ("ru", "Belarus took in 2,000 migrants.")
    assert claim_from_input("Минск", language="be").language == "be"
    with pytest.raises(InputError):
        claim_from_input(RU_CLAIM, language="russian!")


def test_an_editor_adds_the_english_rendering_to_a_drafted_check(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))
    from web_helpers import make_desk

    from factdesk.newsroom import Newsroom, claim_from_input

    news = Newsroom(lambda: make_desk(str(tmp_path / "news.db")))
    try:
        cid, _ = news.submit(claim_from_input(RU_CLAIM, speaker="Анатолий Глаз"), user="erin")
        job = news.record(cid).meta.job
        assert job is not None and news.jobs.wait(job, timeout=60).status == "done"
        rec = news.edit(cid, "erin", claim_en="Belarus has taken in more than 2,000 migrants.")
        assert rec.check is not None and rec.check.claim.text_en == "Belarus has taken in more than 2,000 migrants."
        assert rec.check.claim.language == "ru" and rec.history[-1].detail == {"fields": ["claim_en"]}
        md = render(rec.check, "md")
        assert f"> **Claim [ru]:** “{RU_CLAIM}”" in md and "Belarus has taken in more than 2,000" in md
    finally:
        news.close()
