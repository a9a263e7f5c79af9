"""What the server processes of one desk share through its store: a change counter and the job queue.

`factdesk serve --workers N` runs N processes over one store. Two things must then be seen by all
of them, so both live in the store rather than in a process:

- **the change counter** (table `desk_changes`, one row): bumped after every saved change to a
  check; each process's public page cache compares it, so a publish in one process makes every
  other process's cached pages stale as soon as it reads the counter. A counter row is used on
  both backends, not SQLite's `PRAGMA data_version` (which moves on *any* write: sessions, job
  heartbeats and audit rows would empty the cache many times a minute) nor PostgreSQL's
  LISTEN/NOTIFY (a listener connection per process for a value one indexed read gives);
- **the job queue** (table `desk_jobs`): a job is a row; a worker claims the oldest queued one
  atomically (`BEGIN IMMEDIATE` on SQLite, `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL),
  keeps its `heartbeat` fresh while it runs, and finishes it only while it still owns it. A row
  whose heartbeat is older than `stale_after` belongs to a dead process: `reap()` queues it
  again (up to `max_attempts` runs) or marks it failed, so a killed worker's job is never lost
  and never runs twice at once.

The tables are created with `CREATE TABLE IF NOT EXISTS` when a `Coordination` opens (the
versioned migrations take them over). Each `Coordination` holds its own connection, so the
store's connection and lock are not shared with the worker's heartbeat.

>>> import tempfile, os
>>> c = open_coordination(os.path.join(tempfile.mkdtemp(), "desk.db"))
>>> c.changes(), c.bump(), c.changes()
(0, 1, 1)
>>> job = c.add_job({"id": "j1", "kind": "check", "title": "t", "payload": {"check_id": "x"}})
>>> c.claim_job("worker-a", kinds=["check"])["id"], c.claim_job("worker-b", kinds=["check"])
('j1', None)
>>> c.close()
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from factdesk.errors import StoreError

T = TypeVar("T")

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
COLUMNS = (
    "id",
    "kind",
    "title",
    "payload",
    "dedup_key",
    "local_to",
    "status",
    "progress",
    "message",
    "result",
    "error",
    "owner",
    "heartbeat",
    "attempts",
    "max_attempts",
    "time_limit",
    "cancel_requested",
    "created",
    "started",
    "finished",
)
_SELECT = ", ".join(COLUMNS)

# One statement each, so that both backends run them with their own executescript/execute.
_SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS desk_changes (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO desk_changes VALUES (1, 0);
CREATE TABLE IF NOT EXISTS desk_jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    dedup_key TEXT,
    local_to TEXT,
    status TEXT NOT NULL DEFAULT 'queued',
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    owner TEXT,
    heartbeat REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 2,
    time_limit REAL,
    cancel_requested TEXT,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT
);
CREATE INDEX IF NOT EXISTS desk_jobs_status ON desk_jobs (status, seq);
CREATE UNIQUE INDEX IF NOT EXISTS desk_jobs_live_key ON desk_jobs (dedup_key) WHERE status IN ('queued', 'running');
"""
_PG_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS desk_changes (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL)",
    "INSERT INTO desk_changes VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    """CREATE TABLE IF NOT EXISTS desk_jobs (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    dedup_key TEXT,
    local_to TEXT,
    status TEXT NOT NULL DEFAULT 'queued',
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    owner TEXT,
    heartbeat DOUBLE PRECISION,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 2,
    time_limit DOUBLE PRECISION,
    cancel_requested TEXT,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT
)""",
    "CREATE INDEX IF NOT EXISTS desk_jobs_status ON desk_jobs (status, seq)",
    "CREATE UNIQUE INDEX IF NOT EXISTS desk_jobs_live_key ON desk_jobs (dedup_key) "
    "WHERE status IN ('queued', 'running')",
]


def _now_iso() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _one(cur: Any) -> Any:
    """The first row of a statement, read to the end (SQLite cannot commit while a RETURNING
    statement is still being stepped)."""
    rows = cur.fetchall()
    return rows[0] if rows else None


def _row(values: Sequence[Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    row = dict(zip(COLUMNS, values, strict=True))
    row["payload"] = json.loads(row["payload"] or "{}")
    row["result"] = json.loads(row["result"] or "{}")
    return row


class Coordination:
    """The counter and job-queue queries, written once with `?` placeholders; each backend runs them.

    Subclasses give `_tx(fn)` (run `fn(execute)` in one write transaction that locks out other
    claimers), `_read(fn)` (run it without one) and `_claim_sql`.
    """

    paramstyle = "?"

    # --- backend hooks ---------------------------------------------------------------------------
    def _tx(self, fn: Callable[[Callable[..., Any]], T]) -> T:
        raise NotImplementedError

    def _read(self, fn: Callable[[Callable[..., Any]], T]) -> T:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _q(self, sql: str) -> str:
        return sql if self.paramstyle == "?" else sql.replace("?", "%s")

    # --- the change counter ----------------------------------------------------------------------
    def changes(self) -> int:
        """The desk's change counter: it moves after every saved change to a check."""
        return int(self._read(lambda ex: ex("SELECT n FROM desk_changes WHERE id = 1").fetchone()[0]))

    def bump(self) -> int:
        """Move the counter on; returns the new value."""
        return int(self._tx(lambda ex: _one(ex("UPDATE desk_changes SET n = n + 1 WHERE id = 1 RETURNING n"))[0]))

    # --- jobs -----------------------------------------------------------------------------------
    def add_job(self, job: dict[str, Any]) -> dict[str, Any]:
        """Queue a job (keys as `COLUMNS`; `payload` a JSON-able dict). With a `dedup_key` and a
        queued or running job of the same key already there, that job is returned instead."""
        row = {
            "payload": {},
            "dedup_key": None,
            "local_to": None,
            "status": QUEUED,
            "progress": 0.0,
            "message": "waiting for the worker",
            "result": {},
            "max_attempts": 2,
            "time_limit": None,
            "created": _now_iso(),
            "heartbeat": time.time(),
            **job,
        }
        cols = [c for c in COLUMNS if c in row]
        vals = [json.dumps(row[c]) if c in ("payload", "result") else row[c] for c in cols]
        sql = self._q(
            f"INSERT INTO desk_jobs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) ON CONFLICT DO NOTHING"
        )

        def add(ex: Callable[..., Any]) -> dict[str, Any]:
            cur = ex(sql, vals)
            if cur.rowcount == 1 or not row["dedup_key"]:
                return self._get(ex, row["id"])  # type: ignore[return-value]
            live = _one(
                ex(
                    self._q(f"SELECT {_SELECT} FROM desk_jobs WHERE dedup_key = ? AND status IN ('queued', 'running')"),
                    (row["dedup_key"],),
                )
            )
            return _row(live) or self._get(ex, row["id"])  # type: ignore[return-value]

        out = self._tx(add)
        if out is None:
            raise StoreError(f"job {row['id']!r} was not stored (an id clash): submit it again")
        return out

    def _get(self, ex: Callable[..., Any], job_id: str) -> dict[str, Any] | None:
        return _row(_one(ex(self._q(f"SELECT {_SELECT} FROM desk_jobs WHERE id = ?"), (job_id,))))

    def get_job(self, job_id: str) -> dict[str, Any] | None:
        return self._read(lambda ex: self._get(ex, job_id))

    def list_jobs(self, kind: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Newest first."""
        where, args = ("WHERE kind = ?", [kind]) if kind else ("", [])
        sql = self._q(f"SELECT {_SELECT} FROM desk_jobs {where} ORDER BY seq DESC LIMIT ?")
        return self._read(lambda ex: [_row(r) for r in ex(sql, [*args, limit]).fetchall()])  # type: ignore[misc]

    def count(self, statuses: Iterable[str]) -> int:
        st = list(statuses)
        sql = self._q(f"SELECT count(*) FROM desk_jobs WHERE status IN ({', '.join('?' * len(st))})")
        return int(self._read(lambda ex: ex(sql, st).fetchone()[0]))

    def claim_job(self, owner: str, kinds: Iterable[str]) -> dict[str, Any] | None:
        """Take the oldest queued job this worker can run (one of `kinds`, or a job only it may run:
        `local_to = owner`) and mark it running under `owner`; None when there is none."""
        kinds = list(kinds) or ["\x00none"]
        # An idle worker polls twice a second: look with a plain read first, so that polling takes
        # no write lock (SQLite) and opens no transaction while nothing is queued.
        if not self._read(lambda ex: _one(ex(self._q("SELECT 1 FROM desk_jobs WHERE status = 'queued' LIMIT 1")))):
            return None
        return self._tx(lambda ex: self._claim(ex, owner, kinds))

    def _claim(self, ex: Callable[..., Any], owner: str, kinds: list[str]) -> dict[str, Any] | None:
        raise NotImplementedError

    def _claim_update(self) -> str:
        return self._q(
            "UPDATE desk_jobs SET status = 'running', owner = ?, heartbeat = ?, started = ?, "
            "attempts = attempts + 1, message = 'starting' WHERE id = ? AND status = 'queued' "
            f"RETURNING {_SELECT}"
        )

    def report(self, job_id: str, owner: str, progress: float, message: str) -> tuple[bool, str | None]:
        """Save a running job's progress; (still owned by `owner`, cancel requested by whom)."""
        sql = self._q(
            "UPDATE desk_jobs SET progress = ?, message = ?, heartbeat = ? WHERE id = ? AND owner = ? "
            "AND status = 'running' RETURNING cancel_requested"
        )
        row = self._tx(lambda ex: _one(ex(sql, (progress, message, time.time(), job_id, owner))))
        return (row is not None, row[0] if row else None)

    def finish(
        self, job_id: str, owner: str | None, status: str, result: dict[str, Any] | None, error: str | None
    ) -> bool:
        """End a job (done, failed or cancelled) if `owner` still owns it (None: a queued job, by anyone)."""
        msg = {DONE: "done", FAILED: "failed", CANCELLED: "cancelled"}[status]
        if owner is None:
            cond, args = "status = 'queued'", [job_id]
        else:
            cond, args = "owner = ? AND status = 'running'", [job_id, owner]
        sql = self._q(
            "UPDATE desk_jobs SET status = ?, progress = ?, message = ?, result = ?, error = ?, finished = ?, "
            f"heartbeat = ? WHERE id = ? AND {cond} RETURNING id"
        )
        progress = 1.0 if status == DONE else 0.0
        vals = [status, progress, msg, json.dumps(result or {}), error, _now_iso(), time.time(), *args]
        if status != DONE:  # keep the progress it had reached
            sql = sql.replace("progress = ?, ", "")
            vals.pop(1)
        return self._tx(lambda ex: _one(ex(sql, vals))) is not None

    def request_cancel(self, job_id: str, by: str) -> None:
        sql = self._q(
            "UPDATE desk_jobs SET cancel_requested = ?, message = ? WHERE id = ? AND status = 'running' "
            "AND cancel_requested IS NULL"
        )
        self._tx(lambda ex: ex(sql, (by, f"cancelling (asked by {by})", job_id)))

    def heartbeat(self, owner: str) -> None:
        """This worker is alive: refresh the jobs it runs and the jobs only it may run."""
        sql = self._q(
            "UPDATE desk_jobs SET heartbeat = ? WHERE (owner = ? AND status = 'running') "
            "OR (local_to = ? AND status = 'queued')"
        )
        self._tx(lambda ex: ex(sql, (time.time(), owner, owner)))

    def reap(self, stale_after: float) -> list[tuple[dict[str, Any], str]]:
        """Jobs whose worker stopped (no heartbeat for `stale_after` s): queued again while they
        have runs left and any worker can run them, else failed. Returns (job, "retried"|"failed")."""
        cutoff = time.time() - stale_after
        sel = self._q(
            f"SELECT {_SELECT} FROM desk_jobs WHERE status IN ('queued', 'running') AND heartbeat < ? "
            "AND (status = 'running' OR local_to IS NOT NULL)"
        )

        def run(ex: Callable[..., Any]) -> list[tuple[dict[str, Any], str]]:
            out = []
            for raw in ex(sel, (cutoff,)).fetchall():
                job = _row(raw)
                assert job is not None
                if job["status"] == RUNNING and job["local_to"] is None and job["attempts"] < job["max_attempts"]:
                    ex(
                        self._q(
                            "UPDATE desk_jobs SET status = 'queued', owner = NULL, heartbeat = ?, progress = 0, "
                            "message = ? WHERE id = ? AND heartbeat < ?"
                        ),
                        (
                            time.time(),
                            f"queued again: the worker running it stopped (run {job['attempts']} "
                            f"of {job['max_attempts']})",
                            job["id"],
                            cutoff,
                        ),
                    )
                    out.append((job, "retried"))
                else:
                    why = (
                        "the server process that queued it stopped before it ran"
                        if job["status"] == QUEUED
                        else f"the worker running it stopped (killed?) during run {job['attempts']} "
                        f"of {job['max_attempts']}"
                    )
                    error = f"WorkerLost: {why}; run it again"
                    ex(
                        self._q(
                            "UPDATE desk_jobs SET status = 'failed', message = 'failed', error = ?, finished = ? "
                            "WHERE id = ? AND heartbeat < ?"
                        ),
                        (error, _now_iso(), job["id"], cutoff),
                    )
                    job["error"] = error
                    out.append((job, "failed"))
            return out

        return self._tx(run)

    def prune(self, keep: int) -> None:
        """Delete finished jobs older than the newest `keep` jobs."""
        sql = self._q(
            "DELETE FROM desk_jobs WHERE status IN ('done', 'failed', 'cancelled') AND seq <= "
            "(SELECT seq FROM desk_jobs ORDER BY seq DESC LIMIT 1 OFFSET ?)"
        )
        self._tx(lambda ex: ex(sql, (keep,)))


class SQLiteCoordination(Coordination):
    """On a SQLite file: its own connection (WAL), write transactions with `BEGIN IMMEDIATE`."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._conn = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript("BEGIN IMMEDIATE;" + _SQLITE_SCHEMA + "COMMIT;")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot set up the job and change tables in {path}: {exc}") from exc
        self._lock = threading.Lock()

    def _tx(self, fn: Callable[[Callable[..., Any]], T]) -> T:
        with self._lock:
            # IMMEDIATE takes the write lock at BEGIN: two processes cannot both read the same
            # queued row and claim it (a DEFERRED transaction would upgrade too late).
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(
                    f"the store {self.path} stayed locked by another writer for 30 s ({exc}): "
                    "is a long import or backup running? Try again when it ends"
                ) from exc
            try:
                out = fn(self._conn.execute)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return out

    def _read(self, fn: Callable[[Callable[..., Any]], T]) -> T:
        with self._lock:
            return fn(self._conn.execute)

    def _claim(self, ex: Callable[..., Any], owner: str, kinds: list[str]) -> dict[str, Any] | None:
        marks = ", ".join("?" * len(kinds))
        row = _one(
            ex(
                "SELECT id FROM desk_jobs WHERE status = 'queued' AND "
                f"((local_to IS NULL AND kind IN ({marks})) OR local_to = ?) ORDER BY seq LIMIT 1",
                (*kinds, owner),
            )
        )
        if row is None:
            return None
        return _row(_one(ex(self._claim_update(), (owner, time.time(), _now_iso(), row[0]))))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class PostgresCoordination(Coordination):
    """On PostgreSQL: its own autocommit connection; claims with `FOR UPDATE SKIP LOCKED`."""

    paramstyle = "%s"

    def __init__(self, url: str, connect_timeout: int = 5) -> None:
        import psycopg

        self.url = url
        self._psycopg = psycopg
        self._connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._conn = self._connect()
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(74667865)")  # two workers starting at once
            for stmt in _PG_SCHEMA:
                self._conn.execute(stmt)

    def _connect(self) -> Any:
        try:
            return self._psycopg.connect(self.url, autocommit=True, connect_timeout=self._connect_timeout)
        except self._psycopg.Error as exc:
            raise StoreError(f"cannot reach PostgreSQL for the job queue: {exc}") from exc

    def _with_conn(self, fn: Callable[[Any], T]) -> T:
        with self._lock:
            for attempt in (1, 2):
                if self._conn.closed or self._conn.broken:
                    self._conn = self._connect()
                try:
                    return fn(self._conn)
                except self._psycopg.OperationalError as exc:
                    if attempt == 2 or not (self._conn.closed or self._conn.broken):
                        raise StoreError(f"the job queue lost PostgreSQL: {exc}") from exc
            raise AssertionError("unreachable")

    def _tx(self, fn: Callable[[Callable[..., Any]], T]) -> T:
        def run(conn: Any) -> T:
            with conn.transaction():
                return fn(conn.execute)

        return self._with_conn(run)

    def _read(self, fn: Callable[[Callable[..., Any]], T]) -> T:
        return self._with_conn(lambda conn: fn(conn.execute))

    def _claim(self, ex: Callable[..., Any], owner: str, kinds: list[str]) -> dict[str, Any] | None:
        # SKIP LOCKED: a row another worker is claiming right now is passed over, not waited for.
        row = _one(
            ex(
                "SELECT id FROM desk_jobs WHERE status = 'queued' AND "
                "((local_to IS NULL AND kind = ANY(%s)) OR local_to = %s) ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED",
                (kinds, owner),
            )
        )
        if row is None:
            return None
        return _row(_one(ex(self._claim_update(), (owner, time.time(), _now_iso(), row[0]))))

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def open_coordination(db: str) -> Coordination | None:
    """The coordination tables of the store at `db` (a SQLite path or a postgresql:// URL); None for
    `:memory:`, which only one process can see (the caller then keeps both in the process)."""
    if db.startswith(("postgresql://", "postgres://")):
        return PostgresCoordination(db)
    if db == ":memory:" or db.startswith("file::memory:"):
        return None
    return SQLiteCoordination(db)


def store_location(store: Any) -> str | None:
    """Where a store lives, for `open_coordination`: a SQLite store's path or a PostgreSQL store's URL."""
    url = getattr(store, "url", None)
    if isinstance(url, str) and url.startswith(("postgresql://", "postgres://")):
        return url
    path = getattr(store, "path", None)
    return path if isinstance(path, str) else None
