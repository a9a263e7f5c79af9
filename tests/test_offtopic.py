"""No verdict without evidence: checked against a corpus that says nothing on the subject, a true
claim comes out Unsubstantiated with P(Unsubstantiated) above one half (issue 14, part 0).

The shipped models (embedder, stance model, aggregator) against the demo corpus (Syria, the
Belarus border crisis, sanctions, and unrelated distractors); a claim the corpus does speak to
still gets a verdict on the evidence, so the gate does not simply close on everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from factdesk.pipeline import Desk
from factdesk.types import Claim, Rating

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo_corpus"

OFF_TOPIC = [
    "Apple sold more than 200 million iPhones in 2022.",
    "Lagos has a population of more than 15 million people.",
    "Norway's sovereign wealth fund is worth more than one trillion dollars.",
    "India overtook China as the world's most populous country in 2023.",
    "Natural gas prices in Europe reached a record high in August 2022.",
    "Tesla delivered about 1.3 million electric vehicles in 2022.",
    "The James Webb Space Telescope was launched in December 2021.",
    "Brazil has won the FIFA World Cup five times.",
    "NASA's Artemis I mission launched in November 2022.",
    "The Eiffel Tower was completed in 1889.",
]
"""True claims the demo corpus has nothing on; the last-but-two and last-but-one share a topic
(football, a NASA mission) with a distractor document."""


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    desk = Desk(db=str(tmp_path_factory.mktemp("offtopic") / "demo.db"))
    report = desk.ingest_paths([DEMO])
    assert report.documents_added == len(list(DEMO.iterdir()))
    yield desk
    desk.close()


@pytest.mark.slow
@pytest.mark.parametrize("text", OFF_TOPIC)
def test_off_topic_claim_is_unsubstantiated(demo_desk: Desk, text: str) -> None:
    fc = demo_desk.check(Claim(text=text))
    v = fc.verdict
    assert v.rating == Rating.UNSUBSTANTIATED, (text, v.rating, v.probs)
    assert v.probs[Rating.UNSUBSTANTIATED.value] > 0.5, (text, v.probs)
    assert v.confidence == pytest.approx(v.probs[Rating.UNSUBSTANTIATED.value])


@pytest.mark.slow
def test_claim_the_corpus_speaks_to_gets_a_verdict(demo_desk: Desk) -> None:
    fc = demo_desk.check(Claim(text="Russia began air strikes in Syria in September 2015."))
    assert fc.verdict.rating in (Rating.TRUE, Rating.LIKELY_TRUE), fc.verdict.probs
    assert fc.verdict.probs[Rating.UNSUBSTANTIATED.value] < 0.5
