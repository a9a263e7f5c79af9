"""The optional LLM judge against the default judge, on the same AVeriTeC claims (issue 23, part 4).

A FIXED sample of AVeriTeC dev_public (``--n`` claims drawn with ``random.Random(--seed)``, kept
in file order) is judged twice on its gold evidence (each question-answer pair one passage, as
`factdesk.eval.averitec.run_gold` does): by the default judge (stance model + learned
aggregator) and by `factdesk.models.llm_judge.LLMJudge` over a GGUF file (llama.cpp in a child
process). Each claim's result is appended to ``--out`` (JSON lines) as soon as it is known, so a
run can be stopped and resumed (claims already there are skipped) and a partial run still
reports on the claims it finished. The desk's ratings map onto AVeriTeC's four labels by
`factdesk.types.RATING_TO_AVERITEC`; accuracy and macro-F1 are over those four labels.

``--seed-claim`` instead checks the demo's seed claim (scripts/demo.sh) against
examples/demo_corpus with both judges (Polygraph rated it Misleading).

The model is an optional download (scripts/fetch_llm_judge_model.sh; never a dependency). On a
shared 2-core machine run it niced, one thread:

    scripts/fetch_llm_judge_model.sh /tmp/qwen1.5b.gguf
    FACTDESK_THREADS=1 nice -n 19 .venv/bin/python bench/bench_llm_judge.py --model /tmp/qwen1.5b.gguf --threads 1
    FACTDESK_THREADS=1 nice -n 19 .venv/bin/python bench/bench_llm_judge.py --model /tmp/qwen1.5b.gguf --threads 1 --seed-claim
    .venv/bin/python bench/bench_llm_judge.py --summary         # the table from the results so far
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.config import shared_root  # noqa: E402
from factdesk.eval.averitec import LABELS, gold_evidence, load_averitec  # noqa: E402
from factdesk.eval.metrics import classification_report  # noqa: E402
from factdesk.models.generators import LlamaCppGenerator  # noqa: E402
from factdesk.models.llm_judge import LLMJudge, parse_judgement  # noqa: E402
from factdesk.types import RATING_TO_AVERITEC, Claim, Rating  # noqa: E402

DATA = shared_root() / "data" / "averitec" / "dev_public.json"
OUT = REPO / "bench" / "results" / "llm_judge.jsonl"
SEED_CLAIM = Claim(
    text="Over the past decade, NATO countries, including EU members led by the United States, have become a "
    "real machine producing refugees on a global scale.",
    speaker="Anatoly Glaz",
    speaker_title="Press secretary, Belarus Ministry of Foreign Affairs",
    date=dt.date(2021, 12, 14),
)


def sample_indices(n_claims: int, n: int, seed: int) -> list[int]:
    """The fixed sample: `n` of `n_claims` indices drawn with `random.Random(seed)`, in file order."""
    return sorted(random.Random(seed).sample(range(n_claims), min(n, n_claims)))


def done_indices(out: Path, run_key: dict[str, Any]) -> set[int]:
    if not out.is_file():
        return set()
    done = set()
    for line in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if all(rec.get(k) == v for k, v in run_key.items()):
            done.add(int(rec["index"]))
    return done


def make_llm_judge(args: argparse.Namespace) -> LLMJudge:
    gen = LlamaCppGenerator(args.model, n_ctx=args.n_ctx, n_threads=args.threads, timeout=600)
    return LLMJudge(gen, max_passages=args.passages)


def run_averitec(args: argparse.Namespace) -> None:
    from factdesk.verdict.judge import Judge

    examples = load_averitec(DATA)
    idx = sample_indices(len(examples), args.n, args.seed)
    run_key = {"seed": args.seed, "model": Path(args.model).name, "passages": args.passages}
    done = done_indices(args.out, run_key)
    todo = [i for i in idx if i not in done]
    print(f"{len(idx)} claims in the sample, {len(done & set(idx))} done, {len(todo)} to go", file=sys.stderr)
    default = Judge()
    default.warm_up()
    llm = make_llm_judge(args)
    t0 = time.perf_counter()
    llm.warm_up()
    print(f"LLM loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for k, i in enumerate(todo, 1):
        ex = examples[i]
        t = time.perf_counter()
        _, dv = default.run(ex.claim, gold_evidence(ex))
        d_s = time.perf_counter() - t
        t = time.perf_counter()
        lv = llm.run(ex.claim, gold_evidence(ex))
        l_s = time.perf_counter() - t
        rec = {
            **run_key,
            "index": i,
            "claim": ex.claim.text,
            "n_passages": len(ex.qas),
            "gold": ex.label,
            "default_rating": dv.rating.value,
            "default_label": RATING_TO_AVERITEC[dv.rating].value,
            "default_s": round(d_s, 3),
            "llm_rating": lv.rating.value,
            "llm_label": RATING_TO_AVERITEC[lv.rating].value,
            "llm_s": round(l_s, 2),
            "llm_reason": lv.reason,
            "llm_output": llm.last_output,
            "threads": args.threads,
        }
        with args.out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(
            f"[{k}/{len(todo)}] #{i} gold={ex.label} default={rec['default_rating']} "
            f"llm={rec['llm_rating']} ({l_s:.1f} s)",
            file=sys.stderr,
            flush=True,
        )
    llm.generator.close()  # type: ignore[attr-defined]


def summarise(args: argparse.Namespace) -> dict[str, Any]:
    recs = [json.loads(x) for x in args.out.read_text(encoding="utf-8").splitlines()] if args.out.is_file() else []
    recs = [r for r in recs if r.get("seed") == args.seed and r.get("passages") == args.passages]
    if not recs:
        print(f"no results in {args.out} for seed {args.seed}", file=sys.stderr)
        return {}
    gold = [r["gold"] for r in recs]
    out: dict[str, Any] = {"n": len(recs), "sample": args.n, "seed": args.seed, "model": recs[0]["model"]}
    for who in ("default", "llm"):
        rep = classification_report(gold, [r[f"{who}_label"] for r in recs], LABELS)
        secs = [r[f"{who}_s"] for r in recs]
        out[who] = {
            "accuracy": round(rep["accuracy"], 3),
            "macro_f1": round(rep["macro_f1"], 3),
            "per_class_f1": {k: round(v["f1"], 3) for k, v in rep["per_class"].items()},
            "s_per_claim": round(sum(secs) / len(secs), 3),
            "ratings": {r.value: sum(x[f"{who}_rating"] == r.value for x in recs) for r in Rating},
        }
    out["llm_unparsed"] = sum("named none of the desk's ratings" in (r.get("llm_reason") or "") for r in recs)
    out["llm_failed"] = sum("the LLM judge failed" in (r.get("llm_reason") or "") for r in recs)
    out["agree"] = sum(r["default_label"] == r["llm_label"] for r in recs)
    # the ratings as today's parser reads the stored answers (0 when the parser has not changed since the run)
    out["llm_reparsed_differently"] = sum(
        (parse_judgement(r["llm_output"], r["n_passages"]).rating or Rating.UNSUBSTANTIATED).value != r["llm_rating"]
        for r in recs
        if r.get("llm_output") is not None
    )
    out["gold_counts"] = {lab: gold.count(lab) for lab in LABELS}
    out["machine"] = platform.processor() or platform.machine()
    print(json.dumps(out, indent=2))
    (args.out.parent / "llm_judge_summary.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return out


def rejudge_default(args: argparse.Namespace) -> dict[str, Any]:
    """The default judge of today (or another stance model / aggregator) on the claims of ``--out``.

    The LLM's answers stay as stored; only the non-LLM judge is run again, on the same fixed
    sample and gold evidence, so a table can set today's default judge (or e5 with its own
    aggregator) beside the LLM judge without hours of LLM time. Writes
    ``llm_judge_rejudged-<name>.json`` next to ``--out``.
    """
    from factdesk.eval.nli import load_stance_model
    from factdesk.verdict.aggregate import LearnedAggregator
    from factdesk.verdict.judge import Judge

    recs = [json.loads(x) for x in args.out.read_text(encoding="utf-8").splitlines()] if args.out.is_file() else []
    recs = [r for r in recs if r.get("seed") == args.seed and r.get("passages") == args.passages]
    if not recs:
        raise SystemExit(f"no LLM-judge results in {args.out} for seed {args.seed}: run the LLM judge first")
    stance = load_stance_model(args.stance) if args.stance else None
    aggregator = LearnedAggregator(args.aggregator, stance_model=stance) if args.aggregator else None
    judge = Judge(stance_model=stance, aggregator=aggregator)
    judge.warm_up()
    examples = load_averitec(DATA)
    labels, secs = [], []
    for r in recs:
        ex = examples[int(r["index"])]
        t = time.perf_counter()
        _, v = judge.run(ex.claim, gold_evidence(ex))
        secs.append(time.perf_counter() - t)
        labels.append(RATING_TO_AVERITEC[v.rating].value)
    gold = [r["gold"] for r in recs]
    out: dict[str, Any] = {
        "n": len(recs),
        "seed": args.seed,
        "stance": args.stance or "shipped",
        "aggregator": args.aggregator or "shipped",
    }
    for who, pred in (
        ("rejudged", labels),
        ("llm", [r["llm_label"] for r in recs]),
        ("stored_default", [r["default_label"] for r in recs]),
    ):
        rep = classification_report(gold, pred, LABELS)
        out[who] = {"accuracy": round(rep["accuracy"], 3), "macro_f1": round(rep["macro_f1"], 3)}
    out["rejudged"]["s_per_claim"] = round(sum(secs) / len(secs), 3)
    out["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    print(json.dumps(out, indent=2))
    name = args.name or "default"
    (args.out.parent / f"llm_judge_rejudged-{name}.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return out


def run_seed_claim(args: argparse.Namespace) -> None:
    from factdesk.pipeline import Desk

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "demo.db")
        desk = Desk(db=db)
        desk.ingest_paths([str(REPO / "examples" / "demo_corpus")])
        t = time.perf_counter()
        fc = desk.check(SEED_CLAIM)
        d_s = time.perf_counter() - t
        llm = make_llm_judge(args)
        llm.warm_up()
        ldesk = Desk(store=desk.store, embedder=desk.embedder, stance_model=desk.stance_model, aggregator=llm)
        t = time.perf_counter()
        lfc = ldesk.check(SEED_CLAIM)
        l_s = time.perf_counter() - t
        rec = {
            "claim": SEED_CLAIM.text,
            "polygraph": "Misleading",
            "default_rating": fc.verdict.rating.value,
            "default_confidence": round(fc.verdict.confidence, 3),
            "default_s": round(d_s, 2),
            "llm_rating": lfc.verdict.rating.value,
            "llm_reason": lfc.verdict.reason,
            "llm_output": llm.last_output,
            "llm_s": round(l_s, 2),
            "evidence": [e.passage.text[:160] for e in lfc.evidence],
            "model": Path(args.model).name,
            "threads": args.threads,
        }
        llm.generator.close()  # type: ignore[attr-defined]
        desk.close()
    print(json.dumps(rec, indent=2, ensure_ascii=False))
    (args.out.parent / "llm_judge_seed.json").write_text(json.dumps(rec, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="/tmp/qwen1.5b.gguf", help="the GGUF file (scripts/fetch_llm_judge_model.sh)")
    ap.add_argument("--n", type=int, default=80, help="claims in the fixed sample")
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads")
    ap.add_argument("--n-ctx", type=int, default=2048)
    ap.add_argument("--passages", type=int, default=10, help="gold passages shown to the LLM (AVeriTeC keeps 10)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--summary", action="store_true", help="only print the table from --out")
    ap.add_argument("--seed-claim", action="store_true", help="the demo's seed claim against the demo corpus")
    ap.add_argument(
        "--rejudge-default",
        action="store_true",
        help="run only the non-LLM judge again on the claims of --out (today's models, or --stance/--aggregator)",
    )
    ap.add_argument("--stance", default=None, help="with --rejudge-default: a stance model name or folder")
    ap.add_argument("--aggregator", default=None, help="with --rejudge-default: an aggregator.json")
    ap.add_argument("--name", default=None, help="with --rejudge-default: names the results file")
    args = ap.parse_args()
    if args.name is not None and not args.name.replace("-", "").isalnum():
        raise SystemExit("--name takes letters, digits and '-' only")
    if args.rejudge_default:
        rejudge_default(args)
        return
    if args.seed_claim:
        run_seed_claim(args)
        return
    if not args.summary:
        run_averitec(args)
    summarise(args)


if __name__ == "__main__":
    main()
