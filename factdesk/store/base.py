"""The evidence-store contract that every backend (SQLite, PostgreSQL) fulfils.

A store keeps documents, their passages (with character offsets), a lexical index, the
passages' dense vectors, and the desk's fact-check records, users and audit history.
`tests/store/test_contract.py` runs the same tests against every backend.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from factdesk.types import Document, Passage

# Words too common to help a lexical query; keeping them makes BM25 slow and noisy.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves said says say""".split()
)

_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(text: str, limit: int = 32) -> list[str]:
    """Lower-cased content words of a query, de-duplicated in order."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(text.lower()):
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        seen.setdefault(w, None)
        if len(seen) >= limit:
            break
    return list(seen)


@dataclass
class Hit:
    """A passage id with a retrieval score (higher is better)."""

    passage_id: str
    score: float


@runtime_checkable
class EvidenceStore(Protocol):
    """What the desk needs from an evidence store."""

    dim: int

    # --- evidence -------------------------------------------------------------------------
    def has_document(self, document_id: str) -> bool: ...

    def add_document(self, document: Document, passages: Sequence[Passage], vectors: np.ndarray) -> bool:
        """Add a document with its passages and their vectors in one transaction.

        Returns False (and changes nothing) when the document is already stored.
        """
        ...

    def get_document(self, document_id: str) -> Document | None: ...

    def get_passages(self, passage_ids: Sequence[str]) -> list[tuple[Passage, Document]]:
        """Passages with their documents, in the order asked; unknown ids are left out."""
        ...

    def lexical_search(self, query: str, k: int, before: dt.date | None = None) -> list[Hit]: ...

    def dense_search(self, vector: np.ndarray, k: int, before: dt.date | None = None) -> list[Hit]: ...

    def list_documents(self, limit: int = 50, offset: int = 0, query: str | None = None) -> list[Document]: ...

    def stats(self) -> dict[str, int]: ...

    # --- fact-checks, users, audit ----------------------------------------------------------
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

    def get_check_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached embeddings of fact-checked claims by key (float32); unknown keys are left out."""
        ...

    def save_check_vectors(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Cache embeddings by key (the matcher uses a hash of model and text); replaces old ones."""
        ...

    def add_audit(self, check_id: str, user: str, action: str, note: str, detail: dict[str, Any]) -> None: ...

    def list_audit(self, check_id: str) -> list[dict[str, Any]]: ...

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
