"""Recurring-claim groups join wordings in different languages (issue 24, part 5)."""

from __future__ import annotations

import numpy as np
import pytest

from factdesk.narratives.group import IncrementalGrouper


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_a_wording_in_another_language_joins_through_the_multilingual_vector() -> None:
    g = IncrementalGrouper(dim=2, threshold=0.9, word_weight=0.0, multilingual_dim=2, cross_threshold=0.9)
    en = g.add(_unit(1, 0), "Poland sent 15,000 troops to the border", ml_vector=_unit(1, 0), lang="en")
    # MiniLM puts the Russian wording far away; e5 puts it next to the English one
    ru = g.add(_unit(0, 1), "Польша направила 15 тысяч военных", ml_vector=_unit(0.99, 0.05), lang="ru")
    assert (en.new, ru.new, ru.group) == (True, False, en.group)
    assert g.languages[en.group] == {"en", "ru"}
    other = g.add(_unit(0, 1), "Беларусь построила АЭС", ml_vector=_unit(0.2, 1), lang="ru")
    assert other.new  # e5 cosine below the threshold: a group of its own


def test_english_wordings_are_grouped_as_before() -> None:
    """Two English wordings that e5 finds close but the English score does not stay apart."""
    plain = IncrementalGrouper(dim=2, threshold=0.9, word_weight=0.0)
    ml = IncrementalGrouper(dim=2, threshold=0.9, word_weight=0.0, multilingual_dim=2)
    a, b = plain.add(_unit(1, 0), "a"), plain.add(_unit(0, 1), "b")
    assert (a.group, b.group, b.new) == (0, 1, True)
    a = ml.add(_unit(1, 0), "a", ml_vector=_unit(1, 0), lang="en")
    b = ml.add(_unit(0, 1), "b", ml_vector=_unit(1, 0.01), lang="en")
    assert (a.group, b.group, b.new) == (0, 1, True)


def test_restored_groups_and_merges_keep_their_multilingual_side() -> None:
    g = IncrementalGrouper(dim=2, threshold=0.9, word_weight=0.0, multilingual_dim=2)
    i = g.restore(
        _unit(1, 0), 2, "Poland sent troops", ml_vectors=np.stack([_unit(1, 0), _unit(1, 0)]), languages={"en"}
    )
    j = g.restore(_unit(0, 1), 1, "other", ml_vectors=np.stack([_unit(0, 1)]), languages={"pl"})
    assert g.add(_unit(0.6, 0.8), "Польща", ml_vector=_unit(1, 0.02), lang="uk").group == i
    g.absorb(i, j)
    assert g.languages[i] == {"en", "uk", "pl"}
    with pytest.raises(ValueError, match="cross_threshold"):
        IncrementalGrouper(dim=2, multilingual_dim=2, cross_threshold=2.0)
