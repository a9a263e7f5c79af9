"""Verdict aggregators: valid distributions, monotone in refuting evidence, the rating mapping."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from factdesk.types import AveritecLabel, Claim, Document, Evidence, Passage, Rating, Stance
from factdesk.verdict.aggregate import (
    AVERITEC_ORDER,
    DEFAULT_PATH,
    FEATURES,
    INFO_FEATURES,
    LearnedAggregator,
    RuleAggregator,
    default_aggregator,
    evidence_features,
    make_verdict,
)

CLAIM = Claim("Country X's unemployment rate fell to 3% in 2020.", date=dt.date(2021, 1, 5))


def ev(sup: float, ref: float, text: str = "Official statistics on unemployment.") -> Evidence:
    nei = max(0.0, 1.0 - sup - ref)
    doc = Document(text=f"{text} {sup} {ref}", published=dt.date(2020, 12, 1))
    p = Passage(document_id=doc.id, text=doc.text, start=0, end=len(doc.text))
    return Evidence(passage=p, document=doc, scores={"fused": 0.5}, stance=Stance.from_probs([sup, ref, nei]))


def aggregators() -> list[object]:
    out: list[object] = [RuleAggregator()]
    if DEFAULT_PATH.is_file():
        out.append(LearnedAggregator(claim_level=False))
    return out


@pytest.fixture(params=aggregators(), ids=lambda a: type(a).__name__)
def agg(request: pytest.FixtureRequest) -> object:
    a = request.param
    a.warm_up()
    return a


CASES = [
    [],
    [ev(0.9, 0.05)],
    [ev(0.05, 0.9)],
    [ev(0.1, 0.1), ev(0.2, 0.1)],
    [ev(0.8, 0.1), ev(0.1, 0.85), ev(0.3, 0.3)],
]


@pytest.mark.parametrize("evidence", CASES)
def test_aggregate_probabilities_sum_to_one(agg, evidence) -> None:
    v = agg.run(CLAIM, evidence)
    assert sum(v.averitec_probs.values()) == pytest.approx(1.0, abs=1e-6)
    assert sum(v.probs.values()) == pytest.approx(1.0, abs=1e-6)
    assert set(v.probs) == {r.value for r in Rating}
    assert set(v.averitec_probs) == {a.value for a in AveritecLabel}
    assert 0.0 <= v.confidence <= 1.0
    assert v.method


def test_aggregate_no_evidence_is_unsubstantiated(agg) -> None:
    v = agg.run(CLAIM, [])
    assert v.rating == Rating.UNSUBSTANTIATED
    assert v.averitec_label == AveritecLabel.NOT_ENOUGH_EVIDENCE


def test_aggregate_all_nei_is_unsubstantiated(agg) -> None:
    v = agg.run(CLAIM, [ev(0.1, 0.05), ev(0.2, 0.1)])
    assert v.rating == Rating.UNSUBSTANTIATED


def test_aggregate_more_refuting_evidence_never_raises_supported(agg) -> None:
    base = [ev(0.9, 0.05)]
    p0 = agg.run(CLAIM, base).averitec_probs[AveritecLabel.SUPPORTED.value]
    p1 = agg.run(CLAIM, base + [ev(0.05, 0.9)]).averitec_probs[AveritecLabel.SUPPORTED.value]
    p2 = agg.run(CLAIM, base + [ev(0.05, 0.9), ev(0.02, 0.95)]).averitec_probs[AveritecLabel.SUPPORTED.value]
    assert p1 <= p0 + 1e-9
    assert p2 <= p1 + 1e-9


def test_aggregate_stronger_refutation_never_raises_supported(agg) -> None:
    ps = [agg.run(CLAIM, [ev(0.7, 0.1), ev(0.1, r)]).averitec_probs[AveritecLabel.SUPPORTED.value]
          for r in (0.3, 0.5, 0.7, 0.9)]
    assert all(b <= a + 1e-9 for a, b in zip(ps, ps[1:]))


def test_aggregate_clear_cases(agg) -> None:
    assert agg.run(CLAIM, [ev(0.95, 0.02), ev(0.9, 0.03)]).averitec_label == AveritecLabel.SUPPORTED
    assert agg.run(CLAIM, [ev(0.02, 0.95), ev(0.03, 0.9)]).averitec_label == AveritecLabel.REFUTED


def test_rule_aggregator_formula() -> None:
    p = RuleAggregator().predict_proba(CLAIM, [ev(0.8, 0.1), ev(0.2, 0.6)])
    s, r = 0.8, 0.6
    assert p == pytest.approx([s * (1 - r), r * (1 - s), (1 - s) * (1 - r), s * r])


def test_make_verdict_rating_mapping() -> None:
    e = [ev(0.9, 0.05)]
    assert make_verdict(np.array([0.85, 0.05, 0.05, 0.05]), e, "t").rating == Rating.TRUE
    assert make_verdict(np.array([0.6, 0.2, 0.1, 0.1]), e, "t").rating == Rating.LIKELY_TRUE
    assert make_verdict(np.array([0.05, 0.9, 0.0, 0.05]), [ev(0.05, 0.9)], "t").rating == Rating.FALSE
    assert make_verdict(np.array([0.2, 0.6, 0.1, 0.1]), [ev(0.05, 0.9)], "t").rating == Rating.LIKELY_FALSE
    mixed_sup = [ev(0.9, 0.05), ev(0.1, 0.6)]
    mixed_ref = [ev(0.6, 0.1), ev(0.05, 0.9), ev(0.1, 0.8)]
    assert make_verdict(np.array([0.1, 0.1, 0.1, 0.7]), mixed_sup, "t").rating == Rating.MISLEADING
    assert make_verdict(np.array([0.1, 0.1, 0.1, 0.7]), mixed_ref, "t").rating == Rating.PARTIALLY_FALSE
    assert make_verdict(np.array([0.1, 0.1, 0.7, 0.1]), e, "t").rating == Rating.UNSUBSTANTIATED
    v = make_verdict(np.array([0.85, 0.05, 0.05, 0.05]), e, "t")
    assert v.probs[Rating.TRUE.value] == pytest.approx(0.85)
    assert v.confidence == pytest.approx(0.85)


def test_evidence_features_names_and_dates() -> None:
    f = evidence_features(CLAIM, [ev(0.9, 0.05), ev(0.1, 0.8)])
    assert list(f) == list(FEATURES) + list(INFO_FEATURES)
    assert f["share_before_claim"] == 1.0
    assert f["conflict"] == pytest.approx(0.9 * 0.8)


def test_default_aggregator_falls_back_to_rules(tmp_path) -> None:
    assert isinstance(default_aggregator(tmp_path / "absent.json"), RuleAggregator)


def test_learned_aggregator_missing_file_says_what_to_do(tmp_path) -> None:
    with pytest.raises(Exception, match="factdesk train verdict"):
        LearnedAggregator(tmp_path / "absent.json", claim_level=False).warm_up()


def test_averitec_order_matches_labels() -> None:
    assert [a.value for a in AVERITEC_ORDER] == [
        "Supported", "Refuted", "Not Enough Evidence", "Conflicting Evidence/Cherrypicking"]
