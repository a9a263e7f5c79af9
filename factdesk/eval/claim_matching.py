"""Claim matching ("has this been checked before?") on CLEF CheckThat! 2020 Task 2 files.

Formats (any files of these shapes work):

- queries: TSV with a header line, ``id<TAB>text`` (CSV quoting: a text may hold tabs and
  newlines inside double quotes);
- qrels: TREC, ``query_id 0 claim_id relevance`` (whitespace-separated, relevance > 0 counts);
- verified claims: TSV with a header line, ``id<TAB>claim<TAB>title``.

The claims are imported into a store, `FactCheckMatcher` ranks them for every query (with and
without its same-claim reranker: the ablation), and a plain BM25 over claim and title (the
raw query, no cleaning) ranks them in the same run, so all are compared on the same inputs.
``same_claim`` scores the decision on the matches the desk would show (top 5, counted as the
same claim): precision, recall and the share of queries answered "checked before". Metrics as the task's scorer (trectools) computes
them: MAP@k is the mean over queries of the precision at each relevant claim in the top k,
divided by the query's number of relevant claims; MRR and Recall@k over the top 20.

>>> ranking_metrics({"q1": ["a", "b"], "q2": ["c", "d"]}, {"q1": {"b"}, "q2": {"c"}})["map@5"]
0.75
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from factdesk.errors import InputError
from factdesk.match.bm25 import BM25Index
from factdesk.match.previous import FactCheckMatcher, import_checks, load_checkthat_claims, read_tsv
from factdesk.match.rerank import ClaimReranker
from factdesk.models.embed import Embedder
from factdesk.types import Match

DEPTH = 20
MAP_AT = (1, 3, 5)
RECALL_AT = (1, 5, 20)


def load_queries(path: str | Path) -> dict[str, str]:
    """``{query id: text}`` from a CheckThat! queries TSV (header line first)."""
    p = Path(path)
    rows = read_tsv(p, "the queries")
    if not rows or len(rows[0]) != 2:
        raise InputError(
            f"{p} is not a CheckThat! queries file: expected a header line and then "
            "id<TAB>text lines (e.g. tweets.queries.tsv)"
        )
    out: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(x.strip() for x in row):
            continue
        if len(row) != 2 or not row[0].strip():
            raise InputError(f"{p} row {n}: expected id<TAB>text, got {len(row)} field(s)")
        qid = row[0].strip()
        if qid in out:
            raise InputError(f"{p} row {n}: query id {qid!r} appears twice")
        out[qid] = row[1]
    if not out:
        raise InputError(f"{p} holds no queries")
    return out


def load_qrels(path: str | Path) -> dict[str, set[str]]:
    """``{query id: relevant claim ids}`` from TREC qrels (``qid 0 docid rel``)."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the qrels {p}: {exc}") from exc
    out: dict[str, set[str]] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise InputError(
                f"{p} line {n}: expected 'query_id 0 claim_id relevance' (TREC qrels), got {len(parts)} field(s)"
            )
        try:
            rel = int(parts[3])
        except ValueError:
            raise InputError(f"{p} line {n}: relevance {parts[3]!r} is not an integer") from None
        if rel > 0:
            out.setdefault(parts[0], set()).add(parts[2])
    if not out:
        raise InputError(f"{p} holds no relevant pairs (TREC qrels: 'query_id 0 claim_id 1')")
    return out


def ranking_metrics(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> dict[str, float]:
    """MAP@1/3/5, MRR and Recall@1/5/20 over the queries in both `rankings` and `qrels`."""
    qids = [q for q in rankings if q in qrels]
    out: dict[str, float] = {}
    if not qids:
        return {**{f"map@{k}": 0.0 for k in MAP_AT}, "mrr": 0.0, **{f"recall@{k}": 0.0 for k in RECALL_AT}}
    aps: dict[int, list[float]] = {k: [] for k in MAP_AT}
    rr: list[float] = []
    rec: dict[int, list[float]] = {k: [] for k in RECALL_AT}
    for q in qids:
        rel = qrels[q]
        hits = [d in rel for d in rankings[q]]
        for k in MAP_AT:
            found, total = 0, 0.0
            for i, h in enumerate(hits[:k]):
                if h:
                    found += 1
                    total += found / (i + 1)
            aps[k].append(total / len(rel))
        first = next((i for i, h in enumerate(hits[:DEPTH]) if h), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
        for k in RECALL_AT:
            rec[k].append(len(rel & set(rankings[q][:k])) / len(rel))
    for k in MAP_AT:
        out[f"map@{k}"] = float(np.mean(aps[k]))
    out["mrr"] = float(np.mean(rr))
    for k in RECALL_AT:
        out[f"recall@{k}"] = float(np.mean(rec[k]))
    return out


def _latency(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95))}


def _default_embedder() -> Embedder:
    from factdesk.models.embed import MiniLMEmbedder

    return MiniLMEmbedder()


def _default_reranker() -> ClaimReranker:
    from factdesk.match.rerank import SameClaimReranker

    return SameClaimReranker()


def _ct_id(source_id: str | None) -> str | None:
    return source_id[3:] if source_id and source_id.startswith("ct:") else None


def _decision(hits_by_query: Mapping[str, Sequence[Match]], rel: Mapping[str, set[str]]) -> dict[str, Any]:
    """How the same-claim decision does on the matches `run` would show (top 5, same_claim)."""
    shown = [(q, h) for q, hits in hits_by_query.items() for h in hits[:5] if h.same_claim]
    right = [_ct_id(h.source_id) in rel[q] for q, h in shown]
    top1 = [_ct_id(hits[0].source_id) in rel[q] for q, hits in hits_by_query.items() if hits and hits[0].same_claim]
    return {
        "answered_yes": len({q for q, _ in shown}) / max(1, len(hits_by_query)),
        "shown": len(shown),
        "precision": (sum(right) / len(right)) if right else None,
        "top1_precision": (sum(top1) / len(top1)) if top1 else None,
        "recall": (sum(right) / sum(len(rel[q]) for q in hits_by_query)) if hits_by_query else 0.0,
    }


def _run_matcher(
    m: FactCheckMatcher, qs: Mapping[str, str], qids: Sequence[str]
) -> tuple[dict[str, list[Match]], list[float]]:
    hits: dict[str, list[Match]] = {}
    ms: list[float] = []
    for q in qids:
        t = time.perf_counter()
        hits[q] = m.rank(qs[q], k=DEPTH)
        ms.append((time.perf_counter() - t) * 1000)
    return hits, ms


def evaluate(
    queries: str | Path,
    qrels: str | Path,
    checks: str | Path,
    db: str | None = None,
    limit: int | None = None,
    embedder: Embedder | None = None,
    matcher: Callable[..., FactCheckMatcher] = FactCheckMatcher,
    reranker: ClaimReranker | Literal["default"] | None = "default",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Import `checks`, rank them for every query with the matcher and with plain BM25; metrics of both.

    The matcher is run twice on the same index: with the same-claim `reranker` (the result's
    top-level metrics) and without it (``ablation``: what the first stage, BM25 + dense fused
    by RRF, gives alone). `db` is a store path or URL (default: an in-memory SQLite store);
    the checks' embeddings are cached there, so a second run on the same store skips embedding them.
    """
    qs = load_queries(queries)
    rel = load_qrels(qrels)
    records = load_checkthat_claims(checks)
    known = {r["source_id"][3:] for r in records}
    unknown = sorted({d for ds in rel.values() for d in ds} - known)
    if unknown:
        raise InputError(
            f"{qrels} names claim id(s) {', '.join(unknown[:5])} that {checks} lacks: "
            "pass the verified-claims file these qrels belong to"
        )
    qids = [q for q in qs if q in rel]
    if not qids:
        raise InputError(f"no query id of {queries} appears in {qrels}: pass matching files")
    if limit:
        qids = qids[:limit]

    from factdesk.registry import open_store

    embedder = embedder or _default_embedder()
    rr = _default_reranker() if reranker == "default" else reranker
    store = open_store(db or ":memory:", dim=embedder.dim)
    try:
        t0 = time.perf_counter()
        imported = import_checks(store, records)
        first = matcher(store, embedder, reranker=None)
        first.warm_up()  # builds the index: embeds the checks the store has no cached vector for
        index_s = time.perf_counter() - t0
        if progress:
            progress(f"indexed {imported} checks in {index_s:.1f} s")
        first_hits, first_ms = _run_matcher(first, qs, qids)
        m = first
        hits, ms = first_hits, first_ms
        if rr is not None:
            m = matcher(store, embedder, reranker=rr)
            m.warm_up()
            hits, ms = _run_matcher(m, qs, qids)
        threshold, decision = m.threshold, m.describe_decision()
    finally:
        store.close()

    def ids_of(hs: Mapping[str, Sequence[Match]]) -> dict[str, list[str]]:
        return {q: [d for d in (_ct_id(h.source_id) for h in v) if d is not None] for q, v in hs.items()}

    bm = BM25Index()
    bm.index([f"{r['claim']['text']} {r['title']}" for r in records])
    ids = [r["source_id"][3:] for r in records]
    bm_ranked: dict[str, list[str]] = {}
    bm_ms: list[float] = []
    for q in qids:
        t = time.perf_counter()
        bm_ranked[q] = [ids[i] for i, _ in bm.search(qs[q], DEPTH)]
        bm_ms.append((time.perf_counter() - t) * 1000)

    ours = {**ranking_metrics(ids_of(hits), rel), **_latency(ms)}
    base = {**ranking_metrics(bm_ranked, rel), **_latency(bm_ms)}
    ablation = {"bm25": base, "bm25 + dense (rrf)": {**ranking_metrics(ids_of(first_hits), rel), **_latency(first_ms)}}
    if rr is not None:
        ablation["bm25 + dense (rrf) + same-claim reranker"] = ours
    return {
        "primary_metric": "map@5",
        **ours,
        "bm25": base,
        "map@5_minus_bm25": ours["map@5"] - base["map@5"],
        "ablation": ablation,
        "same_claim": {"threshold": threshold, "rule": decision, **_decision(hits, rel)},
        "reranker": getattr(rr, "config", {}).get("version") if rr is not None else None,
        "n_queries": len(qids),
        "n_checks": len(records),
        "index_seconds": index_s,
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
    }


__all__ = ["evaluate", "load_qrels", "load_queries", "ranking_metrics"]
