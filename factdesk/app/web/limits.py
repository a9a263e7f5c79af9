"""What every response carries and what no request may exceed: security headers and body size limits.

Both are plain ASGI middleware, so they cover error pages, 413s and static files too.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import escape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# Scripts and everything else only from the desk itself; no framing (clickjacking); inline style
# attributes are allowed for the confidence bar's width (a style cannot run code).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from a CDN with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com; font-src https://fonts.gstatic.com; "
    "worker-src blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


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
        msg = f"the {what} is over the {limit // (1024 * 1024)} MB limit: " + (
            "upload fewer or smaller files at a time" if what == "upload" else "send less text at a time"
        )
        if str(scope.get("path", "")).startswith("/api"):
            resp: Response = JSONResponse({"detail": msg, "status": 413}, status_code=413)
        else:
            resp = HTMLResponse(plain_error_page(413, msg), status_code=413)
        await resp(scope, _noop_receive, send)


async def _noop_receive() -> Message:
    return {"type": "http.disconnect"}


def plain_error_page(status: int, message: str) -> str:
    """An error page that needs no template (for when rendering is what failed)."""
    return (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>Error {status}</title>"
        f"<link rel=stylesheet href=/static/desk.css><main class=page><h1>Error {status}</h1>"
        f"<p class=error>{escape(message)}</p><p><a href=/>Back to the desk</a></p></main></html>"
    )
