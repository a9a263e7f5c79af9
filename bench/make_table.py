#!/usr/bin/env python3
"""Regenerate the eval table in BENCHMARKS.md from the latest record of each suite.

Only the text between `<!-- BEGIN eval -->` and `<!-- END eval -->` is rewritten; other
sections of BENCHMARKS.md belong to other benchmarks. The file (with just those markers) is
created if missing.

    python bench/make_table.py [--results bench/results] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factdesk.eval.records import latest_records  # noqa: E402

BEGIN, END = "<!-- BEGIN eval -->", "<!-- END eval -->"

SUITES = (
    "averitec-gold",
    "averitec-retrieved",
    "climate-fever",
    "scifact",
    "checkworthy-claimbuster",
    "checkworthy-ct19",
    "checkworthy-ct20",
    "nli-xnli-en",
    "nli-xnli-ru",
    "nli-xnli-ar",
    "nli-xnli-bg",
    "nli-terra-dev",
    "nli-farstail-val",
    "nli-ans-dev",
    "nli-ru22fact-uk",
    "nli-ru22fact-ru",
)

DATASETS = {
    "averitec-gold": "AVeriTeC dev_public (250 of 500 dev), gold QA evidence",
    "averitec-retrieved": "AVeriTeC dev_public, retrieval from pooled train+dev answers",
    "climate-fever": "Climate-FEVER public, the 203 claims held out of stance training, 5 given sentences",
    "scifact": "SciFact claims_train, the 177 claims held out of stance training, vs 5,183-abstract corpus, "
    "open retrieval",
    "checkworthy-claimbuster": "ClaimBuster two-class train (7,976 sentences)",
    "checkworthy-ct19": "CheckThat! 2019 task 1 training (19 debates)",
    "checkworthy-ct20": "CheckThat! 2020 task 5 training (one ranked list)",
    "nli-xnli-en": "XNLI 1.0 dev first half, English (1,245 pairs), routed stance model",
    "nli-xnli-ru": "XNLI 1.0 dev first half, Russian (1,245 pairs), routed stance model",
    "nli-xnli-ar": "XNLI 1.0 dev first half, Arabic (1,245 pairs), routed stance model",
    "nli-xnli-bg": "XNLI 1.0 dev first half, Bulgarian (1,245 pairs), routed stance model",
    "nli-terra-dev": "TERRa (ru, binary): our public dev, the premise-grouped 20% of TERRa train held out",
    "nli-farstail-val": "FarsTail (fa) Val (1,537 pairs), routed stance model",
    "nli-ans-dev": "ANS Arabic stance dev (755 headline/claim pairs; agree/disagree/other as NLI), routed",
    "nli-ru22fact-uk": "RU22Fact validate, Ukrainian (341 claims vs their LLM-rewritten evidence; no NEI), routed",
    "nli-ru22fact-ru": "RU22Fact validate, Russian rows of the other-languages file (claims vs evidence), routed",
}

# Published figures, each with its source. Only figures checked against their source are
# listed; they come from other splits or settings, so read them as orientation, not as a race.
PUBLISHED = {
    "averitec-retrieved": [
        (
            "AVeriTeC baseline (BLOOM-7b, open web), full 500-claim dev: Q-only 0.240, Q+A 0.185, "
            "score 0.186 / 0.092 / 0.050 at tau 0.2 / 0.25 / 0.3",
            "chenxwh/AVeriTeC README (shared-task baseline, Schlichtkrull et al. 2023)",
        ),
    ],
}


def f(x: Any, nd: int = 3) -> str:
    return f"{x:.{nd}f}" if isinstance(x, (int, float)) else "-"


def row_for(suite: str, rec: dict[str, Any]) -> tuple[str, str, str, str]:
    """(key figures, majority/random anchor, published anchor, cost) for one suite's record."""
    m = rec.get("metrics", {})
    if "error" in m:
        return (f"**failed**: {m['error']}", "-", "-", f"{f(rec.get('wall_seconds'), 0)} s")
    n = m.get("n")
    if suite.startswith("averitec"):
        tau = m.get("averitec_score_by_tau", {})
        figs = (
            f"n={n}; **score@0.25 {f(m.get('averitec_score'))}** (@0.2 {f(tau.get('0.2'))}, "
            f"@0.3 {f(tau.get('0.3'))}); label acc {f(m.get('accuracy'))}, macro-F1 {f(m.get('macro_f1'))}; "
            f"Q-only {f(m.get('q_only'))}, Q+A {f(m.get('q_plus_a'))}"
        )
        if "own_answer_recall_at_10" in m:
            figs += (
                f"; own gold answers in top 10: {f(m.get('own_answer_recall_at_10'))} "
                f"(claims with any: {f(m.get('claims_with_own_answer_at_10'))})"
            )
        maj = m.get("majority", {})
        anchor = f"majority '{maj.get('label')}': acc {f(maj.get('accuracy'))}, macro-F1 {f(maj.get('macro_f1'))}"
    elif suite == "climate-fever":
        ev = m.get("evidence", {})
        figs = (
            f"n={n}; **claim macro-F1 {f(m.get('macro_f1'))}** (4 classes, DISPUTED its own), "
            f"acc {f(m.get('accuracy'))}; evidence stance acc {f(ev.get('accuracy'))}, "
            f"macro-F1 {f(ev.get('macro_f1'))} (n={ev.get('n')})"
        )
        maj, emaj = m.get("majority", {}), ev.get("majority", {})
        anchor = (
            f"majority '{maj.get('label')}': acc {f(maj.get('accuracy'))}, macro-F1 {f(maj.get('macro_f1'))}; "
            f"evidence '{emaj.get('label')}': acc {f(emaj.get('accuracy'))}"
        )
    elif suite == "scifact":
        figs = (
            f"n={n}; abstract **label+rationale F1 {f(m.get('abstract_label_rationale_f1'))}**, "
            f"label-only F1 {f(m.get('abstract_label_only_f1'))}; sentence selection+label F1 "
            f"{f(m.get('sentence_selection_label_f1'))}, selection-only F1 {f(m.get('sentence_selection_f1'))}"
        )
        anchor = "predicting no evidence: F1 0 (all four)"
    elif suite.startswith("nli-"):
        labels = [k.removeprefix("support_") for k in m if k.startswith("support_")]
        support = {lab: m.get(f"support_{lab}") or 0 for lab in labels}
        per_label = ", ".join(f"{lab} {f(m.get('f1_' + lab))}" for lab in labels)
        figs = f"n={int(n or 0)}; **accuracy {f(m.get('accuracy'))}**, macro-F1 {f(m.get('macro_f1'))}; F1 {per_label}"
        top = max(support, key=support.get) if support else None
        total = sum(support.values())
        anchor = f"majority '{top}': acc {f(support[top] / total)}" if top and total else "-"
    else:
        figs = (
            f"n={n} ({m.get('positives')} check-worthy); **MAP {f(m.get('map'))}**, P@10 {f(m.get('p_at_10'))}; "
            f"P/R/F1 {f(m.get('precision'))}/{f(m.get('recall'))}/{f(m.get('f1'))} at {f(m.get('threshold'), 2)}"
        )
        anchor = f"random ranking: MAP ~{f(m.get('positive_rate'))}; always 'not worthy': F1 0"
    pub = "; ".join(f"{text} [{src}]" for text, src in PUBLISHED.get(suite, [])) or "-"
    speed = m.get("claims_per_second") or m.get("sentences_per_second") or m.get("pairs_per_second")
    cost = f"{f(rec.get('wall_seconds'), 0)} s, {f(rec.get('peak_rss_mb'), 0)} MiB"
    if speed:
        cost += f", {f(speed, 1)}/s"
    return figs, anchor, pub, cost


def render(records: dict[str, dict[str, Any]]) -> str:
    lines = [
        "## Evaluation on real fact-checks",
        "",
        "Regenerated by `bench/run_all` (via `bench/make_table.py`) from the latest record of each suite in "
        "`bench/results/`. What each suite measures, its label mappings and the retrieved-setting leakage "
        "caveat: [docs/evaluation.md](docs/evaluation.md). Climate-FEVER and SciFact are scored on the claims "
        "the stance model never saw (one seeded fold of five, ids in the model's config.json; `bench/run_all` "
        "derives the subsets). The check-worthiness rows score whole training files, of which the shipped "
        "model saw most: they are in-sample; the held-out figures are in the Claims section.",
        "",
        "| suite | data | figures (primary in bold) | majority / trivial anchor | published anchor [source] | wall, peak RSS, speed | commit, date |",
        "|---|---|---|---|---|---|---|",
    ]
    for suite in SUITES:
        rec = records.get(suite)
        if rec is None:
            lines.append(f"| {suite} | {DATASETS[suite]} | not run yet | - | - | - | - |")
            continue
        figs, anchor, pub, cost = row_for(suite, rec)
        git = rec.get("git") or {}
        commit = (git.get("commit") or "uncommitted")[:8] + ("+dirty" if git.get("dirty") else "")
        mach = rec.get("machine") or {}
        when = f"{commit}, {str(rec.get('date', ''))[:10]}, {mach.get('cores', '?')} cores"
        lines.append(f"| {suite} | {DATASETS[suite]} | {figs} | {anchor} | {pub} | {cost} | {when} |")
    return "\n".join(lines)


def update(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8") if path.is_file() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=Path, default=None, help="records folder (default bench/results)")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    a = ap.parse_args()
    records = {k: v for k, v in latest_records(a.results).items() if k in SUITES}
    update(a.out, render(records))
    print(f"updated {a.out} ({len(records)} suites with records)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
