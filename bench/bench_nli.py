#!/usr/bin/env python
"""A stance model on every multilingual NLI set we evaluate on (issues 23 and 24).

    python bench/bench_nli.py --model minilm             # writes bench/results/nli-minilm.json
    python bench/bench_nli.py --model e5 --per-set 0     # every pair of every set

Sets, all from ../shared/data/multilingual (evaluation only, never trained on):

- ``xnli-<lang>``: XNLI 1.0 dev, first half (1,245 pairs), each of the 15 languages;
- ``terra-dev``: our public TERRa dev, the seeded, premise-grouped 20% of TERRa train that
  `factdesk.train.stance_data_v4.terra_split` holds out (binary: entailment / not_entailment);
- ``farstail-val``: FarsTail Val (1,537 pairs).

Each set is sampled with a fixed seed to at most ``--per-set`` pairs (default 1000; 0 = all),
so a figure is on a sample: the results file says how many pairs each figure counts. Pairs
are scored by `factdesk.eval.nli.NliEvaluator` as (claim, evidence) = (hypothesis, premise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

from factdesk.config import shared_root
from factdesk.eval.nli import NliEvaluator, NliExample, load_stance_model, read_farstail, read_tsv, sample
from factdesk.train.stance_data_v4 import terra_split

ROOT = Path(__file__).resolve().parents[1]


def sets(multilingual: Path) -> dict[str, list[NliExample]]:
    """Every evaluation set by name, in full."""
    out: dict[str, list[NliExample]] = {}
    for f in sorted((multilingual / "xnli_dev").glob("data_xnli_dev-*.first-half.tsv")):
        m = re.search(r"dev-([a-z]+)\.", f.name)
        out[f"xnli-{m.group(1) if m else f.stem}"] = read_tsv(f)
    terra = multilingual / "terra_ru" / "data_TERRa_train.jsonl"
    if terra.is_file():
        _, dev = terra_split(multilingual.parents[1])
        out["terra-dev"] = [NliExample(str(r["premise"]), str(r["hypothesis"]), str(r["label"])) for r in dev]
    fv = multilingual / "farstail" / "data_Val-word.csv"
    if fv.is_file():
        out["farstail-val"] = read_farstail(fv)
    return out


def majority_accuracy(res: dict[str, float]) -> float:
    """Accuracy of always answering the sample's most frequent gold label: the floor a figure must beat
    (MiniLM reads little but English, and on other scripts it answers one label for nearly everything)."""
    supports = [v for k, v in res.items() if k.startswith("support_")]
    return max(supports) / res["n"] if supports and res["n"] else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="minilm", help="minilm, e5 or a model folder")
    ap.add_argument("--data", type=Path, default=None, help="shared root (holds data/multilingual)")
    ap.add_argument("--per-set", type=int, default=1000, help="sample each set to at most N pairs (0 = all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="", help="comma-separated set names (default: all)")
    ap.add_argument("--out", type=Path, default=None, help="default: bench/results/nli-<model>.json")
    args = ap.parse_args(argv)
    ml = (args.data or shared_root()) / "data" / "multilingual"
    if not ml.is_dir():
        print(f"error: no {ml}: pass --data pointing at the folder that holds data/multilingual", file=sys.stderr)
        return 2
    model = load_stance_model(args.model)
    tag = Path(args.model).name if Path(args.model).is_dir() else args.model
    only = {s for s in args.only.split(",") if s}
    results: dict[str, dict[str, float]] = {}
    total_pairs, total_s = 0, 0.0
    for name, examples in sets(ml).items():
        if only and name not in only:
            continue
        ex = sample(examples, args.per_set or None, args.seed)
        t0 = time.perf_counter()
        res = NliEvaluator(ex, name=name)(model)
        wall = time.perf_counter() - t0
        res["majority_accuracy"] = majority_accuracy(res)
        res["of_pairs"] = float(len(examples))
        res["pairs_per_second"] = len(ex) / wall if wall else 0.0
        results[name] = res
        total_pairs, total_s = total_pairs + len(ex), total_s + wall
        print(
            f"{name:14s} n={len(ex):5d} acc={res['accuracy']:.3f} macro_f1={res['macro_f1']:.3f} "
            f"majority={res['majority_accuracy']:.3f}",
            file=sys.stderr,
        )
    out = {
        "bench": "nli",
        "model": tag,
        "model_repr": repr(model),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "per_set": args.per_set,
        "seed": args.seed,
        "sampled": "each set sampled with the fixed seed to at most per_set pairs; of_pairs is its full size",
        "primary_metric": NliEvaluator.primary_metric,
        "pairs_per_second": total_pairs / total_s if total_s else 0.0,
        "sets": results,
    }
    path = args.out or ROOT / "bench" / "results" / f"nli-{tag}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: round(v["accuracy"], 4) for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
