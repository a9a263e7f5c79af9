"""The retrieved-setting AVeriTeC runner and the SciFact runner on inline data, with fake models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factdesk.types import Rating, StanceLabel, Verdict


class VoteAggregator:
    def warm_up(self) -> None:
        pass

    def run(self, claim, evidence):  # type: ignore[no-untyped-def]
        s = sum(1 for e in evidence if e.stance and e.stance.label == StanceLabel.SUPPORTS)
        r = sum(1 for e in evidence if e.stance and e.stance.label == StanceLabel.REFUTES)
        rating = Rating.TRUE if s > r else Rating.FALSE if r > s else Rating.UNSUBSTANTIATED
        return Verdict(rating=rating, confidence=0.6)


@pytest.fixture()
def desk():  # type: ignore[no-untyped-def]
    from factdesk.pipeline import Desk
    from factdesk.testing.fakes import FakeEmbedder, FakeStanceModel

    return Desk(db=":memory:", embedder=FakeEmbedder(), stance_model=FakeStanceModel(), aggregator=VoteAggregator())


def test_runner_averitec_retrieved_from_pool(samples: dict, tmp_path: Path, desk) -> None:  # type: ignore[no-untyped-def]
    from factdesk.eval import averitec

    data = tmp_path / "dev.json"
    data.write_text(json.dumps(samples["AVERITEC"]), encoding="utf-8")
    desk.ingest(averitec.pooled_documents([data]))
    out = tmp_path / "pred.json"
    m = averitec.evaluate(data, setting="retrieved", desk=desk, out=out)
    assert m["n"] == 3 and 0.0 <= m["own_answer_recall_at_10"] <= 1.0
    pred = json.loads(out.read_text())
    q = pred[0]["questions"][0]["question"]
    assert q == "Is it true that Sean Connery refused to appear in an Apple commercial?"
    assert pred[0]["label"] in averitec.LABELS


def test_runner_scifact_with_fake_desk(samples: dict, tmp_path: Path, desk) -> None:  # type: ignore[no-untyped-def]
    from factdesk.eval import scifact

    claims = tmp_path / "claims.jsonl"
    corpus = tmp_path / "corpus.jsonl"
    claims.write_text(samples["SCIFACT_CLAIMS"], encoding="utf-8")
    corpus.write_text(samples["SCIFACT_CORPUS"], encoding="utf-8")
    m = scifact.evaluate(claims, corpus, desk=desk, out=tmp_path / "pred.jsonl")
    assert m["n"] == 3 and m["corpus_size"] == 3 and m["documents_added"] == 3
    assert m["primary_metric"] == "abstract_label_rationale_f1"
    lines = (tmp_path / "pred.jsonl").read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == [0, 2, 12]
