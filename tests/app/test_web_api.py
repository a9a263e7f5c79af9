"""The JSON API with the real app and a real SQLite store (fake models for speed)."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from web_helpers import ADMIN_TOKEN, EDITOR_TOKEN, auth, submit, wait_status

from factdesk.types import FactCheck

CLAIM = "Russian air strikes in Syria began in 2015."


def test_health_is_public(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["store"]["documents"] == 5


def test_writes_need_a_bearer_token(client: TestClient) -> None:
    r = client.post("/api/checks", json={"claim": CLAIM})
    assert r.status_code == 401
    assert "factdesk user add" in r.json()["detail"]
    r = client.post("/api/checks", json={"claim": CLAIM}, headers=auth("wrong"))
    assert r.status_code == 401
    assert "not recognised" in r.json()["detail"]


def test_submit_runs_in_the_background_to_a_draft(client: TestClient) -> None:
    r = client.post(
        "/api/checks",
        json={"claim": CLAIM, "speaker": "A. Minister", "speaker_title": "Minister", "date": "2021-12-14"},
        headers=auth(),
    )
    assert r.status_code == 202
    cid = r.json()["id"]
    body = wait_status(client, cid)
    assert body["status"] == "draft"
    check = body["check"]
    # The same JSON as `factdesk check --format json`: a FactCheck.to_dict() that round-trips.
    assert check == FactCheck.from_dict(check).to_dict()
    assert check["claim"]["speaker"] == "A. Minister"
    assert check["verdict"] == "True"
    assert {e["publisher"] for e in check["evidence"]} >= {"Reuters"}
    # Submitting the same claim again returns the same check.
    again = client.post(
        "/api/checks",
        json={"claim": CLAIM, "speaker": "A. Minister", "speaker_title": "Minister", "date": "2021-12-14"},
        headers=auth(),
    )
    assert again.status_code == 200 and again.json() == {
        "id": cid,
        "status": "draft",
        "created": False,
        "url": f"/checks/{cid}",
        "previous": [],
    }


def test_bad_input_is_a_clear_4xx(client: TestClient) -> None:
    r = client.post("/api/checks", json={"claim": ""}, headers=auth())
    assert r.status_code == 422 and "claim" in r.json()["detail"]
    r = client.post("/api/checks", json={"claim": "x", "date": "yesterday"}, headers=auth())
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["detail"]
    r = client.get("/api/checks/nope", headers=auth())
    assert r.status_code == 404 and "no fact-check" in r.json()["detail"]
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")


def test_unpublished_checks_are_not_public(client: TestClient) -> None:
    cid = submit(client, CLAIM)["id"]
    assert client.get(f"/api/checks/{cid}").status_code == 404
    assert client.get(f"/checks/{cid}").status_code == 404
    assert client.get(f"/api/checks/{cid}/claimreview").status_code == 404


def test_verdict_change_needs_a_note_and_is_audited(client: TestClient) -> None:
    cid = submit(client, CLAIM)["id"]
    r = client.patch(f"/api/checks/{cid}", json={"rating": "Misleading"}, headers=auth())
    assert r.status_code == 400 and "note" in r.json()["detail"]
    r = client.patch(f"/api/checks/{cid}", json={"rating": "Nonsense", "note": "x"}, headers=auth())
    assert r.status_code == 422 and "Misleading" in r.json()["detail"]
    r = client.patch(
        f"/api/checks/{cid}", json={"rating": "Misleading", "note": "Strikes began in September 2015."}, headers=auth()
    )
    assert r.status_code == 200, r.text
    check = r.json()["check"]
    assert check["verdict"] == "Misleading"
    assert check["verdict_detail"]["method"] == "editor"
    assert "Mislead" in check["headline"]  # the headline follows the verdict until edited by hand
    audit = client.get(f"/api/checks/{cid}/audit", headers=auth()).json()
    change = [a for a in audit if a["action"] == "changed verdict"][0]
    assert change["user"] == "erin" and change["note"] == "Strikes began in September 2015."
    assert change["detail"] == {"from": "True", "to": "Misleading"}


def test_remove_evidence_renumbers_citations(client: TestClient) -> None:
    body = submit(client, CLAIM)
    cid, check = body["id"], body["check"]
    first = check["evidence"][0]["passage_id"]
    n_before = len(check["evidence"])
    r = client.patch(f"/api/checks/{cid}", json={"remove_evidence": [first], "note": "off topic"}, headers=auth())
    assert r.status_code == 200, r.text
    after = r.json()["check"]
    assert len(after["evidence"]) == n_before - 1
    assert first not in {e["passage_id"] for e in after["evidence"]}
    for s in after["summary"] + after["analysis"]:
        assert all(1 <= n <= len(after["evidence"]) for n in s["citations"])
    r = client.patch(f"/api/checks/{cid}", json={"remove_evidence": ["missing"]}, headers=auth())
    assert r.status_code == 404


def test_add_evidence_from_a_corpus_search(client: TestClient) -> None:
    body = submit(client, "The EU imposed sanctions on Belarus.", top_k=1)
    cid = body["id"]
    hits = client.get("/api/passages", params={"q": "football qualifying"}, headers=auth()).json()
    assert hits[0]["publisher"] == "Sports Desk"
    r = client.patch(
        f"/api/checks/{cid}", json={"add_evidence": [hits[0]["passage_id"]], "note": "context"}, headers=auth()
    )
    assert r.status_code == 200, r.text
    ev = r.json()["check"]["evidence"]
    assert ev[-1]["passage_id"] == hits[0]["passage_id"] and ev[-1]["stance"] is not None
    r = client.patch(f"/api/checks/{cid}", json={"add_evidence": [hits[0]["passage_id"]]}, headers=auth())
    assert r.status_code == 400 and "already" in r.json()["detail"]


def test_edit_analysis_with_citations(client: TestClient) -> None:
    body = submit(client, CLAIM)
    cid, n = body["id"], len(body["check"]["evidence"])
    r = client.patch(
        f"/api/checks/{cid}", json={"analysis": "Reuters dated the first strikes. [1]\nSee also [2]."}, headers=auth()
    )
    assert r.status_code == 200
    analysis = r.json()["check"]["analysis"]
    assert [(s["text"], s["citations"]) for s in analysis] == [
        ("Reuters dated the first strikes.", [1]),
        ("See also .", [2]),
    ]
    r = client.patch(f"/api/checks/{cid}", json={"analysis": f"Wrong source [{n + 1}]"}, headers=auth())
    assert r.status_code == 400 and f"[{n + 1}]" in r.json()["detail"]
    r = client.patch(f"/api/checks/{cid}", json={}, headers=auth())
    assert r.status_code == 400 and "nothing to change" in r.json()["detail"]


def test_publish_needs_approval_then_is_public_with_claimreview(client: TestClient) -> None:
    cid = submit(client, CLAIM, speaker="A. Minister", date="2021-12-14")["id"]
    r = client.post(f"/api/checks/{cid}/publish", headers=auth())
    assert r.status_code == 409 and "approve it first" in r.json()["detail"]
    assert client.post(f"/api/checks/{cid}/approve", headers=auth()).json()["status"] == "approved"
    r = client.post(f"/api/checks/{cid}/publish", headers=auth())
    assert r.status_code == 200 and r.json()["status"] == "published"
    public = client.get(f"/api/checks/{cid}")
    assert public.status_code == 200 and public.json()["check"]["id"] == cid
    cr = client.get(f"/api/checks/{cid}/claimreview").json()
    assert cr["@type"] == "ClaimReview" and cr["claimReviewed"] == CLAIM
    assert cr["url"].endswith(f"/checks/{cid}")
    page = client.get(f"/checks/{cid}")
    assert page.status_code == 200
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    assert m and json.loads(m.group(1))["reviewRating"]["alternateName"] == "True"


def test_unpublish_is_for_admins(client: TestClient) -> None:
    cid = submit(client, CLAIM)["id"]
    client.post(f"/api/checks/{cid}/approve", headers=auth())
    client.post(f"/api/checks/{cid}/publish", headers=auth())
    assert client.post(f"/api/checks/{cid}/unpublish", headers=auth(EDITOR_TOKEN)).status_code == 403
    r = client.post(f"/api/checks/{cid}/unpublish", headers=auth(ADMIN_TOKEN))
    assert r.status_code == 200 and r.json()["status"] == "draft"


def test_archive_search_and_filters(client: TestClient) -> None:
    ids = []
    for claim, speaker, date in [
        (CLAIM, "A. Minister", "2021-12-14"),
        ("The EU did not impose sanctions on Belarus in 2021.", "B. Spokes", "2022-01-10"),
        ("The football team won its match.", "C. Coach", "2021-10-06"),
    ]:
        cid = submit(client, claim, speaker=speaker, date=date)["id"]
        client.post(f"/api/checks/{cid}/approve", headers=auth())
        client.post(f"/api/checks/{cid}/publish", headers=auth())
        ids.append(cid)
    draft = submit(client, "Refugees fled Aleppo in 2016.")["id"]

    def archive(**params: str) -> list[str]:
        r = client.get("/api/archive", params=params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()]

    assert set(archive()) == set(ids) and draft not in archive()
    assert archive(q="sanctions Belarus") == [ids[1]]
    assert archive(speaker="minister") == [ids[0]]
    assert set(archive(rating="False")) == {ids[1]}
    assert archive(since="2022-01-01") == [ids[1]]
    assert archive(until="2021-10-31") == [ids[2]]
    assert archive(q="Belarus sanctions imposed by the EU", mode="semantic")[0] == ids[1]
    r = client.get("/api/archive", params={"rating": "Maybe"})
    assert r.status_code == 400 and "Likely True" in r.json()["detail"]


def test_upload_and_ingest_documents(client: TestClient) -> None:
    files = [
        (
            "files",
            ("lithuania.txt", b"Lithuania declared a state of emergency at the Belarus border in 2021.", "text/plain"),
        ),
        ("files", ("notes.docx", b"binary", "application/octet-stream")),
    ]
    r = client.post("/api/documents", files=files, data={"publisher": "LRT", "date": "2021-11-10"})
    assert r.status_code == 401
    r = client.post("/api/documents", files=files, data={"publisher": "LRT", "date": "2021-11-10"}, headers=auth())
    assert r.status_code == 202, r.text
    job = r.json()["job"]
    app = client.app
    done = app.state.newsroom.jobs.wait(job, timeout=20)
    assert done.status == "done", done.error
    assert done.result["documents_added"] == 1
    assert any("notes.docx" in s and "unknown extension" in s for s in done.result["skipped"])
    assert client.get(f"/api/jobs/{job}", headers=auth()).json()["status"] == "done"
    docs = client.get("/api/documents", params={"q": "Lithuania emergency"}, headers=auth()).json()["documents"]
    assert docs[0]["publisher"] == "LRT" and docs[0]["source_path"] == "upload:lithuania.txt"


def test_request_size_limits(client: TestClient) -> None:
    big = json.dumps({"claim": "x" * (2 * 1024 * 1024 + 10)})
    r = client.post("/api/checks", content=big, headers={**auth(), "content-type": "application/json"})
    assert r.status_code == 413 and "2 MB" in r.json()["detail"]

    def chunks():  # no Content-Length: the limit still holds
        for _ in range(3):
            yield b"x" * (1024 * 1024)

    r = client.post("/api/checks", content=chunks(), headers={**auth(), "content-type": "application/json"})
    assert r.status_code == 413
    r = client.post(
        "/api/documents",
        headers={**auth(), "content-type": "multipart/form-data; boundary=x", "content-length": str(21 * 1024 * 1024)},
        content=b"",
    )
    assert r.status_code == 413 and "20 MB" in r.json()["detail"]


def test_failed_check_says_what_to_do_and_can_rerun(demo_desk, web) -> None:  # type: ignore[no-untyped-def]
    desk = demo_desk(corpus=[])
    with web(desk) as c:
        r = c.post("/api/checks", json={"claim": CLAIM}, headers=auth())
        body = wait_status(c, r.json()["id"])
        assert body["status"] == "failed" and "Corpus page" in body["error"]
        desk.ingest(
            [
                __import__("factdesk.types", fromlist=["Document"]).Document(
                    text="Russian air strikes in Syria began in September 2015.", publisher="AP", published="2015-10-02"
                )
            ]
        )
        assert c.post(f"/api/checks/{body['id']}/rerun", headers=auth()).status_code == 200
        assert wait_status(c, body["id"])["status"] == "draft"


def test_claims_from_an_article_with_an_injected_extractor(web) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from factdesk.types import Claim

    class Extractor:
        def warm_up(self) -> None:
            pass

        def run(self, text: str, doc_date=None, source=None):
            return [
                SimpleNamespace(claim=Claim(text=s.strip(), date=doc_date), score=1.0 / (i + 1))
                for i, s in enumerate(text.split("."))
                if s.strip()
            ]

    with web(extractor_factory=Extractor) as c:
        r = c.post(
            "/api/articles/claims",
            json={"text": "Russia bombed Aleppo in 2016. Refugees fled.", "date": "2016-12-20", "speaker": "HRW"},
            headers=auth(),
        )
        assert r.status_code == 202
        job = c.app.state.newsroom.jobs.wait(r.json()["job"])
        claims = job.result["claims"]
        assert [x["text"] for x in claims] == ["Russia bombed Aleppo in 2016", "Refugees fled"]
        assert claims[0]["speaker"] == "HRW" and claims[0]["date"] == "2016-12-20"


def test_openapi_covers_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/api/checks",
        "/api/checks/{check_id}",
        "/api/checks/{check_id}/publish",
        "/api/archive",
        "/api/documents",
        "/checks/{check_id}",
    ):
        assert p in paths, p
    assert "patch" in paths["/api/checks/{check_id}"]


def _import_earlier_check(client: TestClient) -> None:
    from factdesk.match.previous import import_checks

    import_checks(
        client.app.state.newsroom.store,
        [
            {
                "claimReviewed": CLAIM,
                "url": "https://factual.example/strikes",
                "datePublished": "2016-01-05",
                "author": {"@type": "Organization", "name": "Factual Org"},
                "reviewRating": {"alternateName": "True"},
            }
        ],
    )


def test_the_api_says_when_a_claim_was_checked_before(client: TestClient) -> None:
    _import_earlier_check(client)
    r = client.get("/api/previous", params={"claim": CLAIM}, headers=auth())
    assert r.status_code == 200
    (m,) = r.json()["previous"]
    assert (m["publisher"], m["date"], m["rating"], m["url"], m["link"], m["same_claim"]) == (
        "Factual Org",
        "2016-01-05",
        "True",
        "https://factual.example/strikes",
        "https://factual.example/strikes",
        True,
    )
    # Submitting returns the same list, and still queues the new check.
    r = client.post("/api/checks", json={"claim": CLAIM}, headers=auth())
    assert r.status_code == 202 and r.json()["previous"] == [m]
    assert wait_status(client, r.json()["id"])["status"] == "draft"
    unrelated = client.get("/api/previous", params={"claim": "The football team won on Tuesday."}, headers=auth())
    assert unrelated.json()["previous"] == []
    assert client.get("/api/previous", params={"claim": CLAIM}).status_code == 401
    blank = client.get("/api/previous", params={"claim": "   "}, headers=auth())
    assert blank.status_code == 400 and blank.json()["detail"] == "the claim is empty: type the words to check"


def test_listings_read_rows_not_records(client: TestClient) -> None:
    body = submit(client)
    cid = body["id"]
    assert client.post(f"/api/checks/{cid}/approve", headers=auth()).status_code == 200
    assert client.post(f"/api/checks/{cid}/publish", headers=auth()).status_code == 200
    store = client.app.state.newsroom.store
    # Break the stored record: the listings must not need it (they read the indexed columns).
    with store._lock, store._conn:
        store._conn.execute("UPDATE checks SET data = 'not json' WHERE id = ?", (cid,))
    (row,) = client.get("/api/archive").json()
    assert (row["id"], row["verdict"], row["claim"]) == (cid, body["check"]["verdict"], CLAIM)
    assert row["headline"] == body["check"]["headline"] and row["published"]
    assert [r["id"] for r in client.get("/api/checks", headers=auth()).json()] == [cid]
    assert client.get("/archive").status_code == 200 and f"/checks/{cid}" in client.get("/archive").text
    docs = client.get("/api/documents", headers=auth()).json()["documents"]
    assert {"document_id", "title", "publisher", "url", "published", "source_path"} == set(docs[0])
