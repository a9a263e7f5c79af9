"""The embedded store: one SQLite file (WAL), FTS5 for BM25, FAISS over stored vectors.

>>> import numpy as np
>>> from factdesk.types import Document, Passage
>>> s = SQLiteStore(":memory:", dim=4)
>>> d = Document(text="Russia began air strikes in Syria on 30 September 2015.", published="2015-10-01")
>>> s.add_document(d, [Passage(d.id, d.text, 0, len(d.text))], np.ones((1, 4), "float32"))
True
>>> [h.passage_id for h in s.lexical_search("air strikes Syria", k=3)] == [Passage(d.id, d.text, 0, len(d.text)).id]
True
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import StoreError
from factdesk.retrieval.query import query_terms
from factdesk.store import schema
from factdesk.store.base import Hit, iter_batches, passages_in_order
from factdesk.types import (
    AuditEntry,
    CheckIndex,
    CheckRecord,
    CheckSummary,
    ClaimMention,
    Document,
    DocumentSummary,
    MemberKind,
    NarrativeEdit,
    NarrativeGroup,
    NarrativeMember,
    Passage,
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _fts_query(text: str) -> str | None:
    terms = query_terms(text)
    if not terms:
        return None
    # Quoting each term makes any user text safe FTS5 syntax.
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


class SQLiteStore:
    """Evidence store in one SQLite file; `path=":memory:"` for tests."""

    def __init__(self, path: str | os.PathLike[str] = "factdesk.db", dim: int = 384) -> None:
        self.path = str(path)
        self.dim = dim
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(
                    f"cannot create the store {self.path}: folder {parent} does not exist "
                    "(create it first, or pass --db with a path in an existing folder)"
                )
        try:
            self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            # A new store is created at the newest schema; an older or newer one is refused.
            schema.prepare_sqlite(self._conn, self.path, dim)
            row = self._conn.execute("SELECT value FROM meta WHERE key='dim'").fetchone()
            if row is not None and int(row[0]) != dim:
                raise StoreError(f"{self.path} holds {row[0]}-dimensional vectors, not {dim}: use a new --db")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc} (is it a factdesk SQLite file?)") from exc
        self._lock = threading.RLock()
        self._index: Any = None  # faiss index over rows [0, _indexed)
        self._index_rowids = np.zeros(0, dtype=np.int64)
        self._index_dates: list[str | None] = []

    # --- evidence -----------------------------------------------------------------------------
    def has_document(self, document_id: str) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM documents WHERE id=?", (document_id,)).fetchone() is not None

    def add_document(self, document: Document, passages: Sequence[Passage], vectors: np.ndarray) -> bool:
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(passages) != len(vectors):
            raise ValueError(f"{len(passages)} passages but {len(vectors)} vectors")
        published = document.published.isoformat() if document.published else None
        with self._lock:
            if self.has_document(document.id):
                return False
            try:
                with self._conn:  # one transaction: all of the document or none of it
                    self._conn.execute(
                        "INSERT INTO documents (id, url, title, publisher, published, language, source_path,"
                        " author, text, added) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (
                            document.id,
                            document.url,
                            document.title,
                            document.publisher,
                            published,
                            document.language,
                            document.source_path,
                            document.author,
                            document.text,
                            _now(),
                        ),
                    )
                    for p, v in zip(passages, vectors):
                        cur = self._conn.execute(
                            'INSERT OR IGNORE INTO passages (id, document_id, idx, start, "end", text, published, vector)'
                            " VALUES (?,?,?,?,?,?,?,?)",
                            (p.id, document.id, p.index, p.start, p.end, p.text, published, v.tobytes()),
                        )
                        if cur.rowcount:
                            self._conn.execute(
                                "INSERT INTO passages_fts(rowid, text) VALUES (?, ?)", (cur.lastrowid, p.text)
                            )
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"could not store {document.source_path or document.id}: {exc}") from exc
        return True

    def _row_to_document(self, r: Sequence[Any]) -> Document:
        return Document(
            id=r[0],
            url=r[1],
            title=r[2],
            publisher=r[3],
            published=r[4],
            language=r[5],
            source_path=r[6],
            author=r[7],
            text=r[8],
        )

    _DOC_COLS = "id, url, title, publisher, published, language, source_path, author, text"

    def get_document(self, document_id: str) -> Document | None:
        with self._lock:
            r = self._conn.execute(f"SELECT {self._DOC_COLS} FROM documents WHERE id=?", (document_id,)).fetchone()
        return self._row_to_document(r) if r else None

    def get_passages(self, passage_ids: Sequence[str]) -> list[tuple[Passage, Document]]:
        if not passage_ids:
            return []
        ids = list(dict.fromkeys(passage_ids))
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._conn.execute(
                f'SELECT p.id, p.document_id, p.idx, p.start, p."end", p.text, '
                f"d.id, d.url, d.title, d.publisher, d.published, d.language, d.source_path, d.author, '' "
                f"FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id IN ({marks})",
                ids,
            ).fetchall()
        return passages_in_order(rows, ids, self._row_to_document)

    def lexical_search(self, query: str, k: int, before: dt.date | None = None) -> list[Hit]:
        q = _fts_query(query)
        if q is None or k <= 0:
            return []
        sql = (
            "SELECT p.id, bm25(passages_fts) AS s FROM passages_fts JOIN passages p ON p.rowid = passages_fts.rowid "
            "WHERE passages_fts MATCH ?"
        )
        args: list[Any] = [q]
        if before is not None:
            sql += " AND p.published IS NOT NULL AND p.published < ?"
            args.append(before.isoformat())
        sql += " ORDER BY s LIMIT ?"
        args.append(k)
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [Hit(r[0], -float(r[1])) for r in rows]

    def _refresh_index(self) -> None:
        import faiss

        last = int(self._index_rowids[-1]) if len(self._index_rowids) else 0
        rows = self._conn.execute(
            "SELECT rowid, vector, published FROM passages WHERE rowid > ? AND vector IS NOT NULL ORDER BY rowid",
            (last,),
        ).fetchall()
        if self._index is None:
            # One query at a time: OpenMP threads cost more than they save (measured at 100k
            # vectors: 12 ms single-threaded vs 21 ms with 2 threads, far worse under load).
            faiss.omp_set_num_threads(1)
            self._index = faiss.IndexFlatIP(self.dim)
        if rows:
            mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), self.dim)
            self._index.add(np.ascontiguousarray(mat))
            self._index_rowids = np.concatenate([self._index_rowids, np.array([r[0] for r in rows], np.int64)])
            self._index_dates.extend(r[2] for r in rows)

    def dense_search(self, vector: np.ndarray, k: int, before: dt.date | None = None) -> list[Hit]:
        if k <= 0:
            return []
        q = np.asarray(vector, dtype=np.float32).reshape(1, self.dim)
        with self._lock:
            self._refresh_index()
            n = self._index.ntotal
            if n == 0:
                return []
            want = k if before is None else min(n, max(k * 20, 200))
            while True:
                scores, idx = self._index.search(q, min(want, n))
                picked: list[tuple[int, float]] = []
                cutoff = before.isoformat() if before else None
                for s, i in zip(scores[0], idx[0]):
                    if i < 0:
                        continue
                    if cutoff is not None:
                        d = self._index_dates[i]
                        if d is None or d >= cutoff:
                            continue
                    picked.append((int(self._index_rowids[i]), float(s)))
                    if len(picked) >= k:
                        break
                if len(picked) >= k or want >= n:
                    break
                want = min(n, want * 8)
            if not picked:
                return []
            marks = ",".join("?" * len(picked))
            ids = dict(
                self._conn.execute(
                    f"SELECT rowid, id FROM passages WHERE rowid IN ({marks})", [r for r, _ in picked]
                ).fetchall()
            )
        return [Hit(ids[r], s) for r, s in picked if r in ids]

    def list_documents(self, limit: int = 50, offset: int = 0, query: str | None = None) -> list[Document]:
        with self._lock:
            if query:
                q = _fts_query(query)
                if q is None:
                    return []
                rows = self._conn.execute(
                    f"SELECT DISTINCT {', '.join('d.' + c.strip() for c in self._DOC_COLS.split(','))} "
                    "FROM passages_fts JOIN passages p ON p.rowid = passages_fts.rowid "
                    "JOIN documents d ON d.id = p.document_id WHERE passages_fts MATCH ? LIMIT ? OFFSET ?",
                    (q, limit, offset),
                ).fetchall()
            else:
                rows = self._conn.execute(
                    f"SELECT {self._DOC_COLS} FROM documents ORDER BY added DESC, id LIMIT ? OFFSET ?",
                    (limit, offset),
                ).fetchall()
        return [self._row_to_document(r) for r in rows]

    def list_document_summaries(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> list[DocumentSummary]:
        n = DocumentSummary.SNIPPET
        cols = f"d.id, d.title, d.publisher, d.url, d.published, d.source_path, substr(d.text, 1, {n + 1})"
        with self._lock:
            if query:
                q = _fts_query(query)
                if q is None:
                    return []
                rows = self._conn.execute(
                    f"SELECT {cols} FROM documents d WHERE d.id IN (SELECT p.document_id FROM passages_fts "
                    "JOIN passages p ON p.rowid = passages_fts.rowid WHERE passages_fts MATCH ?) "
                    "ORDER BY d.added DESC, d.id LIMIT ? OFFSET ?",
                    (q, limit, offset),
                ).fetchall()
            else:
                rows = self._conn.execute(
                    f"SELECT {cols} FROM documents d ORDER BY d.added DESC, d.id LIMIT ? OFFSET ?", (limit, offset)
                ).fetchall()
        return [
            DocumentSummary(
                id=r[0],
                title=r[1],
                publisher=r[2],
                url=r[3],
                published=r[4],
                source_path=r[5],
                snippet=r[6][:n],
                truncated=len(r[6]) > n,
            )
            for r in rows
        ]

    def stats(self) -> dict[str, int]:
        with self._lock:
            docs = self._conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            passages = self._conn.execute("SELECT count(*) FROM passages").fetchone()[0]
            checks = self._conn.execute("SELECT count(*) FROM checks").fetchone()[0]
        return {"documents": docs, "passages": passages, "checks": checks}

    def integrity_check(self) -> bool:
        """True when SQLite and the FTS index agree with the tables (used by tests and `doctor`)."""
        with self._lock:
            ok = self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            self._conn.execute("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")
            orphans = self._conn.execute(
                "SELECT count(*) FROM passages p LEFT JOIN documents d ON d.id = p.document_id WHERE d.id IS NULL"
            ).fetchone()[0]
        return ok and orphans == 0

    # --- fact-checks (the CheckStore contract) ------------------------------------------------
    # Listings read the indexed columns only; `data` (the whole record, JSON) is read by id. `data`
    # is the last column, so a listing never walks a large record's overflow pages (in stores
    # made before the listing columns, ALTER TABLE put them after it: correct, a little slower).
    _SUMMARY_COLS = (
        "c.id, c.status, c.claim, c.speaker, c.speaker_title, c.claim_date, c.rating, c.confidence, "
        "c.headline, c.created, c.updated, c.published"
    )

    def _write_check(self, check_id: str, status: str, ix: CheckIndex, payload: str) -> None:
        now = _now()
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO checks (id, status, claim, speaker, speaker_title, rating, confidence, claim_date, "
                "headline, published, data, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET status=excluded.status, claim=excluded.claim, "
                "speaker=excluded.speaker, speaker_title=excluded.speaker_title, rating=excluded.rating, "
                "confidence=excluded.confidence, claim_date=excluded.claim_date, headline=excluded.headline, "
                "published=excluded.published, data=excluded.data, updated=excluded.updated",
                (
                    check_id,
                    status,
                    ix.claim,
                    ix.speaker,
                    ix.speaker_title,
                    ix.rating,
                    ix.confidence,
                    ix.claim_date,
                    ix.headline,
                    ix.published,
                    payload,
                    now,
                    now,
                ),
            )
            self._conn.execute("DELETE FROM checks_fts WHERE id=?", (check_id,))
            self._conn.execute(
                "INSERT INTO checks_fts (id, claim, speaker, body) VALUES (?,?,?,?)",
                (check_id, ix.claim, ix.speaker or "", ix.body),
            )

    def save_record(self, record: CheckRecord) -> None:
        self._write_check(record.id, record.status, record.index(), json.dumps(record.to_dict()))

    def get_record(self, check_id: str) -> CheckRecord | None:
        raw = self.get_check(check_id)
        if raw is None:
            return None
        history = [AuditEntry.from_dict(a) for a in self.list_audit(check_id)]
        return CheckRecord.from_dict(
            raw["data"],
            status=raw["status"],
            check_id=raw["id"],
            created=raw["created"],
            updated=raw["updated"],
            history=history,
        )

    def save_check(self, check_id: str, data: dict[str, Any], status: str) -> None:
        self._write_check(check_id, status, CheckIndex.from_stored(data), json.dumps(data))

    def get_check(self, check_id: str) -> dict[str, Any] | None:
        with self._lock:
            r = self._conn.execute(
                "SELECT id, status, data, created, updated FROM checks WHERE id=?", (check_id,)
            ).fetchone()
        if r is None:
            return None
        return {"id": r[0], "status": r[1], "data": json.loads(r[2]), "created": r[3], "updated": r[4]}

    def _check_filter(
        self,
        status: str | Sequence[str] | None,
        query: str | None,
        rating: str | None,
        speaker: str | None,
        since: str | None = None,
        until: str | None = None,
    ) -> tuple[str, list[Any]] | None:
        """The FROM/WHERE of a check listing and its arguments; None when the query has no words."""
        sql = " FROM checks c"
        where: list[str] = []
        args: list[Any] = []
        if query:
            q = _fts_query(query)
            if q is None:
                return None
            sql += " JOIN checks_fts f ON f.id = c.id"
            where.append("checks_fts MATCH ?")
            args.append(q)
        if isinstance(status, str) and status:
            where.append("c.status = ?")
            args.append(status)
        elif status:  # any of several
            where.append(f"c.status IN ({','.join(['?'] * len(status))})")
            args.extend(status)
        if rating:
            where.append("c.rating = ?")
            args.append(rating)
        if speaker:
            where.append("lower(c.speaker) LIKE ? ESCAPE '\\'")
            esc = speaker.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            args.append(f"%{esc}%")
        if since:  # ISO dates compare as text
            where.append("c.claim_date >= ?")
            args.append(since)
        if until:
            where.append("substr(c.claim_date, 1, 10) <= ?")
            args.append(until)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql, args

    def list_checks(
        self,
        status: str | None = None,
        query: str | None = None,
        rating: str | None = None,
        speaker: str | None = None,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        found = self._check_filter(status, query, rating, speaker)
        if found is None:
            return []
        sql, args = found
        with self._lock:
            rows = self._conn.execute(
                "SELECT c.id, c.status, c.data, c.created, c.updated" + sql + " ORDER BY c.updated DESC LIMIT ?",
                [*args, limit],
            ).fetchall()
        return [{"id": r[0], "status": r[1], "data": json.loads(r[2]), "created": r[3], "updated": r[4]} for r in rows]

    def list_summaries(
        self,
        status: str | Sequence[str] | None = None,
        query: str | None = None,
        rating: str | None = None,
        speaker: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 50,
    ) -> list[CheckSummary]:
        found = self._check_filter(status, query, rating, speaker, since, until)
        if found is None:
            return []
        sql, args = found
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {self._SUMMARY_COLS}" + sql + " ORDER BY c.updated DESC, c.id LIMIT ?", [*args, limit]
            ).fetchall()
        return [
            CheckSummary(
                id=r[0],
                status=r[1],
                claim=r[2],
                speaker=r[3],
                speaker_title=r[4],
                date=r[5],
                verdict=r[6],
                confidence=r[7],
                headline=r[8] or "",
                created=r[9],
                updated=r[10],
                published=r[11],
            )
            for r in rows
        ]

    def get_check_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for batch in iter_batches(keys, 500):
                rows = self._conn.execute(
                    f"SELECT key, vector FROM check_vectors WHERE key IN ({','.join('?' * len(batch))})", batch
                ).fetchall()
                out.update((k, np.frombuffer(v, dtype=np.float32).copy()) for k, v in rows)
        return out

    def save_check_vectors(self, vectors: Mapping[str, np.ndarray]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO check_vectors (key, vector) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()],
            )

    def add_audit(self, check_id: str, user: str, action: str, note: str, detail: dict[str, Any]) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO audit (check_id, at, user, action, note, detail) VALUES (?,?,?,?,?,?)",
                (check_id, _now(), user, action, note, json.dumps(detail)),
            )

    def list_audit(self, check_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT at, user, action, note, detail FROM audit WHERE check_id=? ORDER BY rowid", (check_id,)
            ).fetchall()
        return [
            {"at": r[0], "user": r[1], "action": r[2], "note": r[3], "detail": json.loads(r[4] or "{}")} for r in rows
        ]

    def add_user(self, name: str, role: str, token_hash: str) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO users (name, role, token_hash, created) VALUES (?,?,?,?) "
                "ON CONFLICT(name) DO UPDATE SET role=excluded.role, token_hash=excluded.token_hash",
                (name, role, token_hash, _now()),
            )

    def get_user_by_token_hash(self, token_hash: str) -> dict[str, Any] | None:
        with self._lock:
            r = self._conn.execute("SELECT name, role FROM users WHERE token_hash=?", (token_hash,)).fetchone()
        return {"name": r[0], "role": r[1]} if r else None

    # --- login sessions (server-side, so logging out ends them) ---------------------------------
    def add_session(self, session_hash: str, token_hash: str, csrf: str, expires: float) -> None:
        """Keep a login session until `expires` (Unix seconds); expired sessions are dropped here."""
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            self._conn.execute(
                "INSERT OR REPLACE INTO sessions (id_hash, token_hash, csrf, expires) VALUES (?,?,?,?)",
                (session_hash, token_hash, csrf, float(expires)),
            )

    def get_session(self, session_hash: str) -> dict[str, Any] | None:
        """{"name", "role", "csrf"} of a live session whose user still holds the token it logged in with."""
        with self._lock:
            r = self._conn.execute(
                "SELECT u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.token_hash = s.token_hash "
                "WHERE s.id_hash = ? AND s.expires >= ?",
                (session_hash, time.time()),
            ).fetchone()
        return {"name": r[0], "role": r[1], "csrf": r[2]} if r else None

    def delete_session(self, session_hash: str) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM sessions WHERE id_hash = ?", (session_hash,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- claims found in the corpus, and recurring claims (ClaimStore, NarrativeStore) ----------
    _CLAIM_COLS = (
        'id, document_id, start, "end", text, quote, speaker, speaker_title, outlet, claim_date, '
        "date_source, checkworthiness, score, kind, source"
    )
    _MEMBER_COLS = (
        "key, narrative_id, kind, text, speaker, speaker_title, outlet, claim_date, rating, url, "
        'document_id, start, "end", similarity, pinned'
    )

    def add_claims(self, mentions: Sequence[ClaimMention]) -> int:
        rows = [
            (
                m.id,
                m.document_id,
                m.start,
                m.end,
                m.text,
                m.quote,
                m.speaker,
                m.speaker_title,
                m.outlet,
                m.date.isoformat() if m.date else None,
                m.date_source,
                m.checkworthiness,
                m.score,
                m.kind,
                m.source,
                _now(),
            )
            for m in mentions
        ]
        conn = self._conn
        with self._lock, conn:
            before = conn.total_changes
            conn.executemany(
                f"INSERT OR IGNORE INTO claims ({self._CLAIM_COLS}, added) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            return conn.total_changes - before

    def list_claims(
        self,
        since: str | None = None,
        until: str | None = None,
        document_id: str | None = None,
        limit: int | None = None,
    ) -> list[ClaimMention]:
        where: list[str] = []
        args: list[Any] = []
        for cond, value in (("claim_date >= ?", since), ("claim_date <= ?", until), ("document_id = ?", document_id)):
            if value:
                where.append(cond)
                args.append(value)
        sql = f"SELECT {self._CLAIM_COLS} FROM claims" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY claim_date IS NULL, claim_date, document_id, start"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        conn = self._conn
        with self._lock:
            rows = conn.execute(sql, args).fetchall()
        return [
            ClaimMention(
                id=r[0],
                document_id=r[1],
                start=r[2],
                end=r[3],
                text=r[4],
                quote=r[5],
                speaker=r[6],
                speaker_title=r[7],
                outlet=r[8],
                date=r[9],
                date_source=r[10],
                checkworthiness=r[11] or 0.0,
                score=r[12] or 0.0,
                kind=r[13] or "statement",
                source=r[14],
            )
            for r in rows
        ]

    def mark_extracted(self, document_id: str, claims: int) -> None:
        conn = self._conn
        with self._lock, conn:
            conn.execute(
                "INSERT OR REPLACE INTO claim_extractions (document_id, claims, at) VALUES (?,?,?)",
                (document_id, claims, _now()),
            )

    def extracted_documents(self) -> set[str]:
        conn = self._conn
        with self._lock:
            return {r[0] for r in conn.execute("SELECT document_id FROM claim_extractions")}

    def save_narratives(
        self,
        groups: Sequence[tuple[NarrativeGroup, np.ndarray]],
        members: Sequence[NarrativeMember],
        deleted: Sequence[str] = (),
    ) -> None:
        now = _now()
        conn = self._conn
        with self._lock, conn:
            for gid in deleted:  # before the upserts: a merge deletes a group and re-points its members
                conn.execute("DELETE FROM narratives WHERE id = ?", (gid,))
                conn.execute("DELETE FROM narrative_members WHERE narrative_id = ?", (gid,))
            conn.executemany(
                "INSERT INTO narratives (id, representative, size, first_seen, last_seen, centroid, created, updated) "
                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET representative=excluded.representative, "
                "size=excluded.size, first_seen=excluded.first_seen, last_seen=excluded.last_seen, "
                "centroid=excluded.centroid, updated=excluded.updated",
                [
                    (
                        g.id,
                        g.representative,
                        g.size,
                        g.first_seen,
                        g.last_seen,
                        np.asarray(c, dtype=np.float32).tobytes(),
                        g.created or now,
                        now,
                    )
                    for g, c in groups
                ],
            )
            conn.executemany(
                f"INSERT OR REPLACE INTO narrative_members ({self._MEMBER_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        m.key,
                        m.narrative_id,
                        m.kind.value,
                        m.text,
                        m.speaker,
                        m.speaker_title,
                        m.outlet,
                        m.date,
                        m.rating,
                        m.url,
                        m.document_id,
                        m.start,
                        m.end,
                        m.similarity,
                        int(m.pinned),
                    )
                    for m in members
                ],
            )

    def list_narrative_groups(self) -> list[NarrativeGroup]:
        conn = self._conn
        with self._lock:
            rows = conn.execute(
                "SELECT id, representative, size, first_seen, last_seen, created, updated FROM narratives ORDER BY id"
            ).fetchall()
        return [
            NarrativeGroup(
                id=r[0], representative=r[1], size=r[2], first_seen=r[3], last_seen=r[4], created=r[5], updated=r[6]
            )
            for r in rows
        ]

    def narrative_centroids(self) -> dict[str, np.ndarray]:
        conn = self._conn
        with self._lock:
            rows = conn.execute("SELECT id, centroid FROM narratives").fetchall()
        return {r[0]: np.frombuffer(r[1], dtype=np.float32).copy() for r in rows}

    def list_narrative_members(self, narrative_id: str | None = None) -> list[NarrativeMember]:
        sql = f"SELECT {self._MEMBER_COLS} FROM narrative_members"
        args: list[Any] = []
        if narrative_id is not None:
            sql += " WHERE narrative_id = ?"
            args.append(narrative_id)
        conn = self._conn
        with self._lock:
            rows = conn.execute(sql + " ORDER BY claim_date IS NULL, claim_date, key", args).fetchall()
        return [
            NarrativeMember(
                key=r[0],
                narrative_id=r[1],
                kind=MemberKind(r[2]),
                text=r[3],
                speaker=r[4],
                speaker_title=r[5],
                outlet=r[6],
                date=r[7],
                rating=r[8],
                url=r[9],
                document_id=r[10],
                start=r[11],
                end=r[12],
                similarity=float(r[13]),
                pinned=bool(r[14]),
            )
            for r in rows
        ]

    def add_narrative_edit(self, edit: NarrativeEdit) -> None:
        conn = self._conn
        with self._lock, conn:
            conn.execute(
                "INSERT INTO narrative_edits (at, user, action, narrative_id, other_id, member_key, note) "
                "VALUES (?,?,?,?,?,?,?)",
                (edit.at, edit.user, edit.action, edit.narrative_id, edit.other_id, edit.member_key, edit.note),
            )

    def list_narrative_edits(self) -> list[NarrativeEdit]:
        conn = self._conn
        with self._lock:
            rows = conn.execute(
                "SELECT action, narrative_id, other_id, member_key, user, note, at FROM narrative_edits ORDER BY seq"
            ).fetchall()
        return [
            NarrativeEdit(
                action=r[0], narrative_id=r[1], other_id=r[2], member_key=r[3], user=r[4], note=r[5] or "", at=r[6]
            )
            for r in rows
        ]

    def add_alert(self, key: str, alert: dict[str, Any] | None) -> bool:
        conn = self._conn
        with self._lock, conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO alerts (key, at, alert) VALUES (?,?,?)",
                (key, _now(), None if alert is None else json.dumps(alert)),
            )
            return cur.rowcount > 0

    def alert_keys(self) -> set[str]:
        conn = self._conn
        with self._lock:
            return {r[0] for r in conn.execute("SELECT key FROM alerts")}

    def list_alerts(self, limit: int = 100) -> list[dict[str, Any]]:
        conn = self._conn
        with self._lock:
            rows = conn.execute(
                "SELECT alert FROM alerts WHERE alert IS NOT NULL ORDER BY seq DESC LIMIT ?", (limit,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]
