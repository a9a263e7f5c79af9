"""The public response cache: served from memory, dropped on every change, never for editors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_helpers import ADMIN_TOKEN, auth, login, submit

from factdesk.app.web.cache import PublicCache
from factdesk.app.web.limits import SECURITY_HEADERS


def publish(client: TestClient, claim: str) -> str:
    cid = submit(client, claim)["id"]
    for step in ("approve", "publish"):
        r = client.post(f"/api/checks/{cid}/{step}", json={}, headers=auth())
        assert r.status_code == 200, r.text
    return cid


@pytest.fixture
def app_client(web):  # type: ignore[no-untyped-def]
    with web() as c:
        yield c.app, c


def test_second_anonymous_request_is_served_from_the_cache(app_client, monkeypatch) -> None:
    app, client = app_client
    cid = publish(client, "Russian air strikes in Syria began in 2015.")
    cache: PublicCache = app.state.public_cache
    news = app.state.newsroom
    calls = []
    find = news.find
    monkeypatch.setattr(news, "find", lambda check_id: calls.append(check_id) or find(check_id))
    first = client.get(f"/checks/{cid}")
    second = client.get(f"/checks/{cid}")
    assert first.status_code == second.status_code == 200
    assert first.text == second.text and "Syria" in second.text
    assert calls == [cid]  # the route ran once: the second answer came from memory
    assert cache.stats.hits == 1
    for r in (first, second):
        assert r.headers["cache-control"] == "public, max-age=60"
        assert r.headers["etag"] == first.headers["etag"]
        assert "Cookie" in r.headers["vary"]
        for name in (*SECURITY_HEADERS, "content-security-policy"):
            assert name in r.headers, name
    # parameters in another order are the same page; other parameters are not
    client.get("/archive?rating=&q=Syria")
    hits = cache.stats.hits
    client.get("/archive?q=Syria&rating=")
    assert cache.stats.hits == hits + 1
    client.get("/archive?q=Belarus")
    assert cache.stats.hits == hits + 1


def test_publish_edit_and_unpublish_show_at_once(app_client) -> None:
    app, client = app_client
    first = publish(client, "Russian air strikes in Syria began in 2015.")
    assert first in client.get("/archive").text
    assert client.get("/archive").status_code == 200  # now cached
    assert client.get("/api/archive").json()[0]["id"] == first
    second = publish(client, "The European Union imposed new sanctions on Belarus in November 2021.")
    page = client.get("/archive").text
    assert first in page and second in page
    assert second in {r["id"] for r in client.get("/api/archive").json()}
    client.get(f"/checks/{second}")  # cached
    r = client.patch(
        f"/api/checks/{second}", json={"headline": "A brand new headline", "note": "clearer"}, headers=auth()
    )
    assert r.status_code == 200, r.text
    # an edit of a published check shows on its public page at once
    assert "A brand new headline" in client.get(f"/checks/{second}").text
    r = client.post(f"/api/checks/{second}/unpublish", json={}, headers=auth(ADMIN_TOKEN))
    assert r.status_code == 200, r.text
    assert second not in client.get("/archive").text
    assert client.get(f"/checks/{second}").status_code == 404
    assert client.get(f"/api/checks/{second}").status_code == 404


def test_editors_never_get_or_fill_the_cache(app_client) -> None:
    app, client = app_client
    cid = publish(client, "Russian air strikes in Syria began in 2015.")
    cache: PublicCache = app.state.public_cache
    public = client.get(f"/checks/{cid}")
    assert public.status_code == 200 and cache.stats.stores >= 1
    csrf = login(client)
    stores, hits = cache.stats.stores, cache.stats.hits
    for _ in range(2):
        page = client.get(f"/checks/{cid}")
        assert page.status_code == 200
        assert csrf in page.text and page.text != public.text  # the editor's view, with their CSRF token
        assert page.headers["cache-control"] == "private, no-store" and "etag" not in page.headers
        archive = client.get("/archive")
        assert csrf in archive.text  # the logout form
    api = client.get(f"/api/checks/{cid}", headers=auth())
    assert api.status_code == 200 and api.headers["cache-control"] == "private, no-store"
    assert (cache.stats.stores, cache.stats.hits) == (stores, hits)
    assert all(csrf.encode() not in e.body for e in cache.entries.values())
    # and what an editor saw is not what a visitor then gets
    client.cookies.clear()
    assert csrf not in client.get("/archive").text


def test_etag_gives_304(app_client) -> None:
    _, client = app_client
    cid = publish(client, "Russian air strikes in Syria began in 2015.")
    first = client.get(f"/checks/{cid}")
    etag = first.headers["etag"]
    again = client.get(f"/checks/{cid}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert "content-security-policy" in again.headers and again.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/checks/{cid}", headers={"If-None-Match": '"other"'}).status_code == 200
    # after an edit the old tag no longer matches
    r = client.patch(f"/api/checks/{cid}", json={"headline": "Changed", "note": "n"}, headers=auth())
    assert r.status_code == 200, r.text
    changed = client.get(f"/checks/{cid}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_errors_and_cookies_are_not_cached(app_client) -> None:
    app, client = app_client
    cache: PublicCache = app.state.public_cache
    assert client.get("/checks/nosuchcheck").status_code == 404
    assert client.get("/archive?since=2021-02-30").status_code in (400, 422)
    assert client.get("/archive?mode=bogus").status_code in (400, 422)
    assert cache.stats.stores == 0 and not cache.entries


def test_the_cache_keeps_to_its_byte_bound(web) -> None:  # type: ignore[no-untyped-def]
    with web(cache_max_bytes=8_000) as client:
        app = client.app
        publish(client, "Russian air strikes in Syria began in 2015.")
        cache: PublicCache = app.state.public_cache
        sizes = []
        for q in ("Syria", "Belarus", "refugees", "sanctions", "strikes", "football", "Russia", "EU", "air", "2015"):
            r = client.get(f"/archive?q={q}")
            assert r.status_code == 200
            sizes.append(len(r.content))
            assert cache.bytes <= 8_000
            assert cache.bytes == sum(e.size for e in cache.entries.values())
        assert sum(sizes) > 8_000 and cache.stats.evictions > 0
        # the most recent page is still there, the oldest is gone
        hits = cache.stats.hits
        client.get("/archive?q=2015")
        assert cache.stats.hits == hits + 1
        client.get("/archive?q=Syria")
        assert cache.stats.hits == hits + 1


def test_cache_can_be_turned_off(demo_desk, web) -> None:  # type: ignore[no-untyped-def]
    with web(demo_desk(corpus=[], users=False), public_cache=False) as client:
        app = client.app
        r = client.get("/archive")
        assert r.status_code == 200 and "etag" not in r.headers
        assert app.state.public_cache is None
