"""End-to-end: the real server (uvicorn in a thread) driven by Chromium through Playwright.

The desk is built on the fake models so a check takes well under a second. Each main page
is saved as a screenshot (under docs/screenshots/ when FACTDESK_SCREENSHOTS says so).
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_helpers import EDITOR_TOKEN, WEB_CORPUS, add_users, make_desk

from factdesk.app.web import create_app
from factdesk.match.previous import import_checks
from factdesk.types import Document

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
# Screenshots go to a scratch folder so a test run never dirties the checkout; set
# FACTDESK_SCREENSHOTS=docs/screenshots to refresh the ones shown in the README.
SHOTS = Path(os.environ.get("FACTDESK_SCREENSHOTS") or tempfile.mkdtemp(prefix="factdesk-shots-"))
DEMO = REPO / "examples" / "demo_corpus"
# Evidence that carries markup: it must render as text, and no script may run.
EVIL = Document(
    text='The harbour authority said <script>alert("xss")</script> cargo volumes doubled '
    '<img src=x onerror="alert(1)"> in 2019.',
    publisher='<b onmouseover="alert(2)">Evil Press</b>',
    title="<img src=x onerror=alert(3)>",
    published="2020-01-01",
    url="javascript:alert(4)",
)
EVIL_CLAIM = "Harbour cargo volumes doubled in 2019."
# An earlier fact-check of this claim is imported: the submit page must say so before checking.
CHECKED_BEFORE = {
    "claimReviewed": "Lithuania built a fence on its border with Belarus in 2021.",
    "url": "https://factual.example/lithuania-fence",
    "datePublished": "2021-09-02",
    "author": {"@type": "Organization", "name": "Factual Org"},
    "reviewRating": {"alternateName": "True"},
}
GLAZ = (
    "Over the past decade, NATO countries, including EU members led by the United States, "
    "have become a real machine producing refugees on a global scale."
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    desk = make_desk(str(tmp_path_factory.mktemp("web") / "browser.db"), corpus=[EVIL])
    if DEMO.is_dir():  # the demo corpus makes the screenshots look like a real desk
        desk.ingest_paths([DEMO])
    else:
        desk.ingest([Document.from_dict(d.to_dict()) for d in WEB_CORPUS])
    add_users(desk)
    import_checks(desk.store, [CHECKED_BEFORE])
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(desk, secret_key="browser-test"), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _page(browser: Any, width: int = 1200, height: int = 900) -> tuple[Any, list[str]]:
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []

    def on_dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return page, dialogs


def _login(page: Any, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=token]", EDITOR_TOKEN)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base}/desk")


def _published_check(base: str, claim: str, **kw: Any) -> str:
    """Create, approve and publish a check through the API."""
    h = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    with httpx.Client(base_url=base, headers=h, timeout=20) as c:
        cid = c.post("/api/checks", json={"claim": claim, **kw}).json()["id"]
        deadline = time.monotonic() + 20
        while c.get(f"/api/checks/{cid}").json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        if c.get(f"/api/checks/{cid}").json()["status"] == "draft":
            c.post(f"/api/checks/{cid}/approve")
        if c.get(f"/api/checks/{cid}").json()["status"] == "approved":
            c.post(f"/api/checks/{cid}/publish")
    return cid


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_submit_review_publish_and_find_the_jsonld(server: str, browser: Any) -> None:
    page, dialogs = _page(browser)
    _login(page, server)
    page.goto(f"{server}/submit")
    page.fill("textarea[name=claim]", GLAZ)
    page.fill("#claim-form input[name=speaker]", "Anatoly Glaz")
    page.fill("#claim-form input[name=speaker_title]", "Press secretary, Belarus Foreign Ministry")
    page.fill("#claim-form input[name=date]", "2021-12-14")
    _shot(page, "submit")
    page.click("#claim-form button[type=submit]")
    # The page polls the worker and reloads itself when the draft is ready.
    page.wait_for_selector(".verdict .rating")
    assert page.locator(".status").first.inner_text().lower() == "draft"
    assert page.locator(".evidence").count() >= 1
    assert page.locator(".passage mark").count() >= 1  # the claim's words are highlighted
    cid = page.url.rstrip("/").rsplit("/", 1)[1]

    page.click("#change-verdict summary")
    page.select_option("#change-verdict select[name=rating]", "Misleading")
    page.fill(
        "#change-verdict textarea[name=note]",
        "Syria's war and Russia's bombing drove the 2015-16 exodus, as UNHCR and HRW documented.",
    )
    page.click("#change-verdict button[type=submit]")
    page.wait_for_selector("text=Verdict changed")
    assert page.locator(".verdict .rating").inner_text() == "Misleading"
    assert "Syria's war and Russia's bombing drove the 2015-16 exodus" in page.locator("#history").inner_text()
    _shot(page, "factcheck")

    page.click("#approve")
    page.wait_for_selector("text=Approved")
    page.click("#publish")
    page.wait_for_selector("text=Published")

    reader, reader_dialogs = _page(browser)  # an anonymous reader
    reader.goto(f"{server}/checks/{cid}")
    jsonld = json.loads(reader.locator('script[type="application/ld+json"]').text_content())
    assert jsonld["@type"] == "ClaimReview"
    assert jsonld["reviewRating"]["alternateName"] == "Misleading"
    assert jsonld["itemReviewed"]["author"]["name"] == "Anatoly Glaz"
    assert reader.locator("#change-verdict").count() == 0
    _shot(reader, "public")

    _published_check(
        server,
        "Lithuania declared a state of emergency on its border with Belarus.",
        speaker="Ingrida Simonyte",
        speaker_title="Prime Minister of Lithuania",
        date="2021-11-20",
    )
    reader.goto(f"{server}/archive")
    assert reader.locator(f"a[href='/checks/{cid}']").count() == 1
    _shot(reader, "archive")
    assert dialogs == [] and reader_dialogs == []


def test_corpus_upload_shows_progress_then_the_result(server: str, browser: Any) -> None:
    page, _ = _page(browser)
    _login(page, server)
    page.goto(f"{server}/corpus")
    page.set_input_files(
        "input[name=files]",
        files=[
            {
                "name": "lrt-border.txt",
                "mimeType": "text/plain",
                "buffer": b"Lithuania declared a state of emergency on its border with Belarus in November 2021.",
            },
            {"name": "notes.xyz", "mimeType": "application/octet-stream", "buffer": b"not a document"},
        ],
    )
    page.fill("#upload-form input[name=publisher]", "LRT")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#ingest-result")
    text = page.locator("#ingest-result").inner_text()
    assert "1 documents added" in text and "notes.xyz" in text
    page.fill("input[name=q]", "Lithuania emergency")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("text=upload:lrt-border.txt")
    page.goto(f"{server}/corpus")
    _shot(page, "corpus")


def test_script_in_evidence_renders_as_text(server: str, browser: Any) -> None:
    cid = _published_check(server, EVIL_CLAIM)
    page, dialogs = _page(browser)
    page.goto(f"{server}/checks/{cid}")
    evil = page.locator(".passage", has_text='<script>alert("xss")</script>')
    assert evil.count() == 1
    assert "<img src=x onerror" in evil.inner_text()
    page.locator(".publisher", has_text="Evil Press").first.hover()
    assert page.locator("mark", has_text="cargo").count() >= 1
    _login(page, server)
    page.goto(f"{server}/checks/{cid}")
    assert page.locator(".passage", has_text="<script>").count() == 1
    page.goto(f"{server}/checks/{cid}?find=cargo")
    assert page.locator(".found .passage", has_text="<script>").count() == 1
    page.goto(f"{server}/corpus")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_pages_fit_a_375px_phone(server: str, browser: Any) -> None:
    cid = _published_check(
        server,
        "Russia sent its air force to intervene in the Syrian war in 2015.",
        speaker="A. Spokesman",
        date="2021-12-14",
    )
    page, _ = _page(browser, width=375, height=812)
    for path in (f"/checks/{cid}", "/archive"):
        page.goto(server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    _login(page, server)
    for path in ("/submit", f"/checks/{cid}", "/corpus", "/desk"):
        page.goto(server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    page.goto(f"{server}/checks/{cid}")
    _shot(page, "factcheck-375px")


def test_submit_page_says_the_claim_was_checked_before(server: str, browser: Any) -> None:
    page, dialogs = _page(browser)
    _login(page, server)
    page.goto(f"{server}/submit")
    page.fill("textarea[name=claim]", CHECKED_BEFORE["claimReviewed"])
    page.fill("#claim-form input[name=speaker]", "A. Minister")
    page.click("#claim-form button[type=submit]")
    notice = page.locator("#previous-checks")
    notice.wait_for()
    assert "Already checked by Factual Org on September 2, 2021 (rated True)" in notice.inner_text()
    assert notice.locator("a.previous-link").get_attribute("href") == "https://factual.example/lithuania-fence"
    assert page.url == f"{server}/submit"  # nothing queued yet
    assert page.locator("#claim-form input[name=speaker]").input_value() == "A. Minister"
    _shot(page, "submit-checked-before")
    # The JSON API gives the same earlier check.
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {EDITOR_TOKEN}"}, timeout=20) as c:
        (m,) = c.get("/api/previous", params={"claim": CHECKED_BEFORE["claimReviewed"]}).json()["previous"]
    assert (m["publisher"], m["date"], m["rating"], m["link"]) == (
        "Factual Org",
        "2021-09-02",
        "True",
        "https://factual.example/lithuania-fence",
    )
    page.click("#claim-form button[type=submit]")  # "Check it anyway"
    page.wait_for_selector(".verdict .rating")
    assert "/checks/" in page.url
    assert dialogs == []
