"""The judge stage: the stance of each evidence passage, then a calibrated verdict.

>>> from factdesk.testing.fakes import FakeStanceModel
>>> judge = Judge(stance_model=FakeStanceModel())
>>> judge.warm_up()
"""

from __future__ import annotations

from typing import Any

from factdesk.types import Claim, Evidence, Stance, Verdict
from factdesk.verdict.stance import StanceModel


def default_aggregator(stance_model: StanceModel | None) -> Any:
    """The learned aggregator when its weights are shipped, else the transparent rules.

    The learned one shares the judge's stance model for its claim-level pair (one load).
    """
    from factdesk.verdict.aggregate import LearnedAggregator, default_aggregator

    agg = default_aggregator()
    if isinstance(agg, LearnedAggregator) and agg.stance_model is None:
        agg.stance_model = stance_model
    return agg


class Judge:
    """Stance for every passage, relevance re-ranking, then the aggregator's verdict."""

    def __init__(self, stance_model: StanceModel | None = None, aggregator: Any = None) -> None:
        self.stance_model = stance_model
        self.aggregator = aggregator

    def warm_up(self) -> None:
        if self.stance_model is None:
            from factdesk.registry import registry

            self.stance_model = registry.create("stance", "minilm-stance")
        self.stance_model.warm_up()
        if self.aggregator is None:
            self.aggregator = default_aggregator(self.stance_model)
        if hasattr(self.aggregator, "warm_up"):
            self.aggregator.warm_up()

    def score(self, claim: Claim, evidence: list[Evidence]) -> list[Evidence]:
        """Set each evidence's stance (in place) and return them."""
        if self.stance_model is None:
            self.warm_up()
        assert self.stance_model is not None
        if not evidence:
            return evidence
        probs = self.stance_model.predict([(claim.text, e.passage.text) for e in evidence])
        for e, p in zip(evidence, probs):
            e.stance = Stance.from_probs(p)
            e.scores["relevance"] = float(1.0 - p[2])
        return evidence

    def run(self, claim: Claim, evidence: list[Evidence]) -> tuple[list[Evidence], Verdict]:
        if self.aggregator is None:
            self.warm_up()
        self.score(claim, evidence)
        verdict = self.aggregator.run(claim, evidence)
        return evidence, verdict
