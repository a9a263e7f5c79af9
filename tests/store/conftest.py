"""Fixtures for the store contract tests: every backend behind one `store` fixture.

PostgreSQL: a throwaway cluster started once per session with `scripts/pg.sh start`
(or the server at `FACTDESK_TEST_PG_URL`, whose user needs CREATEDB), and a fresh
database per test. The PostgreSQL cases skip only when the PostgreSQL binaries are absent.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from factdesk.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[2]
PG_SH = REPO / "scripts" / "pg.sh"
DIM = 8


def _pg_binaries_present() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb") or shutil.which("initdb"))


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a running PostgreSQL with pgvector available (the session's own cluster)."""
    env_url = os.environ.get("FACTDESK_TEST_PG_URL")
    if env_url:
        yield env_url
        return
    if not _pg_binaries_present():
        pytest.skip(
            "PostgreSQL binaries are absent: run `scripts/pg.sh install` (as root) to test the PostgreSQL store, "
            "or set FACTDESK_TEST_PG_URL=postgresql://USER@HOST:PORT/DB"
        )
    state = tempfile.mkdtemp(prefix="factdesk-pg-test-")  # not under pytest's 0700 tmp: `postgres` must enter it
    env = {**os.environ, "FACTDESK_PG_DIR": state, "FACTDESK_PG_FAST": "1"}
    proc = subprocess.run(["bash", str(PG_SH), "start"], env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"scripts/pg.sh start failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    url = proc.stdout.strip().splitlines()[-1]
    try:
        yield url
    finally:
        subprocess.run(["bash", str(PG_SH), "destroy"], env=env, capture_output=True, text=True, timeout=120)
        shutil.rmtree(state, ignore_errors=True)


_CREATED: list[str] = []


def create_database(pg_url: str, prefix: str = "fdtest_") -> str:
    """A new empty database on the session's server (dropped at the end, see `pg_database`)."""
    import psycopg

    name = prefix + uuid.uuid4().hex[:12]
    with psycopg.connect(_with_database(pg_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _CREATED.append(name)
    return _with_database(pg_url, name)


@pytest.fixture
def new_pg_database(pg_url: str, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Makes more fresh databases, for a test that needs two (`pg_database` is the first)."""
    request.getfixturevalue("pg_database")  # the integration mark check
    return lambda prefix="fdtest_": create_database(pg_url, prefix)


@pytest.fixture
def pg_database(pg_url: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the session's server.

    Dropping costs a checkpoint (~1 s), so databases are dropped once, at the end of the
    session, and only on a server given by FACTDESK_TEST_PG_URL (our own cluster is deleted whole).
    A test that uses PostgreSQL must carry the `integration` mark (`-m "not integration"` then
    leaves out exactly the tests that need a server).
    """
    if request.node.get_closest_marker("integration") is None:
        pytest.fail(f"{request.node.nodeid} uses PostgreSQL: mark it @pytest.mark.integration")
    return create_database(pg_url)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    yield
    url = os.environ.get("FACTDESK_TEST_PG_URL")
    if not (url and _CREATED):
        return
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
        for name in _CREATED:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.integration)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """What `open_store` would be given for this backend: a file path or a postgresql:// URL."""
    if backend == "sqlite":
        return str(tmp_path / "store.db")
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def store(store_url: str) -> Iterator[Any]:
    """An empty store of the parametrised backend with 8-dimensional vectors."""
    if store_url.startswith("postgresql://"):
        from factdesk.store.postgres import PostgresStore

        s: Any = PostgresStore(store_url, dim=DIM)
    else:
        s = SQLiteStore(store_url, dim=DIM)
    try:
        yield s
    finally:
        s.close()
