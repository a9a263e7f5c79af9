"""Fitting the verdict aggregator: grouped folds, sign-constrained fit, retrieved rows."""

from __future__ import annotations

import json

import numpy as np
import pytest

from factdesk.errors import InputError
from factdesk.pipeline import Desk
from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel
from factdesk.train.verdict import _folds, fit_aggregator, predict_with, score_retrieved
from factdesk.types import Document
from factdesk.verdict.aggregate import FEATURES


def test_folds_keep_a_claims_rows_together() -> None:
    groups = np.concatenate([np.arange(50), np.arange(50)])  # each claim twice (gold + retrieved)
    f = _folds(len(groups), 5, seed=3, groups=groups)
    assert (f[:50] == f[50:]).all()
    assert sorted(set(f.tolist())) == [0, 1, 2, 3, 4]


def _synthetic(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose support/refute features track the label (0 Supported, 1 Refuted, 2 NEE)."""
    y = rng.integers(0, 3, n)
    x = rng.uniform(0.0, 0.2, (n, len(FEATURES)))
    sup = [FEATURES.index(f) for f in ("max_sup", "mean_sup", "claim_sup")]
    ref = [FEATURES.index(f) for f in ("max_ref", "mean_ref", "claim_ref")]
    x[np.ix_(y == 0, sup)] += 0.7
    x[np.ix_(y == 1, ref)] += 0.7
    return x, y


def test_fit_aggregator_learns_separable_rows_and_stays_monotone() -> None:
    rng = np.random.default_rng(0)
    x, y = _synthetic(300, rng)
    params = fit_aggregator(x, y, seed=1, groups=np.arange(300) % 150)
    assert params["oof"]["argmax"]["accuracy"] > 0.9
    p = predict_with(params, x[:5])
    assert p.sum(1) == pytest.approx(np.ones(5))
    base = np.full((1, len(FEATURES)), 0.1)
    more_ref = base.copy()
    more_ref[0, FEATURES.index("max_ref")] = 0.9
    # Stronger refutation never raises P(Supported).
    assert predict_with(params, more_ref)[0, 0] <= predict_with(params, base)[0, 0] + 1e-9


def test_score_retrieved_reads_the_pool_and_caches(tmp_path) -> None:
    db = tmp_path / "pool.db"
    desk = Desk(db=str(db), embedder=FakeEmbedder(), stance_model=FakeStanceModel())
    desk.ingest([Document(text="The bridge over the river opened in 1998 after four years of work.",
                          url="https://example.org/bridge"),
                 Document(text="Cats sleep for most of the day.", url="https://example.org/cats")])
    items = [{"claim": "The bridge over the river opened in 1998.", "label": "Supported", "claim_date": "1-2-2020"}]
    cache = tmp_path / "ret.json"
    claims, evs, cps = score_retrieved(items, db, FakeStanceModel(), cache, top_k=2, embedder=FakeEmbedder())
    assert claims[0].text.startswith("The bridge")
    assert evs[0] and "1998" in evs[0][0].passage.text
    assert evs[0][0].stance is not None and cps.shape == (1, 3)
    assert json.loads(cache.read_text())["texts"][0] == [e.passage.text for e in evs[0]]
    again = score_retrieved(items, db, FakeStanceModel(), cache, top_k=2, embedder=FakeEmbedder())
    assert [e.passage.text for e in again[1][0]] == [e.passage.text for e in evs[0]]


def test_score_retrieved_missing_pool_says_how_to_build_it(tmp_path) -> None:
    with pytest.raises(InputError, match="--setting retrieved --db"):
        score_retrieved([], tmp_path / "absent.db", FakeStanceModel())
