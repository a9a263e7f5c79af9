"""`factdesk eval claim-matching`: CheckThat! 2020 Task 2 files, matcher and BM25 side by side."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from factdesk.app.cli_eval import eval_group
from factdesk.errors import InputError
from factdesk.eval import claim_matching
from factdesk.eval.claim_matching import load_qrels, load_queries, ranking_metrics
from factdesk.testing.fakes import FakeEmbedder

CHECKS = (
    "\tvclaim\ttitle\n"
    "0\tTurkey hosts the largest refugee population in the world.\tTurkey and its refugees\n"
    "1\tDrinking bleach cures the coronavirus.\tBleach is no cure\n"
    "2\tA photograph shows a shark swimming on a flooded highway.\tHighway shark photo\n"
    "3\tThe moon landing was filmed in a studio.\tMoon landing hoax\n"
)
QUERIES = (
    "\ttweet_content\n"
    '10\t"Bleach CURES #coronavirus, they said ""drink it"" https://t.co/x — Joe (@joe) March 3, 2020"\n'
    "11\tShark on the highway again!! #HurricaneHarvey pic.twitter.com/abc\n"
    "12\tWhy does nobody talk about the refugee numbers in Turkey?\n"
    "13\tA tweet nobody fact-checked\n"
)
QRELS = "10 0 1 1\n11 0 2 1\n12\t0\t0\t1\n"


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in [("checks", CHECKS), ("queries", QUERIES), ("qrels", QRELS)]:
        p = tmp_path / f"{name}.tsv"
        p.write_text(text, encoding="utf-8")
        out[name] = p
    return out


class OverlapReranker:
    """Same-claim logit: shared words between post and check (minus 1.5); P = sigmoid(logit)."""

    threshold = 0.5
    rerank_top = 3
    reorder = True
    config = {"version": "overlap-test"}

    def warm_up(self) -> None:
        pass

    def logits(self, pairs):
        import numpy as np

        from factdesk.match.bm25 import tokenize

        return np.array([len(set(tokenize(p)) & set(tokenize(c))) - 1.5 for p, c in pairs], dtype=np.float32)

    def calibrate(self, logits, cosines, rrf_k=10):
        import numpy as np

        return (1 / (1 + np.exp(-logits))).astype(np.float32)


@pytest.fixture(autouse=True)
def fake_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claim_matching, "_default_embedder", lambda: FakeEmbedder())
    monkeypatch.setattr(claim_matching, "_default_reranker", lambda: OverlapReranker())


def run(args: list[str]) -> tuple[int, str, str]:
    r = CliRunner().invoke(eval_group, args)
    return r.exit_code, r.stdout, r.stderr


def test_ranking_metrics_follow_trec_map_at_depth() -> None:
    rankings = {"a": ["x", "r1", "y", "r2"], "b": ["r"], "c": ["z"], "unjudged": ["r"]}
    qrels = {"a": {"r1", "r2"}, "b": {"r"}, "c": {"r"}}
    m = ranking_metrics(rankings, qrels)
    assert m["map@1"] == pytest.approx(1 / 3)
    assert m["map@3"] == pytest.approx((0.5 / 2 + 1) / 3)
    assert m["map@5"] == pytest.approx(((0.5 + 0.5) / 2 + 1) / 3)
    assert m["mrr"] == pytest.approx((0.5 + 1) / 3)
    assert m["recall@1"] == pytest.approx(1 / 3) and m["recall@5"] == pytest.approx((1 + 1) / 3)


def test_loaders_read_csv_quoting_and_trec_whitespace(files: dict[str, Path]) -> None:
    qs = load_queries(files["queries"])
    assert list(qs) == ["10", "11", "12", "13"] and '"drink it"' in qs["10"]
    assert load_qrels(files["qrels"]) == {"10": {"1"}, "11": {"2"}, "12": {"0"}}


def test_cli_claim_matching_prints_matcher_and_bm25_metrics(files: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "checks.db"
    args = [
        "claim-matching",
        "--queries",
        str(files["queries"]),
        "--qrels",
        str(files["qrels"]),
        "--checks",
        str(files["checks"]),
        "--db",
        str(db),
    ]
    code, stdout, stderr = run(args)
    assert code == 0, stderr
    m = json.loads(stdout)
    assert m["suite"] == "claim-matching" and m["primary_metric"] == "map@5"
    assert m["n_queries"] == 3 and m["n_checks"] == 4  # query 13 has no qrels: not scored
    assert m["map@1"] == m["map@5"] == m["mrr"] == m["recall@20"] == 1.0
    for key in ("map@3", "recall@1", "recall@5", "p50_ms", "p95_ms"):
        assert key in m and key in m["bm25"]
    assert m["map@5_minus_bm25"] == pytest.approx(m["map@5"] - m["bm25"]["map@5"])
    assert 0 <= m["same_claim"]["answered_yes"] <= 1
    # The ablation: BM25 alone, the first stage (BM25 + dense, RRF), and with the reranker (the headline).
    assert list(m["ablation"]) == ["bm25", "bm25 + dense (rrf)", "bm25 + dense (rrf) + same-claim reranker"]
    assert (
        m["ablation"]["bm25"] == m["bm25"] and m["ablation"]["bm25 + dense (rrf) + same-claim reranker"]["map@5"] == 1.0
    )
    sc = m["same_claim"]
    assert sc["threshold"] == 0.5 and sc["rule"].startswith("P(same claim) >= 0.50") and m["reranker"] == "overlap-test"
    # Shown: each query's right check (2+ shared words), and nothing wrong: precision 1, recall 1.
    assert (sc["shown"], sc["precision"], sc["recall"], sc["answered_yes"]) == (3, 1.0, 1.0, 1.0)
    rec = Path(os.environ["FACTDESK_RESULTS_DIR"]) / "claim-matching.jsonl"
    assert json.loads(rec.read_text().splitlines()[-1])["metrics"]["map@5"] == 1.0
    code, stdout2, _ = run(args + ["--no-record", "--limit", "1"])  # the store caches the vectors
    assert code == 0 and json.loads(stdout2)["n_queries"] == 1


@pytest.mark.parametrize(
    "which,text,message",
    [
        ("qrels", "10 0 1\n", "expected 'query_id 0 claim_id relevance'"),
        ("qrels", "10 0 99 1\n", "names claim id(s) 99"),
        ("qrels", "10 0 1 yes\n", "is not an integer"),
        ("queries", "just one column\n", "not a CheckThat! queries file"),
        ("queries", "\ttweet\n1\ta\n1\tb\n", "appears twice"),
        ("checks", "id\ttext\n1\thello\n", "not a CheckThat! verified-claims file"),
    ],
)
def test_cli_claim_matching_malformed_files_exit_2(files: dict[str, Path], which: str, text: str, message: str) -> None:
    files[which].write_text(text, encoding="utf-8")
    code, _, stderr = run(
        [
            "claim-matching",
            "--queries",
            str(files["queries"]),
            "--qrels",
            str(files["qrels"]),
            "--checks",
            str(files["checks"]),
        ]
    )
    assert code == 2 and message in stderr


def test_cli_claim_matching_missing_file(files: dict[str, Path]) -> None:
    code, _, stderr = run(
        ["claim-matching", "--queries", "nope.tsv", "--qrels", str(files["qrels"]), "--checks", str(files["checks"])]
    )
    assert code == 2 and "--queries 'nope.tsv' does not exist" in stderr


def test_evaluate_rejects_queries_without_judgements(files: dict[str, Path]) -> None:
    files["qrels"].write_text("99 0 1 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no query id"):
        claim_matching.evaluate(files["queries"], files["qrels"], files["checks"], embedder=FakeEmbedder())
