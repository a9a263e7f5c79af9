"""Load: a real `factdesk serve` on loopback, with the real models, under concurrent clients.

What it does, end to end, with the installed `factdesk` command:

1. a fresh SQLite store in a temporary folder: ``factdesk ingest examples/demo_corpus`` (the demo
   corpus), ``factdesk user add`` (an editor token for the API);
2. ``factdesk serve`` on 127.0.0.1 (a free port), waited for on ``/api/health``;
3. seeds the public site through the API as an editor would: submits a few claims, waits for
   their drafts (the real retriever, stance model, aggregator and writer), approves and
   publishes them; every route is then requested once, untimed (first-use model loads);
4. ``--clients`` concurrent clients (asyncio + httpx) for ``--duration`` seconds, each looping
   over a seeded random mix, with a random pause between its requests (``--think``, mean seconds,
   exponential; 0 = back to back):

   - ``public_page`` (45 %): ``/`` (a redirect to the archive, followed), ``/archive``, a published
     check's page;
   - ``archive_search`` (20 %): ``/archive?q=`` and ``/api/archive?q=``, full-text and semantic;
   - ``api_read`` (35 %, editor's Bearer token where the route needs it): ``/api/checks``,
     ``/api/checks/{id}``, ``/api/checks/{id}/claimreview``, ``/api/health``, ``/api/passages?q=``,
     ``/api/previous?claim=``;
   - ``submit``: ``--submissions`` check submissions (``POST /api/checks``), spread evenly over the
     run; each queues a real check on the server's worker, which competes for the same cores.

5. unpublishes a published check and times how long any server process still serves its public
   page (new connections, so they land on every worker), then publishes it again.

Each of ``--stores`` (sqlite, postgres: a throwaway cluster from scripts/pg.sh, or ``--pg-url``)
is served in turn with each of ``--workers`` (``factdesk serve --workers N``), one after the
other in one run, and the runs are printed side by side. Public = anonymous requests; editor =
requests with the editor's token (listing, passages, previous, submissions).

Reported: requests/s, p50/p95/p99/max latency in ms per kind and per route, errors (a transport
error, a timeout, or any status other than the route's 200/202, with the reasons counted), the
load average before and after, the CPU seconds the server process and the clients used, and the
state of the submitted checks at the end. Appends a
record to ``bench/results/load.jsonl``. The clients run on the same machine as the server: on a
small box they take a share of its CPU, so the figures are a floor, not a ceiling.

    python bench/bench_load.py --duration 60 --clients 100 --workers 1,2 --stores sqlite,postgres
    python bench/bench_load.py --duration 20 --clients 20 --think 0 --no-record   # quick, flat out
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.eval.records import append_record, make_record  # noqa: E402

DEMO_CORPUS = REPO / "examples" / "demo_corpus"
FACTDESK = Path(sys.executable).with_name("factdesk")

SEED_CLAIMS: list[dict[str, str]] = [
    {
        "claim": "Over the past decade, NATO countries, including EU members led by the United States, have become "
        "a real machine producing refugees on a global scale.",
        "speaker": "Anatoly Glaz",
        "speaker_title": "Press secretary, Belarus Ministry of Foreign Affairs",
        "date": "2021-12-14",
    },
    {
        "claim": "The European Union broadened its sanctions on Belarus over the instrumentalisation of migrants.",
        "date": "2021-12-01",
    },
    {
        "claim": "Lithuanian officials said Belarusian authorities encouraged migrants to travel to the border.",
        "date": "2021-09-01",
    },
]
SUBMIT_CLAIMS = [
    "Belarus encouraged migrants to cross into Lithuania in 2021.",
    "Russian air strikes in Syria began in 2015.",
    "The EU imposed new sanctions on Belarus in November 2021.",
    "NATO countries produced millions of refugees over the past decade.",
    "Aleppo was bombarded in 2016.",
    "Turkey hosts more refugees than any other country.",
]
QUERIES = ["refugees", "Belarus", "sanctions", "NATO", "migrants border", "Lithuania", "Syria air strikes", "Aleppo"]
KINDS = {"public_page": 0.45, "archive_search": 0.20, "api_read": 0.35}


class _Same:
    """`async with _Same(client)`: the client itself, left open."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def __aenter__(self) -> Any:
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        return None


@dataclass
class Hit:
    kind: str
    route: str
    status: int
    seconds: float
    error: str | None
    editor: bool = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, env: dict[str, str]) -> str:
    """Run the `factdesk` command; its stdout, or SystemExit with its stderr when it fails."""
    r = subprocess.run([str(FACTDESK), *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=900)
    if r.returncode != 0:
        raise SystemExit(f"`factdesk {' '.join(args)}` failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return r.stdout


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    v = sorted(values)
    pos = (len(v) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def summarise(hits: list[Hit], seconds: float) -> dict[str, Any]:
    """Requests/s, latency percentiles (ms) and errors, per group of hits."""
    lat = [h.seconds * 1000 for h in hits]
    errors = [h for h in hits if h.error]
    return {
        "requests": len(hits),
        "requests_per_s": round(len(hits) / seconds, 1) if seconds else 0.0,
        "errors": len(errors),
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
        "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1) if lat else float("nan"),
    }


class LoadRun:
    """The seeded client mix against one running server."""

    def __init__(
        self,
        base: str,
        token: str,
        published: list[str],
        args: argparse.Namespace,
        server_pid: int = 0,
        tag: str = "",
        workers: int = 1,
    ) -> None:
        self.base, self.token, self.published, self.args = base, token, published, args
        self.server_pid = server_pid
        self.cpu = {"server": 0.0, "clients": 0.0}
        self.hits: list[Hit] = []
        self.submitted: list[str] = []
        n = args.submissions
        self.submit_at = [args.duration * (k + 0.5) / n for k in range(n)] if n else []
        self.workers = workers
        self.tag = tag  # makes each run's submitted claims new to a store that earlier runs used

    def routes(self, kind: str, rng: random.Random) -> tuple[str, str, str, dict[str, Any] | None, bool]:
        """(route name, method, path, json body, needs the editor's token) for one request of `kind`."""
        pid = rng.choice(self.published)
        q = quote(rng.choice(QUERIES))
        choices: dict[str, list[tuple[str, str, str, dict[str, Any] | None, bool]]] = {
            "public_page": [
                ("GET /", "GET", "/", None, False),
                ("GET /archive", "GET", "/archive", None, False),
                ("GET /checks/{id}", "GET", f"/checks/{pid}", None, False),
            ],
            "archive_search": [
                ("GET /archive?q=", "GET", f"/archive?q={q}", None, False),
                ("GET /archive?q=&mode=semantic", "GET", f"/archive?q={q}&mode=semantic", None, False),
                ("GET /api/archive?q=", "GET", f"/api/archive?q={q}", None, False),
                ("GET /api/archive?q=&mode=semantic", "GET", f"/api/archive?q={q}&mode=semantic", None, False),
            ],
            "api_read": [
                ("GET /api/checks", "GET", "/api/checks?limit=20", None, True),
                ("GET /api/checks/{id}", "GET", f"/api/checks/{pid}", None, False),
                ("GET /api/checks/{id}/claimreview", "GET", f"/api/checks/{pid}/claimreview", None, False),
                ("GET /api/health", "GET", "/api/health", None, False),
                ("GET /api/passages?q=", "GET", f"/api/passages?q={q}&k=10", None, True),
                (
                    "GET /api/previous?claim=",
                    "GET",
                    f"/api/previous?claim={quote(rng.choice(SUBMIT_CLAIMS))}",
                    None,
                    True,
                ),
            ],
        }
        return rng.choice(choices[kind])

    async def request(
        self,
        client: Any,
        kind: str,
        route: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        editor: bool,
        record: bool = True,
    ) -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"} if editor else {}
        want = 202 if method == "POST" else 200
        t0 = time.perf_counter()
        status, error, resp = 0, None, None
        try:
            resp = await client.request(method, self.base + path, json=body, headers=headers)
            status = resp.status_code
            if status != want:
                error = f"HTTP {status}"
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        if record:
            self.hits.append(Hit(kind, route, status, time.perf_counter() - t0, error, editor))
        return resp

    async def client(self, client: Any, i: int, t_end: float, t_start: float) -> None:
        rng = random.Random(self.args.seed * 1000 + i)
        if self.args.think:  # stagger the start, as visitors do not arrive at one instant
            await asyncio.sleep(rng.uniform(0, self.args.think))
        kinds, weights = list(KINDS), list(KINDS.values())
        while time.perf_counter() < t_end:
            if self.submit_at and time.perf_counter() - t_start >= self.submit_at[0]:
                self.submit_at.pop(0)
                k = self.args.submissions - len(self.submit_at) - 1  # this submission's number
                claim = SUBMIT_CLAIMS[k % len(SUBMIT_CLAIMS)]
                body = {"claim": f"{claim} ({self.tag} {k})" if self.tag else claim}
                resp = await self.request(client, "submit", "POST /api/checks", "POST", "/api/checks", body, True)
                if resp is not None and resp.status_code == 202:
                    self.submitted.append(resp.json()["id"])
            else:
                kind = rng.choices(kinds, weights)[0]
                await self.request(client, kind, *self.routes(kind, rng))
            if self.args.think:
                pause = min(rng.expovariate(1 / self.args.think), 10 * self.args.think)
                await asyncio.sleep(max(0.0, min(pause, t_end - time.perf_counter())))

    async def warm(self, client: Any) -> None:
        """Every route, untimed: the first semantic search or passage query loads the embedder.

        With several server processes each loads its own models, and a connection lands on any
        of them: every route is asked `4 x workers` times, each time on a new connection, so
        that (with high probability) no process loads a model inside the timed run."""
        import httpx

        passes = 4 * self.workers if self.workers > 1 else 1
        for _ in range(passes):
            rng = random.Random(0)
            fresh = (
                httpx.AsyncClient(
                    timeout=self.args.timeout, limits=httpx.Limits(max_keepalive_connections=0), follow_redirects=True
                )
                if self.workers > 1
                else _Same(client)
            )
            async with fresh as c:
                for kind in KINDS:
                    seen = set()
                    for _ in range(40):
                        route = self.routes(kind, rng)
                        if route[0] not in seen:
                            seen.add(route[0])
                            await self.request(c, kind, *route, record=False)

    async def run(self) -> float:
        import httpx

        limits = httpx.Limits(max_connections=self.args.clients + 8, max_keepalive_connections=self.args.clients + 8)
        # Redirects are followed, as a browser does (`/` answers 303 to `/archive` for visitors).
        async with httpx.AsyncClient(timeout=self.args.timeout, limits=limits, follow_redirects=True) as client:
            await self.warm(client)
            server0, clients0 = tree_cpu_seconds(self.server_pid), own_cpu_seconds()
            t_start = time.perf_counter()
            t_end = t_start + self.args.duration
            await asyncio.gather(*(self.client(client, i, t_end, t_start) for i in range(self.args.clients)))
            seconds = time.perf_counter() - t_start
            self.cpu = {"server": tree_cpu_seconds(self.server_pid) - server0, "clients": own_cpu_seconds() - clients0}
            return seconds


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its children (uvicorn's worker processes), as `cpu_seconds`."""
    total, seen, todo = 0.0, set(), [pid]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += cpu_seconds(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                pass
    return total


def own_cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def wait_health(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"factdesk serve exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"factdesk serve did not answer /api/health in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def seed_checks(base: str, token: str, timeout: float, n: int) -> tuple[list[str], list[float]]:
    """Submit, wait for, approve and publish the first `n` seed claims; their ids and seconds to a draft."""
    import httpx

    auth = {"Authorization": f"Bearer {token}"}
    ids, seconds = [], []
    with httpx.Client(base_url=base, headers=auth, timeout=60) as c:
        for body in SEED_CLAIMS[:n]:
            t0 = time.monotonic()
            r = c.post("/api/checks", json=body)
            if r.status_code != 202:
                raise SystemExit(f"POST /api/checks answered {r.status_code}: {r.text[:500]}")
            cid = r.json()["id"]
            while True:
                st = c.get(f"/api/checks/{cid}").json()
                if st["status"] not in ("queued", "running"):
                    break
                if time.monotonic() - t0 > timeout:
                    raise SystemExit(f"seed check {cid} still {st['status']} after {timeout:.0f} s")
                time.sleep(0.5)
            if st["status"] != "draft":
                raise SystemExit(f"seed check {cid} ended {st['status']}: {json.dumps(st)[:500]}")
            seconds.append(round(time.monotonic() - t0, 1))
            for step in ("approve", "publish"):
                r = c.post(f"/api/checks/{cid}/{step}", json={"note": "load benchmark"})
                if r.status_code != 200:
                    raise SystemExit(f"POST /api/checks/{cid}/{step} answered {r.status_code}: {r.text[:500]}")
            ids.append(cid)
    return ids, seconds


def stale_probe(base: str, token: str, cid: str, timeout: float = 10.0) -> dict[str, Any]:  # an admin's token
    """Unpublish a published check and time how long any process still serves its public page:
    each probe is a new connection (so it lands on any worker), until 20 in a row answer "gone".
    Then publish it again (approve + publish)."""
    import httpx

    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30) as c:
        for _ in range(20):  # every process has the page cached
            c.get(f"{base}/checks/{cid}", headers={"connection": "close"})
        r = httpx.post(f"{base}/api/checks/{cid}/unpublish", json={"note": "stale probe"}, headers=auth, timeout=30)
        if r.status_code != 200:
            return {"error": f"unpublish answered {r.status_code}"}
        t0, last_stale, streak, stale_answers = time.monotonic(), 0.0, 0, 0
        while streak < 20 and time.monotonic() - t0 < timeout:
            code = c.get(f"{base}/checks/{cid}", headers={"connection": "close"}).status_code
            if code == 200:
                stale_answers += 1
                last_stale, streak = time.monotonic() - t0, 0
            else:
                streak += 1
        for step in ("approve", "publish"):
            httpx.post(f"{base}/api/checks/{cid}/{step}", json={"note": "stale probe"}, headers=auth, timeout=30)
    return {"last_stale_ms": round(last_stale * 1000, 1), "stale_answers": stale_answers, "settled": streak >= 20}


def start_pg() -> tuple[str, dict[str, str]]:
    """A throwaway PostgreSQL cluster (scripts/pg.sh start); its URL and the env to stop it with."""
    state = tempfile.mkdtemp(prefix="factdesk-pg-load-")
    env = {**os.environ, "FACTDESK_PG_DIR": state, "FACTDESK_PG_FAST": "1"}
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "pg.sh"), "start"], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode:
        raise SystemExit(f"scripts/pg.sh start failed:\n{proc.stderr[-3000:]}")
    return proc.stdout.strip().splitlines()[-1], env


def fresh_pg_database(url: str, name: str) -> str:
    import psycopg

    base = url.rpartition("/")[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


class Prepared:
    """One store with the demo corpus, an editor and an admin token, and (after the first run)
    published checks."""

    def __init__(self, db: str, token: str, admin: str) -> None:
        self.db, self.token, self.admin = db, token, admin
        self.published: list[str] = []
        self.seed_seconds: list[float] = []


def prepare(store: str, work: Path, env: dict[str, str], pg_url: str | None) -> Prepared:
    db = str(work / "load.db") if store == "sqlite" else fresh_pg_database(str(pg_url), "factdesk_load")
    run_cli("ingest", str(DEMO_CORPUS), "--db", db, "--no-progress", env=env)
    token = run_cli("user", "add", "loadbench", "--role", "editor", "--db", db, env=env).split()[0]
    admin = run_cli("user", "add", "loadadmin", "--role", "admin", "--db", db, env=env).split()[0]
    return Prepared(db, token, admin)


def run_one(
    store: str, workers: int, prep: Prepared, args: argparse.Namespace, env: dict[str, str], work: Path
) -> dict[str, Any]:
    """Serve `prep`'s store with `workers` processes, seed it (first time), load it, probe staleness."""
    import httpx

    log = work / f"serve-{store}-{workers}.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [str(FACTDESK), "serve", "--db", prep.db, "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [*cmd, "--workers", str(workers)], stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=REPO
        )
    try:
        wait_health(base, proc, log)
        if not prep.published:
            print(f"[bench_load] {store}: seeding {args.seed_checks} published checks", file=sys.stderr)
            prep.published, prep.seed_seconds = seed_checks(base, prep.token, args.seed_timeout, args.seed_checks)
        print(
            f"[bench_load] {store}, {workers} workers: {args.clients} clients for {args.duration:.0f} s",
            file=sys.stderr,
        )
        load_before = os.getloadavg()
        tag = f"{store} {workers} workers, load run"
        run = LoadRun(base, prep.token, prep.published, args, server_pid=proc.pid, tag=tag, workers=workers)
        seconds = asyncio.run(run.run())
        load_after = os.getloadavg()
        stale = stale_probe(base, prep.admin, prep.published[0])
        ends = [
            httpx.get(f"{base}/api/checks/{cid}", headers={"Authorization": f"Bearer {prep.token}"}, timeout=30).json()
            for cid in run.submitted
        ]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # uvicorn's clean shutdown
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    states = Counter(str(e.get("status", "?")) for e in ends)
    failures = sorted({str(e.get("error"))[:200] for e in ends if e.get("status") == "failed"})
    by_kind: dict[str, list[Hit]] = defaultdict(list)
    by_route: dict[str, list[Hit]] = defaultdict(list)
    for h in run.hits:
        by_kind[h.kind].append(h)
        by_route[h.route].append(h)
    public = [h for h in run.hits if not h.editor]
    editor = [h for h in run.hits if h.editor]
    server_cpu, client_cpu = run.cpu["server"], run.cpu["clients"]
    metrics: dict[str, Any] = {
        "store": store,
        "workers": workers,
        "clients": args.clients,
        "duration_s": round(seconds, 1),
        "think_mean_s": args.think,
        "overall": summarise(run.hits, seconds),
        "public": summarise(public, seconds),
        "editor": summarise(editor, seconds),
        "by_kind": {k: summarise(v, seconds) for k, v in sorted(by_kind.items())},
        "by_route": {k: summarise(v, seconds) for k, v in sorted(by_route.items())},
        "error_reasons": dict(Counter(h.error for h in run.hits if h.error)),
        "submitted_checks": {"count": len(run.submitted), "status_at_end": dict(states), "failures": failures},
        "seed_checks_seconds_to_draft": prep.seed_seconds,
        "stale_after_unpublish": stale,
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)},
        # CPU the server processes (requests and their check workers) and the clients used during the run.
        "cpu_seconds": {
            "server": round(server_cpu, 1),
            "clients": round(client_cpu, 1),
            "server_ms_per_request": round(1000 * server_cpu / max(1, len(run.hits)), 1),
        },
    }
    metrics["targets"] = {
        "zero_errors": metrics["overall"]["errors"] == 0,
        "public_p95_under_500ms": bool(public) and metrics["public"]["p95_ms"] < 500,
        "editor_p95_under_1s": bool(editor) and metrics["editor"]["p95_ms"] < 1000,
    }
    return metrics


def table(runs: list[dict[str, Any]]) -> str:
    """The runs side by side, as Markdown."""
    head = "| store | workers | req/s | errors | public p50 / p95 ms | editor p50 / p95 ms | stale after unpublish | server CPU ms/req | load avg |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for m in runs:
        st = m["stale_after_unpublish"]
        lines.append(
            f"| {m['store']} | {m['workers']} | {m['overall']['requests_per_s']} | {m['overall']['errors']} "
            f"| {m['public']['p50_ms']} / {m['public']['p95_ms']} | {m['editor']['p50_ms']} / {m['editor']['p95_ms']} "
            f"| {st.get('last_stale_ms', '?')} ms ({st.get('stale_answers', '?')} stale answers) "
            f"| {m['cpu_seconds']['server_ms_per_request']} | {m['load_average_1min']['before']} -> {m['load_average_1min']['after']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load per run (default 60)")
    ap.add_argument("--clients", type=int, default=100, help="concurrent clients (default 100)")
    ap.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause in seconds between one client's requests, exponential (0: back to back)",
    )
    ap.add_argument("--submissions", type=int, default=4, help="check submissions spread over each run (default 4)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--seed-checks",
        type=int,
        default=len(SEED_CLAIMS),
        choices=range(1, len(SEED_CLAIMS) + 1),
        metavar=f"1..{len(SEED_CLAIMS)}",
        help="checks published before the first run on each store (default all)",
    )
    ap.add_argument("--seed-timeout", type=float, default=900.0, help="seconds to wait for each seed check's draft")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts, run in turn (default 1,2)")
    ap.add_argument("--stores", default="sqlite", help="comma-separated: sqlite, postgres (default sqlite)")
    ap.add_argument("--pg-url", help="a running PostgreSQL (scripts/pg.sh start prints one); else one is started")
    ap.add_argument("--keep", action="store_true", help="keep the temporary store and the server logs")
    ap.add_argument("--no-record", action="store_true", help="do not append to bench/results/load.jsonl")
    args = ap.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if args.clients < 1 or args.duration <= 0 or args.think < 0 or args.submissions < 0:
        ap.error("--clients must be >= 1, --duration > 0, --think and --submissions >= 0")
    if not workers or min(workers) < 1 or not stores or set(stores) - {"sqlite", "postgres"}:
        ap.error("--workers takes counts >= 1 (e.g. 1,2); --stores takes sqlite and/or postgres")
    if not FACTDESK.is_file():
        raise SystemExit(f"{FACTDESK} not found: run from the project's virtualenv (pip install -e .)")

    work = Path(tempfile.mkdtemp(prefix="factdesk-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_DB")}
    t_all = time.time()
    pg_url, pg_env = args.pg_url, None
    runs: list[dict[str, Any]] = []
    try:
        for store in stores:
            if store == "postgres" and pg_url is None:
                pg_url, pg_env = start_pg()
            prep = prepare(store, work, env, pg_url)
            for n in workers:
                runs.append(run_one(store, n, prep, args, env, work))
                print(json.dumps(runs[-1]["overall"]), file=sys.stderr)
        result: dict[str, Any] = {
            "runs": runs,
            "cpu_count": os.cpu_count(),
            "server": "factdesk serve --workers N (uvicorn), examples/demo_corpus, real models; clients on the same machine",
        }
        print(json.dumps(result, indent=1))
        print(table(runs))
        if not args.no_record:
            rec = make_record(
                "load",
                result,
                time.time() - t_all,
                {"command": "python bench/bench_load.py " + " ".join(argv if argv is not None else sys.argv[1:])},
            )
            print(f"record: {append_record(rec)}", file=sys.stderr)
        return result
    finally:
        if pg_env is not None:
            subprocess.run(["bash", str(REPO / "scripts" / "pg.sh"), "destroy"], env=pg_env, capture_output=True)
        if args.keep:
            print(f"[bench_load] kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
