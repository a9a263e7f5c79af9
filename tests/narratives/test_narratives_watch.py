"""`factdesk watch DIR --once` on the example set: the alert for the repeated checked claim, and
nothing lost or repeated across restarts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdesk.app.cli import main

DEMO = Path(__file__).resolve().parents[2] / "examples" / "narratives"


def _alerts(output: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"key"')]


@pytest.mark.slow
def test_watch_alerts_on_the_repeated_checked_claim_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(DEMO / "sources", inbox)
    late = inbox / "2026-03-17-ostland-tv-evening.md"
    held = late.read_text(encoding="utf-8")
    late.unlink()  # arrives later
    db, alerts = str(tmp_path / "w.db"), tmp_path / "alerts.jsonl"
    r = CliRunner()
    assert (
        r.invoke(main, ["import-checks", str(DEMO / "checks" / "factcheck-nato-refugees.json"), "--db", db]).exit_code
        == 0
    )
    args = ["watch", str(inbox), "--once", "--alerts", str(alerts), "--db", db]
    out = r.invoke(main, args)
    assert out.exit_code == 0, out.output
    first = _alerts(out.stdout)
    checked = [a for a in first if "repeats-checked" in a["reasons"]]
    assert {a["speaker"] for a in checked} >= {"Irina Dobos", "Viktor Rusk"}
    assert all(c["rating"] == "False" for a in checked for c in a["checks"] if c["via"] == "group")
    assert [json.loads(x)["key"] for x in alerts.read_text().splitlines()] == [a["key"] for a in first]
    # A restart with nothing new raises nothing.
    again = r.invoke(main, args)
    assert again.exit_code == 0 and _alerts(again.stdout) == []
    # A new file with the claim again raises exactly its alert.
    late.write_text(held, encoding="utf-8")
    new = _alerts(r.invoke(main, args).stdout)
    assert [a["speaker"] for a in new if "repeats-checked" in a["reasons"]] == ["Anatoly Varga"]
    assert len(alerts.read_text().splitlines()) == len(first) + len(new)


def test_watch_refuses_a_webhook_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACTDESK_ALLOW_NETWORK", raising=False)
    out = CliRunner().invoke(
        main,
        ["watch", str(tmp_path), "--once", "--webhook", "https://example.org/hook", "--db", str(tmp_path / "x.db")],
    )
    assert out.exit_code == 2 and "allow_network" in out.output
