from __future__ import annotations

import numpy as np
import pytest

from factdesk.eval.metrics import (
    accuracy,
    average_precision,
    classification_report,
    confusion_matrix,
    expected_calibration_error,
    macro_f1,
    majority_baseline,
    mean_average_precision,
    per_class_prf,
    precision_at_k,
)

GOLD = ["A", "A", "B", "B", "C"]
PRED = ["A", "B", "B", "B", "A"]


def test_metrics_confusion_matrix_by_hand() -> None:
    assert confusion_matrix(GOLD, PRED, ["A", "B", "C"]) == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


def test_metrics_per_class_and_macro_f1_by_hand() -> None:
    per = per_class_prf(GOLD, PRED, ["A", "B", "C"])
    assert per["A"]["precision"] == pytest.approx(0.5) and per["A"]["recall"] == pytest.approx(0.5)
    assert per["B"]["precision"] == pytest.approx(2 / 3) and per["B"]["f1"] == pytest.approx(0.8)
    assert per["C"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1.0}
    assert macro_f1(GOLD, PRED, ["A", "B", "C"]) == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    # A label absent from both gold and pred still counts when listed (F1 0).
    assert macro_f1(GOLD, PRED, ["A", "B", "C", "D"]) == pytest.approx(1.3 / 4)
    assert accuracy(GOLD, PRED) == pytest.approx(0.6)


def test_metrics_classification_report_is_json_ready() -> None:
    rep = classification_report(GOLD, PRED, ["A", "B", "C"])
    assert rep["n"] == 5 and rep["labels"] == ["A", "B", "C"]
    assert rep["confusion_matrix"][2] == [1, 0, 0]


def test_metrics_majority_baseline() -> None:
    m = majority_baseline(GOLD, ["A", "B", "C"])
    assert m["label"] == "A" and m["accuracy"] == pytest.approx(0.4)
    assert m["macro_f1"] == pytest.approx((2 * 0.4 * 1 / 1.4) / 3)


def test_metrics_average_precision_and_map() -> None:
    assert average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([0, 0], [0.3, 0.2]) == 0.0
    assert mean_average_precision([([1, 0], [0.1, 0.9]), ([1], [0.5])]) == pytest.approx((0.5 + 1) / 2)
    assert precision_at_k([1, 0, 1], [0.2, 0.9, 0.8], 2) == pytest.approx(0.5)


def test_metrics_ece_by_hand() -> None:
    ece = expected_calibration_error([0.9, 0.9, 0.6, 0.6], [1, 0, 1, 1])
    assert ece == pytest.approx(0.5 * 0.4 + 0.5 * 0.4)
    assert expected_calibration_error(np.array([1.0, 0.0]), [1, 0]) == pytest.approx(0.0)


def test_metrics_misaligned_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="aligned"):
        accuracy(["A"], ["A", "B"])
