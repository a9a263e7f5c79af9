"""Stance models side by side on what none of them trained on: the NLI anchors and held-out claims.

For each model folder (int8 ONNX, as shipped): SNLI test, the held-out half of MNLI dev-matched
and the held-out fold of VitaminC real (picked by `factdesk.train.stance_data.anchor_pairs`,
2,000 pairs each, seed 0, less the pairs v2's sample drew; scored by
`factdesk.eval.stance_heldout.score_anchors`), and the held-out Climate-FEVER and SciFact claims
(`factdesk.eval.stance_heldout.evaluate_heldout`).

    python bench/bench_stance_heldout.py factdesk/models/stance /tmp/new_model

Needs ../shared (skips with a message without it). Appends to bench/results/stance-heldout.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from factdesk.config import shared_root  # noqa: E402
from factdesk.eval.records import append_record, make_record  # noqa: E402


def main(argv: list[str] | None = None) -> dict[str, dict[str, object]]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="+", help="stance model folders (model.onnx + config.json; MiniLM or e5)")
    ap.add_argument("--data", default=str(shared_root()))
    ap.add_argument("--anchors-per-set", type=int, default=2000)
    args = ap.parse_args(argv)
    root = Path(args.data)
    if not (root / "data").is_dir() or not (root / "nli").is_dir():
        print(f"skip: {root} has no data/ and nli/ (the shared sets); pass --data", file=sys.stderr)
        return {}
    from factdesk.eval.nli import load_stance_model
    from factdesk.eval.stance_heldout import evaluate_heldout, score_anchors
    from factdesk.train.stance_data import anchor_pairs

    t0 = time.time()
    anchors = anchor_pairs(root, per_set=args.anchors_per_set)  # the same pairs for every model
    out: dict[str, dict[str, object]] = {}
    for d in args.models:
        version = json.loads((Path(d) / "config.json").read_text(encoding="utf-8")).get("version", "?")
        model = load_stance_model(d)  # a MiniLM folder (has tokenizer.json) or an e5 one
        res = {"version": version, "anchors": score_anchors(model, anchors), **evaluate_heldout(root, model)}
        out[d] = res
        print(d, json.dumps(res), flush=True)
    rec = make_record(
        "stance-heldout",
        out,
        time.time() - t0,
        {"command": "python bench/bench_stance_heldout.py " + " ".join(argv or sys.argv[1:])},
    )
    print(f"record: {append_record(rec)}", file=sys.stderr)
    return out


if __name__ == "__main__":
    main()
