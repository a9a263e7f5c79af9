"""Match a claim against fact-checks already published: the desk's own and imported ones.

Imported fact-checks (ClaimReview JSON-LD from other fact-checkers, AVeriTeC JSON, or the
CheckThat! verified-claims TSV) are kept in the store's `checks` table with status
"external"; the desk's own published checks have status "published". `FactCheckMatcher`
ranks them for a claim or a social-media post: BM25 and embedding candidates, fused.

>>> from factdesk.testing.fakes import FakeEmbedder
>>> from factdesk.store.sqlite import SQLiteStore
>>> s = SQLiteStore(":memory:")
>>> _ = import_checks(s, [{"claimReviewed": "Turkey hosts the most refugees in the world",
...                        "reviewRating": {"alternateName": "True"}, "url": "https://x"}])
>>> m = FactCheckMatcher(s, FakeEmbedder(), reranker=None)  # the shipped same-claim model left out
>>> [m.rating for m in m.run("Turkey hosts the most refugees in the world")]
['True']
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from factdesk.errors import InputError
from factdesk.match.bm25 import BM25Index
from factdesk.match.rerank import ClaimReranker, SameClaimReranker, check_pair_text, rerank_order
from factdesk.models.embed import Embedder
from factdesk.retrieval.multilingual import is_english
from factdesk.store.base import CheckVectorSearch, EvidenceStore
from factdesk.types import Match, content_hash

DEFAULT_COSINE_THRESHOLD = 0.75
"""Without a reranker, the cosine at or above which a match counts as the same claim."""
DEFAULT_MULTILINGUAL_THRESHOLD = 0.90
"""The e5 cosine at or above which a post and a check in different languages (or a post not in
English) count as the same claim: the same-claim cross-encoder reads English only. On the 14
claims of `factdesk.testing.crosslingual` against English renderings, the same claim scored
0.881-0.944 and another claim on the same subject at most 0.893 (182 pairs); 0.90 kept 13 of 14
with none of the others (BENCHMARKS.md, "Cross-lingual retrieval")."""

# --- cleaning posts -------------------------------------------------------------------------------
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
# The signature of an embedded tweet: "— Name (@handle) January 6, 2020" at the end.
_SIGNATURE = re.compile(
    r"\s*[\u2014\u2013-]{1,2}\s*(?P<name>[^\u2014\u2013\n]{0,100}?)\s*\(@\w{1,30}\)\s*"
    r"(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4})?\s*[\"\u201d']?\s*$"
)
_HANDLE = re.compile(r"(?<!\w)@(\w{1,30})")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


def split_words(tag: str) -> str:
    """``DefundTheCBC`` -> ``Defund The CBC``; ``covid_19`` -> ``covid 19``."""
    return _CAMEL.sub(" ", tag.replace("_", " ")).strip()


def clean_post(text: str, keep_author: bool = True) -> str:
    """A social-media post as plain words: no URLs, handles and hashtags split into words, and
    of an embedded tweet's signature only the author's name (`keep_author`) or nothing.

    >>> clean_post("Stop it #DefundTheCBC https://t.co/x — Brad Trost (@BradTrostCPC) December 26, 2019")
    'Stop it Defund The CBC Brad Trost'
    """
    t = _SIGNATURE.sub(lambda m: " " + m.group("name") if keep_author else "", text)
    t = _URL.sub(" ", t)
    t = _HANDLE.sub(lambda m: split_words(m.group(1)), t)
    t = _HASHTAG.sub(lambda m: split_words(m.group(1)), t)
    return " ".join(t.split())


# --- importing ------------------------------------------------------------------------------------
log = logging.getLogger(__name__)


def _dict(x: Any) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def _text(x: Any) -> str | None:
    return x.strip() or None if isinstance(x, str) else None


def _record_from_claimreview(cr: dict[str, Any]) -> dict[str, Any]:
    item = _dict(cr.get("itemReviewed"))
    author = item.get("author")
    if isinstance(author, list):  # schema.org allows several authors: the first speaks
        author = author[0] if author else None
    rating = cr.get("reviewRating")
    if isinstance(rating, list):
        rating = rating[0] if rating else None
    rating = _dict(rating)
    org = cr.get("author")
    if isinstance(org, list):
        org = org[0] if org else None
    return {
        "claim": {
            "text": _text(cr.get("claimReviewed")) or "",
            "speaker": _text(_dict(author).get("name")),
            "date": _text(item.get("datePublished")),
        },
        "verdict": _text(rating.get("alternateName")) or _text(rating.get("name")),
        "url": _text(cr.get("url")),
        "publisher": _text(_dict(org).get("name")),
        "date": _text(cr.get("datePublished")),
    }


def _record_from_averitec(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "claim": {
            "text": _text(r.get("claim")) or "",
            "speaker": _text(r.get("speaker")),
            "date": _text(r.get("claim_date")),
        },
        "verdict": _text(r.get("label")),
        "url": _text(r.get("fact_checking_article")) or _text(r.get("original_claim_url")),
        "publisher": _text(r.get("reporting_source")),
        "date": _text(r.get("claim_date")),
        "justification": r.get("justification"),
    }


def record_problem(r: Any) -> str | None:
    """Why `r` cannot be imported as a fact-check (None when it can)."""
    if not isinstance(r, dict):
        return f"expected an object, got {type(r).__name__}"
    if "claimReviewed" in r:
        return None if _text(r["claimReviewed"]) else "claimReviewed is empty or not text"
    claim = r.get("claim")
    if isinstance(claim, dict):
        return None if _text(claim.get("text")) else "claim.text is empty or not text"
    if "claim" in r:
        return None if _text(claim) else "claim is empty or not text"
    return "neither a ClaimReview (claimReviewed) nor an AVeriTeC claim (claim)"


def import_checks(store: EvidenceStore, records: Iterable[dict[str, Any]]) -> int:
    """Store published fact-checks for matching: ClaimReview dicts, AVeriTeC claims, or records
    already in the desk's form (``{"claim": {"text": ...}, ...}``, as `load_checkthat_claims`
    returns); returns how many were imported. A record's id is a hash of its claim and URL
    (else its ``source_id``), so importing again changes nothing. A record that cannot be
    imported (`record_problem`) is skipped and logged with its position and reason."""
    n = 0
    for pos, r in enumerate(records, start=1):
        problem = record_problem(r)
        if problem is not None:
            log.warning("fact-check %d skipped: %s", pos, problem)
            continue
        if "claimReviewed" in r:
            rec = _record_from_claimreview(r)
        elif isinstance(r.get("claim"), dict):
            rec = r
        else:
            rec = _record_from_averitec(r)
        text = (rec["claim"].get("text") or "").strip()
        cid = "ext-" + content_hash(text, rec.get("url") or rec.get("source_id"))
        old = store.get_check(cid)
        # Unchanged records are not written again: re-importing 10k checks is reads only.
        if old is None or old["status"] != "external" or old["data"] != rec:
            store.save_check(cid, rec, "external")
        n += 1
    return n


def _flatten(value: Any, where: str, out: list[tuple[str, Any, str | None]]) -> None:
    """ClaimReview-like values in `value`: a list's items, a schema.org DataFeed's items."""
    if isinstance(value, list):
        for j, v in enumerate(value, start=1):
            _flatten(v, f"{where}, item {j}" if where else f"item {j}", out)
    elif isinstance(value, dict) and (value.get("@type") == "DataFeed" or "dataFeedElement" in value):
        elements = value.get("dataFeedElement")
        if not isinstance(elements, list):
            out.append((where or "the file", None, "a DataFeed without a dataFeedElement list"))
            return
        for j, el in enumerate(elements, start=1):
            pos = f"{where + ', ' if where else ''}dataFeedElement {j}"
            items = el.get("item") if isinstance(el, dict) else None
            if items is None:
                out.append((pos, None, "a DataFeed element without an item"))
                continue
            _flatten(items if isinstance(items, list) else [items], pos, out)
    else:
        out.append((where or "the file", value, record_problem(value)))


def load_check_records(path: str | os.PathLike[str], skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """Read published fact-checks: ClaimReview JSON-LD (one object, a list, JSON lines, or a
    schema.org DataFeed of them), AVeriTeC JSON, or a CheckThat! verified-claims ``.tsv``.

    A malformed record (a JSON line that does not parse, an object without a claim, a TSV row
    without its fields) is skipped: its line or item number and the reason are logged and
    appended to `skipped` when given, and the rest is read. A file with nothing importable is
    an `InputError`.
    """
    p = Path(path)
    problems: list[str] = []
    if p.suffix.lower() == ".tsv":
        records = load_checkthat_claims(p, skipped=problems)
    else:
        records = _load_json_records(p, problems)
    for msg in problems:
        log.warning("%s: %s", p, msg)
    if skipped is not None:
        skipped.extend(problems)
    if not records:
        detail = f" ({len(problems)} skipped; first: {problems[0]})" if problems else ""
        raise InputError(
            f"{p} holds no fact-check to import{detail}: expected ClaimReview objects (with "
            "claimReviewed), a schema.org DataFeed of them, AVeriTeC claims (with claim), or a "
            "CheckThat! verified-claims .tsv"
        )
    return records


def _load_json_records(p: Path, problems: list[str]) -> list[dict[str, Any]]:
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {p}: {exc}") from exc
    found: list[tuple[str, Any, str | None]] = []
    try:
        _flatten(json.loads(text), "", found)
    except json.JSONDecodeError as whole:
        lines = text.splitlines()
        if len([ln for ln in lines if ln.strip()]) < 2:
            raise InputError(f"{p} is neither JSON nor JSON lines ({whole.msg}, line {whole.lineno})") from whole
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {n} skipped: not JSON ({exc.msg})")
                continue
            _flatten(value, f"line {n}", found)
    records: list[dict[str, Any]] = []
    for where, value, problem in found:
        if problem is not None:
            problems.append(f"{where} skipped: {problem}")
        else:
            records.append(value)
    return records


def read_tsv(path: Path, what: str = "") -> list[list[str]]:
    """All rows of a tab-separated UTF-8 file; an unreadable file is an `InputError` naming it."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.reader(f, delimiter="\t"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read {what + ' ' if what else ''}{path}: {exc}") from exc


def load_checkthat_claims(path: str | os.PathLike[str], skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """CheckThat! verified claims (TSV: id, claim, title, with a header line) as check records.

    Each record keeps the file's id as ``source_id`` (``"ct:<id>"``) and its title. A row
    without an id or a claim is an `InputError`, or, when a `skipped` list is given, is
    skipped with its line number and reason appended there.
    """
    p = Path(path)
    rows = read_tsv(p)
    if not rows or len(rows[0]) < 2 or rows[0][1].strip().lower() not in {"vclaim", "claim"}:
        raise InputError(
            f"{p} is not a CheckThat! verified-claims file: expected a header line "
            "'<TAB>vclaim<TAB>title' and then id<TAB>claim<TAB>title lines"
        )
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(x.strip() for x in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            why = (
                f"expected id<TAB>claim<TAB>title, got {len(row)} field(s)"
                if len(row) < 2
                else "the id or the claim is empty"
            )
            if skipped is None:
                raise InputError(f"{p} row {n}: {why}")
            skipped.append(f"line {n} skipped: {why}")
            continue
        out.append(
            {
                "claim": {"text": row[1].strip(), "speaker": None, "date": None},
                "title": row[2].strip() if len(row) > 2 else "",
                "verdict": None,
                "url": None,
                "publisher": None,
                "date": None,
                "source_id": f"ct:{row[0].strip()}",
            }
        )
    return out


class FactCheckMatcher:
    """Ranks earlier fact-checks (imported or published) by how likely they check the same claim.

    A post is cleaned first (`clean_post`: URLs, handles, hashtags, embedded-tweet signature).
    Candidates come from two rankings of every stored check: BM25 over claim and title (OR
    semantics: a post rarely repeats all the words of a claim) and the cosine similarity of
    the claims' embeddings (in SQLite mode a FAISS index: exact inner product up to `HNSW_FROM`
    checks, HNSW above; in PostgreSQL mode, or with any store that offers `CheckVectorSearch`,
    the store's own search of the cached vectors: pgvector HNSW); the `candidates` best of each are fused by reciprocal rank fusion (constant
    `rrf_k`). On CheckThat! 2020 train, RRF with k=10 beat RRF with k=60 and a linear fusion of
    cosine and BM25 (bench/tune_claim_matching.py). Ties go to the check imported first.

    The best fused candidates (the model's ``rerank_top``) are then read by the "same claim"
    cross-encoder (`SameClaimReranker`, trained on CheckThat! 2020 train), which gives each a
    calibrated `Match.probability` (from its logit, the cosine and the first-stage rank) and,
    when the model's config says so (``reorder``, chosen on held-out train tweets), reorders them. A match counts as the same claim when that
    probability is at or above `threshold` (by default the model's own, chosen on CheckThat!
    2020 dev for precision >= 0.9). With ``reranker=None`` there is no second stage and the
    decision is cosine >= `threshold` (0.75 by default).

    `rank()` returns the ranked list with its scores; `run()` keeps only the matches that count
    as the same claim, which is what the desk shows next to a new check.

    The index is built on first use and re-read when the store's checks change; embeddings of
    the checks are cached in the store (`save_check_vectors`), keyed by model and text, so
    only new checks are embedded.

    Args:
        store: where the checks are.
        embedder: sentence embedder (L2-normalised vectors).
        threshold: P(same claim) (or, without a reranker, the cosine) at or above which a
            match counts as the same claim; None: the model's chosen threshold (or 0.75).
        candidates: how many checks each ranking contributes to the fusion.
        rrf_k: the constant of reciprocal rank fusion (larger flattens the ranks).
        clean: clean social-media posts before ranking.
        reranker: the same-claim model; "default" is the shipped one, None turns reranking off.
        multilingual: the cross-lingual encoder (e5, used symmetrically). A post not in English
            is ranked by BM25 and e5's nearest checks in any language, and counts as the same
            claim at e5 cosine >= `multilingual_threshold` (the reranker reads English only); an
            English post is ranked as before, and e5's nearest checks in other languages at or
            above that cosine are added after its English matches. None: English only, as before.
        multilingual_threshold: that e5 cosine (default `DEFAULT_MULTILINGUAL_THRESHOLD`).
    """

    def __init__(
        self,
        store: EvidenceStore,
        embedder: Embedder,
        threshold: float | None = None,
        candidates: int = 100,
        rrf_k: int = 10,
        clean: bool = True,
        reranker: ClaimReranker | Literal["default"] | None = "default",
        multilingual: Embedder | None = None,
        multilingual_threshold: float = DEFAULT_MULTILINGUAL_THRESHOLD,
    ) -> None:
        if not -1.0 <= multilingual_threshold <= 1.0:
            raise ValueError(f"multilingual_threshold is a cosine between -1 and 1, got {multilingual_threshold}")
        if threshold is not None and not -1.0 <= threshold <= 1.0:
            raise ValueError(f"threshold is a probability (or a cosine) between -1 and 1, got {threshold}")
        if reranker is not None and threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ValueError(f"with a reranker the threshold is a probability between 0 and 1, got {threshold}")
        if candidates < 1 or rrf_k < 1:
            raise ValueError(f"candidates and rrf_k must be at least 1, got {candidates} and {rrf_k}")
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.clean = clean
        self._threshold = threshold
        self.reranker: ClaimReranker | None = SameClaimReranker() if reranker == "default" else reranker
        self.multilingual = multilingual
        self.multilingual_threshold = multilingual_threshold

    @property
    def threshold(self) -> float:
        """The decision threshold in effect (loads the reranker's config when it is the model's)."""
        if self._threshold is not None:
            return self._threshold
        if self.reranker is None:
            return DEFAULT_COSINE_THRESHOLD
        self.reranker.warm_up()
        return self.reranker.threshold

    def describe_decision(self) -> str:
        """The same-claim rule in words, for the CLI and reports."""
        if self.reranker is None:
            return f"cosine similarity >= {self.threshold:g}"
        how = "chosen on CheckThat! 2020 dev for precision >= 0.9" if self._threshold is None else "set by the caller"
        return f"P(same claim) >= {self.threshold:.2f} ({how})"

    def warm_up(self) -> None:
        self.embedder.warm_up()
        if self.reranker is not None:
            self.reranker.warm_up()
        self._index()
        if self.multilingual is not None:
            self.multilingual.warm_up()
            _index_for(self.store, self.multilingual)

    def _index(self) -> _CheckIndex:
        return _index_for(self.store, self.embedder)

    def refresh(self) -> None:
        """Re-read the store's checks now (otherwise changes are seen within `RECHECK_SECONDS`)."""
        _index_for(self.store, self.embedder, force=True)
        if self.multilingual is not None:
            _index_for(self.store, self.multilingual, force=True)

    def _across(self, query: str, k: int, same_only: bool, english: bool) -> list[Match]:
        """Candidates by BM25 and e5, decided by e5 cosine (`multilingual_threshold`).

        For an English post only checks in other languages are kept (the English ones are the
        English path's), and only those that count as the same claim."""
        assert self.multilingual is not None
        idx = _index_for(self.store, self.multilingual)
        if not idx.rows:
            return []
        qv = self.multilingual.embed([query])[0].astype(np.float32)
        if english:
            langs = idx.languages()
            dense = [i for i in idx.nearest(qv, self.candidates * 4) if not is_english(langs[i])][: self.candidates]
            lexical: list[tuple[int, float]] = []
        else:
            dense = idx.nearest(qv, self.candidates)
            lexical = idx.bm25.search(query, self.candidates)
        fused: dict[int, float] = {}
        bm25: dict[int, float] = {}
        for r, (i, sc) in enumerate(lexical):
            fused[i] = fused.get(i, 0.0) + 1.0 / (self.rrf_k + r + 1)
            bm25[i] = sc
        for r, i in enumerate(dense):
            fused[i] = fused.get(i, 0.0) + 1.0 / (self.rrf_k + r + 1)
        order = sorted(fused, key=lambda i: -fused[i])
        cos = idx.vectors[order] @ qv if order else np.zeros(0, dtype=np.float32)
        sim = {i: float(c) for i, c in zip(order, cos, strict=True)}
        same = {i: sim[i] >= self.multilingual_threshold for i in order}
        keep = [i for i in order if same[i]][:k] if (same_only or english) else order[:k]
        return [
            idx.match(i, score=fused[i], similarity=sim[i], bm25=bm25.get(i, 0.0), same_claim=same[i]) for i in keep
        ]

    def _fused(self, claim: str, k: int, same_only: bool = False) -> list[Match]:
        """The `k` best candidates of either ranking (only those that count as the same claim
        with `same_only`), best first: the reranked head, then the fusion's order. Only those
        returned are made into `Match`es (building all ~200 cost ~8 ms a query)."""
        if not claim.strip() or k <= 0:
            return []
        idx = self._index()
        if not idx.rows:
            return []
        query = clean_post(claim) if self.clean else claim
        if not query.strip():
            query = claim
        english = True
        if self.multilingual is not None:
            from factdesk.lang import detect

            english = is_english(detect(query))
            if not english:  # the English embedder and same-claim model cannot read it
                return self._across(query, k, same_only, english=False)
        qv = self.embedder.embed([query])[0].astype(np.float32)
        lexical = idx.bm25.search(query, self.candidates)
        dense = idx.nearest(qv, self.candidates)
        fused: dict[int, float] = {}
        bm25: dict[int, float] = {}
        for r, (i, s) in enumerate(lexical):
            fused[i] = fused.get(i, 0.0) + 1.0 / (self.rrf_k + r + 1)
            bm25[i] = s
        for r, i in enumerate(dense):
            fused[i] = fused.get(i, 0.0) + 1.0 / (self.rrf_k + r + 1)
        order = sorted(fused, key=lambda i: -fused[i])  # stable: ties keep BM25's order, then the dense one
        cos = idx.vectors[order] @ qv if order else np.zeros(0, dtype=np.float32)
        sim = {i: float(c) for i, c in zip(order, cos, strict=True)}
        prob: dict[int, float] = {}
        threshold = self.threshold
        if self.reranker is not None and order:
            rr = self.reranker
            head = order[: rr.rerank_top]
            logits = rr.logits([(query, check_pair_text(*idx.texts[i])) for i in head])
            probs = rr.calibrate(logits, np.array([sim[i] for i in head]), self.rrf_k)
            prob = {i: float(p) for i, p in zip(head, probs, strict=True)}
            if rr.reorder:
                order = rerank_order(order, probs)
            same = {i: prob.get(i, 0.0) >= threshold for i in order}
        else:
            same = {i: sim[i] >= threshold for i in order}
        keep = [i for i in order if same[i]][:k] if same_only else order[:k]
        out = [
            idx.match(
                i, score=fused[i], similarity=sim[i], bm25=bm25.get(i, 0.0), same_claim=same[i], probability=prob.get(i)
            )
            for i in keep
        ]
        if self.multilingual is not None:
            # Checks of the same claim in other languages come after the English ones that count.
            others = self._across(query, k, same_only, english=True)
            if others:
                seen = {m.check_id for m in out}
                others = [m for m in others if m.check_id not in seen]
                n_same = sum(1 for m in out if m.same_claim)
                out = (out[:n_same] + others + out[n_same:])[:k]
        return out

    def rank(self, claim: str, k: int = 5) -> list[Match]:
        """The `k` checks most likely to be of the same claim, best first, each with its scores."""
        return self._fused(claim, k)

    def run(self, claim: str, k: int = 5) -> list[Match]:
        """Only the ranked matches that count as the same claim, best first.

        With the reranker only its ``rerank_top`` candidates can count (the others have no
        probability); without it, every check at or above the cosine threshold is among the
        dense candidates (unless more than `candidates` are), so none is lost to the fusion.
        """
        return self._fused(claim, k, same_only=True)


def check_texts(data: dict[str, Any]) -> tuple[str, str]:
    """(claim, title) of a stored check: what the matcher indexes."""
    claim = (data.get("claim") or {}).get("text") or ""
    return claim, data.get("title") or data.get("headline") or ""


# Up to this many checks the dense index is exact (FAISS flat inner product: ~10 ms a query at
# 100k on one core); above it, HNSW (approximate, a few ms at any size, built once per change).
HNSW_FROM = 300_000
# The most hits asked of a store's own vector search (pgvector's HNSW returns at most its
# ef_search, which the store raises to k up to 1000).
STORE_SEARCH_MAX = 1000


def build_dense_index(vectors: np.ndarray) -> Any:
    """A FAISS inner-product index over L2-normalised `vectors` (flat, or HNSW from `HNSW_FROM`)."""
    import faiss

    # One query at a time: OpenMP threads cost more than they save (as the SQLite store found).
    faiss.omp_set_num_threads(1)
    dim = int(vectors.shape[1])
    index: Any
    if len(vectors) >= HNSW_FROM:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


@dataclass
class _CheckIndex:
    signature: tuple[Any, ...]
    rows: list[dict[str, Any]]
    texts: list[tuple[str, str]]
    bm25: BM25Index
    vectors: np.ndarray
    dense: Any
    checked_at: float = 0.0
    keys: list[str] = field(default_factory=list)
    store_search: CheckVectorSearch | None = None
    _languages: list[str | None] | None = None

    def languages(self) -> list[str | None]:
        """Each check's language, detected from its claim on first use (`factdesk.lang.detect_many`)."""
        if self._languages is None:
            from factdesk.lang import detect_many

            self._languages = detect_many([claim for claim, _ in self.texts])
        return self._languages

    def nearest(self, vector: np.ndarray, k: int) -> list[int]:
        """Positions of the `k` checks of highest cosine, best first (ties: imported first).

        From the FAISS index, or, when the store searches its check vectors itself (pgvector),
        from the store: its hits are keys (one per claim text, shared by checks of the same
        claim; vectors of other models or of deleted checks are skipped, asking for more
        while too few are left)."""
        if not len(self.rows) or k <= 0:
            return []
        k = min(k, len(self.rows))
        if self.store_search is None:
            scores, ids = self.dense.search(vector.reshape(1, -1), k)
            hits = [(float(s), int(i)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
            return [i for _, i in sorted(hits, key=lambda h: (-h[0], h[1]))]
        positions = self._key_positions()
        want = k
        while True:
            found = self.store_search.check_vector_search(vector, want)
            hits = [(s, p) for key, s in found for p in positions.get(key, ())]
            if len(hits) >= k or len(found) < want or want >= STORE_SEARCH_MAX:
                break
            want = min(want * 4, STORE_SEARCH_MAX)
        return [i for _, i in sorted(hits, key=lambda h: (-h[0], h[1]))][:k]

    def _key_positions(self) -> dict[str, list[int]]:
        if self._positions is None:
            out: dict[str, list[int]] = {}
            for p, key in enumerate(self.keys):
                out.setdefault(key, []).append(p)
            self._positions = out
        return self._positions

    _positions: dict[str, list[int]] | None = None

    def match(
        self, i: int, score: float, similarity: float, bm25: float, same_claim: bool, probability: float | None = None
    ) -> Match:
        c = self.rows[i]
        d = c["data"]
        claim, title = self.texts[i]
        return Match(
            check_id=c["id"],
            claim=claim,
            rating=d.get("verdict"),
            similarity=round(similarity, 4),
            url=d.get("url"),
            publisher=d.get("publisher"),
            date=d.get("date") or (d.get("claim") or {}).get("date"),
            status=c["status"],
            score=round(score, 6),
            bm25=round(bm25, 4),
            same_claim=same_claim,
            title=title or None,
            source_id=d.get("source_id"),
            probability=None if probability is None else round(probability, 4),
        )


# One index per (store, embedder): the desk makes a new matcher for every check, and the
# index of 10k checks takes a second or two to load.
_INDEXES: weakref.WeakKeyDictionary[Any, dict[str, _CheckIndex]] = weakref.WeakKeyDictionary()
_MATCH_STATUSES = ("external", "published")
# How long an index is trusted before the store is asked whether its checks changed: the
# question costs a count and a sort of the checks (~30 ms for 10k on SQLite), more than the
# ranking itself.
RECHECK_SECONDS = 2.0
_ALL = 10**9


def _signature(store: EvidenceStore) -> tuple[Any, ...]:
    latest = store.list_checks(limit=1)
    return (
        store.stats().get("checks", 0),
        latest[0]["id"] if latest else None,
        latest[0]["updated"] if latest else None,
    )


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _import_order(c: dict[str, Any]) -> tuple[Any, ...]:
    """Creation time, then the source's own id (``ct:336`` before ``ct:5161``), then the id:
    the order ties are broken in, whatever order the store lists the checks in."""
    return (str(c.get("created") or ""), _natural(str(c["data"].get("source_id") or "")), c["id"])


def _model_key(embedder: Embedder) -> str:
    t = type(embedder)
    return f"{t.__module__}.{t.__qualname__}:{embedder.dim}"


def _index_for(store: EvidenceStore, embedder: Embedder, force: bool = False) -> _CheckIndex:
    model = _model_key(embedder)
    try:
        cache = _INDEXES.setdefault(store, {})
    except TypeError:  # a store that cannot be weakly referenced: no cache
        cache = {}
    idx = cache.get(model)
    now = time.monotonic()
    if idx is not None and not force and now - idx.checked_at < RECHECK_SECONDS:
        return idx
    sig = _signature(store)
    if idx is not None and idx.signature == sig:
        idx.checked_at = now
        return idx
    rows = [c for status in _MATCH_STATUSES for c in store.list_checks(status=status, limit=_ALL)]
    rows.sort(key=_import_order)
    texts = [check_texts(c["data"]) for c in rows]
    bm = BM25Index()
    bm.index([f"{claim} {title}" for claim, title in texts])
    keys = [content_hash(model, claim) for claim, _ in texts]
    cached = store.get_check_vectors(sorted(set(keys))) if keys else {}
    missing = sorted({k: claim for k, (claim, _) in zip(keys, texts, strict=True) if k not in cached}.items())
    if missing:
        new = embedder.embed([claim for _, claim in missing])
        fresh = {k: new[j] for j, (k, _) in enumerate(missing)}
        store.save_check_vectors(fresh)
        cached.update(fresh)
    vectors = (
        np.stack([cached[k] for k in keys]).astype(np.float32)
        if keys
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )
    # PostgreSQL searches the vectors it caches (pgvector HNSW); other stores get a FAISS index.
    search = store if isinstance(store, CheckVectorSearch) and store.dim == embedder.dim else None
    idx = _CheckIndex(
        signature=sig,
        rows=rows,
        texts=texts,
        bm25=bm,
        vectors=vectors,
        dense=build_dense_index(vectors) if search is None else None,
        checked_at=time.monotonic(),
        keys=keys,
        store_search=search,
    )
    cache[model] = idx
    return idx


__all__ = [
    "DEFAULT_COSINE_THRESHOLD",
    "DEFAULT_MULTILINGUAL_THRESHOLD",
    "FactCheckMatcher",
    "Match",
    "build_dense_index",
    "check_texts",
    "clean_post",
    "import_checks",
    "load_check_records",
    "load_checkthat_claims",
    "record_problem",
    "split_words",
]
