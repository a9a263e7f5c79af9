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


RU_NATO = "Страны НАТО превратились в машину по производству беженцев"


class _Gloss:
    """A fake multilingual encoder: the Russian wording gets the English one's vector."""

    dim = 64

    def __init__(self) -> None:
        from factdesk.testing.fakes import FakeEmbedder

        self.fake = FakeEmbedder(dim=64)

    def warm_up(self) -> None:
        pass

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.fake.embed(texts)


def test_narratives_join_a_russian_wording_to_the_english_group(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from factdesk.narratives import Narratives
    from factdesk.store.sqlite import SQLiteStore
    from factdesk.testing.fakes import FakeEmbedder
    from factdesk.types import ClaimMention

    nato = "NATO countries have become a machine producing refugees"

    class Gloss(_Gloss):
        def embed(self, texts: list[str]) -> np.ndarray:
            return self.fake.embed([nato if t == RU_NATO else t for t in texts])

    def store_with(*mentions: ClaimMention) -> SQLiteStore:
        s = SQLiteStore(str(tmp_path / f"n{len(mentions)}.db"), dim=64)
        s.add_claims(list(mentions))
        return s

    en = ClaimMention("d1", 0, 50, nato, speaker="Anatoly Varga", date="2026-01-12")
    ru = ClaimMention("d2", 0, 50, RU_NATO, speaker="Irina Dobos", date="2026-03-03")
    plain = Narratives(store_with(en, ru), FakeEmbedder(dim=64))
    assert plain.update().new_groups == 2  # the English-minded grouper keeps them apart
    s = store_with(en)
    Narratives(s, FakeEmbedder(dim=64), multilingual=Gloss()).update()
    s.add_claims([ru])  # a later update restores the stored group, its e5 side embedded again
    rep = Narratives(s, FakeEmbedder(dim=64), multilingual=Gloss()).update()
    assert (rep.placed, rep.joined, rep.new_groups) == (1, 1, 0)
