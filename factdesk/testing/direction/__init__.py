"""The direction suite: does the verdict follow the evidence? (issue 23, part 0)

Small corpora (a few dated paragraphs per topic, plus unrelated distractors) and claims that
restate a passage, negate it, change its number, date or entity, or speak of something the
corpus does not mention. A restated claim must come out True or Likely True, a contradicted
one False or Likely False, an off-topic one Unsubstantiated. `tests/verdict/test_direction_suite.py`
runs it through `Desk.check` with the shipped models; `bench/bench_direction.py` reports the
accuracy per category.

>>> cases = direction_cases()
>>> len(cases) >= 40, sorted({c.category for c in cases}) == sorted(CATEGORIES)
(True, True)
>>> c = cases[0]
>>> c.corpus, c.category, c.expected, sorted(r.value for r in c.allowed)
('city', 'restated', 'supported', ['Likely True', 'True'])
>>> len(corpus_documents("city"))
7
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factdesk.testing.direction.corpora import CORPORA
from factdesk.types import Claim, Document, FactCheck, Rating, parse_date

if TYPE_CHECKING:
    from factdesk.pipeline import Desk

EXPECTED: dict[str, str] = {
    "restated": "supported",
    "negated": "contradicted",
    "number": "contradicted",
    "date": "contradicted",
    "entity": "contradicted",
    "off_topic": "off_topic",
}
"""Each category's expected direction."""

CATEGORIES: tuple[str, ...] = tuple(EXPECTED)

ALLOWED: dict[str, frozenset[Rating]] = {
    "supported": frozenset({Rating.TRUE, Rating.LIKELY_TRUE}),
    "contradicted": frozenset({Rating.FALSE, Rating.LIKELY_FALSE}),
    "off_topic": frozenset({Rating.UNSUBSTANTIATED}),
}
"""The ratings that count as the right direction."""


@dataclass(frozen=True)
class DirectionCase:
    """One claim of the suite, the corpus it is checked against and what it must come out as."""

    corpus: str
    category: str
    text: str

    @property
    def expected(self) -> str:
        return EXPECTED[self.category]

    @property
    def allowed(self) -> frozenset[Rating]:
        return ALLOWED[self.expected]

    @property
    def id(self) -> str:
        return f"{self.corpus}:{self.category}:{self.text[:40]}"


def corpus_names() -> list[str]:
    """The suite's corpora, by name."""
    return [name for name, _, _ in CORPORA]


def corpus_documents(name: str) -> list[Document]:
    """The documents of the corpus `name` (one of `corpus_names()`)."""
    for n, docs, _ in CORPORA:
        if n == name:
            return [Document(text=t, publisher=p, title=ti, published=parse_date(d)) for d, p, ti, t in docs]
    raise KeyError(f"no corpus {name!r} in the direction suite: choose from {', '.join(corpus_names())}")


def direction_cases() -> list[DirectionCase]:
    """Every claim of the suite, corpus by corpus."""
    out = []
    for name, _, cases in CORPORA:
        for category, text in cases:
            if category not in EXPECTED:
                raise ValueError(f"{name}: unknown category {category!r}: use one of {', '.join(EXPECTED)}")
            out.append(DirectionCase(name, category, text))
    return out


@dataclass
class DirectionResult:
    """One case checked: the fact-check the desk returned, and whether its direction is right."""

    case: DirectionCase
    check: FactCheck

    @property
    def rating(self) -> Rating:
        return self.check.verdict.rating

    @property
    def right(self) -> bool:
        return self.rating in self.case.allowed

    def summary_counts(self) -> tuple[int, int] | None:
        """(contradict, support) as the report's summary states them; None when it states none."""
        text = " ".join(s.text for s in self.check.summary)
        m = re.search(r"(\d+) contradicts? it and (\d+) supports? it", text)
        return (int(m.group(1)), int(m.group(2))) if m else None


def iter_desks(tmp: str | Path | None = None, **parts: Any) -> Iterator[tuple[str, Desk]]:
    """(corpus name, a `Desk` over a fresh SQLite store holding that corpus) for each corpus.

    `parts` go to `Desk` (e.g. ``embedder=``, ``stance_model=``, ``aggregator=``): pass loaded
    models to share them across the corpora. Each desk is closed after it is yielded.
    """
    from factdesk.pipeline import Desk

    with tempfile.TemporaryDirectory(dir=tmp) as d:
        for name in corpus_names():
            desk = Desk(db=str(Path(d) / f"{name}.db"), **parts)
            try:
                desk.ingest(corpus_documents(name))
                yield name, desk
            finally:
                desk.close()


def check_suite(tmp: str | Path | None = None, **parts: Any) -> list[DirectionResult]:
    """Check every case against its corpus with `Desk.check` (`parts` as for `iter_desks`)."""
    cases = direction_cases()
    out = []
    for name, desk in iter_desks(tmp, **parts):
        for case in cases:
            if case.corpus == name:
                out.append(DirectionResult(case, desk.check(Claim(text=case.text))))
    return out


def accuracy_by_category(results: list[DirectionResult]) -> dict[str, dict[str, float]]:
    """{category: {"right": n, "n": n, "accuracy": share}} plus ``"all"``."""
    out: dict[str, dict[str, float]] = {}
    for key in (*CATEGORIES, "all"):
        rs = [r for r in results if key in ("all", r.case.category)]
        right = sum(r.right for r in rs)
        out[key] = {"right": right, "n": len(rs), "accuracy": right / len(rs) if rs else 0.0}
    return out
