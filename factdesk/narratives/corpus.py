"""Claims from the corpus: run the claim extractor over stored documents and keep the check-worthy
ones (speaker, title, outlet, date, offsets) in the store's claims table.

>>> from factdesk.store.sqlite import SQLiteStore
>>> stage = CorpusClaims(SQLiteStore(":memory:", dim=4), min_checkworthiness=0.5)
>>> stage.min_checkworthiness
0.5
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from factdesk.errors import FactdeskError, InputError
from factdesk.types import ClaimMention, Document

DEFAULT_MIN_CHECKWORTHINESS = 0.5


@dataclass
class ClaimsReport:
    """What an extraction did: documents read, claims kept and new, documents skipped with why."""

    documents: int = 0
    already: int = 0
    claims: int = 0
    new: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        s = (
            f"claims: read {self.documents} documents ({self.already} read before), kept {self.claims} "
            f"check-worthy claims, {self.new} new"
        )
        return s + (f"; skipped {len(self.skipped)}: {'; '.join(self.skipped[:3])}" if self.skipped else "")


class CorpusClaims:
    """Extract the check-worthy claims of stored documents into the store (idempotent).

    A document is read once (the store remembers it, also when it held no claim); a mention's
    id is its document and offsets, so running again after a crash adds nothing twice.
    Predictions and promises are left out (nothing published before them can settle them), and
    so are sentences below `min_checkworthiness` (half of it for a claim with a named speaker) and the
    document's narration of what someone did (kind ``narration``: nobody claims it).

    Args:
        store: a store with the claim tables (`factdesk.store.base.ClaimStore`).
        extractor: a `factdesk.claims.ClaimExtractor` (default: a new one).
        min_checkworthiness: the check-worthiness model's probability a claim needs.
        force: read documents again even when they were read before.
    """

    def __init__(
        self,
        store: Any,
        extractor: Any = None,
        min_checkworthiness: float = DEFAULT_MIN_CHECKWORTHINESS,
        force: bool = False,
    ) -> None:
        if not 0.0 <= min_checkworthiness <= 1.0:
            raise InputError(f"min_checkworthiness is a probability between 0 and 1, not {min_checkworthiness!r}")
        self.store = store
        self.extractor = extractor
        self.min_checkworthiness = min_checkworthiness
        self.force = force

    def warm_up(self) -> None:
        if self.extractor is None:
            from factdesk.claims import ClaimExtractor

            self.extractor = ClaimExtractor()
        self.extractor.warm_up()

    def mentions(self, document: Document) -> list[ClaimMention]:
        """The check-worthy claims of one document, in text order."""
        self.warm_up()
        res = self.extractor.run(document.text, doc_date=document.published, source=document.url)
        out = []
        for ec in res:
            c = ec.claim
            # A named speaker's claim needs half the bar: the model reads slogans ("NATO is a machine
            # producing refugees") as opinion, and a desk following what people repeat wants them.
            need = self.min_checkworthiness / 2 if c.speaker else self.min_checkworthiness
            if not ec.checkable or ec.kind == "narration" or ec.checkworthiness < need:
                continue
            out.append(
                ClaimMention(
                    document_id=document.id,
                    start=ec.start,
                    end=ec.end,
                    text=c.text,
                    quote=c.quote,
                    speaker=c.speaker,
                    speaker_title=c.speaker_title,
                    outlet=document.publisher,
                    date=c.date,
                    date_source=ec.date_source or c.date_source,
                    checkworthiness=float(ec.checkworthiness),
                    score=float(ec.score),
                    kind=ec.kind,
                    source=document.url or document.source_path,
                )
            )
        return sorted(out, key=lambda m: m.start)

    def run(
        self, documents: Iterable[Document] | None = None, progress: Callable[[str], None] | None = None
    ) -> ClaimsReport:
        """Extract from `documents` (default: every stored document not read yet)."""
        report = ClaimsReport()
        done = set() if self.force else self.store.extracted_documents()
        for d in documents if documents is not None else self._stored():
            if d.id in done:
                report.already += 1
                continue
            report.documents += 1
            try:
                found = self.mentions(d)
            except FactdeskError as exc:
                if "empty" not in str(exc):
                    report.skipped.append(f"{d.source_path or d.id}: {exc}")
                found = []
            report.claims += len(found)
            report.new += self.store.add_claims(found)
            self.store.mark_extracted(d.id, len(found))
            if progress:
                progress(f"{d.source_path or d.id}: {len(found)} claims")
        return report

    def _stored(self, page: int = 200) -> Iterable[Document]:
        offset = 0
        while True:
            docs = self.store.list_documents(limit=page, offset=offset)
            if not docs:
                return
            yield from docs
            offset += len(docs)
