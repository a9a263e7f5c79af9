"""Held-out stance scoring: only the evaluation fold is scored, SciFact by its official metric."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.eval.stance_heldout import evaluate_heldout, fold, is_heldout, score_anchors


class KeywordStance:
    """'yes' in the evidence supports, 'no' refutes, anything else is not enough info."""

    def warm_up(self) -> None:
        pass

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        rows = []
        for _, e in pairs:
            words = e.lower().split()
            rows.append(
                [0.9, 0.05, 0.05] if "yes" in words else [0.05, 0.9, 0.05] if "no" in words else [0.1, 0.1, 0.8]
            )
        return np.array(rows)


def _ids(dataset: str, held: bool, n: int) -> list[int]:
    return [i for i in range(200) if is_heldout(dataset, i) == held][:n]


def _jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _root(tmp_path: Path) -> Path:
    cf = _ids("climate-fever", True, 3) + _ids("climate-fever", False, 1)

    def claim(cid: int, label: str, ev: str) -> dict[str, object]:
        return {
            "claim_id": str(cid),
            "claim": f"Claim {cid}.",
            "claim_label": label,
            "evidences": [
                {"evidence": ev, "evidence_label": "SUPPORTS"},
                {"evidence": "filler", "evidence_label": "NOT_ENOUGH_INFO"},
            ],
        }

    _jsonl(
        tmp_path / "data" / "climate-fever" / "climate-fever-public.jsonl",
        [
            claim(cf[0], "SUPPORTS", "yes"),  # right
            claim(cf[1], "REFUTES", "yes"),  # wrong
            claim(cf[2], "DISPUTED", "no"),  # wrong in accuracy_all, left out of accuracy_3way
            claim(cf[3], "REFUTES", "yes"),  # trained on: not scored
        ],
    )
    sf = _ids("scifact", True, 2) + _ids("scifact", False, 1)
    _jsonl(
        tmp_path / "data" / "scifact" / "corpus.jsonl",
        [
            {"doc_id": 1, "title": "One", "abstract": ["It is so, yes indeed.", "Filler."]},
            {"doc_id": 2, "title": "Two", "abstract": ["Surely no ."]},
            {"doc_id": 3, "title": "Three", "abstract": ["Filler."]},
        ],
    )
    _jsonl(
        tmp_path / "data" / "scifact" / "claims_train.jsonl",
        [
            # doc 1 predicted SUPPORT and gold: right; doc 2 predicted CONTRADICT, not gold: a false positive
            {
                "id": sf[0],
                "claim": "A.",
                "cited_doc_ids": [1, 2],
                "evidence": {"1": [{"sentences": [0], "label": "SUPPORT"}]},
            },
            # doc 3: nothing predicted, gold CONTRADICT: missed
            {
                "id": sf[1],
                "claim": "B.",
                "cited_doc_ids": [3],
                "evidence": {"3": [{"sentences": [0], "label": "CONTRADICT"}]},
            },
            {
                "id": sf[2],
                "claim": "C.",
                "cited_doc_ids": [2],  # trained on: not scored
                "evidence": {"2": [{"sentences": [0], "label": "SUPPORT"}]},
            },
        ],
    )
    return tmp_path


def test_heldout_scores_only_the_evaluation_fold(tmp_path: Path) -> None:
    res = evaluate_heldout(_root(tmp_path), KeywordStance())
    assert res["climate_fever_heldout"] == {"claims": 3, "accuracy_all": 0.3333, "accuracy_3way": 0.5}
    assert res["scifact_heldout_abstract_label_only"] == {"claims": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5}


def test_training_data_uses_the_same_holdout_rule() -> None:
    from factdesk.train import stance_data

    assert stance_data.fold is fold and stance_data.EVAL_HOLDOUT_K == 5
    assert fold("scifact", 13, 5) == fold("scifact", "13", 5)


def test_anchor_accuracy_per_set_from_pairs_or_tuples() -> None:
    from factdesk.train.stance_data import StancePair

    anchors = {
        "snli": [StancePair("A", "yes", "supports", "snli"), StancePair("B", "yes", "refutes", "snli")],
        "mnli": [("C", "no", "refutes")],
        "vitaminc_real": [],
    }
    assert score_anchors(KeywordStance(), anchors) == {
        "snli": {"n": 2, "accuracy": 0.5},
        "mnli": {"n": 1, "accuracy": 1.0},
    }


def test_missing_data_names_the_data_option(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--data"):
        evaluate_heldout(tmp_path, KeywordStance())
