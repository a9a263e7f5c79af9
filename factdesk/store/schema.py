"""The store's schema version: what a store holds, what this factdesk needs, and the upgrade.

Every store records its schema revision in Alembic's `alembic_version` table; the steps are
the Alembic revisions shipped in `factdesk/store/migrations/versions/`, for SQLite and
PostgreSQL alike. The rules:

- a **new, empty** store is created at the newest revision when a desk first opens it;
- an **older** store (including a factdesk 0.1.0 store, which carries no revision) is
  never changed on open: the desk refuses it and says to run `factdesk db upgrade`;
- a **newer** store (a revision this factdesk does not know) is refused: upgrade factdesk;
- `upgrade()` runs every pending step in **one transaction** (PostgreSQL's DDL is
  transactional; on SQLite the steps run between an explicit BEGIN IMMEDIATE and COMMIT),
  so a step that fails leaves the store as it was.

>>> import sqlite3
>>> conn = sqlite3.connect(":memory:")
>>> state = prepare_sqlite(conn, ":memory:", dim=4)  # a new store: created at the head revision
>>> state.status, state.revision == head(), state_of_sqlite(conn).revision == head()
('current', True, True)
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factdesk.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_ADVISORY_LOCK = 74667864  # the same key 0.1.0 took while creating tables
# Alembic's `context` and `op` are process-wide proxies: two threads running steps at once
# would share them (and deadlock). Processes are told apart by the database's own locks.
_RUN_LOCK = threading.Lock()


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


@functools.lru_cache(maxsize=1)
def _script() -> Any:
    """Alembic's view of the steps (imported only to run them: it costs ~0.3 s to import)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def _config(**attributes: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes.update(attributes)
    return cfg


_REVISION = re.compile(r"^revision = ['\"](\w+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision = (?:None|['\"](\w+)['\"])", re.M)


@functools.lru_cache(maxsize=4)
def _steps(folder: Path) -> tuple[tuple[str, str], ...]:
    """(revision, first docstring line) of each step, oldest first, read from the files without
    importing Alembic, so that opening a store stays cheap (a test checks Alembic agrees)."""
    found: dict[str | None, tuple[str, str]] = {}
    for f in sorted((folder / "versions").glob("*.py")):
        text = f.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            raise StoreError(f"{f} is not a schema step (it lacks revision = or down_revision =)")
        doc = text.split('"""')[1].strip().splitlines()[0] if '"""' in text else ""
        found[down.group(1)] = (rev.group(1), doc)
    chain, at = [], None
    while at in found:
        chain.append(found[at])
        at = found[at][0]
    if len(chain) != len(found):
        raise StoreError(f"the schema steps in {folder} do not form one line from the first")
    return tuple(chain)


def head() -> str:
    """The newest schema revision this factdesk knows."""
    return revisions()[-1][0]


def revisions() -> list[tuple[str, str]]:
    """(revision, one-line description) of every known step, oldest first."""
    return list(_steps(MIGRATIONS))


@dataclass
class SchemaState:
    """What a store holds. `revision` None: no revision recorded (`empty` tells a new store
    from a factdesk 0.1.0 one, which has tables but no revision)."""

    db: str
    revision: str | None
    empty: bool
    head: str = field(default_factory=head)

    @property
    def known(self) -> bool:
        return self.revision is None or self.revision in {r for r, _ in revisions()}

    @property
    def pending(self) -> list[tuple[str, str]]:
        """The steps `upgrade()` would run, oldest first."""
        if not self.known:
            return []
        steps = revisions()
        if self.revision is None:
            return steps
        at = [r for r, _ in steps].index(self.revision)
        return steps[at + 1 :]

    @property
    def status(self) -> str:
        """ "current", "new" (empty: created on first use), "behind", "unversioned" (0.1.0) or "ahead"."""
        if not self.known:
            return "ahead"
        if self.revision == self.head:
            return "current"
        if self.revision is None:
            return "new" if self.empty else "unversioned"
        return "behind"

    def describe(self) -> str:
        held = self.revision or ("none (an empty store)" if self.empty else "none (made by factdesk 0.1.0)")
        return f"schema revision {held}; this factdesk's newest is {self.head}"

    def refusal(self) -> str | None:
        """Why a desk must not open this store, with what to do; None when it may."""
        if self.status in ("current", "new"):
            return None
        if self.status == "ahead":
            return (
                f"the store {self.db} has schema revision {self.revision}, newer than this factdesk knows "
                f"(up to {self.head}): it was upgraded by a newer factdesk. Upgrade factdesk "
                "(pip install -U factdesk) to open it; this version will not read or change it"
            )
        steps = ", ".join(r for r, _ in self.pending)
        return (
            f"the store {self.db} has {self.describe()}: run `factdesk db upgrade --db {self.db}` "
            f"(pending: {steps}; back it up first with `factdesk backup PATH --db {self.db}`)"
        )


# --- reading the revision without Alembic (every store open does this) ---------------------------
# A store is "empty" (new) while it lacks the table every factdesk store has had since 0.1.0;
# tables other parts create on their own first use (the coordination tables) do not count.
_CORE_TABLE = "documents"


def state_of_sqlite(conn: sqlite3.Connection, db: str = ":memory:") -> SchemaState:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    revision = None
    if "alembic_version" in names:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return SchemaState(db, revision, empty=_CORE_TABLE not in names)


def state_of_postgres(conn: Any, db: str) -> SchemaState:
    """`conn`: a psycopg connection."""
    has_version, has_core = conn.execute(
        "SELECT to_regclass('alembic_version') IS NOT NULL, to_regclass(%s) IS NOT NULL", (_CORE_TABLE,)
    ).fetchone()
    revision = None
    if has_version:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return SchemaState(db, revision, empty=not has_core)


# --- running the steps ----------------------------------------------------------------------------
def run_in_context(context: Any, connection: Any) -> None:
    """Called by migrations/env.py: the steps on `connection`, inside the caller's transaction."""
    context.configure(connection=connection, transactional_ddl=True, transaction_per_migration=False)
    if connection.dialect.name == "postgresql":
        # Two processes upgrading (or creating) one database at once: the second waits, then finds it done.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})")
    with context.begin_transaction():
        context.run_migrations()


def _upgrade_on(connection: Any, target: str, attributes: dict[str, Any]) -> None:
    from alembic import command

    command.upgrade(_config(connection=connection, **attributes), target)


def _sqlite_upgrade(conn: sqlite3.Connection, db: str, target: str, attributes: dict[str, Any]) -> None:
    """Every pending step between BEGIN IMMEDIATE and COMMIT on the store's own connection."""
    import sqlalchemy as sa
    from sqlalchemy.pool import StaticPool

    engine = sa.create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)
    saved = conn.isolation_level
    # pysqlite would begin transactions only before DML (and not before DDL): take them over.
    conn.isolation_level = None
    try:
        with _RUN_LOCK, engine.connect() as sa_conn:
            with sa_conn.begin():
                sa_conn.exec_driver_sql("BEGIN IMMEDIATE")
                _upgrade_on(sa_conn, target, attributes)
    except Exception as exc:
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"the schema upgrade of {db} failed and was rolled back: {reason}") from exc
    finally:
        if conn.in_transaction:  # a step failed after BEGIN and SQLAlchemy could not roll back
            conn.rollback()
        conn.isolation_level = saved


def _pg_engine(db: str) -> Any:
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    url = "postgresql+psycopg://" + db.split("://", 1)[1]
    return sa.create_engine(url, poolclass=NullPool)


def _postgres_upgrade(db: str, target: str, attributes: dict[str, Any]) -> None:
    engine = _pg_engine(db)
    try:
        with _RUN_LOCK, engine.connect() as sa_conn:
            with sa_conn.begin():
                _upgrade_on(sa_conn, target, attributes)
    except Exception as exc:
        reason = getattr(exc, "orig", None) or exc
        raise StoreError(f"the schema upgrade of {_redact(db)} failed and was rolled back: {reason}") from exc
    finally:
        engine.dispose()


def _redact(db: str) -> str:
    from factdesk.store.postgres import _redact as redact

    return redact(db)


def prepare_sqlite(conn: sqlite3.Connection, db: str, dim: int) -> SchemaState:
    """On open: create a new store at the head revision; refuse an older or newer one (StoreError)."""
    state = state_of_sqlite(conn, db)
    if state.status == "new":
        _sqlite_upgrade(conn, db, "head", {"dim": dim})
        state = state_of_sqlite(conn, db)
    reason = state.refusal()
    if reason:
        raise StoreError(reason)
    return state


def prepare_postgres(conn: Any, db: str, dim: int, **attributes: Any) -> SchemaState:
    """On open (`conn`: the store's psycopg connection): as `prepare_sqlite`."""
    state = state_of_postgres(conn, db)
    if state.status == "new":
        _ensure_pgvector(conn, db)
        _postgres_upgrade(db, "head", {"dim": dim, **attributes})
        state = state_of_postgres(conn, db)
    reason = state.refusal()
    if reason:
        raise StoreError(reason)
    return state


def _ensure_pgvector(conn: Any, db: str) -> None:
    import psycopg

    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    try:
        with conn.transaction():  # under the lock: two processes creating it at once would collide
            conn.execute(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})")
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise StoreError(
            f"the database at {_redact(db)} lacks pgvector and cannot add it ({exc}): "
            "install pgvector (scripts/pg.sh install) and run CREATE EXTENSION vector as a superuser"
        ) from exc


# --- the library behind `factdesk db status` and `factdesk db upgrade` ------------------------------
def status(db: str) -> SchemaState:
    """The schema state of the store at `db` (a SQLite path or a postgresql:// URL); changes nothing."""
    if is_postgres(db):
        import psycopg

        try:
            with psycopg.connect(db, autocommit=True, connect_timeout=5) as pg:
                return state_of_postgres(pg, db)
        except psycopg.Error as exc:
            raise StoreError(f"cannot read {_redact(db)}: {' '.join(str(exc).split())}") from exc
    path = Path(db).expanduser()
    if not path.exists():
        return SchemaState(db, None, empty=True)
    conn = _sqlite_connect(db)
    try:
        return state_of_sqlite(conn, db)
    finally:
        conn.close()


def _sqlite_connect(db: str) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(db, timeout=30)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open the store {db}: {exc} (is it a factdesk SQLite file?)") from exc
    return conn


def upgrade(db: str, revision: str = "head", dim: int = 384) -> tuple[SchemaState, SchemaState]:
    """Bring the store at `db` to `revision` (default: the newest); returns (before, after).

    All pending steps run in one transaction: when one fails, StoreError says which, and the
    store is left as it was. A new, empty store is created (with `dim`-sized vectors).
    """
    before = status(db)
    if before.status == "ahead":
        raise StoreError(before.refusal() or "")
    if is_postgres(db):
        import psycopg

        with psycopg.connect(db, autocommit=True, connect_timeout=5) as pg:
            _ensure_pgvector(pg, db)
        _postgres_upgrade(db, revision, {"dim": dim})
    else:
        conn = _sqlite_connect(db)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            _sqlite_upgrade(conn, db, revision, {"dim": dim})
        finally:
            conn.close()
    return before, status(db)
