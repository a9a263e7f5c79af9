"""Climate-FEVER: claim verdicts and evidence stance from each claim's 5 evidence sentences.

The judge sees the 5 annotated Wikipedia sentences of each claim as its evidence (no
retrieval). Claim labels map from the desk's AVeriTeC-equivalent label:

========================================  =================
desk verdict (AVeriTeC label)             Climate-FEVER
========================================  =================
Supported                                 SUPPORTS
Refuted                                   REFUTES
Not Enough Evidence                       NOT_ENOUGH_INFO
Conflicting Evidence/Cherrypicking        DISPUTED
========================================  =================

DISPUTED is a class of its own (not folded into NOT_ENOUGH_INFO). Evidence stance maps
supports / refutes / not_enough_info to SUPPORTS / REFUTES / NOT_ENOUGH_INFO.

>>> items = load_climate_fever("climate-fever-public.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factdesk.errors import InputError
from factdesk.eval.metrics import classification_report, expected_calibration_error, majority_baseline
from factdesk.types import AveritecLabel, Claim, Document, Evidence, Passage, StanceLabel

CLAIM_LABELS = ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO", "DISPUTED")
EVIDENCE_LABELS = ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO")

VERDICT_TO_CLIMATE: dict[str, str] = {
    AveritecLabel.SUPPORTED.value: "SUPPORTS",
    AveritecLabel.REFUTED.value: "REFUTES",
    AveritecLabel.NOT_ENOUGH_EVIDENCE.value: "NOT_ENOUGH_INFO",
    AveritecLabel.CONFLICTING.value: "DISPUTED",
}
STANCE_TO_CLIMATE: dict[str, str] = {
    StanceLabel.SUPPORTS.value: "SUPPORTS",
    StanceLabel.REFUTES.value: "REFUTES",
    StanceLabel.NOT_ENOUGH_INFO.value: "NOT_ENOUGH_INFO",
}


@dataclass
class ClimateEvidence:
    text: str
    label: str
    article: str | None = None
    evidence_id: str | None = None


@dataclass
class ClimateClaim:
    id: str
    claim: Claim
    label: str
    evidences: list[ClimateEvidence]


def load_climate_fever(path: str | Path, limit: int | None = None) -> list[ClimateClaim]:
    """Load Climate-FEVER JSON lines (``claim_id, claim, claim_label, evidences[...]``)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"Climate-FEVER file {str(p)!r} does not exist: pass climate-fever-public.jsonl")
    out: list[ClimateClaim] = []
    with p.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{p}: line {n} is not JSON ({exc}); expected one claim object per line") from exc
            if not isinstance(d, dict) or not isinstance(d.get("claim"), str) or "evidences" not in d:
                raise InputError(
                    f"{p}: line {n} needs 'claim', 'claim_label' and 'evidences' (Climate-FEVER JSON lines)"
                )
            label = d.get("claim_label")
            if label not in CLAIM_LABELS:
                raise InputError(f"{p}: line {n} has claim_label {label!r}; valid: {', '.join(CLAIM_LABELS)}")
            evs = []
            for e in d["evidences"]:
                if not isinstance(e, dict) or e.get("evidence_label") not in EVIDENCE_LABELS:
                    raise InputError(
                        f"{p}: line {n} has an evidence without a valid evidence_label ({', '.join(EVIDENCE_LABELS)})"
                    )
                evs.append(
                    ClimateEvidence(
                        text=str(e.get("evidence", "")),
                        label=e["evidence_label"],
                        article=e.get("article"),
                        evidence_id=e.get("evidence_id"),
                    )
                )
            out.append(
                ClimateClaim(id=str(d.get("claim_id", n)), claim=Claim(text=d["claim"]), label=label, evidences=evs)
            )
            if limit and len(out) >= limit:
                break
    if not out:
        raise InputError(f"Climate-FEVER file {str(p)!r} holds no claims")
    return out


def evidence_for(item: ClimateClaim) -> list[Evidence]:
    out = []
    for e in item.evidences:
        doc = Document(text=e.text, title=e.article)
        out.append(Evidence(passage=Passage(document_id=doc.id, text=e.text, start=0, end=len(e.text)), document=doc))
    return out


JudgeFn = Callable[[Claim, list[Evidence]], tuple[list[Evidence], Any]]


def evaluate(path: str | Path, judge: JudgeFn | None = None, limit: int | None = None) -> dict[str, Any]:
    """Claim-label accuracy / macro-F1 (4 classes) and evidence-level stance accuracy."""
    items = load_climate_fever(path, limit)
    if judge is None:
        from factdesk.verdict.judge import Judge

        j = Judge()
        j.warm_up()
        judge = j.run
    gold, pred, conf = [], [], []
    ev_gold, ev_pred = [], []
    t0 = time.perf_counter()
    for it in items:
        evidence, verdict = judge(it.claim, evidence_for(it))
        label = verdict.averitec_label.value if verdict.averitec_label else AveritecLabel.NOT_ENOUGH_EVIDENCE.value
        gold.append(it.label)
        pred.append(VERDICT_TO_CLIMATE[label])
        conf.append(float(verdict.confidence))
        for e, g in zip(evidence, it.evidences, strict=False):
            ev_gold.append(g.label)
            ev_pred.append(STANCE_TO_CLIMATE[e.stance.label.value] if e.stance else "NOT_ENOUGH_INFO")
    seconds = time.perf_counter() - t0
    claims = classification_report(gold, pred, list(CLAIM_LABELS))
    ev = classification_report(ev_gold, ev_pred, list(EVIDENCE_LABELS))
    return {
        "primary_metric": "macro_f1",
        "macro_f1": claims["macro_f1"],
        "accuracy": claims["accuracy"],
        "n": claims["n"],
        "per_class": claims["per_class"],
        "labels": claims["labels"],
        "confusion_matrix": claims["confusion_matrix"],
        "label_mapping": dict(VERDICT_TO_CLIMATE),
        "ece": expected_calibration_error(conf, [g == p for g, p in zip(gold, pred, strict=True)]),
        "majority": majority_baseline(gold, list(CLAIM_LABELS)),
        "evidence": {
            "n": ev["n"],
            "accuracy": ev["accuracy"],
            "macro_f1": ev["macro_f1"],
            "per_class": ev["per_class"],
            "labels": ev["labels"],
            "confusion_matrix": ev["confusion_matrix"],
            "majority": majority_baseline(ev_gold, list(EVIDENCE_LABELS)),
        },
        "seconds": seconds,
        "claims_per_second": len(items) / seconds if seconds > 0 else 0.0,
    }
