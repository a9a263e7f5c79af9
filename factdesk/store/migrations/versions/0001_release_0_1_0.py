"""The schema of factdesk 0.1.0, the last release before versioned schemas.

Revision ID: 0001
Revises:
Create Date: 2026-12-04

What that release created on first use, in one place: the evidence tables, the fact-check
records with their listing columns (its `_migrate_checks()` added them to older stores and
filled them from the stored records), audit, users, sessions, the claim and recurring-claims
tables, and on PostgreSQL the pgvector copies of cached check vectors. Every statement is
idempotent, so the same step creates a new store and completes a 0.1.0 store (which carries
no revision): whatever such a store lacks is added, and nothing it holds is changed.

The DDL is a frozen copy: later changes go in later revisions, never here.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    url TEXT, title TEXT, publisher TEXT, published TEXT, language TEXT,
    source_path TEXT, author TEXT, text TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published);
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents(id),
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    published TEXT,
    vector BLOB
);
CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    text, content='passages', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TABLE IF NOT EXISTS checks (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    claim TEXT NOT NULL,
    speaker TEXT,
    rating TEXT,
    claim_date TEXT,
    speaker_title TEXT,
    confidence REAL,
    headline TEXT,
    published TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS checks_fts USING fts5(id UNINDEXED, claim, speaker, body);
CREATE TABLE IF NOT EXISTS check_vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    rowid INTEGER PRIMARY KEY,
    check_id TEXT NOT NULL,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    token_hash TEXT UNIQUE NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS claims (
    id TEXT PRIMARY KEY, document_id TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, quote TEXT, speaker TEXT, speaker_title TEXT, outlet TEXT, claim_date TEXT,
    date_source TEXT, checkworthiness REAL, score REAL, kind TEXT, source TEXT, added TEXT NOT NULL,
    UNIQUE (document_id, start, "end"));
CREATE INDEX IF NOT EXISTS claims_date ON claims (claim_date);
CREATE TABLE IF NOT EXISTS claim_extractions (document_id TEXT PRIMARY KEY, claims INTEGER NOT NULL,
    at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS narratives (id TEXT PRIMARY KEY, representative TEXT NOT NULL, size INTEGER NOT NULL,
    first_seen TEXT, last_seen TEXT, centroid BLOB NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS narrative_members (key TEXT PRIMARY KEY, narrative_id TEXT NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL, speaker TEXT, speaker_title TEXT, outlet TEXT, claim_date TEXT,
    rating TEXT, url TEXT, document_id TEXT, start INTEGER, "end" INTEGER, similarity REAL NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS narrative_members_group ON narrative_members (narrative_id);
CREATE TABLE IF NOT EXISTS narrative_edits (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL,
    action TEXT NOT NULL, narrative_id TEXT NOT NULL, other_id TEXT, member_key TEXT, note TEXT);
CREATE TABLE IF NOT EXISTS alerts (seq INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, at TEXT NOT NULL, alert TEXT)
"""

POSTGRES = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS factdesk_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id text PRIMARY KEY,
    url text, title text, publisher text, published date, language text,
    source_path text, author text, text text NOT NULL,
    added timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS documents_published ON documents (published);
CREATE INDEX IF NOT EXISTS documents_added ON documents (added DESC, id);
CREATE TABLE IF NOT EXISTS passages (
    seq bigserial PRIMARY KEY,
    id text UNIQUE NOT NULL,
    document_id text NOT NULL REFERENCES documents (id),
    idx integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    text text NOT NULL,
    published date,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    embedding vector({dim})
);
CREATE INDEX IF NOT EXISTS passages_document ON passages (document_id);
CREATE INDEX IF NOT EXISTS passages_published ON passages (published);
CREATE INDEX IF NOT EXISTS passages_tsv ON passages USING gin (tsv);
CREATE TABLE IF NOT EXISTS checks (
    id text PRIMARY KEY,
    status text NOT NULL,
    claim text NOT NULL,
    speaker text,
    rating text,
    claim_date text,
    body text NOT NULL DEFAULT '',
    data text NOT NULL,
    created timestamptz NOT NULL,
    updated timestamptz NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (
        to_tsvector('english', claim || ' ' || coalesce(speaker, '') || ' ' || body)) STORED
);
CREATE INDEX IF NOT EXISTS checks_tsv ON checks USING gin (tsv);
CREATE INDEX IF NOT EXISTS checks_updated ON checks (updated DESC);
CREATE TABLE IF NOT EXISTS check_vectors (key text PRIMARY KEY, vector bytea NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq bigserial PRIMARY KEY,
    check_id text NOT NULL,
    at timestamptz NOT NULL,
    "user" text NOT NULL,
    action text NOT NULL,
    note text,
    detail text
);
CREATE INDEX IF NOT EXISTS audit_check ON audit (check_id, seq);
CREATE TABLE IF NOT EXISTS users (
    name text PRIMARY KEY,
    role text NOT NULL,
    token_hash text UNIQUE NOT NULL,
    created timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash text PRIMARY KEY,
    token_hash text NOT NULL,
    csrf text NOT NULL,
    expires double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_embedding ON passages USING hnsw (embedding vector_ip_ops)
    WITH (m = {m}, ef_construction = {ef});
ALTER TABLE check_vectors ADD COLUMN IF NOT EXISTS embedding vector({dim});
CREATE INDEX IF NOT EXISTS check_vectors_embedding ON check_vectors USING hnsw (embedding vector_ip_ops)
    WITH (m = {m}, ef_construction = {ef});
CREATE TABLE IF NOT EXISTS claims (
    id text PRIMARY KEY, document_id text NOT NULL, start integer NOT NULL, "end" integer NOT NULL,
    text text NOT NULL, quote text, speaker text, speaker_title text, outlet text, claim_date text,
    date_source text, checkworthiness double precision, score double precision, kind text, source text,
    added timestamptz NOT NULL DEFAULT clock_timestamp(), UNIQUE (document_id, start, "end"));
CREATE INDEX IF NOT EXISTS claims_date ON claims (claim_date);
CREATE TABLE IF NOT EXISTS claim_extractions (document_id text PRIMARY KEY, claims integer NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE IF NOT EXISTS narratives (id text PRIMARY KEY, representative text NOT NULL, size integer NOT NULL,
    first_seen text, last_seen text, centroid bytea NOT NULL, created text NOT NULL, updated text NOT NULL);
CREATE TABLE IF NOT EXISTS narrative_members (key text PRIMARY KEY, narrative_id text NOT NULL,
    kind text NOT NULL, text text NOT NULL, speaker text, speaker_title text, outlet text, claim_date text,
    rating text, url text, document_id text, start integer, "end" integer, similarity double precision NOT NULL,
    pinned boolean NOT NULL DEFAULT false);
CREATE INDEX IF NOT EXISTS narrative_members_group ON narrative_members (narrative_id);
CREATE TABLE IF NOT EXISTS narrative_edits (seq bigserial PRIMARY KEY, at text NOT NULL, "user" text NOT NULL,
    action text NOT NULL, narrative_id text NOT NULL, other_id text, member_key text, note text);
CREATE TABLE IF NOT EXISTS alerts (seq bigserial PRIMARY KEY, key text UNIQUE NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp(), alert text)
"""

# The listing columns 0.1.0 added to stores made before them (its `_migrate_checks()`).
CHECK_COLUMNS = {
    "sqlite": (("speaker_title", "TEXT"), ("confidence", "REAL"), ("headline", "TEXT"), ("published", "TEXT")),
    "postgresql": (
        ("speaker_title", "text"),
        ("confidence", "double precision"),
        ("headline", "text"),
        ("published", "text"),
    ),
}


def _script(conn: sa.Connection, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            conn.exec_driver_sql(statement)


def _attributes() -> dict[str, Any]:
    """What the caller (factdesk.store.schema) passed: the new store's dim and HNSW settings."""
    config = op.get_context().config
    return dict(config.attributes) if config is not None else {}


def _dim(conn: sa.Connection, meta: str) -> int:
    """The store's vector size: as recorded (a 0.1.0 store), else as the opener asks (a new store)."""
    row = conn.execute(sa.text(f"SELECT value FROM {meta} WHERE key = 'dim'")).fetchone()
    if row is not None:
        return int(row[0])
    dim = int(_attributes().get("dim", 384))
    conn.execute(sa.text(f"INSERT INTO {meta} (key, value) VALUES ('dim', :v)"), {"v": str(dim)})
    return dim


def _fill_check_columns(conn: sa.Connection, dialect: str) -> None:
    from factdesk.types import CheckIndex  # how 0.1.0 read the columns out of a stored record

    have = {c["name"] for c in sa.inspect(conn).get_columns("checks")}
    for name, kind in CHECK_COLUMNS[dialect]:
        if name not in have:
            conn.exec_driver_sql(f"ALTER TABLE checks ADD COLUMN {name} {kind}")
    # Every write sets headline (to '' at least): NULL marks a row written before the columns.
    for cid, data in conn.execute(sa.text("SELECT id, data FROM checks WHERE headline IS NULL")).fetchall():
        ix = CheckIndex.from_stored(json.loads(data))
        conn.execute(
            sa.text("UPDATE checks SET speaker_title=:t, confidence=:c, headline=:h, published=:p WHERE id=:id"),
            {"t": ix.speaker_title, "c": ix.confidence, "h": ix.headline, "p": ix.published, "id": cid},
        )


def _fill_check_embeddings(conn: sa.Connection, dim: int) -> None:
    """Give check vectors cached before pgvector search their `embedding` copy (0.1.0 did it on open)."""
    import numpy as np

    rows = conn.execute(
        sa.text("SELECT key, vector FROM check_vectors WHERE embedding IS NULL AND length(vector) = :n"),
        {"n": 4 * dim},
    ).fetchall()
    for key, blob in rows:
        v: Any = np.frombuffer(bytes(blob), dtype=np.float32)
        text = "[" + ",".join(repr(float(x)) for x in v) + "]"
        conn.execute(
            sa.text("UPDATE check_vectors SET embedding = CAST(:v AS vector) WHERE key = :k"), {"v": text, "k": key}
        )


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    attrs = _attributes()
    if dialect == "sqlite":
        _script(conn, SQLITE)
        _dim(conn, "meta")
        _fill_check_columns(conn, dialect)
    elif dialect == "postgresql":
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS factdesk_meta (key text PRIMARY KEY, value text NOT NULL)")
        dim = _dim(conn, "factdesk_meta")
        m, ef = int(attrs.get("hnsw_m", 16)), int(attrs.get("hnsw_ef_construction", 64))
        _script(conn, POSTGRES.format(dim=dim, m=m, ef=ef))
        _fill_check_columns(conn, dialect)
        _fill_check_embeddings(conn, dim)
    else:  # pragma: no cover
        raise NotImplementedError(f"factdesk stores are SQLite or PostgreSQL, not {dialect}")


def downgrade() -> None:
    raise NotImplementedError("0001 is the first schema: restore a backup (factdesk restore) to go back further")
