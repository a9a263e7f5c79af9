#!/usr/bin/env python
"""Ingest speed for Russian text: passages per second, whole ingest and its text-only part.

    python bench/bench_ingest_ru.py                   # ~200 documents, prints JSON, writes bench/results/ingest-ru.json
    python bench/bench_ingest_ru.py --docs 500

Documents are generated from the Russian and Ukrainian texts in examples/multilingual (their
paragraphs shuffled, numbers and dates varied, so no two documents are identical and dedup
does not flatter the figure). Two figures:

- ``text_passages_per_s``: language identification of the document, razdel sentences, passage
  grouping and each passage's language (`factdesk.ingest.chunking.chunk_document`): what this
  issue added to ingest;
- ``ingest_passages_per_s``: `Desk.ingest` end to end into a fresh SQLite store, with the desk's
  default embedder (loading it is reported apart): chunking, embedding, FTS and vector index;
  ``ingest_passages_per_cpu_s`` divides by the process's CPU time instead (all threads), which
  other load on a shared machine bends less; the load average is recorded beside it.

Target (issue 24): >= 100 passages/s on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import tempfile
import time
from pathlib import Path

from factdesk.eval.records import git_state, machine
from factdesk.ingest.chunking import chunk_document
from factdesk.types import Document

ROOT = Path(__file__).resolve().parents[1]


def paragraphs() -> list[str]:
    out: list[str] = []
    for f in sorted((ROOT / "examples" / "multilingual").rglob("*")):
        if f.suffix not in (".txt", ".md") or not f.is_file():
            continue
        text = f.read_text(encoding="utf-8")
        if text.startswith("---"):
            text = text.split("---", 2)[2]
        out += [p.strip() for p in text.split("\n\n") if len(p.split()) >= 6 and re.search(r"[а-яіїєў]", p)]
    return out


def documents(n: int, seed: int = 13) -> list[Document]:
    rng = random.Random(seed)
    paras = paragraphs()
    docs = []
    for i in range(n):
        k = rng.randint(6, 14)
        body = "\n\n".join(
            re.sub(r"\d+", lambda m: str(int(m.group(0)) + rng.randint(1, 97)), rng.choice(paras)) for _ in range(k)
        )
        day = dt.date(2021, 1, 1) + dt.timedelta(days=i % 700)
        docs.append(Document(text=f"Минск, {day:%d.%m.%Y}\n\n{body}", title=f"doc {i}", published=day))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest-ru.json")
    args = ap.parse_args()
    docs = documents(args.docs)
    # text only: fresh copies so each document's language is detected, not read back
    t0 = time.perf_counter()
    n_pass = sum(len(chunk_document(Document(text=d.text))) for d in docs)
    text_secs = time.perf_counter() - t0
    langs = {p.language for d in docs[:20] for p in chunk_document(Document(text=d.text))}

    from factdesk.pipeline import Desk

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        desk = Desk(db=str(Path(tmp) / "bench.db"))
        desk.embedder.embed(["разогрев"])  # load the embedder before timing
        load_secs = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        report = desk.ingest(docs)
        ingest_secs, ingest_cpu = time.perf_counter() - t0, time.process_time() - c0
        desk.close()
    out = {
        "bench": "ingest-ru",
        "date": dt.date.today().isoformat(),
        "command": f"python bench/bench_ingest_ru.py --docs {args.docs}",
        "documents": len(docs),
        "passages": n_pass,
        "passage_languages_seen": sorted(str(x) for x in langs),
        "text_passages_per_s": round(n_pass / text_secs, 1),
        "ingest_passages_per_s": round(report.passages_added / ingest_secs, 1),
        "ingest_documents_added": report.documents_added,
        # CPU seconds of this process (all its threads): a figure less bent by other load on a shared machine
        "ingest_passages_per_cpu_s": round(report.passages_added / ingest_cpu, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "embedder_load_s": round(load_secs, 2),
        "machine": machine(),
        "git": git_state(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k not in ("machine", "git")}, ensure_ascii=False))


if __name__ == "__main__":
    main()
