"""`factdesk eval narratives`' scoring on tiny CheckThat!-format files."""

from __future__ import annotations

from pathlib import Path

from factdesk.eval.narratives import bm25_groups, evaluate, gold_pairs, pairwise_prf
from factdesk.testing.fakes import FakeEmbedder


def test_pairwise_scores() -> None:
    gold = gold_pairs([{"a"}, {"a"}, {"b"}, {"b", "c"}, {"c"}])
    assert gold == {(0, 1), (2, 3), (3, 4)}
    assert pairwise_prf([0, 0, 1, 1, 2], gold) == {
        "precision": 1.0,
        "recall": 0.6667,
        "f1": 0.8,
        "predicted_pairs": 2,
        "gold_pairs": 3,
    }
    assert pairwise_prf([0, 1, 2, 3, 4], gold)["f1"] == 0.0


def test_bm25_baseline_links_near_copies() -> None:
    texts = [
        "NATO produces refugees at the border",
        "Cargo grew at the port",
        "NATO produces refugees at the border, again",
        "Snow fell in the valley",
    ]
    assert bm25_groups(texts, threshold=0.5) == [0, 1, 0, 2]


def test_evaluate_scores_splits_and_both_baselines(tmp_path: Path) -> None:
    q = tmp_path / "tweets.queries.tsv"
    q.write_text(
        "\ttweet_content\n1\tNATO countries produce refugees https://t.co/x\n2\tCargo grew at the port\n"
        "3\tNATO countries produce refugees, says minister\n4\tSnow fell in the valley\n",
        encoding="utf-8",
    )
    r = tmp_path / "qrels"
    r.write_text("1\t0\t7\t1\n2\t0\t8\t1\n3\t0\t7\t1\n4\t0\t9\t1\n", encoding="utf-8")
    got = evaluate([(q, r)], embedder=FakeEmbedder(dim=64))
    split = got["splits"][tmp_path.name]
    assert (split["posts"], split["gold_pairs"]) == (4, 1)
    assert split["singletons"]["f1"] == 0.0 and "bm25" in split
    assert got["f1"] == split["f1"]


def test_anchored_labels_join_posts_through_their_checks() -> None:
    import numpy as np

    from factdesk.eval.narratives import anchored_labels

    v = np.eye(4, dtype=np.float32)
    texts = ["a", "b", "c", "d"]
    best = [("ext-1", 0.9), ("ext-2", 0.9), ("ext-1", 0.5), ("ext-1", 0.1)]
    assert anchored_labels(texts, v, best, anchor_threshold=0.4) == [0, 1, 0, 2]


def test_eval_narratives_cli_needs_paired_files(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from factdesk.app.cli import main

    q = tmp_path / "q.tsv"
    q.write_text("\tt\n1\tx\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["eval", "narratives", "--queries", str(q), "--no-record"])
    assert out.exit_code == 2 and "--qrels" in out.output
    out = CliRunner().invoke(
        main, ["eval", "narratives", "--queries", str(q), "--qrels", str(tmp_path / "none"), "--no-record"]
    )
    assert out.exit_code == 2 and "does not exist" in out.output
