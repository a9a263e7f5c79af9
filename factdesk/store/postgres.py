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
import json
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from factdesk.errors import StoreError
from factdesk.retrieval.query import query_terms
from factdesk.store import schema
from factdesk.store.base import Hit, passages_in_order
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
# A document and its passages in one statement. The passage rows come from parallel arrays;
# WITH ORDINALITY keeps their order, so `seq` (the tie-breaker of lexical search) follows it.
_ADD_DOCUMENT = """
WITH doc AS (
    INSERT INTO documents (id, url, title, publisher, published, language, source_path, author, text)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, published
), new_passages AS (
    INSERT INTO passages (id, document_id, idx, start, "end", text, published, embedding)
    SELECT p.id, doc.id, p.idx, p.start, p."end", p.text, doc.published, p.embedding
    FROM doc, unnest(%s::text[], %s::int4[], %s::int4[], %s::int4[], %s::text[], %b::vector[])
        WITH ORDINALITY AS p(id, idx, start, "end", text, embedding, n)
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


def _iso(ts: dt.datetime | None) -> str | None:
    """Timestamps as SQLite writes them: UTC, ISO 8601, whole seconds."""
    if ts is None:
        return None
    return ts.astimezone(dt.UTC).isoformat(timespec="seconds")


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


class PostgresStore:
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
    def has_document(self, document_id: str) -> bool:
        return self._run(
            "has_document",
            lambda c: c.execute("SELECT 1 FROM documents WHERE id = %s", (document_id,)).fetchone() is not None,
        )

    def add_document(self, document: Document, passages: Sequence[Passage], vectors: np.ndarray) -> bool:
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(passages) != len(vectors):
            raise ValueError(f"{len(passages)} passages but {len(vectors)} vectors")
        if len(vectors) and vectors.shape[1] != self.dim:
            raise ValueError(f"vectors have {vectors.shape[1]} dimensions but the store holds {self.dim}")
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
        )

        def tx(c: psycopg.Connection[Any]) -> bool:
            row = c.execute(_ADD_DOCUMENT, args).fetchone()
            return row is not None and row[0] > 0

        try:
            return self._run(f"storing {d.source_path or d.id}", tx)
        except StoreError as exc:
            raise StoreError(f"could not store {d.source_path or d.id}: {exc}") from exc

    _DOC_COLS = "id, url, title, publisher, published, language, source_path, author, text"

    @staticmethod
    def _row_to_document(r: Sequence[Any]) -> Document:
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

    def get_document(self, document_id: str) -> Document | None:
        r = self._run(
            "get_document",
            lambda c: c.execute(f"SELECT {self._DOC_COLS} FROM documents WHERE id = %s", (document_id,)).fetchone(),
        )
        return self._row_to_document(r) if r else None

    def get_passages(self, passage_ids: Sequence[str]) -> list[tuple[Passage, Document]]:
        if not passage_ids:
            return []
        ids = list(dict.fromkeys(passage_ids))
        # Like SQLite, the document text is not fetched here: callers need the passage text only.
        rows = self._run(
            "get_passages",
            lambda c: c.execute(
                'SELECT p.id, p.document_id, p.idx, p.start, p."end", p.text, '
                "d.id, d.url, d.title, d.publisher, d.published, d.language, d.source_path, d.author, '' "
                "FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id = ANY(%s)",
                (ids,),
            ).fetchall(),
        )
        return passages_in_order(rows, ids, self._row_to_document)

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

    def list_documents(self, limit: int = 50, offset: int = 0, query: str | None = None) -> list[Document]:
        if query:
            q = _websearch(query)
            if q is None:
                return []
            rows = self._run(
                "list_documents",
                lambda c: c.execute(
                    f"SELECT {self._DOC_COLS} FROM documents d WHERE d.id IN ("
                    f" SELECT p.document_id FROM passages p WHERE p.tsv @@ websearch_to_tsquery('{TS_CONFIG}', %s))"
                    " ORDER BY d.added DESC, d.id LIMIT %s OFFSET %s",
                    (q, limit, offset),
                ).fetchall(),
            )
        else:
            rows = self._run(
                "list_documents",
                lambda c: c.execute(
                    f"SELECT {self._DOC_COLS} FROM documents ORDER BY added DESC, id LIMIT %s OFFSET %s",
                    (limit, offset),
                ).fetchall(),
            )
        return [self._row_to_document(r) for r in rows]

    def list_document_summaries(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> list[DocumentSummary]:
        n = DocumentSummary.SNIPPET
        cols = f"d.id, d.title, d.publisher, d.url, d.published, d.source_path, left(d.text, {n + 1})"
        if query:
            q = _websearch(query)
            if q is None:
                return []
            rows = self._run(
                "list_document_summaries",
                lambda c: c.execute(
                    f"SELECT {cols} FROM documents d WHERE d.id IN ("
                    f" SELECT p.document_id FROM passages p WHERE p.tsv @@ websearch_to_tsquery('{TS_CONFIG}', %s))"
                    " ORDER BY d.added DESC, d.id LIMIT %s OFFSET %s",
                    (q, limit, offset),
                ).fetchall(),
            )
        else:
            rows = self._run(
                "list_document_summaries",
                lambda c: c.execute(
                    f"SELECT {cols} FROM documents d ORDER BY d.added DESC, d.id LIMIT %s OFFSET %s", (limit, offset)
                ).fetchall(),
            )
        return [
            DocumentSummary(
                id=r[0],
                title=r[1],
                publisher=r[2],
                url=r[3],
                published=r[4].isoformat() if r[4] else None,
                source_path=r[5],
                snippet=r[6][:n],
                truncated=len(r[6]) > n,
            )
            for r in rows
        ]

    def stats(self) -> dict[str, int]:
        def q(c: psycopg.Connection[Any]) -> dict[str, int]:
            r = c.execute(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages), "
                "(SELECT count(*) FROM checks)"
            ).fetchone()
            assert r is not None
            return {"documents": int(r[0]), "passages": int(r[1]), "checks": int(r[2])}

        return self._run("stats", q)

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
            c.execute("ANALYZE passages")

        self._run("rebuild_vector_index", q)

    def drop_vector_index(self) -> None:
        """Drop the HNSW index before a bulk load; call `rebuild_vector_index()` afterwards."""
        self._run("drop_vector_index", lambda c: c.execute("DROP INDEX IF EXISTS passages_embedding"))

    # --- fact-checks (the CheckStore contract) ------------------------------------------------
    # Listings read the indexed columns only; `data` (the whole record, JSON) is read by id.
    _SUMMARY_COLS = (
        "id, status, claim, speaker, speaker_title, claim_date, rating, confidence, headline, "
        "created, updated, published"
    )

    def _write_check(self, check_id: str, status: str, ix: CheckIndex, payload: str) -> None:
        now = dt.datetime.now(dt.UTC)
        self._run(
            "save_check",
            lambda c: c.execute(
                "INSERT INTO checks (id, status, claim, speaker, speaker_title, rating, confidence, claim_date, headline, "
                "published, body, data, created, updated) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (id) DO UPDATE SET status = excluded.status, claim = excluded.claim, "
                "speaker = excluded.speaker, speaker_title = excluded.speaker_title, rating = excluded.rating, "
                "confidence = excluded.confidence, claim_date = excluded.claim_date, headline = excluded.headline, "
                "published = excluded.published, body = excluded.body, data = excluded.data, updated = excluded.updated",
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
                    ix.body,
                    payload,
                    now,
                    now,
                ),
            ),
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

    @staticmethod
    def _check_row(r: Sequence[Any]) -> dict[str, Any]:
        return {"id": r[0], "status": r[1], "data": json.loads(r[2]), "created": _iso(r[3]), "updated": _iso(r[4])}

    def get_check(self, check_id: str) -> dict[str, Any] | None:
        r = self._run(
            "get_check",
            lambda c: c.execute(
                "SELECT id, status, data, created, updated FROM checks WHERE id = %s", (check_id,)
            ).fetchone(),
        )
        return self._check_row(r) if r else None

    @staticmethod
    def _check_filter(
        status: str | Sequence[str] | None,
        query: str | None,
        rating: str | None,
        speaker: str | None,
        since: str | None = None,
        until: str | None = None,
    ) -> tuple[str, list[Any]] | None:
        """The WHERE of a check listing and its arguments; None when the query has no words."""
        where: list[str] = []
        args: list[Any] = []
        if query:
            q = _websearch(query)
            if q is None:
                return None
            where.append(f"tsv @@ websearch_to_tsquery('{TS_CONFIG}', %s)")
            args.append(q)
        if isinstance(status, str) and status:
            where.append("status = %s")
            args.append(status)
        elif status:  # any of several
            where.append(f"status IN ({','.join(['%s'] * len(status))})")
            args.extend(status)
        if rating:
            where.append("rating = %s")
            args.append(rating)
        if speaker:
            # strpos, not LIKE: a speaker filter with % or _ in it matches literally.
            where.append("strpos(lower(speaker), %s) > 0")
            args.append(speaker.lower())
        if since:  # ISO dates compare as text
            where.append("claim_date >= %s")
            args.append(since)
        if until:
            where.append("left(claim_date, 10) <= %s")
            args.append(until)
        return (" WHERE " + " AND ".join(where) if where else ""), args

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
        where, args = found
        sql = "SELECT id, status, data, created, updated FROM checks" + where + " ORDER BY updated DESC, id LIMIT %s"
        rows = self._run("list_checks", lambda c: c.execute(sql, [*args, limit]).fetchall())
        return [self._check_row(r) for r in rows]

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
        where, args = found
        sql = f"SELECT {self._SUMMARY_COLS} FROM checks" + where + " ORDER BY updated DESC, id LIMIT %s"
        rows = self._run("list_summaries", lambda c: c.execute(sql, [*args, limit]).fetchall())
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
                created=_iso(r[9]),
                updated=_iso(r[10]),
                published=r[11],
            )
            for r in rows
        ]

    def get_check_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if not keys:
            return {}
        rows = self._run(
            "get_check_vectors",
            lambda c: c.execute("SELECT key, vector FROM check_vectors WHERE key = ANY(%s)", (list(keys),)).fetchall(),
        )
        return {k: np.frombuffer(bytes(v), dtype=np.float32).copy() for k, v in rows}

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

    def add_audit(self, check_id: str, user: str, action: str, note: str, detail: dict[str, Any]) -> None:
        self._run(
            "add_audit",
            lambda c: c.execute(
                'INSERT INTO audit (check_id, at, "user", action, note, detail) VALUES (%s,%s,%s,%s,%s,%s)',
                (check_id, dt.datetime.now(dt.UTC), user, action, note, json.dumps(detail)),
            ),
        )

    def list_audit(self, check_id: str) -> list[dict[str, Any]]:
        rows = self._run(
            "list_audit",
            lambda c: c.execute(
                'SELECT at, "user", action, note, detail FROM audit WHERE check_id = %s ORDER BY seq', (check_id,)
            ).fetchall(),
        )
        return [
            {"at": _iso(r[0]), "user": r[1], "action": r[2], "note": r[3], "detail": json.loads(r[4] or "{}")}
            for r in rows
        ]

    def add_user(self, name: str, role: str, token_hash: str) -> None:
        self._run(
            "add_user",
            lambda c: c.execute(
                "INSERT INTO users (name, role, token_hash, created) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT (name) DO UPDATE SET role = excluded.role, token_hash = excluded.token_hash",
                (name, role, token_hash, dt.datetime.now(dt.UTC)),
            ),
        )

    def get_user_by_token_hash(self, token_hash: str) -> dict[str, Any] | None:
        r = self._run(
            "get_user_by_token_hash",
            lambda c: c.execute("SELECT name, role FROM users WHERE token_hash = %s", (token_hash,)).fetchone(),
        )
        return {"name": r[0], "role": r[1]} if r else None

    # --- login sessions (server-side, so logging out ends them) ---------------------------------
    def add_session(self, session_hash: str, token_hash: str, csrf: str, expires: float) -> None:
        """Keep a login session until `expires` (Unix seconds); expired sessions are dropped here."""

        def run(c: Any) -> None:
            c.execute("DELETE FROM sessions WHERE expires < %s", (time.time(),))
            c.execute(
                "INSERT INTO sessions (id_hash, token_hash, csrf, expires) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT (id_hash) DO UPDATE SET token_hash = excluded.token_hash, csrf = excluded.csrf, "
                "expires = excluded.expires",
                (session_hash, token_hash, csrf, float(expires)),
            )

        self._run("add_session", run)

    def get_session(self, session_hash: str) -> dict[str, Any] | None:
        """{"name", "role", "csrf"} of a live session whose user still holds the token it logged in with."""
        r = self._run(
            "get_session",
            lambda c: c.execute(
                "SELECT u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.token_hash = s.token_hash "
                "WHERE s.id_hash = %s AND s.expires >= %s",
                (session_hash, time.time()),
            ).fetchone(),
        )
        return {"name": r[0], "role": r[1], "csrf": r[2]} if r else None

    def delete_session(self, session_hash: str) -> None:
        self._run("delete_session", lambda c: c.execute("DELETE FROM sessions WHERE id_hash = %s", (session_hash,)))

    def close(self) -> None:
        with self._lock:
            if not self._conn.closed:
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
            )
            for m in mentions
        ]
        if not rows:
            return 0

        def write(c: psycopg.Connection[Any]) -> int:
            n = 0
            with c.transaction(), c.cursor() as cur:
                for r in rows:
                    cur.execute(
                        f"INSERT INTO claims ({self._CLAIM_COLS}) VALUES "
                        "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                        r,
                    )
                    n += cur.rowcount
            return n

        return self._run("add_claims", write)

    def list_claims(
        self,
        since: str | None = None,
        until: str | None = None,
        document_id: str | None = None,
        limit: int | None = None,
    ) -> list[ClaimMention]:
        where: list[str] = []
        args: list[Any] = []
        for cond, value in (
            ("claim_date >= %s", since),
            ("claim_date <= %s", until),
            ("document_id = %s", document_id),
        ):
            if value:
                where.append(cond)
                args.append(value)
        sql = f"SELECT {self._CLAIM_COLS} FROM claims" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY claim_date IS NULL, claim_date, document_id, start"
        if limit is not None:
            sql += " LIMIT %s"
            args.append(limit)
        rows = self._run("list_claims", lambda c: c.execute(sql, args).fetchall())
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
        self._run(
            "mark_extracted",
            lambda c: c.execute(
                "INSERT INTO claim_extractions (document_id, claims) VALUES (%s, %s) ON CONFLICT (document_id) "
                "DO UPDATE SET claims = excluded.claims, at = clock_timestamp()",
                (document_id, claims),
            ),
        )

    def extracted_documents(self) -> set[str]:
        rows = self._run(
            "extracted_documents", lambda c: c.execute("SELECT document_id FROM claim_extractions").fetchall()
        )
        return {r[0] for r in rows}

    def save_narratives(
        self,
        groups: Sequence[tuple[NarrativeGroup, np.ndarray]],
        members: Sequence[NarrativeMember],
        deleted: Sequence[str] = (),
    ) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        group_rows = [
            (
                g.id,
                g.representative,
                g.size,
                g.first_seen,
                g.last_seen,
                np.asarray(v, dtype=np.float32).tobytes(),
                g.created or now,
                now,
            )
            for g, v in groups
        ]
        member_rows = [
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
                m.pinned,
            )
            for m in members
        ]

        def write(c: psycopg.Connection[Any]) -> None:
            with c.transaction(), c.cursor() as cur:
                if deleted:
                    # Before the upserts: a merge deletes a group and re-points its members.
                    cur.execute("DELETE FROM narratives WHERE id = ANY(%s)", (list(deleted),))
                    cur.execute("DELETE FROM narrative_members WHERE narrative_id = ANY(%s)", (list(deleted),))
                if group_rows:
                    cur.executemany(
                        "INSERT INTO narratives (id, representative, size, first_seen, last_seen, centroid, created, "
                        "updated) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO UPDATE SET "
                        "representative = excluded.representative, size = excluded.size, "
                        "first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
                        "centroid = excluded.centroid, updated = excluded.updated",
                        group_rows,
                    )
                if member_rows:
                    cur.executemany(
                        f"INSERT INTO narrative_members ({self._MEMBER_COLS}) VALUES "
                        "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (key) DO UPDATE SET "
                        "narrative_id = excluded.narrative_id, kind = excluded.kind, text = excluded.text, "
                        "speaker = excluded.speaker, speaker_title = excluded.speaker_title, outlet = excluded.outlet, "
                        "claim_date = excluded.claim_date, rating = excluded.rating, url = excluded.url, "
                        'document_id = excluded.document_id, start = excluded.start, "end" = excluded."end", '
                        "similarity = excluded.similarity, pinned = excluded.pinned",
                        member_rows,
                    )

        self._run("save_narratives", write)

    def list_narrative_groups(self) -> list[NarrativeGroup]:
        rows = self._run(
            "list_narrative_groups",
            lambda c: c.execute(
                "SELECT id, representative, size, first_seen, last_seen, created, updated FROM narratives ORDER BY id"
            ).fetchall(),
        )
        return [
            NarrativeGroup(
                id=r[0], representative=r[1], size=r[2], first_seen=r[3], last_seen=r[4], created=r[5], updated=r[6]
            )
            for r in rows
        ]

    def narrative_centroids(self) -> dict[str, np.ndarray]:
        rows = self._run("narrative_centroids", lambda c: c.execute("SELECT id, centroid FROM narratives").fetchall())
        return {r[0]: np.frombuffer(bytes(r[1]), dtype=np.float32).copy() for r in rows}

    def list_narrative_members(self, narrative_id: str | None = None) -> list[NarrativeMember]:
        sql = f"SELECT {self._MEMBER_COLS} FROM narrative_members"
        args: list[Any] = []
        if narrative_id is not None:
            sql += " WHERE narrative_id = %s"
            args.append(narrative_id)
        sql += " ORDER BY claim_date IS NULL, claim_date, key"
        rows = self._run("list_narrative_members", lambda c: c.execute(sql, args).fetchall())
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
        self._run(
            "add_narrative_edit",
            lambda c: c.execute(
                'INSERT INTO narrative_edits (at, "user", action, narrative_id, other_id, member_key, note) '
                "VALUES (%s,%s,%s,%s,%s,%s,%s)",
                (edit.at, edit.user, edit.action, edit.narrative_id, edit.other_id, edit.member_key, edit.note),
            ),
        )

    def list_narrative_edits(self) -> list[NarrativeEdit]:
        rows = self._run(
            "list_narrative_edits",
            lambda c: c.execute(
                'SELECT action, narrative_id, other_id, member_key, "user", note, at FROM narrative_edits ORDER BY seq'
            ).fetchall(),
        )
        return [
            NarrativeEdit(
                action=r[0], narrative_id=r[1], other_id=r[2], member_key=r[3], user=r[4], note=r[5] or "", at=r[6]
            )
            for r in rows
        ]

    def add_alert(self, key: str, alert: dict[str, Any] | None) -> bool:
        payload = None if alert is None else json.dumps(alert)

        def write(c: psycopg.Connection[Any]) -> bool:
            cur = c.execute(
                "INSERT INTO alerts (key, alert) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING", (key, payload)
            )
            return cur.rowcount > 0

        return self._run("add_alert", write)

    def alert_keys(self) -> set[str]:
        rows = self._run("alert_keys", lambda c: c.execute("SELECT key FROM alerts").fetchall())
        return {r[0] for r in rows}

    def list_alerts(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._run(
            "list_alerts",
            lambda c: c.execute(
                "SELECT alert FROM alerts WHERE alert IS NOT NULL ORDER BY seq DESC LIMIT %s", (limit,)
            ).fetchall(),
        )
        return [json.loads(r[0]) for r in rows]
