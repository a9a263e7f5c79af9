"""Our AVeriTeC scorer against the upstream scorer's figures for a fixed predictions file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from factdesk.eval.averitec import read_json_list, score_predictions


def _check(ours: dict, ref: dict) -> None:
    np.testing.assert_allclose(ours["per_claim"]["q_only"], ref["per_claim"]["q_only_hu_meteor"], atol=1e-4)
    np.testing.assert_allclose(ours["per_claim"]["q_plus_a"], ref["per_claim"]["qa_hu_meteor"], atol=1e-4)
    c = ref["corpus"]
    assert ours["q_only"] == pytest.approx(c["q_only_hu_meteor"], abs=1e-4)
    assert ours["q_plus_a"] == pytest.approx(c["qa_hu_meteor"], abs=1e-4)
    assert ours["accuracy"] == pytest.approx(c["label_accuracy"], abs=1e-4)
    assert ours["macro_f1"] == pytest.approx(c["macro_f1"], abs=1e-4)
    for tau, score in c["averitec_score_by_threshold"].items():
        assert ours["averitec_score_by_tau"][tau] == pytest.approx(score, abs=1e-4), tau


def _load(shared_file) -> tuple[list, list, dict]:
    refs = read_json_list(shared_file("averitec", "dev_public.json"), "AVeriTeC")
    preds = read_json_list(shared_file("averitec", "reference_predictions.json"), "predictions")
    scores = json.loads(shared_file("averitec", "reference_scores.json").read_text(encoding="utf-8"))
    return refs, preds, scores


@pytest.mark.shared
def test_averitec_scorer_reproduces_upstream(shared) -> None:
    refs, preds, scores = _load(shared)
    ours = score_predictions(preds, refs, per_claim=True)
    _check(ours, scores)
    assert ours["averitec_score"] == pytest.approx(0.556, abs=1e-4)


@pytest.mark.slow
@pytest.mark.shared
def test_averitec_scorer_reproduces_upstream_preserve_line_variant(shared) -> None:
    refs, preds, scores = _load(shared)
    ours = score_predictions(preds, refs, per_claim=True, preserve_line=True)
    _check(ours, scores["variant_preserve_line"])
