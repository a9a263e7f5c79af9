import math

import pytest

from factdesk.match.bm25 import BM25Index, tokenize

DOCS = ["Turkey hosts the most refugees", "NATO produces refugees", "The team won the match", ""]


def test_tokenize_stems_and_drops_stopwords():
    assert tokenize("The refugees were hosted in Turkey's camps, 5 of them") == [
        "refuge",
        "host",
        "turkey",
        "camp",
        "5",
    ]


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


def test_top_k_equals_a_stable_sort_of_every_score_ties_included():
    # Few distinct texts, many copies: most scores tie, and the k-th best is tied with others.
    import random

    import numpy as np

    rng = random.Random(5)
    words = ["refugees", "turkey", "nato", "match", "vaccines", "border", "ban"]
    texts = [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(300)]
    bm = BM25Index()
    bm.index(texts)
    for query in ["turkey refugees", "vaccines ban border", "nato", "match turkey ban"]:
        s = bm.scores(query)
        nz = np.flatnonzero(s > 0)
        full = [int(i) for i in nz[np.argsort(-s[nz], kind="stable")]]
        for k in (1, 7, 50, 299, 400):
            assert [i for i, _ in bm.search(query, k)] == full[:k], (query, k)
