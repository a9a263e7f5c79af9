"""What each swappable part of the check pipeline must offer, in one place.

`Desk.check` loops over an ordered list of `Stage`s (see `factdesk.pipeline`); each stage
drives one part typed by a Protocol below, so a different part (say, another reranker) is
passed to `Desk(...)` as an object, with no edit to the desk. Every part has a light
`__init__`, loads its models in `warm_up()`, and does its work in one typed `run()`.

>>> from factdesk.retrieval.rerank import RelevanceReranker
>>> isinstance(RelevanceReranker(), Reranker)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from factdesk.types import CheckDraft, Claim, Evidence, Match, Sentence, Verdict


@runtime_checkable
class Retriever(Protocol):
    """Candidate evidence for a claim, best first, published before `before` (all when None)."""

    def warm_up(self) -> None: ...

    def run(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]: ...


@runtime_checkable
class StanceModel(Protocol):
    """(claim, evidence) pairs -> probabilities over supports / refutes / not enough info.

    Returns an array of shape (n, 3) whose columns follow `factdesk.types.STANCE_ORDER`,
    rows summing to 1.
    """

    def warm_up(self) -> None: ...

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Return (n, 3) probabilities for (claim, evidence) pairs."""
        ...


@runtime_checkable
class Reranker(Protocol):
    """Orders judged evidence (each item's `.stance` set) and keeps the `top_k` to weigh."""

    def warm_up(self) -> None: ...

    def run(self, claim: Claim, evidence: list[Evidence], top_k: int) -> list[Evidence]: ...


@runtime_checkable
class Aggregator(Protocol):
    """The verdict on a claim from its judged evidence."""

    def warm_up(self) -> None: ...

    def run(self, claim: Claim, evidence: list[Evidence]) -> Verdict: ...


@runtime_checkable
class Writer(Protocol):
    """(headline, summary sentences, analysis sentences) for a judged claim."""

    def warm_up(self) -> None: ...

    def run(
        self, claim: Claim, evidence: list[Evidence], verdict: Verdict
    ) -> tuple[str, list[Sentence], list[Sentence]]: ...


@runtime_checkable
class NeedsGrounding(Protocol):
    """A writer whose sentences must be grounded even when the desk runs with `ground=False`
    (a generator can write what no passage says; `factdesk.report.llm_writer.LLMWriter`)."""

    requires_grounding: bool


@runtime_checkable
class Grounder(Protocol):
    """Splits analysis sentences into (kept, dropped) by whether the passages they cite say them."""

    def warm_up(self) -> None: ...

    def run(
        self, sentences: Sequence[Sentence], evidence: Sequence[Evidence]
    ) -> tuple[list[Sentence], list[Sentence]]: ...


@runtime_checkable
class Matcher(Protocol):
    """Earlier fact-checks of the same claim, best first."""

    def warm_up(self) -> None: ...

    def run(self, claim: str, k: int = 5) -> list[Match]: ...


@runtime_checkable
class Stage(Protocol):
    """One named step of `Desk.check`: reads the draft and fills in its part of it."""

    name: str

    def warm_up(self) -> None: ...

    def run(self, draft: CheckDraft) -> CheckDraft: ...
