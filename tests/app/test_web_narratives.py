"""The recurring-claims pages (/narratives, /narratives/{id}, /alerts, /documents/{id}) on the example
set (examples/narratives/), built the way tests/narratives/ build it: `factdesk ingest --claims`
with the real claim extractor, `import-checks`, `narratives` (grouping with the real embedder) and
`watch --once` for the alerts. One claim with markup in its text and speaker is added to the store
before grouping: it must render as text everywhere, and never inside an SVG.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_helpers import EDITOR_TOKEN, add_users

from factdesk.app.cli import main
from factdesk.app.web import create_app
from factdesk.pipeline import Desk
from factdesk.store.sqlite import SQLiteStore
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
from factdesk.types import ClaimMention

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "narratives"
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
EVIL_TEXT = 'NATO countries became a machine producing refugees <script>alert("narr")</script>'
EVIL_SPEAKER = '<img src=x onerror="alert(2)">'
NATO = "NATO countries have become a real machine producing refugees"
DIM = 384  # MiniLM's: the CLI's embedder sets the store's dimension

pytestmark = pytest.mark.slow  # the real claim extractor and embedder build the example store


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("narr") / "demo.db")
    r = CliRunner()
    for args in (
        ["ingest", str(DEMO / "sources"), "--claims", "--no-progress", "--db", db],
        ["import-checks", str(DEMO / "checks" / "factcheck-nato-refugees.json"), "--db", db],
    ):
        out = r.invoke(main, args)
        assert out.exit_code == 0, out.output
    store = SQLiteStore(db, dim=DIM)
    doc = next(d for d in store.list_document_summaries(limit=50) if "summit" in (d.title or "").lower())
    store.add_claims(
        [
            ClaimMention(
                doc.id, 0, 20, EVIL_TEXT, speaker=EVIL_SPEAKER, outlet="<b>Evil Outlet</b>", date=dt.date(2026, 3, 20)
            )
        ]
    )
    store.close()
    out = r.invoke(main, ["narratives", "--format", "json", "--db", db])
    assert out.exit_code == 0, out.output
    out = r.invoke(
        main,
        [
            "watch",
            str(DEMO / "sources"),
            "--once",
            "--no-matcher",
            "--alerts",
            str(Path(db).with_suffix(".jsonl")),
            "--db",
            db,
        ],
    )
    assert out.exit_code == 0, out.output
    return db


def _desk(db: str) -> Desk:
    # The pages only read the groups: fake models are enough to serve them.
    return Desk(db=db, store=SQLiteStore(db, dim=DIM), embedder=FakeEmbedder(dim=DIM), stance_model=FakeStanceModel())


def _app(db: str, secret: str = "narr-test") -> Any:
    return create_app(lambda: _desk(db), secret_key=secret, requeue=False)  # each app closes its own desk


@pytest.fixture(scope="module")
def desk(demo_db: str) -> Iterator[Desk]:
    d = _desk(demo_db)
    add_users(d)
    yield d
    d.close()


@pytest.fixture(scope="module")
def client(desk: Desk, demo_db: str) -> Iterator[TestClient]:
    with TestClient(_app(demo_db)) as c:
        r = c.get("/login")
        csrf = re.search(r'name="login_csrf" value="([^"]+)"|name="csrf_token" value="([^"]+)"', r.text)
        assert csrf
        r = c.post(
            "/login",
            data={"token": EDITOR_TOKEN, "csrf_token": csrf.group(1) or csrf.group(2), "next": "/desk"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        yield c


def _nato_id(desk: Desk) -> str:
    return next(g.id for g in desk.store.list_narrative_groups() if g.representative == NATO)


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


def test_the_pages_need_an_editor(desk: Desk, demo_db: str) -> None:
    with TestClient(_app(demo_db)) as anon:
        for path in ("/narratives", f"/narratives/{_nato_id(desk)}", "/alerts"):
            r = anon.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?"), path
        assert 'href="/narratives"' not in anon.get("/archive").text


def test_list_shows_the_nato_group_with_its_speakers_chart_and_rating(client: TestClient, desk: Desk) -> None:
    r = client.get("/narratives")
    assert r.status_code == 200
    nid = _nato_id(desk)
    row = re.search(rf'<li class="card narrative-row" id="{nid}">(.*?)</li>', r.text, flags=re.S)
    assert row, r.text[:2000]
    item = row.group(1)
    assert f'href="/narratives/{nid}"' in item and NATO in item
    assert "Irina Dobos" in item and "Viktor Rusk" in item
    assert ">False</span>" in item and "rising" in item
    (svg,) = _svgs(item)
    assert svg.count("<rect") >= 3  # January to March, one bar a month
    assert "2026-01" in svg and "2026-03" in svg
    assert 'href="/narratives"' in r.text  # the desk's navigation links the page
    assert "/alerts" in r.text


def test_group_page_has_the_timeline_members_check_and_check_this_form(client: TestClient, desk: Desk) -> None:
    nid = _nato_id(desk)
    r = client.get(f"/narratives/{nid}")
    assert r.status_code == 200
    svgs = _svgs(r.text)
    assert len(svgs) == 1 and 'aria-label="claims per week' in svgs[0]
    assert svgs[0].count("<rect") >= 9  # weekly bars from January to March, gaps included
    checks = r.text.split('id="checks"', 1)[1].split('id="members"', 1)[0]
    assert ">False</span>" in checks and "Example Fact Check" in checks
    assert 'href="https://example.org/factcheck/nato-refugee-machine"' in checks
    members = r.text.split('id="members"', 1)[1]
    assert "Irina Dobos" in members and "Ostland State News" in members and "March 3, 2026" in members
    passage = re.search(r'href="(/documents/[0-9a-f]+\?start=\d+&amp;end=\d+#claim)"', members)
    assert passage
    form = r.text.split('id="check-this"', 1)[1].split("</form>", 1)[0]
    assert 'action="/submit"' in r.text and f'name="claim" value="{NATO}"' in form
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf and csrf.group(1)
    # The passage link opens the document with the claim marked.
    doc = client.get(passage.group(1).replace("&amp;", "&").split("#")[0])
    assert doc.status_code == 200 and '<mark id="claim">' in doc.text
    # "Check this claim" goes through the submit flow: it finds the earlier check first.
    sub = client.post("/submit", data={"csrf_token": csrf.group(1), "claim": NATO}, follow_redirects=False)
    assert sub.status_code == 200 and "nato-refugee-machine" in sub.text
    assert client.post("/submit", data={"csrf_token": "forged", "claim": NATO}).status_code == 403


def test_markup_in_a_claim_renders_as_text_and_never_in_svg(client: TestClient, desk: Desk) -> None:
    member = next(m for m in desk.store.list_narrative_members() if m.text == EVIL_TEXT)
    for path in (f"/narratives/{member.narrative_id}", "/narratives?min_size=1", "/alerts"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "<script>alert" not in r.text and "<img src=x" not in r.text and "<b>Evil" not in r.text, path
        for svg in _svgs(r.text):
            assert "script" not in svg and "NATO" not in svg and "<text" in svg, path
    page = client.get(f"/narratives/{member.narrative_id}").text
    assert "&lt;script&gt;alert(&#34;narr&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page


def test_alerts_show_the_repeated_checked_claim(client: TestClient) -> None:
    r = client.get("/alerts")
    assert r.status_code == 200
    assert "repeats-checked" in r.text and "Irina Dobos" in r.text and ">False</span>" in r.text
    assert client.get("/alerts?limit=1").text.count('class="card alert"') == 1


@pytest.mark.parametrize(
    "path,status",
    [
        ("/narratives/n-000000000000", 404),
        ("/narratives/" + "x" * 500, 404),
        ("/narratives/%3Cscript%3E", 404),
        ("/narratives?since=2026-02-30", 400),
        ("/narratives?since=soon", 400),
        ("/narratives?min_size=abc", 400),
        ("/narratives?min_size=0", 400),
        ("/narratives?since=2026-03-01&until=2026-01-01", 400),
        ("/alerts?limit=-1", 400),
        ("/alerts?limit=x", 400),
        ("/documents/nope", 404),
        ("/documents/{doc}?start=5", 400),
        ("/documents/{doc}?start=x&end=3", 400),
        ("/documents/{doc}?start=0&end=999999", 400),
        ("/documents/{doc}?start=9&end=3", 400),
    ],
)
def test_bad_ids_and_params_are_4xx_pages(client: TestClient, desk: Desk, path: str, status: int) -> None:
    doc = desk.store.list_document_summaries(limit=1)[0].id
    r = client.get(path.replace("{doc}", doc))
    assert r.status_code == status, (path, r.text[:500])
    assert "<script>" not in r.text and "text/html" in r.headers["content-type"]


def test_filters_narrow_the_list(client: TestClient) -> None:
    everything = client.get("/narratives?min_size=1").text.count('class="card narrative-row"')
    march = client.get("/narratives?min_size=1&since=2026-03-01&until=2026-03-31").text
    assert 0 < march.count('class="card narrative-row"') < everything
    assert NATO in march


# --- in a real browser, wide and narrow --------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(desk: Desk, demo_db: str) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(_app(demo_db, "narr-browser"), host="127.0.0.1", port=port, log_level="warning")
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


@pytest.mark.integration
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)")
def test_list_and_group_pages_in_chromium_at_1280_and_375(server: str, desk: Desk) -> None:
    from playwright.sync_api import sync_playwright

    nid = _nato_id(desk)
    evil = next(m.narrative_id for m in desk.store.list_narrative_members() if m.text == EVIL_TEXT)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for width in (1280, 375):
                ctx = browser.new_context(viewport={"width": width, "height": 800})
                page: Any = ctx.new_page()
                page.set_default_timeout(20_000)
                dialogs: list[str] = []
                page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
                page.goto(f"{server}/login")
                page.fill("input[name=token]", EDITOR_TOKEN)
                page.click("form[action='/login'] button[type=submit]")
                page.wait_for_url(f"{server}/desk")
                page.click("nav a[href='/narratives']")
                page.wait_for_url(f"{server}/narratives")
                row = page.locator(f"li.narrative-row[id='{nid}']")
                assert "Irina Dobos" in row.inner_text()
                box = row.locator("svg").bounding_box()
                assert box and box["width"] > 50 and box["height"] > 5
                for path in ("/narratives", f"/narratives/{nid}", f"/narratives/{evil}", "/alerts"):
                    page.goto(server + path)
                    overflow = page.evaluate("document.scrollingElement.scrollWidth")
                    if width == 375:
                        assert overflow <= 375 + 1, (path, overflow)
                page.goto(f"{server}/narratives/{nid}")
                assert page.locator("#timeline svg rect").count() >= 9
                assert page.locator("#checks .badge").first.inner_text() == "False"
                page.click("#check-this button[type=submit]")
                page.wait_for_url(f"{server}/submit")
                assert "nato-refugee-machine" in page.content()
                assert dialogs == []  # no script from a claim ran
                ctx.close()
        finally:
            browser.close()
