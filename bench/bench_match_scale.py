#!/usr/bin/env python3
"""`match` at scale: N synthetic imported fact-checks (default 100,000), warm latency per query.

    nice -n 10 .venv/bin/python bench/bench_match_scale.py [--checks 100000] [--queries 200]

The checks are generated here (templated ClaimReview objects over a vocabulary of people,
places, numbers and topics, each with a publisher and a rating), converted as `import_checks`
converts them and held in memory (`--db memory`, the default: the matcher reads the store only
to build its in-memory index, and importing 100k checks one transaction each into SQLite had
done about half after 42 minutes on the loaded 2-core box), or imported into a SQLite store
(`--db PATH`). Their embeddings are *synthetic* (random unit vectors written to the
store's vector cache under the keys the matcher uses), so the index is built without embedding
100k texts on a 2-core machine: the dense stage's cost (FAISS over N x 384 float32) does not
depend on what the vectors say. Everything a query pays is real: cleaning, the MiniLM int8
embedding of the query, BM25 (OR) over all N claims + titles, the FAISS search, the fusion and
the same-claim cross-encoder over the model's ``rerank_top`` candidates.

Queries are posts made from stored claims (reworded a little, with a URL, a hashtag and an
embedded-tweet signature). Reports import time, index build time (`warm_up`: BM25 index, vectors
read from the store, FAISS index), and p50/p95/mean ms of `FactCheckMatcher.rank` over the
queries after 10 warm-up queries, with and without the reranker; appends the record to
bench/results/match-scale.jsonl.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factdesk.config import onnx_threads  # noqa: E402
from factdesk.eval.records import git_state, machine  # noqa: E402
from factdesk.match import previous  # noqa: E402
from factdesk.match.previous import FactCheckMatcher, check_texts, import_checks  # noqa: E402
from factdesk.store.sqlite import SQLiteStore  # noqa: E402
from factdesk.types import content_hash  # noqa: E402

PEOPLE = [
    "the president",
    "the prime minister",
    "a senator",
    "the governor",
    "the mayor",
    "a celebrity chef",
    "the health minister",
    "a football star",
    "the opposition leader",
    "a famous actor",
    "the CEO",
    "a TV host",
    "the former president",
    "the finance minister",
    "a pop singer",
    "the police chief",
]
VERBS = [
    "banned",
    "approved",
    "funded",
    "cancelled",
    "doubled",
    "cut",
    "announced",
    "secretly sold",
    "tripled",
    "abolished",
    "privatised",
    "raised",
    "froze",
    "closed",
    "opened",
    "tested",
]
THINGS = [
    "vaccines",
    "school meals",
    "fuel taxes",
    "hospital beds",
    "wind farms",
    "border checks",
    "pension payments",
    "rent controls",
    "5G masts",
    "bleach cures",
    "refugee quotas",
    "water fluoride",
    "bank accounts",
    "farm subsidies",
    "voting machines",
    "mask mandates",
    "church services",
    "gas prices",
    "police budgets",
    "student loans",
    "tap water",
    "electric cars",
    "face cameras",
]
PLACES = [
    "in Texas",
    "in Ohio",
    "in London",
    "in Nigeria",
    "in India",
    "in Brazil",
    "in Kenya",
    "in Manila",
    "in Berlin",
    "in Ontario",
    "across Europe",
    "in Florida",
    "in Lagos",
    "in Sydney",
    "in Mexico",
    "in Spain",
    "in Turkey",
    "in Canada",
    "in Ireland",
    "in Pakistan",
]
RATINGS = ["False", "Mostly False", "Misleading", "True", "Mostly True", "Unproven", "Satire"]
PUBLISHERS = ["Example Checks", "Snopes-like", "Polygraph-like", "Full Fact-like", "AFP-like", "PolitiFact-like"]


def make_checks(n: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        who, verb, what, where = rng.choice(PEOPLE), rng.choice(VERBS), rng.choice(THINGS), rng.choice(PLACES)
        year, num = rng.randint(1990, 2026), rng.randint(2, 990)
        claim = f"{who.capitalize()} {verb} {num} {what} {where} in {year}"
        out.append(
            {
                "@type": "ClaimReview",
                "claimReviewed": claim,
                "url": f"https://example.org/check/{i}",
                "datePublished": f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "author": {"name": rng.choice(PUBLISHERS)},
                "reviewRating": {"alternateName": rng.choice(RATINGS)},
            }
        )
    return out


def make_posts(checks: list[dict[str, object]], n: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    posts = []
    for c in rng.sample(checks, n):
        words = str(c["claimReviewed"]).split()
        if len(words) > 6:
            words.pop(rng.randrange(1, len(words) - 1))  # reworded a little
        posts.append(
            f"Unbelievable: {' '.join(words).lower()}!! #WakeUp{rng.choice(['America', 'People'])} "
            f"https://t.co/{rng.randrange(10**6)} — Some One (@someone{rng.randrange(100)}) March 3, 2021"
        )
    return posts


class ChecksInMemory:
    """The part of the store contract the matcher reads (checks, their vectors, a count), in
    memory: the matcher's index lives in memory whatever the store, and importing 100k checks
    one transaction each into SQLite had done about half after 42 minutes on the loaded 2-core box."""

    def __init__(self, records: list[dict[str, object]]) -> None:
        self.rows = [
            {
                "id": f"ext-{i:06d}",
                "status": "external",
                "data": r,
                "created": "2026-11-30T00:00:00",
                "updated": "2026-11-30T00:00:00",
            }
            for i, r in enumerate(records)
        ]
        self.vectors: dict[str, np.ndarray] = {}

    def list_checks(self, status: str | None = None, limit: int = 50, **_: object) -> list[dict[str, object]]:
        return [r for r in self.rows if status is None or r["status"] == status][:limit]

    def stats(self) -> dict[str, int]:
        return {"documents": 0, "passages": 0, "checks": len(self.rows)}

    def get_check_vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        return {k: self.vectors[k] for k in keys if k in self.vectors}

    def save_check_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors.update(vectors)

    def close(self) -> None:
        pass


def pct(ms: list[float], q: float) -> float:
    return float(np.percentile(ms, q)) if ms else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checks", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--db",
        default="memory",
        help="'memory' (default: the checks held in a list, see ChecksInMemory) or a SQLite store "
        "(':memory:' or a file; a file already holding the N checks is reused)",
    )
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--no-reranker", action="store_true", help="time the first stage only")
    a = ap.parse_args()

    from factdesk.models.embed import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    checks = make_checks(a.checks, a.seed)
    import_s: float | None = None
    store: Any
    if a.db == "memory":
        store = ChecksInMemory([previous._record_from_claimreview(c) for c in checks])
        n = a.checks
    elif (store := SQLiteStore(a.db)).stats()["checks"] == a.checks:
        n = a.checks
        print(f"{a.db} already holds the {n} checks: import not timed", flush=True)
    else:
        t = time.perf_counter()
        n = import_checks(store, checks)
        import_s = time.perf_counter() - t
        print(f"imported {n} checks in {import_s:.1f} s", flush=True)

    # Synthetic vectors, under the keys the matcher reads (model, claim), so nothing is embedded.
    model = previous._model_key(embedder)
    rng = np.random.default_rng(a.seed)
    rows = store.list_checks(limit=10**9)
    claims = sorted({check_texts(c["data"])[0] for c in rows})
    have = store.get_check_vectors([content_hash(model, claims[0])]) if claims else {}
    for s in range(0, len(claims) if not have else 0, 20_000):
        part = claims[s : s + 20_000]
        v = rng.normal(size=(len(part), embedder.dim)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        store.save_check_vectors({content_hash(model, c): v[j] for j, c in enumerate(part)})

    posts = make_posts(checks, a.queries + 10, a.seed)
    result: dict[str, object] = {
        "checks": n,
        "queries": a.queries,
        "store": a.db,
        "import_s": round(import_s, 1) if import_s is not None else None,
        "vectors": "synthetic (random unit vectors in the store's cache)",
    }
    variants = [("with reranker", "default"), ("first stage only", None)]
    for name, rr in variants[1:] if a.no_reranker else variants:
        m = FactCheckMatcher(store, embedder, reranker=rr)  # type: ignore[arg-type]
        t = time.perf_counter()
        m.warm_up()
        build_s = time.perf_counter() - t
        for p in posts[:10]:
            m.rank(p, k=5)
        ms = []
        for p in posts[10:]:
            t = time.perf_counter()
            m.rank(p, k=5)
            ms.append((time.perf_counter() - t) * 1000)
        rerank_top = m.reranker.rerank_top if m.reranker is not None else 0
        result[name] = {
            "index_build_s": round(build_s, 2),
            "p50_ms": round(pct(ms, 50), 1),
            "p95_ms": round(pct(ms, 95), 1),
            "mean_ms": round(float(np.mean(ms)), 1),
            "rerank_top": rerank_top,
            "dense_index": type(m._index().dense).__name__,
        }
        print(name, json.dumps(result[name]), flush=True)
    store.close()
    rec = {
        "suite": "match-scale",
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "git": git_state(),
        "command": " ".join(["bench/bench_match_scale.py", *sys.argv[1:]]),
        "threads": onnx_threads(),
        "metrics": result,
    }
    print(json.dumps(rec, indent=1))
    if not a.no_record:
        out = ROOT / "bench" / "results" / "match-scale.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
