"""The server store: PostgreSQL with tsvector + GIN for lexical search and pgvector HNSW for dense.

It keeps the same contract as `factdesk.store.sqlite.SQLiteStore` (see
`factdesk.store.base.EvidenceStore`): passages published on or after `before` and undated
passages are left out when `before` is given, lexical queries are built from
`factdesk.retrieval.query.query_terms` (so any user text is safe), and scores are higher-is-better.

Start a local server with `scripts/pg.sh start`; it prints the URL to pass as `--db`.

>>> import numpy as np  # doctest: +SKIP
>>> from factdesk.types import Document, Passage  # doctest: +SKIP
>>> s = PostgresStore("postgresql://postgres@127.0.0.1:5432/factdesk", dim=4)  # doctest: +SKIP
>>> d = Document(text="Russia began air strikes in Syria on 30 September 2015.", published="2015-10-01")
>>> s.add_document(d, [Passage(d.id, d.text, 0, len(d.text))], np.ones((1, 4), "float32"))  # doctest: +SKIP
True
>>> [h.passage_id for h in s.lexical_search("air strikes Syria", k=3)]  # doctest: +SKIP
['...']

Differences from SQLite that callers may notice:
- lexical scores come from `ts_rank_cd` (cover density, normalised by log length), not BM25,
  so scores are on another scale; ranks agree on clear-cut cases (see the contract tests);
- dense search uses an HNSW index (approximate) with pgvector's iterative scan so that a
  `before` filter still returns k hits when k qualifying passages exist.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import struct
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from factdesk.errors import StoreError
from factdesk.retrieval.query import lemma_text, query_terms
from factdesk.store import schema
from factdesk.store.base import MULTILINGUAL_DIM, Hit
from factdesk.store.sql import Cx, SQLStore, pg_placeholders
from factdesk.types import (
    CheckIndex,
    Document,
    Passage,
)

try:  # psycopg is a core dependency; the import guard only improves the message
    import psycopg
    from psycopg.adapt import Dumper
    from psycopg.pq import Format
except ImportError as _exc:  # pragma: no cover
    raise StoreError("the PostgreSQL store needs psycopg 3: pip install 'psycopg[binary]>=3.1'") from _exc

T = TypeVar("T")

TS_CONFIG = "english"  # snowball English stemmer + stop words, the closest match to FTS5's porter tokenizer

# Inner product on unit vectors is cosine similarity; `<#>` returns its negative.
_HNSW = (
    "CREATE INDEX IF NOT EXISTS passages_embedding ON passages USING hnsw (embedding vector_ip_ops) "
    "WITH (m = {m}, ef_construction = {ef})"
)


def _ml_index(hnsw: str) -> str:
    """The multilingual vectors' HNSW index (schema step 0004), with the main index's settings."""
    return hnsw.replace("passages_embedding ", "passages_embedding_ml ").replace(
        "(embedding vector_ip_ops)", "(embedding_ml vector_ip_ops)"
    )


# A document and its passages in one statement. The passage rows come from parallel arrays;
# WITH ORDINALITY keeps their order, so `seq` (the tie-breaker of lexical search) follows it.
_ADD_DOCUMENT = """
WITH doc AS (
    INSERT INTO documents (id, url, title, publisher, published, language, source_path, author, text)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, published
), new_passages AS (
    INSERT INTO passages (id, document_id, idx, start, "end", text, published, embedding, embedding_ml, lemmas)
    SELECT p.id, doc.id, p.idx, p.start, p."end", p.text, doc.published, p.embedding, p.embedding_ml, p.lemmas
    FROM doc, unnest(%s::text[], %s::int4[], %s::int4[], %s::int4[], %s::text[], %b::vector[], %b::vector[],
                     %s::text[])
        WITH ORDINALITY AS p(id, idx, start, "end", text, embedding, embedding_ml, lemmas, n)
    ORDER BY p.n
    ON CONFLICT (id) DO NOTHING
)
SELECT count(*) FROM doc
"""


def _redact(url: str) -> str:
    """The URL without its password, for error messages."""
    try:
        parts = urlsplit(url)
        if parts.password:
            host = parts.hostname or ""
            if parts.port:
                host += f":{parts.port}"
            netloc = f"{parts.username}:***@{host}" if parts.username else host
            return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return "(unreadable URL)"
    return url


def _websearch(text: str) -> str | None:
    """`"t1" or "t2" ...` for websearch_to_tsquery: OR over the query's content words.

    websearch_to_tsquery never raises on odd input, and each term is a quoted \\w+ word,
    so no user text can change the query's structure.
    """
    terms = query_terms(text)
    if not terms:
        return None
    return " or ".join('"' + t + '"' for t in terms)


CHECK_VECTORS_EXACT_BELOW = 20_000
"""Below this many stored check vectors (the planner's estimate), `check_vector_search` scans
them exactly rather than through the HNSW index."""


class _Vec:
    """A float32 vector on its way to a `vector` column (binary wire format)."""

    __slots__ = ("data",)

    def __init__(self, data: np.ndarray) -> None:
        self.data = data


class _VecDumper(Dumper):
    """pgvector's binary input: uint16 dim, uint16 unused, then big-endian float4s."""

    format = Format.BINARY

    def dump(self, obj: _Vec) -> bytes:
        a = obj.data
        return struct.pack(">HH", a.shape[0], 0) + a.astype(">f4", copy=False).tobytes()


class _Cx:
    """Statements inside one transaction (`SQLStore._write`), shared SQL's `?` as psycopg's `%s`."""

    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self.cur = cur

    def run(self, sql: str, args: Sequence[Any] = ()) -> int:
        return int(self.cur.execute(pg_placeholders(sql), args).rowcount)

    def runmany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.cur.executemany(pg_placeholders(sql), rows)


class PostgresStore(SQLStore):
    """Evidence store in a PostgreSQL database with the pgvector extension.

    `url` is a libpq URL such as ``postgresql://postgres@127.0.0.1:5432/factdesk``;
    `dim` must match the embedder (384 for MiniLM). The schema is created on first use.
    `index_build_memory` (e.g. ``"3GB"``) raises maintenance_work_mem while `rebuild_vector_index()`
    builds the HNSW index; give about 2 GB per million 384-d passages, else the build slows sharply.

    >>> PostgresStore("postgresql://postgres@127.0.0.1:1/nowhere")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    factdesk.errors.StoreError: cannot reach PostgreSQL at postgresql://postgres@127.0.0.1:1/nowhere: ...
    """

    def __init__(
        self,
        url: str,
        dim: int = 384,
        hnsw_m: int = 16,
        hnsw_ef_construction: int = 64,
        ef_search: int = 40,
        connect_timeout: int = 5,
        index_build_memory: str | None = None,
    ) -> None:
        if dim < 1 or dim > 16000:
            raise StoreError(f"dim must be between 1 and 16000 (pgvector's limit), not {dim}")
        self.url = url
        self.dim = dim
        self.ef_search = ef_search
        self._hnsw = _HNSW.format(m=int(hnsw_m), ef=int(hnsw_ef_construction))
        self._hnsw_params = {"hnsw_m": int(hnsw_m), "hnsw_ef_construction": int(hnsw_ef_construction)}
        self._connect_timeout = connect_timeout
        self.index_build_memory = index_build_memory
        self._lock = threading.RLock()
        self._conn = self._connect()
        self._init_schema()

    # --- connection -------------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=self._connect_timeout)
        except psycopg.OperationalError as exc:
            reason = " ".join(str(exc).split())
            raise StoreError(
                f"cannot reach PostgreSQL at {_redact(self.url)}: {reason} "
                "(start it with scripts/pg.sh start, or check the URL)"
            ) from exc
        except psycopg.ProgrammingError as exc:
            raise StoreError(
                f"cannot read the PostgreSQL URL {_redact(self.url)}: {exc} (use postgresql://USER@HOST:PORT/DATABASE)"
            ) from exc
        return conn

    def _register_vector(self) -> None:
        info = psycopg.types.TypeInfo.fetch(self._conn, "vector")
        if info is None:  # pragma: no cover - _init_schema creates the extension first
            raise StoreError("the vector type is missing: run CREATE EXTENSION vector in the database")
        info.register(self._conn)  # so that a list of _Vec goes out as one vector[] parameter
        dumper = type("VecDumper", (_VecDumper,), {"oid": info.oid})
        self._conn.adapters.register_dumper(_Vec, dumper)

    def _init_schema(self) -> None:
        with self._lock:
            try:
                # A new database is created at the newest schema; an older or newer one is refused.
                schema.prepare_postgres(self._conn, self.url, self.dim, **self._hnsw_params)
                self._register_vector()
                row = self._conn.execute("SELECT value FROM factdesk_meta WHERE key = 'dim'").fetchone()
                if row is not None and int(row[0]) != self.dim:
                    raise StoreError(
                        f"{_redact(self.url)} holds {row[0]}-dimensional vectors, not {self.dim}: use another database"
                    )
            except psycopg.Error as exc:
                raise StoreError(f"cannot set up the factdesk tables in {_redact(self.url)}: {exc}") from exc

    def _run(self, what: str, fn: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Run `fn(conn)` under the lock; reconnect once if the server dropped the connection."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn.closed or self._conn.broken:
                        self._conn = self._connect()
                        self._register_vector()
                    return fn(self._conn)
                except psycopg.OperationalError as exc:
                    if attempt == 2 or not (self._conn.closed or self._conn.broken):
                        raise StoreError(
                            f"{what} failed on {_redact(self.url)}: {exc} "
                            "(is the server still running? scripts/pg.sh status)"
                        ) from exc
                except psycopg.Error as exc:
                    raise StoreError(f"{what} failed on {_redact(self.url)}: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

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
        if len(vectors) and vectors.shape[1] != self.dim:
            raise ValueError(f"vectors have {vectors.shape[1]} dimensions but the store holds {self.dim}")
        ml: list[_Vec | None] = [None] * len(passages)
        if multilingual is not None:
            mlv = np.asarray(multilingual, dtype=np.float32)
            if mlv.shape != (len(passages), MULTILINGUAL_DIM):
                raise ValueError(
                    f"expected ({len(passages)}, {MULTILINGUAL_DIM}) multilingual vectors, got {mlv.shape}"
                )
            ml = [_Vec(v) for v in mlv]
        d = document
        # One statement is one transaction (all of the document or none of it) and one round trip,
        # where BEGIN, INSERT, executemany and COMMIT took four; psycopg prepares it after a few
        # calls. Passages are inserted only when the document row is new: a duplicate adds nothing.
        # Most of an insert's cost is pgvector's HNSW upkeep (~3 ms of server CPU per vector at 20k passages).
        args = (
            d.id,
            d.url,
            d.title,
            d.publisher,
            d.published,
            d.language,
            d.source_path,
            d.author,
            d.text,
            [p.id for p in passages],
            [p.index for p in passages],
            [p.start for p in passages],
            [p.end for p in passages],
            [p.text for p in passages],
            [_Vec(v) for v in vectors],
            ml,
            [lemma_text(p.text, p.language or d.language) for p in passages],
        )

        def tx(c: psycopg.Connection[Any]) -> bool:
            row = c.execute(_ADD_DOCUMENT, args).fetchone()
            return row is not None and row[0] > 0

        try:
            return self._run(f"storing {d.source_path or d.id}", tx)
        except StoreError as exc:
            raise StoreError(f"could not store {d.source_path or d.id}: {exc}") from exc

    def lexical_search(self, query: str, k: int, before: dt.date | None = None) -> list[Hit]:
        q = _websearch(query)
        if q is None or k <= 0:
            return []
        sql = (
            f"SELECT p.id, ts_rank_cd(p.tsv, q, 1) AS s FROM passages p, websearch_to_tsquery('{TS_CONFIG}', %s) q "
            "WHERE p.tsv @@ q"
        )
        args: list[Any] = [q]
        if before is not None:
            sql += " AND p.published IS NOT NULL AND p.published < %s"
            args.append(before)
        sql += " ORDER BY s DESC, p.seq LIMIT %s"
        args.append(k)
        rows = self._run("lexical_search", lambda c: c.execute(sql, args).fetchall())
        return [Hit(r[0], float(r[1])) for r in rows]

    def dense_search(self, vector: np.ndarray, k: int, before: dt.date | None = None) -> list[Hit]:
        if k <= 0:
            return []
        q = _Vec(np.asarray(vector, dtype=np.float32).reshape(self.dim))
        sql = "SELECT id, (embedding <#> %s) * -1 AS s FROM passages WHERE embedding IS NOT NULL"
        args: list[Any] = [q]
        if before is not None:
            sql += " AND published IS NOT NULL AND published < %s"
            args.append(before)
        sql += " ORDER BY embedding <#> %s LIMIT %s"
        args += [q, k]

        def query(c: psycopg.Connection[Any]) -> list[Any]:
            with c.transaction():
                # SET LOCAL: scoped to this transaction. ef_search >= k, else HNSW returns fewer than k;
                # iterative scan keeps searching while a `before` filter rejects candidates (pgvector >= 0.8).
                c.execute(f"SET LOCAL hnsw.ef_search = {max(self.ef_search, min(k, 1000))}")
                if before is not None:
                    c.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                return c.execute(sql, args).fetchall()

        rows = self._run("dense_search", query)
        hits = [Hit(r[0], float(r[1])) for r in rows]
        # relaxed_order may return near-sorted rows; the contract is best first.
        hits.sort(key=lambda h: -h.score)
        return hits

    # --- the multilingual index (MultilingualIndex, schema 0004) ------------------------------
    def multilingual_search(self, vector: np.ndarray, k: int, before: dt.date | None = None) -> list[Hit]:
        if k <= 0:
            return []
        q = _Vec(np.asarray(vector, dtype=np.float32).reshape(MULTILINGUAL_DIM))
        sql = "SELECT id, (embedding_ml <#> %s) * -1 AS s FROM passages WHERE embedding_ml IS NOT NULL"
        args: list[Any] = [q]
        if before is not None:
            sql += " AND published IS NOT NULL AND published < %s"
            args.append(before)
        sql += " ORDER BY embedding_ml <#> %s LIMIT %s"
        args += [q, k]

        def query(c: psycopg.Connection[Any]) -> list[Any]:
            with c.transaction():
                c.execute(f"SET LOCAL hnsw.ef_search = {max(self.ef_search, min(k, 1000))}")
                if before is not None:
                    c.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                return c.execute(sql, args).fetchall()

        hits = [Hit(r[0], float(r[1])) for r in self._run("multilingual_search", query)]
        hits.sort(key=lambda h: -h.score)
        return hits

    def lemma_search(self, query: str, k: int, before: dt.date | None = None) -> list[Hit]:
        words = [w for w in (re.sub(r"[^\w]", "", t) for t in query.split()) if w]
        if not words or k <= 0:
            return []
        sql = (
            "SELECT p.id, ts_rank_cd(p.lemma_tsv, q, 1) AS s FROM passages p, websearch_to_tsquery('simple', %s) q "
            "WHERE p.lemma_tsv @@ q"
        )
        args: list[Any] = [" or ".join(f'"{w}"' for w in words)]
        if before is not None:
            sql += " AND p.published IS NOT NULL AND p.published < %s"
            args.append(before)
        sql += " ORDER BY s DESC, p.seq LIMIT %s"
        args.append(k)
        rows = self._run("lemma_search", lambda c: c.execute(sql, args).fetchall())
        return [Hit(r[0], float(r[1])) for r in rows]

    def passages_without_multilingual(self, limit: int) -> list[tuple[str, str, str | None]]:
        rows = self._run(
            "passages_without_multilingual",
            lambda c: c.execute(
                "SELECT p.id, p.text, d.language FROM passages p JOIN documents d ON d.id = p.document_id "
                "WHERE p.embedding_ml IS NULL OR p.lemmas IS NULL ORDER BY p.seq LIMIT %s",
                (limit,),
            ).fetchall(),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def set_multilingual(self, rows: Sequence[tuple[str, np.ndarray, str | None]]) -> int:
        def tx(c: psycopg.Connection[Any]) -> int:
            n = 0
            with c.transaction():
                for pid, vector, lang in rows:
                    old = c.execute("SELECT text FROM passages WHERE id = %s", (pid,)).fetchone()
                    if old is None:
                        continue
                    v = _Vec(np.asarray(vector, dtype=np.float32).reshape(MULTILINGUAL_DIM))
                    c.execute(
                        "UPDATE passages SET embedding_ml = %b, lemmas = coalesce(lemmas, %s) WHERE id = %s",
                        (v, lemma_text(old[0], lang), pid),
                    )
                    n += 1
            return n

        return self._run("set_multilingual", tx)

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Load many documents fast: no HNSW upkeep per row, commits not waited for; index built once at the end.

        Each document is still its own transaction. `synchronous_commit = off` means a server
        crash may lose the last few documents (never corrupt them); re-running the ingest adds
        them again, since documents are deduplicated by id.

        >>> with store.bulk_load():  # doctest: +SKIP
        ...     desk.ingest(documents)
        """
        with self._lock:
            self._run("bulk_load", lambda c: c.execute("SET synchronous_commit = off"))
            self.drop_vector_index()
            try:
                yield
            finally:
                self.rebuild_vector_index()
                self._run("bulk_load", lambda c: c.execute("RESET synchronous_commit"))

    def rebuild_vector_index(self) -> None:
        """Drop and rebuild the HNSW index (after a bulk load, building once is far faster)."""

        def q(c: psycopg.Connection[Any]) -> None:
            with c.transaction():
                if self.index_build_memory:
                    # pgvector builds fast only while the graph fits in maintenance_work_mem (about
                    # 2 GB for 1M 384-d vectors); past that it falls back to slow on-disk inserts.
                    c.execute("SELECT set_config('maintenance_work_mem', %s, true)", (self.index_build_memory,))
                c.execute("DROP INDEX IF EXISTS passages_embedding")
                c.execute(self._hnsw)
                c.execute("DROP INDEX IF EXISTS passages_embedding_ml")  # the multilingual one (step 0004)
                c.execute(_ml_index(self._hnsw))
            c.execute("ANALYZE passages")

        self._run("rebuild_vector_index", q)

    def drop_vector_index(self) -> None:
        """Drop the HNSW indexes before a bulk load; call `rebuild_vector_index()` afterwards."""

        def q(c: psycopg.Connection[Any]) -> None:
            c.execute("DROP INDEX IF EXISTS passages_embedding")
            c.execute("DROP INDEX IF EXISTS passages_embedding_ml")

        self._run("drop_vector_index", q)

    # --- what SQLStore's shared queries need from this backend ----------------------------------
    def _read(self, what: str, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return self._run(what, lambda c: c.execute(pg_placeholders(sql), args).fetchall())

    def _write(self, what: str, fn: Callable[[Cx], T]) -> T:
        def tx(c: psycopg.Connection[Any]) -> T:
            with c.transaction(), c.cursor() as cur:
                return fn(_Cx(cur))

        return self._run(what, tx)

    def _in(self, column: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
        if values:  # one array parameter, whatever the number of values
            yield f"{column} = ANY(?)", [list(values)]

    def _now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def _document_match(self, query: str) -> tuple[str, list[Any]] | None:
        q = _websearch(query)
        if q is None:
            return None
        return f"SELECT p.document_id FROM passages p WHERE p.tsv @@ websearch_to_tsquery('{TS_CONFIG}', ?)", [q]

    def _check_match(self, query: str) -> tuple[str, str, list[Any]] | None:
        q = _websearch(query)
        return None if q is None else ("", f"c.tsv @@ websearch_to_tsquery('{TS_CONFIG}', ?)", [q])

    def _check_text(self, ix: CheckIndex) -> dict[str, Any]:
        return {"body": ix.body}  # the generated tsv column indexes claim, speaker and body

    def save_check_vectors(self, vectors: Mapping[str, np.ndarray]) -> None:
        rows = []
        for k, v in vectors.items():
            a = np.asarray(v, dtype=np.float32)
            rows.append((k, a.tobytes(), _Vec(a.reshape(self.dim)) if a.size == self.dim else None))
        if not rows:
            return

        def write(c: psycopg.Connection[Any]) -> None:
            with c.transaction(), c.cursor() as cur:
                cur.executemany(
                    "INSERT INTO check_vectors (key, vector, embedding) VALUES (%s, %s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET vector = excluded.vector, embedding = excluded.embedding",
                    rows,
                )

        self._run("save_check_vectors", write)

    def check_vector_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The `k` check vectors of highest inner product with `vector`, as (key, score), best first:
        exact below `CHECK_VECTORS_EXACT_BELOW` stored vectors, pgvector HNSW (approximate) above.
        Vectors of another dimension than the store's are not searched."""
        if k <= 0:
            return []
        v = np.asarray(vector, dtype=np.float32)
        if v.size != self.dim:
            raise ValueError(f"the query vector has {v.size} dimensions but the store holds {self.dim}")
        q = _Vec(v.reshape(self.dim))

        def query(c: psycopg.Connection[Any]) -> list[Any]:
            with c.transaction():
                # ef_search >= k, else HNSW returns fewer than k (SET LOCAL: this transaction only).
                c.execute(f"SET LOCAL hnsw.ef_search = {max(self.ef_search, min(int(k), 1000))}")
                # A small table is scanned exactly (HNSW recall on a few hundred vectors varies with
                # the graph's random levels); the planner's row estimate costs nothing to read.
                est = c.execute("SELECT reltuples FROM pg_class WHERE relname = 'check_vectors'").fetchone()
                if est is None or float(est[0]) < CHECK_VECTORS_EXACT_BELOW:
                    c.execute("SET LOCAL enable_indexscan = off")
                return c.execute(
                    "SELECT key, (embedding <#> %s) * -1 FROM check_vectors WHERE embedding IS NOT NULL "
                    "ORDER BY embedding <#> %s LIMIT %s",
                    (q, q, int(k)),
                ).fetchall()

        hits = [(str(r[0]), float(r[1])) for r in self._run("check_vector_search", query)]
        hits.sort(key=lambda h: -h[1])
        return hits

    def close(self) -> None:
        with self._lock:
            if not self._conn.closed:
                self._conn.close()
