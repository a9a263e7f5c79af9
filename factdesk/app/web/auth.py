"""Who is asking: API tokens, login sessions, CSRF, and the cookies that carry them.

Tokens are stored as their SHA-256, never in the clear. A login session is a random id in an
HttpOnly cookie; the session itself (user, CSRF token, expiry) lives in the store, so logging
out ends it everywhere. Every token a client sends is checked for shape before comparing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from factdesk.errors import FactdeskError
from factdesk.newsroom import Newsroom

SESSION_COOKIE = "factdesk_session"
LOGIN_COOKIE = "factdesk_login"
SESSION_SECONDS = 12 * 3600
ROLES = ("editor", "admin")


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
    """HMAC-SHA256 signed, expiring JSON values for cookies (the login form's CSRF token).

    >>> s = Signer("k")
    >>> s.unsign(s.sign({"c": "x"}, 60))["c"], s.unsign("forged.value")
    ('x', None)
    """

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


class Auth:
    """The request dependencies that say who is asking, and the desk's cookies.

    `secure_cookies`: mark cookies Secure always (True), never (False), or when the request
    came over HTTPS (None).
    """

    def __init__(self, news: Newsroom, signer: Signer, secure_cookies: bool | None = None) -> None:
        self.news = news
        self.signer = signer
        self.secure_cookies = secure_cookies

    # --- who -------------------------------------------------------------------------------------
    def user_from_token(self, token: str) -> User | None:
        u = self.news.store.get_user_by_token_hash(hash_token(token))
        return User(u["name"], u["role"]) if u else None

    def session_user(self, request: Request) -> User | None:
        # The cookie is a random session id, nothing more; the session (user, CSRF token, expiry)
        # lives in the store, so logging out ends it, and a replaced token ends it too.
        sid = request.cookies.get(SESSION_COOKIE, "")
        if not _SESSION_ID.fullmatch(sid):
            return None
        s = self.news.store.get_session(hash_token(sid))
        return User(s["name"], s["role"], csrf=s["csrf"], via="session") if s else None

    @staticmethod
    def bearer(request: Request) -> str | None:
        h = request.headers.get("authorization", "")
        if h.lower().startswith("bearer "):
            return h[7:].strip()
        return None

    def api_reader(self, request: Request) -> User | None:
        """A Bearer token or a login session, or None (anonymous)."""
        tok = self.bearer(request)
        if tok:
            u = self.user_from_token(tok)
            if u is None:
                raise WebError(
                    "the API token is not recognised: check it, or create one with `factdesk user add NAME`", 401
                )
            return u
        return self.session_user(request)

    def api_writer(self, request: Request) -> User:
        tok = self.bearer(request)
        if not tok:
            raise WebError(
                "this needs an editor: send `Authorization: Bearer TOKEN` "
                "(create a token with `factdesk user add NAME`)",
                401,
            )
        u = self.user_from_token(tok)
        if u is None:
            raise WebError(
                "the API token is not recognised: check it, or create one with `factdesk user add NAME`", 401
            )
        return u

    def page_user(self, request: Request) -> User | None:
        return self.session_user(request)

    def page_editor(self, request: Request) -> User:
        u = self.session_user(request)
        if u is None:
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(nxt)
        return u

    async def csrf_editor(self, request: Request) -> User:
        """A logged-in editor whose form carries the session's CSRF token."""
        u = await run_in_threadpool(self.page_editor, request)  # a store read: off the event loop
        form = await request.form()
        sent = str(form.get("csrf_token", ""))
        if not same_token(sent, u.csrf):
            raise WebError("the form has expired or did not come from this desk: reload the page and try again", 403)
        return u

    # --- sessions and cookies --------------------------------------------------------------------
    def start_session(self, token: str) -> str:
        """A new login session for the holder of `token`; returns the session id for the cookie."""
        sid = secrets.token_urlsafe(32)
        self.news.store.add_session(
            hash_token(sid), hash_token(token), secrets.token_hex(16), time.time() + SESSION_SECONDS
        )
        return sid

    def end_session(self, request: Request) -> None:
        # Revoke the session server-side: a copied cookie stops working too, not just this browser's.
        self.news.store.delete_session(hash_token(request.cookies.get(SESSION_COOKIE, "")))

    def secure(self, request: Request) -> bool:
        return self.secure_cookies if self.secure_cookies is not None else request.url.scheme == "https"

    def set_cookie(self, request: Request, resp: Response, name: str, value: str, max_age: int) -> None:
        """Every cookie the desk sets: HttpOnly, SameSite=Lax, and Secure when served over HTTPS."""
        resp.set_cookie(
            name, value, max_age=max_age, httponly=True, samesite="lax", path="/", secure=self.secure(request)
        )

    def drop_cookie(self, request: Request, resp: Response, name: str) -> None:
        resp.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=self.secure(request))
