"""The JSON API under /api: the same operations as the pages, documented live at /docs.

Reads of published checks and the archive are public; everything else needs a Bearer token.
Each route checks who is asking and calls the library (`factdesk.newsroom.Newsroom`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from factdesk.app.web.auth import Auth, User, WebError
from factdesk.app.web.templating import match_dict, public_url
from factdesk.config import default
from factdesk.errors import NotFound
from factdesk.ingest.loaders import SUFFIXES
from factdesk.newsroom import RATINGS, TEXT_LIMITS, Newsroom, claim_from_input, one_line, strict_date
from factdesk.report.render import ORG_NAME, to_claimreview
from factdesk.types import Rating


class CheckIn(BaseModel):
    """A claim to check."""

    claim: str = Field(
        min_length=1,
        max_length=TEXT_LIMITS["claim"],
        examples=["NATO countries have become a real machine producing refugees"],
    )
    speaker: str | None = Field(None, max_length=TEXT_LIMITS["speaker"], examples=["Anatoly Glaz"])
    speaker_title: str | None = Field(
        None, max_length=TEXT_LIMITS["speaker_title"], examples=["Press secretary for Belarus Foreign Ministry"]
    )
    date: str | None = Field(
        None, description="When the claim was made, YYYY-MM-DD; only earlier evidence is used.", examples=["2021-12-14"]
    )
    source: str | None = Field(None, max_length=TEXT_LIMITS["source"], description="Where the claim appeared (URL).")
    claim_en: str | None = Field(
        None, max_length=TEXT_LIMITS["claim"], description="An English rendering of a claim said in another language."
    )
    lang: str | None = Field(None, max_length=8, description="The claim's language (ISO 639-1); default: detected.")
    top_k: int = Field(default("top_k"), ge=1, le=50, description="Evidence passages to weigh.")


class CheckPatch(BaseModel):
    """An editor's changes; every field is optional. A verdict change needs a note."""

    rating: Rating | None = Field(None, description="The new verdict: " + ", ".join(RATINGS))
    note: str | None = Field(None, max_length=TEXT_LIMITS["note"], description="Why: kept in the audit history.")
    headline: str | None = Field(None, max_length=TEXT_LIMITS["headline"])
    summary: str | None = Field(
        None, max_length=TEXT_LIMITS["summary"], description="One sentence a line, citations as [n]."
    )
    analysis: str | None = Field(
        None, max_length=TEXT_LIMITS["analysis"], description="One sentence a line, citations as [n]."
    )
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


def router(news: Newsroom, auth: Auth, organization: str = ORG_NAME) -> APIRouter:
    """The /api routes; `organization` is the ClaimReview author of published checks."""
    api = APIRouter(prefix="/api")
    writer = Depends(auth.api_writer)

    @api.get("/health", tags=["desk"])
    def health() -> dict[str, Any]:
        """Store counts and how many jobs are waiting."""
        return {"ok": True, "store": news.stats(), "jobs_pending": news.jobs.pending()}

    @api.post("/checks", status_code=202, tags=["checks"])
    def api_submit(body: CheckIn, response: Response, user: User = writer) -> dict[str, Any]:
        """Queue a check; poll `GET /api/checks/{id}` until its status is draft (or failed).

        `previous` lists earlier fact-checks of the same claim (imported, or published by this
        desk), as `GET /api/previous` returns them.
        """
        claim = claim_from_input(
            body.claim, body.speaker, body.speaker_title, body.date, body.source, body.claim_en, body.lang
        )
        previous = [match_dict(m) for m in news.previous(claim)]
        cid, created = news.submit(claim, user.name, body.top_k)
        if not created:
            response.status_code = 200
        rec = news.record(cid)
        return {"id": cid, "status": rec.status, "created": created, "url": f"/checks/{cid}", "previous": previous}

    @api.get("/previous", tags=["checks"])
    def api_previous(
        claim: str = Query(..., min_length=1, max_length=TEXT_LIMITS["claim"]), user: User = writer
    ) -> dict[str, Any]:
        """Has this been checked before? Earlier fact-checks the matcher takes for the same claim,
        best first, each with rating, publisher, date, `url`/`link` and the matcher's scores."""
        c = claim_from_input(claim)
        return {"claim": c.text, "previous": [match_dict(m) for m in news.previous(c)]}

    @api.get("/checks", tags=["checks"])
    def api_list(
        status: str | None = None,
        q: str | None = None,
        rating: str | None = None,
        speaker: str | None = None,
        limit: int = Query(50, ge=1, le=500),
        user: User = writer,
    ) -> list[dict[str, Any]]:
        """Checks in any status (editors only); `q` is full-text."""
        return [r.to_dict() for r in news.list_checks(status, q, rating, speaker, limit)]

    @api.get("/checks/{check_id}", tags=["checks"])
    def api_get(check_id: str, request: Request) -> dict[str, Any]:
        """Status, progress and, once drafted, `check`: the same JSON as `factdesk check --format json`.

        Published checks are public; others need a token.
        """
        user = auth.api_reader(request)
        rec = news.find(check_id)
        if user is None and (rec is None or rec.status != "published"):
            raise NotFound(f"no published fact-check with id {check_id!r} (editors: send a Bearer token)")
        return news.view(rec or news.record(check_id))

    @api.patch("/checks/{check_id}", tags=["checks"])
    def api_patch(check_id: str, body: CheckPatch, user: User = writer) -> dict[str, Any]:
        """Change the verdict (with a note), edit headline/summary/analysis, remove or add evidence."""
        return news.view(
            news.edit(
                check_id,
                user.name,
                rating=body.rating,
                note=body.note,
                headline=body.headline,
                summary=body.summary,
                analysis=body.analysis,
                remove_evidence=body.remove_evidence,
                add_evidence=body.add_evidence,
            )
        )

    @api.post("/checks/{check_id}/approve", tags=["checks"])
    def api_approve(check_id: str, body: StatusNote | None = None, user: User = writer) -> dict[str, Any]:
        return news.view(news.set_status(check_id, user.name, "approve", (body.note if body else None) or ""))

    @api.post("/checks/{check_id}/publish", tags=["checks"])
    def api_publish(check_id: str, body: StatusNote | None = None, user: User = writer) -> dict[str, Any]:
        """Publish an approved check: it appears on its public page and in the archive."""
        return news.view(news.set_status(check_id, user.name, "publish", (body.note if body else None) or ""))

    @api.post("/checks/{check_id}/unpublish", tags=["checks"])
    def api_unpublish(check_id: str, body: StatusNote | None = None, user: User = writer) -> dict[str, Any]:
        """Take a check off the public site (admins only)."""
        if user.role != "admin":
            raise WebError("only admins can unpublish: ask one, or `factdesk user add NAME --role admin`", 403)
        return news.view(news.set_status(check_id, user.name, "unpublish", (body.note if body else None) or ""))

    @api.post("/checks/{check_id}/rerun", tags=["checks"])
    def api_rerun(check_id: str, user: User = writer) -> dict[str, Any]:
        """Run a failed (or draft) check again; a draft's edits are lost."""
        news.rerun(check_id, user.name)
        return news.view(news.record(check_id))

    @api.get("/checks/{check_id}/audit", tags=["checks"])
    def api_audit(check_id: str, user: User = writer) -> list[dict[str, Any]]:
        return [h.to_dict() for h in news.record(check_id).history]

    @api.get("/checks/{check_id}/claimreview", tags=["archive"])
    def api_claimreview(check_id: str, request: Request) -> dict[str, Any]:
        """schema.org ClaimReview of a published check."""
        rec = news.record(check_id)
        if rec.status != "published" or rec.check is None:
            raise NotFound(f"no published fact-check with id {check_id!r}")
        return to_claimreview(rec.check, public_url(request, check_id), organization)

    @api.get("/archive", tags=["archive"])
    def api_archive(
        q: str | None = None,
        rating: str | None = None,
        speaker: str | None = None,
        since: str | None = None,
        until: str | None = None,
        mode: str = Query("text", description="text (full-text) or semantic"),
        limit: int = Query(50, ge=1, le=500),
    ) -> list[dict[str, Any]]:
        """Published checks, searchable and filterable; public."""
        return [r.to_dict() for r in news.archive(q, rating, speaker, since, until, mode, limit)]

    @api.post("/documents", status_code=202, tags=["corpus"])
    async def api_upload(
        files: list[UploadFile] = File(..., description="Evidence files: " + " ".join(SUFFIXES)),
        publisher: str | None = Form(None),
        date: str | None = Form(None),
        user: User = writer,
    ) -> dict[str, Any]:
        """Upload files and ingest them in the background; poll `GET /api/jobs/{job}`."""
        uploads = [(f.filename or "upload", await f.read()) for f in files]
        job = await run_in_threadpool(
            news.ingest_files, uploads, user.name, one_line(publisher), strict_date(date, "date")
        )
        return {"job": job.id, "status": job.status, "url": f"/api/jobs/{job.id}"}

    @api.get("/documents", tags=["corpus"])
    def api_documents(
        q: str | None = None, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0), user: User = writer
    ) -> dict[str, Any]:
        docs = news.documents(q, limit=limit, offset=offset)
        return {"stats": news.stats(), "documents": [d.to_dict() for d in docs]}

    @api.get("/passages", tags=["corpus"])
    def api_passages(
        q: str = Query(..., min_length=1), k: int = Query(10, ge=1, le=100), user: User = writer
    ) -> list[dict[str, Any]]:
        """Full-text search over passages: find one to attach with PATCH add_evidence."""
        return [
            {
                "passage_id": p.id,
                "text": p.text,
                "document_id": d.id,
                "title": d.title,
                "publisher": d.publisher,
                "url": d.url,
                "published": d.published.isoformat() if d.published else None,
                "source_path": d.source_path,
            }
            for p, d in news.search_passages(q, k)
        ]

    @api.post("/articles/claims", status_code=202, tags=["checks"])
    def api_extract(body: ArticleIn, user: User = writer) -> dict[str, Any]:
        """Find check-worthy claims in an article (background job; result: ranked claims)."""
        job = news.extract(
            body.text,
            strict_date(body.date, "date"),
            one_line(body.source),
            one_line(body.speaker),
            one_line(body.speaker_title),
        )
        return {"job": job.id, "status": job.status, "url": f"/api/jobs/{job.id}"}

    @api.get("/jobs/{job_id}", tags=["desk"])
    def api_job(job_id: str, request: Request) -> dict[str, Any]:
        """A background job's status (queued, running, done, failed, cancelled), progress (0..1), message and result."""
        if auth.api_reader(request) is None:
            raise WebError("this needs an editor: send `Authorization: Bearer TOKEN` or log in", 401)
        job = news.jobs.get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id!r}: the desk keeps its last 500 jobs; check the id")
        return job.to_dict()

    @api.post("/jobs/{job_id}/cancel", tags=["desk"])
    def api_cancel(job_id: str, user: User = writer) -> dict[str, Any]:
        """Cancel a queued job now, or a running one at its next step (an ingest stops between files);
        its status becomes "cancelled"."""
        job = news.jobs.cancel(job_id, user.name)
        if job is None:
            raise NotFound(f"no job {job_id!r}: the desk keeps its last 500 jobs; check the id")
        return job.to_dict()

    return api
