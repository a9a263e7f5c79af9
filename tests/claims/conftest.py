"""Fixtures for the claims tests: a rule-based spaCy pipeline and a cheap scorer."""

from __future__ import annotations

import pytest
from claims_fixtures import NumberScorer


@pytest.fixture(scope="session")
def blank_nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@pytest.fixture
def fast_extractor(blank_nlp):
    from factdesk.claims import ClaimExtractor

    def make(**kw):
        return ClaimExtractor(nlp=blank_nlp, scorer=NumberScorer(), **kw)

    return make
