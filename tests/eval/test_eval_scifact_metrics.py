from __future__ import annotations

import pytest

from factdesk.eval.scifact import SciFactClaim, score_predictions
from factdesk.types import Claim


def test_scifact_official_example() -> None:
    """The worked example of scifact's evaluation.md (claim 52)."""
    gold = SciFactClaim(
        id=52,
        claim=Claim(text="ALDH1 expression is associated with poorer prognosis."),
        evidence={
            "11": [{"sentences": [0, 1], "label": "SUPPORT"}, {"sentences": [11], "label": "SUPPORT"}],
            "15": [{"sentences": [4], "label": "SUPPORT"}],
        },
    )
    pred = {
        52: {"11": {"sentences": [1, 11, 13], "label": "SUPPORT"}, "16": {"sentences": [18, 20], "label": "REFUTES"}}
    }
    m = score_predictions([gold], pred)
    assert m["abstract_label_rationale_precision"] == pytest.approx(0.5)
    assert m["abstract_label_rationale_recall"] == pytest.approx(0.5)
    assert m["abstract_label_rationale_f1"] == pytest.approx(0.5)
    assert m["sentence_selection_label_precision"] == pytest.approx(1 / 5)
    assert m["sentence_selection_label_recall"] == pytest.approx(1 / 4)
    assert m["sentence_selection_label_f1"] == pytest.approx(2 / 9)


def test_scifact_rationale_counts_only_first_three_sentences() -> None:
    gold = SciFactClaim(id=1, claim=Claim(text="x"), evidence={"7": [{"sentences": [9], "label": "CONTRADICT"}]})
    m = score_predictions([gold], {1: {"7": {"sentences": [1, 2, 3, 9], "label": "CONTRADICT"}}})
    assert m["abstract_label_only_f1"] == pytest.approx(1.0)
    assert m["abstract_label_rationale_f1"] == 0.0
    assert m["sentence_selection_recall"] == pytest.approx(1.0)
