"""Does the verdict follow the evidence? The direction suite's accuracy per category (issue 23, part 0).

Checks every claim of `factdesk.testing.direction` (small corpora with distractors; restated,
negated, changed number / date / entity, off-topic claims) through `Desk.check` with the
shipped models, and prints the share of verdicts in the right direction per category, then
each wrong case with its rating and the passages that took a side.

    python bench/bench_direction.py            # --no-record: do not append to bench/results/direction.jsonl
    python bench/bench_direction.py --averitec ../shared/data/averitec/dev_public.json

`--averitec FILE` instead scores AVeriTeC claims on their gold QA evidence with the rules of
issue 23 switched on one by one, in one run (the stance of each pair is computed once and
shared): the per-passage relevance gate with the direction rules, then `DetailCheck` on names,
on figures and names, and with the opposite direction of change read too (the default). The tree before the rules is measured with `factdesk eval
averitec` on that commit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.eval.records import append_record, make_record  # noqa: E402
from factdesk.testing.direction import accuracy_by_category, check_suite  # noqa: E402
from factdesk.verdict.relevance import takes_side  # noqa: E402


def averitec_variants(
    path: str, limit: int | None = None, stance_model: object = None, aggregator: object = None
) -> dict[str, dict[str, object]]:
    """Accuracy / macro-F1 / per-class F1 on AVeriTeC gold evidence for each rule set."""
    import copy

    from factdesk.eval.averitec import LABELS, gold_evidence, load_averitec
    from factdesk.eval.metrics import classification_report
    from factdesk.verdict.judge import Judge
    from factdesk.verdict.relevance import DetailCheck

    variants = {
        "gate + direction rules": None,
        "+ DetailCheck(names only)": DetailCheck(figures=False),
        "+ DetailCheck() (figures and names, by place)": DetailCheck(directions=False),
        "+ directions of change (DetailCheck(), the default)": DetailCheck(),
    }
    judge = Judge(stance_model=stance_model, aggregator=aggregator)  # type: ignore[arg-type]
    judge.warm_up()
    examples = load_averitec(path, limit=limit)
    preds: dict[str, list[str]] = {k: [] for k in variants}
    gold = []
    for ex in examples:
        scored = judge.score(ex.claim, gold_evidence(ex))
        assert judge.aggregator is not None
        for name, details in variants.items():
            ev = copy.deepcopy(scored)
            judge.details = details if details is not None else _NoDetails()  # type: ignore[assignment]
            judge.about(ex.claim, ev)  # similarity, relevance gate, this variant's DetailCheck
            preds[name].append(judge.aggregator.run(ex.claim, ev).averitec_label.value)
        gold.append(str(ex.label))
    out = {}
    for name, p in preds.items():
        rep = classification_report(gold, p, list(LABELS))
        out[name] = {
            "accuracy": round(rep["accuracy"], 4),
            "macro_f1": round(rep["macro_f1"], 4),
            "f1": {k: round(v["f1"], 3) for k, v in rep["per_class"].items()},
            "n": rep["n"],
        }
        print(name, json.dumps(out[name]))
    return out


class _NoDetails:
    min_coverage = 0.0

    def run(self, claim: object, evidence: list) -> list:
        return evidence


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]] | dict[str, dict[str, object]]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-record", action="store_true", help="do not append to bench/results/direction.jsonl")
    ap.add_argument("--averitec", default=None, help="AVeriTeC claims JSON: score the rule sets on its gold evidence")
    ap.add_argument("--limit", type=int, default=None, help="with --averitec: only the first N claims")
    ap.add_argument(
        "--stance-model", default=None, help="stance model folder, MiniLM or e5 (default: the shipped judge)"
    )
    ap.add_argument("--aggregator", default=None, help="aggregator.json (default: the shipped one)")
    args = ap.parse_args(argv)
    parts: dict[str, object] = {}
    if args.stance_model:
        from factdesk.eval.nli import load_stance_model

        parts["stance_model"] = load_stance_model(args.stance_model)
    if args.aggregator:
        from factdesk.verdict.aggregate import LearnedAggregator

        parts["aggregator"] = LearnedAggregator(args.aggregator, stance_model=parts.get("stance_model"))
    chosen = {k: v for k, v in (("stance_model", args.stance_model), ("aggregator", args.aggregator)) if v}
    if args.averitec:
        t0 = time.perf_counter()
        res = averitec_variants(args.averitec, args.limit, **parts)
        if not args.no_record:
            rec = make_record("direction-averitec", res, time.perf_counter() - t0, {"data": args.averitec, **chosen})
            print("appended to", append_record(rec))
        return res
    t0 = time.perf_counter()
    results = check_suite(**parts)
    wall = time.perf_counter() - t0
    acc = accuracy_by_category(results)
    print(f"{'category':<10} {'right':>5} {'n':>3} {'accuracy':>8}")
    for cat, m in acc.items():
        print(f"{cat:<10} {int(m['right']):>5} {int(m['n']):>3} {m['accuracy']:>8.3f}")
    wrong = [r for r in results if not r.right]
    for r in wrong:
        print(f"\nWRONG {r.case.corpus}/{r.case.category}: {r.case.text!r} -> {r.rating.value}")
        for e in r.check.evidence:
            side = takes_side(e)
            if side is not None:
                print(
                    f"   {side.value:<8} {e.stance.probability if e.stance else 0:.2f} "
                    f"on_topic={e.scores.get('on_topic', 1.0):.2f} {e.passage.text[:80]!r}"
                )
    print(f"\n{len(results)} claims in {wall:.1f} s")
    if not args.no_record:
        metrics = {"by_category": acc, "wrong": [f"{r.case.id} -> {r.rating.value}" for r in wrong]}
        print("appended to", append_record(make_record("direction", metrics, wall, chosen)))
    return acc


if __name__ == "__main__":
    main()
