"""factdesk's one data model: the typed values that every pipeline stage passes along.

Ids are stable content hashes, so the same document ingested twice gets the same id and
the same claim checked twice maps to the same record.

>>> d = Document(text="UNHCR registered 4.8 million Syrian refugees.", publisher="UNHCR")
>>> d.id == Document(text="UNHCR registered 4.8 million Syrian refugees.").id
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


def content_hash(*parts: object, length: int = 16) -> str:
    """A short, stable hex id from the given parts (None counts as empty)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(("" if p is None else str(p)).encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def parse_date(value: str | dt.date | None) -> dt.date | None:
    """Parse YYYY-MM-DD (or a longer ISO timestamp, or YYYY / YYYY-MM) into a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    for fmt, n in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4), ("%d-%m-%Y", 10)):
        try:
            return dt.datetime.strptime(s[:n], fmt).date()
        except ValueError:
            continue
    raise ValueError(f"cannot read date {value!r}: use YYYY-MM-DD, for example 2021-12-14")


class StanceLabel(str, Enum):
    """How one piece of evidence bears on a claim."""

    SUPPORTS = "supports"
    REFUTES = "refutes"
    NOT_ENOUGH_INFO = "not_enough_info"


STANCE_ORDER: tuple[StanceLabel, ...] = (
    StanceLabel.SUPPORTS,
    StanceLabel.REFUTES,
    StanceLabel.NOT_ENOUGH_INFO,
)
"""Column order of every stance model's probability output."""


class Rating(str, Enum):
    """The desk's seven-point rating scale (docs/ratings.md defines each label)."""

    TRUE = "True"
    LIKELY_TRUE = "Likely True"
    MISLEADING = "Misleading"
    PARTIALLY_FALSE = "Partially False"
    LIKELY_FALSE = "Likely False"
    FALSE = "False"
    UNSUBSTANTIATED = "Unsubstantiated"


class AveritecLabel(str, Enum):
    """AVeriTeC's four verdict labels, spelled as in its data files."""

    SUPPORTED = "Supported"
    REFUTED = "Refuted"
    NOT_ENOUGH_EVIDENCE = "Not Enough Evidence"
    CONFLICTING = "Conflicting Evidence/Cherrypicking"


RATING_VALUE: dict[Rating, int] = {
    Rating.FALSE: 1,
    Rating.LIKELY_FALSE: 2,
    Rating.PARTIALLY_FALSE: 3,
    Rating.MISLEADING: 4,
    Rating.LIKELY_TRUE: 5,
    Rating.TRUE: 6,
}
"""ClaimReview ratingValue (worst 1, best 6); Unsubstantiated has no place on the line."""

RATING_TO_AVERITEC: dict[Rating, AveritecLabel] = {
    Rating.TRUE: AveritecLabel.SUPPORTED,
    Rating.LIKELY_TRUE: AveritecLabel.SUPPORTED,
    Rating.MISLEADING: AveritecLabel.CONFLICTING,
    Rating.PARTIALLY_FALSE: AveritecLabel.CONFLICTING,
    Rating.LIKELY_FALSE: AveritecLabel.REFUTED,
    Rating.FALSE: AveritecLabel.REFUTED,
    Rating.UNSUBSTANTIATED: AveritecLabel.NOT_ENOUGH_EVIDENCE,
}


@dataclass
class Document:
    """One source of evidence: an article, report, page or answer, with where it came from."""

    text: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None
    language: str | None = None
    source_path: str | None = None
    author: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if "\x00" in self.text:  # NUL is never text, and PostgreSQL refuses it
            self.text = self.text.replace("\x00", "")
        self.published = parse_date(self.published)
        if not self.id:
            # Dedup is by content: the same text from two paths is one document.
            self.id = content_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        keys = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in d.items() if k in keys})


@dataclass
class Passage:
    """A chunk of a document, with character offsets into the document's text."""

    document_id: str
    text: str
    start: int
    end: int
    index: int = 0
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = content_hash(self.document_id, self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Passage:
        keys = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in d.items() if k in keys})


@dataclass
class Claim:
    """A check-worthy statement, who made it, and when.

    `text` is the normalised claim that the judge sees; `quote` keeps the verbatim words.
    `paraphrase` is True when `text` is a writer's rendering of what the speaker said
    ("Glaz claimed that ...") rather than their own words; such a claim has no `quote`.
    """

    text: str
    speaker: str | None = None
    speaker_title: str | None = None
    date: dt.date | None = None
    quote: str | None = None
    source: str | None = None
    id: str = ""
    paraphrase: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("the claim is empty: pass the words to check, e.g. factdesk check \"...\"")
        self.text = " ".join(self.text.split())
        self.date = parse_date(self.date)
        if not self.id:
            self.id = content_hash(self.text, self.speaker, self.date)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Claim:
        keys = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in d.items() if k in keys})


@dataclass
class Stance:
    """One evidence passage's stance towards a claim, with the model's probabilities."""

    label: StanceLabel
    probs: dict[str, float]

    @property
    def probability(self) -> float:
        return self.probs[self.label.value]

    @classmethod
    def from_probs(cls, probs: Any) -> Stance:
        p = {lab.value: float(probs[i]) for i, lab in enumerate(STANCE_ORDER)}
        best = max(STANCE_ORDER, key=lambda lab: p[lab.value])
        return cls(label=best, probs=p)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label.value, "probability": self.probability, "probs": self.probs}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stance:
        return cls(label=StanceLabel(d["label"]), probs=dict(d["probs"]))


@dataclass
class Evidence:
    """A retrieved passage with its document, retrieval scores, and (once judged) its stance."""

    passage: Passage
    document: Document
    scores: dict[str, float] = field(default_factory=dict)
    stance: Stance | None = None

    @property
    def id(self) -> str:
        return self.passage.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "passage_id": self.passage.id,
            "document_id": self.document.id,
            "url": self.document.url,
            "title": self.document.title,
            "publisher": self.document.publisher,
            "published": self.document.published.isoformat() if self.document.published else None,
            "text": self.passage.text,
            "start": self.passage.start,
            "end": self.passage.end,
            "scores": self.scores,
            "stance": self.stance.label.value if self.stance else None,
            "stance_probability": self.stance.probability if self.stance else None,
            "stance_probs": self.stance.probs if self.stance else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        doc = Document(
            text="",
            url=d.get("url"),
            title=d.get("title"),
            publisher=d.get("publisher"),
            published=d.get("published"),
            id=d["document_id"],
        )
        p = Passage(document_id=d["document_id"], text=d["text"], start=d.get("start", 0),
                    end=d.get("end", len(d["text"])), id=d["passage_id"])
        stance = None
        if d.get("stance_probs"):
            stance = Stance(label=StanceLabel(d["stance"]), probs=dict(d["stance_probs"]))
        return cls(passage=p, document=doc, scores=dict(d.get("scores") or {}), stance=stance)


@dataclass
class Verdict:
    """The desk's rating with a calibrated confidence, and its AVeriTeC equivalent."""

    rating: Rating
    confidence: float
    averitec_label: AveritecLabel | None = None
    probs: dict[str, float] = field(default_factory=dict)
    averitec_probs: dict[str, float] = field(default_factory=dict)
    method: str = ""

    def __post_init__(self) -> None:
        if self.averitec_label is None:
            self.averitec_label = RATING_TO_AVERITEC[self.rating]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rating": self.rating.value,
            "averitec_label": self.averitec_label.value if self.averitec_label else None,
            "confidence": self.confidence,
            "probs": self.probs,
            "averitec_probs": self.averitec_probs,
            "method": self.method,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        return cls(
            rating=Rating(d["rating"]),
            confidence=float(d["confidence"]),
            averitec_label=AveritecLabel(d["averitec_label"]) if d.get("averitec_label") else None,
            probs=dict(d.get("probs") or {}),
            averitec_probs=dict(d.get("averitec_probs") or {}),
            method=d.get("method", ""),
        )


@dataclass
class Sentence:
    """One sentence of a written analysis and the evidence numbers (1-based) it cites."""

    text: str
    citations: list[int] = field(default_factory=list)
    grounded: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Sentence:
        return cls(text=d["text"], citations=list(d.get("citations", [])), grounded=d.get("grounded", True))


@dataclass
class FactCheck:
    """A claim, the evidence weighed, the verdict and the written analysis."""

    claim: Claim
    evidence: list[Evidence]
    verdict: Verdict
    headline: str = ""
    summary: list[Sentence] = field(default_factory=list)
    analysis: list[Sentence] = field(default_factory=list)
    dropped: list[Sentence] = field(default_factory=list)
    previous_checks: list[dict[str, Any]] = field(default_factory=list)
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = self.claim.id

    def to_dict(self) -> dict[str, Any]:
        grounded = [s for s in self.summary + self.analysis if s.grounded]
        total = len(self.summary) + len(self.analysis) + len(self.dropped)
        return {
            "id": self.id,
            "claim": self.claim.to_dict(),
            "verdict": self.verdict.rating.value,
            "scale_label": self.verdict.rating.value,
            "averitec_label": self.verdict.averitec_label.value if self.verdict.averitec_label else None,
            "confidence": self.verdict.confidence,
            "verdict_detail": self.verdict.to_dict(),
            "headline": self.headline,
            "summary": [s.to_dict() for s in self.summary],
            "analysis": [s.to_dict() for s in self.analysis],
            "dropped_sentences": [s.to_dict() for s in self.dropped],
            "grounded_sentence_rate": (len(grounded) / total) if total else 1.0,
            "evidence": [e.to_dict() for e in self.evidence],
            "previous_checks": self.previous_checks,
            "created": self.created,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FactCheck:
        return cls(
            claim=Claim.from_dict(d["claim"]),
            evidence=[Evidence.from_dict(e) for e in d.get("evidence", [])],
            verdict=Verdict.from_dict(d["verdict_detail"]),
            headline=d.get("headline", ""),
            summary=[Sentence.from_dict(s) for s in d.get("summary", [])],
            analysis=[Sentence.from_dict(s) for s in d.get("analysis", [])],
            dropped=[Sentence.from_dict(s) for s in d.get("dropped_sentences", [])],
            previous_checks=list(d.get("previous_checks") or []),
            created=d.get("created", ""),
            id=d.get("id", ""),
        )
