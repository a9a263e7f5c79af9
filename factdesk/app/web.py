"""The web desk: a FastAPI app that is a thin layer over `factdesk.pipeline.Desk`.

Editors submit claims (or pick claims from an article), watch the check run in a background
worker, review the draft (verdict, evidence, analysis), change what needs changing with a
note kept in the audit history, then approve and publish. Published checks are public, with
schema.org ClaimReview JSON-LD, and searchable in the archive.

>>> from factdesk.pipeline import Desk
>>> from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
>>> app = create_app(lambda: Desk(db=":memory:", embedder=FakeEmbedder(), stance_model=FakeStanceModel()))
>>> app.title
'factdesk'

Run it with `factdesk serve --db factdesk.db`; see docs/web.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import importlib.util
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factdesk.app.jobs import Job, JobRunner, Progress, QueueFull
from factdesk.errors import FactdeskError, InputError, NotFound
from factdesk.ingest.isolate import load_files_isolated
from factdesk.ingest.loaders import SUFFIXES, Skip, iter_files, load_file
from factdesk.report.render import RATING_CLASS, jsonld_script, to_claimreview
from factdesk.store.base import EvidenceStore, query_terms
from factdesk.types import Claim, Document, Evidence, FactCheck, Rating, Sentence, Verdict, parse_date

HERE = Path(__file__).resolve().parent
log = logging.getLogger("factdesk.web")
MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# The most characters each text an editor or API client sends may hold, the same for the pages
# and the API (a 1.8 MB analysis once made a 10 MB public page). Over it: 422, naming the limit.
TEXT_LIMITS = {"claim": 5000, "speaker": 300, "speaker_title": 300, "source": 2000, "note": 5000,
               "headline": 500, "summary": 5000, "analysis": 20_000, "article": 200_000}
# An upload's ingest job: each file is read in a child process killed after INGEST_FILE_SECONDS,
# and the whole job stops at INGEST_JOB_SECONDS, so one upload cannot hold the worker for long.
INGEST_FILE_SECONDS = 120.0
INGEST_JOB_SECONDS = 900.0
STATUSES = ("queued", "running", "draft", "approved", "published", "failed")
EDITABLE = ("draft", "approved", "published")
ROLES = ("editor", "admin")
SESSION_COOKIE = "factdesk_session"
LOGIN_COOKIE = "factdesk_login"
SESSION_SECONDS = 12 * 3600
RATINGS = [r.value for r in Rating]
FLASHES = frozenset({"Verdict changed", "Text saved", "Evidence removed", "Evidence added", "Queued again",
                     "Approved", "Published", "Unpublished"})


# --- errors ------------------------------------------------------------------------------------
class WebError(FactdeskError):
    """An error with an HTTP status; the message says what to do next."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class LoginRequired(Exception):
    """A page needs an editor: the handler redirects to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


# --- tokens and sessions -----------------------------------------------------------------------
def hash_token(token: str) -> str:
    """Tokens are stored as their sha256 hex digest, never in the clear."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random API token (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
_SIGNED = re.compile(r"[A-Za-z0-9_-]+\.[0-9a-f]{64}")
_TOKEN = re.compile(r"[\x21-\x7e]{1,512}")


def same_token(sent: str | None, expected: str | None) -> bool:
    """Constant-time comparison of a token a client sent with the expected one.

    Malformed input (empty, non-ASCII, control characters, over 512 characters) is refused
    before comparing: `hmac.compare_digest` raises TypeError on non-ASCII text.

    >>> same_token("abc", "abc"), same_token("ab\u00e9", "abc"), same_token("", "")
    (True, False, False)
    """
    if not sent or not expected or not _TOKEN.fullmatch(sent) or not _TOKEN.fullmatch(expected):
        return False
    return hmac.compare_digest(sent.encode("ascii"), expected.encode("ascii"))


class Signer:
    """HMAC-SHA256 signed, expiring JSON values for cookies (no server-side session table)."""

    def __init__(self, secret: str | bytes) -> None:
        self.key = secret.encode() if isinstance(secret, str) else secret

    def sign(self, payload: dict[str, Any], max_age: int) -> str:
        body = dict(payload, exp=int(time.time()) + max_age)
        raw = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")
        return f"{raw}.{self._mac(raw)}"

    def unsign(self, value: str | None) -> dict[str, Any] | None:
        # A cookie is client input: check its shape (ASCII, base64url "." hex MAC) before the
        # constant-time compare, which raises on non-ASCII text.
        if not value or len(value) > 4096 or not _SIGNED.fullmatch(value):
            return None
        raw, mac = value.rsplit(".", 1)
        if not hmac.compare_digest(mac.encode("ascii"), self._mac(raw).encode("ascii")):
            return None
        try:
            body = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        except ValueError:  # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors
            return None
        exp = body.get("exp") if isinstance(body, dict) else None
        if not isinstance(exp, int) or exp < time.time():
            return None
        return body

    def _mac(self, raw: str) -> str:
        return hmac.new(self.key, raw.encode(), hashlib.sha256).hexdigest()


@dataclass
class User:
    """Who is making a request: from a Bearer token (API) or a login session (pages)."""

    name: str
    role: str
    csrf: str = ""
    via: str = "token"


# --- security headers --------------------------------------------------------------------------
# Scripts and everything else only from the desk itself; no framing (clickjacking); inline style
# attributes are allowed for the confidence bar's width (a style cannot run code).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN with an inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
            "img-src 'self' data: https://fastapi.tiangolo.com; font-src https://fonts.gstatic.com; "
            "worker-src blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
                    "referrer-policy": "same-origin", "cross-origin-opener-policy": "same-origin"}


class SecurityHeaders:
    """Adds CSP, nosniff, frame and referrer headers to every response, errors and static files included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.fixed = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = (DOCS_CSP if scope.get("path") in ("/docs", "/redoc") else CSP).encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.fixed if k not in have]
                if b"content-security-policy" not in have:
                    extra.append((b"content-security-policy", csp))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


# --- request size limits -----------------------------------------------------------------------
class BodyLimit:
    """Answers 413 when a request body is over the limit: uploads (multipart) and the rest.

    Bodies sent without Content-Length are read here up to the limit and replayed, so a
    chunked upload cannot slip past.
    """

    def __init__(self, app: ASGIApp, max_json: int = MAX_JSON_BYTES, max_upload: int = MAX_UPLOAD_BYTES) -> None:
        self.app = app
        self.max_json = max_json
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.max_upload if multipart else self.max_json
        what = "upload" if multipart else "request body"
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit() or int(length) > limit:
                await self._too_large(scope, send, what, limit)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(scope, send, what, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send, what: str, limit: int) -> None:
        msg = (f"the {what} is over the {limit // (1024 * 1024)} MB limit: "
               + ("upload fewer or smaller files at a time" if what == "upload" else "send less text at a time"))
        if str(scope.get("path", "")).startswith("/api"):
            resp: Response = JSONResponse({"detail": msg, "status": 413}, status_code=413)
        else:
            resp = HTMLResponse(_plain_error_page(413, msg), status_code=413)
        await resp(scope, _noop_receive, send)


async def _noop_receive() -> Message:
    return {"type": "http.disconnect"}


def _plain_error_page(status: int, message: str) -> str:
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>Error {status}</title>"
            f"<link rel=stylesheet href=/static/desk.css><main class=page><h1>Error {status}</h1>"
            f"<p class=error>{escape(message)}</p><p><a href=/>Back to the desk</a></p></main></html>")


# --- text helpers ------------------------------------------------------------------------------
_WORDS = re.compile(r"(\w+)", re.UNICODE)
_CITE = re.compile(r"\[([0-9]+)\]")
_CONFIDENCE = re.compile(r"\s*\(confidence \d+(?:\.\d+)?\)")


def _stem(word: str) -> str:
    w = word.lower()
    return w[:6] if len(w) > 6 else w


def highlight(text: str, claim: str) -> Markup:
    """Escape `text`, then wrap the words it shares with `claim` in <mark>.

    The text is split into words and the rest first, and every piece is escaped on its own,
    so markup in evidence can never become HTML and a match can never land inside an entity.

    >>> str(highlight("<b>Syria</b> refugees", "refugees in Syria"))
    '&lt;b&gt;<mark>Syria</mark>&lt;/b&gt; <mark>refugees</mark>'
    """
    terms = {_stem(t) for t in query_terms(claim, limit=64)}
    out: list[str] = []
    for i, piece in enumerate(_WORDS.split(text)):
        esc = str(escape(piece))
        if i % 2 == 1 and _stem(piece) in terms:
            out.append(f"<mark>{esc}</mark>")
        else:
            out.append(esc)
    return Markup("".join(out))


def sentences_to_text(sentences: list[Sentence]) -> str:
    """One sentence a line, citations as [n]: the form editors edit."""
    return "\n".join((s.text + " " + "".join(f"[{n}]" for n in s.citations)).strip() for s in sentences)


def text_to_sentences(text: str, n_evidence: int, field: str) -> list[Sentence]:
    """Parse an edited text (one sentence a line, [n] citations) back into sentences."""
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


def _rating(value: str | Rating) -> Rating:
    if isinstance(value, Rating):
        return value
    for r in Rating:
        if value.strip().lower() in (r.value.lower(), r.name.lower()):
            return r
    raise InputError(f"unknown rating {value!r}: choose one of {', '.join(RATINGS)}")


_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:[T ][0-9:.+Z-]*)?)?)?")


def strict_date(value: str | None, field: str = "date") -> dt.date | None:
    """A date an editor or API client sent: YYYY-MM-DD (or YYYY-MM, YYYY, an ISO timestamp).

    Unlike `parse_date`, which reads what it can of a stored value, an impossible date is an
    error with a message, never truncated (`2021-02-30` once became `2021-02-01`).

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


def _date_or_error(value: str | None, field: str) -> dt.date | None:
    return strict_date(value, field)


def check_lengths(**texts: str | None) -> None:
    """Raise a 422 WebError for the first text over its TEXT_LIMITS entry."""
    for name, value in texts.items():
        limit = TEXT_LIMITS[name]
        if value is not None and len(value) > limit:
            raise WebError(f"the {name.replace('_', ' ')} is {len(value):,} characters, over the {limit:,} limit: "
                           "shorten it", 422)


def _safe_filename(name: str | None) -> str:
    base = Path(name or "upload").name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return base[:120]


# --- the editorial service ---------------------------------------------------------------------
class Newsroom:
    """The desk's editorial operations on stored checks, shared by the API and the pages.

    Every change is saved through the store and written to the audit history.
    """

    def __init__(self, desk_factory: Callable[[], Any], extractor_factory: Callable[[], Any] | None = None) -> None:
        self._desk_factory = desk_factory
        self._desk: Any = None
        self._extractor_factory = extractor_factory
        self._extractor: Any = None
        self._extractor_lock = threading.Lock()
        self.jobs = JobRunner()
        self.ingest_file_seconds = INGEST_FILE_SECONDS
        self.ingest_job_seconds = INGEST_JOB_SECONDS
        self.ingest_loader: Callable[..., Any] = load_file  # module-level: the reader process imports it
        self._edit = threading.RLock()
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    @property
    def desk(self) -> Any:
        with self._edit:
            if self._desk is None:
                self._desk = self._desk_factory()
            return self._desk

    @property
    def store(self) -> EvidenceStore:
        return self.desk.store

    def close(self) -> None:
        self.jobs.stop()
        if self._desk is not None:
            self._desk.close()

    # --- records ----------------------------------------------------------------------------
    def record(self, check_id: str) -> dict[str, Any]:
        rec = self.store.get_check(check_id)
        if rec is None:
            raise NotFound(f"no fact-check with id {check_id!r}: find checks on the desk (/desk) or in the archive (/archive)")
        return rec

    @staticmethod
    def factcheck(rec: dict[str, Any]) -> FactCheck | None:
        data = rec["data"]
        return FactCheck.from_dict(data) if "verdict_detail" in data else None

    @staticmethod
    def meta(rec: dict[str, Any]) -> dict[str, Any]:
        return dict(rec["data"].get("_desk") or {})

    def view(self, rec: dict[str, Any]) -> dict[str, Any]:
        """The API's JSON for a stored check: status, progress and FactCheck.to_dict()."""
        data = rec["data"]
        meta = self.meta(rec)
        job = self.jobs.get(meta.get("job", "")) if meta.get("job") else None
        fc = self.factcheck(rec)
        progress = 1.0 if rec["status"] not in ("queued", "running") else (job.progress if job else 0.0)
        message = job.message if job and rec["status"] in ("queued", "running") else rec["status"]
        return {
            "id": rec["id"],
            "status": rec["status"],
            "claim": data.get("claim"),
            "progress": progress,
            "message": message,
            "error": meta.get("error"),
            "created": rec["created"],
            "updated": rec["updated"],
            "published": meta.get("published"),
            "url": f"/checks/{rec['id']}",
            "check": fc.to_dict() if fc else None,
        }

    def _save(self, check_id: str, fc: FactCheck | None, meta: dict[str, Any], status: str,
              claim: Claim | None = None) -> None:
        if fc is not None:
            data = fc.to_dict()
        else:
            assert claim is not None
            data = {"id": check_id, "claim": claim.to_dict()}
        data["_desk"] = meta
        self.store.save_check(check_id, data, status)

    # --- checks -----------------------------------------------------------------------------
    def submit(self, claim: Claim, user: str, top_k: int = 6) -> tuple[str, bool]:
        """Queue a check of `claim`; returns (id, created). An existing check is returned as is,
        unless it failed, in which case it is queued again."""
        check_lengths(claim=claim.text, speaker=claim.speaker, speaker_title=claim.speaker_title, source=claim.source)
        cid = claim.id
        with self._edit:
            rec = self.store.get_check(cid)
            if rec is not None and rec["status"] != "failed":
                return cid, False
            meta = {"submitted_by": user, "top_k": top_k}
            self._save(cid, None, meta, "queued", claim=claim)
            self.store.add_audit(cid, user, "submitted", "", {"claim": claim.text})
            self._enqueue(cid, claim, top_k, meta)
        return cid, True

    def _enqueue(self, cid: str, claim: Claim, top_k: int, meta: dict[str, Any]) -> Job:
        def fail(message: str) -> None:
            m = dict(meta, error=message)
            self._save(cid, None, m, "failed", claim=claim)

        try:
            job = self.jobs.submit("check", claim.text[:120], lambda p: self._run_check(cid, claim, top_k, meta, p),
                                   on_error=fail)
        except QueueFull as exc:  # not left "queued" with no job behind it: failed, so it can be re-run
            fail(str(exc))
            raise
        meta["job"] = job.id
        self._save(cid, None, meta, "queued", claim=claim)
        return job

    def _run_check(self, cid: str, claim: Claim, top_k: int, meta: dict[str, Any], progress: Progress) -> dict[str, Any]:
        self._save(cid, None, meta, "running", claim=claim)
        desk = self.desk
        if desk.store.stats().get("passages", 0) == 0:
            raise InputError("the evidence store is empty: upload documents on the Corpus page "
                             "(or run `factdesk ingest PATH`), then re-run this check")
        progress(0.05, "loading the models")
        desk.warm_up()
        progress(0.3, "retrieving and weighing the evidence")
        fc = desk.check(claim, top_k=top_k)
        progress(0.9, "saving the draft")
        meta = {k: v for k, v in meta.items() if k != "error"}
        self._save(cid, fc, meta, "draft")
        self.store.add_audit(cid, "factdesk", "drafted", "",
                             {"verdict": fc.verdict.rating.value, "confidence": round(fc.verdict.confidence, 4)})
        return {"check_id": cid, "verdict": fc.verdict.rating.value}

    def rerun(self, check_id: str, user: str) -> None:
        with self._edit:
            rec = self.record(check_id)
            if rec["status"] not in ("failed", "draft"):
                raise WebError(f"a {rec['status']} check cannot be re-run; only draft or failed ones can", 409)
            claim = Claim.from_dict(rec["data"]["claim"])
            meta = {k: v for k, v in self.meta(rec).items() if k not in ("error", "text_edited", "model_verdict")}
            self.store.add_audit(check_id, user, "rerun", "", {})
            self._enqueue(check_id, claim, int(meta.get("top_k", 6)), meta)

    def requeue_interrupted(self) -> int:
        """Checks left queued or running by a stopped server are queued again."""
        n = 0
        for status in ("queued", "running"):
            for rec in self.store.list_checks(status=status, limit=1000):
                meta = self.meta(rec)
                self._enqueue(rec["id"], Claim.from_dict(rec["data"]["claim"]), int(meta.get("top_k", 6)), meta)
                n += 1
        return n

    def _editable(self, check_id: str) -> tuple[dict[str, Any], FactCheck, dict[str, Any]]:
        rec = self.record(check_id)
        fc = self.factcheck(rec)
        if rec["status"] not in EDITABLE or fc is None:
            raise WebError(f"the check is {rec['status']}: wait for it to finish (or re-run it if it failed) before editing", 409)
        return rec, fc, self.meta(rec)

    def _rewrite(self, fc: FactCheck, meta: dict[str, Any]) -> None:
        # Headline and summary state the verdict and count the evidence; keep them true to the
        # edit unless an editor has written them by hand.
        if meta.get("text_edited"):
            return
        head, summary, _ = self.desk.writer.run(fc.claim, fc.evidence, fc.verdict)
        if fc.verdict.method == "editor":  # the model's confidence is not the editor's: do not print it
            summary = [Sentence(_CONFIDENCE.sub("", s.text), s.citations, s.grounded) for s in summary]
        fc.headline, fc.summary = head, summary

    def edit(self, check_id: str, user: str, *, rating: str | Rating | None = None, note: str | None = None,
             headline: str | None = None, summary: str | None = None, analysis: str | None = None,
             remove_evidence: Iterable[str] = (), add_evidence: Iterable[str] = ()) -> dict[str, Any]:
        """Apply an editor's changes in one go: evidence, then text, then the verdict."""
        check_lengths(note=note, headline=headline, summary=summary, analysis=analysis)
        note = (note or "").strip()
        remove_evidence, add_evidence = list(remove_evidence), list(add_evidence)
        with self._edit:
            rec, fc, meta = self._editable(check_id)
            status = rec["status"]
            audits: list[tuple[str, str, dict[str, Any]]] = []
            if remove_evidence:
                audits.append(self._remove_evidence(fc, remove_evidence, note))
            for pid in add_evidence:
                audits.append(self._add_evidence(fc, pid, note))
            if any(v is not None for v in (headline, summary, analysis)):
                n = len(fc.evidence)
                changed = []
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
                    meta["text_edited"] = True
                    audits.append(("edited text", note, {"fields": changed}))
            if rating is not None:
                new = _rating(rating)
                if new != fc.verdict.rating:
                    if not note:
                        raise InputError("a verdict change needs a note saying why: add one (e.g. \"the UNHCR figures show...\")")
                    old = fc.verdict
                    if old.method != "editor":
                        meta["model_verdict"] = old.to_dict()
                    model = meta.get("model_verdict") or old.to_dict()
                    probs = dict(model.get("probs") or {})
                    conf = float(probs.get(new.value, old.confidence))
                    fc.verdict = Verdict(rating=new, confidence=conf, probs=probs,
                                         averitec_probs=dict(model.get("averitec_probs") or {}), method="editor")
                    audits.append(("changed verdict", note, {"from": old.rating.value, "to": new.value}))
            if not audits:
                raise InputError("nothing to change: send rating (with a note), headline, summary, analysis, "
                                 "remove_evidence or add_evidence")
            if any(a[0] in ("removed evidence", "added evidence", "changed verdict") for a in audits):
                self._rewrite(fc, meta)
            if status == "approved":  # an approved check that changes needs approving again
                status = "draft"
            self._save(check_id, fc, meta, status)
            for action, n_, detail in audits:
                self.store.add_audit(check_id, user, action, n_, detail)
            return self.view(self.record(check_id))

    @staticmethod
    def _remove_evidence(fc: FactCheck, ids: list[str], note: str) -> tuple[str, str, dict[str, Any]]:
        have = {e.id for e in fc.evidence}
        unknown = [i for i in ids if i not in have]
        if unknown:
            raise NotFound(f"evidence {unknown[0]!r} is not in this check: use a passage_id from the check's evidence list")
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

    def set_status(self, check_id: str, user: str, action: str, note: str = "") -> dict[str, Any]:
        """approve (draft -> approved), publish (approved -> published), unpublish (published -> draft)."""
        rules = {"approve": (("draft",), "approved"), "publish": (("approved",), "published"),
                 "unpublish": (("published",), "draft")}
        if action not in rules:
            raise InputError(f"unknown action {action!r}: choose one of {', '.join(rules)}")
        check_lengths(note=note)
        allowed, target = rules[action]
        with self._edit:
            rec, fc, meta = self._editable(check_id)
            if rec["status"] not in allowed:
                hint = {"publish": "approve it first", "approve": "only drafts can be approved",
                        "unpublish": "it is not published"}[action]
                raise WebError(f"cannot {action} a {rec['status']} check: {hint}", 409)
            if action == "approve":
                meta["approved_by"] = user
            if action == "publish":
                meta["published"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                meta["published_by"] = user
            if action == "unpublish":
                meta.pop("published", None)
            self._save(check_id, fc, meta, target)
            self.store.add_audit(check_id, user, {"approve": "approved", "publish": "published",
                                                   "unpublish": "unpublished"}[action], note, {})
            return self.view(self.record(check_id))

    def list_checks(self, status: str | None = None, query: str | None = None, rating: str | None = None,
             speaker: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        if status and status not in STATUSES:
            raise InputError(f"unknown status {status!r}: choose one of {', '.join(STATUSES)}")
        if rating:
            rating = _rating(rating).value
        return self.store.list_checks(status=status or None, query=query or None, rating=rating or None,
                                      speaker=speaker or None, limit=limit)

    # --- archive ----------------------------------------------------------------------------
    def archive(self, q: str | None = None, rating: str | None = None, speaker: str | None = None,
                since: str | None = None, until: str | None = None, mode: str = "text",
                limit: int = 50) -> list[dict[str, Any]]:
        """Published checks: full-text (`mode="text"`) or meaning (`mode="semantic"`) search plus filters."""
        if mode not in ("text", "semantic"):
            raise InputError(f"unknown search mode {mode!r}: choose text or semantic")
        lo, hi = _date_or_error(since, "since"), _date_or_error(until, "until")
        semantic = mode == "semantic" and bool(q and q.strip())
        rows = self.list_checks("published", None if semantic else q, rating, speaker, limit=1000 if (semantic or lo or hi) else limit)
        if lo or hi:
            def in_range(r: dict[str, Any]) -> bool:
                d = parse_date((r["data"].get("claim") or {}).get("date"))
                return d is not None and (lo is None or d >= lo) and (hi is None or d <= hi)
            rows = [r for r in rows if in_range(r)]
        if semantic and rows:
            assert q is not None
            qv = self.desk.embedder.embed([q])[0]
            mat = np.stack([self._vector(r) for r in rows])
            scores = mat @ qv
            order = np.argsort(-scores)
            rows = [dict(rows[i], score=float(scores[i])) for i in order]
        return rows[:limit]

    def _vector(self, rec: dict[str, Any]) -> np.ndarray:
        key = (rec["id"], rec["updated"])
        if key not in self._vectors:
            d = rec["data"]
            text = f"{(d.get('claim') or {}).get('text', '')} {d.get('headline', '')}"
            self._vectors[key] = np.asarray(self.desk.embedder.embed([text])[0], dtype=np.float32)
        return self._vectors[key]

    # --- corpus -----------------------------------------------------------------------------
    def search_passages(self, query: str, k: int = 10) -> list[tuple[Any, Document]]:
        hits = self.store.lexical_search(query, k)
        return self.store.get_passages([h.passage_id for h in hits])

    def ingest_files(self, files: list[tuple[str, bytes]], user: str, publisher: str | None = None,
                     date: dt.date | None = None) -> Job:
        """Write uploads to a temporary folder and ingest them on the worker."""
        if not files:
            raise InputError("no files: choose one or more files to upload (" + " ".join(SUFFIXES) + ")")
        tmp = Path(tempfile.mkdtemp(prefix="factdesk-upload-"))
        names: dict[str, str] = {}
        for i, (name, data) in enumerate(files):
            safe = f"{i:03d}-{_safe_filename(name)}"
            (tmp / safe).write_bytes(data)
            names[safe] = name or safe
        defaults: dict[str, Any] = {}
        if publisher:
            defaults["publisher"] = publisher
        if date:
            defaults["published"] = date

        file_seconds, job_seconds, loader = self.ingest_file_seconds, self.ingest_job_seconds, self.ingest_loader

        def run(progress: Progress) -> dict[str, Any]:
            try:
                deadline = time.monotonic() + job_seconds
                found = list(iter_files([tmp]))
                paths = [f for f in found if isinstance(f, Path)]
                total = len(paths)
                progress(0.02, "loading the embedder")
                self.desk.embedder.warm_up()
                done = 0

                def docs() -> Iterable[Any]:
                    nonlocal done
                    yield from (f for f in found if isinstance(f, Skip))
                    # Read in a child process, file by file, killed at the time limits; and an
                    # uploaded .urls list may not name file:// URLs (the server's own files).
                    for i, item in load_files_isolated(paths, defaults, allow_file_urls=False,
                                                       per_file_seconds=file_seconds, deadline=deadline,
                                                       loader=loader):
                        f = str(paths[i])
                        original = names.get(paths[i].name, f)
                        if isinstance(item, Document):
                            item.source_path = f"upload:{original}"
                        else:
                            item.path = original + (item.path[len(f):] if item.path.startswith(f) else "")
                        if i + 1 > done:
                            done = i + 1
                            progress(0.05 + 0.9 * done / max(1, total), f"read {done} of {total} files")
                        yield item

                report = self.desk.ingest(docs(), batch_size=8)
                return {"documents_added": report.documents_added, "documents_unchanged": report.documents_unchanged,
                        "passages_added": report.passages_added, "skipped": [str(s) for s in report.skipped],
                        "summary": report.summary()}
            finally:
                shutil.rmtree(tmp, ignore_errors=True)

        title = f"ingest {len(files)} file" + ("s" if len(files) != 1 else "")
        job = self.jobs.submit("ingest", title, run, time_limit=job_seconds,
                               on_error=lambda _msg: shutil.rmtree(tmp, ignore_errors=True))  # also when cancelled queued
        job.result = {"files": list(names.values()), "user": user}
        return job

    # --- claims from an article ---------------------------------------------------------------
    def extraction_available(self) -> bool:
        if self._extractor_factory is not None:
            return True
        return importlib.util.find_spec("factdesk.claims.extract") is not None

    def extract(self, text: str, doc_date: dt.date | None, source: str | None, speaker: str | None,
                speaker_title: str | None) -> Job:
        if not self.extraction_available():
            raise WebError("claim extraction is not installed in this build (factdesk.claims.extract): "
                           "submit single claims instead", 501)
        if not text.strip():
            raise InputError("the article is empty: paste its text or upload a .txt, .md or .html file")
        check_lengths(article=text, source=source, speaker=speaker, speaker_title=speaker_title)

        def run(progress: Progress) -> dict[str, Any]:
            progress(0.1, "loading the claim extractor")
            with self._extractor_lock:
                if self._extractor is None:
                    if self._extractor_factory is not None:
                        self._extractor = self._extractor_factory()
                    else:
                        from factdesk.claims.extract import ClaimExtractor

                        self._extractor = ClaimExtractor()
                    self._extractor.warm_up()
            progress(0.4, "finding check-worthy claims")
            items = self._extractor.run(text, doc_date=doc_date, source=source)
            claims = []
            for item in list(items)[:40]:
                c = getattr(item, "claim", item)
                d = c.to_dict() if hasattr(c, "to_dict") else {"text": str(c)}
                d["speaker"] = d.get("speaker") or speaker
                d["speaker_title"] = d.get("speaker_title") or speaker_title
                d["date"] = d.get("date") or (doc_date.isoformat() if doc_date else None)
                d["source"] = d.get("source") or source
                d["score"] = float(getattr(item, "score", 0.0) or 0.0)
                claims.append(d)
            return {"claims": claims}

        return self.jobs.submit("extract", "claims from an article", run)


# --- the app -----------------------------------------------------------------------------------
class CheckIn(BaseModel):
    """A claim to check."""

    claim: str = Field(min_length=1, max_length=TEXT_LIMITS["claim"], examples=["NATO countries have become a real machine producing refugees"])
    speaker: str | None = Field(None, max_length=TEXT_LIMITS["speaker"], examples=["Anatoly Glaz"])
    speaker_title: str | None = Field(None, max_length=TEXT_LIMITS["speaker_title"], examples=["Press secretary for Belarus Foreign Ministry"])
    date: str | None = Field(None, description="When the claim was made, YYYY-MM-DD; only earlier evidence is used.",
                             examples=["2021-12-14"])
    source: str | None = Field(None, max_length=TEXT_LIMITS["source"], description="Where the claim appeared (URL).")
    top_k: int = Field(6, ge=1, le=50, description="Evidence passages to weigh.")


class CheckPatch(BaseModel):
    """An editor's changes; every field is optional. A verdict change needs a note."""

    rating: Rating | None = Field(None, description="The new verdict: " + ", ".join(RATINGS))
    note: str | None = Field(None, max_length=TEXT_LIMITS["note"], description="Why: kept in the audit history.")
    headline: str | None = Field(None, max_length=TEXT_LIMITS["headline"])
    summary: str | None = Field(None, max_length=TEXT_LIMITS["summary"], description="One sentence a line, citations as [n].")
    analysis: str | None = Field(None, max_length=TEXT_LIMITS["analysis"],
                                 description="One sentence a line, citations as [n].")
    remove_evidence: list[str] = Field(default_factory=list, description="passage_ids to remove.")
    add_evidence: list[str] = Field(default_factory=list, description="passage_ids from the corpus to attach.")


class StatusNote(BaseModel):
    note: str | None = Field(None, max_length=TEXT_LIMITS["note"])


class ArticleIn(BaseModel):
    text: str = Field(min_length=1, max_length=TEXT_LIMITS["article"])
    date: str | None = None
    source: str | None = None
    speaker: str | None = None
    speaker_title: str | None = None


def create_app(
    desk: Any = None,
    *,
    db: str | None = None,
    secret_key: str | None = None,
    extractor_factory: Callable[[], Any] | None = None,
    max_json_bytes: int = MAX_JSON_BYTES,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    requeue: bool = True,
    secure_cookies: bool | None = None,
) -> FastAPI:
    """Build the web desk.

    `desk` is a `Desk`, or a zero-argument factory returning one (called once, lazily);
    without it a default `Desk(db=db)` is built. `secret_key` signs session cookies
    (default: env FACTDESK_SECRET_KEY, else a random key, so logins end when the server stops).
    `extractor_factory` builds the article claim extractor (default: `ClaimExtractor` when
    installed). `secure_cookies`: mark cookies Secure always (True), never (False), or when the
    request came over HTTPS (None; behind a TLS proxy run uvicorn with --proxy-headers).
    """
    if desk is None:
        from factdesk.pipeline import Desk

        path = db or os.environ.get("FACTDESK_DB", "factdesk.db")

        def factory() -> Any:
            return Desk(db=path)
    elif callable(desk) and not hasattr(desk, "check"):
        factory = desk
    else:
        def factory() -> Any:
            return desk

    news = Newsroom(factory, extractor_factory)
    signer = Signer(secret_key or os.environ.get("FACTDESK_SECRET_KEY") or secrets.token_hex(32))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        _ = news.store  # open the store now: a bad --db fails at start, not on the first request
        news.jobs.start()
        if requeue:
            news.requeue_interrupted()
        yield
        news.close()

    app = FastAPI(
        title="factdesk",
        version="0.1.0",
        description="The factdesk web desk's JSON API. Writes need `Authorization: Bearer TOKEN` "
                    "(create one with `factdesk user add NAME`); published checks and the archive are public.",
        lifespan=lifespan,
    )
    app.state.newsroom = news
    app.state.signer = signer
    app.add_middleware(BodyLimit, max_json=max_json_bytes, max_upload=max_upload_bytes)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so 413s and static files get the headers too
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.filters["highlight"] = highlight
    env.filters["pct"] = lambda x: f"{100 * float(x or 0):.0f}%"
    env.filters["rating_class"] = lambda r: RATING_CLASS.get(_rating(r), "unrated") if r else "unrated"
    env.filters["cite_text"] = sentences_to_text
    env.filters["nicedate"] = _nicedate
    env.globals["RATINGS"] = RATINGS
    env.globals["STATUSES"] = STATUSES

    # --- auth -----------------------------------------------------------------------------
    def user_from_token(token: str) -> User | None:
        u = news.store.get_user_by_token_hash(hash_token(token))
        return User(u["name"], u["role"]) if u else None

    def session_user(request: Request) -> User | None:
        # The cookie is a random session id, nothing more; the session (user, CSRF token, expiry)
        # lives in the store, so logging out ends it, and a replaced token ends it too.
        sid = request.cookies.get(SESSION_COOKIE, "")
        if not _SESSION_ID.fullmatch(sid):
            return None
        s = news.store.get_session(hash_token(sid))
        return User(s["name"], s["role"], csrf=s["csrf"], via="session") if s else None

    def set_cookie(request: Request, resp: Response, name: str, value: str, max_age: int) -> None:
        """Every cookie the desk sets: HttpOnly, SameSite=Lax, and Secure when served over HTTPS."""
        resp.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", path="/",
                        secure=secure(request))

    def drop_cookie(request: Request, resp: Response, name: str) -> None:
        resp.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure(request))

    def secure(request: Request) -> bool:
        return secure_cookies if secure_cookies is not None else request.url.scheme == "https"

    def bearer(request: Request) -> str | None:
        h = request.headers.get("authorization", "")
        if h.lower().startswith("bearer "):
            return h[7:].strip()
        return None

    def api_reader(request: Request) -> User | None:
        """A Bearer token or a login session, or None (anonymous)."""
        tok = bearer(request)
        if tok:
            u = user_from_token(tok)
            if u is None:
                raise WebError("the API token is not recognised: check it, or create one with `factdesk user add NAME`", 401)
            return u
        return session_user(request)

    def api_writer(request: Request) -> User:
        tok = bearer(request)
        if not tok:
            raise WebError("this needs an editor: send `Authorization: Bearer TOKEN` "
                           "(create a token with `factdesk user add NAME`)", 401)
        u = user_from_token(tok)
        if u is None:
            raise WebError("the API token is not recognised: check it, or create one with `factdesk user add NAME`", 401)
        return u

    def page_user(request: Request) -> User | None:
        return session_user(request)

    def page_editor(request: Request) -> User:
        u = session_user(request)
        if u is None:
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(nxt)
        return u

    async def csrf_editor(request: Request) -> User:
        """A logged-in editor whose form carries the session's CSRF token."""
        u = await run_in_threadpool(page_editor, request)  # a store read: off the event loop
        form = await request.form()
        sent = str(form.get("csrf_token", ""))
        if not same_token(sent, u.csrf):
            raise WebError("the form has expired or did not come from this desk: reload the page and try again", 403)
        return u

    def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
        user = page_user(request)
        flash = request.query_params.get("msg", "")
        if flash not in FLASHES and not re.fullmatch(r"\d+ claims queued", flash):
            flash = ""  # only the desk's own messages: a crafted link cannot put words on the page
        base = {"user": user, "csrf": user.csrf if user else "", "flash": flash}
        return templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)

    # --- errors ---------------------------------------------------------------------------
    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api") or request.url.path in ("/openapi.json",)

    def error_response(request: Request, status: int, message: str) -> Response:
        if is_api(request):
            return JSONResponse({"detail": message, "status": status}, status_code=status)
        try:
            return render(request, "error.html", {"status": status, "message": message}, status=status)
        except Exception:  # the error page must never fail itself
            return HTMLResponse(_plain_error_page(status, message), status_code=status)

    @app.exception_handler(FactdeskError)
    async def _factdesk_error(request: Request, exc: FactdeskError) -> Response:
        return await run_in_threadpool(error_response, request, int(getattr(exc, "status", 400)), str(exc))

    @app.exception_handler(ValueError)
    async def _value_error(request: Request, exc: ValueError) -> Response:
        # Client input that a parser below the web layer refused (a date, a number, text that
        # is not UTF-8): a 400 with the parser's message, never a 500.
        log.info("400 for %s %s: %s", request.method, request.url.path, exc)
        return await run_in_threadpool(error_response, request, 400, f"invalid input: {exc}"[:500])

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login?" + urlencode({"next": exc.next_url}), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        msg = str(exc.detail)
        if exc.status_code == 404 and msg == "Not Found":
            msg = f"nothing at {request.url.path}: see the API docs at /docs, or go to the archive at /archive"
        if exc.status_code == 405:
            msg = f"{request.method} is not allowed on {request.url.path}: see the API docs at /docs"
        return await run_in_threadpool(error_response, request, exc.status_code, msg)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form"))
            parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
        msg = "invalid request: " + "; ".join(parts) + " (see /docs for the expected fields)"
        return await run_in_threadpool(error_response, request, 422 if is_api(request) else 400, msg)

    # --- JSON API -------------------------------------------------------------------------
    api = APIRouter(prefix="/api")

    @api.get("/health", tags=["desk"])
    def health() -> dict[str, Any]:
        """Store counts and how many jobs are waiting."""
        return {"ok": True, "store": news.store.stats(), "jobs_pending": news.jobs.pending()}

    @api.post("/checks", status_code=202, tags=["checks"])
    def api_submit(body: CheckIn, response: Response, user: User = Depends(api_writer)) -> dict[str, Any]:
        """Queue a check; poll `GET /api/checks/{id}` until its status is draft (or failed)."""
        if not body.claim.strip():
            raise InputError("the claim is empty: type the words to check")
        claim = Claim(text=body.claim, speaker=_opt(body.speaker), speaker_title=_opt(body.speaker_title),
                      date=_date_or_error(body.date, "date"), source=_opt(body.source))
        cid, created = news.submit(claim, user.name, body.top_k)
        if not created:
            response.status_code = 200
        rec = news.record(cid)
        return {"id": cid, "status": rec["status"], "created": created, "url": f"/checks/{cid}"}

    @api.get("/checks", tags=["checks"])
    def api_list(status: str | None = None, q: str | None = None, rating: str | None = None,
                 speaker: str | None = None, limit: int = Query(50, ge=1, le=500),
                 user: User = Depends(api_writer)) -> list[dict[str, Any]]:
        """Checks in any status (editors only); `q` is full-text."""
        return [_summary(r) for r in news.list_checks(status, q, rating, speaker, limit)]

    @api.get("/checks/{check_id}", tags=["checks"])
    def api_get(check_id: str, request: Request) -> dict[str, Any]:
        """Status, progress and, once drafted, `check`: the same JSON as `factdesk check --format json`.

        Published checks are public; others need a token.
        """
        user = api_reader(request)
        rec = news.record(check_id)
        if user is None and rec["status"] != "published":
            raise NotFound(f"no published fact-check with id {check_id!r} (editors: send a Bearer token)")
        return news.view(rec)

    @api.patch("/checks/{check_id}", tags=["checks"])
    def api_patch(check_id: str, body: CheckPatch, user: User = Depends(api_writer)) -> dict[str, Any]:
        """Change the verdict (with a note), edit headline/summary/analysis, remove or add evidence."""
        return news.edit(check_id, user.name, rating=body.rating, note=body.note, headline=body.headline,
                         summary=body.summary, analysis=body.analysis, remove_evidence=body.remove_evidence,
                         add_evidence=body.add_evidence)

    @api.post("/checks/{check_id}/approve", tags=["checks"])
    def api_approve(check_id: str, body: StatusNote | None = None, user: User = Depends(api_writer)) -> dict[str, Any]:
        return news.set_status(check_id, user.name, "approve", (body.note if body else None) or "")

    @api.post("/checks/{check_id}/publish", tags=["checks"])
    def api_publish(check_id: str, body: StatusNote | None = None, user: User = Depends(api_writer)) -> dict[str, Any]:
        """Publish an approved check: it appears on its public page and in the archive."""
        return news.set_status(check_id, user.name, "publish", (body.note if body else None) or "")

    @api.post("/checks/{check_id}/unpublish", tags=["checks"])
    def api_unpublish(check_id: str, body: StatusNote | None = None, user: User = Depends(api_writer)) -> dict[str, Any]:
        """Take a check off the public site (admins only)."""
        if user.role != "admin":
            raise WebError("only admins can unpublish: ask one, or `factdesk user add NAME --role admin`", 403)
        return news.set_status(check_id, user.name, "unpublish", (body.note if body else None) or "")

    @api.post("/checks/{check_id}/rerun", tags=["checks"])
    def api_rerun(check_id: str, user: User = Depends(api_writer)) -> dict[str, Any]:
        """Run a failed (or draft) check again; a draft's edits are lost."""
        news.rerun(check_id, user.name)
        return news.view(news.record(check_id))

    @api.get("/checks/{check_id}/audit", tags=["checks"])
    def api_audit(check_id: str, user: User = Depends(api_writer)) -> list[dict[str, Any]]:
        news.record(check_id)
        return news.store.list_audit(check_id)

    @api.get("/checks/{check_id}/claimreview", tags=["archive"])
    def api_claimreview(check_id: str, request: Request) -> dict[str, Any]:
        """schema.org ClaimReview of a published check."""
        rec = news.record(check_id)
        fc = news.factcheck(rec)
        if rec["status"] != "published" or fc is None:
            raise NotFound(f"no published fact-check with id {check_id!r}")
        return to_claimreview(fc, _public_url(request, check_id))

    @api.get("/archive", tags=["archive"])
    def api_archive(q: str | None = None, rating: str | None = None, speaker: str | None = None,
                    since: str | None = None, until: str | None = None,
                    mode: str = Query("text", description="text (full-text) or semantic"),
                    limit: int = Query(50, ge=1, le=500)) -> list[dict[str, Any]]:
        """Published checks, searchable and filterable; public."""
        return [_summary(r) for r in news.archive(q, rating, speaker, since, until, mode, limit)]

    @api.post("/documents", status_code=202, tags=["corpus"])
    async def api_upload(files: list[UploadFile] = File(..., description="Evidence files: " + " ".join(SUFFIXES)),
                         publisher: str | None = Form(None), date: str | None = Form(None),
                         user: User = Depends(api_writer)) -> dict[str, Any]:
        """Upload files and ingest them in the background; poll `GET /api/jobs/{job}`."""
        uploads = [(f.filename or "upload", await f.read()) for f in files]
        job = await run_in_threadpool(news.ingest_files, uploads, user.name, _opt(publisher), _date_or_error(date, "date"))
        return {"job": job.id, "status": job.status, "url": f"/api/jobs/{job.id}"}

    @api.get("/documents", tags=["corpus"])
    def api_documents(q: str | None = None, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
                      user: User = Depends(api_writer)) -> dict[str, Any]:
        docs = news.store.list_documents(limit=limit, offset=offset, query=q or None)
        return {"stats": news.store.stats(), "documents": [_doc_summary(d) for d in docs]}

    @api.get("/passages", tags=["corpus"])
    def api_passages(q: str = Query(..., min_length=1), k: int = Query(10, ge=1, le=100),
                     user: User = Depends(api_writer)) -> list[dict[str, Any]]:
        """Full-text search over passages: find one to attach with PATCH add_evidence."""
        return [{"passage_id": p.id, "text": p.text, **_doc_summary(d)} for p, d in news.search_passages(q, k)]

    @api.post("/articles/claims", status_code=202, tags=["checks"])
    def api_extract(body: ArticleIn, user: User = Depends(api_writer)) -> dict[str, Any]:
        """Find check-worthy claims in an article (background job; result: ranked claims)."""
        job = news.extract(body.text, _date_or_error(body.date, "date"), _opt(body.source), _opt(body.speaker),
                           _opt(body.speaker_title))
        return {"job": job.id, "status": job.status, "url": f"/api/jobs/{job.id}"}

    @api.get("/jobs/{job_id}", tags=["desk"])
    def api_job(job_id: str, request: Request) -> dict[str, Any]:
        """A background job's status, progress (0..1), message and result."""
        if api_reader(request) is None:
            raise WebError("this needs an editor: send `Authorization: Bearer TOKEN` or log in", 401)
        job = news.jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}: jobs are kept in memory until the server restarts")
        return job.to_dict()

    @api.post("/jobs/{job_id}/cancel", tags=["desk"])
    def api_cancel(job_id: str, user: User = Depends(api_writer)) -> dict[str, Any]:
        """Cancel a queued job now, or a running one at its next step (an ingest stops between files)."""
        job = news.jobs.cancel(job_id, user.name)
        if job is None:
            raise NotFound(f"no job {job_id!r}: jobs are kept in memory until the server restarts")
        return job.to_dict()

    app.include_router(api)

    # --- pages ----------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return RedirectResponse("/desk" if page_user(request) else "/archive", status_code=303)

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/desk") -> Response:
        token = secrets.token_hex(16)
        resp = render(request, "login.html", {"next": _local(next), "login_csrf": token})
        set_cookie(request, resp, LOGIN_COOKIE, signer.sign({"c": token}, 3600), 3600)
        return resp

    @app.post("/login", include_in_schema=False)
    def login(request: Request, token: str = Form(""), csrf_token: str = Form(""), next: str = Form("/desk")) -> Response:
        pre = signer.unsign(request.cookies.get(LOGIN_COOKIE)) or {}
        if not same_token(csrf_token, str(pre.get("c", ""))):
            raise WebError("the login form has expired: reload the login page and try again", 403)
        u = user_from_token(token.strip()) if token.strip() else None
        if u is None:
            tok = secrets.token_hex(16)
            resp = render(request, "login.html", {"next": _local(next), "login_csrf": tok,
                                                  "error": "That token is not recognised. Create one with "
                                                           "`factdesk user add NAME` and paste it here."}, status=401)
            set_cookie(request, resp, LOGIN_COOKIE, signer.sign({"c": tok}, 3600), 3600)
            return resp
        sid = secrets.token_urlsafe(32)
        news.store.add_session(hash_token(sid), hash_token(token.strip()), secrets.token_hex(16),
                               time.time() + SESSION_SECONDS)
        done = RedirectResponse(_local(next), status_code=303)
        set_cookie(request, done, SESSION_COOKIE, sid, SESSION_SECONDS)
        drop_cookie(request, done, LOGIN_COOKIE)
        return done

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request, user: User = Depends(csrf_editor)) -> Response:
        # Revoke the session server-side: a copied cookie stops working too, not just this browser's.
        await run_in_threadpool(news.store.delete_session, hash_token(request.cookies.get(SESSION_COOKIE, "")))
        resp = RedirectResponse("/archive", status_code=303)
        drop_cookie(request, resp, SESSION_COOKIE)
        return resp

    @app.get("/desk", include_in_schema=False)
    def desk_page(request: Request, status: str | None = None, q: str | None = None,
                  user: User = Depends(page_editor)) -> Response:
        rows = news.list_checks(status or None, q or None, None, None, limit=200)
        return render(request, "desk.html", {"rows": [_summary(r) for r in rows], "status": status or "", "q": q or ""})

    @app.get("/submit", include_in_schema=False)
    def submit_page(request: Request, user: User = Depends(page_editor)) -> Response:
        return render(request, "submit.html", {"extraction": news.extraction_available(),
                                               "recent": [_summary(r) for r in news.list_checks(limit=8)]})

    @app.post("/submit", include_in_schema=False)
    async def submit(request: Request, user: User = Depends(csrf_editor)) -> Response:
        form = await request.form()
        text = str(form.get("claim", "")).strip()
        if not text:
            raise InputError("the claim is empty: type the words to check")
        claim = Claim(text=text, speaker=_opt(form.get("speaker")), speaker_title=_opt(form.get("speaker_title")),
                      date=_date_or_error(str(form.get("date", "")).strip(), "date"), source=_opt(form.get("source")))
        cid, _ = await run_in_threadpool(news.submit, claim, user.name)
        return RedirectResponse(f"/checks/{cid}", status_code=303)

    @app.post("/submit/article", include_in_schema=False)
    async def submit_article(request: Request, user: User = Depends(csrf_editor)) -> Response:
        form = await request.form()
        text = str(form.get("text", ""))
        upload = form.get("file")
        if not text.strip() and isinstance(upload, StarletteUpload):
            raw = await upload.read()
            if raw:
                text = await run_in_threadpool(_article_text, upload.filename or "article.txt", raw)
        job = await run_in_threadpool(news.extract, text, _date_or_error(str(form.get("date", "")).strip(), "date"),
                           _opt(form.get("source")), _opt(form.get("speaker")), _opt(form.get("speaker_title")))
        return RedirectResponse(f"/submit/article/{job.id}", status_code=303)

    @app.get("/submit/article/{job_id}", include_in_schema=False)
    def article_claims(request: Request, job_id: str, user: User = Depends(page_editor)) -> Response:
        job = news.jobs.get(job_id)
        if job is None:
            raise NotFound("that claim list has expired (the server restarted): submit the article again")
        return render(request, "pick.html", {"job": job})

    @app.post("/submit/article/{job_id}", include_in_schema=False)
    async def pick_claims(request: Request, job_id: str, user: User = Depends(csrf_editor)) -> Response:
        job = news.jobs.get(job_id)
        if job is None or job.status != "done":
            raise NotFound("that claim list has expired or is not ready: submit the article again")
        form = await request.form()
        sent = [str(x) for x in form.getlist("pick")]
        if any(not re.fullmatch(r"[0-9]{1,4}", x) for x in sent):
            raise InputError("pick must be claim numbers from the list: reload the page and tick the claims to check")
        picked = [int(x) for x in sent]
        claims = job.result.get("claims", [])
        if not picked:
            raise InputError("no claims picked: tick the claims to check, then press Check")
        for i in picked:
            if 0 <= i < len(claims):
                d = claims[i]
                await run_in_threadpool(news.submit, Claim(
                    text=d["text"], speaker=d.get("speaker"), speaker_title=d.get("speaker_title"), date=d.get("date"),
                    quote=d.get("quote"), source=d.get("source")), user.name)
        return RedirectResponse("/desk?msg=" + quote(f"{len(picked)} claims queued"), status_code=303)

    @app.get("/checks/{check_id}", response_class=HTMLResponse, tags=["pages"])
    def check_page(request: Request, check_id: str, public: int = 0, find: str | None = None) -> Response:
        """The fact-check page: the editor's view when logged in, else the public page of a published check."""
        user = page_user(request)
        rec = news.record(check_id) if user else news.store.get_check(check_id)
        if user is None and (rec is None or rec["status"] != "published"):
            raise NotFound(f"no published fact-check with id {check_id!r}; editors: log in at /login")
        assert rec is not None
        fc = news.factcheck(rec)
        url = _public_url(request, check_id)
        ctx: dict[str, Any] = {"rec": rec, "fc": fc, "meta": news.meta(rec), "view": news.view(rec),
                               "jsonld": Markup(jsonld_script(fc, url)) if fc and rec["status"] == "published" else "",
                               "public_url": url}
        if user is None or public:
            if fc is None:
                raise NotFound("this check has no draft yet")
            return render(request, "public.html", ctx)
        ctx["audit"] = news.store.list_audit(check_id)
        ctx["find"] = find or ""
        ctx["found"] = news.search_passages(find, 10) if find and fc else []
        ctx["have"] = {e.id for e in fc.evidence} if fc else set()
        return render(request, "check.html", ctx)

    def _back(check_id: str, msg: str) -> Response:
        return RedirectResponse(f"/checks/{check_id}?msg={quote(msg)}", status_code=303)

    @app.post("/checks/{check_id}/verdict", include_in_schema=False)
    async def page_verdict(request: Request, check_id: str, user: User = Depends(csrf_editor)) -> Response:
        form = await request.form()
        await run_in_threadpool(lambda: news.edit(check_id, user.name, rating=str(form.get("rating", "")),
                                                  note=str(form.get("note", ""))))
        return _back(check_id, "Verdict changed")

    @app.post("/checks/{check_id}/text", include_in_schema=False)
    async def page_text(request: Request, check_id: str, user: User = Depends(csrf_editor)) -> Response:
        form = await request.form()
        await run_in_threadpool(lambda: news.edit(
            check_id, user.name, headline=str(form.get("headline", "")), summary=str(form.get("summary", "")),
            analysis=str(form.get("analysis", "")), note=str(form.get("note", ""))))
        return _back(check_id, "Text saved")

    @app.post("/checks/{check_id}/evidence/remove", include_in_schema=False)
    async def page_remove(request: Request, check_id: str, user: User = Depends(csrf_editor)) -> Response:
        form = await request.form()
        await run_in_threadpool(lambda: news.edit(check_id, user.name, remove_evidence=[str(form.get("passage_id", ""))],
                                                  note=str(form.get("note", ""))))
        return _back(check_id, "Evidence removed")

    @app.post("/checks/{check_id}/evidence/add", include_in_schema=False)
    async def page_add(request: Request, check_id: str, user: User = Depends(csrf_editor)) -> Response:
        form = await request.form()
        await run_in_threadpool(lambda: news.edit(check_id, user.name, add_evidence=[str(form.get("passage_id", ""))],
                                                  note=str(form.get("note", ""))))
        return _back(check_id, "Evidence added")

    @app.post("/checks/{check_id}/{action}", include_in_schema=False)
    async def page_status(request: Request, check_id: str, action: str, user: User = Depends(csrf_editor)) -> Response:
        form = await request.form()
        if action == "rerun":
            await run_in_threadpool(news.rerun, check_id, user.name)
            return _back(check_id, "Queued again")
        if action not in ("approve", "publish", "unpublish"):
            raise NotFound(f"unknown action {action!r}: approve, publish, unpublish or rerun")
        if action == "unpublish" and user.role != "admin":
            raise WebError("only admins can unpublish", 403)
        await run_in_threadpool(news.set_status, check_id, user.name, action, str(form.get("note", "")))
        return _back(check_id, {"approve": "Approved", "publish": "Published", "unpublish": "Unpublished"}[action])

    @app.get("/archive", include_in_schema=False)
    def archive_page(request: Request, q: str = "", rating: str = "", speaker: str = "", since: str = "",
                     until: str = "", mode: str = "text") -> Response:
        rows = news.archive(q or None, rating or None, speaker or None, since or None, until or None, mode, limit=100)
        return render(request, "archive.html", {"rows": [_summary(r) for r in rows], "q": q, "rating": rating,
                                                "speaker": speaker, "since": since, "until": until, "mode": mode})

    @app.get("/corpus", include_in_schema=False)
    def corpus_page(request: Request, q: str = "", job: str = "", user: User = Depends(page_editor)) -> Response:
        docs = news.store.list_documents(limit=100, query=q or None)
        return render(request, "corpus.html", {"docs": docs, "stats": news.store.stats(), "q": q,
                                               "job": news.jobs.get(job) if job else None,
                                               "jobs": news.jobs.list_jobs("ingest")[:5], "suffixes": SUFFIXES})

    @app.post("/corpus/upload", include_in_schema=False)
    async def corpus_upload(request: Request, user: User = Depends(csrf_editor)) -> Response:
        form = await request.form()
        files = [(f.filename or "upload", await f.read()) for f in form.getlist("files") if isinstance(f, StarletteUpload)]
        files = [(n, b) for n, b in files if b]
        job = await run_in_threadpool(news.ingest_files, files, user.name, _opt(form.get("publisher")),
                                      _date_or_error(str(form.get("date", "")).strip(), "date"))
        return RedirectResponse(f"/corpus?job={job.id}", status_code=303)

    @app.post("/jobs/{job_id}/cancel", include_in_schema=False)
    async def page_cancel(request: Request, job_id: str, user: User = Depends(csrf_editor)) -> Response:
        if news.jobs.cancel(job_id, user.name) is None:
            raise NotFound("that job has expired (the server restarted)")
        return RedirectResponse(f"/corpus?job={quote(job_id)}", status_code=303)

    return app


# --- small helpers -----------------------------------------------------------------------------
def _opt(value: Any) -> str | None:
    """An optional one-line field: whitespace runs collapsed, and blank is None (a speaker of
    spaces once reached the writer, which takes the last word of the name)."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _local(url: str) -> str:
    """Only same-site paths as redirect targets (no open redirects)."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else "/desk"


def _public_url(request: Request, check_id: str) -> str:
    return str(request.base_url).rstrip("/") + f"/checks/{check_id}"


def _nicedate(value: Any) -> str:
    if not value:
        return ""
    try:
        d = parse_date(str(value))
    except ValueError:
        return str(value)
    return d.strftime("%B %-d, %Y") if d else ""


def _summary(rec: dict[str, Any]) -> dict[str, Any]:
    d = rec["data"]
    claim = d.get("claim") or {}
    return {"id": rec["id"], "status": rec["status"], "claim": claim.get("text", ""), "speaker": claim.get("speaker"),
            "speaker_title": claim.get("speaker_title"), "date": claim.get("date"), "verdict": d.get("verdict"),
            "confidence": d.get("confidence"), "headline": d.get("headline", ""), "updated": rec["updated"],
            "published": (d.get("_desk") or {}).get("published"), "url": f"/checks/{rec['id']}",
            **({"score": rec["score"]} if "score" in rec else {})}


def _doc_summary(d: Document) -> dict[str, Any]:
    return {"document_id": d.id, "title": d.title, "publisher": d.publisher, "url": d.url,
            "published": d.published.isoformat() if d.published else None, "source_path": d.source_path}


def _article_text(filename: str, raw: bytes) -> str:
    """The text of an uploaded article, read by the same loaders as ingest."""
    tmp = Path(tempfile.mkdtemp(prefix="factdesk-article-"))
    try:
        path = tmp / _safe_filename(filename)
        if path.suffix.lower() not in (".txt", ".md", ".markdown", ".html", ".htm", ".pdf"):
            raise InputError(f"cannot read {filename!r} as an article: upload .txt, .md, .html or .pdf, or paste the text")
        path.write_bytes(raw)
        for item in load_file(path, allow_file_urls=False):
            if isinstance(item, Document):
                return item.text
            raise InputError(f"cannot read the article: {item.reason}")
        return ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

