#!/usr/bin/env python
"""End-to-end speed of `factdesk claims` (the `ClaimExtractor` stage) on a long transcript.

    python bench/bench_claims.py                 # ~2,000 sentences, prints one JSON line
    python bench/bench_claims.py --sentences 5000 --repeat 3 --profile

The input is generated from the repository's own examples (examples/claims and the demo
corpus), so anyone can re-run it: debate turns (``SPEAKER: ...``), news paragraphs with quotes
and reported speech, and press-release prose, with numbers varied so that no two sentences
are identical (identical sentences would merge and flatter the figure). The rate counts the
sentences the extractor reports (`ExtractionResult.sentences`) over the wall time of `run()`,
models already warm; loading them is reported separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import time
from pathlib import Path

from factdesk.config import onnx_threads
from factdesk.eval.records import git_state, machine

ROOT = Path(__file__).resolve().parents[1]
SPEAKERS = ["MARIA ORTIZ", "DAVID KLEIN (Mayor)", "MODERATOR", "SEN. JANE ROE", "JOHN DOE", "AUDIENCE MEMBER"]
NAMES = ["Jane Roe", "Tomas Brandt", "Irena Volkova", "the ministry", "Mayor Klein", "a spokesperson"]
CHATTER = [
    "Thank you all for coming tonight.",
    "Let us move on to the next question, please.",
    "I want to thank the organisers for having us here.",
    "That is a very good question and I appreciate it.",
    "We will take a short break and be right back.",
    "Please keep your answers to one minute.",
    "I think the people of this city deserve better than that.",
    "My opponent knows that is not the whole story.",
]


def source_sentences() -> list[str]:
    """Sentences from examples/claims and examples/demo_corpus (ASCII-folded, deduplicated)."""
    from factdesk.ingest.chunking import split_sentences

    out: list[str] = []
    files = sorted((ROOT / "examples" / "claims").iterdir()) + sorted((ROOT / "examples" / "demo_corpus").iterdir())
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        text = re.sub(r"^[A-Z][A-Z .()]+:\s*", "", text, flags=re.M)  # drop transcript labels
        text = re.sub(r"^#+\s.*$|^---.*$|^\w+:\s.*$", "", text, flags=re.M)  # headings, front matter
        for s, e in split_sentences(text):
            s_ = " ".join(text[s:e].split()).strip(' "“”')
            if len(s_.split()) >= 5 and s_ not in out:
                out.append(s_)
    return out + CHATTER


def make_transcript(n: int, seed: int = 13) -> str:
    """About `n` sentences in a mix of transcript turns, quoted news and plain prose."""
    rng = random.Random(seed)
    pool = source_sentences()
    paras: list[str] = []
    count = 0
    while count < n:
        k = min(rng.randint(1, 4), n - count)
        sents = []
        for _ in range(k):
            s = rng.choice(pool)
            s = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 97)), s)  # vary the numbers
            if not re.search(r"\d", s) and rng.random() < 0.5:
                s = s.rstrip(".") + f", officials said on day {rng.randint(1, 900)}."
            sents.append(s if s.endswith((".", "?", "!")) else s + ".")
        style = rng.random()
        if style < 0.45:
            para = f"{rng.choice(SPEAKERS)}: " + " ".join(sents)
        elif style < 0.75:
            first = sents[0].rstrip(".")
            para = f"“{first},” {rng.choice(NAMES)} said. " + " ".join(sents[1:])
        else:
            para = " ".join(sents)
        paras.append(para.strip())
        count += k
    return "\n\n".join(paras) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=2, help="timed runs (the best is reported)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of one run to stderr")
    ap.add_argument(
        "--model",
        choices=["shipped", "head"],
        default="shipped",
        help="check-worthiness model: what ships (fine-tuned when present) or the fallback head",
    )
    ap.add_argument(
        "--cli",
        action="store_true",
        help="also time the whole `factdesk claims FILE` command in a fresh process (imports and "
        "model loading included)",
    )
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON record here")
    args = ap.parse_args()

    from factdesk.claims.checkworthy import CheckWorthiness
    from factdesk.claims.extract import ClaimExtractor

    text = make_transcript(args.sentences)
    t = time.perf_counter()
    ex = ClaimExtractor(
        top=10, progress=False, scorer=CheckWorthiness(backend="head" if args.model == "head" else None)
    )
    ex.warm_up()
    load_s = time.perf_counter() - t
    ex.run(text[:5000])  # first-call costs (onnxruntime allocations, regex caches)
    times, res = [], None
    for _ in range(args.repeat):
        t = time.perf_counter()
        res = ex.run(text)
        times.append(time.perf_counter() - t)
    assert res is not None
    if args.profile:
        import cProfile
        import pstats
        import sys

        pr = cProfile.Profile()
        pr.enable()
        ex.run(text)
        pr.disable()
        pstats.Stats(pr, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    best = min(times)
    cli: dict[str, float] = {}
    if args.cli:
        import shutil
        import sys
        import tempfile

        exe = shutil.which("factdesk", path=str(Path(sys.executable).parent)) or shutil.which("factdesk")
        if exe is None:
            raise SystemExit("the `factdesk` command is not on PATH: `pip install -e .` first")
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "transcript.txt"
            f.write_text(text, encoding="utf-8")
            walls = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                r = subprocess.run(
                    [exe, "claims", str(f), "--format", "json", "--no-progress"], capture_output=True, text=True
                )
                walls.append(time.perf_counter() - t)
                if r.returncode != 0:
                    raise SystemExit(f"factdesk claims failed: {r.stderr[-2000:]}")
            n = json.loads(r.stdout)["sentences"]
        cli = {"cli_sentences_per_s": round(n / min(walls), 1), "cli_seconds": [round(x, 2) for x in walls]}
    words = [len(s.split()) for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    rec = {
        "suite": "claims",
        "sentences": res.sentences,
        "chars": len(text),
        "claims_sentences_per_s": round(res.sentences / best, 1),
        "seconds_per_run": [round(x, 2) for x in times],
        "mean_words_per_sentence": round(sum(words) / max(1, len(words)), 1),
        **cli,
        "load_seconds": round(load_s, 2),
        "checkworthiness_backend": ex.scorer.backend,
        "threads": onnx_threads(),  # the `threads` setting, resolved
        "machine": machine(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "date": dt.date.today().isoformat(),
        "git": git_state(ROOT),
        "command": "python bench/bench_claims.py"
        + (f" --sentences {args.sentences}" if args.sentences != 2000 else "")
        + (" --model head" if args.model == "head" else "")
        + (" --cli" if args.cli else ""),
    }
    line = json.dumps(rec)
    if args.out:
        args.out.write_text(json.dumps(rec, indent=2) + "\n")
    print(line)


if __name__ == "__main__":
    main()
