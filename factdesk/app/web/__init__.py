"""The web desk: a FastAPI app that is a thin layer over `factdesk.newsroom.Newsroom`.

Editors submit claims (or pick claims from an article), watch the check run in a background
worker, review the draft (verdict, evidence, analysis), change what needs changing with a
note kept in the audit history, then approve and publish. Published checks are public, with
schema.org ClaimReview JSON-LD, and searchable in the archive.

The package is split by concern: `auth` (tokens, sessions, CSRF, cookies), `limits` (body
size, security headers), `api` (the JSON routes), `pages` (the HTML routes), `templating`
(templates and their filters) and `errors` (the one error renderer). The workflow itself is
library code in `factdesk.newsroom`.

>>> from factdesk.pipeline import Desk
>>> from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
>>> app = create_app(lambda: Desk(db=":memory:", embedder=FakeEmbedder(), stance_model=FakeStanceModel()))
>>> app.title
'factdesk'

Run it with `factdesk serve --db factdesk.db`; see docs/web.md.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from factdesk.app.web import api, errors, narratives, pages
from factdesk.app.web.auth import SESSION_COOKIE, Auth, Signer, User, WebError, hash_token, new_token, same_token
from factdesk.app.web.cache import MAX_BYTES, MAX_ENTRIES, CachedRoutes, PublicCache
from factdesk.app.web.limits import MAX_JSON_BYTES, MAX_UPLOAD_BYTES, BodyLimit, SecurityHeaders
from factdesk.app.web.templating import STATIC, Renderer, highlight
from factdesk.config import Config
from factdesk.newsroom import TEXT_LIMITS, ClaimFinder, Newsroom, strict_date, text_to_sentences

if TYPE_CHECKING:
    from factdesk.pipeline import Desk

__all__ = [
    "SESSION_COOKIE",
    "TEXT_LIMITS",
    "Signer",
    "User",
    "WebError",
    "create_app",
    "hash_token",
    "highlight",
    "new_token",
    "same_token",
    "strict_date",
    "text_to_sentences",
]


def create_app(
    desk: Desk | Callable[[], Desk] | None = None,
    *,
    db: str | None = None,
    secret_key: str | None = None,
    extractor_factory: Callable[[], ClaimFinder] | None = None,
    max_json_bytes: int = MAX_JSON_BYTES,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    requeue: bool = True,
    secure_cookies: bool | None = None,
    public_cache: bool = True,
    cache_max_bytes: int = MAX_BYTES,
    cache_max_entries: int = MAX_ENTRIES,
) -> FastAPI:
    """Build the web desk.

    `desk` is a `Desk`, or a zero-argument factory returning one (called once, lazily);
    without it a default `Desk(db=db)` is built (`db` defaults to the `db` setting of
    `factdesk.config`). `secret_key` signs the login form's CSRF cookie (default: the
    `secret_key` setting, e.g. env FACTDESK_SECRET_KEY; empty: a random key). `extractor_factory` builds the article claim
    extractor (default: `ClaimExtractor` when installed). `secure_cookies`: mark cookies Secure
    always (True), never (False), or when the request came over HTTPS (None; behind a TLS proxy
    run uvicorn with --proxy-headers). The published pages' and `/api` ClaimReview JSON-LD name
    the `organization` setting (env FACTDESK_ORGANIZATION, or factdesk.toml) as their author.
    `public_cache`: keep anonymous public pages, the archive and its searches in memory, at most
    `cache_max_entries` answers and `cache_max_bytes` bytes, dropped when a check changes
    (`factdesk.app.web.cache`; `app.state.public_cache`, None when off).
    """
    factory: Callable[[], Desk]
    if desk is None:
        from factdesk.pipeline import Desk

        path = db or str(Config().get("db"))

        def factory() -> Desk:
            return Desk(db=path)
    elif callable(desk) and not hasattr(desk, "check"):
        factory = desk
    else:
        made = desk

        def factory() -> Desk:
            return made  # type: ignore[return-value]

    news = Newsroom(factory, extractor_factory)
    # The ClaimReview author of every published page and /api claimreview: read once, at start.
    organization = str(Config().get("organization"))
    # The secret only signs the login form's one-hour CSRF cookie; sessions live in the store.
    signer = Signer(secret_key or Config().get("secret_key") or secrets.token_hex(32))
    auth = Auth(news, signer, secure_cookies)
    render = Renderer(auth)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
    cache = (
        PublicCache(lambda: news.changes, max_entries=cache_max_entries, max_bytes=cache_max_bytes)
        if public_cache
        else None
    )
    app.state.public_cache = cache
    if cache is not None:  # inside SecurityHeaders: answers from the cache get the headers too
        app.add_middleware(CachedRoutes, cache=cache)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so 413s and static files get the headers too
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    errors.install(app, render)
    app.include_router(api.router(news, auth, organization))
    app.include_router(pages.router(news, auth, render, organization))
    app.include_router(narratives.router(news, auth, render))
    return app
