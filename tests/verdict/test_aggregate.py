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
    RELEVANCE_FEATURES,
    LearnedAggregator,
    RuleAggregator,
    add_similarity,
    default_aggregator,
    evidence_features,
    make_verdict,
)

CLAIM = Claim("Country X's unemployment rate fell to 3% in 2020.", date=dt.date(2021, 1, 5))


def ev(sup: float, ref: float, text: str = "Official statistics on unemployment.", sim: float = 0.6) -> Evidence:
    """A judged passage; `sim` is its claim-passage similarity (0.6: on the claim's subject)."""
    nei = max(0.0, 1.0 - sup - ref)
    doc = Document(text=f"{text} {sup} {ref}", published=dt.date(2020, 12, 1))
    p = Passage(document_id=doc.id, text=doc.text, start=0, end=len(doc.text))
    return Evidence(
        passage=p, document=doc, scores={"fused": 0.5, "similarity": sim}, stance=Stance.from_probs([sup, ref, nei])
    )


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
    ps = [
        agg.run(CLAIM, [ev(0.7, 0.1), ev(0.1, r)]).averitec_probs[AveritecLabel.SUPPORTED.value]
        for r in (0.3, 0.5, 0.7, 0.9)
    ]
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
    assert make_verdict(np.array([0.1, 0.1, 0.7, 0.1]), [ev(0.3, 0.1)], "t").rating == Rating.UNSUBSTANTIATED
    v = make_verdict(np.array([0.85, 0.05, 0.05, 0.05]), e, "t")
    assert v.probs[Rating.TRUE.value] == pytest.approx(0.85)
    assert v.confidence == pytest.approx(0.85)


def test_evidence_features_names_and_dates() -> None:
    f = evidence_features(CLAIM, [ev(0.9, 0.05), ev(0.1, 0.8)])
    assert list(f) == list(FEATURES) + list(INFO_FEATURES)
    assert f["share_before_claim"] == 1.0
    assert f["conflict"] == pytest.approx(0.9 * 0.8)


def test_evidence_features_relevance() -> None:
    items = [ev(0.1, 0.1, sim=s) for s in (0.2, 0.7, 0.1, 0.4)]
    f = evidence_features(CLAIM, items)
    assert RELEVANCE_FEATURES == ("max_sim", "mean_sim") and set(RELEVANCE_FEATURES) <= set(FEATURES)
    assert f["max_sim"] == pytest.approx(0.7)
    assert f["mean_sim"] == pytest.approx((0.7 + 0.4 + 0.2) / 3)  # the top 3
    del items[1].scores["similarity"]
    items[1].scores["dense"] = 0.5  # the dense retriever's cosine stands in
    del items[3].scores["similarity"]  # none recorded: counts as unrelated
    assert evidence_features(CLAIM, items)["max_sim"] == pytest.approx(0.5)
    assert evidence_features(CLAIM, [])["max_sim"] == 0.0


def test_add_similarity_fills_only_what_is_missing() -> None:
    from factdesk.testing.fakes import FakeEmbedder

    on = ev(0.1, 0.1, text="Country X unemployment rate fell in 2020")
    off = ev(0.1, 0.1, text="Cats sleep most of the day")
    kept = ev(0.1, 0.1, sim=0.33)
    for e in (on, off):
        del e.scores["similarity"]
    add_similarity(CLAIM, [on, off, kept], FakeEmbedder())
    assert 0.5 < on.scores["similarity"] <= 1.0
    assert off.scores["similarity"] == pytest.approx(0.0, abs=1e-6)
    assert kept.scores["similarity"] == 0.33


@pytest.mark.skipif(not DEFAULT_PATH.is_file(), reason="no shipped aggregator weights")
def test_learned_aggregator_irrelevant_evidence_is_unsubstantiated() -> None:
    agg = LearnedAggregator(claim_level=False)
    agg.warm_up()
    off = [ev(0.15, 0.25, sim=s) for s in (0.05, 0.1, 0.08, 0.12)]
    v = agg.run(CLAIM, off)
    assert v.rating == Rating.UNSUBSTANTIATED
    assert v.probs[Rating.UNSUBSTANTIATED.value] > 0.5
    on = agg.run(CLAIM, [ev(0.03, 0.92, sim=0.7), ev(0.05, 0.9, sim=0.65)])
    assert on.averitec_label == AveritecLabel.REFUTED


@pytest.mark.skipif(not DEFAULT_PATH.is_file(), reason="no shipped aggregator weights")
def test_learned_aggregator_more_relevant_evidence_never_raises_not_enough_evidence() -> None:
    agg = LearnedAggregator(claim_level=False)
    agg.warm_up()
    for stance in ((0.1, 0.1), (0.6, 0.1), (0.1, 0.7)):
        ps = [
            agg.run(CLAIM, [ev(*stance, sim=s), ev(0.1, 0.1, sim=s / 2)]).averitec_probs["Not Enough Evidence"]
            for s in (0.0, 0.2, 0.4, 0.6, 0.8)
        ]
        assert all(b <= a + 1e-9 for a, b in zip(ps, ps[1:])), (stance, ps)
        assert ps[0] > ps[-1]


@pytest.mark.skipif(not DEFAULT_PATH.is_file(), reason="no shipped aggregator weights")
def test_learned_aggregator_embeds_evidence_without_a_similarity() -> None:
    from factdesk.testing.fakes import FakeEmbedder

    agg = LearnedAggregator(claim_level=False, embedder=FakeEmbedder())
    e = ev(0.1, 0.1, text="Country X unemployment rate fell in 2020")
    del e.scores["similarity"]
    agg.run(CLAIM, [e])
    assert 0.5 < e.scores["similarity"] <= 1.0


def test_default_aggregator_falls_back_to_rules(tmp_path) -> None:
    assert isinstance(default_aggregator(tmp_path / "absent.json"), RuleAggregator)


def test_learned_aggregator_missing_file_says_what_to_do(tmp_path) -> None:
    with pytest.raises(Exception, match="factdesk train verdict"):
        LearnedAggregator(tmp_path / "absent.json", claim_level=False).warm_up()


def test_averitec_order_matches_labels() -> None:
    assert [a.value for a in AVERITEC_ORDER] == [
        "Supported",
        "Refuted",
        "Not Enough Evidence",
        "Conflicting Evidence/Cherrypicking",
    ]


def test_gate_passes_on_only_the_relevant_share() -> None:
    from factdesk.verdict.aggregate import gate_probability, gated

    p = np.array([[0.2, 0.6, 0.1, 0.1], [0.7, 0.1, 0.1, 0.1]])
    out = gated(p, np.array([1.0, 0.25]))
    assert out[0] == pytest.approx([0.2, 0.6, 0.1, 0.1])
    assert out[1] == pytest.approx([0.175, 0.025, 0.775, 0.025])
    assert out.sum(1) == pytest.approx([1.0, 1.0])
    gate = {
        "features": ["max_sim", "mean_sim"],
        "mean": [0.4, 0.3],
        "scale": [0.2, 0.1],
        "weights": [2.0, 1.0],
        "bias": 0.5,
    }
    x = np.zeros((2, len(FEATURES)))
    x[:, FEATURES.index("max_sim")] = [0.4, 0.8]
    x[:, FEATURES.index("mean_sim")] = [0.3, 0.4]
    z = np.array([0.5, 2.0 * 2 + 1.0 * 1 + 0.5])
    assert gate_probability(gate, x) == pytest.approx(1 / (1 + np.exp(-z)))


def test_make_verdict_no_passage_taking_a_stance_is_unsubstantiated_with_agreeing_probabilities() -> None:
    # The demo's case: every passage not-enough-info, yet the model leans Refuted (its prior).
    nei = [ev(0.1, 0.19), ev(0.05, 0.1)]  # the most decisive passage: 1 - P(NEI) = 0.29
    v = make_verdict(np.array([0.14, 0.53, 0.21, 0.12]), nei, "t")
    assert v.rating == Rating.UNSUBSTANTIATED and v.averitec_label == AveritecLabel.NOT_ENOUGH_EVIDENCE
    assert v.confidence == pytest.approx(0.21 + 0.79 * 0.71)
    assert max(v.probs, key=v.probs.get) == Rating.UNSUBSTANTIATED.value  # the runner-up is below it
    assert v.probs[Rating.LIKELY_FALSE.value] == pytest.approx(0.53 * 0.29)
    # one passage that takes a stance lifts the rule: the model's own probabilities stand
    v = make_verdict(np.array([0.14, 0.53, 0.21, 0.12]), [*nei, ev(0.05, 0.8)], "t")
    assert v.rating == Rating.LIKELY_FALSE and v.confidence == pytest.approx(0.53)
