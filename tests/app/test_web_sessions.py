"""Sessions and headers (issue 17, finding 6): logging out revokes the session server-side, the
cookie carries no token material, cookie flags are the same everywhere, and every response has
the security headers. Real app, real SQLite store, fake models."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient
from web_helpers import ADMIN_TOKEN, EDITOR_TOKEN, login

from factdesk.app.web import SESSION_COOKIE, hash_token


def _session_cookie(client: TestClient) -> str:
    return client.cookies.get(SESSION_COOKIE) or ""


def test_logout_revokes_a_copied_session(client: TestClient) -> None:
    csrf = login(client)
    stolen = _session_cookie(client)
    other = TestClient(client.app)
    other.cookies.set(SESSION_COOKIE, stolen)
    assert other.get("/desk", follow_redirects=False).status_code == 200  # the copy works while logged in
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    r = other.get("/desk", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")  # and not after logout


def test_the_cookie_holds_no_token_material(client: TestClient) -> None:
    login(client)
    value = _session_cookie(client)
    assert len(value) == 43 and "." not in value
    digest = hash_token(EDITOR_TOKEN)
    decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    assert digest not in value and digest.encode() not in decoded and bytes.fromhex(digest) not in decoded


def test_a_replaced_token_ends_its_sessions(client: TestClient, desk) -> None:  # type: ignore[no-untyped-def]
    login(client)
    assert client.get("/desk", follow_redirects=False).status_code == 200
    desk.store.add_user("erin", "editor", hash_token("a-new-token-for-erin-0123"))
    assert client.get("/desk", follow_redirects=False).status_code == 303


def test_sessions_are_per_login(client: TestClient) -> None:
    login(client)
    first = _session_cookie(client)
    second = TestClient(client.app)
    login(second, ADMIN_TOKEN)
    assert _session_cookie(second) != first
    assert "ada" in second.get("/desk").text


def test_cookie_flags_are_set_consistently(web) -> None:  # type: ignore[no-untyped-def]
    with web(secure_cookies=True, base_url="https://desk.example") as c:
        page = c.get("/login")
        flags = page.headers["set-cookie"].lower()
        assert "httponly" in flags and "samesite=lax" in flags and "secure" in flags and "path=/" in flags
        r = c.post("/login", data={"token": "wrong", "csrf_token": c.cookies.get("factdesk_login", "")})
        assert r.status_code in (401, 403)
        login(c)
        r = c.post("/login", data={"token": EDITOR_TOKEN, "csrf_token": "x"}, follow_redirects=False)
        for header in [h for k, h in r.headers.multi_items() if k == "set-cookie"] + [page.headers["set-cookie"]]:
            assert "httponly" in header.lower() and "secure" in header.lower() and "samesite=lax" in header.lower()
    with web() as c:  # plain http (tests, local use): not Secure
        flags = c.get("/login").headers["set-cookie"].lower()
        assert "httponly" in flags and "samesite=lax" in flags and "secure" not in flags


def test_every_response_has_the_security_headers(client: TestClient) -> None:
    csrf = login(client)
    responses = [
        client.get("/archive"),
        client.get("/api/archive"),
        client.get("/static/desk.css"),
        client.get("/nowhere"),
        client.get("/api/checks/nope"),
        client.post("/submit", data={"claim": "", "csrf_token": csrf}),
        client.post("/api/checks", content=b"x" * (3 * 1024 * 1024), headers={"content-type": "application/json"}),
        client.get("/desk", follow_redirects=False),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 404, 404, 400, 413, 200]
    for r in responses:
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'self'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
