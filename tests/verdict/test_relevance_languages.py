"""`DetailCheck` reads figures and names in Cyrillic text as it does in English (issue 23)."""

from __future__ import annotations

import pytest

from factdesk.types import Claim, Document, Evidence, Passage, Stance
from factdesk.verdict.relevance import DetailCheck, details

BRIDGE = (
    "Новый мост через реку Долька в Верхнедольске открыли 14 июня 2021 года. Длина моста составляет "
    "820 метров. Мост построила компания «Севстроймост»."
)


def _supported(text: str) -> Evidence:
    d = Document(text=text)
    return Evidence(Passage(d.id, text, 0, len(text)), d, {}, Stance.from_probs((0.8, 0.1, 0.1)))


@pytest.mark.parametrize(
    "claim, mismatch",
    [
        ("Длина нового моста через Дольку составляет 1 500 метров.", True),  # another number, same place
        ("Новый мост через Дольку в Верхнедольске открыли в 2018 году.", True),  # another year ("году"/"года")
        ("Мост через Дольку построила компания Мостострой.", True),  # another firm
        ("Новый мост через реку Дольку открыли в июне 2021 года.", False),  # the name inflected, same facts
        ("Длина моста составляет 820 метров.", False),
    ],
)
def test_cyrillic_figures_and_names(claim: str, mismatch: bool) -> None:
    assert DetailCheck().mismatch(claim, BRIDGE) is mismatch
    ev = DetailCheck().run(Claim(claim), [_supported(BRIDGE)])[0]
    assert ev.stance.label.value == ("refutes" if mismatch else "supports")


def test_digit_groups_and_function_words() -> None:
    d = details("На 1 января 2022 года в области проживали 1 240 000 человек.")
    assert ("number", "1240000") in d and ("year", "2022") in d
    assert d[("year", "2022")] == {"янва", "год"}  # neighbours: month and 'года' stemmed; 'в' is a function word
    assert not any(k == "name" and v == "на" for k, v in d)  # a capitalised function word is no name


def test_english_unchanged() -> None:
    assert DetailCheck().mismatch("The library reopened in May 2015.", "The library reopened on 18 May 2021.")
    assert not DetailCheck().mismatch("The library reopened in May 2021.", "The library reopened on 18 May 2021.")
