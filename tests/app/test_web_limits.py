"""Hardening of the web desk: bounded editor input, uploads that cannot read the server's files,
and an ingest job that cannot hold the worker. Real app, real SQLite store, fake models."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from web_helpers import auth, login, submit, wait_status

from factdesk.app.web import TEXT_LIMITS
from factdesk.ingest.loaders import load_file
from factdesk.types import Document

CLAIM = "Russian air strikes in Syria began in 2015."


def stalling_loader(path, defaults, *, allow_file_urls=True):
    """load_file, except that files named "stall*" never finish (the reader process imports this)."""
    if path.name.split("-", 1)[-1].startswith("stall"):
        time.sleep(600)
    yield from load_file(path, defaults, allow_file_urls=allow_file_urls)


def test_api_text_caps_are_422_with_the_limit(client: TestClient) -> None:
    cid = submit(client, CLAIM)["id"]
    before = client.get(f"/api/checks/{cid}", headers=auth()).json()["check"]["analysis"]
    r = client.patch(f"/api/checks/{cid}", json={"analysis": "Too long. [1]\n" * 1500}, headers=auth())
    assert r.status_code == 422 and "analysis: String should have at most 20000 characters" in r.json()["detail"]
    r = client.patch(f"/api/checks/{cid}", json={"summary": "x" * 5001}, headers=auth())
    assert r.status_code == 422 and "summary: String should have at most 5000 characters" in r.json()["detail"]
    r = client.post("/api/checks", json={"claim": "x" * 5001}, headers=auth())
    assert r.status_code == 422 and "claim: String should have at most 5000 characters" in r.json()["detail"]
    assert client.get(f"/api/checks/{cid}", headers=auth()).json()["check"]["analysis"] == before


def test_api_whitespace_claim_is_a_400(client: TestClient) -> None:
    r = client.post("/api/checks", json={"claim": "   "}, headers=auth())
    assert r.status_code == 400 and r.json()["detail"] == "the claim is empty: type the words to check"


def test_page_text_caps_match_the_api(client: TestClient) -> None:
    csrf = login(client)
    r = client.post("/submit", data={"claim": "x" * 5001, "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 422 and "the claim is 5,001 characters, over the 5,000 limit: shorten it" in r.text
    r = client.post("/submit", data={"claim": "A" * 4990 + " ends.", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303  # 4,996 characters: under the cap
    cid = submit(client, CLAIM)["id"]
    r = client.post(f"/checks/{cid}/text", data={"analysis": "y" * (TEXT_LIMITS["analysis"] + 1), "csrf_token": csrf})
    assert r.status_code == 422 and "the analysis is 20,001 characters, over the 20,000 limit" in r.text
    r = client.post(f"/checks/{cid}/verdict", data={"rating": "False", "note": "n" * 5001, "csrf_token": csrf})
    assert r.status_code == 422 and "the note is 5,001 characters, over the 5,000 limit" in r.text
    audit = [a["action"] for a in client.app.state.newsroom.store.list_audit(cid)]
    assert audit == ["submitted", "drafted"]  # nothing over a cap was saved


def test_uploaded_url_list_cannot_read_server_files(client: TestClient, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The server's private notes about the border.")
    urls = f"{secret.as_uri()}\nfile:///etc/hostname\n".encode()
    r = client.post("/api/documents", files=[("files", ("list.urls", urls, "text/plain"))], headers=auth())
    assert r.status_code == 202, r.text
    done = client.app.state.newsroom.jobs.wait(r.json()["job"], timeout=60)
    assert done.status == "done", done.error
    assert done.result["documents_added"] == 0
    assert [s.split(": ", 1)[0] for s in done.result["skipped"]] == ["list.urls:1", "list.urls:2"]
    assert all("file:// URLs are refused here" in s for s in done.result["skipped"])
    r = client.get("/api/passages", params={"q": "private notes border"}, headers=auth())
    assert r.status_code == 200 and "private notes" not in r.text


def test_a_stalled_upload_is_cut_off_and_the_desk_keeps_checking(client: TestClient) -> None:
    news = client.app.state.newsroom
    news.ingest_loader, news.ingest_file_seconds = stalling_loader, 1.0
    files = [
        ("files", ("stall.txt", b"Never read.", "text/plain")),
        ("files", ("ok.txt", b"Lithuania declared a state of emergency at the Belarus border in 2021.", "text/plain")),
    ]
    r = client.post("/api/documents", files=files, headers=auth())
    assert r.status_code == 202, r.text
    job = r.json()["job"]
    check = client.post("/api/checks", json={"claim": CLAIM}, headers=auth()).json()["id"]  # queued behind it
    done = news.jobs.wait(job, timeout=90)
    assert done.status == "done", done.error
    assert done.result["documents_added"] == 1
    assert done.result["skipped"] == [
        "stall.txt: reading it made no progress for 1 s: skipped (split it, or convert it to .txt)"
    ]
    assert wait_status(client, check, timeout=60)["status"] == "draft"


def test_an_ingest_job_stops_at_its_time_limit(client: TestClient) -> None:
    news = client.app.state.newsroom
    news.ingest_loader, news.ingest_file_seconds, news.ingest_job_seconds = stalling_loader, 300.0, 2.0
    r = client.post(
        "/api/documents",
        files=[
            ("files", ("stall.txt", b"Never read.", "text/plain")),
            ("files", ("ok.txt", b"Read too late.", "text/plain")),
        ],
        headers=auth(),
    )
    done = news.jobs.wait(r.json()["job"], timeout=90)
    # Files run out of time one by one; the job then fails at its next progress report.
    assert done.status == "failed"
    assert done.error.startswith("JobTimeout: the ingest job stopped at its 2 s time limit")
    assert news.store.list_documents(query="Read too late") == []


def test_upload_with_bad_records_stores_the_good_ones(client: TestClient) -> None:
    jsonl = (
        b'{"text": "Good line about Minsk.", "title": "ok"}\n'
        b'{"text": "Object title.", "title": {"a": 1}}\n'
        b'{"text": "Lone \\ud800 surrogate about Vilnius."}\n'
    )
    r = client.post("/api/documents", files=[("files", ("lines.jsonl", jsonl, "application/json"))], headers=auth())
    done = client.app.state.newsroom.jobs.wait(r.json()["job"], timeout=60)
    assert done.status == "done", done.error
    assert done.result["documents_added"] == 2
    assert done.result["skipped"][0].startswith(
        'lines.jsonl:2: malformed JSONL line ("title" must be a string, not dict)'
    )
    texts = sorted(
        d.text
        for d in client.app.state.newsroom.store.list_documents(limit=100)
        if isinstance(d, Document) and d.source_path == "upload:lines.jsonl"
    )
    assert texts == ["Good line about Minsk.", "Lone \ufffd surrogate about Vilnius."]
