"""Versioned schemas (factdesk.store.schema), on both backends: a store made by factdesk 0.1.0
(tests/store/fixtures/, made by make_release_store.py from the release's code) is refused until
`db upgrade`, then upgrades to every later revision with every row intact; a failed step leaves
the store as it was; a store newer than this factdesk is refused.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factdesk.errors import StoreError
from factdesk.registry import open_store
from factdesk.store import schema

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MANIFEST = json.loads((FIXTURES / "store-v0.1.0.json").read_text())
_spec = importlib.util.spec_from_file_location("make_release_store", FIXTURES / "make_release_store.py")
assert _spec and _spec.loader
release = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(release)


def _load_pg_dump(url: str) -> None:
    import psycopg

    # pg_dump's psql meta-commands (\\restrict, \\unrestrict) are for psql, not the server.
    sql = "\n".join(line for line in (FIXTURES / "store-v0.1.0.pg.sql").read_text().splitlines() if line[:1] != "\\")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def release_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A copy of the 0.1.0 fixture store: a SQLite file, or a fresh database loaded from the dump."""
    if backend == "sqlite":
        path = tmp_path / "release.db"
        shutil.copyfile(FIXTURES / "store-v0.1.0.sqlite", path)
        return str(path)
    url = str(request.getfixturevalue("pg_database"))
    _load_pg_dump(url)
    return url


def _expected(db: str) -> dict[str, Any]:
    return MANIFEST["postgres"] if schema.is_postgres(db) else {k: v for k, v in MANIFEST.items() if k != "postgres"}


class Raw:
    """The database under a store, read without factdesk: tables, columns, indexes, rows."""

    def __init__(self, db: str) -> None:
        self.pg = schema.is_postgres(db)
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(db, autocommit=True)
        else:
            self.conn = sqlite3.connect(db)

    def close(self) -> None:
        self.conn.close()

    def tables(self) -> set[str]:
        sql = (
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            if self.pg
            else "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
        return {r[0] for r in self.conn.execute(sql).fetchall()}

    def indexes(self) -> set[str]:
        sql = (
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
            if self.pg
            else "SELECT name FROM sqlite_master WHERE type = 'index'"
        )
        return {r[0] for r in self.conn.execute(sql).fetchall()}

    def columns(self, table: str) -> list[str]:
        if self.pg:
            rows = self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND table_schema = 'public' "
                "ORDER BY ordinal_position",
                (table,),
            ).fetchall()
            return [r[0] for r in rows]
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")]

    def rows(self, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
        out = {}
        for table, cols in columns.items():
            names = ", ".join(f'"{c}"' for c in cols)
            out[table] = [tuple(r) for r in self.conn.execute(f"SELECT {names} FROM {table} ORDER BY 1").fetchall()]
        return out

    def revision(self) -> str | None:
        if "alembic_version" not in self.tables():
            return None
        return self.conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)
        if not self.pg:
            self.conn.commit()


@pytest.fixture
def raw(release_db: str) -> Iterator[Raw]:
    r = Raw(release_db)
    yield r
    r.close()


def _release_columns(raw: Raw) -> dict[str, list[str]]:
    cols = {t: raw.columns(t) for t in release.TABLES}
    assert all(cols.values()), "the fixture lacks a release table"
    return cols


def test_the_steps_read_from_the_files_are_alembics() -> None:
    script = schema._script()
    assert schema.revisions() == [
        (s.revision, (s.doc or "").strip().splitlines()[0]) for s in reversed(list(script.walk_revisions()))
    ]
    assert schema.head() == script.get_current_head()


def test_the_fixture_is_a_release_store(release_db: str, raw: Raw) -> None:
    assert raw.revision() is None
    assert {t: len(rows) for t, rows in raw.rows(_release_columns(raw)).items()} == _expected(release_db)["counts"]
    assert schema.status(release_db).status == "unversioned"


def test_a_release_store_is_refused_on_open_and_left_unchanged(release_db: str, raw: Raw) -> None:
    cols = _release_columns(raw)
    before = raw.rows(cols)
    steps = ", ".join(r for r, _ in schema.revisions())
    with pytest.raises(StoreError, match=rf"factdesk db upgrade --db .*pending: {steps};"):
        open_store(release_db, dim=release.DIM)
    assert raw.rows(cols) == before
    assert raw.revision() is None and raw.columns("checks") == cols["checks"]


def test_a_release_store_upgrades_to_every_later_schema_with_every_row(release_db: str, raw: Raw) -> None:
    cols = _release_columns(raw)
    before = raw.rows(cols)
    steps = [r for r, _ in schema.revisions()]
    assert steps[0] == "0001" and steps[-1] == schema.head()
    for rev in steps:
        was, now = schema.upgrade(release_db, rev)
        assert now.revision == rev == raw.revision()
        assert raw.rows(cols) == before, f"rows changed by step {rev}"
        if rev != schema.head():
            with pytest.raises(StoreError, match="factdesk db upgrade"):
                open_store(release_db, dim=release.DIM)
    assert {"checks_status_updated", "desk_jobs_status"} <= raw.indexes()
    assert {"desk_changes", "desk_jobs"} <= raw.tables()
    store = open_store(release_db, dim=release.DIM)
    try:
        got, want = release.summarise(store), _expected(release_db)
        # A decoded record is written out by today's types (fields come and go with them); the
        # stored form (`checks`: every record's JSON as stored) and its history must be the same.
        assert {k: v for k, v in got.items() if k != "records"} == {k: v for k, v in want.items() if k != "records"}
        assert {i: _essentials(r) for i, r in got["records"].items()} == {
            i: _essentials(r) for i, r in want["records"].items()
        }
        # and the upgraded store is a working one: write and read through the new code
        store.add_user("sam", "editor", "hash-sam")
        assert store.get_user_by_token_hash("hash-sam") == {"name": "sam", "role": "editor"}
        assert [s.status for s in store.list_summaries(status=["published"])] == ["published"]
    finally:
        store.close()
    assert schema.upgrade(release_db)[0].revision == schema.head()  # a second upgrade does nothing


def _essentials(record: dict[str, Any]) -> tuple[Any, ...]:
    return (
        record["id"],
        record["claim"]["text"],
        record["claim"]["speaker"],
        record["verdict"],
        record["confidence"],
        record["headline"],
        record["summary"],
        [(e["passage_id"], e["stance"], e["text"]) for e in record["evidence"]],
        record["_desk"],
    )


def _broken_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The shipped steps plus a step after the newest that changes things, then fails."""
    folder = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    broken = "9999"
    (folder / "versions" / f"{broken}_broken.py").write_text(
        f'"""A step that fails half-way."""\n\nfrom alembic import op\n\nrevision = "{broken}"\n'
        f"down_revision = {schema.head()!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        '    op.execute("CREATE TABLE broken_step (x integer)")\n'
        "    op.execute(\"UPDATE checks SET claim = 'changed by a failed step'\")\n"
        '    op.execute("DROP INDEX checks_status_updated")\n'
        '    raise RuntimeError("step 9999 fails on purpose")\n'
    )
    monkeypatch.setattr(schema, "MIGRATIONS", folder)
    schema._script.cache_clear()
    assert schema.head() == broken
    return broken


@pytest.fixture
def broken_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Call it to add the failing step (after making the stores the test needs)."""
    yield lambda: _broken_migrations(tmp_path, monkeypatch)
    monkeypatch.undo()
    schema._script.cache_clear()


def _snapshot(raw: Raw) -> tuple[Any, ...]:
    tables = raw.tables()
    cols = {t: raw.columns(t) for t in sorted(tables) if not t.endswith(("_data", "_idx", "_docsize", "_config"))}
    dump = list(raw.conn.iterdump()) if not raw.pg else None
    return tables, raw.indexes(), raw.rows(cols), raw.revision(), dump


def test_a_failed_step_leaves_a_release_store_as_it_was(release_db: str, raw: Raw, broken_step: Any) -> None:
    broken_step()
    before = _snapshot(raw)
    with pytest.raises(StoreError, match="failed and was rolled back: step 9999 fails on purpose"):
        schema.upgrade(release_db)
    assert _snapshot(raw) == before  # neither the shipped steps nor the half of 9999 stayed


def test_a_failed_step_leaves_a_current_store_as_it_was(store_url: str, broken_step: Any) -> None:
    from factdesk.types import CheckRecord, Claim

    s = open_store(store_url, dim=8)
    s.save_record(CheckRecord(claim=Claim(text="Minsk is in Belarus"), status="draft"))
    s.close()
    broken_step()
    raw = Raw(store_url)
    try:
        # a store of 0002: the upgrade runs 0003 (the coordination tables), then 9999 fails
        raw.execute("UPDATE alembic_version SET version_num = '0002'")
        before = _snapshot(raw)
        assert before[3] == "0002"
        with pytest.raises(StoreError, match="rolled back"):
            schema.upgrade(store_url)
        assert _snapshot(raw) == before
    finally:
        raw.close()


def test_coordination_tables_made_first_do_not_make_a_store_old(store_url: str) -> None:
    """`serve --workers` may open the job queue on a fresh store before the desk opens the store."""
    from factdesk.store.coordination import open_coordination

    c = open_coordination(store_url)
    assert c is not None
    c.bump()
    c.close()
    assert schema.status(store_url).status == "new"
    open_store(store_url, dim=8).close()
    assert schema.status(store_url).status == "current"
    c = open_coordination(store_url)
    assert c is not None and c.changes() == 1  # the counter made before the schema is kept
    c.close()


def test_a_store_newer_than_this_factdesk_is_refused(store_url: str) -> None:
    open_store(store_url, dim=8).close()
    raw = Raw(store_url)
    try:
        raw.execute("UPDATE alembic_version SET version_num = 'f00d'")
    finally:
        raw.close()
    with pytest.raises(StoreError, match=r"revision f00d, newer than this factdesk .*Upgrade factdesk"):
        open_store(store_url, dim=8)
    with pytest.raises(StoreError, match="Upgrade factdesk"):
        schema.upgrade(store_url)
    assert schema.status(store_url).status == "ahead"


def test_a_new_store_is_created_at_the_newest_schema(store: Any, store_url: str) -> None:
    state = schema.status(store_url)
    assert (state.status, state.revision, state.pending) == ("current", schema.head(), [])


def test_db_status_and_upgrade_commands(tmp_path: Path) -> None:
    from factdesk.app.cli import main

    db = str(tmp_path / "desk.db")
    shutil.copyfile(FIXTURES / "store-v0.1.0.sqlite", db)
    runner = CliRunner()
    r = runner.invoke(main, ["db", "status", "--db", db])
    assert r.exit_code == 1 and "made by factdesk 0.1.0" in r.output and "pending 0002" in r.output, r.output
    r = runner.invoke(main, ["documents", "--db", db])
    assert r.exit_code == 2 and "factdesk db upgrade" in r.output
    r = runner.invoke(main, ["db", "upgrade", "--db", db])
    assert r.exit_code == 0 and f"upgraded from none to {schema.head()}" in r.output, r.output
    r = runner.invoke(main, ["db", "status", "--db", db])
    assert r.exit_code == 0 and "up to date" in r.output
    r = runner.invoke(main, ["db", "upgrade", "--db", db])
    assert "nothing to do" in r.output
    r = runner.invoke(main, ["db", "status", "--db", str(tmp_path / "new.db")])
    assert r.exit_code == 0 and "empty" in r.output and not (tmp_path / "new.db").exists()


def test_processes_opening_a_new_store_at_once_create_it_once(store_url: str) -> None:
    """`serve --workers N` starts N processes on a store that may not exist yet."""
    from concurrent.futures import ThreadPoolExecutor

    def open_one(_: int) -> str:
        s = open_store(store_url, dim=8)
        try:
            return str(s.stats())
        finally:
            s.close()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(open_one, range(4)))
    assert results == [str({"documents": 0, "passages": 0, "checks": 0})] * 4
    state = schema.status(store_url)
    assert (state.status, state.revision) == ("current", schema.head())
