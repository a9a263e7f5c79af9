"""Fixtures for the report tests (helpers live in report_helpers.py)."""

from __future__ import annotations

import pytest
from report_helpers import NEI, REF, SUP, StubAggregator, ev

from factdesk.types import Claim, Evidence


@pytest.fixture
def glaz_claim() -> Claim:
    return Claim(
        text="NATO countries have become a real machine producing refugees on a global scale",
        speaker="Anatoly Glaz",
        speaker_title="Press secretary, Belarus Ministry of Foreign Affairs",
        date="2021-12-14",
    )


@pytest.fixture
def glaz_evidence() -> list[Evidence]:
    return [
        ev(
            "Russian warplanes began air strikes in Syria on 30 September 2015. The strikes hit rebel-held towns.",
            "Reuters",
            "2015-10-01",
            REF,
            url="https://example.org/a",
            title="Russia strikes Syria",
        ),
        ev("The football team won its qualifying match on Tuesday.", "Sports Desk", "2021-10-05", NEI),
        ev(
            "UNHCR registered almost 4.3 million Syrian refugees in neighbouring countries. "
            "Most fled fighting between the Assad government and rebels.",
            "UNHCR",
            "2016-01-01",
            REF,
            url="https://example.org/b",
            title="Regional plan",
        ),
        ev(
            "NATO countries took part in the 2011 intervention in Libya, after which migrants crossed the sea.",
            None,
            "2019-05-02",
            SUP,
            url="https://web.archive.org/web/2019/https://www.example.com/libya",
        ),
    ]


@pytest.fixture
def stub_aggregator() -> StubAggregator:
    return StubAggregator()
