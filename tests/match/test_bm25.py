import math

import pytest

from factdesk.match.bm25 import BM25Index, tokenize

DOCS = ["Turkey hosts the most refugees", "NATO produces refugees", "The team won the match", ""]


def test_tokenize_stems_and_drops_stopwords():
    assert tokenize("The refugees were hosted in Turkey's camps, 5 of them") == \
        ["refuge", "host", "turkey", "camp", "5"]


def test_search_is_or_semantics_with_exact_scores():
    bm = BM25Index(k1=1.2, b=0.75)
    bm.index(DOCS)
    assert len(bm) == 4
    hits = bm.search("Which countries host refugees? Turkey!", k=10)
    assert [i for i, _ in hits] == [0, 1]  # doc 0 shares two words, doc 1 one; docs 2 and 3 none
    # doc 1 shares one word, "refuge" (in 2 of 4 texts); it has 3 words, the average is 9/4
    idf = math.log(1 + (4 - 2 + 0.5) / (2 + 0.5))
    tf = 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 3 / 2.25))
    assert hits[1][1] == pytest.approx(idf * tf, rel=1e-5)
    assert bm.search("nothing shared", k=5) == [] and bm.search("refugees", k=0) == []


def test_empty_index_and_bad_settings():
    bm = BM25Index()
    bm.index([])
    assert bm.search("x", 3) == []
    with pytest.raises(ValueError, match="k1"):
        BM25Index(b=2)
