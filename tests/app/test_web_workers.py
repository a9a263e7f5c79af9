"""Two real server processes over one store (issue 25): consecutive requests of one visitor go
to different processes, and logins, CSRF tokens, the public cache and the job queue hold.

Each process is `uvicorn web_helpers:served_app --factory` (the fake-model desk) on its own
port, so the test decides which process answers each request; `factdesk serve --workers 2`
itself (one port, uvicorn's worker processes) is started by the last test.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from web_helpers import ADMIN_TOKEN, EDITOR_TOKEN, add_users, auth, make_desk, submit

from factdesk.app.web import create_app

pytestmark = pytest.mark.slow  # starts server processes: about a minute on the 2-core box

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the server on {base} exited with {proc.returncode}"
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not answer /api/health in {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def published_store(tmp_path: Path) -> tuple[str, str]:
    """A demo-desk store with the two users and one published check; (path, check id)."""
    db = str(tmp_path / "shared.db")
    desk = make_desk(db)
    add_users(desk)
    with TestClient(create_app(desk, secret_key="setup")) as c:
        cid = submit(c, "Russian air strikes in Syria began in 2015.")["id"]
        for step in ("approve", "publish"):
            assert c.post(f"/api/checks/{cid}/{step}", json={}, headers=auth()).status_code == 200
    return db, cid


@pytest.fixture
def two_processes(published_store: tuple[str, str], tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """Two server processes over the same store and secret key; (base A, base B, published id)."""
    db, cid = published_store
    env = {
        **os.environ,
        "FACTDESK_DB": db,
        "FACTDESK_SECRET_KEY": "one-key-for-every-worker",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO)]),
    }
    procs, bases = [], []
    try:
        for _ in range(2):
            port = free_port()
            cmd = [sys.executable, "-m", "uvicorn", "web_helpers:served_app", "--factory", "--port", str(port)]
            procs.append(subprocess.Popen([*cmd, "--log-level", "warning"], env=env, cwd=tmp_path))
            bases.append(f"http://127.0.0.1:{port}")
        for base, proc in zip(bases, procs, strict=True):
            wait_up(base, proc)
        yield bases[0], bases[1], cid
    finally:
        for proc in procs:
            stop(proc)


def test_login_session_and_csrf_hold_across_processes(two_processes: tuple[str, str, str]) -> None:
    a, b, _ = two_processes
    with httpx.Client(follow_redirects=False, timeout=30) as c:
        form = c.get(a + "/login")  # the login form's signed CSRF cookie comes from A
        csrf = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
        r = c.post(b + "/login", data={"token": EDITOR_TOKEN, "csrf_token": csrf, "next": "/submit"})
        assert r.status_code == 303 and r.headers["location"] == "/submit"  # B verified A's token
        page = c.get(a + "/submit")  # the session B started is known to A
        assert page.status_code == 200 and "erin" in page.text
        session_csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        assert c.post(b + "/logout", data={"csrf_token": "forged" * 8}).status_code == 403  # B checks it
        r = c.post(b + "/logout", data={"csrf_token": session_csrf})
        assert r.status_code == 303
        r = c.get(a + "/desk")  # logged out on B: the session is gone on A too
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_change_in_one_process_empties_the_other_processes_cache(two_processes: tuple[str, str, str]) -> None:
    a, b, cid = two_processes
    with httpx.Client(timeout=30) as anon:
        for base in (a, b, a, b):  # both processes have the public page cached
            r = anon.get(f"{base}/checks/{cid}")
            assert r.status_code == 200 and "Syria" in r.text
        etag = r.headers["etag"]
        assert anon.get(f"{b}/checks/{cid}", headers={"if-none-match": etag}).status_code == 304
        r = httpx.post(f"{a}/api/checks/{cid}/unpublish", json={"note": "under review"}, headers=auth(ADMIN_TOKEN))
        assert r.status_code == 200, r.text
        t0 = time.monotonic()
        while anon.get(f"{b}/checks/{cid}").status_code == 200:  # B must stop serving the page
            assert time.monotonic() - t0 < 2.0, "process B served the unpublished check for 2 s"
            time.sleep(0.01)
        assert time.monotonic() - t0 < 1.0  # the counter is read at most 50 ms late
        assert anon.get(f"{a}/checks/{cid}").status_code != 200
        assert anon.get(f"{a}/api/archive").json() == [] or cid not in anon.get(f"{a}/api/archive").text


def test_a_check_queued_in_one_process_runs_once(two_processes: tuple[str, str, str]) -> None:
    a, b, _ = two_processes
    r = httpx.post(f"{a}/api/checks", json={"claim": "The EU imposed sanctions on Belarus in 2021."}, headers=auth())
    assert r.status_code == 202, r.text
    cid = r.json()["id"]
    deadline = time.monotonic() + 180  # fake models: seconds, but the shared box is often at load 15+
    while (st := httpx.get(f"{b}/api/checks/{cid}", headers=auth()).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"check still {st['status']} after 180 s"
        time.sleep(0.1)
    assert st["status"] == "draft" and st["check"] is not None
    audit = httpx.get(f"{b}/api/checks/{cid}/audit", headers=auth()).json()
    assert [e["action"] for e in audit].count("drafted") == 1  # run by one process, once
    health = [httpx.get(f"{base}/api/health").json()["jobs_pending"] for base in (a, b)]
    assert health == [0, 0]  # both read the one queue


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(x) for x in (task / "children").read_text().split()]
    return out


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts worker processes through Linux /proc")
def test_factdesk_serve_workers_2_starts_two_processes(published_store: tuple[str, str], tmp_path: Path) -> None:
    db, cid = published_store
    factdesk = Path(sys.executable).with_name("factdesk")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
    cmd = [str(factdesk), "serve", "--workers", "2", "--db", db, "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base, proc)
        workers = [p for p in _children(proc.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(workers) == 2
        with httpx.Client(follow_redirects=False, timeout=30) as c:
            for _ in range(6):  # new connections land on either process: each login must work
                c.cookies.clear()
                csrf = CSRF.search(c.get(base + "/login", headers={"connection": "close"}).text).group(1)  # type: ignore[union-attr]
                r = c.post(
                    base + "/login", data={"token": EDITOR_TOKEN, "csrf_token": csrf}, headers={"connection": "close"}
                )
                assert r.status_code == 303, r.text
            assert httpx.get(f"{base}/checks/{cid}").status_code == 200
    finally:
        stop(proc)
