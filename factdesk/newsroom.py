"""The desk's editorial workflow: submit, draft, edit, approve, publish, with every change in the history.

`Newsroom` is library code over a `Desk`: the web desk is a thin layer over it, and a script
or the CLI can drive the same workflow without HTTP. It works on `CheckRecord`s (status, the
`FactCheck`, editorial metadata and history) that the store reads and writes whole
(`factdesk.store.base.CheckStore`); slow work (checks, ingests, claim extraction) runs on a
`JobRunner` worker thread.

>>> from factdesk.pipeline import Desk
>>> from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
>>> from factdesk.types import Claim, Document
>>> news = Newsroom(lambda: Desk(db=":memory:", embedder=FakeEmbedder(), stance_model=FakeStanceModel()))
>>> _ = news.desk.ingest([Document(text="Minsk is the capital of Belarus.", published="2015-01-01")])
>>> cid, created = news.submit(Claim("Minsk is the capital of Belarus"), user="erin")
>>> news.jobs.wait(news.record(cid).meta.job or "", timeout=30).status
'done'
>>> rec = news.record(cid)
>>> rec.status, [h.action for h in rec.history]
('draft', ['submitted', 'drafted'])
>>> news.close()
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import logging
import re
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from factdesk.config import default
from factdesk.errors import FactdeskError, InputError, ModelError, NotFound
from factdesk.ingest.loaders import SUFFIXES, Skip, load_file
from factdesk.ingest.read import read_files
from factdesk.jobs import (
    QUEUED,
    RUNNING,
    Job,
    JobQueue,
    JobRunner,
    MemoryJobs,
    Progress,
    QueueFull,
    StoreJobs,
    new_job_id,
)
from factdesk.store.base import EvidenceStore
from factdesk.types import (
    CheckRecord,
    CheckSummary,
    Claim,
    Document,
    DocumentSummary,
    EditorialMeta,
    Evidence,
    FactCheck,
    Match,
    Passage,
    Rating,
    Sentence,
    Verdict,
)

if TYPE_CHECKING:
    from factdesk.pipeline import Desk

log = logging.getLogger("factdesk.newsroom")
STATUSES = ("queued", "running", "draft", "approved", "published", "failed")
EDITABLE = ("draft", "approved", "published")
RATINGS = [r.value for r in Rating]
# The most characters each text an editor or API client sends may hold, the same for the pages
# and the API (a 1.8 MB analysis once made a 10 MB public page). Over it: 422, naming the limit.
TEXT_LIMITS = {
    "claim": 5000,
    "speaker": 300,
    "speaker_title": 300,
    "source": 2000,
    "note": 5000,
    "headline": 500,
    "summary": 5000,
    "analysis": 20_000,
    "article": 200_000,
}
# An upload's ingest job: each file is read in a child process killed after INGEST_FILE_SECONDS,
# and the whole job stops at INGEST_JOB_SECONDS, so one upload cannot hold the worker for long.
INGEST_FILE_SECONDS: float = default("ingest_file_seconds")
INGEST_JOB_SECONDS = 900.0
ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


# --- errors (each carries the HTTP status the web desk answers with) ------------------------------
class Conflict(FactdeskError):
    """The check is not in a state that allows this (approve a failed check, edit a queued one)."""

    status = 409


class TooLong(InputError):
    """A text is over its `TEXT_LIMITS` entry."""

    status = 422


class Unavailable(FactdeskError):
    """A part this build lacks (claim extraction)."""

    status = 501


# --- checking and converting what editors send ------------------------------------------------------
_CITE = re.compile(r"\[([0-9]+)\]")
_CONFIDENCE = re.compile(r"\s*\(confidence \d+(?:\.\d+)?\)")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:[T ][0-9:.+Z-]*)?)?)?")


def check_lengths(**texts: str | None) -> None:
    """Raise `TooLong` (422) for the first text over its TEXT_LIMITS entry.

    >>> check_lengths(claim="x" * 5001)
    Traceback (most recent call last):
    ...
    factdesk.newsroom.TooLong: the claim is 5,001 characters, over the 5,000 limit: shorten it
    """
    for name, value in texts.items():
        limit = TEXT_LIMITS[name]
        if value is not None and len(value) > limit:
            raise TooLong(
                f"the {name.replace('_', ' ')} is {len(value):,} characters, over the {limit:,} limit: shorten it"
            )


def sentences_to_text(sentences: list[Sentence]) -> str:
    """One sentence a line, citations as [n]: the form editors edit."""
    return "\n".join((s.text + " " + "".join(f"[{n}]" for n in s.citations)).strip() for s in sentences)


def text_to_sentences(text: str, n_evidence: int, field: str) -> list[Sentence]:
    """Parse an edited text (one sentence a line, [n] citations) back into sentences.

    >>> [(s.text, s.citations) for s in text_to_sentences("Turkey hosts most. [1]", 1, "summary")]
    [('Turkey hosts most.', [1])]
    """
    out: list[Sentence] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        found = _CITE.findall(line)
        bad = [n for n in found if len(n) > 6 or not 1 <= int(n) <= n_evidence]  # int() of 5,000 digits raises
        if bad:
            choices = f"[1] to [{n_evidence}]" if n_evidence else "nothing (the check has no evidence; add some first)"
            shown = bad[0] if len(bad[0]) <= 12 else bad[0][:12] + "..."
            raise InputError(f"{field}: citation [{shown}] points to no evidence; this check can cite {choices}")
        cites = [int(n) for n in found]
        body = " ".join(_CITE.sub("", line).split())
        if body:
            out.append(Sentence(body, list(dict.fromkeys(cites)), grounded=True))
    return out


def parse_rating(value: str | Rating) -> Rating:
    """A rating by its label or name, any case.

    >>> parse_rating("likely false")
    <Rating.LIKELY_FALSE: 'Likely False'>
    """
    if isinstance(value, Rating):
        return value
    for r in Rating:
        if value.strip().lower() in (r.value.lower(), r.name.lower()):
            return r
    raise InputError(f"unknown rating {value!r}: choose one of {', '.join(RATINGS)}")


def strict_date(value: str | None, field: str = "date") -> dt.date | None:
    """A date an editor or API client sent: YYYY-MM-DD (or YYYY-MM, YYYY, an ISO timestamp).

    An impossible date is an error with a message, never truncated (`2021-02-30` once became
    `2021-02-01`).

    >>> strict_date("2021-12-14"), strict_date("2021-12"), strict_date("")
    (datetime.date(2021, 12, 14), datetime.date(2021, 12, 1), None)
    >>> strict_date("2021-02-30")
    Traceback (most recent call last):
    ...
    factdesk.errors.InputError: date '2021-02-30' is not a date: day is out of range for month (use YYYY-MM-DD, for example 2021-12-14)
    """
    if value is None or not value.strip():
        return None
    shown = value if len(value) <= 40 else value[:40] + "..."
    m = _DATE.fullmatch(value.strip())
    if m is None:
        raise InputError(f"{field} {shown!r} is not a date: use YYYY-MM-DD, for example 2021-12-14")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        d = dt.date(year, month, day)
    except ValueError as exc:
        raise InputError(f"{field} {shown!r} is not a date: {exc} (use YYYY-MM-DD, for example 2021-12-14)") from None
    if not 1000 <= d.year <= 9000:  # a check adds days to the claim's date: keep far from the calendar's ends
        raise InputError(f"{field} {shown!r} is out of range: give a year between 1000 and 9000")
    return d


def one_line(value: Any) -> str | None:
    """An optional one-line field: whitespace runs collapsed, and blank is None (a speaker of
    spaces once reached the writer, which takes the last word of the name).

    >>> one_line("  Anatoly   Glaz "), one_line("   "), one_line(None)
    ('Anatoly Glaz', None, None)
    """
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def claim_from_input(
    text: Any,
    speaker: Any = None,
    speaker_title: Any = None,
    date: str | None = None,
    source: Any = None,
    text_en: Any = None,
    language: Any = None,
) -> Claim:
    """A claim as an editor or API client sent it: blank text is an `InputError` (a 400, never a
    500), the date is read strictly, and the other fields are one-line.

    >>> claim_from_input("   ")
    Traceback (most recent call last):
    ...
    factdesk.errors.InputError: the claim is empty: type the words to check
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("the claim is empty: type the words to check")
    check_lengths(claim=text)
    if isinstance(text_en, str):
        check_lengths(claim=text_en)
    from factdesk.lang import check_code, detect

    return Claim(
        text=text,
        speaker=one_line(speaker),
        speaker_title=one_line(speaker_title),
        date=strict_date(date, "date"),
        source=one_line(source),
        text_en=one_line(text_en),
        # the editor's choice, else detected (issue 24): the report quotes the claim in it
        language=check_code(one_line(language)) or detect(text),
    )


def safe_filename(name: str | None) -> str:
    """A file name that is safe to write in a temporary folder.

    >>> safe_filename("../../etc/pass wd.txt")
    'pass_wd.txt'
    """
    base = Path(name or "upload").name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return base[:120]


def article_text(filename: str, raw: bytes) -> str:
    """The text of an uploaded article, read by the same loaders as ingest (never file:// URLs)."""
    tmp = Path(tempfile.mkdtemp(prefix="factdesk-article-"))
    try:
        path = tmp / safe_filename(filename)
        if path.suffix.lower() not in ARTICLE_SUFFIXES:
            raise InputError(
                f"cannot read {filename!r} as an article: upload .txt, .md, .html or .pdf, or paste the text"
            )
        path.write_bytes(raw)
        for item in load_file(path, allow_file_urls=False):
            if isinstance(item, Document):
                return item.text
            raise InputError(f"cannot read the article: {item.reason}")
        return ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class ClaimFinder(Protocol):
    """Finds check-worthy claims in an article (`factdesk.claims.extract.ClaimExtractor`).

    `run` returns claims, or items with a `.claim` and a `.score` (ranked best first).
    """

    def warm_up(self) -> None: ...

    def run(self, text: str, doc_date: dt.date | None = None, source: str | None = None) -> Iterable[Any]: ...


def _found_claim(item: Any) -> tuple[Claim, float]:
    claim = getattr(item, "claim", item)
    if not isinstance(claim, Claim):
        claim = Claim(text=str(claim))
    return claim, float(getattr(item, "score", 0.0) or 0.0)


class QueryEmbeddings:
    """An LRU of single-text embeddings in front of an embedder: the same query (`/api/previous`,
    a semantic archive search) asked again is not embedded again. Batches pass straight through.

    >>> from factdesk.testing.fakes import FakeEmbedder
    >>> e = QueryEmbeddings(FakeEmbedder(), size=2)
    >>> bool((e.embed(["a"]) == e.embed(["a"])).all()), e.hits, e.misses
    (True, 1, 1)
    """

    def __init__(self, inner: Any, size: int = 1024) -> None:
        self.inner = inner
        self.size = size
        self.hits = self.misses = 0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:  # dim, warm_up, ...: the wrapped embedder's
        return getattr(self.inner, name)

    def embed(self, texts: Any) -> np.ndarray:
        texts = list(texts)
        if len(texts) != 1:
            return self.inner.embed(texts)  # type: ignore[no-any-return]
        key = texts[0]
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return hit.copy()
        vec = np.asarray(self.inner.embed(texts))
        with self._lock:
            self.misses += 1
            self._cache[key] = vec.copy()
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vec


# --- the service --------------------------------------------------------------------------------------
class Newsroom:
    """The desk's editorial operations on stored checks, shared by the API, the pages and scripts.

    Every change is saved through the store and written to the audit history. `desk_factory`
    builds the `Desk` on first use; `extractor_factory` the article claim finder (default:
    `ClaimExtractor` when installed).
    """

    def __init__(
        self,
        desk_factory: Callable[[], Desk],
        extractor_factory: Callable[[], ClaimFinder] | None = None,
        jobs: JobRunner | None = None,
    ) -> None:
        self._desk_factory = desk_factory
        self._desk: Desk | None = None
        self._extractor_factory = extractor_factory
        self._extractor: ClaimFinder | None = None
        self._extractor_lock = threading.Lock()
        self.jobs = jobs or JobRunner(queue=self._job_queue)
        self.jobs.register("check", self._run_check, self._check_failed)
        self.jobs.register("ingest", self._run_ingest, lambda job, _msg: self._drop_upload(job))
        self.jobs.register("extract", self._run_extract)
        self._coordination: Any = None
        self._coordination_open = False
        # How long (s) a read of the store's change counter is reused: the most a public page
        # cached by this process can lag a publish made by another process.
        self.changes_interval = 0.05
        self._changes_seen, self._changes_read = 0, -1e9
        self.ingest_file_seconds = INGEST_FILE_SECONDS
        self.ingest_job_seconds = INGEST_JOB_SECONDS
        self.ingest_loader: Callable[..., Any] = load_file  # module-level: the reader process imports it
        self._edit = threading.RLock()
        self._vectors: dict[tuple[str, str], np.ndarray] = {}
        self._change_count = itertools.count(1)  # next() is atomic: saves from the worker thread race safely

    @property
    def coordination(self) -> Any:
        """The store's change counter and job queue (`factdesk.store.coordination`), shared by every
        server process of the desk; None for a store only this process sees (`:memory:`)."""
        if not self._coordination_open:
            with self._edit:
                if not self._coordination_open:
                    from factdesk.store.coordination import open_coordination, store_location

                    where = store_location(self.store)
                    self._coordination = open_coordination(where) if where else None
                    self._coordination_open = True
        return self._coordination

    def _job_queue(self) -> JobQueue:
        coord = self.coordination
        return StoreJobs(coord) if coord is not None else MemoryJobs()

    @property
    def changes(self) -> int:
        """The desk's change counter, moved by every saved change to a check (in any process of
        the desk): caches of public pages compare it (see factdesk.app.web.cache). A read is
        reused for `changes_interval` seconds."""
        coord = self.coordination
        if coord is None:
            return self._changes_seen
        now = time.monotonic()
        if now - self._changes_read >= self.changes_interval:
            self._changes_seen, self._changes_read = coord.changes(), now
        return self._changes_seen

    def _changed(self) -> None:
        coord = self.coordination
        if coord is None:
            self._changes_seen = next(self._change_count)
            return
        try:
            self._changes_seen, self._changes_read = coord.bump(), time.monotonic()
        except FactdeskError as exc:  # the change itself is saved: other processes see it at the cache's TTL
            log.warning(
                "the change counter was not moved (%s); other server processes show the change within 60 s", exc
            )
            self._changes_read = -1e9

    @property
    def desk(self) -> Desk:
        with self._edit:
            if self._desk is None:
                desk = self._desk_factory()
                # Cache query embeddings: the matcher (/api/previous) and the retriever embed
                # one query at a time, and the same claims come back.
                raw = desk.embedder
                if not isinstance(raw, QueryEmbeddings):
                    cached = QueryEmbeddings(raw)
                    desk.embedder = cached
                    matcher = getattr(desk, "_matcher", None)
                    if matcher is not None and getattr(matcher, "embedder", None) is raw:
                        matcher.embedder = cached
                self._desk = desk
            return self._desk

    @property
    def store(self) -> EvidenceStore:
        return self.desk.store

    def close(self) -> None:
        self.jobs.stop()
        if self._coordination is not None:
            self._coordination.close()
            self._coordination, self._coordination_open = None, False
        if self._desk is not None:
            self._desk.close()

    # --- records ----------------------------------------------------------------------------------
    def record(self, check_id: str) -> CheckRecord:
        rec = self.store.get_record(check_id)
        if rec is None:
            raise NotFound(
                f"no fact-check with id {check_id!r}: find checks on the desk (/desk) or in the archive (/archive)"
            )
        return rec

    def find(self, check_id: str) -> CheckRecord | None:
        return self.store.get_record(check_id)

    def view(self, rec: CheckRecord) -> dict[str, Any]:
        """The API's JSON for a stored check: status, progress and FactCheck.to_dict()."""
        busy = rec.status in ("queued", "running")
        job = self.jobs.get(rec.meta.job) if rec.meta.job else None
        return {
            "id": rec.id,
            "status": rec.status,
            "claim": rec.claim.to_dict(),
            "progress": (job.progress if job else 0.0) if busy else 1.0,
            "message": job.message if job and busy else rec.status,
            "error": rec.meta.error,
            "created": rec.created,
            "updated": rec.updated,
            "published": rec.meta.published,
            "url": f"/checks/{rec.id}",
            "check": rec.check.to_dict() if rec.check else None,
        }

    def _save(self, rec: CheckRecord, status: str) -> None:
        rec.status = status
        self.store.save_record(rec)
        self._changed()  # after the save: a page rendered before it is stale by then

    # --- checks -----------------------------------------------------------------------------------
    def previous(self, claim: Claim | str, k: int = 5) -> list[Match]:
        """Earlier fact-checks (imported, or published by this desk) that the matcher takes for
        the same claim, best first: what the editor sees before a new check is run."""
        text = claim.text if isinstance(claim, Claim) else claim
        if not text.strip():
            return []
        try:
            return [m for m in self.desk.matcher.run(text, k=k) if m.same_claim]
        except ModelError as exc:  # advice, not a gate: a missing matcher model must not stop submitting
            log.warning("earlier checks not looked up: %s", exc)
            return []

    def submit(self, claim: Claim, user: str, top_k: int = default("top_k")) -> tuple[str, bool]:
        """Queue a check of `claim`; returns (id, created). An existing check is returned as is,
        unless it failed, in which case it is queued again."""
        check_lengths(claim=claim.text, speaker=claim.speaker, speaker_title=claim.speaker_title, source=claim.source)
        with self._edit:
            old = self.store.get_record(claim.id)
            if old is not None and old.status != "failed":
                return old.id, False
            rec = CheckRecord(claim=claim, status="queued", meta=EditorialMeta(submitted_by=user, top_k=top_k))
            self._save(rec, "queued")
            self.store.add_audit(rec.id, user, "submitted", "", {"claim": claim.text})
            self._enqueue(rec)
        return rec.id, True

    def _enqueue(self, rec: CheckRecord) -> Job:
        """Queue the check of `rec` and save it "queued" with its job; callers hold `self._edit`.

        The record names its job before the job is stored, so the worker (in any process) that
        claims it finds the record pointing at it; at most one check job per claim is queued or
        running at a time (the job's key)."""
        job_id = new_job_id()
        rec.meta.job = job_id
        self._save(rec, "queued")
        try:
            job = self.jobs.submit(
                "check", rec.claim.text[:120], payload={"check_id": rec.id}, key=f"check:{rec.id}", job_id=job_id
            )
        except QueueFull as exc:  # not left "queued" with no job behind it: failed, so it can be re-run
            rec.meta.error = str(exc)
            self._save(rec, "failed")
            raise
        # When a live job of this check already existed (another process queued it at the same
        # moment), `job` is that one and the record names a job that was never stored: the worker
        # that runs the live job names it on the record (`_run_check`). The record is not saved
        # again here: that save could land after the worker's and undo its "running" or "draft".
        return job

    def _check_failed(self, job: Job, message: str) -> None:
        rec = self.find(str(job.payload.get("check_id", "")))
        if rec is not None and rec.meta.job == job.id and rec.status in ("queued", "running"):
            rec.meta.error = message
            self._save(rec, "failed")

    def _run_check(self, job: Job, progress: Progress) -> dict[str, Any]:
        rec = self.find(str(job.payload.get("check_id", "")))
        if rec is None or rec.status not in ("queued", "running"):
            return {"skipped": "the check is gone or no longer waiting for this job"}
        if rec.meta.job != job.id:
            other = self.jobs.get(rec.meta.job) if rec.meta.job else None
            if other is not None and other.status in (QUEUED, RUNNING):
                return {"skipped": f"the check is waiting for job {other.id}"}
            rec.meta.job = job.id  # two processes queued it at once: this is the job that runs
        self._save(rec, "running")
        desk = self.desk
        if desk.store.stats().get("passages", 0) == 0:
            raise InputError(
                "the evidence store is empty: upload documents on the Corpus page "
                "(or run `factdesk ingest PATH`), then re-run this check"
            )
        progress(0.05, "loading the models")
        desk.warm_up()
        progress(0.3, "retrieving and weighing the evidence")
        fc = desk.check(rec.claim, top_k=rec.meta.top_k)
        progress(0.9, "saving the draft")
        rec.check, rec.meta.error = fc, None
        self._save(rec, "draft")
        self.store.add_audit(
            rec.id,
            "factdesk",
            "drafted",
            "",
            {"verdict": fc.verdict.rating.value, "confidence": round(fc.verdict.confidence, 4)},
        )
        return {"check_id": rec.id, "verdict": fc.verdict.rating.value}

    def rerun(self, check_id: str, user: str) -> None:
        with self._edit:
            rec = self.record(check_id)
            if rec.status not in ("failed", "draft"):
                raise Conflict(f"a {rec.status} check cannot be re-run; only draft or failed ones can")
            rec.meta.error, rec.meta.text_edited, rec.meta.model_verdict = None, False, None
            rec.check = None  # the draft (and its edits) goes: the check runs from the claim again
            self.store.add_audit(check_id, user, "rerun", "", {})
            self._enqueue(rec)

    def requeue_interrupted(self) -> int:
        """Checks left queued or running by a stopped server are queued again."""
        n = 0
        with self._edit:
            for row in self.store.list_summaries(status=("queued", "running"), limit=1000):
                rec = self.store.get_record(row.id)
                if rec is None:
                    continue
                job = self.jobs.get(rec.meta.job) if rec.meta.job else None
                if job is not None and job.status in (QUEUED, RUNNING):
                    continue  # its job is still in the store's queue: a worker runs it (or retries it)
                self._enqueue(rec)
                n += 1
        return n

    def _editable(self, check_id: str) -> tuple[CheckRecord, FactCheck]:
        rec = self.record(check_id)
        if rec.status not in EDITABLE or rec.check is None:
            raise Conflict(
                f"the check is {rec.status}: wait for it to finish (or re-run it if it failed) before editing"
            )
        return rec, rec.check

    def _rewrite(self, rec: CheckRecord, fc: FactCheck) -> None:
        # Headline and summary state the verdict and count the evidence; keep them true to the
        # edit unless an editor has written them by hand.
        if rec.meta.text_edited:
            return
        head, summary, _ = self.desk.writer.run(fc.claim, fc.evidence, fc.verdict)
        if fc.verdict.method == "editor":  # the model's confidence is not the editor's: do not print it
            summary = [Sentence(_CONFIDENCE.sub("", s.text), s.citations, s.grounded) for s in summary]
        fc.headline, fc.summary = head, summary

    def edit(
        self,
        check_id: str,
        user: str,
        *,
        rating: str | Rating | None = None,
        note: str | None = None,
        headline: str | None = None,
        summary: str | None = None,
        analysis: str | None = None,
        remove_evidence: Iterable[str] = (),
        add_evidence: Iterable[str] = (),
        claim_en: str | None = None,
    ) -> CheckRecord:
        """Apply an editor's changes in one go: evidence, then text, then the verdict.

        `claim_en` is the editor's English rendering of a claim said in another language (issue
        24; blank removes it): the report quotes the claim as said and shows this beside it."""
        check_lengths(note=note, headline=headline, summary=summary, analysis=analysis)
        if claim_en is not None:
            check_lengths(claim=claim_en)
        note = (note or "").strip()
        remove_evidence, add_evidence = list(remove_evidence), list(add_evidence)
        with self._edit:
            rec, fc = self._editable(check_id)
            meta = rec.meta
            audits: list[tuple[str, str, dict[str, Any]]] = []
            if remove_evidence:
                audits.append(self._remove_evidence(fc, remove_evidence, note))
            for pid in add_evidence:
                audits.append(self._add_evidence(fc, pid, note))
            if any(v is not None for v in (headline, summary, analysis, claim_en)):
                n = len(fc.evidence)
                changed = []
                if claim_en is not None and (one_line(claim_en) or None) != fc.claim.text_en:
                    fc.claim.text_en = one_line(claim_en) or None
                    changed.append("claim_en")
                if headline is not None and headline.strip() != fc.headline:
                    if not headline.strip():
                        raise InputError("the headline is empty: write one, or leave the field out to keep it")
                    fc.headline = " ".join(headline.split())
                    changed.append("headline")
                if summary is not None and summary.strip() != sentences_to_text(fc.summary):
                    fc.summary = text_to_sentences(summary, n, "summary")
                    changed.append("summary")
                if analysis is not None and analysis.strip() != sentences_to_text(fc.analysis):
                    fc.analysis = text_to_sentences(analysis, n, "analysis")
                    changed.append("analysis")
                if changed:
                    meta.text_edited = True
                    audits.append(("edited text", note, {"fields": changed}))
            if rating is not None:
                new = parse_rating(rating)
                if new != fc.verdict.rating:
                    if not note:
                        raise InputError(
                            'a verdict change needs a note saying why: add one (e.g. "the UNHCR figures show...")'
                        )
                    old = fc.verdict
                    if old.method != "editor":
                        meta.model_verdict = old
                    model = meta.model_verdict or old
                    probs = dict(model.probs)
                    fc.verdict = Verdict(
                        rating=new,
                        confidence=float(probs.get(new.value, old.confidence)),
                        probs=probs,
                        averitec_probs=dict(model.averitec_probs),
                        method="editor",
                    )
                    audits.append(("changed verdict", note, {"from": old.rating.value, "to": new.value}))
            if not audits:
                raise InputError(
                    "nothing to change: send rating (with a note), headline, summary, analysis, claim_en, "
                    "remove_evidence or add_evidence"
                )
            if any(a[0] in ("removed evidence", "added evidence", "changed verdict") for a in audits):
                self._rewrite(rec, fc)
            # an approved check that changes needs approving again
            self._save(rec, "draft" if rec.status == "approved" else rec.status)
            for action, n_, detail in audits:
                self.store.add_audit(check_id, user, action, n_, detail)
            return self.record(check_id)

    @staticmethod
    def _remove_evidence(fc: FactCheck, ids: list[str], note: str) -> tuple[str, str, dict[str, Any]]:
        have = {e.id for e in fc.evidence}
        unknown = [i for i in ids if i not in have]
        if unknown:
            raise NotFound(
                f"evidence {unknown[0]!r} is not in this check: use a passage_id from the check's evidence list"
            )
        mapping: dict[int, int] = {}
        keep: list[Evidence] = []
        for n, e in enumerate(fc.evidence, 1):
            if e.id not in ids:
                keep.append(e)
                mapping[n] = len(keep)
        fc.evidence = keep

        def renumber(s: Sentence) -> Sentence:
            return Sentence(s.text, [mapping[n] for n in s.citations if n in mapping], s.grounded)

        fc.summary = [renumber(s) for s in fc.summary]
        analysis: list[Sentence] = []
        for s in fc.analysis:
            r = renumber(s)
            if s.citations and not r.citations:  # nothing left to back it: it cannot be published
                fc.dropped.append(Sentence(r.text, [], grounded=False))
            else:
                analysis.append(r)
        fc.analysis = analysis
        return "removed evidence", note, {"passage_ids": ids}

    def _add_evidence(self, fc: FactCheck, passage_id: str, note: str) -> tuple[str, str, dict[str, Any]]:
        for n, e in enumerate(fc.evidence, 1):
            if e.id == passage_id:
                raise InputError(f"passage {passage_id!r} is already evidence [{n}] in this check")
        found = self.store.get_passages([passage_id])
        if not found:
            raise NotFound(f"no passage {passage_id!r} in the corpus: search for one with GET /api/passages?q=...")
        passage, document = found[0]
        ev = Evidence(passage=passage, document=document, scores={"editor": 1.0})
        self.desk.judge_stage.score(fc.claim, [ev])
        fc.evidence.append(ev)
        return "added evidence", note, {"passage_id": passage_id, "number": len(fc.evidence)}

    def set_status(self, check_id: str, user: str, action: str, note: str = "") -> CheckRecord:
        """approve (draft -> approved), publish (approved -> published), unpublish (published -> draft)."""
        rules = {
            "approve": (("draft",), "approved"),
            "publish": (("approved",), "published"),
            "unpublish": (("published",), "draft"),
        }
        if action not in rules:
            raise InputError(f"unknown action {action!r}: choose one of {', '.join(rules)}")
        check_lengths(note=note)
        allowed, target = rules[action]
        with self._edit:
            rec, _ = self._editable(check_id)
            if rec.status not in allowed:
                hint = {
                    "publish": "approve it first",
                    "approve": "only drafts can be approved",
                    "unpublish": "it is not published",
                }[action]
                raise Conflict(f"cannot {action} a {rec.status} check: {hint}")
            if action == "approve":
                rec.meta.approved_by = user
            if action == "publish":
                rec.meta.published = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                rec.meta.published_by = user
            if action == "unpublish":
                rec.meta.published = None
            self._save(rec, target)
            self.store.add_audit(
                check_id,
                user,
                {"approve": "approved", "publish": "published", "unpublish": "unpublished"}[action],
                note,
                {},
            )
            return self.record(check_id)

    def list_checks(
        self,
        status: str | None = None,
        query: str | None = None,
        rating: str | None = None,
        speaker: str | None = None,
        limit: int = 50,
    ) -> list[CheckSummary]:
        """The desk's checks (not imported ones), newest first: listing rows, never whole records."""
        if status and status not in STATUSES:
            raise InputError(f"unknown status {status!r}: choose one of {', '.join(STATUSES)}")
        return self.store.list_summaries(
            status=status or STATUSES,
            query=query or None,
            rating=parse_rating(rating).value if rating else None,
            speaker=speaker or None,
            limit=limit,
        )

    # --- archive ----------------------------------------------------------------------------------
    def archive(
        self,
        q: str | None = None,
        rating: str | None = None,
        speaker: str | None = None,
        since: str | None = None,
        until: str | None = None,
        mode: str = "text",
        limit: int = 50,
    ) -> list[CheckSummary]:
        """Published checks: full-text (`mode="text"`) or meaning (`mode="semantic"`) search plus filters."""
        if mode not in ("text", "semantic"):
            raise InputError(f"unknown search mode {mode!r}: choose text or semantic")
        lo, hi = strict_date(since, "since"), strict_date(until, "until")
        semantic = mode == "semantic" and bool(q and q.strip())
        rows = self.store.list_summaries(
            status="published",
            query=None if semantic else (q or None),
            rating=parse_rating(rating).value if rating else None,
            speaker=speaker or None,
            since=lo.isoformat() if lo else None,
            until=hi.isoformat() if hi else None,
            limit=1000 if semantic else limit,
        )
        if semantic and rows:
            assert q is not None
            qv = self.desk.embedder.embed([q])[0]
            scores = np.stack([self._vector(r) for r in rows]) @ qv
            for r, s in zip(rows, scores.tolist(), strict=True):
                r.score = float(s)
            rows.sort(key=lambda r: -(r.score or 0.0))
        return rows[:limit]

    def _vector(self, row: CheckSummary) -> np.ndarray:
        key = (row.id, row.updated or "")
        if key not in self._vectors:
            self._vectors[key] = np.asarray(
                self.desk.embedder.embed([f"{row.claim} {row.headline}"])[0], dtype=np.float32
            )
        return self._vectors[key]

    # --- corpus -----------------------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        """How many documents, passages and checks the store holds."""
        return self.store.stats()

    def documents(self, query: str | None = None, limit: int = 50, offset: int = 0) -> list[DocumentSummary]:
        """Documents newest first (or those whose passages match `query`), as listing rows."""
        return self.store.list_document_summaries(limit=limit, offset=offset, query=query or None)

    def search_passages(self, query: str, k: int = 10) -> list[tuple[Passage, Document]]:
        """Full-text search over passages (without their documents' texts): to attach evidence."""
        hits = self.store.lexical_search(query, k)
        return self.store.get_passages([h.passage_id for h in hits])

    def ingest_files(
        self, files: list[tuple[str, bytes]], user: str, publisher: str | None = None, date: dt.date | None = None
    ) -> Job:
        """Write uploads to a temporary folder and ingest them on the worker with `Desk.ingest_paths`,
        each file read in a child process under the time limits; a `.urls` list may not name
        file:// URLs (the server's own files). The folder is on this machine: every server process
        of the desk runs on it (uvicorn's workers), so whichever claims the job can read it."""
        if not files:
            raise InputError("no files: choose one or more files to upload (" + " ".join(SUFFIXES) + ")")
        tmp = Path(tempfile.mkdtemp(prefix="factdesk-upload-"))
        names: dict[str, str] = {}
        for i, (name, data) in enumerate(files):
            safe = f"{i:03d}-{safe_filename(name)}"
            (tmp / safe).write_bytes(data)
            names[safe] = name or safe
        title = f"ingest {len(files)} file" + ("s" if len(files) != 1 else "")
        payload = {
            "dir": str(tmp),
            "names": names,
            "publisher": publisher,
            "date": date.isoformat() if date else None,
            "user": user,
        }
        try:
            return self.jobs.submit(
                "ingest",
                title,
                payload=payload,
                time_limit=self.ingest_job_seconds,
                result={"files": list(names.values()), "user": user},
            )
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def _drop_upload(job: Job) -> None:  # also when cancelled queued, or lost for good
        folder = job.payload.get("dir")
        if folder:
            shutil.rmtree(str(folder), ignore_errors=True)

    def _run_ingest(self, job: Job, progress: Progress) -> dict[str, Any]:
        p = job.payload
        tmp, names = Path(p["dir"]), dict(p["names"])
        publisher, date = p.get("publisher"), strict_date(p.get("date"))
        file_seconds, job_seconds, loader = self.ingest_file_seconds, self.ingest_job_seconds, self.ingest_loader
        if not tmp.is_dir():
            raise InputError("the uploaded files are gone (the server was restarted on another machine?): upload again")
        try:
            deadline = time.monotonic() + job_seconds
            progress(0.02, "loading the embedder")
            self.desk.embedder.warm_up()

            def read(paths: list[Path], defaults: dict[str, Any]) -> Iterator[Document | Skip]:
                # `factdesk ingest`'s reader, with every readable type in the child process (an
                # upload is hostile input) and no file:// URLs. read_files yields a file's items,
                # then calls on_file: `done` is the index of the file the next item comes from.
                done, total = 0, len(paths)

                def next_file() -> None:
                    nonlocal done
                    done += 1
                    progress(0.05 + 0.9 * done / max(1, total), f"read {done} of {total} files")

                for item in read_files(
                    paths,
                    defaults,
                    allow_file_urls=False,
                    per_file_seconds=file_seconds,
                    deadline=deadline,
                    isolate=SUFFIXES,
                    loader=loader,
                    on_file=next_file,
                ):
                    f = str(paths[min(done, total - 1)])
                    original = names.get(Path(f).name, f)
                    if isinstance(item, Document):
                        item.source_path = f"upload:{original}"
                    else:
                        item.path = original + (item.path[len(f) :] if item.path.startswith(f) else "")
                    yield item

            report = self.desk.ingest_paths([tmp], publisher=publisher, date=date, reader=read)
            return {
                "files": list(names.values()),
                "user": p.get("user"),
                "documents_added": report.documents_added,
                "documents_unchanged": report.documents_unchanged,
                "passages_added": report.passages_added,
                "skipped": [str(s) for s in report.skipped],
                "summary": report.summary(),
            }
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # --- claims from an article ---------------------------------------------------------------------
    def extraction_available(self) -> bool:
        if self._extractor_factory is not None:
            return True
        return importlib.util.find_spec("factdesk.claims.extract") is not None

    def extract(
        self, text: str, doc_date: dt.date | None, source: str | None, speaker: str | None, speaker_title: str | None
    ) -> Job:
        """Find check-worthy claims in an article on the worker; `article_claims(job.id)` has them after."""
        if not self.extraction_available():
            raise Unavailable(
                "claim extraction is not installed in this build (factdesk.claims.extract): "
                "submit single claims instead"
            )
        if not text.strip():
            raise InputError("the article is empty: paste its text or upload a .txt, .md or .html file")
        check_lengths(article=text, source=source, speaker=speaker, speaker_title=speaker_title)
        payload = {
            "text": text,
            "date": doc_date.isoformat() if doc_date else None,
            "source": source,
            "speaker": speaker,
            "speaker_title": speaker_title,
        }
        return self.jobs.submit("extract", "claims from an article", payload=payload)

    def _run_extract(self, job: Job, progress: Progress) -> dict[str, Any]:
        p = job.payload
        doc_date, source, speaker, speaker_title = (
            strict_date(p.get("date")),
            p["source"],
            p["speaker"],
            p["speaker_title"],
        )
        progress(0.1, "loading the claim extractor")
        extractor = self._claim_finder()
        progress(0.4, "finding check-worthy claims")
        shown = []
        for item in list(extractor.run(p["text"], doc_date=doc_date, source=source))[:40]:
            c, score = _found_claim(item)
            c = Claim(
                text=c.text,
                speaker=c.speaker or speaker,
                speaker_title=c.speaker_title or speaker_title,
                date=c.date or doc_date,
                quote=c.quote,
                source=c.source or source,
                paraphrase=c.paraphrase,
                date_source=c.date_source if c.date else ("document" if doc_date else None),
            )
            shown.append({**c.to_dict(), "score": score})
        return {"claims": shown}

    def _claim_finder(self) -> ClaimFinder:
        with self._extractor_lock:
            if self._extractor is None:
                if self._extractor_factory is not None:
                    self._extractor = self._extractor_factory()
                else:
                    from factdesk.claims.extract import ClaimExtractor

                    self._extractor = ClaimExtractor()
                self._extractor.warm_up()
            return self._extractor

    def article_claims(self, job_id: str) -> list[Claim] | None:
        """The claims an extraction job found, in its order; None when unknown or not finished."""
        job = self.jobs.get(job_id)
        if job is None or job.status != "done" or job.kind != "extract":
            return None
        return [Claim.from_dict(c) for c in job.result.get("claims", [])]

    def submit_picked(self, job_id: str, picked: list[int], user: str) -> int:
        """Queue checks of the claims an editor ticked (their numbers in the extraction's list)."""
        claims = self.article_claims(job_id)
        if claims is None:
            raise NotFound("that claim list has expired or is not ready: submit the article again")
        if not picked:
            raise InputError("no claims picked: tick the claims to check, then press Check")
        n = 0
        for i in picked:
            if 0 <= i < len(claims):
                self.submit(claims[i], user)
                n += 1
        return n
