"""The HTML pages through TestClient: login, CSRF, editor actions, escaping, HTML errors."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import ADMIN_TOKEN, EDITOR_TOKEN, XSS_TEXT, auth, login, submit, wait_status

from factdesk.app.web import Signer, highlight, text_to_sentences
from factdesk.errors import InputError

CLAIM = "Russian air strikes in Syria began in 2015."


def test_pages_need_a_login_but_archive_is_public(client: TestClient) -> None:
    r = client.get("/submit", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fsubmit")
    assert client.get("/archive").status_code == 200
    assert client.get("/corpus", follow_redirects=False).status_code == 303


def test_login_needs_a_known_token_and_the_form_csrf(client: TestClient) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/login", data={"token": EDITOR_TOKEN, "csrf_token": "forged"}).status_code == 403
    r = client.post("/login", data={"token": "nope", "csrf_token": csrf})
    assert r.status_code == 401 and "not recognised" in r.text
    login(client)
    assert client.get("/submit").status_code == 200


def test_login_redirects_only_to_this_site(client: TestClient) -> None:
    page = client.get("/login", params={"next": "//evil.example/x"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/login",
        data={"token": EDITOR_TOKEN, "csrf_token": csrf, "next": "https://evil.example"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/desk"


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    login(client)
    r = client.post("/submit", data={"claim": CLAIM})
    assert r.status_code == 403 and "reload the page" in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_editor_flow_through_the_pages(client: TestClient) -> None:
    csrf = login(client)
    r = client.post(
        "/submit",
        data={"claim": CLAIM, "speaker": "A. Minister", "date": "2021-12-14", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cid = r.headers["location"].rsplit("/", 1)[1]
    assert wait_status(client, cid)["status"] == "draft"
    page = client.get(f"/checks/{cid}")
    assert "calibrated confidence 70%" in page.text and 'id="approve"' in page.text
    r = client.post(f"/checks/{cid}/verdict", data={"rating": "Misleading", "note": "", "csrf_token": csrf})
    assert r.status_code == 400 and "needs a note" in r.text
    r = client.post(
        f"/checks/{cid}/verdict", data={"rating": "Misleading", "note": "Began in <b>September</b>", "csrf_token": csrf}
    )
    assert r.status_code == 200 and "Verdict changed" in r.text
    assert "Began in &lt;b&gt;September&lt;/b&gt;" in r.text  # the note is shown in the history, escaped
    r = client.post(
        f"/checks/{cid}/text",
        data={
            "headline": "Minister Misleads on Syria",
            "summary": "Short. [1]",
            "analysis": "Reuters dated it. [1]",
            "csrf_token": csrf,
        },
    )
    assert "Minister Misleads on Syria" in r.text
    check = client.get(f"/api/checks/{cid}", headers=auth()).json()["check"]
    pid = [e["passage_id"] for e in check["evidence"] if e["publisher"] == "Sports Desk"][0]
    r = client.post(f"/checks/{cid}/evidence/remove", data={"passage_id": pid, "note": "off topic", "csrf_token": csrf})
    assert "Evidence removed" in r.text and "Sports Desk" not in r.text
    r = client.get(f"/checks/{cid}", params={"find": "football"})
    assert re.search(rf'name="passage_id" value="{pid}">\s*<input type="text" name="note" placeholder="Why add', r.text)
    r = client.post(f"/checks/{cid}/evidence/add", data={"passage_id": pid, "csrf_token": csrf})
    assert "Evidence added" in r.text and "Sports Desk" in r.text
    assert client.post(f"/checks/{cid}/publish", data={"csrf_token": csrf}).status_code == 409
    client.post(f"/checks/{cid}/approve", data={"csrf_token": csrf})
    r = client.post(f"/checks/{cid}/publish", data={"csrf_token": csrf})
    assert "Published" in r.text and "application/ld+json" in r.text
    client.cookies.clear()
    public = client.get(f"/checks/{cid}")
    assert public.status_code == 200 and "Minister Misleads on Syria" in public.text
    assert "Change the verdict" not in public.text and "Misleading" in public.text
    archive = client.get("/archive", params={"q": "Syria"})
    assert f"/checks/{cid}" in archive.text


def test_evidence_markup_is_escaped_everywhere(client: TestClient) -> None:
    cid = submit(client, CLAIM)["id"]
    client.post(f"/api/checks/{cid}/approve", headers=auth())
    client.post(f"/api/checks/{cid}/publish", headers=auth())
    pages = [client.get(f"/checks/{cid}").text]
    login(client)
    pages += [
        client.get(f"/checks/{cid}").text,
        client.get("/corpus").text,
        client.get(f"/checks/{cid}", params={"find": "strikes"}).text,
    ]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in pages[0] or "&lt;script&gt;alert" in pages[0]


def test_crafted_flash_messages_are_not_shown(client: TestClient) -> None:
    login(client)
    assert "Send money" not in client.get("/desk", params={"msg": "Send money"}).text
    assert "Published" in client.get("/desk", params={"msg": "Published"}).text


def test_article_option_is_hidden_without_an_extractor(client: TestClient, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "factdesk.claims.extract" else real(name, *a)
    )
    login(client)
    page = client.get("/submit").text
    assert 'id="article-unavailable"' in page and 'id="article-form"' not in page
    r = client.post("/api/articles/claims", json={"text": "Some article."}, headers=auth())
    assert r.status_code == 501 and "submit single claims" in r.json()["detail"]


def test_admin_can_unpublish_from_the_page(client: TestClient) -> None:
    cid = submit(client, CLAIM)["id"]
    client.post(f"/api/checks/{cid}/approve", headers=auth())
    client.post(f"/api/checks/{cid}/publish", headers=auth())
    csrf = login(client, EDITOR_TOKEN)
    assert client.post(f"/checks/{cid}/unpublish", data={"csrf_token": csrf}).status_code == 403
    client.cookies.clear()
    csrf = login(client, ADMIN_TOKEN)
    assert "Unpublished" in client.post(f"/checks/{cid}/unpublish", data={"csrf_token": csrf}).text


def test_html_errors_for_the_browser(client: TestClient) -> None:
    r = client.get("/checks/does-not-exist")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "no published fact-check" in r.text
    r = client.get("/archive", params={"since": "last week"})
    assert r.status_code == 400 and "YYYY-MM-DD" in r.text


def test_highlight_escapes_before_marking() -> None:
    out = str(highlight('<script>alert("Syria")</script> refugees &amp; lt', "Syria refugees lt amp"))
    assert out == (
        "&lt;script&gt;alert(&#34;<mark>Syria</mark>&#34;)&lt;/script&gt; <mark>refugees</mark> "
        "&amp;<mark>amp</mark>; <mark>lt</mark>"
    )
    assert "<script" not in str(highlight(XSS_TEXT, "strikes"))


def test_text_to_sentences_checks_citations() -> None:
    s = text_to_sentences("One. [1][2]\n\n Two [2]", 2, "analysis")
    assert [(x.text, x.citations) for x in s] == [("One.", [1, 2]), ("Two", [2])]
    with pytest.raises(InputError, match=r"\[3\]"):
        text_to_sentences("Three [3]", 2, "analysis")


def test_signed_sessions_reject_tampering() -> None:
    s = Signer("k")
    v = s.sign({"th": "abc"}, 60)
    assert s.unsign(v)["th"] == "abc"
    assert s.unsign(v[:-1] + ("0" if v[-1] != "0" else "1")) is None
    assert Signer("other").unsign(v) is None
    assert s.unsign(s.sign({"th": "abc"}, -1)) is None


def test_pick_claims_from_an_article(web) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from factdesk.types import Claim

    class Extractor:
        def warm_up(self) -> None:
            pass

        def run(self, text: str, doc_date=None, source=None):
            return [
                SimpleNamespace(claim=Claim(text=s.strip()), score=0.9 - i / 10)
                for i, s in enumerate(text.split("."))
                if s.strip()
            ]

    with web(extractor_factory=Extractor) as c:
        csrf = login(c)
        assert 'id="article-form"' in c.get("/submit").text
        r = c.post(
            "/submit/article",
            data={"csrf_token": csrf, "speaker": "HRW", "date": "2016-12-20"},
            files={
                "file": ("article.txt", b"Russian air strikes hit Aleppo in 2016. Refugees fled Syria.", "text/plain")
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        job_id = r.headers["location"].rsplit("/", 1)[1]
        assert c.app.state.newsroom.jobs.wait(job_id).status == "done"
        page = c.get(f"/submit/article/{job_id}").text
        assert "Russian air strikes hit Aleppo in 2016" in page and "Refugees fled Syria" in page
        r = c.post(f"/submit/article/{job_id}", data={"csrf_token": csrf, "pick": ["1"]})
        assert "1 claims queued" in r.text and "Refugees fled Syria" in r.text
        rows = c.get("/api/checks", headers=auth()).json()
        assert [(x["claim"], x["speaker"], x["date"]) for x in rows] == [("Refugees fled Syria", "HRW", "2016-12-20")]


def test_oversized_form_gets_an_html_413(client: TestClient) -> None:
    csrf = login(client)
    r = client.post("/submit", data={"claim": "x" * (2 * 1024 * 1024), "csrf_token": csrf})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html") and "2 MB" in r.text


def test_submit_page_tells_of_an_earlier_check_before_running_one(client: TestClient) -> None:
    from factdesk.match.previous import import_checks

    claim = "Russian air strikes in Syria began in 2015."
    import_checks(
        client.app.state.newsroom.store,
        [
            {
                "claimReviewed": claim,
                "url": "https://factual.example/strikes",
                "datePublished": "2016-01-05",
                "author": {"@type": "Organization", "name": "Factual <Org>"},
                "reviewRating": {"alternateName": "True"},
            }
        ],
    )
    csrf = login(client)
    r = client.post(
        "/submit", data={"claim": claim, "speaker": "A. Minister", "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 200  # no check yet: the editor is told first
    notice = r.text[r.text.index('id="previous-checks"') : r.text.index('id="claim-form"')]
    assert "Already checked by Factual &lt;Org&gt; on January 5, 2016 (rated True)" in notice
    assert 'href="https://factual.example/strikes"' in notice
    assert 'name="confirm" value="1"' in r.text and "Check it anyway" in r.text
    assert f">{claim}</textarea>" in r.text and 'value="A. Minister"' in r.text  # the form keeps what was typed
    assert client.get("/api/checks", headers={"Authorization": f"Bearer {EDITOR_TOKEN}"}).json() == []
    r = client.post(
        "/submit",
        data={"claim": claim, "speaker": "A. Minister", "confirm": "1", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/checks/")
    # A claim nobody has checked goes straight to the check.
    r = client.post(
        "/submit", data={"claim": "Minsk hosted a football final in 2021.", "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    r = client.post("/submit", data={"claim": "   ", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 400 and "the claim is empty" in r.text


REPORTED_SPEECH = """Ministry blames neighbours for border crisis

On March 3, the state agency Norpress quoted Irena Volkova, head of communications for the Interior Ministry.

Volkova claimed that neighbouring states are mostly responsible for the migrants gathering at the border.
"""


@pytest.mark.slow
def test_claim_box_marks_a_paraphrase_and_says_where_the_date_came_from(web) -> None:  # type: ignore[no-untyped-def]
    """Reported speech picked from an article is boxed as the speaker's claim, marked as a
    paraphrase, never in the reporter's words ("Volkova claimed that"); the date line says
    where the date came from. The real extractor (spaCy) with a flat check-worthiness score."""
    import numpy as np

    from factdesk.claims.extract import ClaimExtractor

    class Flat:
        def warm_up(self) -> None:
            pass

        def score(self, sentences):
            return np.full(len(sentences), 0.9, dtype=np.float32)

    with web(extractor_factory=lambda: ClaimExtractor(scorer=Flat())) as c:
        csrf = login(c)
        r = c.post(
            "/submit/article",
            data={"csrf_token": csrf, "text": REPORTED_SPEECH, "date": "2023-05-01"},
            follow_redirects=False,
        )
        job_id = r.headers["location"].rsplit("/", 1)[1]
        done = c.app.state.newsroom.jobs.wait(job_id, timeout=120)
        assert done.status == "done", done.error
        found = done.result["claims"]
        pick = [i for i, x in enumerate(found) if x["speaker"] == "Irena Volkova"]
        assert len(pick) == 1 and found[pick[0]]["paraphrase"] and found[pick[0]]["quote"] is None
        c.post(f"/submit/article/{job_id}", data={"csrf_token": csrf, "pick": [str(pick[0])]})
        cid = c.get("/api/checks", headers=auth()).json()[0]["id"]
        assert wait_status(c, cid)["status"] == "draft"
        c.post(f"/api/checks/{cid}/approve", headers=auth())
        c.post(f"/api/checks/{cid}/publish", headers=auth())
        editor = c.get(f"/checks/{cid}").text
        c.cookies.clear()
        public = c.get(f"/checks/{cid}").text
        for page in (editor, public):
            box = page[page.index('class="claim-box"') :]
            box = box[: box.index("</section>")]
            assert 'aria-label="Claim (paraphrase)"' in box and ">Claim (paraphrase)</p>" in box
            assert "Paraphrase of the speaker's words, as reported." in box
            assert "neighbouring states are mostly responsible for the migrants" in box.lower()
            assert "claimed that" not in box and "Volkova claimed" not in page
            assert "Irena Volkova" in box and "head of communications for the Interior Ministry" in box
            # Dated by "On March 3" next to the speaker's name, in the year of the article.
            assert "Date: March 3, 2023 (from the text, where it dates this speaker&#39;s words)" in box


def test_a_direct_quote_is_boxed_as_the_claim_without_the_paraphrase_note(client: TestClient) -> None:
    from factdesk.types import Claim

    news = client.app.state.newsroom
    claim = Claim(
        text="Neighbouring states are responsible for the migrants.",
        speaker="Irena Volkova",
        quote="Our <neighbours> are responsible for every migrant at the border.",
        date="2023-03-03",
        date_source="dateline",
        paraphrase=False,
    )
    cid, _ = news.submit(claim, "erin")
    assert wait_status(client, cid)["status"] == "draft"
    login(client)
    page = client.get(f"/checks/{cid}").text
    box = page[page.index('class="claim-box"') :]
    box = box[: box.index("</section>")]
    assert 'aria-label="Claim"' in box and "paraphrase" not in box.lower()
    assert "“Our &lt;neighbours&gt; are responsible for every migrant at the border.”" in box  # escaped
    assert "Date: March 3, 2023 (from the text&#39;s dateline)" in box


def test_published_pages_name_the_configured_organization(tmp_path, monkeypatch) -> None:
    """create_app reads the `organization` setting once; the public page's JSON-LD and
    /api/.../claimreview name it as the ClaimReview author (escaped inside the script)."""
    import json

    from web_helpers import add_users, make_desk

    from factdesk.app.web import create_app

    monkeypatch.delenv("FACTDESK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no factdesk.toml from the working directory
    monkeypatch.setenv("FACTDESK_ORGANIZATION", "Norland <Fact> Desk")
    desk = make_desk(str(tmp_path / "org.db"))
    add_users(desk)
    app = create_app(desk, secret_key="s")
    monkeypatch.setenv("FACTDESK_ORGANIZATION", "Changed Later")  # read once, at create_app
    with TestClient(app) as c:
        cid = submit(c, CLAIM)["id"]
        c.post(f"/api/checks/{cid}/approve", headers=auth())
        c.post(f"/api/checks/{cid}/publish", headers=auth())
        page = c.get(f"/checks/{cid}").text
        script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert script is not None and "<Fact>" not in script.group(1)
        data = json.loads(script.group(1))
        assert data["@type"] == "ClaimReview"
        assert data["author"] == {"@type": "Organization", "name": "Norland <Fact> Desk"}
        review = c.get(f"/api/checks/{cid}/claimreview").json()
        assert review["author"]["name"] == "Norland <Fact> Desk"
