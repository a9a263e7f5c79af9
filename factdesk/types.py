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
import re
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from factdesk.config import default
from factdesk.errors import InvalidValue

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Text every store and model can take: lone surrogates become U+FFFD, NUL is dropped.

    >>> clean_text("a\\ud800b\\x00c") == "a\\ufffdbc"
    True
    """
    if value.isascii():
        return value.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", value).replace("\x00", "")


def content_hash(*parts: object, length: int = 16) -> str:
    """A short, stable hex id from the given parts (None counts as empty)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(("" if p is None else str(p)).encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


_ISO_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2})(?:[T ][0-9:.,+Z-]*)?)?)?")
_DMY_DATE = re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})")  # AVeriTeC's claim_date form, DD-MM-YYYY


def parse_date(value: str | dt.date | None) -> dt.date | None:
    """Parse YYYY-MM-DD (or an ISO timestamp, YYYY-MM, YYYY, or DD-MM-YYYY) into a date.

    The whole value must be one of those forms: an impossible date (2021-02-30) or any other
    text (20211214) is an `InvalidValue` error, never read as a shorter date it starts with.

    >>> parse_date("2021-12-14T10:00:00Z"), parse_date("2021-12")
    (datetime.date(2021, 12, 14), datetime.date(2021, 12, 1))
    >>> parse_date("2021-02-30")
    Traceback (most recent call last):
    ...
    factdesk.errors.InvalidValue: cannot read date '2021-02-30' (day is out of range for month): use YYYY-MM-DD, for example 2021-12-14
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    shown = s if len(s) <= 40 else s[:40] + "..."
    if m := _ISO_DATE.fullmatch(s):
        year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    elif m := _DMY_DATE.fullmatch(s):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        raise InvalidValue(f"cannot read date {shown!r}: use YYYY-MM-DD, for example 2021-12-14")
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise InvalidValue(f"cannot read date {shown!r} ({exc}): use YYYY-MM-DD, for example 2021-12-14") from None


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
    language: str | None = None  # ISO 639-1 code (`factdesk.lang.detect`); None: not known

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
    `language` is the claim's language (ISO 639-1, as said: "ru" for a Russian statement) and
    `text_en` the English rendering an editor supplied for a claim not said in English; the
    desk never fills `text_en` by machine translation on its own.
    """

    text: str
    speaker: str | None = None
    speaker_title: str | None = None
    date: dt.date | None = None
    quote: str | None = None
    source: str | None = None
    id: str = ""
    paraphrase: bool = False
    date_source: str | None = None  # where `date` came from: text, speaker, dateline, document, inferred, ingest
    language: str | None = None
    text_en: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise InvalidValue('the claim is empty: pass the words to check, e.g. factdesk check "..."')
        # Lone surrogates (from a JSON body or a terminal) and NUL reach spaCy, the tokenizer and
        # the stores otherwise; they become U+FFFD / nothing here, once.
        self.text = " ".join(clean_text(self.text).split())
        if isinstance(self.text_en, str):
            self.text_en = " ".join(clean_text(self.text_en).split()) or None
        for name in ("speaker", "speaker_title", "quote", "source"):
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, clean_text(value))
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
    judged_by: str | None = None
    """The stance model (its version) that judged this pair: the desk routes by language."""

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
            "judged_by": self.judged_by,
            "language": self.language,
        }

    @property
    def language(self) -> str | None:
        """The passage's language, else its document's (None when neither is known)."""
        return self.passage.language or self.document.language

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
        p = Passage(
            document_id=d["document_id"],
            text=d["text"],
            start=d.get("start", 0),
            end=d.get("end", len(d["text"])),
            id=d["passage_id"],
            language=d.get("language"),
        )
        stance = None
        if d.get("stance_probs"):
            stance = Stance(label=StanceLabel(d["stance"]), probs=dict(d["stance_probs"]))
        return cls(
            passage=p,
            document=doc,
            scores=dict(d.get("scores") or {}),
            stance=stance,
            judged_by=d.get("judged_by") if isinstance(d.get("judged_by"), str) else None,
        )


@dataclass
class Verdict:
    """The desk's rating with a calibrated confidence, and its AVeriTeC equivalent."""

    rating: Rating
    confidence: float
    averitec_label: AveritecLabel | None = None
    probs: dict[str, float] = field(default_factory=dict)
    averitec_probs: dict[str, float] = field(default_factory=dict)
    method: str = ""
    reason: str = ""
    """The judge's own words for the editor (an LLM judge's reason, citing evidence numbers);
    kept in the check record (`verdict_detail`), never written into the published analysis."""

    def __post_init__(self) -> None:
        if self.averitec_label is None:
            self.averitec_label = RATING_TO_AVERITEC[self.rating]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rating": self.rating.value,
            "averitec_label": self.averitec_label.value if self.averitec_label else None,
            "confidence": self.confidence,
            "probs": self.probs,
            "averitec_probs": self.averitec_probs,
            "method": self.method,
        }
        if self.reason:  # only judges that give one (records written before it stay the same)
            d["reason"] = self.reason
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        return cls(
            rating=Rating(d["rating"]),
            confidence=float(d["confidence"]),
            averitec_label=AveritecLabel(d["averitec_label"]) if d.get("averitec_label") else None,
            probs=dict(d.get("probs") or {}),
            averitec_probs=dict(d.get("averitec_probs") or {}),
            method=d.get("method", ""),
            reason=str(d.get("reason") or ""),
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
class Match:
    """An earlier fact-check of the same (or a paraphrased) claim.

    `similarity` is the embeddings' cosine, `score` the fused rank score (higher is better),
    `bm25` the lexical score (0 when no word is shared), `same_claim` the matcher's decision,
    `probability` the calibrated probability that it checks the same claim (None when the
    same-claim model did not score it).
    """

    check_id: str
    claim: str
    rating: str | None
    similarity: float
    url: str | None
    publisher: str | None
    date: str | None
    status: str
    score: float = 0.0
    bm25: float = 0.0
    same_claim: bool = True
    title: str | None = None
    source_id: str | None = None
    probability: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Match:
        """The inverse of `to_dict`; keys this version does not know are ignored."""
        keys = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in d.items() if k in keys})


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
    previous_checks: list[Match] = field(default_factory=list)
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
            "previous_checks": [m.to_dict() for m in self.previous_checks],
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
            previous_checks=[Match.from_dict(m) for m in d.get("previous_checks") or []],
            created=d.get("created", ""),
            id=d.get("id", ""),
        )


@dataclass
class CheckDraft:
    """A fact-check in the making: what the stages of `Desk.check` read and fill in, in order.

    The retrieve stage fills `evidence` with candidates; the judge narrows it to the `top_k`
    weighed and sets `verdict`; the writer fills the text; grounding moves unsupported
    analysis sentences to `dropped`; the matcher adds `previous_checks`.

    >>> draft = CheckDraft(Claim("Minsk is in Belarus"), top_k=3)
    >>> draft.to_factcheck()
    Traceback (most recent call last):
    ...
    ValueError: the draft has no verdict: the pipeline needs a stage that sets one (the judge)
    """

    claim: Claim
    top_k: int = default("top_k")
    before: dt.date | None = None
    evidence: list[Evidence] = field(default_factory=list)
    verdict: Verdict | None = None
    headline: str = ""
    summary: list[Sentence] = field(default_factory=list)
    analysis: list[Sentence] = field(default_factory=list)
    dropped: list[Sentence] = field(default_factory=list)
    previous_checks: list[Match] = field(default_factory=list)

    def to_factcheck(self) -> FactCheck:
        if self.verdict is None:
            raise ValueError("the draft has no verdict: the pipeline needs a stage that sets one (the judge)")
        return FactCheck(
            claim=self.claim,
            evidence=self.evidence,
            verdict=self.verdict,
            headline=self.headline,
            summary=self.summary,
            analysis=self.analysis,
            dropped=self.dropped,
            previous_checks=self.previous_checks,
        )


# --- the desk's records of checks ------------------------------------------------------------------
@dataclass
class AuditEntry:
    """One line of a check's history: who did what, when, and the note they gave."""

    at: str
    user: str
    action: str
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AuditEntry:
        return cls(
            at=str(d["at"]),
            user=str(d["user"]),
            action=str(d["action"]),
            note=d.get("note") or "",
            detail=dict(d.get("detail") or {}),
        )


@dataclass
class EditorialMeta:
    """What the desk knows about a check beyond the FactCheck: who did what, and the job behind it.

    `model_verdict` keeps the model's own verdict once an editor has changed it.
    """

    submitted_by: str | None = None
    top_k: int = default("top_k")
    job: str | None = None
    error: str | None = None
    approved_by: str | None = None
    published: str | None = None
    published_by: str | None = None
    text_edited: bool = False
    model_verdict: Verdict | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if v is not None and v is not False and k != "model_verdict"}
        if self.model_verdict is not None:
            d["model_verdict"] = self.model_verdict.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EditorialMeta:
        keys = cls.__dataclass_fields__.keys()
        kw = {k: v for k, v in d.items() if k in keys and k != "model_verdict"}
        mv = d.get("model_verdict")
        return cls(**kw, model_verdict=Verdict.from_dict(mv) if isinstance(mv, dict) else None)


@dataclass
class CheckIndex:
    """The columns a store indexes a check by, so that listings never decode a whole record."""

    claim: str
    speaker: str | None = None
    speaker_title: str | None = None
    claim_date: str | None = None
    rating: str | None = None
    confidence: float | None = None
    headline: str = ""
    published: str | None = None
    body: str = ""

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> CheckIndex:
        """The index of a stored JSON record: `CheckRecord.to_dict()` or an imported check (match.previous)."""
        claim: dict[str, Any] = data["claim"] if isinstance(data.get("claim"), dict) else {}
        meta: dict[str, Any] = data["_desk"] if isinstance(data.get("_desk"), dict) else {}
        sentences = [s for s in (data.get("summary") or []) + (data.get("analysis") or []) if isinstance(s, dict)]
        conf = data.get("confidence")
        return cls(
            claim=str(claim.get("text") or ""),
            speaker=claim.get("speaker"),
            speaker_title=claim.get("speaker_title"),
            claim_date=claim.get("date"),
            rating=data.get("verdict"),
            confidence=float(conf) if isinstance(conf, int | float) else None,
            headline=str(data.get("headline") or ""),
            published=meta.get("published"),
            body=" ".join(str(s.get("text", "")) for s in sentences),
        )


@dataclass
class CheckRecord:
    """A fact-check on the desk: its status, the claim, the FactCheck once drafted, the
    editorial metadata and the history. Both stores read and write it (`CheckStore`).

    >>> r = CheckRecord(Claim("Minsk is the capital of Belarus"), status="queued")
    >>> r.id == r.claim.id, r.index().claim, r.to_dict()["_desk"]
    (True, 'Minsk is the capital of Belarus', {'top_k': 6})
    >>> CheckRecord.from_dict(r.to_dict(), status="queued").claim.text
    'Minsk is the capital of Belarus'
    """

    claim: Claim
    status: str = "queued"
    check: FactCheck | None = None
    meta: EditorialMeta = field(default_factory=EditorialMeta)
    history: list[AuditEntry] = field(default_factory=list)
    id: str = ""
    created: str = ""
    updated: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = self.check.id if self.check is not None else self.claim.id

    def to_dict(self) -> dict[str, Any]:
        """The stored form: `FactCheck.to_dict()` (or just the claim before the draft) plus `_desk`."""
        data = self.check.to_dict() if self.check is not None else {"id": self.id, "claim": self.claim.to_dict()}
        data["_desk"] = self.meta.to_dict()
        return data

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any],
        *,
        status: str,
        check_id: str = "",
        created: str = "",
        updated: str = "",
        history: list[AuditEntry] | None = None,
    ) -> CheckRecord:
        fc = FactCheck.from_dict(data) if "verdict_detail" in data else None
        claim = fc.claim if fc is not None else Claim.from_dict(data["claim"])
        meta = EditorialMeta.from_dict(data.get("_desk") or {})
        return cls(
            claim=claim,
            status=status,
            check=fc,
            meta=meta,
            history=list(history or []),
            id=check_id or str(data.get("id") or ""),
            created=created,
            updated=updated,
        )

    def index(self) -> CheckIndex:
        c, fc = self.claim, self.check
        return CheckIndex(
            claim=c.text,
            speaker=c.speaker,
            speaker_title=c.speaker_title,
            claim_date=c.date.isoformat() if c.date else None,
            rating=fc.verdict.rating.value if fc else None,
            confidence=fc.verdict.confidence if fc else None,
            headline=fc.headline if fc else "",
            published=self.meta.published,
            body=" ".join(s.text for s in fc.summary + fc.analysis) if fc else "",
        )


@dataclass
class CheckSummary:
    """A listing row of a check: only the columns a list shows (`score` from a semantic search)."""

    id: str
    status: str
    claim: str
    speaker: str | None = None
    speaker_title: str | None = None
    date: str | None = None
    verdict: str | None = None
    confidence: float | None = None
    headline: str = ""
    created: str | None = None
    updated: str | None = None
    published: str | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["url"] = f"/checks/{self.id}"
        if self.score is None:
            del d["score"]
        return d


@dataclass
class DocumentSummary:
    """A listing row of a document: its metadata and the first 240 characters of its text."""

    id: str
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: str | None = None
    source_path: str | None = None
    snippet: str = ""
    truncated: bool = False

    SNIPPET = 240

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
            "published": self.published,
            "source_path": self.source_path,
        }


# --- claims found in the corpus, and the recurring claims they form (factdesk.narratives) ---------
@dataclass
class ClaimMention:
    """A check-worthy claim found in a stored document: what was said, by whom, where and when.

    `start`/`end` are character offsets of the sentence in the document's text; `outlet` is the
    document's publisher. The id is a hash of the document and the offsets, so extracting the
    same document again finds the same mentions.

    >>> m = ClaimMention(document_id="d1", start=0, end=30, text="NATO is a machine producing refugees.")
    >>> m.id == ClaimMention(document_id="d1", start=0, end=30, text="other words").id
    True
    """

    document_id: str
    start: int
    end: int
    text: str
    quote: str | None = None
    speaker: str | None = None
    speaker_title: str | None = None
    outlet: str | None = None
    date: dt.date | None = None
    date_source: str | None = None
    checkworthiness: float = 0.0
    score: float = 0.0
    kind: str = "statement"
    source: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise InvalidValue("a claim mention needs its text")
        if self.start < 0 or self.end < self.start:
            raise InvalidValue(f"a claim mention needs 0 <= start <= end, got {self.start}..{self.end}")
        self.text = " ".join(self.text.split())
        self.date = parse_date(self.date)
        if not self.id:
            self.id = content_hash("mention", self.document_id, self.start, self.end)

    def to_claim(self) -> Claim:
        return Claim(
            text=self.text,
            speaker=self.speaker,
            speaker_title=self.speaker_title,
            date=self.date,
            quote=self.quote,
            source=self.source,
            date_source=self.date_source,
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClaimMention:
        keys = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in d.items() if k in keys})


class MemberKind(str, Enum):
    """Where a member of a recurring claim comes from."""

    CLAIM = "claim"  # a claim found in a stored document (`ClaimMention`)
    FACT_CHECK = "fact-check"  # an imported, published fact-check
    DESK_CHECK = "desk-check"  # a check made on this desk


@dataclass
class NarrativeMember:
    """One occurrence of a recurring claim: a corpus claim, an imported fact-check or a desk check.

    `key` is ``claim:<mention id>`` or ``check:<check id>``; `similarity` is the cosine to the
    group's centroid when it joined; `pinned` marks a member an editor placed (a split), which
    no later grouping moves.
    """

    key: str
    narrative_id: str
    kind: MemberKind
    text: str
    speaker: str | None = None
    speaker_title: str | None = None
    outlet: str | None = None
    date: str | None = None
    rating: str | None = None
    url: str | None = None
    document_id: str | None = None
    start: int | None = None
    end: int | None = None
    similarity: float = 1.0
    pinned: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = self.kind.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NarrativeMember:
        keys = cls.__dataclass_fields__.keys()
        kw = {k: v for k, v in d.items() if k in keys}
        kw["kind"] = MemberKind(kw["kind"])
        return cls(**kw)


@dataclass
class NarrativeGroup:
    """A recurring claim as the store keeps it: a stable id, the wording that stands for it, its
    size and when it was first and last seen (member dates, ISO). The centroid is kept beside it."""

    id: str
    representative: str
    size: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    created: str = ""
    updated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class NarrativeEdit:
    """An editor's correction of the grouping, kept so that every later grouping respects it.

    ``merge``: group `other_id` joins group `narrative_id` (its id then points there);
    ``split``: member `member_key` leaves group `narrative_id` for a new group `other_id`.
    """

    action: str
    narrative_id: str
    other_id: str | None = None
    member_key: str | None = None
    user: str = "cli"
    note: str = ""
    at: str = ""

    def __post_init__(self) -> None:
        if self.action not in ("merge", "split"):
            raise InvalidValue(f"unknown narrative edit {self.action!r}: use merge or split")
        if not self.at:
            self.at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Narrative:
    """A recurring claim as a reader sees it: the group, its members, and what they add up to.

    `weeks` and `months` count the dated members per ISO week (``2026-W05``) and month
    (``2026-01``); `trend` is new, rising, steady or fading (`factdesk.narratives.trend`).
    """

    group: NarrativeGroup
    members: list[NarrativeMember] = field(default_factory=list)
    weeks: dict[str, int] = field(default_factory=dict)
    months: dict[str, int] = field(default_factory=dict)
    speakers: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    trend: str = "steady"

    @property
    def id(self) -> str:
        return self.group.id

    @property
    def checks(self) -> list[NarrativeMember]:
        """The fact-checks in the group (imported and the desk's own), with their ratings."""
        return [m for m in self.members if m.kind is not MemberKind.CLAIM]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.group.to_dict(),
            "trend": self.trend,
            "weeks": self.weeks,
            "months": self.months,
            "speakers": self.speakers,
            "outlets": self.outlets,
            "checks": [m.to_dict() for m in self.checks],
            "members": [m.to_dict() for m in self.members],
        }
