"""Scale of the recurring-claim grouping: N synthetic claims grouped incrementally.

Synthetic claims: `topics` random unit vectors (384-d, MiniLM's size); each claim is a topic
plus Gaussian noise (cosine ~0.8 to its topic), worded with 6 of its topic's 12 words plus 2
random ones, arriving in random order. Measures the time to place each claim (the nearest-centroid
search by FAISS over the centroids, the word overlap, the centroid update) and the process's
peak memory, and how well the topics are recovered (pairwise precision/recall on a 5k sample).
Embedding is not included (MiniLM costs ~10 ms a claim on this box, measured separately).

    nice -n 10 .venv/bin/python bench/bench_narratives.py --claims 100000 --topics 20000

Appends a record to bench/results/narratives-scale.jsonl.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factdesk.eval.narratives import pairwise_prf  # noqa: E402
from factdesk.eval.records import append_record, make_record  # noqa: E402
from factdesk.narratives.group import IncrementalGrouper  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--topics", type=int, default=20_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--noise", type=float, default=0.037, help="per-dimension noise (0.037: cosine ~0.8 to the topic)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-record", action="store_true")
    a = ap.parse_args()
    import faiss

    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(a.seed)
    topics = rng.standard_normal((a.topics, a.dim)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    vocab = [f"w{i}" for i in range(a.topics * 4)]
    topic_words = rng.integers(0, len(vocab), size=(a.topics, 12))
    labels = rng.integers(0, a.topics, size=a.claims)
    g = IncrementalGrouper(dim=a.dim)
    times = np.zeros(a.claims, dtype=np.float64)
    placed = np.zeros(a.claims, dtype=np.int64)
    t_all = time.perf_counter()
    for i, t in enumerate(labels):
        v = topics[t] + rng.standard_normal(a.dim).astype(np.float32) * a.noise
        v /= np.linalg.norm(v)
        words = [vocab[w] for w in rng.choice(topic_words[t], 6, replace=False)]
        words += [vocab[w] for w in rng.integers(0, len(vocab), 2)]
        t0 = time.perf_counter()
        placed[i] = g.add(v, " ".join(words)).group
        times[i] = time.perf_counter() - t0
        if (i + 1) % 10_000 == 0:
            print(
                f"{i + 1} claims, {len(g)} groups, last 10k: {times[i - 9999 : i + 1].mean() * 1e3:.2f} ms a claim",
                file=sys.stderr,
            )
    wall = time.perf_counter() - t_all
    sample = rng.choice(a.claims, size=min(5000, a.claims), replace=False)
    gold: dict[int, list[int]] = {}
    for j, s in enumerate(sample):
        gold.setdefault(int(labels[s]), []).append(j)
    gold_pairs = {(x, y) for m in gold.values() for k, x in enumerate(m) for y in m[k + 1 :]}
    quality = pairwise_prf([int(placed[s]) for s in sample], gold_pairs)
    ms = times * 1e3
    metrics = {
        "claims": a.claims,
        "topics": a.topics,
        "groups": len(g),
        "dim": a.dim,
        "ms_per_claim_mean": round(float(ms.mean()), 3),
        "ms_per_claim_p50": round(float(statistics.median(ms)), 3),
        "ms_per_claim_p95": round(float(np.percentile(ms, 95)), 3),
        "ms_per_claim_last_10k": round(float(ms[-10_000:].mean()), 3),
        "grouper_state_mb": round(g.memory_bytes() / 1e6, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "sample_pairwise": quality,
        "machine": "2-core shared box, faiss single-threaded",
    }
    print(metrics)
    if not a.no_record:
        append_record(make_record("narratives-scale", metrics, wall, vars(a)))


if __name__ == "__main__":
    main()
