import json

import pytest

from factdesk.errors import InputError
from factdesk.match import previous
from factdesk.match.previous import (
    FactCheckMatcher,
    clean_post,
    import_checks,
    load_check_records,
    split_words,
)
from factdesk.store.sqlite import SQLiteStore
from factdesk.testing.fakes import FakeEmbedder

CLAIMREVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "claimReviewed": "NATO countries have become a machine producing refugees",
    "reviewRating": {"@type": "Rating", "alternateName": "Misleading"},
    "author": {"@type": "Organization", "name": "Polygraph.info"},
    "url": "https://example.org/polygraph/belarus",
    "datePublished": "2021-12-20",
}
AVERITEC = {
    "claim": "Turkey hosts the largest refugee population in the world",
    "label": "Supported",
    "speaker": "UNHCR",
    "claim_date": "20-06-2021",
    "fact_checking_article": "https://example.org/fc",
    "questions": [],
}


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
    m = FactCheckMatcher(store, FakeEmbedder(), threshold=0.5, reranker=None)
    hits = m.run("NATO countries became a machine producing refugees")
    assert [h.publisher for h in hits] == ["Polygraph.info"] and hits[0].rating == "Misleading"
    assert m.run("The football team won on Tuesday") == []


def test_load_check_records_formats_and_errors(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps(CLAIMREVIEW) + "\n" + json.dumps(CLAIMREVIEW) + "\n")
    assert len(load_check_records(f)) == 2
    g = tmp_path / "bad.json"
    g.write_text('{"foo": 1}')
    with pytest.raises(InputError, match="no fact-check to import.*expected ClaimReview"):
        load_check_records(g)
    with pytest.raises(InputError, match="cannot read"):
        load_check_records(tmp_path / "missing.json")


# --- cleaning posts, ranking, the same-claim decision, the vector cache ------------------------

TWEET = (
    "Trump needs to divest now #ImpeachTrump @realDonaldTrump https://t.co/c3iQ86DThG "
    "pic.twitter.com/0eJtwJyS1J — Ilhan Omar (@IlhanMN) January 6, 2020"
)


def test_clean_post_drops_urls_and_signature_and_splits_tags():
    assert clean_post(TWEET) == "Trump needs to divest now Impeach Trump real Donald Trump Ilhan Omar"
    assert clean_post(TWEET, keep_author=False) == "Trump needs to divest now Impeach Trump real Donald Trump"
    assert (
        clean_post(
            '"Quoted #DefundTheCBChttps://t.co/x — Brad 🇨🇦 (@BradTrostCPC) December 26, 2019"', keep_author=False
        )
        == '"Quoted Defund The CBC'
    )
    assert clean_post("A plain claim - with a dash.") == "A plain claim - with a dash."
    assert split_words("covid_19Vaccine") == "covid 19 Vaccine"


CT_CLAIMS = [
    {
        "claim": {"text": "Turkey hosts the largest refugee population in the world"},
        "title": "Turkey and refugees",
        "source_id": "ct:1",
    },
    {
        "claim": {"text": "NATO countries have become a machine producing refugees"},
        "title": "NATO refugees",
        "source_id": "ct:2",
    },
    {"claim": {"text": "Drinking bleach cures the coronavirus"}, "title": "Bleach cure", "source_id": "ct:3"},
]


def test_rank_keeps_weak_matches_with_scores_and_run_keeps_only_the_same_claim():
    s = SQLiteStore(":memory:")
    assert import_checks(s, CT_CLAIMS) == 3
    m = FactCheckMatcher(s, FakeEmbedder(), threshold=0.6, reranker=None)
    ranked = m.rank("Is it true that refugees in Turkey number the most? https://t.co/x", k=3)
    assert [h.source_id for h in ranked[:2]] == ["ct:1", "ct:2"]
    assert ranked[0].score > ranked[1].score and ranked[0].bm25 > 0 and ranked[0].title == "Turkey and refugees"
    assert not any(h.same_claim for h in ranked)  # a paraphrase below the threshold is ranked, not dropped
    exact = m.run("Drinking bleach cures the coronavirus!")
    assert [h.source_id for h in exact] == ["ct:3"] and exact[0].same_claim and exact[0].similarity == 1.0
    assert m.rank("  ", k=3) == [] and m.rank("anything", k=0) == []


def test_index_follows_new_checks_and_caches_their_vectors(monkeypatch):
    s = SQLiteStore(":memory:")
    import_checks(s, CT_CLAIMS[:2])
    emb = FakeEmbedder()
    calls: list[int] = []
    real = emb.embed
    monkeypatch.setattr(emb, "embed", lambda texts: calls.append(len(texts)) or real(texts))
    m = FactCheckMatcher(s, emb, reranker=None)
    assert [h.source_id for h in m.rank("bleach cures coronavirus", k=1)] != ["ct:3"]
    import_checks(s, CT_CLAIMS)  # one new check: only it is embedded
    assert [h.source_id for h in FactCheckMatcher(s, emb, reranker=None).rank("bleach cures coronavirus", k=1)] != [
        "ct:3"
    ]
    monkeypatch.setattr(previous, "RECHECK_SECONDS", 0.0)  # the index is re-validated after a while
    assert [h.source_id for h in FactCheckMatcher(s, emb, reranker=None).rank("bleach cures coronavirus", k=1)] == [
        "ct:3"
    ]
    assert calls == [2, 1, 1, 1, 1]  # checks, query, query (index still trusted), the new check, query
    s.save_check("ext-x", {"claim": {"text": "Bleach cures the coronavirus"}}, "draft")
    m.refresh()  # a draft is not matched
    assert len(m.rank("bleach", k=10)) == 3


def test_import_is_idempotent_and_reads_checkthat_tsv(tmp_path):
    f = tmp_path / "verified_claims.docs.tsv"
    f.write_text('\tvclaim\ttitle\n0\tA claim "with quotes"\tIts title\n7\tAnother claim\t\n', encoding="utf-8")
    recs = load_check_records(f)
    assert [(r["source_id"], r["claim"]["text"], r["title"]) for r in recs] == [
        ("ct:0", 'A claim "with quotes"', "Its title"),
        ("ct:7", "Another claim", ""),
    ]
    s = SQLiteStore(":memory:")
    assert import_checks(s, recs) == 2
    writes: list[str] = []
    save = s.save_check
    s.save_check = lambda cid, data, status: writes.append(cid) or save(cid, data, status)  # type: ignore[method-assign]
    assert import_checks(s, recs) == 2 and writes == []  # unchanged records are not written again
    recs[1]["title"] = "A new title"
    assert import_checks(s, recs) == 2 and len(writes) == 1
    assert len(s.list_checks()) == 2
    bad = tmp_path / "bad.tsv"
    bad.write_text("id\ttext\n1\thello\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a CheckThat! verified-claims file"):
        load_check_records(bad)
