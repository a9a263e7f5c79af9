"""Attribution on inline fixtures written for these tests (no models)."""

from __future__ import annotations

import datetime as dt

from claims_fixtures import BOX_STORY

from factdesk.claims.attribution import Attributor, find_date, find_quotes, looks_english, resolve_pronouns


def _attribute_all(text: str, doc_date=None):
    at = Attributor(doc_date=doc_date)
    at.register_names(text)
    out = []
    for para in [p for p in text.split("\n") if p.strip()]:
        pa = at.attribute_paragraph(para, 0)
        out.append((para, pa.attribute(0, len(para))))
    return out


def test_attribution_appositive_title_and_proclaimed():
    res = dict(_attribute_all(BOX_STORY))
    para = [p for p in res if "factory of refugees" in p][0]
    a = res[para]
    assert a.speaker == "Irena Volkova"
    assert a.speaker_title in (
        "Spokesperson for the Norland Interior Ministry",
        "head of communications for the Interior Ministry",
    )
    assert a.kind == "quote"
    assert a.text.startswith("He (Hansen) stays silent") or "factory of refugees" in a.text
    assert a.quote.startswith("He (Hansen)")


def test_attribution_name_line_box_and_continuation():
    res = _attribute_all(BOX_STORY)
    box = [a for p, a in res if p.startswith("“Every winter")][0]
    assert box.speaker == "Irena Volkova" and box.kind == "quote"
    cont = [a for p, a in res if p.startswith("“Nobody has forgotten")][0]
    assert cont.speaker == "Irena Volkova"


def test_attribution_reported_speech_takes_the_that_clause():
    res = _attribute_all(BOX_STORY)
    rep = [a for p, a in res if p.startswith("Volkova claimed")][0]
    assert rep.kind == "reported" and rep.speaker == "Irena Volkova"
    assert rep.text.startswith("Neighbouring states are mostly responsible")


def test_attribution_speech_in_july_dated_and_continued():
    res = _attribute_all(BOX_STORY)
    july = [a for p, a in res if p.startswith("“If anyone thinks")][0]
    assert july.speaker == "Tomas Brandt" and july.speaker_title == "President"
    assert july.date == dt.date(2022, 7, 1)  # the year comes from "summer of 2022" before it
    nxt = [a for p, a in res if p.startswith("“We will hold nobody")][0]
    assert nxt.speaker == "Tomas Brandt"


def test_attribution_transcript_lines():
    text = "MODERATOR: Welcome.\nJANE ROE (Senator): Taxes rose 40 percent in four years.\nJOHN DOE: That is false.\n"
    at = Attributor()
    at.register_names(text)
    lines = text.splitlines()
    res = [at.attribute_paragraph(ln, 0) for ln in lines]
    a = res[1].attribute(res[1].body_start, len(lines[1]))
    assert (a.speaker, a.speaker_title, a.kind) == ("Jane Roe", "Senator", "transcript")
    assert a.text == "Taxes rose 40 percent in four years."


def test_attribution_according_to_and_org_head_noun():
    text = (
        "The Harbor Board said that fees doubled in 2020.\n"
        "Shipping fell 12 percent last year, according to the Harbor Board.\n"
        "The board said that ten berths will close.\n"
    )
    res = _attribute_all(text)
    assert res[1][1].speaker == "Harbor Board" and res[1][1].text.startswith("Shipping fell")
    assert res[2][1].speaker == "Harbor Board"


def test_date_explicit_and_from_document():
    assert find_date("said on 12 June 2023", None, None) == dt.date(2023, 6, 12)
    assert find_date("in a speech in July", None, dt.date(2021, 12, 14)) == dt.date(2021, 7, 1)
    assert find_date("in a speech in December", None, dt.date(2021, 3, 1)) == dt.date(2020, 12, 1)
    assert find_date("no date here", 2020, None) is None


def test_quotes_carried_and_open():
    spans, carried, open_end = find_quotes("“First part. Second part")
    assert spans == [(0, 24)] and open_end and not carried
    spans, carried, _ = find_quotes("rest of it.” Then more.")
    assert carried and spans[0][0] == 0


def test_pronoun_resolution_only_when_unambiguous():
    assert resolve_pronouns("He (Hansen) stays silent.", {}, in_quote=True) == "Hansen stays silent."
    assert (
        resolve_pronouns("She cut taxes by 5%.", {"person": ["Ann Lee"]}, in_quote=False) == "Ann Lee cut taxes by 5%."
    )
    assert resolve_pronouns("She cut taxes.", {"person": ["Ann Lee", "Bo Kim"]}, in_quote=False) == "She cut taxes."
    assert resolve_pronouns("She cut taxes.", {"person": ["Ann Lee"]}, in_quote=True) == "She cut taxes."
    assert resolve_pronouns("It was in 2015 that X happened.", {"thing": ["Acme"]}, in_quote=False).startswith("It was")


def test_looks_english():
    assert looks_english("The minister said that the bridge carries 95,000 vehicles a day.")
    assert not looks_english("Министр заявил, что мост пропускает девяносто пять тысяч машин в день и что это рекорд.")
    assert not looks_english(
        "Le ministre a déclaré que le pont transporte quatre-vingt-quinze mille véhicules par jour."
    )
