#!/usr/bin/env python
"""Throughput of the shipped models on this machine: embedder, stance cross-encoder,
check-worthiness scoring, and whole-article claim extraction.

    python bench/bench_models.py            # writes bench/results/models.json

Inputs are the demo corpus's sentences and claim-like sentences built from them (no
external data), so anyone can re-run it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from factdesk.config import onnx_threads
from factdesk.eval.records import git_state, machine

ROOT = Path(__file__).resolve().parents[1]


def sentences() -> list[str]:
    from factdesk.ingest.chunking import split_sentences
    from factdesk.ingest.loaders import load_file
    from factdesk.types import Document

    out: list[str] = []
    for f in sorted((ROOT / "examples" / "demo_corpus").iterdir()):
        for d in load_file(f):
            if isinstance(d, Document):
                out += [d.text[s:e] for s, e in split_sentences(d.text)]
    return out


def rate(fn, items, repeat: int) -> float:
    fn(items[:8])  # warm
    t = time.perf_counter()
    for _ in range(repeat):
        fn(items)
    return len(items) * repeat / (time.perf_counter() - t)


def main() -> None:
    from factdesk.claims.checkworthy import CheckWorthiness
    from factdesk.claims.extract import ClaimExtractor
    from factdesk.models.cross_encoder import OnnxCrossEncoder
    from factdesk.models.embed import MiniLMEmbedder

    sents = sentences()
    pairs = [(sents[i], sents[(i * 7 + 3) % len(sents)]) for i in range(len(sents))]
    emb = MiniLMEmbedder()
    emb.warm_up()
    ce = OnnxCrossEncoder()
    ce.warm_up()
    cw = CheckWorthiness()
    cw.warm_up()
    ex = ClaimExtractor()
    ex.warm_up()
    article = " ".join(sents)
    t = time.perf_counter()
    reps = 3
    for _ in range(reps):
        ex.run(article)
    extract_rate = len(sents) * reps / (time.perf_counter() - t)
    rec = {
        "suite": "models",
        "n_sentences": len(sents),
        "embed_sentences_per_s": round(rate(emb.embed, sents, 5), 1),
        "stance_pairs_per_s": round(rate(ce.predict, pairs, 3), 1),
        "checkworthy_sentences_per_s": round(rate(cw.score, sents, 5), 1),
        "claims_extract_sentences_per_s": round(extract_rate, 1),
        "threads": onnx_threads(),  # the `threads` setting, resolved
        "machine": machine(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "date": dt.date.today().isoformat(),
        "git": git_state(ROOT),
        "command": "python bench/bench_models.py",
    }
    (ROOT / "bench" / "results" / "models.json").write_text(json.dumps(rec, indent=2) + "\n")
    print(json.dumps(rec))


if __name__ == "__main__":
    main()
