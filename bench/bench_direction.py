"""Does the verdict follow the evidence? The direction suite's accuracy per category (issue 23, part 0).

Checks every claim of `factdesk.testing.direction` (small corpora with distractors; restated,
negated, changed number / date / entity, off-topic claims) through `Desk.check` with the
shipped models, and prints the share of verdicts in the right direction per category, then
each wrong case with its rating and the passages that took a side.

    python bench/bench_direction.py            # --no-record: do not append to bench/results/direction.jsonl
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.eval.records import append_record, make_record  # noqa: E402
from factdesk.testing.direction import accuracy_by_category, check_suite  # noqa: E402
from factdesk.verdict.relevance import takes_side  # noqa: E402


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-record", action="store_true", help="do not append to bench/results/direction.jsonl")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    results = check_suite()
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
        print("appended to", append_record(make_record("direction", metrics, wall)))
    return acc


if __name__ == "__main__":
    main()
