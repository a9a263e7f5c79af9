"""Scale benchmark: SQLite (FTS5 + FAISS) vs PostgreSQL (tsvector + pgvector HNSW), and batch engines.

Everything here is SYNTHETIC, on purpose, so the run needs no models and no data:
- passages are 40 pseudo-words drawn from a Zipf(1.1) distribution over a 30k-word vocabulary
  (so some query words are common and some rare, as in real text);
- vectors are random unit vectors (384-d), not embeddings: dense latency is realistic,
  "relevance" is not;
- checks use the fake embedder and fake stance model, so check latency is the store and pipeline
  overhead only (the real MiniLM stance model adds its own inference time per candidate);
- batch throughput uses the same fakes plus a simulated stance cost (`--stance-ms` of numpy work
  per (claim, passage) pair) so that workers have CPU-bound work to share, as with the real model.

Usage (start PostgreSQL first, or pass --start-pg):

    scripts/pg.sh start   # prints the URL
    python bench/bench_scale.py --passages 100000 --pg-url postgresql://postgres@127.0.0.1:PORT/factdesk

Results go to bench/results/scale-<size>.json. The size is a flag because the target (1M) takes
far longer than a shared 2-core machine allows; quote the size with every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from factdesk.pipeline import Desk
from factdesk.store.base import EvidenceStore
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
from factdesk.types import Claim, Document, Passage

REPO = Path(__file__).resolve().parents[1]
DIM = 384
WORDS_PER_PASSAGE = 40


# --- synthetic corpus --------------------------------------------------------------------------
def make_vocabulary(n: int, rng: np.random.Generator) -> list[str]:
    """Pronounceable pseudo-words (consonant-vowel syllables), unique, 2-4 syllables."""
    cons, vows = list("bdfgklmnprstvz"), list("aeiou")
    out: dict[str, None] = {}
    while len(out) < n:
        k = int(rng.integers(2, 5))
        w = "".join(cons[int(rng.integers(len(cons)))] + vows[int(rng.integers(len(vows)))] for _ in range(k))
        out.setdefault(w, None)
    return list(out)


class Corpus:
    """Deterministic synthetic documents of `per_doc` passages each."""

    def __init__(self, passages: int, per_doc: int, seed: int = 7, vocab: int = 30000) -> None:
        self.rng = np.random.default_rng(seed)
        self.vocab = make_vocabulary(vocab, self.rng)
        ranks = np.arange(1, vocab + 1)
        p = 1.0 / ranks**1.1
        self.cdf = np.cumsum(p / p.sum())
        self.per_doc = per_doc
        self.n_docs = max(1, passages // per_doc)

    def words(self, n: int) -> list[str]:
        idx = np.minimum(np.searchsorted(self.cdf, self.rng.random(n)), len(self.vocab) - 1)
        return [self.vocab[i] for i in idx]

    def documents(self) -> Any:
        start = dt.date(2000, 1, 1).toordinal()
        for i in range(self.n_docs):
            sentences = [" ".join(self.words(WORDS_PER_PASSAGE)) + "." for _ in range(self.per_doc)]
            text = " ".join(sentences)
            published = None if i % 20 == 0 else dt.date.fromordinal(start + int(self.rng.integers(0, 9000)))
            doc = Document(text=text, publisher=f"pub{i % 50}", title=f"doc {i}", published=published, id=f"doc{i:08d}")
            passages, at = [], 0
            for j, s in enumerate(sentences):
                passages.append(Passage(doc.id, s, at, at + len(s), index=j))
                at += len(s) + 1
            vecs = self.rng.standard_normal((self.per_doc, DIM)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            yield doc, passages, vecs


# --- measurements ------------------------------------------------------------------------------
def pct(xs: Sequence[float]) -> dict[str, float]:
    a = np.asarray(xs) * 1000.0
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p95_ms": round(float(np.percentile(a, 95)), 2),
        "mean_ms": round(float(a.mean()), 2),
        "n": len(xs),
    }


def timed(fn: Callable[[], Any], n: int) -> tuple[list[float], list[Any]]:
    times, outs = [], []
    for _ in range(n):
        t = time.perf_counter()
        outs.append(fn())
        times.append(time.perf_counter() - t)
    return times, outs


def ingest(store: EvidenceStore, corpus: Corpus, log: Callable[[str], None], id_prefix: str = "") -> dict[str, Any]:
    t0 = time.perf_counter()
    n_p = 0
    last = t0
    for doc, passages, vecs in corpus.documents():
        if id_prefix:
            doc.id = id_prefix + doc.id
            passages = [Passage(doc.id, p.text, p.start, p.end, index=p.index) for p in passages]
        store.add_document(doc, passages, vecs)
        n_p += len(passages)
        if time.perf_counter() - last > 15:
            last = time.perf_counter()
            log(f"  {n_p} passages, {n_p / (last - t0):.0f}/s")
    secs = time.perf_counter() - t0
    return {
        "passages": n_p,
        "documents": corpus.n_docs,
        "seconds": round(secs, 1),
        "passages_per_s": round(n_p / secs, 1),
    }


def query_bench(
    store: EvidenceStore, queries: list[str], vectors: np.ndarray, before: dt.date, k: int = 50
) -> dict[str, Any]:
    qi = iter(queries * 2)
    vi = iter(list(vectors) * 2)
    store.lexical_search(queries[0], k)  # warm caches
    store.dense_search(vectors[0], k)
    lex, _ = timed(lambda: store.lexical_search(next(qi), k), len(queries))
    lex_b, _ = timed(lambda: store.lexical_search(next(qi), k, before), len(queries))
    den, dense_hits = timed(lambda: store.dense_search(next(vi), k), len(vectors))
    den_b, _ = timed(lambda: store.dense_search(next(vi), k, before), len(vectors))
    return {
        "k": k,
        "lexical": pct(lex),
        "lexical_before": pct(lex_b),
        "dense": pct(den),
        "dense_before": pct(den_b),
        "_dense_ids": [[h.passage_id for h in hs] for hs in dense_hits],
    }


class BurnStance(FakeStanceModel):
    """The fake stance model plus `ms` of numpy work per pair (a stand-in for cross-encoder inference)."""

    def __init__(self, ms: float = 0.0) -> None:
        self.ms = ms
        self._a = np.random.default_rng(0).standard_normal((128, 128)).astype(np.float32)

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        if self.ms > 0:
            end = time.perf_counter() + self.ms * len(pairs) / 1000.0
            while time.perf_counter() < end:
                self._a = np.tanh(self._a @ self._a * 0.01)
        return super().predict(pairs)


def check_bench(store: EvidenceStore, claims: list[str]) -> dict[str, Any]:
    from factdesk.verdict.aggregate import RuleAggregator

    desk = Desk(store=store, embedder=FakeEmbedder(DIM), stance_model=FakeStanceModel(), aggregator=RuleAggregator())
    desk.warm_up()
    desk.check(Claim(claims[0]))
    it = iter(claims)
    times, _ = timed(lambda: desk.check(Claim(next(it))), len(claims))
    return pct(times)


def batch_bench(
    db: str,
    claims: list[str],
    stance_ms: float,
    workdir: Path,
    engines: list[tuple[str, int]],
    log: Callable[[str], None],
) -> dict[str, Any]:
    from factdesk.batch import run_batch
    from factdesk.verdict.aggregate import RuleAggregator

    path = workdir / "claims.jsonl"
    path.write_text("".join(json.dumps({"id": f"q{i}", "claim": c}) + "\n" for i, c in enumerate(claims)))
    factory = functools.partial(
        Desk, db=db, embedder=FakeEmbedder(DIM), stance_model=BurnStance(stance_ms), aggregator=RuleAggregator()
    )
    out: dict[str, Any] = {"claims": len(claims), "stance_ms_per_pair": stance_ms}
    for engine, workers in engines:
        name = f"{engine}_w{workers}"
        res = workdir / f"{name}.jsonl"
        res.unlink(missing_ok=True)
        try:
            t = time.perf_counter()
            rep = run_batch(path, res, engine=engine, workers=workers, desk_factory=factory, progress=False)
            wall = time.perf_counter() - t
        except Exception as exc:  # Ray missing or failing must not lose the other figures
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
            log(f"  {name}: {exc}")
            continue
        out[name] = {
            "checked": rep.checked,
            "failed": len(rep.failed),
            "wall_s": round(wall, 1),
            "claims_per_s": round(rep.checked / wall, 2),
        }
        log(f"  {name}: {out[name]}")
    return out


def start_pg(log: Callable[[str], None]) -> tuple[str, dict[str, str]]:
    state = tempfile.mkdtemp(prefix="factdesk-pg-bench-")
    env = {**os.environ, "FACTDESK_PG_DIR": state}
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "pg.sh"), "start"], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode:
        sys.exit(f"scripts/pg.sh start failed:\n{proc.stderr}")
    url = proc.stdout.strip().splitlines()[-1]
    log(f"started PostgreSQL at {url}")
    return url, env


def fresh_pg_database(url: str, name: str) -> str:
    import psycopg

    base = url.rpartition("/")[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=100_000, help="synthetic passages per store (target: 1000000)")
    ap.add_argument("--per-doc", type=int, default=10, help="passages per document (one transaction each)")
    ap.add_argument("--stores", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    ap.add_argument("--pg-url", help="a running server (scripts/pg.sh start prints one); else --start-pg")
    ap.add_argument("--start-pg", action="store_true", help="start a throwaway cluster with scripts/pg.sh")
    ap.add_argument(
        "--live-passages",
        type=int,
        default=1000,
        help="passages added one document at a time, index live, after the bulk load (PostgreSQL)",
    )
    ap.add_argument("--queries", type=int, default=200, help="lexical and dense queries each")
    ap.add_argument("--checks", type=int, default=50, help="Desk.check calls per store")
    ap.add_argument("--batch-claims", type=int, default=60, help="claims for the batch comparison (0: skip)")
    ap.add_argument(
        "--stance-ms", type=float, default=2.0, help="simulated stance-model CPU per pair in the batch test"
    )
    ap.add_argument("--engines", default="local:1,local:2,ray:2", help="engine:workers list for the batch test")
    ap.add_argument(
        "--pg-index-memory",
        default="3GB",
        help="maintenance_work_mem for the HNSW build (~2 GB per million 384-d vectors fits in memory)",
    )
    ap.add_argument("--workdir", help="where the SQLite file and batch files go (default: a temp folder)")
    ap.add_argument("--out", help="results JSON (default: bench/results/scale-<size>.json)")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    size_tag = f"{args.passages // 1000}k" if args.passages < 1_000_000 else f"{args.passages / 1e6:g}M"
    out_path = Path(args.out or REPO / "bench" / "results" / f"scale-{size_tag}.json")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="factdesk-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]

    probe = Corpus(args.passages, args.per_doc, seed=99)
    queries = [" ".join(probe.words(4)) for _ in range(args.queries)]
    qvecs = probe.rng.standard_normal((args.queries, DIM)).astype(np.float32)
    qvecs /= np.linalg.norm(qvecs, axis=1, keepdims=True)
    claims = [" ".join(probe.words(12)) for _ in range(max(args.checks, args.batch_claims))]
    before = dt.date(2012, 4, 30)  # about half the dated passages are earlier

    result: dict[str, Any] = {
        "benchmark": "bench/bench_scale.py",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(),
        },
        "synthetic": {
            "passages": args.passages,
            "per_doc": args.per_doc,
            "words_per_passage": WORDS_PER_PASSAGE,
            "vocabulary": 30000,
            "zipf": 1.1,
            "vectors": "random unit vectors, 384-d",
            "undated_share": 0.05,
            "models": "fakes (FakeEmbedder, FakeStanceModel, RuleAggregator)",
        },
        "stores": {},
    }
    pg_env: dict[str, str] | None = None
    exact_ids: list[list[str]] | None = None
    sqlite_path = workdir / "scale.db"
    try:
        for name in stores:
            log(f"== {name}: ingest {args.passages} synthetic passages")
            store: Any
            if name == "sqlite":
                from factdesk.store.sqlite import SQLiteStore

                sqlite_path.unlink(missing_ok=True)
                store = SQLiteStore(str(sqlite_path), dim=DIM)
            elif name == "postgres":
                from factdesk.store.postgres import PostgresStore

                url = args.pg_url
                if not url:
                    if not args.start_pg:
                        sys.exit("postgres needs --pg-url URL (from scripts/pg.sh start) or --start-pg")
                    url, pg_env = start_pg(log)
                store = PostgresStore(
                    fresh_pg_database(url, f"factdesk_scale_{size_tag}"),
                    dim=DIM,
                    index_build_memory=args.pg_index_memory,
                )
            else:
                sys.exit(f"unknown store {name!r}: choose sqlite or postgres")
            r: dict[str, Any] = {}
            if name == "postgres":
                # Bulk: no HNSW upkeep per row and asynchronous commit; the index is built once afterwards.
                t = time.perf_counter()
                with store.bulk_load():
                    r["ingest"] = ingest(store, Corpus(args.passages, args.per_doc), log)
                    t_build = time.perf_counter()
                    log(f"  bulk ingest: {r['ingest']}; building the HNSW index")
                r["ingest"]["mode"] = "bulk_load(): async commit, HNSW built after the load"
                r["ingest"]["maintenance_work_mem"] = args.pg_index_memory
                r["ingest"]["hnsw_build_s"] = round(time.perf_counter() - t_build, 1)
                r["ingest"]["total_with_index_s"] = round(time.perf_counter() - t, 1)
            else:
                r["ingest"] = ingest(store, Corpus(args.passages, args.per_doc), log)
            if args.live_passages:
                # Incremental: what `factdesk ingest` sees on a filled store (PostgreSQL: HNSW upkeep per row,
                # synchronous commit). Both stores get the same extra documents, so recall stays comparable.
                live = Corpus(args.live_passages, args.per_doc, seed=11)
                r["ingest_incremental"] = ingest(store, live, log, id_prefix="live")
                log(f"  incremental ingest: {r['ingest_incremental']}")
            if name == "postgres":
                with store._lock:  # fresh planner statistics, as autovacuum would give a long-lived server
                    store._conn.execute("ANALYZE")
                sizes = store._conn.execute(
                    "SELECT pg_size_pretty(pg_database_size(current_database())), "
                    "pg_size_pretty(pg_relation_size('passages_embedding')), "
                    "pg_size_pretty(pg_relation_size('passages_tsv'))"
                ).fetchone()
                r["size"] = {"database": sizes[0], "hnsw_index": sizes[1], "gin_index": sizes[2]}
            else:
                r["size"] = {"database": f"{sqlite_path.stat().st_size / 2**20:.0f} MB"}
            log(f"  ingest: {r['ingest']}")
            t = time.perf_counter()
            store.dense_search(qvecs[0], 10)  # SQLite: the FAISS index is built on first use
            r["first_dense_query_s"] = round(time.perf_counter() - t, 2)
            q = query_bench(store, queries, qvecs, before)
            ids = q.pop("_dense_ids")
            if name == "sqlite":
                exact_ids = ids  # FAISS flat: exact inner product
            elif exact_ids is not None:
                rec = [len(set(a[:10]) & set(b[:10])) / 10 for a, b in zip(ids, exact_ids, strict=False)]
                q["dense_recall_at_10_vs_exact"] = round(float(np.mean(rec)), 3)
            r["query"] = q
            log(f"  query: {q}")
            if args.checks:
                r["check"] = check_bench(store, claims[: args.checks])
                log(f"  check: {r['check']}")
            r["stats"] = store.stats()
            store.close()
            result["stores"][name] = r
        if args.batch_claims and "sqlite" in stores:
            log(f"== batch: {args.batch_claims} claims over the SQLite store")
            engines = [(e.split(":")[0], int(e.split(":")[1])) for e in args.engines.split(",")]
            result["batch"] = batch_bench(
                str(sqlite_path), claims[: args.batch_claims], args.stance_ms, workdir, engines, log
            )
    finally:
        if pg_env is not None:
            subprocess.run(["bash", str(REPO / "scripts" / "pg.sh"), "destroy"], env=pg_env, capture_output=True)
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    result["machine"]["load_avg_at_end"] = os.getloadavg()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2) + "\n")
    log(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
