"""`factdesk eval claims`: claim extraction scored against hand-written claims."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdesk.app.cli_eval import eval_group
from factdesk.claims import ExtractedClaim
from factdesk.errors import InputError
from factdesk.eval.claims import evaluate, load_set, match, same_speaker, token_f1
from factdesk.types import Claim

EVAL_SET = Path(__file__).resolve().parents[2] / "examples" / "claims-eval"


def test_token_f1_and_speakers():
    assert token_f1("Crime fell 20 percent.", "crime fell 20 percent") == 1.0
    assert token_f1("Crime fell 20 percent.", "Wages rose.") == 0.0
    assert token_f1("", "x") == 0.0
    assert token_f1("It cost £4,200 per pupil", "it cost £4,650 per pupil") == pytest.approx(0.8)  # figures stay whole
    assert same_speaker("the Ministry", "ministry") and same_speaker(None, None)
    assert not same_speaker("Colin Best", None) and not same_speaker("Best", "Colin Best")


def test_match_is_greedy_one_to_one_above_the_threshold():
    pred = ["Crime fell 20 percent last year.", "Crime fell 20 percent.", "Penguins can fly."]
    gold = ["Crime fell 20 percent.", "Wages rose 3 percent."]
    assert match(pred, gold, 0.5) == [(1, 0, 1.0)]  # each gold claim used once, best pair first
    assert match(pred, gold, 1.0) == [(1, 0, 1.0)]
    assert match([], gold, 0.5) == []


class ScriptedExtractor:
    """Returns fixed claims for each document, as an extractor would (scores, categories, dates)."""

    def __init__(self, out: dict[str, list[ExtractedClaim]]) -> None:
        self.out = out

    def run(self, text: str, doc_date=None, source=None, ingest_date=None):  # type: ignore[no-untyped-def]
        return self.out[source]


def _write(folder: Path, name: str, text: str, gold: dict) -> None:  # type: ignore[type-arg]
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.gold.json").write_text(json.dumps(gold), encoding="utf-8")


def test_evaluate_counts_precision_recall_speakers_and_dates(tmp_path: Path):
    _write(
        tmp_path,
        "a",
        "Jane Roe said crime fell 20 percent. She promised more police.",
        {
            "doc_date": "2024-03-05",
            "ingest_date": "2026-11-30",
            "claims": [
                {"text": "Crime fell 20 percent.", "speaker": "Jane Roe", "date": "2024-03-05"},
                {"text": "Wages rose 3 percent in 2023.", "speaker": "Jane Roe", "date": "2024-03-05"},
            ],
        },
    )

    def ec(text: str, speaker: str | None, date: str, score: float = 0.9, category: str = "fact") -> ExtractedClaim:
        return ExtractedClaim(Claim(text=text, speaker=speaker, date=date), score, 0, 1, category=category)

    out = {
        "a": [
            ec("Crime fell 20 percent.", "Jane Roe", "2024-03-04"),  # matched; date wrong
            ec("Wages rose 3 percent in 2023.", "John Doe", "2024-03-05"),  # matched; speaker wrong
            ec("More police will come.", "Jane Roe", "2024-03-05", category="prediction"),  # not counted
            ec("The weather was fine today.", None, "2024-03-05", score=0.2),
        ]
    }  # below min_score
    r = evaluate(tmp_path, extractor=ScriptedExtractor(out))
    assert (r["predicted_claims"], r["gold_claims"], r["matched"]) == (2, 2, 2)
    assert r["precision"] == r["recall"] == r["f1"] == 1.0
    assert r["speaker_accuracy"] == 0.5 and r["date_accuracy"] == 0.5
    assert r["per_document"][0]["wrong"][0]["gold_date"] == "2024-03-05"
    r = evaluate(tmp_path, extractor=ScriptedExtractor(out), min_score=0.1)
    assert r["predicted_claims"] == 3 and r["precision"] == pytest.approx(2 / 3)


def test_bad_folders_say_what_to_do(tmp_path: Path):
    with pytest.raises(InputError, match="not a folder"):
        load_set(tmp_path / "nope")
    with pytest.raises(InputError, match="no NAME.gold.json"):
        load_set(tmp_path)
    (tmp_path / "x.gold.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="no x.txt"):
        load_set(tmp_path)
    (tmp_path / "x.txt").write_text("Some text here.", encoding="utf-8")
    with pytest.raises(InputError, match="x.gold.json"):
        load_set(tmp_path)  # no "claims" key
    (tmp_path / "x.gold.json").write_text('{"claims": [{"text": "a", "date": "14 Dec"}]}', encoding="utf-8")
    with pytest.raises(InputError, match="cannot read date"):
        load_set(tmp_path)


def test_cli_fails_cleanly_without_a_folder(tmp_path: Path):
    r = CliRunner().invoke(eval_group, ["claims"])
    assert r.exit_code == 2 and "--data is required" in r.stderr
    r = CliRunner().invoke(eval_group, ["claims", "--data", str(tmp_path / "missing"), "--no-record"])
    assert r.exit_code == 2 and "is not a folder" in r.stderr
    r = CliRunner().invoke(eval_group, ["claims", "--data", str(tmp_path), "--no-record"])
    assert r.exit_code == 2 and "no NAME.gold.json" in r.stderr


def test_the_shipped_set_is_well_formed():
    for part in ("dev", "heldout"):
        items = load_set(EVAL_SET / part)
        assert len(items) >= 4
        for it in items:
            assert it.claims and it.ingest_date == dt.date(2026, 11, 30)
            assert all(c["date"] for c in it.claims)  # every gold claim carries a date


@pytest.mark.slow
def test_cli_scores_the_dev_set_with_the_real_extractor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FACTDESK_RESULTS_DIR", str(tmp_path))
    r = CliRunner().invoke(eval_group, ["claims", "--data", str(EVAL_SET / "dev")])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["suite"] == "claims-eval" and out["documents"] == 6 and out["gold_claims"] == 20
    # the dev set is what the rules were developed on: it must stay (near) clean
    assert out["recall"] >= 0.9 and out["precision"] >= 0.9
    assert out["speaker_accuracy"] >= 0.9 and out["date_accuracy"] >= 0.9
    assert (tmp_path / "claims-eval.jsonl").is_file()
