"""Indexes for the listings a busy desk serves.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

- the public archive and the editors' queues list checks of some statuses, newest first
  (`WHERE status IN (...) ORDER BY updated DESC, id`): an index on (status, updated) on both;
- SQLite gains the two indexes PostgreSQL had from the start: a check's history
  (`audit (check_id, rowid)`) and the documents listing (`documents (added DESC, id)`).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS checks_status_updated ON checks (status, updated DESC, id)")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE INDEX IF NOT EXISTS audit_check ON audit (check_id, rowid)")
        op.execute("CREATE INDEX IF NOT EXISTS documents_added ON documents (added DESC, id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS checks_status_updated")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS audit_check")
        op.execute("DROP INDEX IF EXISTS documents_added")
