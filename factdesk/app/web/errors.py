"""One error renderer: JSON `{detail, status}` for the API, the error page for the rest.

Every library error carries its HTTP status (`FactdeskError.status`: 400 for bad input, 404,
409 for a check in the wrong state, 422 for a text over its limit...); a `ValueError` from a
parser below the web layer is client input too, so a 400, never a 500.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from factdesk.app.web.auth import LoginRequired
from factdesk.app.web.limits import plain_error_page
from factdesk.app.web.templating import Renderer
from factdesk.errors import FactdeskError

log = logging.getLogger("factdesk.web")


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path in ("/openapi.json",)


def install(app: FastAPI, render: Renderer) -> None:
    """Register the handlers that turn every error into a response with a message."""

    def error_response(request: Request, status: int, message: str) -> Response:
        if is_api(request):
            return JSONResponse({"detail": message, "status": status}, status_code=status)
        try:
            return render(request, "error.html", {"status": status, "message": message}, status=status)
        except Exception:  # the error page must never fail itself
            return HTMLResponse(plain_error_page(status, message), status_code=status)

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
