"""Where a public request's time goes: the public routes in-process, with and without the public cache.

Builds the web tests' app (a real SQLite store, fake embedder and stance model: no model loads),
publishes 3 checks, then times `--requests` anonymous GETs of each route through Starlette's
`TestClient` (CPU seconds of this process: client and server together, so `/api/health` is the
floor), with the cache off and on, and the pieces of a public check page one by one.

    python bench/profile_public.py --requests 300
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "app")]

from fastapi.testclient import TestClient  # noqa: E402
from web_helpers import add_users, auth, make_desk, submit  # noqa: E402

from factdesk.app.web import create_app  # noqa: E402
from factdesk.report.render import jsonld_script  # noqa: E402

CLAIMS = [
    "Russian air strikes in Syria began in 2015.",
    "The European Union imposed new sanctions on Belarus in November 2021.",
    "UNHCR registered 4.3 million Syrian refugees.",
]


def pieces(news: Any, check_id: str, n: int) -> None:
    """The parts of a public check page and of the archive, one by one."""
    rec = news.find(check_id)
    parts = {
        "store read + JSON decode of the record": lambda: news.find(check_id),
        "news.view(rec)": lambda: news.view(rec),
        "ClaimReview JSON-LD": lambda: jsonld_script(rec.check, "http://x/checks/1", "org"),
        "archive rows (list + to_dict)": lambda: [r.to_dict() for r in news.archive(limit=100)],
        "archive full-text search": lambda: news.archive("Syria", limit=100),
        "session lookup (store)": lambda: news.store.get_session("0" * 64),
    }
    print("  pieces (ms of wall time each):")
    for name, f in parts.items():
        print(f"    {name:40s} {1000 * timeit.timeit(f, number=n) / n:6.3f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=300, help="requests per route (default 300)")
    n = max(1, ap.parse_args(argv).requests)
    for cached in (False, True):
        desk = make_desk(os.path.join(tempfile.mkdtemp(prefix="factdesk-prof-"), "web.db"))
        add_users(desk)
        app = create_app(desk, secret_key="profile", public_cache=cached)
        with TestClient(app) as c:
            ids = []
            for claim in CLAIMS:
                cid = submit(c, claim)["id"]
                for step in ("approve", "publish"):
                    assert c.post(f"/api/checks/{cid}/{step}", json={}, headers=auth()).status_code == 200
                ids.append(cid)
            print(f"public cache {'on' if cached else 'off'} (ms of CPU per request, client and server):")
            for url in (
                "/api/health",
                f"/checks/{ids[0]}",
                "/archive",
                "/archive?q=Syria",
                "/archive?q=Syria&mode=semantic",
                f"/api/checks/{ids[0]}",
            ):
                assert c.get(url).status_code == 200, url
                t0 = time.process_time()
                for _ in range(n):
                    c.get(url)
                print(f"  {url:42s} {1000 * (time.process_time() - t0) / n:6.2f}")
            if not cached:
                pieces(app.state.newsroom, ids[0], n)


if __name__ == "__main__":
    main()
