"""Classification and ranking metrics, dependency-light (numpy only).

>>> cm = confusion_matrix(["a", "a", "b"], ["a", "b", "b"], labels=["a", "b"])
>>> cm
[[1, 1], [0, 1]]
>>> round(macro_f1(["a", "a", "b"], ["a", "b", "b"], labels=["a", "b"]), 4)
0.6667
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np


def _labels(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence[Hashable] | None) -> list[Hashable]:
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items and pred {len(pred)}: pass aligned lists")
    if labels is not None:
        return list(labels)
    seen: dict[Hashable, None] = {}
    for x in list(gold) + list(pred):
        seen.setdefault(x, None)
    return list(seen)


def confusion_matrix(
    gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> list[list[int]]:
    """Rows are gold labels, columns predicted labels, both in ``labels`` order.

    Pairs whose gold or predicted label is not in ``labels`` are not counted.
    """
    labs = _labels(gold, pred, labels)
    index = {lab: i for i, lab in enumerate(labs)}
    m = [[0] * len(labs) for _ in labs]
    for g, p in zip(gold, pred, strict=True):
        if g in index and p in index:
            m[index[g]][index[p]] += 1
    return m


def accuracy(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Share of items whose prediction equals the gold label (0.0 for no items)."""
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items and pred {len(pred)}: pass aligned lists")
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts; 0.0 where a denominator is zero."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def per_class_prf(
    gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence[Hashable] | None = None
) -> dict[Hashable, dict[str, float]]:
    """``{label: {"precision", "recall", "f1", "support"}}`` for each label."""
    labs = _labels(gold, pred, labels)
    m = np.array(confusion_matrix(gold, pred, labs), dtype=np.int64).reshape(len(labs), len(labs))
    out: dict[Hashable, dict[str, float]] = {}
    for i, lab in enumerate(labs):
        tp = int(m[i, i])
        p, r, f = prf(tp, int(m[:, i].sum()), int(m[i, :].sum()))
        out[lab] = {"precision": p, "recall": r, "f1": f, "support": float(m[i, :].sum())}
    return out


def macro_f1(gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence[Hashable] | None = None) -> float:
    """Unweighted mean of per-class F1 over ``labels`` (default: labels seen in gold or pred,
    as scikit-learn's ``f1_score(average="macro")`` does)."""
    per = per_class_prf(gold, pred, labels)
    return float(np.mean([v["f1"] for v in per.values()])) if per else 0.0


def average_precision(relevant: Sequence[int | bool] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    """Average precision of the ranking by descending score (ties keep input order).

    0.0 when there is no relevant item. This is CheckThat!'s per-debate AP.
    """
    rel = np.asarray(relevant, dtype=bool)
    if rel.size == 0 or not rel.any():
        return 0.0
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    hits = rel[order]
    ranks = np.arange(1, len(hits) + 1)
    precision_at_hit = np.cumsum(hits)[hits] / ranks[hits]
    return float(precision_at_hit.sum() / rel.sum())


def mean_average_precision(
    groups: Sequence[tuple[Sequence[int | bool] | np.ndarray, Sequence[float] | np.ndarray]],
) -> float:
    """Mean of :func:`average_precision` over ``(relevant, scores)`` groups (e.g. debates)."""
    if not groups:
        return 0.0
    return float(np.mean([average_precision(r, s) for r, s in groups]))


def precision_at_k(relevant: Sequence[int | bool] | np.ndarray, scores: Sequence[float] | np.ndarray, k: int) -> float:
    """Share of relevant items among the ``k`` highest scored."""
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    rel = np.asarray(relevant, dtype=bool)
    return float(rel[order].sum() / k) if k else 0.0


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[int | bool], n_bins: int = 10) -> float:
    """ECE with ``n_bins`` equal-width bins over [0, 1]: sum of |accuracy - confidence|
    per bin, weighted by the bin's share of items. A confidence of exactly 0 goes to the
    first bin, bins are otherwise right-closed ``(lo, hi]``."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if conf.size == 0:
        return 0.0
    if conf.shape != ok.shape:
        raise ValueError("confidence and correct must have the same length")
    bins = np.clip(np.ceil(conf * n_bins).astype(int) - 1, 0, n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            ece += mask.mean() * abs(ok[mask].mean() - conf[mask].mean())
    return float(ece)


def classification_report(
    gold: Sequence[Hashable], pred: Sequence[Hashable], labels: Sequence[Hashable]
) -> dict[str, Any]:
    """Accuracy, macro-F1 over ``labels``, per-class P/R/F1 and the confusion matrix,
    JSON-ready (labels as strings)."""
    per = per_class_prf(gold, pred, labels)
    return {
        "n": len(gold),
        "accuracy": accuracy(gold, pred),
        "macro_f1": macro_f1(gold, pred, labels),
        "per_class": {str(k): v for k, v in per.items()},
        "labels": [str(lab) for lab in labels],
        "confusion_matrix": confusion_matrix(gold, pred, labels),
    }


def majority_baseline(gold: Sequence[Hashable], labels: Sequence[Hashable]) -> dict[str, Any]:
    """The always-predict-the-most-frequent-gold-label anchor: its label, accuracy, macro-F1."""
    if not gold:
        return {"label": None, "accuracy": 0.0, "macro_f1": 0.0}
    counts = {lab: 0 for lab in labels}
    for g in gold:
        counts[g] = counts.get(g, 0) + 1
    top = max(counts, key=lambda k: counts[k])
    pred = [top] * len(gold)
    return {"label": str(top), "accuracy": accuracy(gold, pred), "macro_f1": macro_f1(gold, pred, labels)}
