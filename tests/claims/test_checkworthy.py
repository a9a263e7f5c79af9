"""The check-worthiness head: features, shipped weights, scores."""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.claims.checkworthy import FEATURE_NAMES, MODEL_DIR, CheckWorthiness, cheap_features, hashed_ngrams
from factdesk.errors import ModelError
from factdesk.testing.fakes import FakeEmbedder


def test_cheap_features_shape_and_signals():
    f = cheap_features(["Crime rose 20% in 2019, more than ever.", "Thank you."])
    assert f.shape == (2, len(FEATURE_NAMES))
    i = FEATURE_NAMES.index
    assert f[0, i("numbers")] > 0 and f[0, i("percent")] > 0 and f[0, i("year")] > 0
    assert f[1, i("numbers")] == 0 and f[1, i("short")] == 1.0


def test_hashed_ngrams_normalised_and_stable():
    m = hashed_ngrams(["Taxes rose 5 percent", "taxes rose 7 percent"], 1024)
    assert m.shape == (2, 1024)
    assert np.allclose(np.sqrt(m.multiply(m).sum(axis=1)), 1.0)
    assert (m[0] != m[1]).nnz == 0  # digits are folded, case is ignored


def test_shipped_head_loads_and_scores_with_fake_embedder():
    cw = CheckWorthiness(embedder=FakeEmbedder())
    p = cw.score(["Crime rose 20% last year.", "", "Thank you all for coming tonight."])
    assert p.shape == (3,) and p.dtype == np.float32
    assert np.all((p >= 0) & (p <= 1)) and p[1] == 0.0
    assert cw.score([]).shape == (0,)
    assert cw.config["metrics"]["claimbuster_test"]["f1"] > 0.5
    assert (MODEL_DIR / "config.json").is_file()


def test_missing_model_says_how_to_rebuild(tmp_path):
    with pytest.raises(ModelError, match="factdesk train checkworthy"):
        CheckWorthiness(model_dir=tmp_path, embedder=FakeEmbedder()).warm_up()


@pytest.mark.slow
def test_real_model_ranks_claims_above_chatter():
    cw = CheckWorthiness()
    p = cw.score(["Unemployment fell to 3.5 percent in 2019, the lowest rate in fifty years.",
                  "Thank you so much, it is great to be here tonight."])
    assert p[0] > 0.5 > p[1]
