"""Back up and restore a store while the desk serves and writes.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in one step,
  that is in one read transaction: in WAL mode writers go on meanwhile, and the copy holds
  exactly what was committed when the step began. It is written beside the target and renamed
  into place once `PRAGMA integrity_check` passes, so a failed backup leaves no half file.
- PostgreSQL: `pg_dump -Fc` of a snapshot this module exports and counts the rows in (so the
  counts it reports are the dump's), writers not blocked;
  restored with `pg_restore --single-transaction`, so a failed restore changes nothing.

A restore refuses a target that already holds a store unless `force` is given, and refuses a
backup whose schema is newer than this factdesk (upgrade factdesk first); a backup of an older
schema is restored as it is, and `factdesk db upgrade` then brings it up to date.

>>> import tempfile, os
>>> from factdesk.store.sqlite import SQLiteStore
>>> d = tempfile.mkdtemp()
>>> SQLiteStore(os.path.join(d, "desk.db"), dim=4).close()
>>> backup(os.path.join(d, "desk.db"), os.path.join(d, "copy.db")).tables["documents"]
0
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factdesk.errors import StoreError
from factdesk.store import schema

COUNTED = ("documents", "passages", "checks", "audit", "users", "claims", "narratives")


@dataclass
class BackupResult:
    """What a backup or restore wrote: where, the schema revision, row counts, seconds taken."""

    path: str
    revision: str | None
    tables: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.tables.items())
        return f"{self.path}: schema revision {self.revision or 'none'}; {counts} ({self.seconds:.1f} s)"


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parents[1].name or 0))
    if not candidates:
        raise StoreError(f"{name} is not installed: install the PostgreSQL client (apt-get install postgresql-client)")
    return candidates[-1]


def _counts_sqlite(conn: sqlite3.Connection) -> dict[str, int]:
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED if t in have}


def _counts_postgres(conn: Any) -> dict[str, int]:
    out = {}
    for t in COUNTED:
        found = conn.execute("SELECT to_regclass(%s) IS NOT NULL, 0", (t,)).fetchone()
        if found and found[0]:
            row = conn.execute(f"SELECT count(*) FROM {t}").fetchone()
            out[t] = int(row[0]) if row else 0
    return out


def _pg_backup(db: str, partial: Path) -> tuple[str | None, dict[str, int]]:
    """pg_dump of one exported snapshot, counted in that same snapshot (so the counts are the dump's)."""
    import psycopg

    try:
        with psycopg.connect(db, connect_timeout=5) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            snapshot = str(row[0]) if row else ""
            state = schema.state_of_postgres(conn, db)
            counts = _counts_postgres(conn)
            proc = subprocess.run(
                [pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
                + ["--file", str(partial), "--dbname", db],
                capture_output=True,
                text=True,
            )
            conn.rollback()
    except psycopg.Error as exc:
        raise StoreError(f"cannot back up {_redact(db)}: {' '.join(str(exc).split())}") from exc
    if proc.returncode != 0:
        partial.unlink(missing_ok=True)
        raise StoreError(f"pg_dump failed: {proc.stderr.strip()[-2000:]}")
    return state.revision, counts


def _redact(db: str) -> str:
    from factdesk.store.postgres import _redact as redact

    return redact(db)


def _check_sqlite_file(path: str) -> tuple[str | None, dict[str, int]]:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise StoreError(f"{path} fails PRAGMA integrity_check: {'; '.join(r[0] for r in result[:5])}")
        state = schema.state_of_sqlite(conn, path)
        return state.revision, _counts_sqlite(conn)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a readable SQLite store: {exc}") from exc
    finally:
        conn.close()


def backup(db: str, path: str | os.PathLike[str]) -> BackupResult:
    """Copy the store at `db` to `path` (a SQLite file, or a pg_dump custom-format archive)."""
    t0 = time.perf_counter()
    out = Path(path)
    if out.exists():
        raise StoreError(f"{out} exists: name a new file (a backup never overwrites one)")
    if not out.parent.is_dir():
        raise StoreError(f"cannot write {out}: folder {out.parent} does not exist")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    if schema.is_postgres(db):
        revision, counts = _pg_backup(db, partial)
        partial.rename(out)
        return BackupResult(str(out), revision, counts, time.perf_counter() - t0)
    if not Path(db).exists():
        raise StoreError(f"there is no store at {db}")
    src = sqlite3.connect(db, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        # pages=-1: one step, one read transaction. (A stepwise copy restarts whenever another
        # connection writes, so under steady writes it might never finish.)
        src.backup(dst, pages=-1)
    except sqlite3.DatabaseError as exc:
        dst.close()
        partial.unlink(missing_ok=True)
        raise StoreError(f"the backup of {db} failed: {exc}") from exc
    finally:
        src.close()
    dst.close()
    try:
        revision, counts = _check_sqlite_file(str(partial))
    except StoreError:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(out)
    return BackupResult(str(out), revision, counts, time.perf_counter() - t0)


def restore(path: str | os.PathLike[str], db: str, force: bool = False) -> BackupResult:
    """Put the backup at `path` into the store `db` (a SQLite path, or an existing PostgreSQL database)."""
    t0 = time.perf_counter()
    src = Path(path)
    if not src.is_file():
        raise StoreError(f"there is no backup at {src}")
    target = schema.status(db)
    if not target.empty and not force:
        raise StoreError(
            f"{db} already holds a store ({target.describe()}): restore into a new path or empty database, "
            "or pass --force to replace it"
        )
    if schema.is_postgres(db):
        args = [pg_tool("pg_restore"), "--single-transaction", "--no-owner", "--exit-on-error", "--dbname", db]
        if not target.empty:
            args[1:1] = ["--clean", "--if-exists"]
        proc = subprocess.run([*args, str(src)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise StoreError(f"pg_restore failed, {db} is unchanged: {proc.stderr.strip()[-2000:]}")
        import psycopg

        with psycopg.connect(db, autocommit=True, connect_timeout=5) as conn:
            revision, counts = schema.state_of_postgres(conn, db).revision, _counts_postgres(conn)
        return BackupResult(db, revision, counts, time.perf_counter() - t0)
    revision, _ = _check_sqlite_file(str(src))
    if revision is not None and revision not in {r for r, _ in schema.revisions()}:
        raise StoreError(
            f"{src} has schema revision {revision}, newer than this factdesk knows: upgrade factdesk to restore it"
        )
    backup_conn = sqlite3.connect(src)
    dst = sqlite3.connect(db, timeout=30)
    try:
        # The backup API writes the target through SQLite's own locking, so processes that hold
        # the target open see the restored pages, never a half-copied file.
        backup_conn.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=WAL")
        revision, counts = schema.state_of_sqlite(dst, db).revision, _counts_sqlite(dst)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the restore into {db} failed: {exc}") from exc
    finally:
        backup_conn.close()
        dst.close()
    return BackupResult(db, revision, counts, time.perf_counter() - t0)
