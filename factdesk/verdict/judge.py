"""The judge stage: the stance of every passage, the reranker's pick, then the verdict.

>>> from factdesk.testing.fakes import FakeStanceModel
>>> from factdesk.types import Claim, Document, Evidence, Passage
>>> from factdesk.verdict.aggregate import RuleAggregator
>>> judge = Judge(stance_model=FakeStanceModel(), aggregator=RuleAggregator())
>>> judge.warm_up()
>>> d = Document(text="Minsk is the capital of Belarus.")
>>> evidence, verdict = judge.run(Claim("Minsk is the capital of Belarus"), [Evidence(Passage(d.id, d.text, 0, 32), d)])
>>> evidence[0].stance.label.value, verdict.rating.value
('supports', 'Likely True')
"""

from __future__ import annotations

from typing import Any

from factdesk.models.embed import Embedder
from factdesk.protocols import Aggregator, Reranker, StanceModel
from factdesk.retrieval.rerank import RelevanceReranker
from factdesk.types import Claim, Evidence, Stance, StanceLabel, Verdict
from factdesk.verdict.aggregate import LearnedAggregator, add_similarity
from factdesk.verdict.relevance import DetailCheck, PassageGate


def default_aggregator(stance_model: StanceModel | None) -> Aggregator:
    """The learned aggregator when its weights are shipped, else the transparent rules.

    The learned one shares the judge's stance model for its claim-level pair (one load).
    """
    from factdesk.verdict.aggregate import LearnedAggregator
    from factdesk.verdict.aggregate import default_aggregator as shipped

    agg = shipped()
    if isinstance(agg, LearnedAggregator) and agg.stance_model is None:
        agg.stance_model = stance_model
    return agg


class Judge:
    """Stance for every passage; with `top_k`, the reranker keeps the best; then the verdict.

    `run(claim, evidence)` judges and weighs every passage given, in the order given (the
    evaluation runners call it so, with gold or pre-selected evidence). `run(claim,
    candidates, top_k)` is what `Desk.check` calls: after the stance model has judged every
    candidate, `reranker` orders them and keeps `top_k`, and the aggregator rates the claim on
    those.

    Before re-ranking and weighing, every passage's claim-passage similarity is recorded (with
    `embedder`, else the learned aggregator's) and `gate` moves the stance of a passage that
    is not about the claim to not-enough-info (`verdict.relevance`, issue 23): a passage on
    another subject never counts for or against the claim, in the verdict, the ranking or
    the report.

    Args:
        stance_model: judges each (claim, passage) pair; None = the registry's ``minilm-stance``.
        aggregator: the verdict from judged evidence; None = the learned one when shipped, else rules.
        reranker: picks the `top_k` passages to weigh; None = `RelevanceReranker()`.
        embedder: for claim-passage similarities; None = the learned aggregator's (no gating
            with another aggregator and no embedder).
        gate: per-passage relevance gate; None = `PassageGate()` (the shipped relevance gate).
        details: turns a support that writes another year, number or name than the claim into
            a refutation (`DetailCheck`); None = `DetailCheck()`.
    """

    def __init__(
        self,
        stance_model: StanceModel | None = None,
        aggregator: Aggregator | None = None,
        reranker: Reranker | None = None,
        embedder: Embedder | None = None,
        gate: PassageGate | None = None,
        details: DetailCheck | None = None,
    ) -> None:
        self.stance_model = stance_model
        self.aggregator = aggregator
        self.reranker: Reranker = reranker if reranker is not None else RelevanceReranker()
        self.embedder = embedder
        self.gate = gate if gate is not None else PassageGate()
        self.details = details if details is not None else DetailCheck()
        self._warm = False

    def __repr__(self) -> str:
        return (
            f"Judge(stance_model={_name(self.stance_model)}, aggregator={_name(self.aggregator)}, "
            f"reranker={self.reranker!r})"
        )

    def warm_up(self) -> None:
        """Load the stance model and the aggregator (creating the defaults); once is enough."""
        if self._warm:
            return
        if self.stance_model is None:
            from factdesk.registry import registry

            self.stance_model = registry.create("stance", "minilm-stance")
        self.stance_model.warm_up()
        if self.aggregator is None:
            self.aggregator = default_aggregator(self.stance_model)
        self.aggregator.warm_up()
        self.reranker.warm_up()
        self.gate.warm_up()
        self._warm = True

    def score(self, claim: Claim, evidence: list[Evidence]) -> list[Evidence]:
        """Set each evidence's stance and ``scores["relevance"]`` (1 - P(NEI)) in place; return them."""
        self.warm_up()
        assert self.stance_model is not None
        if not evidence:
            return evidence
        pairs = [(claim.text, e.passage.text) for e in evidence]
        probs = self.stance_model.predict(pairs)
        by = getattr(self.stance_model, "judged_by", None)
        names = by(pairs) if callable(by) else [getattr(self.stance_model, "version", None)] * len(pairs)
        for e, p, name in zip(evidence, probs, names):
            e.stance = Stance.from_probs(p)
            e.judged_by = name or None
            e.scores["relevance"] = float(1.0 - p[2])
        return evidence

    def run(self, claim: Claim, evidence: list[Evidence], top_k: int | None = None) -> tuple[list[Evidence], Verdict]:
        """(the evidence weighed, the verdict); see the class doc for what `top_k` changes."""
        self.warm_up()
        assert self.aggregator is not None
        self.score(claim, evidence)
        self.about(claim, evidence)
        if top_k is not None:
            evidence = self.reranker.run(claim, evidence, top_k)
        return evidence, self.aggregator.run(claim, evidence)

    def about(self, claim: Claim, evidence: list[Evidence]) -> list[Evidence]:
        """Record each judged passage's similarity to the claim, gate its stance by it
        (`PassageGate`) and check its details (`DetailCheck`); ``scores["relevance"]`` then
        follows the resulting stance."""
        if not evidence:
            return evidence
        if self.embedder is not None:
            add_similarity(claim, evidence, self.embedder)
        elif isinstance(self.aggregator, LearnedAggregator):
            self.aggregator.similarities(claim, evidence)
        self.gate.run(evidence)
        self.details.run(claim, evidence)
        for e in evidence:
            if e.stance is not None:
                e.scores["relevance"] = float(1.0 - e.stance.probs[StanceLabel.NOT_ENOUGH_INFO.value])
        return evidence


def _name(part: Any) -> str:
    return "None" if part is None else type(part).__name__
