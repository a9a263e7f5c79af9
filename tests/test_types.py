import datetime as dt

import pytest

from factdesk.errors import InputError
from factdesk.types import (
    RATING_TO_AVERITEC,
    AveritecLabel,
    Claim,
    Document,
    Evidence,
    FactCheck,
    Match,
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
    for blank in ("", "   ", "\n\t "):
        with pytest.raises(InputError, match="empty"):
            Claim(text=blank)
    with pytest.raises(ValueError, match="empty"):  # still a ValueError for code that validates so
        Claim(text="   ")
    c = Claim(text="  NATO   is\nbig ", date="2021-12-14")
    assert c.text == "NATO is big" and c.date == dt.date(2021, 12, 14)


def test_parse_date_forms_and_error():
    assert parse_date("2021-12-14T10:00:00Z") == dt.date(2021, 12, 14)
    assert parse_date("2016") == dt.date(2016, 1, 1)
    assert parse_date("2021-12") == dt.date(2021, 12, 1)
    assert parse_date("25-08-2020") == dt.date(2020, 8, 25)  # AVeriTeC's claim_date form
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("last Tuesday")


@pytest.mark.parametrize(
    "text", ["2021-02-30", "2021-13-01", "20211214", "2021/12/14", "2021-12-14abc", "12-2021", "٢٠٢١-١٢-١٤"]
)
def test_parse_date_rejects_impossible_and_partial_dates(text):
    # Each of these once became a shorter date it starts with (2021-02-30 -> 2021-02-01,
    # 20211214 -> 2021-01-01), moving the evidence cut-off without a word.
    with pytest.raises(InputError, match="use YYYY-MM-DD") as err:
        parse_date(text)
    assert isinstance(err.value, ValueError) and repr(text) in str(err.value)


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


def test_previous_checks_are_matches_and_round_trip():
    m = Match(
        check_id="c1",
        claim="A claim.",
        rating="False",
        similarity=0.91,
        url="https://x",
        publisher="P",
        date="2020-01-01",
        status="external",
        score=0.03,
        bm25=2.5,
    )
    fc = FactCheck(Claim(text="A claim."), [], Verdict(Rating.UNSUBSTANTIATED, 0.8), previous_checks=[m])
    d = fc.to_dict()
    assert d["previous_checks"][0]["check_id"] == "c1"  # stored checks keep the JSON shape
    back = FactCheck.from_dict(d)
    assert back.previous_checks == [m] and isinstance(back.previous_checks[0], Match)
    d["previous_checks"][0]["field_from_a_later_version"] = 1  # unknown keys are ignored
    assert FactCheck.from_dict(d).previous_checks == [m]


def test_document_drops_nul_bytes():
    assert Document(text="a\x00b").text == "ab"


@pytest.mark.parametrize("flag", ["--date", "--before"])
def test_cli_check_refuses_an_impossible_date_in_one_line(tmp_path, flag):
    from click.testing import CliRunner

    from factdesk.app.cli import main

    r = CliRunner().invoke(main, ["check", "Minsk is in Belarus", flag, "2021-02-30", "--db", str(tmp_path / "x.db")])
    assert r.exit_code != 0
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "2021-02-30" in lines[0] and "YYYY-MM-DD" in lines[0], r.output
