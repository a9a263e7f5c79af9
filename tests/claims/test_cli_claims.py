"""The `claims` and `check-article` commands: input errors (fast) and one real run (slow)."""

from __future__ import annotations

import json

import pytest
from claims_fixtures import EXAMPLES
from click.testing import CliRunner

from factdesk.app.cli_claims import check_article, claims, train_checkworthy


def test_cli_claims_empty_stdin():
    r = CliRunner().invoke(claims, ["-"], input="   \n")
    assert r.exit_code == 2 and "stdin is empty" in r.output


def test_cli_claims_missing_and_unknown(tmp_path):
    r = CliRunner().invoke(claims, [str(tmp_path / "nope.txt")])
    assert r.exit_code == 2 and "no such file" in r.output
    bad = tmp_path / "a.docx"
    bad.write_text("x")
    r = CliRunner().invoke(claims, [str(bad)])
    assert r.exit_code == 2 and ".txt" in r.output and ".pdf" in r.output


def test_cli_claims_whitespace_file(tmp_path):
    f = tmp_path / "blank.txt"
    f.write_text("  \n\n  ")
    r = CliRunner().invoke(claims, [str(f)])
    assert r.exit_code == 2 and "whitespace" in r.output


def test_cli_check_article_empty_store(tmp_path):
    r = CliRunner().invoke(check_article, [str(EXAMPLES / "eastport-bridge-news.txt"), "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 2 and "no evidence yet" in r.output


def test_cli_train_command_is_named_checkworthy():
    assert train_checkworthy.name == "checkworthy"


@pytest.mark.slow
def test_cli_claims_json_on_press_release():
    r = CliRunner().invoke(
        claims, [str(EXAMPLES / "northvale-water-press-release.md"), "--top", "2", "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    top = data["claims"][0]
    assert top["speaker"] == "Helen Achebe" and "chief executive" in top["speaker_title"]
    assert top["date"] == "2024-03-05"  # the front matter's date
    assert set(top) >= {"text", "quote", "score", "speaker", "speaker_title", "date", "start", "end"}


def test_cli_claims_bad_ingest_date(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Jane Roe, the mayor, said that crime fell 20 percent across the city.")
    r = CliRunner().invoke(claims, [str(f), "--ingest-date", "last week"])
    assert r.exit_code == 2 and "--ingest-date 'last week' is not a date" in r.output


@pytest.mark.slow
def test_cli_claims_undated_text_takes_the_ingest_date(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Jane Roe, the mayor, said that violent crime fell 20 percent across the city last year.")
    r = CliRunner().invoke(claims, [str(f), "--format", "json", "--ingest-date", "2026-11-30"])
    assert r.exit_code == 0, r.output
    top = json.loads(r.output)["claims"][0]
    assert (top["date"], top["date_source"]) == ("2026-11-30", "ingest")
    r = CliRunner().invoke(claims, [str(f), "--ingest-date", "2026-11-30"])
    assert "2026-11-30 (date from the ingest date)" in r.output
