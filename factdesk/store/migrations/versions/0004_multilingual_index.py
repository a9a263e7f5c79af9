"""The multilingual index of passages: a second vector and the lemmas of each passage.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

Cross-lingual retrieval (issue 24, part 3) keeps beside each passage's English MiniLM vector
a multilingual-e5-small vector (`passages.vector_ml` on SQLite, searched by a second FAISS
index; `passages.embedding_ml` with its own HNSW index on PostgreSQL) and the passage's words
as lemmas in its language (`passages.lemmas`, full-text indexed without a stemmer:
`passages_lemma_fts` on SQLite, the generated `lemma_tsv` on PostgreSQL with the 'simple'
configuration). Both are empty for passages stored before this step;
`factdesk.retrieval.multilingual.index_multilingual` fills them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _columns(conn: sa.Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _attributes() -> dict[str, Any]:
    config = op.get_context().config
    return dict(config.attributes) if config is not None else {}


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        have = _columns(conn, "passages")
        if "vector_ml" not in have:
            op.execute("ALTER TABLE passages ADD COLUMN vector_ml BLOB")
        if "lemmas" not in have:
            op.execute("ALTER TABLE passages ADD COLUMN lemmas TEXT")
        # External content over passages.lemmas: rows are added by the store when it writes lemmas.
        op.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS passages_lemma_fts USING fts5("
            "lemmas, content='passages', content_rowid='rowid', tokenize='unicode61')"
        )
        return
    # The multilingual vector has the size of e5-small's (384), which is the store's MiniLM size
    # too; a store of another size keeps it at 384 all the same.
    attrs = _attributes()
    m, ef = int(attrs.get("hnsw_m", 16)), int(attrs.get("hnsw_ef_construction", 64))
    op.execute("ALTER TABLE passages ADD COLUMN IF NOT EXISTS embedding_ml vector(384)")
    op.execute("ALTER TABLE passages ADD COLUMN IF NOT EXISTS lemmas text")
    op.execute(
        "ALTER TABLE passages ADD COLUMN IF NOT EXISTS lemma_tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(lemmas, ''))) STORED"
    )
    op.execute("CREATE INDEX IF NOT EXISTS passages_lemma_tsv ON passages USING gin (lemma_tsv)")
    op.execute(
        "CREATE INDEX IF NOT EXISTS passages_embedding_ml ON passages USING hnsw (embedding_ml vector_ip_ops) "
        f"WITH (m = {m}, ef_construction = {ef})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS passages_lemma_fts")
        op.execute("ALTER TABLE passages DROP COLUMN lemmas")
        op.execute("ALTER TABLE passages DROP COLUMN vector_ml")
        return
    op.execute("DROP INDEX IF EXISTS passages_embedding_ml")
    op.execute("DROP INDEX IF EXISTS passages_lemma_tsv")
    op.execute("ALTER TABLE passages DROP COLUMN IF EXISTS lemma_tsv")
    op.execute("ALTER TABLE passages DROP COLUMN IF EXISTS lemmas")
    op.execute("ALTER TABLE passages DROP COLUMN IF EXISTS embedding_ml")
