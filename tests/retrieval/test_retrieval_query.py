"""Query building: the claim's content words, and the time filter's cut-off."""

from __future__ import annotations

import datetime as dt

from factdesk.retrieval.query import STOPWORDS, lexical_query, query_terms
from factdesk.retrieval.timefilter import evidence_cutoff
from factdesk.types import Claim


def test_query_terms_drop_stopwords_and_single_letters_keep_digits_and_order() -> None:
    assert query_terms("The EU imposed the sanctions on Belarus in 2021, a year of 9 packages") == [
        "eu",
        "imposed",
        "sanctions",
        "belarus",
        "2021",
        "year",
        "9",
        "packages",
    ]
    assert query_terms("the of and said") == []
    assert query_terms("Syria syria SYRIA strikes") == ["syria", "strikes"]
    assert query_terms(" ".join(f"w{i}" for i in range(100)), limit=5) == ["w0", "w1", "w2", "w3", "w4"]


def test_lexical_query_is_a_fixed_point_of_query_building() -> None:
    # The store builds its full-text query from what the retriever sends; sending the built
    # query must give the same words, so retrieval through the retriever equals the old direct call.
    for text in ["Did Russia's air strikes in Syria start in 2015?", "İstanbul ŞEHİR façade naïve", "", "the of"]:
        assert query_terms(lexical_query(text)) == query_terms(text)


def test_the_stores_read_the_same_word_list() -> None:
    from factdesk.store import base

    assert base.STOPWORDS is STOPWORDS and base.query_terms is query_terms


def test_evidence_cutoff() -> None:
    dated = Claim("Minsk is in Belarus", date="2021-12-14")
    assert evidence_cutoff(dated) == dt.date(2021, 12, 15)  # the claim's own day counts
    assert evidence_cutoff(dated, before=dt.date(2020, 1, 1)) == dt.date(2020, 1, 1)  # explicit wins
    assert evidence_cutoff(Claim("Minsk is in Belarus")) is None
