"""The Desk: factdesk's library API, which the CLI and the web desk are thin layers over.

`Desk.check` runs an ordered list of named stages, `Desk.stages`, over one `CheckDraft`:
retrieve (candidates) -> judge (stance, re-rank, verdict) -> write (the report) -> ground
(drop unsupported sentences) -> match (earlier fact-checks). `Desk.describe()` prints that
list. Each stage drives one part typed by a Protocol in `factdesk.protocols`; pass another
part to `Desk(...)` (a retriever, reranker, stance model, aggregator, writer, grounder or
matcher) to swap it.

>>> from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
>>> desk = Desk(db=":memory:", embedder=FakeEmbedder(), stance_model=FakeStanceModel())
>>> desk.describe()
'retrieve -> judge -> write -> ground -> match'
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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from factdesk.config import Config, default
from factdesk.ingest.chunking import chunk_document
from factdesk.ingest.loaders import Skip, iter_files
from factdesk.ingest.read import read_files
from factdesk.match.previous import FactCheckMatcher, import_checks, load_check_records
from factdesk.models.embed import DualEncoder, Embedder
from factdesk.protocols import (
    Aggregator,
    Grounder,
    Matcher,
    NeedsGrounding,
    Reranker,
    Retriever,
    Stage,
    StanceModel,
    Writer,
)
from factdesk.registry import open_store, registry
from factdesk.report.grounding import GroundingCheck
from factdesk.report.writer import TemplateWriter
from factdesk.retrieval.hybrid import HybridRetriever
from factdesk.retrieval.timefilter import evidence_cutoff
from factdesk.store.base import EvidenceStore, MultilingualIndex
from factdesk.types import CheckDraft, Claim, Document, Evidence, FactCheck, Verdict
from factdesk.verdict.judge import Judge, default_aggregator

if TYPE_CHECKING:
    from factdesk.models.generators import Generator


@dataclass
class IngestReport:
    """What an ingest did: counts, and every file or line skipped with its reason."""

    documents_added: int = 0
    documents_unchanged: int = 0
    passages_added: int = 0
    skipped: list[Skip] = field(default_factory=list)

    def summary(self) -> str:
        s = (
            f"{self.documents_added} documents added ({self.passages_added} passages), "
            f"{self.documents_unchanged} already stored, {len(self.skipped)} skipped"
        )
        return s + "".join(f"\n  skipped {sk}" for sk in self.skipped)


# --- the stages Desk.check loops over ------------------------------------------------------------
class RetrieveStage:
    """retrieve: candidate evidence published before the draft's cut-off, best first.

    Asks the retriever for max(`top_k`, `candidates`) passages, so the judge has more than
    it keeps to choose from.
    """

    name = "retrieve"

    def __init__(self, retriever: Callable[[], Retriever], candidates: int = default("candidates")) -> None:
        if candidates < 1:
            raise ValueError(f"candidates must be at least 1, got {candidates}")
        self._retriever = retriever  # a getter: the default retriever opens the store on first use
        self.candidates = candidates

    def warm_up(self) -> None:
        self._retriever().warm_up()

    def run(self, draft: CheckDraft) -> CheckDraft:
        n = max(draft.top_k, self.candidates)
        draft.evidence = self._retriever().run(draft.claim, top_k=n, before=draft.before)[:n]
        return draft


class JudgeStage:
    """judge: the stance of every candidate, the reranker's `top_k`, and the verdict (`Judge.run`)."""

    name = "judge"

    def __init__(self, judge: Judge) -> None:
        self.judge = judge

    def warm_up(self) -> None:
        self.judge.warm_up()

    def run(self, draft: CheckDraft) -> CheckDraft:
        draft.evidence, draft.verdict = self.judge.run(draft.claim, draft.evidence, top_k=draft.top_k)
        return draft


class WriteStage:
    """write: the headline, summary and analysis sentences, each citing the evidence it reports."""

    name = "write"

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    def warm_up(self) -> None:
        self.writer.warm_up()

    def run(self, draft: CheckDraft) -> CheckDraft:
        if draft.verdict is None:
            raise ValueError("the write stage needs a verdict: put a judge stage before it")
        draft.headline, draft.summary, draft.analysis = self.writer.run(draft.claim, draft.evidence, draft.verdict)
        return draft


class GroundStage:
    """ground: an analysis sentence the passage it cites does not support is rewritten or dropped."""

    name = "ground"

    def __init__(self, grounder: Grounder) -> None:
        self.grounder = grounder

    def warm_up(self) -> None:
        self.grounder.warm_up()

    def run(self, draft: CheckDraft) -> CheckDraft:
        if draft.analysis:
            draft.analysis, draft.dropped = self.grounder.run(draft.analysis, draft.evidence)
        return draft


class MatchStage:
    """match: fact-checks already published (imported, or by this desk) of the same claim."""

    name = "match"

    def __init__(self, matcher: Callable[[], Matcher]) -> None:
        self._matcher = matcher  # a getter: the default matcher reads the store on first use

    def warm_up(self) -> None:
        """Nothing now: the matcher builds its index on first use and follows the store's checks as
        they change, and most desks hold no earlier checks (warming it would read them all)."""

    def run(self, draft: CheckDraft) -> CheckDraft:
        draft.previous_checks = self._matcher().run(draft.claim.text)
        return draft


class Desk:
    """Ingest evidence, then check claims against it.

    Arguments are stored as given; models load in `warm_up()` (or lazily on first use). Every
    part left None gets the desk's default.

    Args:
        db: a SQLite file path or a postgresql:// URL (default: ``$FACTDESK_DB`` or factdesk.db).
        store: an open store (instead of `db`).
        embedder: sentence embedder for dense retrieval and similarities (default ``minilm``).
        stance_model: judges (claim, passage) pairs (default ``minilm-stance``).
        aggregator: the verdict from judged evidence (default: the learned one when shipped).
        writer: writes the report (default `TemplateWriter`; `LLMWriter` when `generator` is given).
        candidates: passages retrieved for the judge to choose the `top_k` from.
        ground: run the grounding stage (always run for a writer that `requires_grounding`).
        generator: a text generator for `LLMWriter`, when no writer is given.
        retriever: candidate evidence (default `HybridRetriever` over the store).
        reranker: picks the `top_k` of the judged candidates (default `RelevanceReranker`).
        grounder: checks analysis sentences against their passages (default `GroundingCheck`).
        matcher: earlier fact-checks of the claim (default `FactCheckMatcher` over the store).
        multilingual: the cross-lingual encoder for retrieval and matching across languages
            (`factdesk.retrieval.multilingual`): "default" is e5 (``registry "embedder", "e5"``)
            when `embedder` is left to the default and none when an embedder is given; None
            turns it off (English-only retrieval, as before issue 24).
    """

    def __init__(
        self,
        db: str | None = None,
        store: EvidenceStore | None = None,
        embedder: Embedder | None = None,
        stance_model: StanceModel | None = None,
        aggregator: Aggregator | None = None,
        writer: Writer | None = None,
        candidates: int = default("candidates"),
        ground: bool = True,
        generator: Generator | None = None,
        *,
        retriever: Retriever | None = None,
        reranker: Reranker | None = None,
        grounder: Grounder | None = None,
        matcher: Matcher | None = None,
        multilingual: DualEncoder | Literal["default"] | None = "default",
    ) -> None:
        self.db = db
        self._store = store
        self._retriever = retriever
        self._matcher = matcher
        if multilingual == "default":
            multilingual = registry.create("embedder", "e5") if embedder is None else None
        self.multilingual: DualEncoder | None = multilingual
        self.embedder: Embedder = embedder if embedder is not None else registry.create("embedder", "minilm")
        self.stance_model: StanceModel = (
            stance_model if stance_model is not None else registry.create("stance", Config().get("stance"))
        )
        if aggregator is None:
            aggregator = default_aggregator(self.stance_model)
        self.judge_stage = Judge(
            stance_model=self.stance_model, aggregator=aggregator, reranker=reranker, embedder=self.embedder
        )
        if writer is None and generator is not None:
            from factdesk.report.llm_writer import LLMWriter

            writer = LLMWriter(generator)
        self.writer: Writer = writer if writer is not None else TemplateWriter()
        self.candidates = candidates
        self.ground = ground
        self.grounder: Grounder = grounder if grounder is not None else GroundingCheck(self.stance_model)
        # A writer that can say what no passage says (a generator) is grounded even when ground=False.
        must_ground = isinstance(self.writer, NeedsGrounding) and self.writer.requires_grounding
        self.stages: list[Stage] = [
            RetrieveStage(lambda: self.retriever, candidates),
            JudgeStage(self.judge_stage),
            WriteStage(self.writer),
        ]
        if ground or must_ground:
            self.stages.append(GroundStage(self.grounder))
        self.stages.append(MatchStage(lambda: self.matcher))
        self._warm = False

    # --- components ---------------------------------------------------------------------------
    @property
    def store(self) -> EvidenceStore:
        if self._store is None:
            self._store = open_store(self.db)
        return self._store

    @property
    def retriever(self) -> Retriever:
        """The retriever given, else a `HybridRetriever` over the store (built on first use)."""
        if self._retriever is None:
            self._retriever = HybridRetriever(self.store, self.embedder, multilingual=self.multilingual)
        return self._retriever

    @property
    def matcher(self) -> Matcher:
        """Finds earlier fact-checks (imported or published by this desk) of a claim."""
        if self._matcher is None:
            self._matcher = FactCheckMatcher(self.store, self.embedder, multilingual=self.multilingual)
        return self._matcher

    def describe(self) -> str:
        """The check pipeline, as the stage names `check` runs in order."""
        return " -> ".join(stage.name for stage in self.stages)

    def warm_up(self) -> None:
        """Load every stage's models now rather than on the first check."""
        if self._warm:
            return
        for stage in self.stages:
            stage.warm_up()
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
            # The e5 vectors of the multilingual index (issue 24), when the store keeps one.
            ml = self.multilingual if isinstance(self.store, MultilingualIndex) else None
            ml_vecs = ml.passage(texts) if ml is not None and texts else None
            at = 0
            for d, ps in todo:
                if not ps:
                    report.skipped.append(Skip(d.source_path or d.id, "no text to index"))
                    continue
                assert vecs is not None
                rows = vecs[at : at + len(ps)]
                ml_rows = None if ml_vecs is None else ml_vecs[at : at + len(ps)]
                at += len(ps)
                try:
                    if ml_rows is None:
                        added = self.store.add_document(d, ps, rows)
                    else:
                        added = self.store.add_document(d, ps, rows, multilingual=ml_rows)
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
        reader: Callable[[list[Path], dict[str, Any]], Iterable[Document | Skip]] | None = None,
        follow_symlinks: bool = False,
        file_seconds: float | None = None,
        language: str | None = None,
    ) -> IngestReport:
        """Ingest files and folders; bad files are skipped with a reason, never fatal.

        `bulk=True` lets a server store defer index upkeep to the end (PostgreSQL drops and
        rebuilds its HNSW index): much faster for large loads, slower for a few files.
        `reader(files, defaults)` replaces reading the files one by one with `load_file`: the
        web desk reads uploads in a child process with time limits (`factdesk.ingest.isolate`).
        By default HTML, PDF and .urls files are parsed in a child process too (`read_files`):
        one that makes no progress for `file_seconds` (default: the `ingest_file_seconds`
        setting) is skipped with the reason. `follow_symlinks` reads what links out of a folder
        point to (skipped with a reason by default). `language` (ISO 639-1) is every document's
        language instead of the detected one.
        """
        defaults: dict[str, Any] = {}
        if language:
            defaults["language"] = language
        if publisher:
            defaults["publisher"] = publisher
        if date:
            defaults["published"] = date

        files = list(iter_files(paths, follow_symlinks=follow_symlinks))
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(files), unit="file", desc="ingest", file=sys.stderr)

        def docs() -> Iterable[Document | Skip]:
            if reader is not None:
                yield from (f for f in files if isinstance(f, Skip))
                yield from reader([f for f in files if not isinstance(f, Skip)], defaults)
                return
            yield from read_files(
                files, defaults, per_file_seconds=file_seconds, on_file=None if bar is None else lambda: bar.update(1)
            )

        import contextlib

        bulk_ctx = getattr(self.store, "bulk_load", None)
        ctx = bulk_ctx() if (bulk and bulk_ctx is not None) else contextlib.nullcontext()
        try:
            with ctx:
                report = self.ingest(docs())
                if bar is not None and bulk and bulk_ctx is not None:
                    # Leaving the context builds the vector index: minutes per million passages.
                    bar.close()
                    print(
                        f"building the vector index over the store's {self.store.stats()['passages']} passages "
                        "(PostgreSQL HNSW: about 25 min per million on 2 cores; set pg_index_memory "
                        "to about 2GB per million passages)",
                        file=sys.stderr,
                        flush=True,
                    )
            return report
        finally:
            if bar is not None:
                bar.close()

    # --- check --------------------------------------------------------------------------------
    def retrieve(self, claim: Claim, top_k: int = default("top_k"), before: dt.date | None = None) -> list[Evidence]:
        """Fused lexical + dense evidence published before `before` (all when None)."""
        return self.retriever.run(claim, top_k=top_k, before=before)[:top_k]

    def judge(self, claim: Claim, evidence: list[Evidence]) -> tuple[list[Evidence], Verdict]:
        """Judge and weigh exactly the evidence given, in its order (no re-rank): `Judge.run`."""
        return self.judge_stage.run(claim, evidence)

    def check(self, claim: Claim, top_k: int = default("top_k"), before: dt.date | None = None) -> FactCheck:
        """Run the stages in order on the claim: the `top_k` passages weighed, the verdict, the report.

        When `before` is None and the claim has a date, only evidence published before the
        claim is used: a fact-check weighs what was known when the claim was made.
        """
        draft = CheckDraft(claim=claim, top_k=top_k, before=evidence_cutoff(claim, before))
        for stage in self.stages:
            draft = stage.run(draft)
        return draft.to_factcheck()

    def import_checks(self, path: str | os.PathLike[str]) -> int:
        """Import published fact-checks (ClaimReview JSON-LD or AVeriTeC JSON) for matching."""
        return import_checks(self.store, load_check_records(path))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
