"""The store layer both backends share: row mapping and every query that is the same on both.

`SQLStore` holds the queries of the contract (`factdesk.store.base`) that SQLite and
PostgreSQL run alike (documents and listings, fact-check records, audit, users, sessions,
claims, recurring claims, alerts). A backend subclasses it and gives:

- `_read(what, sql, args)`: rows of one query, outside any explicit transaction;
- `_write(what, fn)`: `fn(cx)` in one transaction, where `cx.run(sql, args)` returns the
  statement's row count and `cx.runmany(sql, rows)` runs it for each row;
- `_now()`: the timestamp to write (ISO text on SQLite, a datetime on PostgreSQL);
- the hooks where the backends differ: full-text matching of checks and of documents
  (FTS5 tables on SQLite, `tsvector` columns on PostgreSQL), and what else a check write
  must update (SQLite's `checks_fts` table; PostgreSQL's `body` column).

Shared SQL is written with `?` placeholders and runs unchanged on SQLite; the PostgreSQL
store turns each `?` into `%s` (`pg_placeholders`), so shared SQL holds no other `?` or `%`.
Search (FTS5/FAISS, tsvector/pgvector) and writes of vectors stay in the backend modules.

>>> pg_placeholders("SELECT id FROM checks WHERE status = ? AND rating = ?")
'SELECT id FROM checks WHERE status = %s AND rating = %s'
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np

from factdesk.store.base import iter_batches, passages_in_order
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

T = TypeVar("T")


def pg_placeholders(sql: str) -> str:
    return sql.replace("?", "%s")


def marks(n: int) -> str:
    return ",".join("?" * n)


def iso(value: Any) -> str | None:
    """A timestamp as SQLite stores it (UTC ISO 8601, whole seconds); text passes through."""
    if value is None or isinstance(value, str):
        return value
    return str(value.astimezone(dt.UTC).isoformat(timespec="seconds"))


def date_text(value: Any) -> str | None:
    """A date column as ISO text (PostgreSQL returns `date`, SQLite the text it stored)."""
    return value.isoformat() if isinstance(value, dt.date) else value


# --- row mapping ------------------------------------------------------------------------------
DOC_COLS = ("id", "url", "title", "publisher", "published", "language", "source_path", "author", "text")


def row_to_document(r: Sequence[Any]) -> Document:
    return Document(**dict(zip(DOC_COLS, r)))


PASSAGE_SELECT = (
    'SELECT p.id, p.document_id, p.idx, p.start, p."end", p.text, '
    "d.id, d.url, d.title, d.publisher, d.published, d.language, d.source_path, d.author, '' "
    "FROM passages p JOIN documents d ON d.id = p.document_id"
)  # the document text is not fetched: callers of get_passages need the passage text only


def row_to_summary(r: Sequence[Any], n: int) -> DocumentSummary:
    return DocumentSummary(
        id=r[0],
        title=r[1],
        publisher=r[2],
        url=r[3],
        published=date_text(r[4]),
        source_path=r[5],
        snippet=r[6][:n],
        truncated=len(r[6]) > n,
    )


CHECK_WRITE_COLS = (
    "id",
    "status",
    "claim",
    "speaker",
    "speaker_title",
    "rating",
    "confidence",
    "claim_date",
    "headline",
    "published",
    "data",
    "created",
    "updated",
)
# Listings read the indexed columns only; `data` (the whole record, JSON) is read by id.
SUMMARY_COLS = (
    "c.id, c.status, c.claim, c.speaker, c.speaker_title, c.claim_date, c.rating, c.confidence, "
    "c.headline, c.created, c.updated, c.published"
)


def row_to_check_summary(r: Sequence[Any]) -> CheckSummary:
    return CheckSummary(
        id=r[0],
        status=r[1],
        claim=r[2],
        speaker=r[3],
        speaker_title=r[4],
        date=r[5],
        verdict=r[6],
        confidence=r[7],
        headline=r[8] or "",
        created=iso(r[9]),
        updated=iso(r[10]),
        published=r[11],
    )


def row_to_raw_check(r: Sequence[Any]) -> dict[str, Any]:
    return {"id": r[0], "status": r[1], "data": json.loads(r[2]), "created": iso(r[3]), "updated": iso(r[4])}


CLAIM_COLS = (
    "id",
    "document_id",
    "start",
    "end",
    "text",
    "quote",
    "speaker",
    "speaker_title",
    "outlet",
    "claim_date",
    "date_source",
    "checkworthiness",
    "score",
    "kind",
    "source",
)


def claim_to_row(m: ClaimMention) -> tuple[Any, ...]:
    return (
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


def row_to_claim(r: Sequence[Any]) -> ClaimMention:
    m = dict(zip(CLAIM_COLS, r))
    m["date"] = m.pop("claim_date")
    m["checkworthiness"] = m["checkworthiness"] or 0.0
    m["score"] = m["score"] or 0.0
    m["kind"] = m["kind"] or "statement"
    return ClaimMention(**m)


MEMBER_COLS = (
    "key",
    "narrative_id",
    "kind",
    "text",
    "speaker",
    "speaker_title",
    "outlet",
    "claim_date",
    "rating",
    "url",
    "document_id",
    "start",
    "end",
    "similarity",
    "pinned",
)


def member_to_row(m: NarrativeMember) -> tuple[Any, ...]:
    return (
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
        bool(m.pinned),
    )


def row_to_member(r: Sequence[Any]) -> NarrativeMember:
    m = dict(zip(MEMBER_COLS, r))
    m["date"] = m.pop("claim_date")
    m["kind"] = MemberKind(m["kind"])
    m["similarity"] = float(m["similarity"])
    m["pinned"] = bool(m["pinned"])
    return NarrativeMember(**m)


GROUP_COLS = ("id", "representative", "size", "first_seen", "last_seen", "created", "updated")
EDIT_COLS = ("action", "narrative_id", "other_id", "member_key", "user", "note", "at")


def cols(names: Iterable[str], prefix: str = "") -> str:
    """Column list, each name quoted (`end` and `user` are keywords)."""
    return ", ".join(f'{prefix}"{c}"' for c in names)


def upsert(table: str, names: Sequence[str], key: str, keep: Sequence[str] = ()) -> str:
    """INSERT of `names`, replacing the row with the same `key` except for the `keep` columns
    (SQLite >= 3.24 and PostgreSQL spell ON CONFLICT the same)."""
    update = ", ".join(f'"{c}" = excluded."{c}"' for c in names if c != key and c not in keep)
    return (
        f"INSERT INTO {table} ({cols(names)}) VALUES ({marks(len(names))}) ON CONFLICT ({key}) DO UPDATE SET {update}"
    )


def like_pattern(text: str) -> str:
    """`%text%` for `LIKE ? ESCAPE '\\'`, with the text's own % _ and \\ matched literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Cx(Protocol):
    """What `_write` hands its function: statements inside one transaction."""

    def run(self, sql: str, args: Sequence[Any] = ()) -> int: ...

    def runmany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class SQLStore:
    """The queries both stores share (see the module docstring for what a backend gives)."""

    # the audit table's insertion order: SQLite's `rowid` alias, PostgreSQL's `seq`
    _AUDIT_ORDER = "seq"

    # --- what a backend gives -----------------------------------------------------------------
    def _read(self, what: str, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def _write(self, what: str, fn: Callable[[Cx], T]) -> T:
        raise NotImplementedError

    def _now(self) -> Any:
        raise NotImplementedError

    def _document_match(self, query: str) -> tuple[str, list[Any]] | None:
        """A subquery of the ids of documents whose passages match `query`; None: no words to match."""
        raise NotImplementedError

    def _check_match(self, query: str) -> tuple[str, str, list[Any]] | None:
        """(JOIN, WHERE, args) matching checks by text; None: no words to match."""
        raise NotImplementedError

    def _check_text(self, ix: CheckIndex) -> dict[str, Any]:
        """Extra columns of a check row (PostgreSQL: its searchable `body`)."""
        return {}

    def _after_check_write(self, cx: Cx, check_id: str, ix: CheckIndex) -> None:
        """Keep a backend's own text index of checks in step (SQLite: checks_fts)."""

    def _in(self, column: str, values: Sequence[Any]) -> Iterator[tuple[str, list[Any]]]:
        """`column` among `values`, as (condition, args) pairs to run one after another: here IN
        lists of 500 (under SQLite's parameter limit); PostgreSQL passes one array instead."""
        for batch in iter_batches(values, 500):
            yield f"{column} IN ({marks(len(batch))})", batch

    def _one(self, what: str, sql: str, args: Sequence[Any] = ()) -> Any:
        rows = self._read(what, sql, args)
        return rows[0] if rows else None

    # --- evidence -------------------------------------------------------------------------------
    def has_document(self, document_id: str) -> bool:
        return self._one("has_document", "SELECT 1 FROM documents WHERE id = ?", (document_id,)) is not None

    def get_document(self, document_id: str) -> Document | None:
        r = self._one("get_document", f"SELECT {cols(DOC_COLS)} FROM documents WHERE id = ?", (document_id,))
        return row_to_document(r) if r else None

    def get_passages(self, passage_ids: Sequence[str]) -> list[tuple[Passage, Document]]:
        ids = list(dict.fromkeys(passage_ids))
        rows: list[Any] = []
        for cond, args in self._in("p.id", ids):
            rows += self._read("get_passages", f"{PASSAGE_SELECT} WHERE {cond}", args)
        return passages_in_order(rows, ids, row_to_document)

    def _documents(self, what: str, select: str, limit: int, offset: int, query: str | None) -> list[Any] | None:
        where, args = "", []
        if query:
            found = self._document_match(query)
            if found is None:
                return None
            where, args = f" WHERE d.id IN ({found[0]})", found[1]
        sql = f"SELECT {select} FROM documents d{where} ORDER BY d.added DESC, d.id LIMIT ? OFFSET ?"
        return self._read(what, sql, [*args, limit, offset])

    def list_documents(self, limit: int = 50, offset: int = 0, query: str | None = None) -> list[Document]:
        rows = self._documents("list_documents", cols(DOC_COLS, "d."), limit, offset, query)
        return [row_to_document(r) for r in rows or []]

    def list_document_summaries(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> list[DocumentSummary]:
        n = DocumentSummary.SNIPPET
        select = f"d.id, d.title, d.publisher, d.url, d.published, d.source_path, substr(d.text, 1, {n + 1})"
        rows = self._documents("list_document_summaries", select, limit, offset, query)
        return [row_to_summary(r, n) for r in rows or []]

    def stats(self) -> dict[str, int]:
        r = self._one(
            "stats",
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages), (SELECT count(*) FROM checks)",
        )
        return {"documents": int(r[0]), "passages": int(r[1]), "checks": int(r[2])}

    # --- fact-checks (the CheckStore contract) --------------------------------------------------
    def _write_check(self, check_id: str, status: str, ix: CheckIndex, payload: str) -> None:
        now = self._now()
        row = {
            "id": check_id,
            "status": status,
            "claim": ix.claim,
            "speaker": ix.speaker,
            "speaker_title": ix.speaker_title,
            "rating": ix.rating,
            "confidence": ix.confidence,
            "claim_date": ix.claim_date,
            "headline": ix.headline,
            "published": ix.published,
            "data": payload,
            "created": now,
            "updated": now,
            **self._check_text(ix),
        }
        sql = upsert("checks", list(row), "id", keep=("created",))

        def write(cx: Cx) -> None:
            cx.run(sql, list(row.values()))
            self._after_check_write(cx, check_id, ix)

        self._write("save_check", write)

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
        r = self._one("get_check", "SELECT id, status, data, created, updated FROM checks WHERE id = ?", (check_id,))
        return row_to_raw_check(r) if r else None

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
            found = self._check_match(query)
            if found is None:
                return None
            sql += found[0]
            where.append(found[1])
            args += found[2]
        if isinstance(status, str) and status:
            where.append("c.status = ?")
            args.append(status)
        elif status:  # any of several
            where.append(f"c.status IN ({marks(len(status))})")
            args.extend(status)
        if rating:
            where.append("c.rating = ?")
            args.append(rating)
        if speaker:  # a case-insensitive substring; % and _ in it match literally
            where.append("lower(c.speaker) LIKE ? ESCAPE '\\'")
            args.append(like_pattern(speaker.lower()))
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
        sql = (
            "SELECT c.id, c.status, c.data, c.created, c.updated" + found[0] + " ORDER BY c.updated DESC, c.id LIMIT ?"
        )
        return [row_to_raw_check(r) for r in self._read("list_checks", sql, [*found[1], limit])]

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
        sql = f"SELECT {SUMMARY_COLS}" + found[0] + " ORDER BY c.updated DESC, c.id LIMIT ?"
        return [row_to_check_summary(r) for r in self._read("list_summaries", sql, [*found[1], limit])]

    def get_check_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for cond, args in self._in("key", keys):
            out.update(
                (k, np.frombuffer(bytes(v), dtype=np.float32).copy())
                for k, v in self._read("get_check_vectors", f"SELECT key, vector FROM check_vectors WHERE {cond}", args)
            )
        return out

    def add_audit(self, check_id: str, user: str, action: str, note: str, detail: dict[str, Any]) -> None:
        row = (check_id, self._now(), user, action, note, json.dumps(detail))
        sql = 'INSERT INTO audit (check_id, at, "user", action, note, detail) VALUES (?,?,?,?,?,?)'
        self._write("add_audit", lambda cx: cx.run(sql, row))

    def list_audit(self, check_id: str) -> list[dict[str, Any]]:
        rows = self._read(
            "list_audit",
            f'SELECT at, "user", action, note, detail FROM audit WHERE check_id = ? ORDER BY {self._AUDIT_ORDER}',
            (check_id,),
        )
        return [
            {"at": iso(r[0]), "user": r[1], "action": r[2], "note": r[3], "detail": json.loads(r[4] or "{}")}
            for r in rows
        ]

    # --- users and login sessions (server-side, so logging out ends them) -------------------------
    def add_user(self, name: str, role: str, token_hash: str) -> None:
        sql = upsert("users", ("name", "role", "token_hash", "created"), "name", keep=("created",))
        self._write("add_user", lambda cx: cx.run(sql, (name, role, token_hash, self._now())))

    def get_user_by_token_hash(self, token_hash: str) -> dict[str, Any] | None:
        r = self._one("get_user_by_token_hash", "SELECT name, role FROM users WHERE token_hash = ?", (token_hash,))
        return {"name": r[0], "role": r[1]} if r else None

    def add_session(self, session_hash: str, token_hash: str, csrf: str, expires: float) -> None:
        """Keep a login session until `expires` (Unix seconds); expired sessions are dropped here."""
        import time

        sql = upsert("sessions", ("id_hash", "token_hash", "csrf", "expires"), "id_hash")

        def write(cx: Cx) -> None:
            cx.run("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            cx.run(sql, (session_hash, token_hash, csrf, float(expires)))

        self._write("add_session", write)

    def get_session(self, session_hash: str) -> dict[str, Any] | None:
        """{"name", "role", "csrf"} of a live session whose user still holds the token it logged in with."""
        import time

        r = self._one(
            "get_session",
            "SELECT u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.token_hash = s.token_hash "
            "WHERE s.id_hash = ? AND s.expires >= ?",
            (session_hash, time.time()),
        )
        return {"name": r[0], "role": r[1], "csrf": r[2]} if r else None

    def delete_session(self, session_hash: str) -> None:
        self._write("delete_session", lambda cx: cx.run("DELETE FROM sessions WHERE id_hash = ?", (session_hash,)))

    # --- claims found in the corpus (ClaimStore) --------------------------------------------------
    def add_claims(self, mentions: Sequence[ClaimMention]) -> int:
        now = self._now()
        rows = [(*claim_to_row(m), now) for m in mentions]
        sql = f"INSERT INTO claims ({cols(CLAIM_COLS)}, added) VALUES ({marks(len(CLAIM_COLS) + 1)}) ON CONFLICT DO NOTHING"
        if not rows:
            return 0
        return self._write("add_claims", lambda cx: sum(cx.run(sql, r) for r in rows))

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
        sql = f"SELECT {cols(CLAIM_COLS)} FROM claims" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY claim_date IS NULL, claim_date, document_id, start"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [row_to_claim(r) for r in self._read("list_claims", sql, args)]

    def mark_extracted(self, document_id: str, claims: int) -> None:
        sql = upsert("claim_extractions", ("document_id", "claims", "at"), "document_id")
        self._write("mark_extracted", lambda cx: cx.run(sql, (document_id, claims, self._now())))

    def extracted_documents(self) -> set[str]:
        return {r[0] for r in self._read("extracted_documents", "SELECT document_id FROM claim_extractions")}

    # --- recurring claims (NarrativeStore) ------------------------------------------------------
    def save_narratives(
        self,
        groups: Sequence[tuple[NarrativeGroup, np.ndarray]],
        members: Sequence[NarrativeMember],
        deleted: Sequence[str] = (),
    ) -> None:
        now = iso(dt.datetime.now(dt.UTC))
        group_rows = [
            (
                g.id,
                g.representative,
                g.size,
                g.first_seen,
                g.last_seen,
                np.asarray(c, np.float32).tobytes(),
                g.created or now,
                now,
            )
            for g, c in groups
        ]
        member_rows = [member_to_row(m) for m in members]
        group_sql = upsert(
            "narratives",
            ("id", "representative", "size", "first_seen", "last_seen", "centroid", "created", "updated"),
            "id",
            keep=("created",),
        )
        member_sql = upsert("narrative_members", MEMBER_COLS, "key")

        def write(cx: Cx) -> None:
            # Deletes before the upserts: a merge deletes a group and re-points its members.
            for cond, args in self._in("id", deleted):
                cx.run(f"DELETE FROM narratives WHERE {cond}", args)
            for cond, args in self._in("narrative_id", deleted):
                cx.run(f"DELETE FROM narrative_members WHERE {cond}", args)
            if group_rows:
                cx.runmany(group_sql, group_rows)
            if member_rows:
                cx.runmany(member_sql, member_rows)

        self._write("save_narratives", write)

    def list_narrative_groups(self) -> list[NarrativeGroup]:
        rows = self._read("list_narrative_groups", f"SELECT {cols(GROUP_COLS)} FROM narratives ORDER BY id")
        return [NarrativeGroup(**dict(zip(GROUP_COLS, r))) for r in rows]

    def narrative_centroids(self) -> dict[str, np.ndarray]:
        rows = self._read("narrative_centroids", "SELECT id, centroid FROM narratives")
        return {r[0]: np.frombuffer(bytes(r[1]), dtype=np.float32).copy() for r in rows}

    def list_narrative_members(self, narrative_id: str | None = None) -> list[NarrativeMember]:
        sql = f"SELECT {cols(MEMBER_COLS)} FROM narrative_members"
        args: list[Any] = []
        if narrative_id is not None:
            sql += " WHERE narrative_id = ?"
            args.append(narrative_id)
        sql += " ORDER BY claim_date IS NULL, claim_date, key"
        return [row_to_member(r) for r in self._read("list_narrative_members", sql, args)]

    def add_narrative_edit(self, edit: NarrativeEdit) -> None:
        names = ("at", "user", "action", "narrative_id", "other_id", "member_key", "note")
        row = (edit.at, edit.user, edit.action, edit.narrative_id, edit.other_id, edit.member_key, edit.note)
        sql = f"INSERT INTO narrative_edits ({cols(names)}) VALUES ({marks(len(names))})"
        self._write("add_narrative_edit", lambda cx: cx.run(sql, row))

    def list_narrative_edits(self) -> list[NarrativeEdit]:
        rows = self._read("list_narrative_edits", f"SELECT {cols(EDIT_COLS)} FROM narrative_edits ORDER BY seq")
        return [NarrativeEdit(**{**dict(zip(EDIT_COLS, r)), "note": r[5] or ""}) for r in rows]

    def add_alert(self, key: str, alert: dict[str, Any] | None) -> bool:
        payload = None if alert is None else json.dumps(alert)
        sql = "INSERT INTO alerts (key, at, alert) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING"
        return self._write("add_alert", lambda cx: cx.run(sql, (key, self._now(), payload)) > 0)

    def alert_keys(self) -> set[str]:
        return {r[0] for r in self._read("alert_keys", "SELECT key FROM alerts")}

    def list_alerts(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._read(
            "list_alerts", "SELECT alert FROM alerts WHERE alert IS NOT NULL ORDER BY seq DESC LIMIT ?", (limit,)
        )
        return [json.loads(r[0]) for r in rows]
