"""METEOR between evidence strings, matched one-to-one with the Hungarian algorithm.

This is the measure AVeriTeC's upstream scorer uses: nltk's ``single_meteor_score`` on
``word_tokenize`` tokens (reference = gold string, hypothesis = predicted string), a matrix
of predicted x gold scores, ``scipy.optimize.linear_sum_assignment(maximize=True)``, and the
matched sum divided by the number of gold strings. `justification_meteor` scores a desk's
AVeriTeC justifications against gold the same way.

Tokenisation matters: upstream uses ``word_tokenize(text)`` with its default punkt sentence
splitting (``preserve_line=False``). ``preserve_line=True`` gives different scores.

>>> hungarian_meteor(["Who won?"], ["Who won?", "When?"])  # doctest: +SKIP
0.4...
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from factdesk.eval.nltk_data import ensure_nltk_data


@lru_cache(maxsize=65536)
def _tokenize(text: str, preserve_line: bool) -> tuple[str, ...]:
    from nltk import word_tokenize

    return tuple(word_tokenize(text, preserve_line=preserve_line))


def tokenize(text: str, preserve_line: bool = False) -> list[str]:
    """nltk ``word_tokenize`` with factdesk's offline punkt model."""
    ensure_nltk_data()
    return list(_tokenize(text, preserve_line))


def meteor(hypothesis: str, reference: str, preserve_line: bool = False) -> float:
    """nltk's ``single_meteor_score`` of one predicted string against one gold string."""
    ensure_nltk_data()
    from nltk.translate.meteor_score import single_meteor_score

    return float(
        single_meteor_score(list(_tokenize(reference, preserve_line)), list(_tokenize(hypothesis, preserve_line)))
    )


def pairwise_meteor(predicted: Sequence[str], gold: Sequence[str], preserve_line: bool = False) -> np.ndarray:
    """Matrix ``X[i, j] = meteor(predicted[i], gold[j])``, shape (len(predicted), len(gold))."""
    x = np.zeros((len(predicted), len(gold)), dtype=float)
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            x[i, j] = meteor(p, g, preserve_line)
    return x


def hungarian_match(scores: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
    """Best one-to-one matching of rows to columns (maximising); the matched sum and the pairs."""
    if scores.size == 0:
        return 0.0, []
    rows, cols = linear_sum_assignment(scores, maximize=True)
    return float(scores[rows, cols].sum()), [(int(r), int(c)) for r, c in zip(rows, cols, strict=True)]


def hungarian_meteor(
    predicted: Sequence[str], gold: Sequence[str], max_predicted: int = 10, preserve_line: bool = False
) -> float:
    """Matched METEOR sum of the first ``max_predicted`` predicted strings over ``len(gold)``.

    0.0 when there is no gold string (upstream would divide by zero).
    """
    if not gold:
        return 0.0
    total, _ = hungarian_match(pairwise_meteor(list(predicted)[:max_predicted], gold, preserve_line))
    return total / len(gold)


def justification_meteor(
    predictions: Sequence[dict[str, Any]], references: Sequence[dict[str, Any]]
) -> dict[str, float]:
    """Mean METEOR of predicted ``justification`` against the gold one (nltk, as AVeriTeC's scorer).

    `predictions` are AVeriTeC records (`factdesk.report.averitec.to_averitec`), `references`
    the gold records, aligned. Claims whose gold record has no justification are skipped;
    ``n`` counts those scored. Scoring lives here, not in `report/`: the report stage writes
    the justification, evaluation (which sits on top of the pipeline) grades it.
    """
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references: pass aligned lists")
    scores = [
        meteor(str(p.get("justification") or ""), str(r["justification"]))
        for p, r in zip(predictions, references, strict=True)
        if r.get("justification")
    ]
    return {"justification_meteor": sum(scores) / len(scores) if scores else 0.0, "n": float(len(scores))}
