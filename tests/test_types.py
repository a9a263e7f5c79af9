import datetime as dt

import pytest

from factdesk.types import (
    RATING_TO_AVERITEC,
    AveritecLabel,
    Claim,
    Document,
    Evidence,
    FactCheck,
    Passage,
    Rating,
    Stance,
    StanceLabel,
    Verdict,
    parse_date,
)


def test_document_id_is_content_hash_and_stable():
    a = Document(text="Same text.", url="u1")
    b = Document(text="Same text.", url="u2", publisher="P")
    assert a.id == b.id and len(a.id) == 16
    assert Document(text="Other text.").id != a.id


def test_passage_id_depends_on_document_and_offsets():
    assert Passage("d1", "x", 0, 1).id != Passage("d1", "x", 1, 2).id
    assert Passage("d1", "x", 0, 1).id == Passage("d1", "y", 0, 1).id


def test_claim_rejects_empty_and_normalises_space():
    with pytest.raises(ValueError, match="empty"):
        Claim(text="   ")
    c = Claim(text="  NATO   is\nbig ", date="2021-12-14")
    assert c.text == "NATO is big" and c.date == dt.date(2021, 12, 14)


def test_parse_date_forms_and_error():
    assert parse_date("2021-12-14T10:00:00Z") == dt.date(2021, 12, 14)
    assert parse_date("2016") == dt.date(2016, 1, 1)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("last Tuesday")


def test_every_rating_maps_to_an_averitec_label():
    assert set(RATING_TO_AVERITEC) == set(Rating)
    assert Verdict(Rating.MISLEADING, 0.6).averitec_label == AveritecLabel.CONFLICTING


def test_stance_from_probs_picks_argmax():
    s = Stance.from_probs([0.1, 0.7, 0.2])
    assert s.label == StanceLabel.REFUTES and s.probability == pytest.approx(0.7)


def test_factcheck_round_trips_through_dict():
    d = Document(text="Evidence text.", publisher="P", published="2020-01-02")
    p = Passage(d.id, d.text, 0, len(d.text))
    e = Evidence(p, d, {"fused": 0.5}, Stance.from_probs([0.8, 0.1, 0.1]))
    fc = FactCheck(Claim(text="A claim.", speaker="S"), [e], Verdict(Rating.TRUE, 0.9))
    back = FactCheck.from_dict(fc.to_dict())
    assert back.to_dict() == fc.to_dict()
    assert fc.to_dict()["averitec_label"] == "Supported"


def test_document_drops_nul_bytes():
    assert Document(text="a\x00b").text == "ab"
