"""The Desk: factdesk's library API, which the CLI and the web desk are thin layers over.

The check pipeline is an ordered list of named stages (retrieve, judge, write, ground);
`Desk.describe()` prints it.

>>> from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
>>> desk = Desk(db=":memory:", embedder=FakeEmbedder(), stance_model=FakeStanceModel())
>>> report = desk.ingest([Document(text="Russia began air strikes in Syria in September 2015.",
...                                 publisher="Reuters", published="2015-10-01")])
>>> report.documents_added
1
>>> fc = desk.check(Claim(text="Russia began air strikes in Syria in 2015."))
>>> fc.evidence[0].document.publisher
'Reuters'
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from factdesk.ingest.chunking import chunk_document
from factdesk.ingest.loaders import Skip, iter_files, load_file
from factdesk.match.previous import FactCheckMatcher, import_checks, load_check_records
from factdesk.models.embed import Embedder
from factdesk.registry import open_store, registry
from factdesk.report.grounding import GroundingCheck
from factdesk.report.writer import TemplateWriter
from factdesk.retrieval.hybrid import HybridRetriever
from factdesk.store.base import EvidenceStore
from factdesk.types import Claim, Document, Evidence, FactCheck, Sentence, Verdict
from factdesk.verdict.aggregate import add_similarity
from factdesk.verdict.judge import Judge
from factdesk.verdict.stance import StanceModel


@dataclass
class IngestReport:
    """What an ingest did: counts, and every file or line skipped with its reason."""

    documents_added: int = 0
    documents_unchanged: int = 0
    passages_added: int = 0
    skipped: list[Skip] = field(default_factory=list)

    def summary(self) -> str:
        s = (f"{self.documents_added} documents added ({self.passages_added} passages), "
             f"{self.documents_unchanged} already stored, {len(self.skipped)} skipped")
        return s + "".join(f"\n  skipped {sk}" for sk in self.skipped)


class Desk:
    """Ingest evidence, then check claims against it.

    Arguments are stored as given; models load in `warm_up()` (or lazily on first use).
    """

    STAGES = ("retrieve", "judge", "write", "ground", "match")

    def __init__(
        self,
        db: str | None = None,
        store: EvidenceStore | None = None,
        embedder: Embedder | None = None,
        stance_model: StanceModel | None = None,
        aggregator: Any = None,
        writer: Any = None,
        candidates: int = 20,
        ground: bool = True,
        generator: Any = None,
    ) -> None:
        self.db = db
        self._store = store
        self._embedder = embedder
        self.judge_stage = Judge(stance_model=stance_model, aggregator=aggregator)
        if writer is None and generator is not None:
            from factdesk.report.llm_writer import LLMWriter

            writer = LLMWriter(generator)
        self.writer = writer or TemplateWriter()
        self.candidates = candidates
        self.ground = ground
        self._retriever: HybridRetriever | None = None
        self._warm = False

    # --- components ---------------------------------------------------------------------------
    @property
    def store(self) -> EvidenceStore:
        if self._store is None:
            self._store = open_store(self.db)
        return self._store

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = registry.create("embedder", "minilm")
        return self._embedder

    @property
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            self._retriever = HybridRetriever(self.store, self.embedder)
        return self._retriever

    def describe(self) -> str:
        return " -> ".join(self.STAGES)

    def warm_up(self) -> None:
        if self._warm:
            return
        self.embedder.warm_up()
        self.judge_stage.warm_up()
        self.writer.warm_up()
        self._warm = True

    # --- ingest -------------------------------------------------------------------------------
    def ingest(
        self,
        documents: Iterable[Document | Skip],
        progress: Callable[[int], None] | None = None,
        batch_size: int = 32,
    ) -> IngestReport:
        """Chunk, embed and store documents; each document is one transaction.

        A document the store refuses (`StoreError`) is skipped with its reason; the rest are stored.
        """
        from factdesk.errors import StoreError  # imported here: only the ingest method is this change's to edit

        report = IngestReport()
        batch: list[Document] = []

        def flush() -> None:
            todo = []
            for d in batch:
                if self.store.has_document(d.id):
                    report.documents_unchanged += 1
                else:
                    todo.append((d, chunk_document(d)))
            texts = [p.text for _, ps in todo for p in ps]
            vecs = self.embedder.embed(texts) if texts else None
            at = 0
            for d, ps in todo:
                if not ps:
                    report.skipped.append(Skip(d.source_path or d.id, "no text to index"))
                    continue
                assert vecs is not None
                rows = vecs[at : at + len(ps)]
                at += len(ps)
                try:
                    added = self.store.add_document(d, ps, rows)
                except StoreError as exc:
                    # One document the store refuses (a field it cannot hold) is skipped with its
                    # reason; the store rolled its transaction back, and the run goes on.
                    report.skipped.append(Skip(d.source_path or d.id, f"not stored: {exc}"))
                    continue
                if added:
                    report.documents_added += 1
                    report.passages_added += len(ps)
                else:
                    report.documents_unchanged += 1
            if progress:
                progress(len(batch))
            batch.clear()

        for item in documents:
            if isinstance(item, Skip):
                report.skipped.append(item)
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return report

    def ingest_paths(
        self,
        paths: Sequence[str | os.PathLike[str]],
        publisher: str | None = None,
        date: str | dt.date | None = None,
        progress: bool = False,
        bulk: bool = False,
    ) -> IngestReport:
        """Ingest files and folders; bad files are skipped with a reason, never fatal.

        `bulk=True` lets a server store defer index upkeep to the end (PostgreSQL drops and
        rebuilds its HNSW index): much faster for large loads, slower for a few files.
        """
        defaults: dict[str, Any] = {}
        if publisher:
            defaults["publisher"] = publisher
        if date:
            defaults["published"] = date

        files = list(iter_files(paths))
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(files), unit="file", desc="ingest", file=sys.stderr)

        def docs() -> Iterable[Document | Skip]:
            for f in files:
                if isinstance(f, Skip):
                    yield f
                else:
                    yield from load_file(f, defaults)
                if bar is not None:
                    bar.update(1)

        import contextlib

        bulk_ctx = getattr(self.store, "bulk_load", None)
        ctx = bulk_ctx() if (bulk and bulk_ctx is not None) else contextlib.nullcontext()
        try:
            with ctx:
                report = self.ingest(docs())
                if bar is not None and bulk and bulk_ctx is not None:
                    # Leaving the context builds the vector index: minutes per million passages.
                    bar.close()
                    print(f"building the vector index over the store's {self.store.stats()['passages']} passages "
                          "(PostgreSQL HNSW: about 25 min per million on 2 cores; set pg_index_memory "
                          "to about 2GB per million passages)", file=sys.stderr, flush=True)
            return report
        finally:
            if bar is not None:
                bar.close()

    # --- check --------------------------------------------------------------------------------
    def retrieve(self, claim: Claim, top_k: int = 10, before: dt.date | None = None) -> list[Evidence]:
        """Fused lexical + dense evidence published before `before` (all when None)."""
        return self.retriever.run(claim, top_k=top_k, before=before)[:top_k]

    def judge(self, claim: Claim, evidence: list[Evidence]) -> tuple[list[Evidence], Verdict]:
        return self.judge_stage.run(claim, evidence)

    def check(self, claim: Claim, top_k: int = 8, before: dt.date | None = None) -> FactCheck:
        """Retrieve candidates, judge them, keep the top_k most relevant, and write the report.

        When `before` is None and the claim has a date, only evidence published before the
        claim is used: a fact-check weighs what was known when the claim was made.
        """
        if before is None and claim.date is not None:
            before = claim.date + dt.timedelta(days=1)
        self.judge_stage.warm_up()
        candidates = self.retriever.run(claim, top_k=max(top_k, self.candidates), before=before)
        candidates = candidates[: max(top_k, self.candidates)]
        self.judge_stage.score(claim, candidates)
        # Rerank: the stance model's relevance (1 - P(NEI)) first, fused retrieval rank as tie-break.
        top = max((e.scores.get("fused", 0.0) for e in candidates), default=1.0) or 1.0
        for e in candidates:
            e.scores["rerank"] = 0.7 * e.scores.get("relevance", 0.0) + 0.3 * e.scores.get("fused", 0.0) / top
        evidence = sorted(candidates, key=lambda e: -e.scores["rerank"])[:top_k]
        assert self.judge_stage.aggregator is not None
        add_similarity(claim, evidence, self.embedder)  # relevance gates the verdict (verdict.aggregate)
        verdict = self.judge_stage.aggregator.run(claim, evidence)
        head, summary, analysis = self.writer.run(claim, evidence, verdict)
        dropped: list[Sentence] = []
        if analysis and (self.ground or getattr(self.writer, "requires_grounding", False)):
            assert self.judge_stage.stance_model is not None
            analysis, dropped = GroundingCheck(self.judge_stage.stance_model).run(analysis, evidence)
        previous = [m.to_dict() for m in self.matcher.run(claim.text)]
        return FactCheck(claim=claim, evidence=evidence, verdict=verdict, headline=head,
                         summary=summary, analysis=analysis, dropped=dropped, previous_checks=previous)

    @property
    def matcher(self) -> FactCheckMatcher:
        """Finds earlier fact-checks (imported or published by this desk) of a claim."""
        return FactCheckMatcher(self.store, self.embedder)

    def import_checks(self, path: str | os.PathLike[str]) -> int:
        """Import published fact-checks (ClaimReview JSON-LD or AVeriTeC JSON) for matching."""
        return import_checks(self.store, load_check_records(path))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
