#!/usr/bin/env python3
"""What each part of the claim matcher is worth, on CheckThat! 2020 Task 2 *train* (never dev).

    nice -n 10 .venv/bin/python bench/tune_claim_matching.py [--split train]

Ranks the 10,375 verified claims for every train tweet, the tweet raw or cleaned (with or
without the signature's author name), with: BM25 over claim + title, dense (MiniLM cosine)
over claim or claim + title, reciprocal rank fusion of the two (what the matcher uses), and the linear fusion the
matcher tried first (cosine + w x BM25 / best BM25); prints MAP@5 of each, and the precision of the
top match at a few cosine thresholds (for the "same claim" decision).
Embeddings are cached in bench/.cache/ (delete it to recompute). Writes
bench/results/claim-matching-ablation.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factdesk.config import shared_root  # noqa: E402
from factdesk.eval.claim_matching import load_qrels, load_queries, ranking_metrics  # noqa: E402
from factdesk.match.bm25 import BM25Index  # noqa: E402
from factdesk.match.previous import clean_post, load_checkthat_claims  # noqa: E402

SHARED = shared_root().resolve()
DATA = SHARED / "data" / "claim-matching" / "ct20-task2"
CACHE = Path(os.environ.get("FACTDESK_BENCH_CACHE", ROOT / "bench" / ".cache"))


def embed_cached(name: str, texts: list[str]) -> np.ndarray:
    from factdesk.models.embed import MiniLMEmbedder

    path = CACHE / f"ct20-{name}.npy"
    if path.is_file():
        v = np.load(path)
        if len(v) == len(texts):
            return v
    v = MiniLMEmbedder().embed(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, v)
    return v


def rrf(lists: list[list[int]], k: int, weights: list[float] | None = None) -> list[int]:
    score: dict[int, float] = {}
    for li, ranked in enumerate(lists):
        w = weights[li] if weights else 1.0
        for r, i in enumerate(ranked):
            score[i] = score.get(i, 0.0) + w / (k + r + 1)
    return sorted(score, key=lambda i: -score[i])[:20]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="train", choices=["train"], help="only train: dev is for reporting")
    ap.add_argument("--candidates", type=int, default=100)
    a = ap.parse_args()
    qs = load_queries(DATA / a.split / "tweets.queries.tsv")
    rel = load_qrels(DATA / a.split / "tweet-vclaim-pairs.qrels")
    recs = load_checkthat_claims(DATA / "verified_claims.docs.tsv")
    ids = [r["source_id"][3:] for r in recs]
    qids = [q for q in qs if q in rel]
    raw = [qs[q] for q in qids]
    queries = {
        "raw": raw,
        "cleaned, author kept": [clean_post(t) or t for t in raw],
        "cleaned, signature dropped": [clean_post(t, keep_author=False) or t for t in raw],
    }
    cache_names = {"raw": "raw", "cleaned, author kept": "clean-author", "cleaned, signature dropped": "clean-noauthor"}

    claims = [r["claim"]["text"] for r in recs]
    both = [f"{r['claim']['text']} {r['title']}" for r in recs]
    v_claim = embed_cached("claims", claims)
    v_both = embed_cached("claims-titles", both)
    bm = BM25Index()
    bm.index(both)

    def top20(m: np.ndarray) -> list[list[int]]:
        return [list(np.argsort(-row, kind="stable")[:20]) for row in m]  # ties: file order, as BM25 search

    def score(ranked: list[list[int]]) -> dict[str, float]:
        return ranking_metrics({q: [ids[i] for i in r[:20]] for q, r in zip(qids, ranked, strict=True)}, rel)

    out: dict[str, object] = {}
    final_cos: np.ndarray | None = None
    final_top: list[list[int]] = []
    for qname, texts in queries.items():
        qv = embed_cached(f"{a.split}-{cache_names[qname]}", texts)
        cos, cos_both = qv @ v_claim.T, qv @ v_both.T
        lex = np.stack([bm.scores(t) for t in texts])
        lex_n = lex / np.maximum(lex.max(axis=1, keepdims=True), 1e-9)
        variants: dict[str, list[list[int]]] = {
            "bm25 (claim + title)": top20(lex),
            "dense (claim)": top20(cos),
            "dense (claim + title)": top20(cos_both),
        }
        n = a.candidates
        b_lists = [list(np.argsort(-r, kind="stable")[:n]) for r in lex]
        d_lists = [list(np.argsort(-r, kind="stable")[:n]) for r in cos]
        for k in (5, 10, 20, 60):
            variants[f"rrf k={k} of bm25 and dense top {n}"] = [
                rrf([x, y], k) for x, y in zip(b_lists, d_lists, strict=True)
            ]
        for w in (0.2, 0.3, 0.4):
            variants[f"cosine + {w} x bm25/max"] = top20(cos + w * lex_n)
        variants["max(cosine claim, claim + title) + 0.3 x bm25/max"] = top20(np.maximum(cos, cos_both) + 0.3 * lex_n)
        for name, ranked in variants.items():
            m = score(ranked)
            out[f"{qname} | {name}"] = m
            print(
                f"{qname:28s} {name:50s} MAP@5 {m['map@5']:.4f}  MRR {m['mrr']:.4f}  R@20 {m['recall@20']:.4f}",
                flush=True,
            )
        if qname == "cleaned, author kept":
            final_cos, final_top = cos, variants[f"rrf k=10 of bm25 and dense top {n}"]

    # The same-claim decision on the matcher's top match (cleaned post, rrf k=10), judged by its cosine.
    assert final_cos is not None
    top = [
        (float(final_cos[j, r[0]]), ids[r[0]] in rel[q]) for j, (q, r) in enumerate(zip(qids, final_top, strict=True))
    ]
    thr: dict[str, dict[str, float]] = {}
    for t in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
        yes = [ok for c, ok in top if c >= t]
        thr[str(t)] = {"answered_yes": len(yes) / len(top), "precision": (sum(yes) / len(yes)) if yes else 0.0}
        print(
            f"same claim at cosine >= {t}: yes for {len(yes) / len(top):.3f} of tweets, "
            f"precision {thr[str(t)]['precision']:.3f}",
            flush=True,
        )
    out["same_claim_thresholds"] = thr
    res = ROOT / "bench" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / "claim-matching-ablation.json").write_text(json.dumps({"split": a.split, "variants": out}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
