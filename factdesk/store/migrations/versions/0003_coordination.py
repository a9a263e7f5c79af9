"""The tables the server processes of one desk share: the change counter and the job queue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

`desk_changes` (one row, bumped after each saved change to a check, read by every process's
public page cache) and `desk_jobs` (a job per row, claimed by one worker) from
`factdesk.store.coordination` (issue 25, part 1), which also creates them with
`CREATE TABLE IF NOT EXISTS` when it opens: a store whose coordination tables were made that
way is completed here without a change. Frozen copy of coordination.py's DDL at commit 49587af.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE = (
    "CREATE TABLE IF NOT EXISTS desk_changes (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO desk_changes VALUES (1, 0)",
    """CREATE TABLE IF NOT EXISTS desk_jobs (
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
)""",
)
POSTGRES = (
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
)
INDEXES = (
    "CREATE INDEX IF NOT EXISTS desk_jobs_status ON desk_jobs (status, seq)",
    "CREATE UNIQUE INDEX IF NOT EXISTS desk_jobs_live_key ON desk_jobs (dedup_key) WHERE status IN ('queued', 'running')",
)


def upgrade() -> None:
    for statement in (SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES) + INDEXES:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS desk_jobs")
    op.execute("DROP TABLE IF EXISTS desk_changes")
