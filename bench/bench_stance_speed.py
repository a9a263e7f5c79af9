"""Stance models side by side: pairs/s on the same pairs, same threads, in one run (issue 23).

    python bench/bench_stance_speed.py [--threads 2] [--repeat 3]

The pairs are the demo corpus's sentences against its seed claim and against each other (short
news sentences, as the desk judges them), in English, plus the same number of cross-language
pairs (a Russian claim against the English sentences) for the multilingual model. Each model
runs every pair set `--repeat` times; the record keeps each rate and the median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factdesk.eval.records import append_record, make_record  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def demo_pairs(n: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    import re

    sents: list[str] = []
    for f in sorted((ROOT / "examples" / "demo_corpus").glob("*.md")):
        text = f.read_text(encoding="utf-8").split("---")[-1]
        sents += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6]
    claim = "NATO countries have become a real machine producing refugees on a global scale."
    claim_ru = "Страны НАТО превратились в настоящую машину по производству беженцев в глобальном масштабе."
    en = [(claim, s) for s in sents]
    ru = [(claim_ru, s) for s in sents]
    while len(en) < n:
        en, ru = en + en, ru + ru
    return en[:n], ru[:n]


def rate(model, pairs, repeat: int) -> list[float]:
    model.predict(pairs[:4])  # warm
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        model.predict(pairs)
        out.append(len(pairs) / (time.perf_counter() - t))
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pairs", type=int, default=120)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    from factdesk.models.cross_encoder import OnnxCrossEncoder
    from factdesk.models.e5_cross_encoder import E5CrossEncoder

    en, ru = demo_pairs(a.pairs)
    runs = {
        "minilm (int8, batch 32), en pairs": (OnnxCrossEncoder(num_threads=a.threads), en),
        "e5 (int8, batch 1, shipped), en pairs": (E5CrossEncoder(num_threads=a.threads), en),
        "e5 (int8, batch 1, shipped), ru-en pairs": (E5CrossEncoder(num_threads=a.threads), ru),
        "e5 (int8, batch 16), en pairs": (E5CrossEncoder(num_threads=a.threads, batch_size=16), en),
    }
    t0 = time.time()
    res = {}
    for name, (model, pairs) in runs.items():
        r = rate(model, pairs, a.repeat)
        res[name] = {"pairs_per_s": [round(x, 1) for x in r], "median": round(statistics.median(r), 1)}
        print(f"{name:45s} median {res[name]['median']:7.1f} pairs/s  {res[name]['pairs_per_s']}", flush=True)
    rec = make_record(
        "stance-speed",
        res,
        time.time() - t0,
        {"command": "python bench/bench_stance_speed.py " + " ".join(argv or sys.argv[1:]), "threads": a.threads},
    )
    print(f"record: {append_record(rec)}", file=sys.stderr)
    return res


if __name__ == "__main__":
    main()
