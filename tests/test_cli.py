"""End-to-end CLI tests: the real embedding model and the real shipped judge."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo_corpus"
GLAZ = (
    "Over the past decade, NATO countries, including EU members led by the United States, "
    "have become a real machine producing refugees on a global scale."
)


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "factdesk.app.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    r = run("ingest", str(DEMO), "--db", str(db), "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "15 documents added" in r.stdout
    return db


@pytest.mark.slow
def test_reingest_is_idempotent(demo_db):
    r = run("ingest", str(DEMO), "--db", str(demo_db), "--no-progress")
    assert "0 documents added" in r.stdout and "15 already stored" in r.stdout


@pytest.mark.slow
def test_check_json_cites_the_right_passages(demo_db):
    r = run(
        "check",
        "Russia began air strikes in Syria on 30 September 2015.",
        "--db",
        str(demo_db),
        "--format",
        "json",
        "--top-k",
        "4",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # The shipped judge is under-trained (see its model card): it must not call a claim that
    # its own evidence states verbatim false, and it must rank and judge that passage first.
    assert out["verdict"] not in ("False", "Likely False", "Partially False")
    assert abs(sum(out["verdict_detail"]["averitec_probs"].values()) - 1) < 1e-6
    top = out["evidence"][0]
    assert top["publisher"] == "Reuters" and "30 September 2015" in top["text"]
    assert top["stance"] == "supports"
    for e in out["evidence"]:
        assert {
            "passage_id",
            "document_id",
            "url",
            "title",
            "published",
            "text",
            "scores",
            "stance",
            "stance_probability",
        } <= set(e)


@pytest.mark.slow
def test_demo_claim_markdown_report(demo_db):
    r = run(
        "check",
        GLAZ,
        "--speaker",
        "Anatoly Glaz",
        "--speaker-title",
        "Press secretary, Belarus MFA",
        "--date",
        "2021-12-14",
        "--db",
        str(demo_db),
    )
    assert r.returncode == 0, r.stderr
    md = r.stdout
    assert "Anatoly Glaz" in md and "**Verdict:**" in md and "## Sources" in md
    assert "[1] " in md
    # evidence is dated before the claim
    out = json.loads(run("check", GLAZ, "--date", "2021-12-14", "--db", str(demo_db), "--format", "json").stdout)
    assert all(e["published"] <= "2021-12-14" for e in out["evidence"])


@pytest.mark.slow
def test_claimreview_and_html(demo_db):
    r = run(
        "check",
        GLAZ,
        "--speaker",
        "Anatoly Glaz",
        "--speaker-title",
        "Press secretary",
        "--date",
        "2021-12-14",
        "--db",
        str(demo_db),
        "--format",
        "claimreview",
    )
    cr = json.loads(r.stdout)
    assert cr["@type"] == "ClaimReview" and cr["itemReviewed"]["author"]["name"] == "Anatoly Glaz"
    assert cr["itemReviewed"]["author"]["jobTitle"] == "Press secretary"
    assert cr["itemReviewed"]["datePublished"] == "2021-12-14"
    assert {"ratingValue", "bestRating", "worstRating", "alternateName"} <= set(cr["reviewRating"])
    h = run("check", GLAZ, "--db", str(demo_db), "--format", "html").stdout
    assert '<script type="application/ld+json">' in h


def test_bad_input_errors(tmp_path):
    r = run("check", "  ", "--db", str(tmp_path / "x.db"))
    assert r.returncode == 2 and "claim is empty" in r.stderr
    r = run("check", "A claim", "--db", str(tmp_path / "nope" / "x.db"))
    assert r.returncode == 2 and "does not exist" in r.stderr
    r = run("check", "A claim", "--db", str(tmp_path / "empty.db"))
    assert r.returncode == 2 and "factdesk ingest" in r.stderr
    r = run("check", "A claim", "--date", "yesterday", "--db", str(tmp_path / "empty.db"))
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr
    (tmp_path / "bin.txt").write_bytes(b"\x00\xff" * 10)
    (tmp_path / "ok.txt").write_text("Minsk is the capital of Belarus.")
    r = run(
        "ingest", str(tmp_path / "bin.txt"), str(tmp_path / "ok.txt"), "--db", str(tmp_path / "m.db"), "--no-progress"
    )
    assert r.returncode == 0
    assert "1 documents added" in r.stdout and "bin.txt: looks binary" in r.stdout
    r = run("ingest", str(tmp_path / "bin.txt"), "--db", str(tmp_path / "m2.db"), "--no-progress")
    assert r.returncode == 1


ARTICLE = """Minsk, December 14, 2021. Belarus's foreign ministry again blamed the West for the crisis on its border.

Anatoly Glaz, press secretary of the Belarus Foreign Ministry, spoke to the state news agency.

"NATO countries, led by the United States, have become a real machine producing refugees on a global scale," Glaz said.

The European Union imposed new sanctions on Belarus in November 2021, accusing Minsk of flying migrants to its borders, EU officials said.
"""


@pytest.mark.slow
def test_check_article_reports_a_verdict_per_claim(demo_db, tmp_path):
    f = tmp_path / "article.txt"
    f.write_text(ARTICLE)
    r = run("check-article", str(f), "--top", "2", "--format", "json", "--db", str(demo_db), "--no-progress")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["claims"]) == 2
    speakers = {c["extracted"]["speaker"] for c in out["claims"]}
    assert "Anatoly Glaz" in speakers
    for c in out["claims"]:
        fc = c["fact_check"]
        assert fc["verdict"] and fc["evidence"], fc
        assert any((e["url"] or "").startswith("https://example.org/") for e in fc["evidence"])
    md = run("check-article", str(f), "--top", "2", "--db", str(demo_db), "--no-progress").stdout
    assert md.count("**Verdict:**") == 2 and "| # | claim | speaker | verdict | confidence |" in md
