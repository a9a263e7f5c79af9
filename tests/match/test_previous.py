import json

import pytest

from factdesk.errors import InputError
from factdesk.match.previous import FactCheckMatcher, import_checks, load_check_records
from factdesk.store.sqlite import SQLiteStore
from factdesk.testing.fakes import FakeEmbedder

CLAIMREVIEW = {
    "@context": "https://schema.org", "@type": "ClaimReview",
    "claimReviewed": "NATO countries have become a machine producing refugees",
    "reviewRating": {"@type": "Rating", "alternateName": "Misleading"},
    "author": {"@type": "Organization", "name": "Polygraph.info"},
    "url": "https://example.org/polygraph/belarus", "datePublished": "2021-12-20",
}
AVERITEC = {"claim": "Turkey hosts the largest refugee population in the world", "label": "Supported",
            "speaker": "UNHCR", "claim_date": "20-06-2021", "fact_checking_article": "https://example.org/fc",
            "questions": []}


@pytest.fixture
def store():
    s = SQLiteStore(":memory:")
    import_checks(s, [CLAIMREVIEW, AVERITEC, {"claimReviewed": ""}, "junk"])
    return s


def test_import_keeps_valid_records_as_external(store):
    rows = store.list_checks(status="external")
    assert len(rows) == 2
    assert {r["data"]["verdict"] for r in rows} == {"Misleading", "Supported"}


def test_match_finds_paraphrase_and_ignores_unrelated(store):
    m = FactCheckMatcher(store, FakeEmbedder(), threshold=0.5)
    hits = m.run("NATO countries became a machine producing refugees")
    assert [h.publisher for h in hits] == ["Polygraph.info"] and hits[0].rating == "Misleading"
    assert m.run("The football team won on Tuesday") == []


def test_load_check_records_formats_and_errors(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps(CLAIMREVIEW) + "\n" + json.dumps(CLAIMREVIEW) + "\n")
    assert len(load_check_records(f)) == 2
    g = tmp_path / "bad.json"
    g.write_text('{"foo": 1}')
    with pytest.raises(InputError, match="expected ClaimReview"):
        load_check_records(g)
    with pytest.raises(InputError, match="cannot read"):
        load_check_records(tmp_path / "missing.json")
