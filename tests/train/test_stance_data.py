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
    rows = [
        {"premise": f"A man number {i} is walking.", "hypothesis": f"Person {i} walks.", "label": "entailment"}
        for i in range(n)
    ]
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
    assert contrast(neg, random.Random(0)) == StancePair(
        "Paris is not the capital of France.", neg.evidence, R, "contrastive"
    )


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


def test_one_table_declares_every_source_with_its_loader_licence_and_caps() -> None:
    from factdesk.train.stance_data import LICENCES, LOADERS, MIXES, PERMISSIVE, SOURCES, V2_MIX, V3_MIX

    names = [s.name for s in SOURCES]
    assert len(names) == len(set(names)) == len(LOADERS) == len(LICENCES)
    assert all(s.licence.strip() and callable(s.loader) for s in SOURCES)
    # each mix is read from the table, in its order (the order decides the seeded sample)
    for mix, column in ((V2_MIX, "v2"), (V3_MIX, "v3")):
        assert list(mix) == [s.name for s in SOURCES if getattr(s, column) is not None]
        assert all(cap >= 0 for cap in mix.values())
    assert MIXES == {"v3": V3_MIX, "v2": V2_MIX, "offtopic": {"averitec_offtopic": 8000}, "none": {}}
    assert "rte" in LOADERS and "rte" not in V2_MIX and "rte" not in V3_MIX
    assert "contrastive" in V3_MIX and "contrastive" not in V2_MIX
    assert PERMISSIVE < set(names) and "averitec_qa" not in PERMISSIVE  # CC BY-NC


def test_mix_named_copies_and_filters_and_names_the_choices() -> None:
    import pytest

    from factdesk.errors import InputError
    from factdesk.train.stance_data import PERMISSIVE, V3_MIX, mix_named

    mix = mix_named("v3")
    mix["sick"] = 1
    assert V3_MIX["sick"] == 3000  # a copy: the shared table is untouched
    free = mix_named("v3", permissive_only=True)
    assert set(free) == set(V3_MIX) & PERMISSIVE and list(free) == [k for k in V3_MIX if k in PERMISSIVE]
    with pytest.raises(InputError, match="v3, v2"):
        mix_named("v4")


def test_the_cli_offers_the_table_s_mixes() -> None:
    from factdesk.app.cli_train import stance_cmd
    from factdesk.train.stance_data import MIXES

    opt = next(p for p in stance_cmd.params if p.name == "mix_name")
    assert list(opt.type.choices) == list(MIXES)  # type: ignore[attr-defined]


def test_pairs_file_keeps_one_language_and_skips_unusable_lines(tmp_path) -> None:
    import gzip

    import pytest

    from factdesk.errors import ModelError
    from factdesk.train.stance import read_pairs_file

    rows = [
        {
            "claim": "A cat sat.",
            "evidence": "The cat sat on the mat.",
            "label": "supports",
            "source": "snli",
            "lang": "en",
        },
        {
            "claim": "Кот сидел.",
            "evidence": "Кот сидел на коврике.",
            "label": "supports",
            "source": "terra",
            "lang": "ru",
        },
        {"claim": "A dog ran.", "evidence": "", "label": "refutes", "source": "snli", "lang": "en"},
        {"claim": "A dog ran.", "evidence": "The dog slept.", "label": "contradiction", "source": "snli", "lang": "en"},
    ]
    path = tmp_path / "v4.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n")
    en = read_pairs_file(path, "en")
    assert [(p.claim, p.label, p.source) for p in en] == [("A cat sat.", "supports", "snli")]
    assert [p.claim for p in read_pairs_file(path, None)] == ["A cat sat.", "Кот сидел."]
    with pytest.raises(ModelError, match="stance_data_v4 --data"):
        read_pairs_file(tmp_path / "absent.jsonl.gz")


def test_named_mixes_include_offtopic_and_none() -> None:
    from factdesk.train.stance_data import mix_named

    assert mix_named("offtopic") == {"averitec_offtopic": 8000}
    assert mix_named("none") == {}


def test_stance_average_cli_rejects_a_weight_outside_0_1(tmp_path) -> None:
    from click.testing import CliRunner

    from factdesk.app.cli_train import train

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    res = CliRunner().invoke(
        train,
        ["stance-average", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "o"), "--weight", "1.5"],
    )
    assert res.exit_code == 2 and "between 0 and 1" in res.output and not (tmp_path / "o").exists()
