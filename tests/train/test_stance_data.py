"""Stance data: held-out NLI anchors, contrastive pairs and AVeriTeC background questions (no torch)."""

from __future__ import annotations

import json
import random

from factdesk.train.stance_data import (
    LABELS,
    StancePair,
    averitec_background_question,
    averitec_pair_label,
    build_mix,
    contrast,
    fold,
)

S, R, N = LABELS


def _mnli_root(tmp_path, n=40):
    (tmp_path / "data").mkdir()
    d = tmp_path / "nli" / "mnli"
    d.mkdir(parents=True)
    rows = [{"premise": f"A man number {i} is walking.", "hypothesis": f"Person {i} walks.", "label": "entailment"}
            for i in range(n)]
    (d / "data_mnli_dev.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return tmp_path


def test_anchor_half_of_mnli_is_never_in_the_training_mix(tmp_path) -> None:
    root = _mnli_root(tmp_path)
    kept = build_mix(root, {"mnli": 0}, seed=1)
    anchors = {i for i in range(40) if fold("mnli-anchor", i, 2) == 0}
    assert 0 < len(anchors) < 40
    assert sorted(p.claim for p in kept) == sorted(f"Person {i} walks." for i in range(40) if i not in anchors)
    assert not any(p.anchor for p in kept)
    replay = build_mix(root, {"mnli": 0}, seed=1, exclude_anchors=False)
    assert len(replay) == 40 and sum(p.anchor for p in replay) == len(anchors)


def test_contrast_changes_a_number_the_evidence_states() -> None:
    p = StancePair("Turkey hosts 3.6 million refugees.", "UNHCR: Turkey hosts 3.6 million refugees.", S, "x")
    twins = {contrast(p, random.Random(seed)) for seed in range(20)} - {None}
    assert twins and all(t.label == R and t.evidence == p.evidence for t in twins)
    assert all("3.6" not in t.claim or " not " in t.claim for t in twins)
    assert any(t.claim != p.claim and "million refugees" in t.claim and " not " not in t.claim for t in twins)


def test_contrast_shifts_years_and_negates_but_leaves_ids_and_non_supports_alone() -> None:
    p = StancePair("The park opened in 2004.", "uShaka Marine World opened in 2004.", S, "x")
    years = {t.claim for seed in range(30) if (t := contrast(p, random.Random(seed)))}
    assert any(c != p.claim and "2004" not in c and " not " not in c for c in years)
    assert "The park opened in 2004." not in years
    ids = StancePair("Covid-19 patients recover.", "Most covid-19 patients recover.", S, "x")
    assert all("19" in t.claim for seed in range(20) if (t := contrast(ids, random.Random(seed))))
    assert contrast(StancePair("A is B.", "A is B.", R, "x"), random.Random(0)) is None
    neg = StancePair("Paris is the capital of France.", "Paris is France's capital city.", S, "x")
    assert contrast(neg, random.Random(0)) == StancePair("Paris is not the capital of France.", neg.evidence, R,
                                                         "contrastive")


def test_averitec_background_questions_are_not_enough_info() -> None:
    answered = [{"answer": "Yes", "answer_type": "Boolean"}]
    assert averitec_background_question({"question": "When was the claim made?"})
    assert averitec_background_question({"question": "Who is Anatoly Glaz?"})
    assert averitec_background_question({"question": "Who made the statement?"})
    assert not averitec_background_question({"question": "Who made the decision to decline WHO tests?"})
    assert not averitec_background_question({"question": "Did Turkey host 3.6 million refugees in 2021?"})
    assert not averitec_background_question({"question": "Who won the 2020 election in Georgia?"})
    assert averitec_pair_label("Refuted", {"question": "When was the claim made?", "answers": answered}) == N
    assert averitec_pair_label("Refuted", {"question": "Did NATO bomb Syria?", "answers": answered}) == R


def test_substantive_who_questions_keep_the_claim_label() -> None:
    assert not averitec_background_question({"question": "Who was elected president in 2020?"})
    assert not averitec_background_question({"question": "Who is responsible for the refugee crisis in Syria?"})
    assert averitec_background_question({"question": "Who was the source of the video?"})
