"""`factdesk ingest --claims`, `extract-claims`, `import-checks` and `narratives` on the example set
(examples/narratives/), with the real claim extractor and embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdesk.app.cli import main

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "narratives"


@pytest.mark.slow
def test_demo_set_shows_the_recurring_claim_with_speakers_timeline_and_check(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    r = CliRunner()
    out = r.invoke(main, ["ingest", str(DEMO / "sources"), "--claims", "--no-progress", "--db", db])
    assert out.exit_code == 0, out.output
    assert "check-worthy claims" in out.output
    again = r.invoke(main, ["extract-claims", "--db", db])
    assert again.exit_code == 0 and "0 new" in again.output and "(8 read before)" in again.output
    out = r.invoke(main, ["import-checks", str(DEMO / "checks" / "factcheck-nato-refugees.json"), "--db", db])
    assert out.exit_code == 0, out.output
    out = r.invoke(main, ["narratives", "--format", "json", "--db", db])
    assert out.exit_code == 0, out.output
    groups = json.loads(out.stdout)
    nato = groups[0]
    assert nato["representative"] == "NATO countries have become a real machine producing refugees"
    assert {"Irina Dobos", "Viktor Rusk"} <= set(nato["speakers"])
    assert {"Ostland State News", "Border Herald"} <= set(nato["outlets"])
    assert [(c["outlet"], c["rating"]) for c in nato["checks"]] == [("Example Fact Check", "False")]
    assert nato["months"].get("2026-03", 0) >= 2 and nato["trend"] == "rising"
    claims = [m for m in nato["members"] if m["kind"] == "claim"]
    assert all(m["document_id"] and m["end"] > m["start"] for m in claims)
    # The jobs claim recurs too, in other words, by the same minister.
    jobs = [g for g in groups if "percent" in g["representative"]]
    assert jobs and jobs[0]["speakers"] == ["Petr Holan"] and jobs[0]["size"] == 2
    md = r.invoke(main, ["narratives", "--db", db, "--since", "2026-03-01"])
    assert md.exit_code == 0 and "## " in md.stdout and "trend:" in md.stdout
    html = r.invoke(main, ["narratives", "--db", db, "--format", "html"])
    assert "<svg" in html.stdout and "<script" not in html.stdout


def test_narratives_cli_rejects_bad_dates(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["narratives", "--since", "2026-02-30", "--db", str(tmp_path / "x.db")])
    assert out.exit_code == 2 and "--since" in out.output
    out = CliRunner().invoke(main, ["narratives", "--db", str(tmp_path / "x.db"), "split", "claim:nope"])
    assert out.exit_code == 2 and "no grouped claim" in out.output
    out = CliRunner().invoke(main, ["narratives", "merge", "n-a", "n-b", "--db", str(tmp_path / "x.db")])
    assert out.exit_code == 2 and "no recurring claim 'n-a'" in out.output
