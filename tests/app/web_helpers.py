"""Helpers for the web desk tests: a real app over a real SQLite store, with fake models for speed."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from factdesk.app.web import hash_token
from factdesk.match.previous import FactCheckMatcher
from factdesk.pipeline import Desk
from factdesk.store.sqlite import SQLiteStore
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
from factdesk.types import Claim, Document, Evidence, Rating, StanceLabel, Verdict

EDITOR_TOKEN = "editor-token-0123456789"
ADMIN_TOKEN = "admin-token-0123456789"

XSS_TEXT = (
    'Russian air strikes in Syria <script>alert("xss")</script> began in 2015 '
    '<img src=x onerror="alert(1)"> and displaced refugees.'
)

WEB_CORPUS = [
    Document(
        text="Russian warplanes began air strikes in Syria on 30 September 2015.",
        publisher="Reuters",
        title="Russia strikes Syria",
        published="2015-10-01",
        url="https://example.org/a",
    ),
    Document(
        text="UNHCR registered almost 4.3 million Syrian refugees in neighbouring countries.",
        publisher="UNHCR",
        title="Regional plan",
        published="2015-12-18",
        url="https://example.org/b",
    ),
    Document(
        text="The European Union imposed new sanctions on Belarus in November 2021.",
        publisher="Council of the EU",
        title="Sanctions",
        published="2021-11-15",
        url="https://example.org/c",
    ),
    Document(
        text="The football team won its qualifying match on Tuesday.",
        publisher="Sports Desk",
        title="Match report",
        published="2021-10-05",
    ),
    Document(
        text=XSS_TEXT,
        publisher='<b onmouseover="alert(2)">Evil Press</b>',
        title="<img src=x onerror=alert(3)>",
        published="2016-01-01",
        url="javascript:alert(4)",
    ),
]


class TinyAggregator:
    """Refuting evidence wins, then supporting; otherwise Unsubstantiated. Deterministic."""

    def warm_up(self) -> None:
        pass

    def run(self, claim: Claim, evidence: list[Evidence]) -> Verdict:
        labels = [e.stance.label for e in evidence if e.stance]
        if StanceLabel.REFUTES in labels:
            rating, conf = Rating.FALSE, 0.8
        elif StanceLabel.SUPPORTS in labels:
            rating, conf = Rating.TRUE, 0.7
        else:
            rating, conf = Rating.UNSUBSTANTIATED, 0.6
        probs = {r.value: (conf if r == rating else (1 - conf) / 6) for r in Rating}
        return Verdict(rating=rating, confidence=conf, probs=probs, method="tiny")


def make_desk(path: str, corpus: list[Document] | None = None) -> Desk:
    # The matcher decides "same claim" by the fake embedder's cosine (no same-claim model): the
    # web tests test the desk, not the matcher (tests/match does).
    store, embedder = SQLiteStore(path), FakeEmbedder()
    desk = Desk(
        db=path,
        store=store,
        embedder=embedder,
        stance_model=FakeStanceModel(),
        aggregator=TinyAggregator(),
        matcher=FactCheckMatcher(store, embedder, reranker=None),
    )
    docs = WEB_CORPUS if corpus is None else corpus
    if docs:
        desk.ingest([Document.from_dict(d.to_dict()) for d in docs])
    return desk


def add_users(desk: Desk) -> None:
    desk.store.add_user("erin", "editor", hash_token(EDITOR_TOKEN))
    desk.store.add_user("ada", "admin", hash_token(ADMIN_TOKEN))


def auth(token: str = EDITOR_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_status(client: TestClient, check_id: str, timeout: float = 20.0) -> dict[str, Any]:
    """Poll the API until the check leaves queued/running."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/api/checks/{check_id}", headers=auth())
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] not in ("queued", "running"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"check {check_id} still {body['status']} after {timeout} s")
        time.sleep(0.05)


def submit(client: TestClient, claim: str = "Russian air strikes in Syria began in 2015.", **kw: Any) -> dict[str, Any]:
    r = client.post("/api/checks", json={"claim": claim, **kw}, headers=auth())
    assert r.status_code in (200, 202), r.text
    return wait_status(client, r.json()["id"])


def login(client: TestClient, token: str = EDITOR_TOKEN) -> str:
    """Log the client in through the login form; returns the session's CSRF token."""
    import re

    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"token": token, "csrf_token": csrf, "next": "/submit"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/submit")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def served_app() -> Any:
    """An app factory for a real server process (`uvicorn web_helpers:served_app --factory`): the
    fake-model desk over the store named by FACTDESK_DB, the secret key from FACTDESK_SECRET_KEY."""
    import os

    from factdesk.app.web import create_app

    path = os.environ["FACTDESK_DB"]
    return create_app(lambda: make_desk(path, corpus=[]))
