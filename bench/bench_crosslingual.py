#!/usr/bin/env python3
"""Cross-lingual retrieval (issue 24, parts 3 and 8): MiniLM vs e5 vs the shipped hybrid.

    nice .venv/bin/python bench/bench_crosslingual.py             # the mixed-language set (~1 min)
    nice .venv/bin/python bench/bench_crosslingual.py --english   # AVeriTeC pool retrieval, MiniLM vs e5
    nice .venv/bin/python bench/bench_crosslingual.py --ct20      # CheckThat! 2020 dev matching, MiniLM vs e5

Default: the 20 claims of `factdesk.testing.crosslingual` (ru/uk/pl/en, evidence in another
language, 40 dated paragraphs with same-subject distractors) against a store holding both
vectors, each claim searched with evidence published up to its date. Variants: BM25 alone,
MiniLM nearest, e5 nearest, the desk's hybrid before issue 24 (BM25 + MiniLM, RRF) and the
shipped hybrid (`HybridRetriever(..., multilingual=E5Encoder())`, the rule in
`factdesk.retrieval.multilingual`). hit@k: the claim's evidence is among the first k
passages. Record: bench/results/crosslingual.json.

--english: the AVeriTeC answer pool of `bench/run_all`'s averitec-retrieved suite (train +
dev answers, chunked as the desk does; its vectors cached in bench/.cache/), each dev claim's
share of its own gold answers in the top 10 (the suite's `own_answer_recall_at_10`) for
MiniLM, e5, BM25 + MiniLM (before), BM25 + e5 and the shipped hybrid. Retrieval only: no judge.
Record: bench/results/crosslingual-english.json.

--ct20: `factdesk.eval.claim_matching.evaluate` on CheckThat! 2020 Task 2 dev once with MiniLM
and once with e5 as the matcher's embedder (same BM25, fusion and same-claim reranker).
Record: bench/results/crosslingual-ct20.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("FACTDESK_SHARED", ROOT / ".." / "shared")).resolve()
CACHE = Path(os.environ.get("FACTDESK_BENCH_CACHE", ROOT / "bench" / ".cache"))
RESULTS = ROOT / "bench" / "results"


def _meta() -> dict[str, Any]:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    except OSError:
        rev = ""
    return {
        "commit": rev.strip(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "cpus": os.cpu_count(),
        "load": os.getloadavg()[0],
        "python": platform.python_version(),
    }


# --- the mixed-language set ---------------------------------------------------------------------
def crosslingual() -> dict[str, Any]:
    from factdesk.models.e5 import E5Encoder
    from factdesk.models.embed import MiniLMEmbedder
    from factdesk.pipeline import Desk
    from factdesk.retrieval.hybrid import HybridRetriever
    from factdesk.retrieval.multilingual import claim_language
    from factdesk.retrieval.query import lexical_query
    from factdesk.retrieval.timefilter import evidence_cutoff
    from factdesk.store.sqlite import SQLiteStore
    from factdesk.testing import crosslingual as xl

    minilm, e5 = MiniLMEmbedder(), E5Encoder()
    store = SQLiteStore(":memory:")
    desk = Desk(store=store, embedder=minilm, multilingual=e5)
    desk.ingest(xl.documents())
    doc_of = {d.id: d.source_path for d in xl.documents()}
    before_issue = HybridRetriever(store, minilm)
    shipped = HybridRetriever(store, minilm, multilingual=e5)

    def ids(hits: list[Any]) -> list[str]:
        rows = {p.id: p.document_id for p, _ in store.get_passages([h.passage_id for h in hits])}
        return [str(doc_of[rows[h.passage_id]]) for h in hits if h.passage_id in rows]

    variants: dict[str, Any] = {
        "bm25": lambda c, b: ids(store.lexical_search(lexical_query(c.text), 10, b)),
        "minilm": lambda c, b: ids(store.dense_search(minilm.embed([c.text])[0], 10, b)),
        "e5": lambda c, b: ids(store.multilingual_search(e5.query([c.text])[0], 10, b)),
        "hybrid before (bm25 + minilm)": lambda c, b: [
            str(doc_of[e.document.id]) for e in before_issue.run(c, top_k=10, before=b)
        ],
        "hybrid shipped": lambda c, b: [str(doc_of[e.document.id]) for e in shipped.run(c, top_k=10, before=b)],
    }
    per_claim: list[dict[str, Any]] = []
    out: dict[str, Any] = {}
    for name, fn in variants.items():
        ranks = []
        for tc in xl.claims():
            claim = tc.claim()
            got = fn(claim, evidence_cutoff(claim))
            rank = next((i + 1 for i, d in enumerate(got) if d in tc.evidence), None)
            ranks.append((tc, rank))
            if name == "hybrid shipped":
                per_claim.append(
                    {
                        "id": tc.id,
                        "lang": tc.lang,
                        "evidence_lang": xl.gold_language(tc),
                        "rank": rank,
                        "detected": claim_language(claim),
                        "top3": got[:3],
                    }
                )
        by_lang: dict[str, dict[str, float]] = {}
        for lang in ("ru", "uk", "pl", "en"):
            rs = [r for tc, r in ranks if tc.lang == lang]
            by_lang[lang] = {
                "n": len(rs),
                "hit@1": sum(r == 1 for r in rs) / len(rs),
                "hit@3": sum(r is not None and r <= 3 for r in rs) / len(rs),
            }
        out[name] = {
            "hit@1": sum(r == 1 for _, r in ranks) / len(ranks),
            "hit@2": sum(r is not None and r <= 2 for _, r in ranks) / len(ranks),
            "hit@3": sum(r is not None and r <= 3 for _, r in ranks) / len(ranks),
            "by_language": by_lang,
        }
    return {
        "set": "factdesk.testing.crosslingual",
        "claims": 20,
        "passages": store.stats()["passages"],
        "variants": out,
        "shipped_per_claim": per_claim,
    }


# --- AVeriTeC pool, English ---------------------------------------------------------------------
def _pool_store(path: Path) -> tuple[Any, dict[str, str]]:
    """A store of the pooled answers with both vectors (embedded once, cached as .npy)."""
    from factdesk.eval.averitec import pooled_documents
    from factdesk.ingest.chunking import chunk_document
    from factdesk.models.e5 import E5Encoder
    from factdesk.models.embed import MiniLMEmbedder
    from factdesk.store.sqlite import SQLiteStore

    data = SHARED / "data" / "averitec"
    docs = pooled_documents([data / "train.json", data / "dev_public.json"])
    chunks = [(d, chunk_document(d)) for d in docs]
    passages = [p for _, ps in chunks for p in ps]
    vecs: dict[str, np.ndarray] = {}
    for name, make in (("minilm", lambda t: MiniLMEmbedder().embed(t)), ("e5", lambda t: E5Encoder().passage(t))):
        npy, idf = CACHE / f"averitec-pool-{name}.npy", CACHE / f"averitec-pool-{name}.ids"
        if npy.is_file() and idf.read_text().split("\n") == [p.id for p in passages]:
            vecs[name] = np.load(npy)
        else:
            vecs[name] = make([p.text for p in passages])
            np.save(npy, vecs[name])
            idf.write_text("\n".join(p.id for p in passages))
    path.unlink(missing_ok=True)
    store = SQLiteStore(str(path))
    at = 0
    for d, ps in chunks:
        if ps:
            store.add_document(d, ps, vecs["minilm"][at : at + len(ps)], multilingual=vecs["e5"][at : at + len(ps)])
        at += len(ps)
    return store, {d.id: d.language or "" for d in docs}


def english() -> dict[str, Any]:
    from factdesk.eval.averitec import answer_documents, load_averitec
    from factdesk.models.e5 import E5Encoder
    from factdesk.models.embed import MiniLMEmbedder
    from factdesk.retrieval.fusion import rrf
    from factdesk.retrieval.hybrid import HybridRetriever
    from factdesk.store.base import Hit

    t0 = time.perf_counter()
    store, langs = _pool_store(CACHE / "averitec-pool-xl.db")
    build_s = time.perf_counter() - t0
    minilm, e5 = MiniLMEmbedder(), E5Encoder()
    examples = load_averitec(SHARED / "data" / "averitec" / "dev_public.json")
    before_issue = HybridRetriever(store, minilm)
    shipped = HybridRetriever(store, minilm, multilingual=e5)

    def docs_of(hits: list[Any]) -> list[str]:
        rows = {p.id: p.document_id for p, _ in store.get_passages([h.passage_id for h in hits])}
        return [rows[h.passage_id] for h in hits if h.passage_id in rows]

    def bm25_e5(claim: Any) -> list[str]:  # e5 in MiniLM's place: what "e5 for English too" would give
        lex = before_issue.lexical.hits(claim, 50)
        den = store.multilingual_search(e5.query([claim.text])[0], 50)
        fused = rrf([[h.passage_id for h in lex], [h.passage_id for h in den]], 60)
        return docs_of([Hit(pid, s) for pid, s in fused[:10]])

    variants: dict[str, Any] = {
        "minilm": lambda c: docs_of(store.dense_search(minilm.embed([c.text])[0], 10)),
        "e5": lambda c: docs_of(store.multilingual_search(e5.query([c.text])[0], 10)),
        "hybrid before (bm25 + minilm)": lambda c: [e.document.id for e in before_issue.run(c, top_k=10)],
        "bm25 + e5": bm25_e5,
        "hybrid shipped": lambda c: [e.document.id for e in shipped.run(c, top_k=10)],
    }
    out: dict[str, Any] = {}
    for name, fn in variants.items():
        own_total = own_hit = any_hit = 0
        t = time.perf_counter()
        for ex in examples:
            own = {d.id for d in answer_documents(ex.raw)}
            top = set(fn(ex.claim)[:10])
            own_total += len(own)
            own_hit += len(own & top)
            any_hit += bool(own & top)
        out[name] = {
            "own_answer_recall_at_10": own_hit / own_total if own_total else 0.0,
            "claims_with_own_answer_at_10": any_hit / len(examples),
            "ms_per_claim": (time.perf_counter() - t) * 1000 / len(examples),
        }
    nonen = sum(1 for v in langs.values() if v and v != "en")
    return {
        "set": "AVeriTeC dev_public claims vs pooled train+dev answers",
        "claims": len(examples),
        "passages": store.stats()["passages"],
        "pool_documents_not_english": nonen,
        "store_build_seconds": build_s,
        "variants": out,
    }


def ct20() -> dict[str, Any]:
    from factdesk.eval.claim_matching import evaluate
    from factdesk.models.e5 import E5Encoder
    from factdesk.models.embed import MiniLMEmbedder

    d = SHARED / "data" / "claim-matching" / "ct20-task2"
    out: dict[str, Any] = {}
    for name, make in (("minilm", MiniLMEmbedder), ("e5", E5Encoder)):
        t = time.perf_counter()
        r = evaluate(
            d / "dev/tweets.queries.tsv",
            d / "dev/tweet-vclaim-pairs.qrels",
            d / "verified_claims.docs.tsv",
            db=str(CACHE / f"ct20-checks-{name}.db"),
            embedder=make(),
        )
        out[name] = {
            "map@5": r["map@5"],
            "map@1": r["map@1"],
            "mrr": r.get("mrr"),
            "first_stage_map@5": r["ablation"]["bm25 + dense (rrf)"]["map@5"],
            "bm25_map@5": r["bm25"]["map@5"],
            "n_queries": r["n_queries"],
            "seconds": time.perf_counter() - t,
        }
    return {"set": "CheckThat! 2020 Task 2 dev", "variants": out}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--english", action="store_true", help="AVeriTeC pool retrieval, MiniLM vs e5")
    ap.add_argument("--ct20", action="store_true", help="CheckThat! 2020 dev claim matching, MiniLM vs e5")
    args = ap.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.english:
        name, result = "crosslingual-english", english()
    elif args.ct20:
        name, result = "crosslingual-ct20", ct20()
    else:
        name, result = "crosslingual", crosslingual()
    result["meta"] = _meta()
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "shipped_per_claim"}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
