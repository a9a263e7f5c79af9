"""Claims stated the way a fact-checker states them: framing, coordination, predictions (no models)."""

from __future__ import annotations

import pytest

from factdesk.claims.normalise import claim_category, looks_clause, split_coordinated, strip_framing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "He has kept mum, again, on the main thing: over the past decade, the alliance has become a machine "
            "producing refugees.",
            "Over the past decade, the alliance has become a machine producing refugees.",
        ),
        ("The figures are clear: crime fell 20 percent last year.", "Crime fell 20 percent last year."),
        ("The truth is simple — the dam was built in 1962 by the state.", "The dam was built in 1962 by the state."),
    ],
)
def test_strip_framing_keeps_the_clause_after_a_short_lead(text, expected):
    assert strip_framing(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Unemployment fell 3 percent: the best result since 1990.",  # elaboration, no clause
        "Prices rose: food, fuel and rent.",  # a list
        "Exports rose 12 percent in 2020: the port handled more ships than ever.",  # the lead holds a figure
        "Migrants are driven to – sometimes even pushed across – the border into the next country.",  # parenthesis
        "The minister listed three of the many reasons the scheme was cancelled last year after the vote in "
        "parliament by a wide margin: costs rose.",  # the lead is longer than the rest
    ],
)
def test_strip_framing_leaves_assertions_alone(text):
    assert strip_framing(text) == text


def test_split_second_speech_verb_into_a_prediction():
    parts = split_coordinated(
        "Inflation had fallen to 3 percent, and promised that wages would double by 2030.", verb="said"
    )
    assert [(p.text, p.verb) for p in parts] == [
        ("Inflation had fallen to 3 percent.", "said"),
        ("Wages would double by 2030.", "promised"),
    ]
    assert [claim_category(p.text, p.verb) for p in parts] == ["fact", "prediction"]


def test_split_independent_clause_with_pronoun_subject():
    parts = split_coordinated("Unemployment fell to 4 percent in 2019, and we built 300 schools.")
    assert [p.text for p in parts] == ["Unemployment fell to 4 percent in 2019.", "We built 300 schools."]


@pytest.mark.parametrize(
    "text",
    [
        "Unemployment fell to 4 percent in 2019 and we built 300 schools.",  # no comma: one unit
        "Taxes rose on farmers, and on shopkeepers too.",  # not a clause after "and"
        "Crime fell 20 percent, and said so twice.",  # a part too short to be a claim
    ],
)
def test_split_leaves_single_claims_whole(text):
    assert [p.text for p in split_coordinated(text)] == [text]


@pytest.mark.parametrize(
    ("text", "verb", "expected"),
    [
        ("Wages would double by 2030.", None, "prediction"),
        ("We will build 300 schools.", None, "prediction"),
        ("We won’t hold anyone.", None, "prediction"),
        ("Taxes will be cut for every family.", "said", "prediction"),
        ("Every family gets a tax cut.", "promised", "prediction"),
        ("Inflation had fallen to 3 percent.", "said", "fact"),
        ("If anyone thinks we will seal our borders, they are wrong.", None, "fact"),
        ("If elected, we will cut taxes for every family.", None, "prediction"),
    ],
)
def test_claim_category(text, verb, expected):
    assert claim_category(text, verb) == expected


def test_looks_clause():
    assert looks_clause("the alliance has become a machine")
    assert not looks_clause("the best result since 1990")
    assert not looks_clause("has")  # too short


@pytest.mark.parametrize(
    "text",
    [
        "In two speeches, the president all but acknowledged his plan to flood his neighbours with migrants.",
        "Migrants were going to the border in buses.",
    ],
)
def test_claim_category_nouns_and_motion_are_not_future(text):
    assert claim_category(text) == "fact"


def test_claim_category_going_to_future():
    assert claim_category("They're going to close the border.") == "prediction"
    assert claim_category("The state is going to close 12 schools.") == "prediction"
