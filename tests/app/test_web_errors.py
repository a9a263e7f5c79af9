"""No 500 for client input (issue 17, finding 5): tokens, numbers, dates and citations a client
sends are checked before use, and the desk answers 4xx with a message. Real app, fake models."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import auth, login, submit

from factdesk.app.web import create_app, same_token, strict_date
from factdesk.errors import InputError

CLAIM = "Russian air strikes in Syria began in 2015."


@pytest.fixture
def lenient(desk, web) -> TestClient:  # type: ignore[no-untyped-def]
    """A client that turns server exceptions into 500 responses instead of raising them."""
    with web(desk, raise_server_exceptions=False) as c:
        yield c


def _raw_cookie(value: str) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", f"factdesk_session={value}; factdesk_login={value}".encode())]


def test_non_ascii_csrf_token_is_a_403_not_a_500(lenient: TestClient) -> None:
    csrf = login(lenient)
    assert csrf
    r = lenient.post("/submit", data={"claim": CLAIM, "csrf_token": "é"}, follow_redirects=False)
    assert r.status_code == 403 and "the form has expired" in r.text
    r = lenient.post("/login", data={"token": "x", "csrf_token": "²"}, follow_redirects=False)
    assert r.status_code == 403 and "the login form has expired" in r.text


@pytest.mark.parametrize("cookie", ["é.é", "abc.ééé", "x" * 5000 + ".y", "a.b.c", "AAAA." + "0" * 64])
def test_malformed_session_and_login_cookies_are_ignored(lenient: TestClient, cookie: str) -> None:
    r = lenient.get("/desk", headers=_raw_cookie(cookie), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = lenient.post("/login", data={"token": "t", "csrf_token": "abc"}, headers=_raw_cookie(cookie))
    assert r.status_code == 403


def test_same_token_refuses_malformed_input_before_comparing() -> None:
    assert same_token("abc123", "abc123")
    assert not same_token("abc12é", "abc123") and not same_token("", "") and not same_token("a\x00", "a\x00")
    assert not same_token("x" * 513, "x" * 513)


def test_a_5000_digit_citation_is_a_400(lenient: TestClient) -> None:
    cid = submit(lenient, CLAIM)["id"]
    r = lenient.patch(f"/api/checks/{cid}", json={"analysis": "A sentence. [" + "9" * 5000 + "]"}, headers=auth())
    assert r.status_code == 400
    assert r.json()["detail"].startswith("analysis: citation [999999999999...] points to no evidence")


def test_pick_must_be_claim_numbers(desk) -> None:  # type: ignore[no-untyped-def]
    from factdesk.types import Claim

    class OneClaim:
        def warm_up(self) -> None:
            pass

        def run(self, text, doc_date=None, source=None):  # type: ignore[no-untyped-def]
            return [Claim(text="NATO produced 5 million refugees in 2015.")]

    app = create_app(desk, secret_key="s", extractor_factory=OneClaim)
    with TestClient(app, raise_server_exceptions=False) as c:
        csrf = login(c)
        r = c.post(
            "/submit/article",
            data={"text": "NATO produced 5 million refugees in 2015.", "csrf_token": csrf},
            follow_redirects=False,
        )
        job_id = r.headers["location"].rsplit("/", 1)[-1]
        app.state.newsroom.jobs.wait(job_id)
        for bad in ["²", "-1", "9" * 50, "1.0"]:
            r = c.post(f"/submit/article/{job_id}", data={"pick": bad, "csrf_token": csrf}, follow_redirects=False)
            assert r.status_code == 400 and "pick must be claim numbers" in r.text, bad
        r = c.post(f"/submit/article/{job_id}", data={"pick": "0", "csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303


@pytest.mark.parametrize(
    "value, message",
    [
        ("2021-02-30", "day is out of range for month"),
        ("2021-13-01", "month must be in 1..12"),
        ("99999", "is not a date"),
        ("2021-1-1", "is not a date"),
        ("0000-01-01", "year 0 is out of range"),
        ("9999-12-31", "give a year between 1000 and 9000"),
        ("²⁰²¹", "is not a date"),
    ],
)
def test_impossible_dates_are_refused_with_a_message(client: TestClient, value: str, message: str) -> None:
    r = client.post("/api/checks", json={"claim": CLAIM, "date": value}, headers=auth())
    assert r.status_code == 400 and message in r.json()["detail"], r.text
    r = client.get("/api/archive", params={"since": value})
    assert r.status_code == 400 and message in r.json()["detail"]
    csrf = login(client)
    r = client.post("/submit", data={"claim": CLAIM, "date": value, "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 400 and message in r.text


def test_strict_date_reads_what_it_should() -> None:
    assert str(strict_date("2021-12-14")) == "2021-12-14" and str(strict_date("2021-02")) == "2021-02-01"
    assert str(strict_date("2021-12-14T10:00:00Z")) == "2021-12-14" and strict_date(" ") is None
    with pytest.raises(InputError, match="2021-02-30"):
        strict_date("2021-02-30")


def test_value_errors_map_to_400_with_the_one_error_renderer(desk) -> None:  # type: ignore[no-untyped-def]
    app = create_app(desk, secret_key="s")

    @app.get("/api/boom")
    def boom() -> None:
        raise ValueError("cannot read date 'x'")

    @app.get("/boom")
    def page_boom() -> None:
        int("²")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/boom")
        assert r.status_code == 400 and r.json() == {"detail": "invalid input: cannot read date 'x'", "status": 400}
        r = c.get("/boom")
        assert r.status_code == 400 and re.search(r"Error 400", r.text) and "invalid literal" in r.text


def test_cancel_an_upload_job_through_the_api_and_the_button(client: TestClient) -> None:
    news = client.app.state.newsroom
    import threading

    gate = threading.Event()
    blocker = news.jobs.submit("check", "blocker", lambda p: {"ok": gate.wait(10)})
    r = client.post(
        "/api/documents", files={"files": ("a.txt", b"Refugees crossed the border in 2021.")}, headers=auth()
    )
    job_id = r.json()["job"]
    r = client.post(f"/api/jobs/{job_id}/cancel", headers=auth())
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["error"].startswith("JobCancelled")
    assert client.post(f"/api/jobs/{job_id}/cancel").status_code == 401
    assert client.post("/api/jobs/nope/cancel", headers=auth()).status_code == 404
    csrf = login(client)
    r = client.post(
        "/corpus/upload",
        data={"csrf_token": csrf},
        files={"files": ("b.txt", b"Another text about Minsk.")},
        follow_redirects=False,
    )
    page_job = r.headers["location"].split("job=")[1]
    page = client.get(f"/corpus?job={page_job}")
    assert f'action="/jobs/{page_job}/cancel"' in page.text and "Cancel this ingest" in page.text
    r = client.post(f"/jobs/{page_job}/cancel", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and news.jobs.get(page_job).error.startswith("JobCancelled: cancelled by erin")
    assert news.jobs.get(page_job).status == "cancelled"
    page = client.get(f"/corpus?job={page_job}")
    assert 'id="ingest-cancelled"' in page.text and "The ingest was cancelled" in page.text
    gate.set()
    news.jobs.wait(blocker.id)
    assert news.store.stats()["documents"] == 5  # neither upload was ingested


def test_a_full_queue_is_a_503_and_the_check_can_be_rerun(client: TestClient) -> None:
    import threading

    news = client.app.state.newsroom
    news.jobs.max_queued = 1
    gate = threading.Event()
    blocker = news.jobs.submit("check", "blocker", lambda p: {"ok": gate.wait(10)})
    deadline = __import__("time").monotonic() + 5
    while news.jobs.get(blocker.id).status != "running" and __import__("time").monotonic() < deadline:
        __import__("time").sleep(0.01)
    assert client.post("/api/checks", json={"claim": CLAIM}, headers=auth()).status_code == 202
    r = client.post("/api/checks", json={"claim": "UNHCR counted 4.3 million Syrian refugees."}, headers=auth())
    assert r.status_code == 503 and "jobs waiting, its limit: try again in a few minutes" in r.json()["detail"]
    gate.set()
    news.jobs.wait(blocker.id)
    failed = [c for c in news.store.list_checks(status="failed")]
    assert len(failed) == 1 and failed[0]["data"]["claim"]["text"].startswith("UNHCR")
