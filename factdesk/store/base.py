"""The evidence-store contract that every backend (SQLite, PostgreSQL) fulfils.

A store keeps documents, their passages (with character offsets), a lexical index, the
passages' dense vectors, and the desk's fact-check records, users and audit history.
`tests/store/test_contract.py` runs the same tests against every backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

# The query word list lives with the retrievers (a leaf module); re-exported for older imports.
from factdesk.retrieval.query import STOPWORDS as STOPWORDS
from factdesk.retrieval.query import query_terms as query_terms
from factdesk.types import (
    CheckRecord,
    CheckSummary,
    ClaimMention,
    Document,
    DocumentSummary,
    NarrativeEdit,
    NarrativeGroup,
    NarrativeMember,
    Passage,
)

MULTILINGUAL_DIM = 384
"""The size of the multilingual passage vectors (multilingual-e5-small), whatever the store's `dim`."""


@dataclass
class Hit:
    """A passage id with a retrieval score (higher is better)."""

    passage_id: str
    score: float


@runtime_checkable
class CheckStore(Protocol):
    """The desk's fact-check records, their history and the listing rows, in one place.

    Records are read and written whole as `CheckRecord` (status, claim, FactCheck, editorial
    metadata; `get_record` adds the history). Listings return `CheckSummary` rows built from
    indexed columns, never from decoded records. `save_check`/`get_check`/`list_checks` keep
    the raw JSON form for imported checks (status "external", `factdesk.match.previous`);
    the columns of both forms come from `CheckIndex`, so no store reads the JSON's keys.
    """

    def save_record(self, record: CheckRecord) -> None:
        """Insert or replace the record (its `history` is not written: use `add_audit`)."""
        ...

    def get_record(self, check_id: str) -> CheckRecord | None:
        """The record with its history, oldest first; None for an unknown id."""
        ...

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
        """Newest first. `status`: one, or any of several; `query`: full text over claim, speaker
        and written text; `speaker`: a case-insensitive substring; `since`/`until`: ISO dates
        bounding the claim's date."""
        ...

    def save_check(self, check_id: str, data: dict[str, Any], status: str) -> None: ...

    def get_check(self, check_id: str) -> dict[str, Any] | None:
        """{"id", "status", "data", "created", "updated"} or None."""
        ...

    def list_checks(
        self,
        status: str | None = None,
        query: str | None = None,
        rating: str | None = None,
        speaker: str | None = None,
        limit: int = 50,
    ) -> list[dict[str, Any]]: ...

    def add_audit(self, check_id: str, user: str, action: str, note: str, detail: dict[str, Any]) -> None: ...

    def list_audit(self, check_id: str) -> list[dict[str, Any]]: ...


@runtime_checkable
class EvidenceStore(CheckStore, Protocol):
    """What the desk needs from an evidence store."""

    dim: int

    # --- evidence -------------------------------------------------------------------------
    def has_document(self, document_id: str) -> bool: ...

    def add_document(
        self,
        document: Document,
        passages: Sequence[Passage],
        vectors: np.ndarray,
        multilingual: np.ndarray | None = None,
    ) -> bool:
        """Add a document with its passages and their vectors in one transaction.

        `multilingual`: the passages' multilingual vectors (`MultilingualIndex`), kept by a
        store that offers it and ignored by one that does not. Returns False (and changes
        nothing) when the document is already stored.
        """
        ...

    def get_document(self, document_id: str) -> Document | None: ...

    def get_passages(self, passage_ids: Sequence[str]) -> list[tuple[Passage, Document]]:
        """Passages with their documents, in the order asked; unknown ids are left out."""
        ...

    def lexical_search(self, query: str, k: int, before: dt.date | None = None) -> list[Hit]: ...

    def dense_search(self, vector: np.ndarray, k: int, before: dt.date | None = None) -> list[Hit]: ...

    def list_documents(self, limit: int = 50, offset: int = 0, query: str | None = None) -> list[Document]: ...

    def list_document_summaries(
        self, limit: int = 50, offset: int = 0, query: str | None = None
    ) -> list[DocumentSummary]:
        """Like `list_documents`, without reading more of each text than a listing shows."""
        ...

    def stats(self) -> dict[str, int]: ...

    # --- fact-check vectors, users, sessions (records: CheckStore) ---------------------------
    def get_check_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached embeddings of fact-checked claims by key (float32); unknown keys are left out."""
        ...

    def save_check_vectors(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Cache embeddings by key (the matcher uses a hash of model and text); replaces old ones."""
        ...

    def add_user(self, name: str, role: str, token_hash: str) -> None: ...

    def get_user_by_token_hash(self, token_hash: str) -> dict[str, Any] | None: ...

    def add_session(self, session_hash: str, token_hash: str, csrf: str, expires: float) -> None:
        """Keep a web login session (by its id's hash) until `expires` (Unix seconds)."""
        ...

    def get_session(self, session_hash: str) -> dict[str, Any] | None:
        """{"name", "role", "csrf"} of a live session whose user still holds the token it logged in with."""
        ...

    def delete_session(self, session_hash: str) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class MultilingualIndex(Protocol):
    """A store that keeps, beside each passage's main vector, a multilingual one and the
    passage's lemmas (schema step 0004), for retrieval across languages
    (`factdesk.retrieval.multilingual`). `add_document` writes both (the lemmas from the
    passage's language, else its document's); passages stored before have neither until
    `set_multilingual` fills them."""

    def multilingual_search(self, vector: np.ndarray, k: int, before: dt.date | None = None) -> list[Hit]:
        """Like `dense_search`, over the multilingual vectors."""
        ...

    def lemma_search(self, query: str, k: int, before: dt.date | None = None) -> list[Hit]:
        """Like `lexical_search`, over the passages' lemmas (`factdesk.retrieval.query.lemma_query`), unstemmed."""
        ...

    def passages_without_multilingual(self, limit: int) -> list[tuple[str, str, str | None]]:
        """Up to `limit` passages lacking a multilingual vector or lemmas: (id, text, language)."""
        ...

    def set_multilingual(self, rows: Sequence[tuple[str, np.ndarray, str | None]]) -> int:
        """Give passages (by id) their multilingual vector and language; returns how many were updated."""
        ...


@runtime_checkable
class CheckVectorSearch(Protocol):
    """A store that searches the cached check vectors itself (PostgreSQL: pgvector HNSW), so the
    claim matcher need not keep a FAISS index of them. Stores without it (SQLite) leave the
    dense search to the matcher's FAISS index."""

    dim: int

    def check_vector_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The `k` cached check vectors (`save_check_vectors`) of highest inner product with
        `vector` (cosine for unit vectors), as (key, score), best first; approximate."""
        ...


@runtime_checkable
class ClaimStore(Protocol):
    """Claims found in stored documents (`ClaimMention`), kept per document with their offsets.

    A mention's id hashes the document and the offsets, so adding the same mentions again adds
    nothing; `mark_extracted` records that a document was read (also when it held no claim), so
    `factdesk extract-claims` reads each document once.
    """

    def add_claims(self, mentions: Sequence[ClaimMention]) -> int:
        """Store the mentions not stored yet (by document and offsets); returns how many were new."""
        ...

    def list_claims(
        self,
        since: str | None = None,
        until: str | None = None,
        document_id: str | None = None,
        limit: int | None = None,
    ) -> list[ClaimMention]:
        """Oldest first (undated last), then by document and offset; `since`/`until` bound the claim's date."""
        ...

    def mark_extracted(self, document_id: str, claims: int) -> None: ...

    def extracted_documents(self) -> set[str]:
        """Ids of the documents whose claims were extracted."""
        ...


@runtime_checkable
class NarrativeStore(Protocol):
    """Recurring claims: groups (with their centroids), their members and the editors' edits."""

    def save_narratives(
        self,
        groups: Sequence[tuple[NarrativeGroup, np.ndarray]],
        members: Sequence[NarrativeMember],
        deleted: Sequence[str] = (),
    ) -> None:
        """In one transaction: delete the `deleted` groups with their members, then upsert the groups
        (with their mean vectors) and the members (by key)."""
        ...

    def list_narrative_groups(self) -> list[NarrativeGroup]:
        """Every group, by id."""
        ...

    def narrative_centroids(self) -> dict[str, np.ndarray]: ...

    def list_narrative_members(self, narrative_id: str | None = None) -> list[NarrativeMember]:
        """Members (of one group, or all), oldest first by date (undated last), then by key."""
        ...

    def add_narrative_edit(self, edit: NarrativeEdit) -> None: ...

    def list_narrative_edits(self) -> list[NarrativeEdit]:
        """Oldest first."""
        ...

    def add_alert(self, key: str, alert: dict[str, Any] | None) -> bool:
        """Record that claim `key` was weighed for an alert (`alert` None: it raised none); False when it was before."""
        ...

    def alert_keys(self) -> set[str]:
        """Keys of every claim weighed for an alert."""
        ...

    def list_alerts(self, limit: int = 100) -> list[dict[str, Any]]:
        """The alerts raised, newest first."""
        ...


def passages_in_order(
    rows: Iterable[Sequence[Any]], ids: Sequence[str], to_document: Callable[[Sequence[Any]], Document]
) -> list[tuple[Passage, Document]]:
    """Rows of (passage id, document id, idx, start, end, text, *document columns) -> pairs in `ids` order.

    Both backends select the same columns, so this mapping lives here once.
    """
    found = {}
    for r in rows:
        p = Passage(id=r[0], document_id=r[1], index=r[2], start=r[3], end=r[4], text=r[5])
        found[r[0]] = (p, to_document(r[6:]))
    return [found[i] for i in ids if i in found]


def iter_batches(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for it in items:
        batch.append(it)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
