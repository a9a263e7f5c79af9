"""The training helpers, on tiny synthetic data."""

from __future__ import annotations

import numpy as np

from factdesk.train.checkworthy import _stratified_split, embed_cached, fit_logreg


def test_stratified_split_keeps_rate_and_is_seeded():
    y = np.array([1] * 20 + [0] * 80)
    a = _stratified_split(y, [0.2, 0.1], np.random.default_rng(1))
    b = _stratified_split(y, [0.2, 0.1], np.random.default_rng(1))
    assert [len(p) for p in a] == [20, 10, 70]
    assert y[a[0]].mean() == 0.2
    assert all((p == q).all() for p, q in zip(a, b))
    assert len(set(np.concatenate(a).tolist())) == 100


def test_fit_logreg_separates():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = (x[:, 0] > 0).astype(float)
    wd, wh, b = fit_logreg(x, None, y, np.ones(200), l2=1e-3, hash_l2=0.0)
    assert wd[0] > 1.0 and wh.size == 0
    p = 1 / (1 + np.exp(-(x @ wd + b)))
    assert ((p > 0.5) == (y == 1)).mean() > 0.95


def test_embed_cache_reuses(tmp_path):
    calls = []

    def fake(texts):
        calls.append(len(texts))
        return np.ones((len(texts), 4), dtype=np.float32)

    cache = tmp_path / "c.npz"
    v = embed_cached(["a", "b", "a"], cache, embed=fake, progress=False)
    assert v.shape == (3, 4) and calls == [2]
    embed_cached(["a", "b"], cache, embed=fake, progress=False)
    assert calls == [2]
