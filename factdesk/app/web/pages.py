"""The editors' pages and the public ones: HTML forms over the library, with CSRF on every write."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from factdesk.app.web.auth import LOGIN_COOKIE, SESSION_COOKIE, SESSION_SECONDS, Auth, User, WebError, same_token
from factdesk.app.web.templating import Renderer, local, public_url
from factdesk.errors import InputError, NotFound
from factdesk.ingest.loaders import SUFFIXES
from factdesk.newsroom import Newsroom, article_text, claim_from_input, one_line, strict_date
from factdesk.report.render import ORG_NAME, jsonld_script

_PICK = re.compile(r"[0-9]{1,4}")
_STATUS_FLASH = {"approve": "Approved", "publish": "Published", "unpublish": "Unpublished"}


def router(news: Newsroom, auth: Auth, render: Renderer, organization: str = ORG_NAME) -> APIRouter:
    """The HTML routes; `organization` is the ClaimReview author on published pages."""
    pages = APIRouter()
    editor = Depends(auth.page_editor)
    csrf_editor = Depends(auth.csrf_editor)

    # --- login ------------------------------------------------------------------------------------
    @pages.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        return RedirectResponse("/desk" if auth.page_user(request) else "/archive", status_code=303)

    def login_form(request: Request, next_url: str, status: int = 200, error: str = "") -> Response:
        token = secrets.token_hex(16)
        ctx = {"next": local(next_url), "login_csrf": token, **({"error": error} if error else {})}
        resp = render(request, "login.html", ctx, status=status)
        auth.set_cookie(request, resp, LOGIN_COOKIE, auth.signer.sign({"c": token}, 3600), 3600)
        return resp

    @pages.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/desk") -> Response:
        return login_form(request, next)

    @pages.post("/login", include_in_schema=False)
    def login(
        request: Request, token: str = Form(""), csrf_token: str = Form(""), next: str = Form("/desk")
    ) -> Response:
        pre = auth.signer.unsign(request.cookies.get(LOGIN_COOKIE)) or {}
        if not same_token(csrf_token, str(pre.get("c", ""))):
            raise WebError("the login form has expired: reload the login page and try again", 403)
        token = token.strip()
        if not token or auth.user_from_token(token) is None:
            return login_form(
                request,
                next,
                401,
                "That token is not recognised. Create one with `factdesk user add NAME` and paste it here.",
            )
        done = RedirectResponse(local(next), status_code=303)
        auth.set_cookie(request, done, SESSION_COOKIE, auth.start_session(token), SESSION_SECONDS)
        auth.drop_cookie(request, done, LOGIN_COOKIE)
        return done

    @pages.post("/logout", include_in_schema=False)
    async def logout(request: Request, user: User = csrf_editor) -> Response:
        await run_in_threadpool(auth.end_session, request)
        resp = RedirectResponse("/archive", status_code=303)
        auth.drop_cookie(request, resp, SESSION_COOKIE)
        return resp

    # --- the desk and submitting ------------------------------------------------------------------
    @pages.get("/desk", include_in_schema=False)
    def desk_page(request: Request, status: str | None = None, q: str | None = None, user: User = editor) -> Response:
        rows = news.list_checks(status or None, q or None, None, None, limit=200)
        return render(request, "desk.html", {"rows": [r.to_dict() for r in rows], "status": status or "", "q": q or ""})

    def submit_form(request: Request, **ctx: Any) -> Response:
        return render(
            request,
            "submit.html",
            {
                "extraction": news.extraction_available(),
                "recent": [r.to_dict() for r in news.list_checks(limit=8)],
                **ctx,
            },
        )

    @pages.get("/submit", include_in_schema=False)
    def submit_page(request: Request, user: User = editor) -> Response:
        return submit_form(request)

    @pages.post("/submit", include_in_schema=False)
    async def submit(request: Request, user: User = csrf_editor) -> Response:
        """Submit a claim. Before a new check runs, the editor is told of earlier fact-checks of the
        same claim (with a link); "Check it anyway" (confirm=1) then queues it."""
        form = await request.form()
        keys = ("claim", "speaker", "speaker_title", "date", "source", "claim_en", "lang")
        fields = {k: str(form.get(k, "")) for k in keys}
        claim = claim_from_input(
            fields["claim"],
            fields["speaker"],
            fields["speaker_title"],
            fields["date"].strip(),
            fields["source"],
            text_en=fields["claim_en"],
            language=fields["lang"],
        )
        if form.get("confirm") != "1":
            previous = await run_in_threadpool(news.previous, claim)
            if previous:
                return await run_in_threadpool(lambda: submit_form(request, previous=previous, form=fields))
        cid, _ = await run_in_threadpool(news.submit, claim, user.name)
        return RedirectResponse(f"/checks/{cid}", status_code=303)

    @pages.post("/submit/article", include_in_schema=False)
    async def submit_article(request: Request, user: User = csrf_editor) -> Response:
        form = await request.form()
        text = str(form.get("text", ""))
        upload = form.get("file")
        if not text.strip() and isinstance(upload, StarletteUpload):
            raw = await upload.read()
            if raw:
                text = await run_in_threadpool(article_text, upload.filename or "article.txt", raw)
        job = await run_in_threadpool(
            news.extract,
            text,
            strict_date(str(form.get("date", "")).strip(), "date"),
            one_line(form.get("source")),
            one_line(form.get("speaker")),
            one_line(form.get("speaker_title")),
        )
        return RedirectResponse(f"/submit/article/{job.id}", status_code=303)

    @pages.get("/submit/article/{job_id}", include_in_schema=False)
    def article_claims(request: Request, job_id: str, user: User = editor) -> Response:
        job = news.jobs.get(job_id)
        if job is None:
            raise NotFound("that claim list has expired (the server restarted): submit the article again")
        return render(request, "pick.html", {"job": job})

    @pages.post("/submit/article/{job_id}", include_in_schema=False)
    async def pick_claims(request: Request, job_id: str, user: User = csrf_editor) -> Response:
        if news.article_claims(job_id) is None:
            raise NotFound("that claim list has expired or is not ready: submit the article again")
        form = await request.form()
        sent = [str(x) for x in form.getlist("pick")]
        if any(not _PICK.fullmatch(x) for x in sent):
            raise InputError("pick must be claim numbers from the list: reload the page and tick the claims to check")
        n = await run_in_threadpool(news.submit_picked, job_id, [int(x) for x in sent], user.name)
        return RedirectResponse("/desk?msg=" + quote(f"{n} claims queued"), status_code=303)

    # --- a check ----------------------------------------------------------------------------------
    @pages.get("/checks/{check_id}", response_class=HTMLResponse, tags=["pages"])
    def check_page(request: Request, check_id: str, public: int = 0, find: str | None = None) -> Response:
        """The fact-check page: the editor's view when logged in, else the public page of a published check."""
        user = auth.page_user(request)
        rec = news.record(check_id) if user else news.find(check_id)
        if rec is None or (user is None and rec.status != "published"):
            raise NotFound(f"no published fact-check with id {check_id!r}; editors: log in at /login")
        fc = rec.check
        url = public_url(request, check_id)
        ctx: dict[str, Any] = {
            "rec": rec,
            "fc": fc,
            "meta": rec.meta,
            "jsonld": Markup(jsonld_script(fc, url, organization)) if fc and rec.status == "published" else "",
            "public_url": url,
        }
        if user is None or public:
            if fc is None:
                raise NotFound("this check has no draft yet")
            return render(request, "public.html", ctx)  # no `view`: the public page shows none of it
        ctx["view"] = news.view(rec)  # the editor's page: its progress bar
        ctx["audit"] = rec.history
        ctx["find"] = find or ""
        ctx["found"] = news.search_passages(find, 10) if find and fc else []
        ctx["have"] = {e.id for e in fc.evidence} if fc else set()
        return render(request, "check.html", ctx)

    def back(check_id: str, msg: str) -> Response:
        return RedirectResponse(f"/checks/{check_id}?msg={quote(msg)}", status_code=303)

    @pages.post("/checks/{check_id}/verdict", include_in_schema=False)
    async def page_verdict(request: Request, check_id: str, user: User = csrf_editor) -> Response:
        form = await request.form()
        await run_in_threadpool(
            lambda: news.edit(check_id, user.name, rating=str(form.get("rating", "")), note=str(form.get("note", "")))
        )
        return back(check_id, "Verdict changed")

    @pages.post("/checks/{check_id}/text", include_in_schema=False)
    async def page_text(request: Request, check_id: str, user: User = csrf_editor) -> Response:
        form = await request.form()
        await run_in_threadpool(
            lambda: news.edit(
                check_id,
                user.name,
                headline=str(form.get("headline", "")),
                summary=str(form.get("summary", "")),
                analysis=str(form.get("analysis", "")),
                note=str(form.get("note", "")),
                claim_en=str(form["claim_en"]) if "claim_en" in form else None,
            )
        )
        return back(check_id, "Text saved")

    @pages.post("/checks/{check_id}/evidence/remove", include_in_schema=False)
    async def page_remove(request: Request, check_id: str, user: User = csrf_editor) -> Response:
        form = await request.form()
        await run_in_threadpool(
            lambda: news.edit(
                check_id, user.name, remove_evidence=[str(form.get("passage_id", ""))], note=str(form.get("note", ""))
            )
        )
        return back(check_id, "Evidence removed")

    @pages.post("/checks/{check_id}/evidence/add", include_in_schema=False)
    async def page_add(request: Request, check_id: str, user: User = csrf_editor) -> Response:
        form = await request.form()
        await run_in_threadpool(
            lambda: news.edit(
                check_id, user.name, add_evidence=[str(form.get("passage_id", ""))], note=str(form.get("note", ""))
            )
        )
        return back(check_id, "Evidence added")

    @pages.post("/checks/{check_id}/{action}", include_in_schema=False)
    async def page_status(request: Request, check_id: str, action: str, user: User = csrf_editor) -> Response:
        form = await request.form()
        if action == "rerun":
            await run_in_threadpool(news.rerun, check_id, user.name)
            return back(check_id, "Queued again")
        if action not in _STATUS_FLASH:
            raise NotFound(f"unknown action {action!r}: approve, publish, unpublish or rerun")
        if action == "unpublish" and user.role != "admin":
            raise WebError("only admins can unpublish", 403)
        await run_in_threadpool(news.set_status, check_id, user.name, action, str(form.get("note", "")))
        return back(check_id, _STATUS_FLASH[action])

    # --- archive and corpus -----------------------------------------------------------------------
    @pages.get("/archive", include_in_schema=False)
    def archive_page(
        request: Request,
        q: str = "",
        rating: str = "",
        speaker: str = "",
        since: str = "",
        until: str = "",
        mode: str = "text",
    ) -> Response:
        rows = news.archive(q or None, rating or None, speaker or None, since or None, until or None, mode, limit=100)
        return render(
            request,
            "archive.html",
            {
                "rows": [r.to_dict() for r in rows],
                "q": q,
                "rating": rating,
                "speaker": speaker,
                "since": since,
                "until": until,
                "mode": mode,
            },
        )

    @pages.get("/corpus", include_in_schema=False)
    def corpus_page(request: Request, q: str = "", job: str = "", user: User = editor) -> Response:
        docs = news.documents(q, limit=100)
        return render(
            request,
            "corpus.html",
            {
                "docs": docs,
                "stats": news.stats(),
                "q": q,
                "job": news.jobs.get(job) if job else None,
                "jobs": news.jobs.list_jobs("ingest")[:5],
                "suffixes": SUFFIXES,
            },
        )

    @pages.post("/corpus/upload", include_in_schema=False)
    async def corpus_upload(request: Request, user: User = csrf_editor) -> Response:
        form = await request.form()
        files = [
            (f.filename or "upload", await f.read()) for f in form.getlist("files") if isinstance(f, StarletteUpload)
        ]
        files = [(n, b) for n, b in files if b]
        job = await run_in_threadpool(
            news.ingest_files,
            files,
            user.name,
            one_line(form.get("publisher")),
            strict_date(str(form.get("date", "")).strip(), "date"),
        )
        return RedirectResponse(f"/corpus?job={job.id}", status_code=303)

    @pages.post("/jobs/{job_id}/cancel", include_in_schema=False)
    async def page_cancel(request: Request, job_id: str, user: User = csrf_editor) -> Response:
        if news.jobs.cancel(job_id, user.name) is None:
            raise NotFound("that job has expired (the server restarted)")
        return RedirectResponse(f"/corpus?job={quote(job_id)}", status_code=303)

    return pages
