"""Importing published fact-checks from the forms people have: hand-written files in data/."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from factdesk.errors import InputError
from factdesk.match.previous import import_checks, load_check_records
from factdesk.store.sqlite import SQLiteStore

DATA = Path(__file__).parent / "data"


def load(name: str) -> tuple[list[dict], list[str]]:
    skipped: list[str] = []
    return load_check_records(DATA / name, skipped=skipped), skipped


def imported(name: str) -> tuple[SQLiteStore, list[str]]:
    recs, skipped = load(name)
    s = SQLiteStore(":memory:")
    assert import_checks(s, recs) == len(recs)
    return s, skipped


def claims(s: SQLiteStore) -> set[str]:
    return {c["data"]["claim"]["text"] for c in s.list_checks(status="external")}


def test_claimreview_single_object_keeps_rating_publisher_speaker_and_dates():
    s, skipped = imported("claimreview_single.json")
    (c,) = s.list_checks(status="external")
    d = c["data"]
    assert skipped == []
    assert (d["verdict"], d["publisher"], d["url"], d["date"]) == (
        "Misleading",
        "Polygraph.info",
        "https://example.org/polygraph/belarus-refugees",
        "2021-12-20",
    )
    assert d["claim"] == {
        "text": "NATO countries have become a machine producing refugees",
        "speaker": "Alexander Lukashenko",
        "date": "2021-11-15",
    }


def test_claimreview_list_skips_an_empty_claim_and_reads_list_valued_fields():
    s, skipped = imported("claimreview_list.json")
    assert claims(s) == {"Drinking bleach cures the coronavirus", "The moon landing was filmed in a studio"}
    assert skipped == ["item 2 skipped: claimReviewed is empty or not text"]
    moon = next(c["data"] for c in s.list_checks() if "moon" in c["data"]["claim"]["text"])
    assert (moon["verdict"], moon["publisher"]) == ("Pants on Fire", "Example Checks")


def test_json_lines_skip_bad_lines_with_line_number_and_reason(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="factdesk.match.previous"):
        s, skipped = imported("claimreview.jsonl")
    assert claims(s) == {"A shark swam on a flooded highway in Houston", "Wind turbines cause cancer"}
    assert [m.split(":")[0] for m in skipped] == [
        "line 2 skipped",
        "line 3 skipped",
        "line 5, item 1 skipped",
        "line 5, item 2 skipped",
        "line 5, item 3 skipped",
    ]
    assert "not JSON" in skipped[0] and "neither a ClaimReview" in skipped[1] and "expected an object" in skipped[2]
    assert "line 2 skipped: not JSON" in caplog.text  # the CLI shows the log on stderr


def test_schema_org_datafeed_items_single_and_listed():
    s, skipped = imported("datafeed.json")
    assert claims(s) == {"5G masts spread the coronavirus", "Vitamin C prevents the common cold"}
    assert skipped == [
        "dataFeedElement 1, item 2 skipped: claimReviewed is empty or not text",
        "dataFeedElement 3 skipped: a DataFeed element without an item",
    ]
    assert {c["data"]["publisher"] for c in s.list_checks()} == {"Feed Checks"}


def test_averitec_json_claims():
    s, skipped = imported("averitec.json")
    assert skipped == ["item 2 skipped: claim is empty or not text"]
    by_claim = {c["data"]["claim"]["text"]: c["data"] for c in s.list_checks()}
    assert by_claim["Turkey hosts the largest refugee population in the world"]["verdict"] == "Supported"
    assert by_claim["Joe Biden wants to ban all guns"]["url"] == "https://example.org/post/1"


def test_checkthat_tsv_skips_short_and_empty_rows():
    s, skipped = imported("verified_claims.tsv")
    assert {c["data"]["source_id"] for c in s.list_checks()} == {"ct:0", "ct:7"}
    assert skipped == [
        "line 3 skipped: expected id<TAB>claim<TAB>title, got 1 field(s)",
        "line 5 skipped: the id or the claim is empty",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "claimreview_single.json",
        "claimreview_list.json",
        "claimreview.jsonl",
        "datafeed.json",
        "averitec.json",
        "verified_claims.tsv",
    ],
)
def test_reimport_is_idempotent(name: str):
    recs, _ = load(name)
    s = SQLiteStore(":memory:")
    import_checks(s, recs)
    before = [(c["id"], c["updated"]) for c in s.list_checks(limit=100)]
    assert import_checks(s, load(name)[0]) == len(recs)
    assert [(c["id"], c["updated"]) for c in s.list_checks(limit=100)] == before


def test_a_file_with_nothing_importable_is_an_error(tmp_path: Path):
    f = tmp_path / "feed.json"
    f.write_text('{"@type": "DataFeed", "dataFeedElement": "nope"}', encoding="utf-8")
    with pytest.raises(InputError, match="holds no fact-check to import.*without a dataFeedElement list"):
        load_check_records(f)
    g = tmp_path / "one-bad-line.jsonl"
    g.write_text('{"claimReviewed": "x"', encoding="utf-8")
    with pytest.raises(InputError, match="neither JSON nor JSON lines"):
        load_check_records(g)
