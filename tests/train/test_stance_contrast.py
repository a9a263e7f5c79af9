"""Russian contrast pairs: restated (supports), one fact changed (refutes), off-topic (NEI)."""

from __future__ import annotations

import gzip
import json
import random
import re

from factdesk.train.stance_contrast import change_number, contrast_pairs, main, negate_ru, read_replay

ROWS = [
    {
        "premise": "В 2019 году в городе открыли 12 новых школ. Об этом сообщил мэр на пресс-конференции.",
        "hypothesis": "В городе открыли 12 новых школ.",
        "label": "entailment",
    },
    {
        "premise": "Полиция задержала двух подозреваемых в краже. Они признали вину.",
        "hypothesis": "Полиция не задержала подозреваемых.",
        "label": "not_entailment",
    },
    {"premise": "", "hypothesis": "Пустая посылка.", "label": "entailment"},
]


def test_change_number_changes_one_number_and_moves_years_a_little() -> None:
    for seed in range(20):
        rng = random.Random(seed)
        out = change_number("В 2019 году погибли 120 человек.", rng)
        assert out is not None and out != "В 2019 году погибли 120 человек."
        nums = [int(n) for n in re.findall(r"\d+", out)]
        assert len(nums) == 2 and (nums[0] == 2019) != (nums[1] == 120)  # exactly one changed
        assert 2010 <= nums[0] <= 2028
    assert change_number("Без чисел.", random.Random(0)) is None
    assert change_number("Бюджет 1 200 000 рублей.", random.Random(1)) != "Бюджет 1 200 000 рублей."


def test_negation_is_removed_or_inserted_before_a_past_tense_verb() -> None:
    assert negate_ru("Мэр не подписал указ.") == "Мэр подписал указ."
    assert negate_ru("Мэр подписал указ.") == "Мэр не подписал указ."
    assert negate_ru("Это дело было начато давно.") is None  # nouns in -ло and 'было' are not negated
    assert negate_ru("Кошка на столе.") is None


def test_contrast_pairs_label_restated_changed_and_off_topic() -> None:
    pairs = contrast_pairs(ROWS, seed=0)
    by_label: dict[str, list] = {}
    for p in pairs:
        by_label.setdefault(p.label, []).append(p)
    # the entailed hypothesis restated supports its premise; with its number changed it refutes
    assert any(p.claim == "В городе открыли 12 новых школ." for p in by_label["supports"])
    refuted = [p.claim for p in by_label["refutes"]]
    assert any(re.search(r"\d+", c) and "12" not in c for c in refuted)
    assert "В городе не открыли 12 новых школ." in refuted
    # a not_entailment hypothesis is never restated as support (TERRa lumps contradictions in)
    assert all(p.claim != "Полиция не задержала подозреваемых." for p in pairs)
    # NEI: a restated sentence against its premise without it (same subject, silent), or another
    # premise; never against the premise that holds it
    nei = by_label["not_enough_info"]
    assert all(p.evidence != ROWS[0]["premise"] for p in nei)
    silent = [p for p in nei if p.evidence and p.evidence in ROWS[0]["premise"] and p.claim in ROWS[0]["premise"]]
    assert silent and all(p.claim not in p.evidence for p in silent)
    assert all(p.evidence for p in pairs)  # the empty premise is skipped


def test_main_writes_a_stage_pack_and_replays_without_terra(tmp_path) -> None:
    replay = tmp_path / "v4.jsonl.gz"
    with gzip.open(replay, "wt", encoding="utf-8") as fh:
        for i in range(10):
            src = "terra" if i % 2 else "snli"
            fh.write(json.dumps({"claim": f"c{i}", "evidence": f"e{i}", "label": "supports", "source": src}) + "\n")
    assert {r["source"] for r in read_replay(replay, {"terra"}, 100, 0)} == {"snli"}
    # no TERRa under --data: a clear error, nothing written
    (tmp_path / "data").mkdir()
    out = tmp_path / "stage.jsonl.gz"
    assert main(["--data", str(tmp_path), "--out", str(out)]) == 2
    assert not out.exists()
