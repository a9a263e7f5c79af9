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


def _nei(text: str) -> Evidence:
    d = Document(text=text)
    return Evidence(Passage(d.id, text, 0, len(text)), d, {}, Stance.from_probs((0.1, 0.1, 0.8)))


def _weak_refutes(text: str) -> Evidence:
    d = Document(text=text)
    return Evidence(Passage(d.id, text, 0, len(text)), d, {}, Stance.from_probs((0.3, 0.4, 0.3)))


START = {"supports": _supported, "nei": _nei, "weak": _weak_refutes}


PORT = "Cargo through the port of Halvik rose 12 percent in 2020, to 3.1 million tonnes, the port authority said."
WAGES = "Средняя зарплата в Кировском районе в 2023 году снизилась на 4 процента, сообщил статистический комитет."


@pytest.mark.parametrize(
    "claim, passage, stance, want",
    [
        # the stance model reads 'fell' beside 'rose' as support: the opposite direction turns it
        ("Cargo through the port of Halvik fell in 2020.", PORT, "supports", "refutes"),
        # not-enough-info, but the passage tells the claim word for word bar the word of change
        ("Cargo through the port of Halvik declined in 2020.", PORT, "nei", "refutes"),
        # a weak refutation (0.4, under the 0.5 that takes a side) gains the passage's support mass
        ("Cargo through the port of Halvik dropped in 2020.", PORT, "weak", "refutes"),
        ("Средняя зарплата в Кировском районе в 2023 году выросла.", WAGES, "supports", "refutes"),
        ("Зарплаты учителей в стране выросли.", WAGES, "supports", "supports"),  # too little in common
        # same direction, or none stated: nothing changes
        ("Cargo through the port of Halvik increased in 2020.", PORT, "supports", "supports"),
        ("Средняя зарплата в Кировском районе в 2023 году сократилась.", WAGES, "supports", "supports"),
        ("Cargo through the port of Halvik reached 3.1 million tonnes in 2020.", PORT, "supports", "supports"),
        # a negated word of change states no direction
        ("Cargo through the port of Halvik did not fall in 2020.", PORT, "supports", "supports"),
        # a passage that states both directions is left to the stance model
        (
            "Cargo through the port of Halvik fell in 2020.",
            PORT + " Passenger numbers fell by half.",
            "supports",
            "supports",
        ),
        # a not-enough-info passage that does not restate the claim stays not-enough-info
        ("Cargo and passenger traffic through the port of Halvik fell in 2020.", PORT, "nei", "not_enough_info"),
    ],
)
def test_opposite_direction_of_change_refutes(claim: str, passage: str, stance: str, want: str) -> None:
    out = DetailCheck().run(Claim(claim), [START[stance](passage)])[0]
    assert out.stance.label.value == want
    assert ("trend_mismatch" in out.scores) is (want == "refutes")
    if "trend_mismatch" in out.scores:
        assert out.stance.probs["refutes"] >= 0.7 and out.stance.probs["supports"] <= 0.1
    before = START[stance](passage).stance.label.value
    assert DetailCheck(directions=False).run(Claim(claim), [START[stance](passage)])[0].stance.label.value == before


def test_a_weak_refutation_by_another_figure_gains_the_support_mass() -> None:
    ev = DetailCheck().run(Claim("Длина нового моста через Дольку составляет 1 500 метров."), [_weak_refutes(BRIDGE)])[
        0
    ]
    assert ev.scores["detail_mismatch"] == 1.0 and ev.stance.probs["refutes"] == pytest.approx(0.7)
    same = DetailCheck().run(Claim("Длина моста составляет 820 метров."), [_weak_refutes(BRIDGE)])[0]
    assert "detail_mismatch" not in same.scores and same.stance.probs["refutes"] == pytest.approx(0.4)
