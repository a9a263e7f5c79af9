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
import os
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.errors import StoreError
from factdesk.retrieval.query import lemma_text, query_terms
from factdesk.store import schema
from factdesk.store.base import MULTILINGUAL_DIM, Hit
from factdesk.store.sql import Cx, SQLStore, T
from factdesk.types import CheckIndex, Document, Passage


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _lang(passage: Passage, document: Document) -> str | None:
    return passage.language or document.language


def _fts_query(text: str) -> str | None:
    terms = query_terms(text)
    if not terms:
        return None
    # Quoting each term makes any user text safe FTS5 syntax.
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


class _Cx:
    """Statements inside the store's transaction (`SQLStore._write`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def run(self, sql: str, args: Sequence[Any] = ()) -> int:
        return int(self.conn.execute(sql, args).rowcount)

    def runmany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)


class _Faiss:
    """An in-memory FAISS inner-product index over one vector column of `passages`, kept up to
    date by reading the rows added since (by rowid); `reset()` after rows gain a vector in place."""

    def __init__(self, column: str, dim: int) -> None:
        self.column = column
        self.dim = dim
        self.reset()

    def reset(self) -> None:
        self.index: Any = None
        self.rowids = np.zeros(0, dtype=np.int64)
        self.dates: list[str | None] = []

    def refresh(self, conn: sqlite3.Connection) -> None:
        import faiss

        last = int(self.rowids[-1]) if len(self.rowids) else 0
        rows = conn.execute(
            f"SELECT rowid, {self.column}, published FROM passages WHERE rowid > ? AND {self.column} IS NOT NULL"
            " ORDER BY rowid",
            (last,),
        ).fetchall()
        if self.index is None:
            # One query at a time: OpenMP threads cost more than they save (measured at 100k
            # vectors: 12 ms single-threaded vs 21 ms with 2 threads, far worse under load).
            faiss.omp_set_num_threads(1)
            self.index = faiss.IndexFlatIP(self.dim)
        if rows:
            mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), self.dim)
            self.index.add(np.ascontiguousarray(mat))
            self.rowids = np.concatenate([self.rowids, np.array([r[0] for r in rows], np.int64)])
            self.dates.extend(r[2] for r in rows)

    def search(self, conn: sqlite3.Connection, vector: np.ndarray, k: int, before: dt.date | None) -> list[Hit]:
        if k <= 0:
            return []
        q = np.asarray(vector, dtype=np.float32).reshape(1, self.dim)
        self.refresh(conn)
        n = self.index.ntotal
        if n == 0:
            return []
        want = k if before is None else min(n, max(k * 20, 200))
        while True:
            scores, idx = self.index.search(q, min(want, n))
            picked: list[tuple[int, float]] = []
            cutoff = before.isoformat() if before else None
            for s, i in zip(scores[0], idx[0]):
                if i < 0:
                    continue
                if cutoff is not None:
                    d = self.dates[i]
                    if d is None or d >= cutoff:
                        continue
                picked.append((int(self.rowids[i]), float(s)))
                if len(picked) >= k:
                    break
            if len(picked) >= k or want >= n:
                break
            want = min(n, want * 8)
        if not picked:
            return []
        marks = ",".join("?" * len(picked))
        ids = dict(conn.execute(f"SELECT rowid, id FROM passages WHERE rowid IN ({marks})", [r for r, _ in picked]))
        return [Hit(ids[r], s) for r, s in picked if r in ids]


class SQLiteStore(SQLStore):
    """Evidence store in one SQLite file; `path=":memory:"` for tests.

    The queries both backends share are `SQLStore`'s; here are FTS5 (lexical search, the
    documents and checks text match), FAISS (dense search) and the SQLite plumbing."""

    _AUDIT_ORDER = "rowid"

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
        self._dense = _Faiss("vector", dim)
        self._dense_ml = _Faiss("vector_ml", MULTILINGUAL_DIM)

    # --- evidence -----------------------------------------------------------------------------
    def add_document(
        self,
        document: Document,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        multilingual: np.ndarray | None = None,
    ) -> bool:
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(passages) != len(vectors):
            raise ValueError(f"{len(passages)} passages but {len(vectors)} vectors")
        ml: list[bytes | None] = [None] * len(passages)
        if multilingual is not None:
            mlv = np.asarray(multilingual, dtype=np.float32)
            if mlv.shape != (len(passages), MULTILINGUAL_DIM):
                raise ValueError(
                    f"expected ({len(passages)}, {MULTILINGUAL_DIM}) multilingual vectors, got {mlv.shape}"
                )
            ml = [v.tobytes() for v in mlv]
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
                    for p, v, m in zip(passages, vectors, ml):
                        lemmas = lemma_text(p.text, _lang(p, document))
                        cur = self._conn.execute(
                            'INSERT OR IGNORE INTO passages (id, document_id, idx, start, "end", text, published, vector,'
                            " vector_ml, lemmas) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (p.id, document.id, p.index, p.start, p.end, p.text, published, v.tobytes(), m, lemmas),
                        )
                        if cur.rowcount:
                            self._conn.execute(
                                "INSERT INTO passages_fts(rowid, text) VALUES (?, ?)", (cur.lastrowid, p.text)
                            )
                            self._conn.execute(
                                "INSERT INTO passages_lemma_fts(rowid, lemmas) VALUES (?, ?)", (cur.lastrowid, lemmas)
                            )
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"could not store {document.source_path or document.id}: {exc}") from exc
        return True

    def _fts_search(self, table: str, q: str | None, k: int, before: dt.date | None) -> list[Hit]:
        if q is None or k <= 0:
            return []
        sql = (
            f"SELECT p.id, bm25({table}) AS s FROM {table} JOIN passages p ON p.rowid = {table}.rowid "
            f"WHERE {table} MATCH ?"
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

    def lexical_search(self, query: str, k: int, before: dt.date | None = None) -> list[Hit]:
        return self._fts_search("passages_fts", _fts_query(query), k, before)

    def dense_search(self, vector: np.ndarray, k: int, before: dt.date | None = None) -> list[Hit]:
        with self._lock:
            return self._dense.search(self._conn, vector, k, before)

    # --- the multilingual index (MultilingualIndex, schema 0004) ------------------------------
    def multilingual_search(self, vector: np.ndarray, k: int, before: dt.date | None = None) -> list[Hit]:
        with self._lock:
            return self._dense_ml.search(self._conn, vector, k, before)

    def lemma_search(self, query: str, k: int, before: dt.date | None = None) -> list[Hit]:
        words = [w.replace('"', "") for w in query.split() if w.replace('"', "")]
        q = " OR ".join(f'"{w}"' for w in words) if words else None
        return self._fts_search("passages_lemma_fts", q, k, before)

    def passages_without_multilingual(self, limit: int) -> list[tuple[str, str, str | None]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT p.id, p.text, d.language FROM passages p JOIN documents d ON d.id = p.document_id "
                "WHERE p.vector_ml IS NULL OR p.lemmas IS NULL ORDER BY p.rowid LIMIT ?",
                (limit,),
            ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def set_multilingual(self, rows: Sequence[tuple[str, np.ndarray, str | None]]) -> int:
        n = 0
        with self._lock, self._conn:
            for pid, vector, lang in rows:
                old = self._conn.execute("SELECT rowid, text, lemmas FROM passages WHERE id = ?", (pid,)).fetchone()
                if old is None:
                    continue
                v = np.asarray(vector, dtype=np.float32).reshape(MULTILINGUAL_DIM).tobytes()
                if old[2] is None:  # lemmas are written once, with their full-text row
                    lemmas = lemma_text(old[1], lang)
                    self._conn.execute(
                        "UPDATE passages SET vector_ml = ?, lemmas = ? WHERE rowid = ?", (v, lemmas, old[0])
                    )
                    self._conn.execute("INSERT INTO passages_lemma_fts(rowid, lemmas) VALUES (?, ?)", (old[0], lemmas))
                else:
                    self._conn.execute("UPDATE passages SET vector_ml = ? WHERE rowid = ?", (v, old[0]))
                n += 1
            self._dense_ml.reset()  # rows gained vectors in place: the index is read again
        return n

    def integrity_check(self) -> bool:
        """True when SQLite and the FTS index agree with the tables (used by tests and `doctor`)."""
        with self._lock:
            ok = self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            self._conn.execute("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")
            self._conn.execute("INSERT INTO passages_lemma_fts(passages_lemma_fts, rank) VALUES ('integrity-check', 1)")
            orphans = self._conn.execute(
                "SELECT count(*) FROM passages p LEFT JOIN documents d ON d.id = p.document_id WHERE d.id IS NULL"
            ).fetchone()[0]
        return ok and orphans == 0

    # --- what SQLStore's shared queries need from this backend ----------------------------------
    def _read(self, what: str, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def _write(self, what: str, fn: Callable[[Cx], T]) -> T:
        with self._lock, self._conn:  # one transaction: committed when fn returns, rolled back if it raises
            return fn(_Cx(self._conn))

    def _now(self) -> str:
        return _now()

    def _document_match(self, query: str) -> tuple[str, list[Any]] | None:
        q = _fts_query(query)
        if q is None:
            return None
        return (
            "SELECT p.document_id FROM passages_fts JOIN passages p ON p.rowid = passages_fts.rowid "
            "WHERE passages_fts MATCH ?",
            [q],
        )

    def _check_match(self, query: str) -> tuple[str, str, list[Any]] | None:
        q = _fts_query(query)
        return None if q is None else (" JOIN checks_fts f ON f.id = c.id", "checks_fts MATCH ?", [q])

    def _after_check_write(self, cx: Cx, check_id: str, ix: CheckIndex) -> None:
        cx.run("DELETE FROM checks_fts WHERE id = ?", (check_id,))
        cx.run(
            "INSERT INTO checks_fts (id, claim, speaker, body) VALUES (?,?,?,?)",
            (check_id, ix.claim, ix.speaker or "", ix.body),
        )

    def save_check_vectors(self, vectors: Mapping[str, np.ndarray]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO check_vectors (key, vector) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()],
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
