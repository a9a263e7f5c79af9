"""Dense recall on REAL embeddings: pgvector HNSW (PostgresStore) and FAISS flat (SQLiteStore) vs exact search.

bench_scale.py measures recall on random unit vectors, the worst case for a graph index.
This benchmark uses what the desk really stores and asks:
- corpus: the passages and all-MiniLM-L6-v2 vectors of an existing factdesk SQLite store
  (default bench/.cache/averitec-pool.db, the AVeriTeC answer pool that bench/run_all builds),
  read straight from its `passages` table;
- queries: the AVeriTeC dev claims ("claim" field), embedded with the shipped MiniLM int8 ONNX;
- truth: exact inner-product top-k over the same vectors (numpy);
- recall@k of `PostgresStore.dense_search` for each `--ef-search`, with query p50/p95, and of
  `SQLiteStore.dense_search` (FAISS flat, so 1.0 is expected: a sanity check of the harness).

Recall counts a returned passage as correct when its exact score reaches the k-th best exact
score (less 1e-5), so that duplicate passages (same vector, other id) at the cut-off are not
counted as misses; the plain id overlap is reported too. Latencies are taken with the settings
(ef_search values; FAISS thread counts) taking turns query by query, so that load from other
work on the machine falls on all of them alike; quote them with the load average in the record.

`--replicate-to N` (optional, slower) adds noisy copies of the corpus until it holds N vectors:
copy r of a vector v is normalise(v + e) with e Gaussian of expected norm `--noise`. This is
SYNTHETIC scale-up around a real distribution; its figures are reported under their own key.

Usage (start PostgreSQL first, or pass --start-pg):

    scripts/pg.sh start   # prints the URL
    python bench/bench_pg_recall.py --pg-url postgresql://postgres@127.0.0.1:PORT/factdesk
    python bench/bench_pg_recall.py --start-pg --replicate-to 100000

Results go to bench/results/pg-recall.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench_scale import fresh_pg_database, pct, start_pg  # the same throwaway cluster and databases

from factdesk.config import shared_root
from factdesk.types import Document, Passage

REPO = Path(__file__).resolve().parents[1]
SHARED = shared_root().resolve()
DEFAULT_POOL = REPO / "bench" / ".cache" / "averitec-pool.db"
DEFAULT_CLAIMS = SHARED / "data" / "averitec" / "dev_public.json"
TIE_EPS = 1e-5


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- corpus --------------------------------------------------------------------------------------
class Pool:
    """Documents, passages and vectors of a factdesk SQLite store, in insertion order."""

    def __init__(self, path: Path) -> None:
        # Read-only URI: the cache file is not touched (no WAL switch, no schema creation).
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            dim = int(conn.execute("SELECT value FROM meta WHERE key = 'dim'").fetchone()[0])
            docs = conn.execute(
                "SELECT id, url, title, publisher, published, language, source_path, author, text FROM documents"
            ).fetchall()
            rows = conn.execute(
                'SELECT id, document_id, idx, start, "end", text, vector FROM passages '
                "WHERE vector IS NOT NULL ORDER BY rowid"
            ).fetchall()
        finally:
            conn.close()
        self.dim = dim
        self.documents = {r[0]: r for r in docs}
        self.passage_ids = [r[0] for r in rows]
        self.passages = [Passage(r[1], r[5], r[3], r[4], index=r[2], id=r[0]) for r in rows]
        self.vectors = np.frombuffer(b"".join(r[6] for r in rows), dtype=np.float32).reshape(len(rows), dim).copy()
        self.by_document: dict[str, list[int]] = {}
        for i, p in enumerate(self.passages):
            self.by_document.setdefault(p.document_id, []).append(i)

    def document(self, doc_id: str, suffix: str = "") -> Document:
        r = self.documents[doc_id]
        return Document(
            id=r[0] + suffix,
            url=r[1],
            title=r[2],
            publisher=r[3],
            published=r[4],
            language=r[5],
            source_path=r[6],
            author=r[7],
            text=r[8],
        )

    def copies(self, n_total: int, noise: float, seed: int) -> Iterator[tuple[Document, list[Passage], np.ndarray]]:
        """The pool itself, then noisy copies (ids suffixed ~r1, ~r2, ...) until n_total passages."""
        rng = np.random.default_rng(seed)
        made, r = 0, 0
        while made < n_total:
            suffix = f"~r{r}" if r else ""
            for doc_id, idxs in self.by_document.items():
                if made >= n_total:
                    return
                vecs = self.vectors[idxs]
                if r:
                    vecs = vecs + rng.standard_normal(vecs.shape).astype(np.float32) * (noise / np.sqrt(self.dim))
                    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
                doc = self.document(doc_id, suffix)
                ps = [
                    Passage(
                        doc.id,
                        self.passages[i].text,
                        self.passages[i].start,
                        self.passages[i].end,
                        index=self.passages[i].index,
                    )
                    if r
                    else self.passages[i]
                    for i in idxs
                ]
                made += len(ps)
                yield doc, ps, vecs
            r += 1


# --- measurement ---------------------------------------------------------------------------------
class Truth:
    """Exact inner-product top-k of every query over the stored vectors."""

    def __init__(self, ids: list[str], vectors: np.ndarray, queries: np.ndarray, k: int) -> None:
        self.k = k
        self.row = {pid: i for i, pid in enumerate(ids)}
        self.scores = queries @ vectors.T  # (queries, passages): small enough at 100k x 500 float32 (200 MB)
        top = np.argpartition(-self.scores, k - 1, axis=1)[:, :k]
        self.kth = np.take_along_axis(self.scores, top, axis=1).min(axis=1)
        self.top_ids = [{ids[j] for j in row} for row in top]

    def recall(self, qi: int, got: list[str]) -> tuple[float, float]:
        """(recall with ties at the cut-off forgiven, plain id overlap) for query `qi`."""
        got = got[: self.k]
        ok = sum(1 for pid in got if self.scores[qi, self.row[pid]] >= self.kth[qi] - TIE_EPS)
        return ok / self.k, len(set(got) & self.top_ids[qi]) / self.k


def measure(
    search: Callable[[np.ndarray, int], list[Any]],
    queries: np.ndarray,
    truth: Truth,
    settings: Sequence[Callable[[], None]] = (lambda: None,),
) -> list[dict[str, Any]]:
    """Recall and latency of `search` under each setting (a callable that applies it).

    The settings take turns query by query, so that a busy machine slows them alike.
    """
    search(queries[0], truth.k)  # warm caches
    times: list[list[float]] = [[] for _ in settings]
    rec: list[list[float]] = [[] for _ in settings]
    overlap: list[list[float]] = [[] for _ in settings]
    for qi, q in enumerate(queries):
        for si, apply in enumerate(settings):
            apply()
            t = time.perf_counter()
            hits = search(q, truth.k)
            times[si].append(time.perf_counter() - t)
            r, o = truth.recall(qi, [h.passage_id for h in hits])
            rec[si].append(r)
            overlap[si].append(o)
    k = truth.k
    return [
        {
            f"recall_at_{k}": round(float(np.mean(rec[si])), 4),
            f"recall_at_{k}_min": round(float(np.min(rec[si])), 2),
            f"id_overlap_at_{k}": round(float(np.mean(overlap[si])), 4),
            "queries_with_full_recall": round(float(np.mean(np.asarray(rec[si]) >= 1.0)), 4),
            "dense_query": pct(times[si]),
        }
        for si in range(len(settings))
    ]


# --- PostgreSQL ----------------------------------------------------------------------------------
def drop_pg_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_run(
    url: str,
    pool: Pool,
    n_total: int,
    noise: float,
    queries: np.ndarray,
    ef_values: list[int],
    k: int,
    m: int = 16,
    ef_construction: int = 64,
) -> dict[str, Any]:
    from factdesk.store.postgres import PostgresStore

    store = PostgresStore(url, dim=pool.dim, hnsw_m=m, hnsw_ef_construction=ef_construction)
    out: dict[str, Any] = {"hnsw": {"m": m, "ef_construction": ef_construction, "opclass": "vector_ip_ops"}}
    ids: list[str] = []
    vec_parts: list[np.ndarray] = []
    try:
        t0 = time.perf_counter()
        with store.bulk_load():
            for doc, ps, vecs in pool.copies(n_total, noise, seed=7):
                store.add_document(doc, ps, vecs)
                ids.extend(p.id for p in ps)
                vec_parts.append(vecs)
                if len(ids) % 20000 < len(ps):
                    log(f"  loaded {len(ids)} passages")
            t_build = time.perf_counter()
            log(f"  loaded {len(ids)} passages in {t_build - t0:.1f} s; building the HNSW index")
        t1 = time.perf_counter()
        out["load"] = {
            "passages": len(ids),
            "rows_s": round(t_build - t0, 1),
            "hnsw_build_s": round(t1 - t_build, 1),
            "total_s": round(t1 - t0, 1),
            "mode": "bulk_load(): one transaction per document, async commit, HNSW built after the load",
        }
        log(f"  HNSW built in {t1 - t_build:.1f} s")
        with store._lock:
            r = store._conn.execute(
                "SELECT extversion, current_setting('server_version'), current_setting('shared_buffers'), "
                "pg_size_pretty(pg_relation_size('passages_embedding')) FROM pg_extension WHERE extname = 'vector'"
            ).fetchone()
        assert r is not None
        out["server"] = {"pgvector": r[0], "postgresql": r[1], "shared_buffers": r[2], "hnsw_index_size": r[3]}
        vectors = np.concatenate(vec_parts)
        truth = Truth(ids, vectors, queries, k)
        out["exact_numpy"] = exact_latency(vectors, queries, k)
        out["ef_search"] = {}

        def setter(ef: int) -> Callable[[], None]:
            def apply() -> None:
                store.ef_search = ef

            return apply

        for ef, r_ef in zip(
            ef_values, measure(store.dense_search, queries, truth, [setter(e) for e in ef_values]), strict=True
        ):
            out["ef_search"][str(ef)] = r_ef
            log(
                f"  ef_search={ef}: recall@{k} {r_ef[f'recall_at_{k}']}, p50 {r_ef['dense_query']['p50_ms']} ms, "
                f"p95 {r_ef['dense_query']['p95_ms']} ms"
            )
    finally:
        store.close()
    return out


def exact_latency(vectors: np.ndarray, queries: np.ndarray, k: int) -> dict[str, float]:
    """Brute force with numpy, one query at a time (what an exact search costs at this size)."""
    times = []
    for q in queries[:100]:
        t = time.perf_counter()
        s = vectors @ q
        np.argpartition(-s, k - 1)[:k]
        times.append(time.perf_counter() - t)
    return pct(times)


# --- SQLite / FAISS --------------------------------------------------------------------------------
def sqlite_run(pool_path: Path, pool: Pool, queries: np.ndarray, k: int) -> dict[str, Any]:
    from factdesk.store.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory(prefix="factdesk-recall-") as tmp:
        copy = Path(tmp) / "pool.db"
        shutil.copyfile(pool_path, copy)  # the store may switch the file to WAL; leave the cache alone
        store = SQLiteStore(str(copy), dim=pool.dim)
        try:
            t = time.perf_counter()
            store.dense_search(queries[0], k)  # builds the FAISS index
            first = time.perf_counter() - t
            truth = Truth(pool.passage_ids, pool.vectors, queries, k)
            # FAISS spreads one query over OpenMP threads; on a busy machine the threads wait on each
            # other, so the single-thread latency is recorded too.
            import faiss

            threads = faiss.omp_get_max_threads()
            try:
                m, m1 = measure(
                    store.dense_search,
                    queries,
                    truth,
                    [lambda: faiss.omp_set_num_threads(threads), lambda: faiss.omp_set_num_threads(1)],
                )
            finally:
                faiss.omp_set_num_threads(threads)
            m["dense_query_1_thread"] = m1["dense_query"]
            m["omp_threads"] = threads
        finally:
            store.close()
    m["first_query_s"] = round(first, 2)
    m["index"] = "faiss.IndexFlatIP (exact)"
    log(
        f"  sqlite/faiss: recall@{k} {m[f'recall_at_{k}']}, p50 {m['dense_query']['p50_ms']} ms "
        f"({threads} OpenMP threads), {m['dense_query_1_thread']['p50_ms']} ms (1 thread)"
    )
    return m


# --- main ------------------------------------------------------------------------------------------
def load_claims(path: Path, limit: int) -> list[str] | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    claims = [str(c["claim"]) for c in data if c.get("claim")]
    return claims[:limit] if limit else claims


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pool", type=Path, default=DEFAULT_POOL, help="a factdesk SQLite store with real vectors")
    ap.add_argument(
        "--claims", type=Path, default=DEFAULT_CLAIMS, help="AVeriTeC JSON whose 'claim' fields are the queries"
    )
    ap.add_argument("--max-queries", type=int, default=0, help="use the first N claims (0: all)")
    ap.add_argument("--pg-url", help="a running server (scripts/pg.sh start prints one); else --start-pg")
    ap.add_argument("--start-pg", action="store_true", help="start a throwaway cluster with scripts/pg.sh")
    ap.add_argument("--stores", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    ap.add_argument("--ef-search", default="40,100,200", help="comma-separated hnsw.ef_search values")
    ap.add_argument("-k", type=int, default=10, help="recall@k")
    ap.add_argument("--hnsw-m", type=int, default=16, help="HNSW m (PostgresStore's default: 16)")
    ap.add_argument(
        "--ef-construction",
        default="64",
        help="comma-separated HNSW ef_construction values; the first is the main run, each other one "
        "is reported as postgres_ef_construction_<v> (PostgresStore's default: 64)",
    )
    ap.add_argument(
        "--replicate-to",
        type=int,
        default=0,
        help="also measure PostgreSQL on the pool plus noisy copies up to N vectors (0: skip)",
    )
    ap.add_argument("--noise", type=float, default=0.3, help="expected norm of the noise added to each copy")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "pg-recall.json")
    args = ap.parse_args(argv)

    if not args.pool.is_file():
        sys.exit(f"no store at {args.pool}: build it with `bench/run_all --only averitec-retrieved`, or pass --pool")
    claims = load_claims(args.claims, args.max_queries)
    if claims is None:
        log(f"SKIPPED: the AVeriTeC claims are absent ({args.claims}); pass --claims PATH or set FACTDESK_SHARED")
        return 0
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    ef_values = [int(x) for x in args.ef_search.split(",") if x.strip()]
    efc_values = [int(x) for x in args.ef_construction.split(",") if x.strip()]

    log(f"reading {args.pool}")
    pool = Pool(args.pool)
    log(f"  {len(pool.passages)} passages with {pool.dim}-d vectors from {len(pool.documents)} documents")

    from factdesk.registry import registry

    embedder = registry.create("embedder", "minilm")
    embedder.warm_up()
    t = time.perf_counter()
    queries = np.asarray(embedder.embed(claims), dtype=np.float32)
    embed_s = time.perf_counter() - t
    log(f"embedded {len(claims)} claims in {embed_s:.1f} s")

    result: dict[str, Any] = {
        "benchmark": "bench/bench_pg_recall.py",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(),
        },
        "corpus": {
            "store": str(args.pool.relative_to(REPO) if args.pool.is_relative_to(REPO) else args.pool),
            "passages": len(pool.passages),
            "documents": len(pool.documents),
            "dim": pool.dim,
            "vectors": "real all-MiniLM-L6-v2 (int8 ONNX) embeddings of AVeriTeC evidence passages",
        },
        "queries": {
            "source": args.claims.name,
            "field": "claim",
            "n": len(claims),
            "embedder": "minilm (int8 ONNX)",
            "embed_s": round(embed_s, 1),
        },
        "k": args.k,
        "recall_definition": "share of the top-k returned whose exact inner product reaches the k-th best exact "
        f"score (minus {TIE_EPS}); id_overlap is the plain set overlap with the exact top-k ids",
        "stores": {},
    }
    pg_env: dict[str, str] | None = None
    try:
        if "sqlite" in stores:
            log("== sqlite (FAISS flat)")
            result["stores"]["sqlite"] = sqlite_run(args.pool, pool, queries, args.k)
        if "postgres" in stores:
            url = args.pg_url
            if not url:
                if not args.start_pg:
                    sys.exit("postgres needs --pg-url URL (from scripts/pg.sh start) or --start-pg")
                url, pg_env = start_pg(log)
            for i, efc in enumerate(efc_values):
                key = "postgres" if i == 0 else f"postgres_ef_construction_{efc}"
                log(
                    f"== {key} (pgvector HNSW, m={args.hnsw_m}, ef_construction={efc}), {len(pool.passages)} real vectors"
                )
                db = fresh_pg_database(url, "factdesk_recall")
                result["stores"][key] = pg_run(
                    db, pool, len(pool.passages), args.noise, queries, ef_values, args.k, args.hnsw_m, efc
                )
                drop_pg_database(db)
            if args.replicate_to > len(pool.passages):
                log(f"== postgres, pool + noisy copies: {args.replicate_to} vectors (SYNTHETIC scale-up)")
                db = fresh_pg_database(url, "factdesk_recall_rep")
                r = pg_run(
                    db, pool, args.replicate_to, args.noise, queries, ef_values, args.k, args.hnsw_m, efc_values[0]
                )
                r["synthetic"] = (
                    f"the {len(pool.passages)} real vectors plus noisy copies: copy = normalise(v + e), "
                    f"e ~ Gaussian with expected norm {args.noise}; truth recomputed over all vectors"
                )
                result["stores"]["postgres_replicated"] = r
                drop_pg_database(db)
    finally:
        if pg_env is not None:
            subprocess.run(["bash", str(REPO / "scripts" / "pg.sh"), "destroy"], env=pg_env, capture_output=True)
    result["machine"]["load_avg_at_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
