"""`factdesk eval ...` through click: one JSON object out, exit code 2 on bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdesk.app.cli_eval import eval_group
from factdesk.types import Rating, Verdict


def fake_judge(claim, evidence):  # type: ignore[no-untyped-def]
    from factdesk.testing.fakes import FakeStanceModel
    from factdesk.types import Stance

    probs = FakeStanceModel().predict([(claim.text, e.passage.text) for e in evidence])
    for e, p in zip(evidence, probs, strict=True):
        e.stance = Stance.from_probs(p)
    rating = Rating.FALSE if "Connery" in claim.text else Rating.TRUE
    return evidence, Verdict(rating=rating, confidence=0.8)


@pytest.fixture()
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    from factdesk.eval import averitec

    monkeypatch.setattr(averitec, "_default_judge", lambda: fake_judge)


def run(args: list[str]) -> tuple[int, str, str]:
    r = CliRunner().invoke(eval_group, args)
    return r.exit_code, r.stdout, r.stderr


def test_cli_eval_averitec_gold_with_fake_judge(samples: dict, tmp_path: Path, fakes: None) -> None:
    data = tmp_path / "dev.json"
    data.write_text(json.dumps(samples["AVERITEC"]), encoding="utf-8")
    out = tmp_path / "pred.json"
    code, stdout, _ = run(["averitec", "--data", str(data), "--out", str(out)])
    assert code == 0
    m = json.loads(stdout)
    assert m["n"] == 3 and m["accuracy"] == pytest.approx(2 / 3)
    assert m["q_plus_a"] > 0.9  # gold evidence strings score ~1 by construction
    for key in (
        "macro_f1",
        "per_class",
        "confusion_matrix",
        "q_only",
        "averitec_score_by_tau",
        "seconds",
        "claims_per_second",
    ):
        assert key in m
    assert set(m["averitec_score_by_tau"]) >= {"0.2", "0.25", "0.3"}
    assert len(json.loads(out.read_text())) == 3
    assert (Path(os.environ["FACTDESK_RESULTS_DIR"]) / "averitec-gold.jsonl").is_file()


@pytest.mark.parametrize(
    "cmd",
    [
        ["averitec", "--data"],
        ["climate-fever", "--data"],
        ["checkworthy", "--data"],
        ["scifact", "--corpus", "x.jsonl", "--claims"],
    ],
)
def test_cli_eval_missing_file_is_one_line_exit_2(tmp_path: Path, cmd: list[str]) -> None:
    code, stdout, stderr = run(cmd + [str(tmp_path / "missing.json")])
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("error:")


@pytest.mark.parametrize(
    "cmd, text",
    [
        (["averitec", "--data"], "[{]"),
        (["climate-fever", "--data"], "not json\n"),
        (["checkworthy", "--data"], "just words\n"),
        (["averitec", "--data"], '[{"claim": "x", "label": "Perhaps", "questions": []}]'),
    ],
)
def test_cli_eval_malformed_file_is_one_line_exit_2(tmp_path: Path, cmd: list[str], text: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(text, encoding="utf-8")
    code, stdout, stderr = run(cmd + [str(bad)])
    assert code == 2 and stdout == "" and stderr.count("\n") == 1, stderr


def test_cli_eval_checkworthy_with_fake_model(samples: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from factdesk.eval import checkworthy

    monkeypatch.setattr(
        checkworthy, "default_scorer", lambda: lambda s: np.array([0.9 if "percent" in t else 0.1 for t in s])
    )
    for name, text in (("cb.json", samples["CLAIMBUSTER"]), ("ct19.csv", samples["CT19"])):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        code, stdout, _ = run(["checkworthy", "--data", str(p), "--no-record"])
        assert code == 0, stdout
        assert "map" in json.loads(stdout)


def test_cli_eval_climate_fever_with_fake_judge(samples: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from factdesk.verdict import judge as judge_mod

    class FakeJudge:
        def warm_up(self) -> None:
            pass

        run = staticmethod(fake_judge)

    monkeypatch.setattr(judge_mod, "Judge", FakeJudge)
    p = tmp_path / "cf.jsonl"
    p.write_text(samples["CLIMATE"], encoding="utf-8")
    code, stdout, _ = run(["climate-fever", "--data", str(p)])
    assert code == 0
    m = json.loads(stdout)
    assert (
        m["n"] == 3
        and m["evidence"]["n"] == 4
        and m["label_mapping"]["Conflicting Evidence/Cherrypicking"] == "DISPUTED"
    )


@pytest.mark.slow
@pytest.mark.shared
def test_cli_eval_averitec_five_real_claims_end_to_end(shared, tmp_path: Path) -> None:
    """The real judge on the first 5 dev claims, through the CLI in a fresh process."""
    data = shared("averitec", "dev_public.json")
    from factdesk.models.cross_encoder import DEFAULT_MODEL_DIR

    if not (DEFAULT_MODEL_DIR / "model.onnx").is_file():
        pytest.skip(f"the shipped stance model is not built yet ({DEFAULT_MODEL_DIR}): `factdesk train stance`")
    env = {**os.environ, "FACTDESK_RESULTS_DIR": str(tmp_path / "results")}
    r = subprocess.run(
        [sys.executable, "-m", "factdesk.app.cli_eval", "averitec", "--data", str(data), "--limit", "5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads(r.stdout)
    assert m["n"] == 5 and 0.0 <= m["accuracy"] <= 1.0 and m["q_plus_a"] > 0.9
