"""IncrementalGrouper: the join/new decision, the word confirmation, restore and absorb."""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.narratives.group import IncrementalGrouper


def _v(*xs: float) -> np.ndarray:
    a = np.array(xs, dtype=np.float32)
    return a / np.linalg.norm(a)


def test_grouper_joins_above_threshold_and_starts_groups_below() -> None:
    g = IncrementalGrouper(dim=3, threshold=0.9, word_weight=0.0)
    got = [g.add(v) for v in (_v(1, 0, 0), _v(0, 1, 0), _v(1, 0.1, 0), _v(0, 0, 1))]
    assert [(a.group, a.new) for a in got] == [(0, True), (1, True), (0, False), (2, True)]
    assert g.counts == [2, 1, 1]
    assert np.allclose(g.mean(0), (_v(1, 0, 0) + _v(1, 0.1, 0)) / 2)


def test_grouper_words_confirm_a_borderline_cosine() -> None:
    texts = ("NATO countries produce refugees", "The harbour cargo grew", "Snow closed the mountain roads")
    near = _v(1, 1.2, 0)  # cosine ~0.64 to (1, 0, 0)
    for weight, expected in ((0.0, True), (0.8, False)):
        g = IncrementalGrouper(dim=3, threshold=0.78, word_weight=weight)
        for v, t in zip((_v(1, 0, 0), _v(0, 0, 1), _v(0, 0, 1)), texts, strict=True):
            g.add(v, t)
        assert g.add(near, "NATO countries are producing refugees").new is expected


def test_grouper_restore_and_absorb() -> None:
    g = IncrementalGrouper(dim=2, threshold=0.95, word_weight=0.0)
    a = g.restore(_v(1, 0), 3, "first")
    b = g.restore(_v(0, 1), 1, "second")
    g.absorb(a, b)
    assert g.counts == [4, 0]
    assert g.add(_v(0, 1)).new  # the absorbed group is unreachable
    assert g.nearest(_v(1, 0), 1)[0][0] == a


def test_grouper_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="threshold"):
        IncrementalGrouper(dim=2, threshold=5.0)
    with pytest.raises(ValueError, match="word_weight"):
        IncrementalGrouper(dim=2, word_weight=-1)
