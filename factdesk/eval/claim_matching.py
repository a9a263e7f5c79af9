"""Claim matching ("has this been checked before?") on CLEF CheckThat! 2020 Task 2 files.

Formats (any files of these shapes work):

- queries: TSV with a header line, ``id<TAB>text`` (CSV quoting: a text may hold tabs and
  newlines inside double quotes);
- qrels: TREC, ``query_id 0 claim_id relevance`` (whitespace-separated, relevance > 0 counts);
- verified claims: TSV with a header line, ``id<TAB>claim<TAB>title``.

The claims are imported into a store, `FactCheckMatcher` ranks them for every query, and a
plain BM25 over claim and title (the raw query, no cleaning) ranks them in the same run, so
the two are compared on the same inputs. Metrics as the task's scorer (trectools) computes
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
from typing import Any

import numpy as np

from factdesk.errors import InputError
from factdesk.match.bm25 import BM25Index
from factdesk.match.previous import FactCheckMatcher, import_checks, load_checkthat_claims, read_tsv
from factdesk.models.embed import Embedder

DEPTH = 20
MAP_AT = (1, 3, 5)
RECALL_AT = (1, 5, 20)


def load_queries(path: str | Path) -> dict[str, str]:
    """``{query id: text}`` from a CheckThat! queries TSV (header line first)."""
    p = Path(path)
    rows = read_tsv(p, "the queries")
    if not rows or len(rows[0]) != 2:
        raise InputError(f"{p} is not a CheckThat! queries file: expected a header line and then "
                         "id<TAB>text lines (e.g. tweets.queries.tsv)")
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
            raise InputError(f"{p} line {n}: expected 'query_id 0 claim_id relevance' (TREC qrels), "
                             f"got {len(parts)} field(s)")
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


def _ct_id(source_id: str | None) -> str | None:
    return source_id[3:] if source_id and source_id.startswith("ct:") else None


def evaluate(queries: str | Path, qrels: str | Path, checks: str | Path, db: str | None = None,
             limit: int | None = None, embedder: Embedder | None = None,
             matcher: Callable[..., FactCheckMatcher] = FactCheckMatcher,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Import `checks`, rank them for every query with the matcher and with plain BM25; metrics of both.

    `db` is a store path or URL (default: an in-memory SQLite store); the checks' embeddings
    are cached there, so a second run on the same store skips embedding them.
    """
    qs = load_queries(queries)
    rel = load_qrels(qrels)
    records = load_checkthat_claims(checks)
    known = {r["source_id"][3:] for r in records}
    unknown = sorted({d for ds in rel.values() for d in ds} - known)
    if unknown:
        raise InputError(f"{qrels} names claim id(s) {', '.join(unknown[:5])} that {checks} lacks: "
                         "pass the verified-claims file these qrels belong to")
    qids = [q for q in qs if q in rel]
    if not qids:
        raise InputError(f"no query id of {queries} appears in {qrels}: pass matching files")
    if limit:
        qids = qids[:limit]

    from factdesk.registry import open_store

    embedder = embedder or _default_embedder()
    store = open_store(db or ":memory:", dim=embedder.dim)
    try:
        t0 = time.perf_counter()
        imported = import_checks(store, records)
        m = matcher(store, embedder)
        m.warm_up()  # builds the index: embeds the checks the store has no cached vector for
        index_s = time.perf_counter() - t0
        if progress:
            progress(f"indexed {imported} checks in {index_s:.1f} s")
        ranked: dict[str, list[str]] = {}
        top1_same: list[bool] = []
        ms: list[float] = []
        for q in qids:
            t = time.perf_counter()
            hits = m.rank(qs[q], k=DEPTH)
            ms.append((time.perf_counter() - t) * 1000)
            ranked[q] = [d for d in (_ct_id(h.source_id) for h in hits) if d is not None]
            if hits and hits[0].same_claim:
                top1_same.append(_ct_id(hits[0].source_id) in rel[q])
    finally:
        store.close()

    bm = BM25Index()
    bm.index([f"{r['claim']['text']} {r['title']}" for r in records])
    ids = [r["source_id"][3:] for r in records]
    bm_ranked: dict[str, list[str]] = {}
    bm_ms: list[float] = []
    for q in qids:
        t = time.perf_counter()
        bm_ranked[q] = [ids[i] for i, _ in bm.search(qs[q], DEPTH)]
        bm_ms.append((time.perf_counter() - t) * 1000)

    ours = {**ranking_metrics(ranked, rel), **_latency(ms)}
    base = {**ranking_metrics(bm_ranked, rel), **_latency(bm_ms)}
    return {
        "primary_metric": "map@5",
        **ours,
        "bm25": base,
        "map@5_minus_bm25": ours["map@5"] - base["map@5"],
        "same_claim": {  # the yes/no decision on the top match (cosine >= the matcher's threshold)
            "threshold": m.threshold,
            "answered_yes": len(top1_same) / len(qids),
            "precision": (sum(top1_same) / len(top1_same)) if top1_same else None,
        },
        "n_queries": len(qids),
        "n_checks": len(records),
        "index_seconds": index_s,
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
    }


__all__ = ["evaluate", "load_qrels", "load_queries", "ranking_metrics"]
