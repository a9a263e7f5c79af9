#!/usr/bin/env python
"""Ingest rate and `check` latency of the embedded store at a given size.

Synthetic corpus: sentences assembled from a fixed vocabulary of news phrases with a seeded
RNG (so anyone re-running gets the same text), embedded with the real MiniLM model and
judged with the real shipped stance model.

    python bench/bench_spine.py --passages 10000
    python bench/bench_spine.py --passages 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SUBJECTS = [
    "The ministry",
    "The European Union",
    "UNHCR",
    "Reuters",
    "The government",
    "Lithuania",
    "Poland",
    "The United Nations",
    "Belarus",
    "Russia",
    "Syria",
    "Turkey",
    "The city council",
    "NASA",
    "The court",
]
VERBS = ["reported", "announced", "denied", "confirmed", "estimated", "warned", "said", "found"]
OBJECTS = [
    "new sanctions",
    "refugee numbers",
    "border crossings",
    "air strikes",
    "a budget",
    "visa rules",
    "flights to Minsk",
    "the election results",
    "rock samples",
    "civilian casualties",
    "a state of emergency",
    "humanitarian aid",
    "migration routes",
    "trade figures",
    "the vaccine rollout",
]
TAILS = [
    "in {y}",
    "last month",
    "on Tuesday",
    "after talks in {c}",
    "despite criticism",
    "for the third time",
    "according to officials",
    "by {n} percent",
    "affecting {n} thousand people",
]
CITIES = ["Minsk", "Warsaw", "Vilnius", "Brussels", "Damascus", "Ankara", "Geneva"]


def sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS).format(y=rng.randint(2010, 2022), c=rng.choice(CITIES), n=rng.randint(2, 90))
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {tail}."


def corpus(n_passages: int, seed: int = 13):
    from factdesk.types import Document

    rng = random.Random(seed)
    made = 0
    i = 0
    while made < n_passages:
        paras = ["  ".join(sentence(rng) for _ in range(3)) for _ in range(3)]
        day = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 4500))
        yield Document(
            text="\n\n".join(paras), publisher=rng.choice(SUBJECTS), published=day, title=f"Synthetic report {i}"
        )
        made += 3
        i += 1


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=10000)
    ap.add_argument("--checks", type=int, default=20)
    ap.add_argument("--db", help="reuse this store (default: a temporary file)")
    args = ap.parse_args()

    from factdesk.pipeline import Desk
    from factdesk.types import Claim

    tmp = tempfile.TemporaryDirectory()
    db = args.db or str(Path(tmp.name) / "bench.db")
    desk = Desk(db=db)
    desk.warm_up()
    t0 = time.perf_counter()
    rep = desk.ingest(corpus(args.passages), batch_size=64)
    ingest_s = time.perf_counter() - t0
    rng = random.Random(99)
    lat = []
    for _ in range(args.checks):
        c = Claim(text=sentence(rng), date=dt.date(2020, 1, 1))
        t = time.perf_counter()
        desk.check(c, top_k=6)
        lat.append(time.perf_counter() - t)
    stats = desk.store.stats()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rec = {
        "suite": "spine",
        "passages": stats["passages"],
        "documents": stats["documents"],
        "ingest_seconds": round(ingest_s, 2),
        "ingest_passages_per_s": round(rep.passages_added / ingest_s, 1) if ingest_s else None,
        "check_p50_s": round(pct(lat, 0.5), 3),
        "check_p95_s": round(pct(lat, 0.95), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": f"{platform.machine()} {platform.processor() or ''} {__import__('os').cpu_count()} cores".strip(),
        "date": dt.date.today().isoformat(),
        "commit": commit,
        "command": " ".join(["python", "bench/bench_spine.py", *sys.argv[1:]]),
    }
    out = Path(__file__).parent / "results" / f"spine-{args.passages}.json"
    out.write_text(json.dumps(rec, indent=2) + "\n")
    print(json.dumps(rec))


if __name__ == "__main__":
    main()
